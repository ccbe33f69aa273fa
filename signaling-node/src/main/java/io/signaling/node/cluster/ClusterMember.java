package io.signaling.node.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.signaling.cluster.config.ClusterFactory;
import io.signaling.cluster.config.ClusterSettings;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This node's membership of the Hazelcast cluster, and everything else of Hazelcast the node needs: the
 * clustered Vert.x instance, the room directory, membership and merge events, the safety check, and the
 * re-announcement of the event bus. The only place outside the directory that touches Hazelcast types.
 */
public final class ClusterMember {

  /** What the node does when the cluster changes. Called on Hazelcast's event threads. */
  public interface Events {
    /** A member joined (this node may have to announce itself again, see {@link #reannounce}). */
    void memberJoined(String address, int members);

    /**
     * A member left. {@code node} is its Vert.x node id (null for a member that never started Vert.x);
     * {@code purgeHere}: this node is the oldest member and removes the departed node's peers from the rooms.
     */
    void memberLeft(String address, String node, int members, boolean purgeHere);

    /** This member is merging back after a split: its view of the rooms is not to be trusted. */
    void merging();

    /** The merge completed. */
    void merged();

    /** The merge failed. */
    void mergeFailed();
  }

  private final HazelcastClusterManager manager;
  private volatile HazelcastInstance hazelcast;
  private volatile UUID membershipListener;

  private ClusterMember(HazelcastClusterManager manager) {
    this.manager = manager;
  }

  /** A member for these settings, the rooms map and the serializers configured; not started. */
  public static ClusterMember create(ClusterSettings settings, int roomMaxIdleSeconds) {
    return create(settings, roomMaxIdleSeconds, false);
  }

  /**
   * @param syncBackup the rooms map's backup is synchronous (webhooks: a change, and the events it created, is
   *     answered only once its backup has it, so losing the owner right after loses no event)
   */
  public static ClusterMember create(ClusterSettings settings, int roomMaxIdleSeconds, boolean syncBackup) {
    return new ClusterMember(ClusterFactory.clusterManager(settings, config -> {
      RoomSerialization.configure(config, roomMaxIdleSeconds, syncBackup);
      // Hazelcast's own metrics (collected and compressed every 5 s for its Management Center) are not read by
      // the node, which exports its own: about 3.5 ms of CPU per second per idle member (docs/PERFORMANCE.md)
      config.getMetricsConfig().setEnabled(false);
    }));
  }

  /** Starts the clustered Vert.x instance (which joins the cluster) and registers the envelope codecs. */
  public Future<Vertx> start(VertxOptions options) {
    return ClusteredVertx.start(options, manager).map(vertx -> {
      hazelcast = manager.getHazelcastInstance();
      vertx.eventBus().registerCodec(new EnvelopeCodec());
      vertx.eventBus().registerCodec(new EnvelopeBatchCodec());
      return vertx;
    });
  }

  /** The incarnation-unique id of this node (Vert.x's). */
  public String nodeId() {
    return manager.getNodeId();
  }

  /** This member's cluster address, for log lines. */
  public String address() {
    return String.valueOf(hazelcast.getCluster().getLocalMember().getAddress());
  }

  public boolean running() {
    return hazelcast.getLifecycleService().isRunning();
  }

  /**
   * Each member's Hazelcast UUID (what Hazelcast's own log lines name) with its node id (what this node's log lines
   * name), e.g. {@code 7d18f495-...=3ac52785-... (this)}: logged once at the join, so the two can be matched.
   */
  public String nodeIdsByMember() {
    java.util.List<String> pairs = new java.util.ArrayList<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      pairs.add(describe(m) + (m.localMember() ? " (this)" : ""));
    }
    return String.join(", ", pairs);
  }

  private static String describe(Member m) {
    return m.getUuid() + "=" + m.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE);
  }

  /** Members as this node sees them (0 once it has left). */
  public int members() {
    return running() ? hazelcast.getCluster().getMembers().size() : 0;
  }

  /** The node ids of the other members as this node sees them (empty once it has left). */
  public java.util.List<String> otherNodeIds() {
    if (!running()) {
      return java.util.List.of();
    }
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.localMember() ? null : m.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE);
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * The room directory; resumable slots are held for {@code resumeMillis}; {@code blocking} runs its few
   * whole-map operations (never an event loop).
   */
  public RoomDirectory roomDirectory(Executor blocking, long resumeMillis) {
    IMap<String, Room> rooms = hazelcast.getMap(RoomSerialization.ROOMS_MAP);
    return new HazelcastRoomDirectory(rooms, blocking, resumeMillis);
  }

  /** Reports membership and merge changes to {@code events} until {@link #stopListening()}. */
  public void listen(Events events) {
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        // the member's Hazelcast UUID next to its node id: the mapping, once, for each member that joins later
        events.memberJoined(event.getMember().getAddress() + " (member " + describe(event.getMember()) + ")",
            event.getMembers().size());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        Member member = event.getMember();
        String departed = member.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE);
        boolean oldest = event.getMembers().iterator().next().localMember();
        events.memberLeft(String.valueOf(member.getAddress()), departed, event.getMembers().size(), oldest);
      }
    });
    hazelcast.getLifecycleService().addLifecycleListener(event -> {
      switch (event.getState()) {
        case MERGING:
          events.merging();
          break;
        case MERGED:
          events.merged();
          break;
        case MERGE_FAILED:
          events.mergeFailed();
          break;
        default:
          break;
      }
    });
  }

  public void stopListening() {
    UUID listener = membershipListener;
    if (listener != null && running()) {
      hazelcast.getCluster().removeMembershipListener(listener);
    }
  }

  /** What a safety check found, and the member count it began with. */
  public interface SafetyListener {
    void checked(boolean safe, int membersBefore);
  }

  /**
   * Checks {@code isLocalMemberSafe()} every {@code periodMillis} on a worker of its own, one check at a time:
   * it waits (up to 10 s) for the backups' replica versions, so it never runs on an event loop nor where
   * purges run. Not {@code isClusterSafe()}: started just before a member is removed, that kept retrying its
   * request to the departed member for over a minute.
   */
  public void watchSafety(Vertx vertx, long periodMillis, SafetyListener listener) {
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("signaling-safety", 1);
    AtomicBoolean checking = new AtomicBoolean();
    vertx.setPeriodic(1, periodMillis, t -> {
      if (!checking.compareAndSet(false, true)) {
        return;
      }
      try {
        worker.executeBlocking(() -> {
          int before = members();
          return new int[] {before, running() && hazelcast.getPartitionService().isLocalMemberSafe() ? 1 : 0};
        }, false).onComplete(ar -> {
          listener.checked(ar.succeeded() && ar.result()[1] == 1, ar.succeeded() ? ar.result()[0] : -1);
          checking.set(false);
        });
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // Vert.x is closing (its workers are gone before its timers): nothing left to watch
        vertx.cancelTimer(t);
      }
    });
  }

  /** Announces this node's event-bus address to the cluster again (the inboxes are re-registered by the caller). */
  public Future<Void> reannounce() {
    Promise<Void> done = Promise.promise();
    manager.setNodeInfo(manager.getNodeInfo(), done);
    return done.future();
  }

  /** The Hazelcast member, for tests that inspect the cluster's state. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
  }
}
