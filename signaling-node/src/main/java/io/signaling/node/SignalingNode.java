package io.signaling.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.signaling.cluster.config.ClusterFactory;
import io.signaling.node.cluster.ClusteredVertx;
import io.signaling.node.cluster.EnvelopeBatchCodec;
import io.signaling.node.cluster.EnvelopeCodec;
import io.signaling.node.cluster.HazelcastRoomDirectory;
import io.signaling.node.cluster.RoomSerialization;
import io.signaling.node.ops.ManagementServer;
import io.signaling.node.ops.MicrometerSignalingMetrics;
import io.signaling.node.ops.NodeHealth;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.signaling.node.security.JwtJoinAuthorizer;
import io.signaling.node.signal.JoinAuthorizer;
import io.signaling.node.transport.ConnectionGate;
import io.signaling.node.transport.SignalingVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running signaling node: a clustered Vert.x instance with its Hazelcast member, the room directory,
 * and one {@link SignalingVerticle} per event loop. {@link #start} and {@link #shutdown} are the whole
 * lifecycle; each step logs one line with the node id.
 */
public final class SignalingNode {

  private static final Logger LOG = LoggerFactory.getLogger(SignalingNode.class);

  /** Time after a split-brain merge before rooms are trusted again. */
  static final long MERGE_SETTLE_MILLIS = 2000;

  private final NodeSettings settings;
  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final NodeHealth health;
  private final int httpPort;
  private final HttpServer management;
  private final List<SignalingVerticle> verticles;
  private final UUID membershipListener;
  private final HazelcastClusterManager clusterManager;
  private final io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
  private volatile long drainStartedNanos;

  private SignalingNode(NodeSettings settings, Vertx vertx, HazelcastInstance hazelcast, String nodeId,
      NodeHealth health, int httpPort, HttpServer management, List<SignalingVerticle> verticles, UUID membershipListener,
      HazelcastClusterManager clusterManager) {
    this.clusterManager = clusterManager;
    this.settings = settings;
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.health = health;
    this.httpPort = httpPort;
    this.management = management;
    this.verticles = verticles;
    this.membershipListener = membershipListener;
  }

  /** Starts a node with Prometheus metrics at {@code /metrics} on its management port. */
  public static Future<SignalingNode> start(NodeSettings settings) {
    return start(settings, new MicrometerSignalingMetrics());
  }

  public static Future<SignalingNode> start(NodeSettings settings, SignalingMetrics metrics) {
    if (!ClusterFactory.asyncParallelismOk()) {
      LOG.warn("The common fork-join pool has parallelism {}: cluster operations will be slow. Set -D{}=4",
          java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(), ClusterFactory.COMMON_POOL_PARALLELISM);
    }
    int httpPort = settings.httpPort() == 0 ? freePort(settings.httpHost()) : settings.httpPort();
    NodeSettings effective = settings.withHttpPort(httpPort);
    HazelcastClusterManager clusterManager =
        ClusterFactory.clusterManager(settings.cluster(),
            config -> RoomSerialization.configure(config, settings.roomMaxIdleSeconds()));
    VertxOptions options = ClusterFactory.applyEventBus(settings.cluster(), new VertxOptions());
    LOG.info("Joining cluster '{}' ({} discovery, member port {})", settings.cluster().clusterName(),
        settings.cluster().discovery().wireName(), settings.cluster().port());
    return ClusteredVertx.start(options, clusterManager)
        .compose(vertx -> {
          HazelcastInstance hz = clusterManager.getHazelcastInstance();
          String nodeId = clusterManager.getNodeId();
          LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] joined cluster '{}' as member {} with {} member(s)", nodeId,
              settings.cluster().clusterName(), hz.getCluster().getLocalMember().getAddress(),
              hz.getCluster().getMembers().size());
          return deploy(effective, metrics, vertx, clusterManager, nodeId)
              .recover(e -> vertx.close().transform(ignored -> Future.failedFuture(e)));
        });
  }

  private static Future<SignalingNode> deploy(NodeSettings settings, SignalingMetrics metrics, Vertx vertx,
      HazelcastClusterManager clusterManager, String nodeId) {
    HazelcastInstance hz = clusterManager.getHazelcastInstance();
    vertx.eventBus().registerCodec(new EnvelopeCodec());
    vertx.eventBus().registerCodec(new EnvelopeBatchCodec());
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("signaling-cluster", 2);
    Executor blocking = task -> worker.executeBlocking(() -> {
      task.run();
      return null;
    }, false);
    IMap<String, Room> rooms = hz.getMap(RoomSerialization.ROOMS_MAP);
    RoomDirectory directory = new HazelcastRoomDirectory(rooms, blocking);
    NodeHealth health = new NodeHealth(nodeId, settings.instances(), () -> hz.getLifecycleService().isRunning(),
        () -> hz.getLifecycleService().isRunning() ? hz.getCluster().getMembers().size() : 0);
    if (metrics instanceof MicrometerSignalingMetrics prometheus) {
      prometheus.bind(health::members, health::isDraining);
    }
    watchMemberSafety(vertx, hz, health);
    List<SignalingVerticle> verticles = new CopyOnWriteArrayList<>();
    AtomicLong sessionIds = new AtomicLong();

    UUID listener = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] member joined: {} ({} member(s))", nodeId, event.getMember().getAddress(),
            event.getMembers().size());
        // a member that was cut off and comes back may still clean up what it believed gone, this node's
        // event-bus address among it: announce it again once the change has settled
        vertx.setTimer(MERGE_SETTLE_MILLIS, t -> reassertPresence(clusterManager, verticles).onFailure(e ->
            LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] re-announcing the event bus after a member joined failed: {}",
                nodeId, e.toString())));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        Member member = event.getMember();
        String departed = member.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE);
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] member left: {} node {} ({} member(s))", nodeId, member.getAddress(), departed,
            event.getMembers().size());
        if (departed == null) {
          return;
        }
        verticles.forEach(v -> v.onNodeLeft(departed));
        Member oldest = event.getMembers().iterator().next();
        if (oldest.localMember()) {
          directory.purgeNode(departed).whenComplete((n, e) -> {
            if (e != null) {
              LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] purge of departed node {} failed: {}", nodeId, departed, e.toString());
            } else {
              LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] removed departed node {} from {} room(s)", nodeId, departed, n);
            }
          });
        }
      }
    });

    DeploymentOptions deployment = new DeploymentOptions().setInstances(settings.instances());
    hz.getLifecycleService().addLifecycleListener(event -> {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] cluster member state: {}", nodeId, event.getState());
      switch (event.getState()) {
        case MERGING:
          health.setMerging(true);
          break;
        case MERGED:
          // Hazelcast merges the entries of the side that rejoined after the member is back: give that a
          // moment before trusting the rooms again (joins refused and not ready until then)
          vertx.setTimer(MERGE_SETTLE_MILLIS, t -> reassertPresence(clusterManager, verticles).onComplete(r -> {
            if (r.failed()) {
              LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] re-announcing the event bus after the merge failed: {}",
                  nodeId, r.cause().toString());
            }
            health.setMerging(false);
            verticles.forEach(SignalingVerticle::onMerged);
            LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] merge settled; event bus re-announced, rooms reconciled", nodeId);
          }));
          break;
        case MERGE_FAILED:
          health.setMerging(false);
          break;
        default:
          break;
      }
    });
    ConnectionGate gate = new ConnectionGate(settings.limits().maxConnectionsPerAddress(),
        settings.handshakes().maxPending());
    metrics.bindConnections(gate::pending, gate::open);
    JoinAuthorizer authorizer = JwtJoinAuthorizer.from(settings.security());
    return ManagementServer.start(vertx, settings.httpHost(), settings.managementPort(),
            settings.handshakes().keepAliveSeconds(), health, metrics)
        .compose(management -> vertx.deployVerticle(() -> new SignalingVerticle(settings, nodeId, directory, health,
                metrics, sessionIds::incrementAndGet, verticles::add, gate, authorizer), deployment)
            .map(id -> {
              SignalingNode node = new SignalingNode(settings, vertx, hz, nodeId, health, settings.httpPort(),
                  management, verticles, listener, clusterManager);
              if (metrics instanceof MicrometerSignalingMetrics prometheus) {
                prometheus.bindDrain(node::heldCalls, node::drainingSeconds);
              }
              LOG.atInfo().addKeyValue("node", nodeId).log(
                  "[node: {}] ready: {} event loop(s), WebSocket ws://{}:{}/<AppName>/websocket, management http://{}:{}",
                  nodeId, settings.instances(), settings.httpHost(), settings.httpPort(), settings.httpHost(),
                  management.actualPort());
              return node;
            }));
  }

  /** Time between two checks of this member's safety (its backups in sync), shown by the health endpoints. */
  static final long SAFETY_CHECK_MILLIS = 500;

  /**
   * Checks {@code isLocalMemberSafe()} on a worker of its own, one check at a time: it waits (up to 10 s) for
   * the backups' replica versions, so it never runs on an event loop nor where purges run. Not
   * {@code isClusterSafe()}: started just before a member is removed, that kept retrying its request to the
   * departed member for over a minute.
   */
  private static void watchMemberSafety(Vertx vertx, HazelcastInstance hz, NodeHealth health) {
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("signaling-safety", 1);
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    vertx.setPeriodic(1, SAFETY_CHECK_MILLIS, t -> {
      if (!running.compareAndSet(false, true)) {
        return;
      }
      worker.executeBlocking(() -> {
        int before = health.members();
        return new int[] {before, hz.getLifecycleService().isRunning()
            && hz.getPartitionService().isLocalMemberSafe() ? 1 : 0};
      }, false).onComplete(ar -> {
        health.memberSafety(ar.succeeded() && ar.result()[1] == 1, ar.succeeded() ? ar.result()[0] : -1);
        running.set(false);
      });
    });
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Announces this node's event-bus address and its inboxes to the cluster again. Vert.x republishes both when
   * a merge completes, but the other side's clean-up of this node (when it was cut off) can race with that
   * and remove them after: the others then answer "Not a member of the cluster" and NO_HANDLERS for this
   * node, and no notice or relay crosses to or from it (replies included). Run once a merge has settled.
   */
  public Future<Void> reassertClusterPresence() {
    return reassertPresence(clusterManager, verticles);
  }

  private static Future<Void> reassertPresence(HazelcastClusterManager clusterManager,
      List<SignalingVerticle> verticles) {
    io.vertx.core.Promise<Void> nodeInfo = io.vertx.core.Promise.promise();
    clusterManager.setNodeInfo(clusterManager.getNodeInfo(), nodeInfo);
    List<Future<Void>> all = new ArrayList<>();
    all.add(nodeInfo.future());
    verticles.forEach(v -> all.add(v.reregisterInbox()));
    return Future.all(all).mapEmpty();
  }

  public int httpPort() {
    return httpPort;
  }

  /** The management port (metrics and health), the one it actually listens on when 0 was asked for. */
  public int managementPort() {
    return management.actualPort();
  }

  public NodeHealth health() {
    return health;
  }

  public Vertx vertx() {
    return vertx;
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /**
   * Graceful stop that ends no call: not ready at once, no new sockets or joins, sockets in no call told
   * {@code server_will_stop} and closed with 1001 at once, sockets in a call kept working until their last
   * call ends (then told and closed the same way); then the event bus and the cluster are left. At the drain
   * deadline ({@code SIGNALING_DRAIN_SECONDS}), or when called again (a second signal), the calls still
   * held end as well: their partners get {@code stop}. Completes when the node has stopped.
   */
  public Future<Void> shutdown() {
    if (!health.startDraining()) {
      endDrain("asked again");
      return stopped.future();
    }
    drainStartedNanos = System.nanoTime();
    LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] draining: not ready, releasing sockets in no call, keeping calls (at most {} s)",
        nodeId, settings.drainSeconds());
    List<Future<Void>> drains = new ArrayList<>();
    verticles.forEach(v -> drains.add(v.drain()));
    long deadline = vertx.setTimer(Math.max(1, settings.drainSeconds()) * 1000L, t -> endDrain("deadline reached"));
    Future.join(drains).onComplete(ar -> {
      vertx.cancelTimer(deadline);
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] drained after {} ms: no call left; leaving the cluster", nodeId,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStartedNanos));
      hazelcast.getCluster().removeMembershipListener(membershipListener);
      vertx.close().onComplete(closed -> {
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] stopped{}", nodeId,
            closed.succeeded() ? "" : " with error: " + closed.cause());
        stopped.tryComplete();
      });
    });
    return stopped.future();
  }

  /** The drain's end (deadline or second signal): the calls still held end now, partners get {@code stop}. */
  private void endDrain(String why) {
    int held = heldCalls();
    LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] drain {}: ending the {} call(s) still held", nodeId, why, held);
    verticles.forEach(SignalingVerticle::endDrain);
  }

  /** Calls the drain holds open on this node (0 when not draining). */
  public int heldCalls() {
    int calls = 0;
    for (SignalingVerticle v : verticles) {
      calls += v.heldCalls();
    }
    return calls;
  }

  /** Seconds since the drain started, or 0. */
  public double drainingSeconds() {
    long started = drainStartedNanos;
    return started == 0 ? 0 : (System.nanoTime() - started) / 1e9;
  }

  /** Abrupt stop without draining (for tests of node loss in one JVM). */
  public Future<Void> closeAbruptly() {
    return vertx.close();
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
