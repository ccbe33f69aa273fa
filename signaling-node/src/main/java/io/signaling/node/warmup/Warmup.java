package io.signaling.node.warmup;

import io.signaling.node.NodeSettings;
import io.signaling.node.WarmupSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.signaling.node.signal.JoinAuthorizer;
import java.lang.management.CompilationMXBean;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up before readiness ({@link WarmupSettings}): calls of the node's own, through its own WebSocket
 * endpoint over loopback, so that what a call runs (the upgrade, decoding, the room directory, relays, the clustered
 * event bus) is compiled before the node reports ready. A call's offerer is on this node; its answerer is on
 * another member when there is one (that member runs it on its own endpoint, asked over the event bus at
 * {@link #address}), so the cross-node paths warm up on both; on this node otherwise. Each member answers such
 * requests from the others for as long as it runs and does not drain: a member that warms up also warms the
 * cross-node paths of those it calls. Warm-up rooms are named {@code warmup-<random>}; their joins carry a token
 * only this node knows when tokens are required ({@link #token()}).
 */
public final class Warmup extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** Prefix of the event-bus address at which a member runs the answerer of another member's warm-up call. */
  public static final String ADDRESS_PREFIX = "signaling.warmup.";
  /** Prefix of warm-up rooms' stream ids. */
  public static final String ROOM_PREFIX = "warmup-";
  /** Candidates each side of a warm-up call sends, as a browser's host and reflexive candidates. */
  static final int CANDIDATES = 10;
  /** A warm-up call that has not ended by then failed (both sides close their sockets). */
  static final long CALL_TIMEOUT_MILLIS = 10_000;
  /** A member that turned a call away is not asked again for this long. */
  static final long REFUSED_BACKOFF_MILLIS = 2_000;
  /** Failure code of a member that does not take the call (draining, or busy): the caller answers it itself. */
  static final int REFUSED = 1;
  /** The JIT counts as settled when it compiled less than this in one window (5 % of one compiler thread). */
  static final long SETTLED_COMPILE_MILLIS = 50;
  static final long SETTLE_WINDOW_MILLIS = 1_000;
  /** Answerers a member runs at once for the others' warm-ups; beyond, it turns calls away. */
  static final int MAX_ANSWERERS = 32;
  static final int FAILED = 2;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final NodeSettings settings;
  private final String nodeId;
  private final Supplier<List<String>> otherNodes;
  private final BooleanSupplier accepting;
  private final WarmupMessages messages;
  private final Map<String, Long> refusedUntil = new HashMap<>();
  private final Result result = new Result();
  private WebSocketClient client;
  private MessageConsumer<String> consumer;
  private int partnerCalls;
  private int nextPartner;

  /** What the warm-up did; read from any thread. */
  public static final class Result {
    private volatile int completed;
    private volatile int crossNode;
    private volatile int failed;
    private volatile int answered;
    private volatile long millis;

    /** Warm-up calls of this node that completed. */
    public int completed() {
      return completed;
    }

    /** Of those, calls whose answerer was on another member. */
    public int crossNode() {
      return crossNode;
    }

    public int failed() {
      return failed;
    }

    /** Answerers this node ran for other members' warm-up calls. */
    public int answered() {
      return answered;
    }

    /** How long this node's warm-up took (0 until it ended). */
    public long millis() {
      return millis;
    }
  }

  /**
   * @param otherNodes the node ids of the other members now
   * @param accepting false once the node drains: it then neither starts nor answers warm-up calls
   * @param token what warm-up joins carry, or null when the node requires no tokens
   */
  public Warmup(NodeSettings settings, String nodeId, Supplier<List<String>> otherNodes, BooleanSupplier accepting,
      String token) {
    this.settings = settings;
    this.nodeId = nodeId;
    this.otherNodes = otherNodes;
    this.accepting = accepting;
    this.messages = new WarmupMessages(token, CANDIDATES);
  }

  /** A fresh secret for warm-up joins (at least 128 bits, base64url). */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Joins as {@code tokens} decides them, and warm-up joins that carry {@code token}; {@code tokens} itself when it
   * requires none.
   */
  public static JoinAuthorizer admitting(JoinAuthorizer tokens, String token) {
    if (tokens == JoinAuthorizer.OPEN) {
      return tokens;
    }
    byte[] expected = token.getBytes(StandardCharsets.US_ASCII);
    return new JoinAuthorizer() {
      @Override
      public boolean mayJoin(String streamId, String presented) {
        if (streamId != null && streamId.startsWith(ROOM_PREFIX) && presented != null
            && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.US_ASCII))) {
          return true;
        }
        return tokens.mayJoin(streamId, presented);
      }

      @Override
      public String subject(String presented) {
        return tokens.subject(presented);
      }
    };
  }

  public static String address(String nodeId) {
    return ADDRESS_PREFIX + nodeId;
  }

  public Result result() {
    return result;
  }

  @Override
  public Future<?> start() {
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxFrameSize(settings.maxMessageBytes())
        .setMaxMessageSize(settings.maxMessageBytes() * 2)
        .setMaxConnections(4 * settings.warmup().inFlight() + 16);
    if (settings.security().tls()) {
      // its own endpoint over loopback: the certificate is for the node's public names
      options.setSsl(true).setTrustAll(true).setVerifyHost(false);
    }
    client = vertx.createWebSocketClient(options);
    consumer = vertx.eventBus().consumer(address(nodeId), this::answer);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister().eventually(() -> client.close());
  }

  /** Runs this node's warm-up: until its calls completed, its time ran out, or the node drains. */
  public Future<Result> run() {
    Promise<Result> finished = Promise.promise();
    context.runOnContext(v -> {
      WarmupSettings warmup = settings.warmup();
      long started = System.nanoTime();
      long deadline = started + TimeUnit.SECONDS.toNanos(warmup.seconds());
      long compiledBefore = compilationMillis();
      int[] startedCalls = {0};
      List<Future<Void>> lanes = new ArrayList<>();
      for (int i = 0; i < warmup.inFlight(); i++) {
        Promise<Void> lane = Promise.promise();
        lanes.add(lane.future());
        nextCall(lane, startedCalls, deadline);
      }
      Future.join(lanes).compose(ar -> {
        long callsMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        LOG.atInfo().addKeyValue("node", nodeId).log(
            "[node: {}] warm-up: {} call(s) in {} ms ({} with the answerer on another member, {} failed); JIT "
                + "compilation {} ms meanwhile; waiting for the compiler to settle", nodeId, result.completed,
            callsMillis, result.crossNode, result.failed, compilationMillis() - compiledBefore);
        return settled(deadline);
      }).onComplete(ar -> {
        result.millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] warm-up done after {} ms", nodeId, result.millis);
        finished.complete(result);
      });
    });
    return finished.future();
  }

  /**
   * Completes once the JIT compiled less than {@link #SETTLED_COMPILE_MILLIS} in the last
   * {@link #SETTLE_WINDOW_MILLIS} (the compilations the calls queued are done), or at the deadline: a node whose
   * compiler is still busy with the warm-up's queue would pay for it in its first real calls.
   */
  private Future<Void> settled(long deadline) {
    Promise<Void> settled = Promise.promise();
    long[] last = {compilationMillis()};
    vertx.setPeriodic(SETTLE_WINDOW_MILLIS, id -> {
      long now = compilationMillis();
      if (now - last[0] < SETTLED_COMPILE_MILLIS || System.nanoTime() - deadline >= 0 || !accepting.getAsBoolean()) {
        vertx.cancelTimer(id);
        settled.complete();
      }
      last[0] = now;
    });
    return settled.future();
  }

  private void nextCall(Promise<Void> lane, int[] startedCalls, long deadline) {
    WarmupSettings warmup = settings.warmup();
    if (startedCalls[0] >= warmup.calls() || System.nanoTime() - deadline >= 0 || !accepting.getAsBoolean()
        || result.failed > Math.max(20, warmup.calls() / 10)) {
      lane.complete();
      return;
    }
    startedCalls[0]++;
    call().onComplete(ar -> {
      if (ar.succeeded()) {
        result.completed++;
        if (ar.result()) {
          result.crossNode++;
        }
      } else {
        result.failed++;
        LOG.atDebug().addKeyValue("node", nodeId).log("[node: {}] warm-up call failed: {}", nodeId,
            ar.cause().getMessage());
      }
      nextCall(lane, startedCalls, deadline);
    });
  }

  /** One call; true when its answerer was on another member. */
  private Future<Boolean> call() {
    String streamId = ROOM_PREFIX + newToken().substring(0, 22);
    WarmupPeer offerer = new WarmupPeer(WarmupPeer.Role.OFFERER, streamId, messages).start(client, connectOptions());
    Promise<Boolean> call = Promise.promise();
    WarmupPeer[] localAnswerer = new WarmupPeer[1];
    long timer = vertx.setTimer(CALL_TIMEOUT_MILLIS, t -> {
      offerer.abort("timed out");
      if (localAnswerer[0] != null) {
        localAnswerer[0].abort("timed out");
      }
      call.tryFail("timed out after " + CALL_TIMEOUT_MILLIS + " ms");
    });
    offerer.joined().compose(v -> {
      String partner = partner();
      if (partner == null) {
        localAnswerer[0] = answerer(streamId);
        return localAnswerer[0].done().map(false);
      }
      DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(CALL_TIMEOUT_MILLIS);
      return vertx.eventBus().<String>request(address(partner), streamId, delivery).map(true).recover(e -> {
        if (!turnedAway(e)) {
          return Future.failedFuture(e);
        }
        // that member does not take it (draining, busy, or not started yet): answer it here
        refusedUntil.put(partner, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REFUSED_BACKOFF_MILLIS));
        localAnswerer[0] = answerer(streamId);
        return localAnswerer[0].done().map(false);
      });
    }).compose(crossNode -> offerer.done().map(crossNode)).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        offerer.abort(ar.cause().getMessage());
        if (localAnswerer[0] != null) {
          localAnswerer[0].abort(ar.cause().getMessage());
        }
      }
      if (ar.succeeded()) {
        call.tryComplete(ar.result());
      } else {
        call.tryFail(ar.cause());
      }
    });
    return call.future();
  }

  private static boolean turnedAway(Throwable e) {
    return e instanceof ReplyException r && (r.failureType() == ReplyFailure.NO_HANDLERS
        || (r.failureType() == ReplyFailure.RECIPIENT_FAILURE && r.failureCode() == REFUSED));
  }

  /** The member to run the next call's answerer, in turn, or null for this node. */
  private String partner() {
    List<String> others = otherNodes.get();
    long now = System.nanoTime();
    for (int i = 0; i < others.size(); i++) {
      String candidate = others.get(Math.floorMod(nextPartner++, others.size()));
      Long until = refusedUntil.get(candidate);
      if (until == null || now - until >= 0) {
        return candidate;
      }
    }
    return null;
  }

  private WarmupPeer answerer(String streamId) {
    return new WarmupPeer(WarmupPeer.Role.ANSWERER, streamId, messages).start(client, connectOptions());
  }

  /** Another member's warm-up call: its answerer, run here on this node's endpoint. */
  private void answer(Message<String> request) {
    String streamId = request.body();
    if (streamId == null || !streamId.startsWith(ROOM_PREFIX)) {
      request.fail(FAILED, "not a warm-up room");
      return;
    }
    if (!accepting.getAsBoolean() || partnerCalls >= MAX_ANSWERERS) {
      request.fail(REFUSED, "not taking warm-up calls now");
      return;
    }
    partnerCalls++;
    WarmupPeer answerer = answerer(streamId);
    long timer = vertx.setTimer(CALL_TIMEOUT_MILLIS, t -> answerer.abort("timed out"));
    answerer.done().onComplete(ar -> {
      vertx.cancelTimer(timer);
      partnerCalls--;
      if (ar.succeeded()) {
        result.answered++;
        request.reply("done");
      } else {
        request.fail(FAILED, ar.cause().getMessage());
      }
    });
  }

  private WebSocketConnectOptions connectOptions() {
    String host = settings.httpHost();
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.equals("::") || host.equals("[::]")) {
      host = "::1";
    }
    String app = settings.appNames().isEmpty() ? "WebRTCAppEE" : settings.appNames().get(0);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(settings.httpPort())
        .setURI("/" + app + "/websocket").setSsl(settings.security().tls());
    List<String> origins = settings.security().allowedOrigins();
    if (!origins.isEmpty()) {
      options.addHeader("Origin", origins.get(0));
    }
    return options;
  }

  private static long compilationMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }
}
