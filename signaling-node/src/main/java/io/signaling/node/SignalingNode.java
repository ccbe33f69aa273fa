package io.signaling.node;

import io.signaling.cluster.config.ClusterFactory;

import io.signaling.node.cluster.ClusterMember;
import io.signaling.node.cluster.ClusterTraffic;
import io.signaling.node.ops.ManagementServer;
import io.signaling.node.ops.MicrometerSignalingMetrics;
import io.signaling.node.ops.NodeHealth;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.room.RoomDirectory;
import io.signaling.node.security.JwtJoinAuthorizer;
import io.signaling.node.signal.JoinAuthorizer;
import io.signaling.node.transport.AddressLimits;
import io.signaling.node.transport.ConnectionGate;
import io.signaling.node.transport.SignalingVerticle;
import io.signaling.node.warmup.Warmup;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
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
  private final ClusterMember member;
  private final String nodeId;
  private final NodeHealth health;
  private final int httpPort;
  private final HttpServer management;
  private final List<SignalingVerticle> verticles;
  private final Warmup.Result warmup;
  private final io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
  private volatile long drainStartedNanos;

  private SignalingNode(NodeSettings settings, Vertx vertx, ClusterMember member, String nodeId,
      NodeHealth health, int httpPort, HttpServer management, List<SignalingVerticle> verticles, Warmup.Result warmup) {
    this.settings = settings;
    this.vertx = vertx;
    this.member = member;
    this.nodeId = nodeId;
    this.health = health;
    this.httpPort = httpPort;
    this.management = management;
    this.verticles = verticles;
    this.warmup = warmup;
  }

  /** Starts a node with Prometheus metrics at {@code /metrics} on its management port. */
  public static Future<SignalingNode> start(NodeSettings settings) {
    return start(settings, new MicrometerSignalingMetrics());
  }

  public static Future<SignalingNode> start(NodeSettings settings, SignalingMetrics metrics) {
    return start(settings, metrics, new Lifecycle());
  }

  /**
   * Joins the cluster, serves, warms up and completes once the node is ready. Fails with a {@link StartupException}
   * naming the cause (a port in use, TLS files it cannot use, a cluster it cannot join) once the cluster is left;
   * a stop asked of {@code lifecycle} before the node serves ends the start-up the same way.
   */
  public static Future<SignalingNode> start(NodeSettings settings, SignalingMetrics metrics, Lifecycle lifecycle) {
    if (!ClusterFactory.asyncParallelismOk()) {
      LOG.warn("The common fork-join pool has parallelism {}: cluster operations will be slow. Set -D{}=4",
          java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(), ClusterFactory.COMMON_POOL_PARALLELISM);
    }
    int httpPort = settings.httpPort() == 0 ? freePort(settings.httpHost()) : settings.httpPort();
    NodeSettings effective = settings.withHttpPort(httpPort);
    ClusterMember member = ClusterMember.create(settings.cluster(), settings.roomMaxIdleSeconds(),
        settings.backend().webhooks());
    VertxOptions options = ClusterFactory.applyEventBus(settings.cluster(), new VertxOptions());
    LOG.info("Joining cluster '{}' ({} discovery, member port {})", settings.cluster().clusterName(),
        settings.cluster().discovery().wireName(), settings.cluster().port());
    // bound to no context: a future of the node's Vert.x instance would not complete once that instance is closed,
    // which is what a failed start-up does before it reports
    Promise<SignalingNode> started = Promise.promise();
    member.start(options).onComplete(joined -> {
      if (joined.failed()) {
        lifecycle.abandoned();
        started.fail(new StartupException("cannot join cluster '" + settings.cluster().clusterName() + "' ("
            + settings.cluster().discovery().wireName() + " discovery, member port " + settings.cluster().port()
            + "): " + reason(joined.cause()), joined.cause()));
        return;
      }
      Vertx vertx = joined.result();
      String nodeId = member.nodeId();
      if (lifecycle.stopRequested()) {
        undo(vertx, lifecycle, started, StartupException.stopped());
        return;
      }
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] joined cluster '{}' as member {} with {} member(s); "
              + "node ids by member: {}", nodeId, settings.cluster().clusterName(), member.address(), member.members(),
          member.nodeIdsByMember());
      deploy(effective, metrics, vertx, member, nodeId, lifecycle).onComplete(deployed -> {
        if (deployed.succeeded()) {
          started.complete(deployed.result());
        } else if (lifecycle.draining()) {
          // stopped once it served: the drain that stop started leaves the cluster
          started.fail(deployed.cause());
        } else {
          undo(vertx, lifecycle, started, deployed.cause());
        }
      });
    });
    return started.future();
  }

  /** Leaves the cluster, then fails the start-up with {@code cause}. */
  private static void undo(Vertx vertx, Lifecycle lifecycle, Promise<SignalingNode> started, Throwable cause) {
    vertx.close().onComplete(closed -> {
      if (lifecycle.stopRequested()) {
        LOG.info("Stopped during start-up: left the cluster{}", closed.succeeded() ? "" : " with error: " + closed.cause());
      }
      lifecycle.abandoned();
      started.fail(cause);
    });
  }

  /** The cause of a failed step, in a few words: the exception's message, or its type when it has none. */
  static String reason(Throwable e) {
    if (e instanceof java.net.BindException) {
      return "the port is in use (" + e.getMessage() + ")";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.replace('\n', ' ');
  }

  private static Future<SignalingNode> deploy(NodeSettings settings, SignalingMetrics metrics, Vertx vertx,
      ClusterMember member, String nodeId, Lifecycle lifecycle) {
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("signaling-cluster", 2);
    Executor blocking = task -> worker.executeBlocking(() -> {
      task.run();
      return null;
    }, false);
    RoomDirectory directory = member.roomDirectory(blocking, settings.resume().seconds() * 1000L);
    NodeHealth health = new NodeHealth(nodeId, settings.instances(), member::running, member::members);
    if (metrics instanceof MicrometerSignalingMetrics prometheus) {
      prometheus.bind(health::members, health::isDraining);
      bindTraffic(prometheus, member.traffic());
      prometheus.bindProcessCpu();
    }
    ClusterMember.Safety safety = member.watchSafety(vertx);
    health.bindSafety(safety::safe, safety::checks, safety::checkNow);
    List<SignalingVerticle> verticles = new CopyOnWriteArrayList<>();
    AtomicLong sessionIds = new AtomicLong();
    member.listen(new ClusterEvents(nodeId, vertx, member, directory, health, verticles));

    DeploymentOptions deployment = new DeploymentOptions().setInstances(settings.instances());
    ConnectionGate gate = new ConnectionGate(settings.limits().maxConnectionsPerAddress(),
        settings.handshakes().maxPending());
    metrics.bindConnections(gate::pending, gate::open);
    AddressLimits addressLimits = AddressLimits.from(settings);
    JoinAuthorizer tokens = JwtJoinAuthorizer.from(settings.security());
    String warmupToken = tokens == JoinAuthorizer.OPEN ? null : Warmup.newToken();
    JoinAuthorizer authorizer = warmupToken == null ? tokens : Warmup.admitting(tokens, warmupToken);
    Warmup warmup = new Warmup(settings, nodeId, member::otherNodeIds, () -> !health.isDraining(), warmupToken);
    if (metrics instanceof MicrometerSignalingMetrics prometheus) {
      Warmup.Result r = warmup.result();
      prometheus.bindWarmup(r::completed, r::crossNode, r::failed, r::answered, () -> r.millis() / 1000.0);
    }
    // not ready until the warm-up is done: set before any event loop reports its inbox
    health.setWarming(settings.warmup().enabled());
    String managementAt = settings.managementBindHost() + ":" + settings.managementPort();
    String clientsAt = settings.httpHost() + ":" + settings.httpPort();
    ApplicationBackend backend = ApplicationBackend.start(settings, vertx, member, blocking, nodeId, health, metrics);
    return backend.ready()
        .compose(v -> ManagementServer.start(vertx, settings.managementBindHost(), settings.managementPort(),
            settings.handshakes().keepAliveSeconds(), health, metrics, backend::mount))
        .recover(e -> Future.failedFuture(new StartupException("cannot serve the management port " + managementAt
            + " (" + NodeSettings.MANAGEMENT_PORT.env() + "): " + reason(e), e)))
        .compose(management -> vertx.deployVerticle(() -> new SignalingVerticle(settings, nodeId, directory, health,
                metrics, sessionIds::incrementAndGet, verticles::add, gate, authorizer, addressLimits, member::inCluster),
                deployment)
            .recover(e -> Future.failedFuture(new StartupException("cannot serve clients on " + clientsAt + " ("
                + NodeSettings.HTTP_PORT.env() + (settings.security().tls() ? ", TLS from "
                + NodeSettings.TLS_CERT_FILE.env() + " and " + NodeSettings.TLS_KEY_FILE.env() : "") + "): "
                + reason(e), e)))
            .compose(id -> vertx.deployVerticle(warmup))
            .compose(id -> {
              SignalingNode node = new SignalingNode(settings, vertx, member, nodeId, health, settings.httpPort(),
                  management, verticles, warmup.result());
              if (metrics instanceof MicrometerSignalingMetrics prometheus) {
                prometheus.bindDrain(node::heldCalls, node::drainingSeconds);
                prometheus.bindResume(node::waitingPartners);
              }
              // from here a stop drains, the warm-up's sockets and any client's alike
              if (!lifecycle.serving(node)) {
                return Future.failedFuture(StartupException.stopped());
              }
              if (!settings.warmup().enabled()) {
                return Future.succeededFuture(node);
              }
              LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] serving; warming up with {} call(s) before it reports ready"
                  + " (at most {} s)", nodeId, settings.warmup().calls(), settings.warmup().seconds());
              return warmup.run().onComplete(ar -> health.setWarming(false)).map(done -> node);
            })
            .compose(node -> {
              if (lifecycle.stopRequested()) {
                return Future.failedFuture(StartupException.stopped());
              }
              LOG.atInfo().addKeyValue("node", nodeId).log(
                  "[node: {}] ready: {} event loop(s), WebSocket ws://{}:{}/<AppName>/websocket, management http://{}:{}",
                  nodeId, settings.instances(), settings.httpHost(), settings.httpPort(), settings.managementBindHost(),
                  management.actualPort());
              return Future.succeededFuture(node);
            }));
  }

  private static void bindTraffic(MicrometerSignalingMetrics prometheus, ClusterTraffic traffic) {
    prometheus.bindClusterTraffic("eventbus", () -> traffic.eventBusSent().messages(), () -> traffic.eventBusSent().bytes(),
        () -> traffic.eventBusReceived().messages(), () -> traffic.eventBusReceived().bytes());
    prometheus.bindClusterTraffic("hazelcast", () -> traffic.hazelcastSent().messages(),
        () -> traffic.hazelcastSent().bytes(), () -> traffic.hazelcastReceived().messages(),
        () -> traffic.hazelcastReceived().bytes());
  }

  /** What the node does when the cluster changes: node loss, re-announcement, merges. */
  private static final class ClusterEvents implements ClusterMember.Events {
    private final String nodeId;
    private final Vertx vertx;
    private final ClusterMember member;
    private final RoomDirectory directory;
    private final NodeHealth health;
    private final List<SignalingVerticle> verticles;

    ClusterEvents(String nodeId, Vertx vertx, ClusterMember member, RoomDirectory directory, NodeHealth health,
        List<SignalingVerticle> verticles) {
      this.nodeId = nodeId;
      this.vertx = vertx;
      this.member = member;
      this.directory = directory;
      this.health = health;
      this.verticles = verticles;
    }

    @Override
    public void memberJoined(String address, int members) {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] member joined: {} ({} member(s))", nodeId, address, members);
      // a member that was cut off and comes back may still clean up what it believed gone, this node's
      // event-bus address among it: announce it again once the change has settled. Only the address: sends to
      // an inbox never read the registrations (InboxNodeSelector), and re-registering a consumer would drop
      // the messages already handed to the old one
      vertx.setTimer(MERGE_SETTLE_MILLIS, t -> member.reannounce().onFailure(e ->
          LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] re-announcing the event bus after a member joined failed: {}",
              nodeId, e.toString())));
    }

    @Override
    public void memberLeft(String address, String departed, int members, boolean purgeHere) {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] member left: {} node {} ({} member(s))", nodeId, address, departed,
          members);
      if (departed == null) {
        return;
      }
      verticles.forEach(v -> v.onNodeLeft(departed));
      if (purgeHere) {
        directory.purgeNode(departed).whenComplete((n, e) -> {
          if (e != null) {
            LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] purge of departed node {} failed: {}", nodeId, departed, e.toString());
          } else {
            LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] removed departed node {} from {} room(s)", nodeId, departed, n);
          }
        });
      }
    }

    @Override
    public void merging() {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] cluster member state: MERGING", nodeId);
      health.setMerging(true);
    }

    @Override
    public void merged() {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] cluster member state: MERGED", nodeId);
      // Hazelcast merges the entries of the side that rejoined after the member is back: give that a
      // moment before trusting the rooms again (joins refused and not ready until then)
      vertx.setTimer(MERGE_SETTLE_MILLIS, t -> reassertPresence(member, verticles).onComplete(r -> {
        if (r.failed()) {
          LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] re-announcing the event bus after the merge failed: {}",
              nodeId, r.cause().toString());
        }
        health.setMerging(false);
        verticles.forEach(SignalingVerticle::onMerged);
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] merge settled; event bus re-announced, rooms reconciled", nodeId);
      }));
    }

    @Override
    public void mergeFailed() {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] cluster member state: MERGE_FAILED", nodeId);
      health.setMerging(false);
    }
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
    return reassertPresence(member, verticles);
  }

  private static Future<Void> reassertPresence(ClusterMember member, List<SignalingVerticle> verticles) {
    List<Future<Void>> all = new ArrayList<>();
    all.add(member.reannounce());
    verticles.forEach(v -> all.add(v.reregisterInbox()));
    return Future.all(all).mapEmpty();
  }

  /** What this node's warm-up before readiness did, and the answerers it ran for others' warm-ups. */
  public Warmup.Result warmup() {
    return warmup;
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

  /** This node's cluster membership (tests inspect Hazelcast through it). */
  public ClusterMember cluster() {
    return member;
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
      member.stopListening();
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

  /** Resume: sockets of this node whose partner's slot is held now. */
  public int waitingPartners() {
    int n = 0;
    for (SignalingVerticle v : verticles) {
      n += v.waitingPartners();
    }
    return n;
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
