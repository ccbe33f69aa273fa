package io.signaling.node.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.signaling.cluster.config.ClusterFactory;
import io.signaling.cluster.config.ClusterSettings;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * This node's membership of the Hazelcast cluster, and everything else of Hazelcast the node needs: the
 * clustered Vert.x instance, the room directory, membership and merge events, the safety check, the node-to-node
 * traffic counts, and the re-announcement of the event bus. The only place outside the directory that touches Hazelcast types.
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
  private final ClusterTraffic traffic = new ClusterTraffic();
  private volatile HazelcastInstance hazelcast;
  private volatile Vertx vertx;
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
      // what this member can do, seen by every member in the member list (a member of an earlier release has none)
      ClusterFeatures.advertise(config);
    }));
  }

  /** Starts the clustered Vert.x instance (which joins the cluster) and registers the envelope codecs. */
  public Future<Vertx> start(VertxOptions options) {
    return ClusteredVertx.start(options, manager, traffic).map(vertx -> {
      this.vertx = vertx;
      hazelcast = manager.getHazelcastInstance();
      traffic.watch(hazelcast);
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
   * Whether the node with this id is a member of the cluster as this node sees it now (this node itself: while it
   * is in one). Reads Hazelcast's local member list: no remote call.
   */
  public boolean inCluster(String nodeId) {
    if (!running()) {
      return false;
    }
    if (nodeId.equals(nodeId())) {
      return true;
    }
    for (Member m : hazelcast.getCluster().getMembers()) {
      if (nodeId.equals(m.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE))) {
        return true;
      }
    }
    return false;
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

  /** This member's safety as {@link SafetyWatch} decides it: checked only after membership or partitions change. */
  public interface Safety {
    boolean safe();

    /** Checks run so far. */
    int checks();

    /** A check begun now: true when it finds the member safe (and nothing changed while it ran). */
    Future<Boolean> checkNow();
  }

  /**
   * Starts watching this member's safety ({@code isLocalMemberSafe()}), checked after each membership change and
   * partition migration event until it is safe, never on a timer (see {@link SafetyWatch}). Not
   * {@code isClusterSafe()}: started just before a member is removed, that kept retrying its request to the
   * departed member for over a minute.
   */
  public Safety watchSafety(Vertx vertx) {
    SafetyWatch watch = new SafetyWatch(vertx, this::running, () -> hazelcast.getPartitionService().isLocalMemberSafe());
    hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {
        watch.changed();
      }

      @Override
      public void migrationFinished(MigrationState state) {
        watch.changed();
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
        // one per replica moved: the migration's start and finish frame them
      }

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {
        watch.changed();
      }
    });
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        watch.changed();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        watch.changed();
      }
    });
    hazelcast.getLifecycleService().addLifecycleListener(event -> {
      switch (event.getState()) {
        case MERGING, MERGED, MERGE_FAILED -> watch.changed();
        default -> {
        }
      }
    });
    watch.changed();
    return new Safety() {
      @Override
      public boolean safe() {
        return watch.isSafe();
      }

      @Override
      public int checks() {
        return watch.checks();
      }

      @Override
      public Future<Boolean> checkNow() {
        return watch.checkNow();
      }
    };
  }

  /** What this member sends to and receives from the others (event bus and Hazelcast). */
  public ClusterTraffic traffic() {
    return traffic;
  }

  /** Announces this node's event-bus address to the cluster again (the inboxes are re-registered by the caller). */
  public Future<Void> reannounce() {
    // getNodeInfo and setNodeInfo take the cluster manager's lock, which its clean-up after a member left holds
    // while it waits on the cluster: never on an event loop (8 nodes starting together on a busy machine blocked
    // one for over a minute, a join's re-announcement waiting behind a departure's clean-up)
    try {
      return vertx.executeBlocking(() -> {
        Promise<Void> done = Promise.promise();
        manager.setNodeInfo(manager.getNodeInfo(), done);
        return done.future();
      }, false).compose(done -> done);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      return Future.failedFuture(closing); // Vert.x is closing
    }
  }

  /** The Hazelcast member, for tests that inspect the cluster's state. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
  }
}
