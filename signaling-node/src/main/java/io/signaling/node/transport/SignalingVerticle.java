package io.signaling.node.transport;

import io.signaling.node.NodeSettings;
import io.signaling.node.cluster.Courier;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.cluster.Inboxes;
import io.signaling.node.ops.ManagementServer;
import io.signaling.node.ops.NodeHealth;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.RoomDirectory;
import io.signaling.node.security.TurnCredentials;
import io.signaling.node.signal.ByteBudget;
import io.signaling.node.signal.ClientSocket;
import io.signaling.node.signal.IceServerConfig;
import io.signaling.node.signal.JoinAuthorizer;
import io.signaling.node.signal.Switchboard;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's share of a node: the shared client HTTP/WebSocket server's handlers, and this loop's inbox on
 * the clustered event bus. Stateless towards the cluster: room membership lives in the room directory. The client
 * port serves only the WebSocket endpoint and the demo page; metrics and health are on the management port
 * ({@link ManagementServer}). Every connection passes the {@link ConnectionGate} at accept and is watched by a
 * {@link HandshakeGuard} until it is a WebSocket.
 */
public final class SignalingVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SignalingVerticle.class);
  /** The header naming the node, on the demo page's responses (the page shows which node it is on). */
  public static final String NODE_HEADER = ManagementServer.NODE_HEADER;
  /** The WebSocket endpoint's route. */
  public static final String WEBSOCKET_ROUTE = "/:app/websocket";
  /** The TURN REST API endpoint's route (only with TURN secrets set). */
  public static final String TURN_CREDENTIALS_ROUTE = "/:app/turn-credentials";
  private static final AtomicInteger INDEX = new AtomicInteger();
  private static final short CLOSE_TOO_BIG = 1009;

  private final NodeSettings settings;
  private final String nodeId;
  private final RoomDirectory directory;
  private final NodeHealth health;
  private final SignalingMetrics metrics;
  private final LongSupplier sessionIds;
  private final Consumer<SignalingVerticle> registry;
  private final ConnectionGate gate;
  private final Map<HttpConnection, HandshakeGuard> guards = new IdentityHashMap<>();
  private final JoinAuthorizer authorizer;
  private final AddressLimits addressLimits;
  private final Courier.Presence presence;
  private long idleTimer = -1;
  private TurnCredentials turn;
  private Switchboard switchboard;
  private MessageConsumer<Object> inboxConsumer;
  private HttpServer server;
  private String inbox;

  public SignalingVerticle(NodeSettings settings, String nodeId, RoomDirectory directory, NodeHealth health,
      SignalingMetrics metrics, LongSupplier sessionIds, Consumer<SignalingVerticle> registry,
      ConnectionGate gate, JoinAuthorizer authorizer, AddressLimits addressLimits, Courier.Presence presence) {
    this.settings = settings;
    this.nodeId = nodeId;
    this.directory = directory;
    this.health = health;
    this.metrics = metrics;
    this.sessionIds = sessionIds;
    this.registry = registry;
    this.gate = gate;
    this.authorizer = authorizer;
    this.addressLimits = addressLimits;
    this.presence = presence;
  }

  /** The event bus address of this event loop's inbox. */
  public static String inboxAddress(String nodeId, int index) {
    return Inboxes.address(nodeId, index);
  }

  @Override
  public Future<?> start() {
    inbox = inboxAddress(nodeId, INDEX.incrementAndGet());
    Courier courier = new Courier(vertx, context, settings.sendTimeoutMillis(), settings.sendAttempts(),
        settings.noticePatienceSeconds() * 1000L, presence, new Courier.Listener() {
          @Override
          public void retried(Envelope.Kind kind) {
            metrics.sendRetried();
          }

          @Override
          public void failed(Envelope.Kind kind) {
            metrics.sendFailed();
          }
        });
    turn = settings.turn().enabled() ? TurnCredentials.from(settings.turn()) : null;
    IceServerConfig ice = turn != null ? turn.asIceServerConfig()
        : IceServerConfig.fixed(ProtocolCodec.iceServerConfig(settings.stunServerUri(), settings.turnUsername(),
            settings.turnCredential()), ProtocolCodec.iceServerConfig("", "", ""));
    switchboard = new Switchboard(nodeId, inbox, context, directory, courier,
        new ProtocolCodec(settings.maxStreamIdLength()), ice, sessionIds, metrics, settings.limits(), authorizer,
        health::acceptsJoins, settings.resume());
    if (settings.limits().idleTimeoutSeconds() > 0) {
      long period = Math.max(250, settings.limits().idleTimeoutSeconds() * 1000L / 4);
      idleTimer = vertx.setPeriodic(period, t -> switchboard.closeIdle());
    }

    inboxConsumer = vertx.eventBus().consumer(inbox, switchboard::onMessage);

    Router router = Router.router(vertx);
    router.route(WEBSOCKET_ROUTE).handler(this::upgrade);
    if (turn != null) {
      router.route(TURN_CREDENTIALS_ROUTE).handler(this::turnCredentials);
    }
    router.route("/*").handler(ctx -> {
      ctx.response().putHeader(NODE_HEADER, nodeId);
      ctx.next();
    });
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));

    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.httpHost())
        .setPort(settings.httpPort())
        // HTTP/1.1 only: with cleartext HTTP/2 on, Vert.x waits for the first bytes before it sets a connection
        // up, so a connection that never sends one would reach no handler, and no deadline
        .setHttp2ClearTextEnabled(false)
        .setMaxWebSocketFrameSize(settings.maxMessageBytes())
        .setMaxWebSocketMessageSize(settings.maxMessageBytes() * 2)
        // a client offering a peer id in Sec-WebSocket-Protocol offers this too, and the node echoes it
        .setWebSocketSubProtocols(List.of(PeerIdHeader.SUBPROTOCOL))
        .setRegisterWebSocketWriteHandlers(false);
    if (settings.security().tls()) {
      // the TLS handshake comes before the HTTP connection exists: it gets a deadline of the same length
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(settings.security().tlsCertFile()).setKeyPath(settings.security().tlsKeyFile()))
          .setSslHandshakeTimeout(settings.handshakes().timeoutSeconds()).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    }
    return inboxConsumer.completion()
        .compose(v -> vertx.createHttpServer(options).connectionHandler(this::accepted)
            .requestHandler(request -> onRequest(request, router)).listen())
        .onSuccess(s -> {
          server = s;
          registry.accept(this);
          health.inboxReady();
          LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] event loop ready: inbox {} registered, serving port {}", nodeId, inbox,
              s.actualPort());
        });
  }

  /** A client connection was accepted: admitted (and watched until it is a WebSocket) or closed at once. */
  private void accepted(HttpConnection connection) {
    String address = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    ConnectionGate.Refusal refusal = gate.admit(address);
    if (refusal != null) {
      metrics.connectionRefused(refusal.wire());
      LOG.debug("refusing {}: {} cap reached", address, refusal.wire());
      connection.close().onFailure(e -> LOG.debug("close of {} failed: {}", address, e.toString()));
      return;
    }
    HandshakeGuard guard = new HandshakeGuard(vertx, connection, address, gate, metrics,
        settings.handshakes().timeoutSeconds() * 1000L, settings.handshakes().keepAliveSeconds() * 1000L);
    guards.put(connection, guard);
    connection.closeHandler(v -> {
      guards.remove(connection);
      guard.closed();
    });
  }

  private void onRequest(HttpServerRequest request, Router router) {
    HandshakeGuard guard = guards.get(request.connection());
    if (guard == null) {
      // refused at accept, or already closed
      request.connection().close();
      return;
    }
    guard.requestStarted();
    request.response().endHandler(v -> guard.responseEnded());
    router.handle(request);
  }

  private void upgrade(RoutingContext ctx) {
    String app = ctx.pathParam("app");
    if (!settings.servesApp(app)) {
      ctx.response().setStatusCode(404).end("unknown application " + app);
      return;
    }
    if (health.isDraining()) {
      ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end("node is draining");
      return;
    }
    List<String> origins = settings.security().allowedOrigins();
    String origin = ctx.request().getHeader("Origin");
    if (!origins.isEmpty() && (origin == null || !origins.contains(origin))) {
      ctx.response().setStatusCode(403).end("origin not allowed");
      return;
    }
    String token = ctx.request().getParam("token");
    String peer = ctx.request().getParam("peer");
    String headerPeer;
    try {
      headerPeer = PeerIdHeader.peerId(ctx.request().getHeader(PeerIdHeader.HEADER));
    } catch (PeerIdHeader.Ambiguous e) {
      ctx.response().setStatusCode(400).end("more than one peer id in " + PeerIdHeader.HEADER);
      return;
    }
    if (headerPeer != null) {
      if (peer != null && !peer.equals(headerPeer)) {
        ctx.response().setStatusCode(400).end("two different peer ids: in the URL and in " + PeerIdHeader.HEADER);
        return;
      }
      peer = headerPeer;
    }
    if (peer != null) {
      if (!PEER_ID.matcher(peer).matches()) {
        ctx.response().setStatusCode(400).end("invalid peer id: 22 to 128 base64url characters");
        return;
      }
      String address = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
      if (!resumeAttempt(address)) {
        ctx.response().setStatusCode(429).putHeader("Retry-After", "10").end("too many resume attempts");
        return;
      }
    }
    String resumePeer = peer;
    HttpConnection connection = ctx.request().connection();
    HandshakeGuard guard = guards.get(connection);
    ctx.request().toWebSocket().onSuccess(ws -> {
      if (guard != null) {
        guard.upgraded();
      }
      accept(ws, token, resumePeer, connection);
    }).onFailure(e -> {
      LOG.debug("WebSocket upgrade failed: {}", e.toString());
      // not a valid upgrade: answer it if nothing was, so the keep-alive deadline takes over
      if (!ctx.response().headWritten()) {
        ctx.response().setStatusCode(400).end("not a WebSocket upgrade");
      }
    });
  }

  /**
   * {@code GET /<AppName>/turn-credentials}: a TURN credential in the TURN REST API's response shape, for apps that
   * configure their own {@code iceServers}. Guarded as joins are: with join tokens required, it needs a token
   * ({@code Authorization: Bearer}, or {@code ?token=}) that would let the caller join {@code ?streamId=}; otherwise
   * it is as open as {@code getIceServerConfig} on the WebSocket. With SIGNALING_ALLOWED_ORIGINS set, a request
   * whose Origin is not listed, or that has none, is refused, as the WebSocket refuses it; CORS headers let the allowed ones (any, when the list is empty) read the answer.
   */
  private void turnCredentials(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    var response = ctx.response().putHeader(NODE_HEADER, nodeId).putHeader("Cache-Control", "no-store");
    if (!settings.servesApp(ctx.pathParam("app"))) {
      response.setStatusCode(404).end();
      return;
    }
    List<String> origins = settings.security().allowedOrigins();
    String origin = request.getHeader("Origin");
    if (!origins.isEmpty() && (origin == null || !origins.contains(origin))) {
      // as the WebSocket: with an Origin list, a request without an Origin is refused too
      response.setStatusCode(403).end();
      return;
    }
    if (origin != null) {
      response.putHeader("Access-Control-Allow-Origin", origins.isEmpty() ? "*" : origin).putHeader("Vary", "Origin");
    }
    if (request.method() == HttpMethod.OPTIONS) {
      response.putHeader("Access-Control-Allow-Methods", "GET")
          .putHeader("Access-Control-Allow-Headers", "Authorization").putHeader("Access-Control-Max-Age", "600")
          .setStatusCode(204).end();
      return;
    }
    if (request.method() != HttpMethod.GET) {
      response.putHeader("Allow", "GET, OPTIONS").setStatusCode(405).end();
      return;
    }
    String service = request.getParam("service");
    if (service != null && !service.equals("turn")) {
      response.setStatusCode(400).end();
      return;
    }
    if (authorizer != JoinAuthorizer.OPEN) {
      String streamId = request.getParam("streamId");
      String header = request.getHeader("Authorization");
      String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim()
          : request.getParam("token");
      if (streamId == null || !authorizer.mayJoin(streamId, token)) {
        response.putHeader("WWW-Authenticate", "Bearer").setStatusCode(401)
            .putHeader("Content-Type", "application/json").end("{\"error\":\"unauthorized_access\"}");
        return;
      }
    }
    TurnCredentials.Grant grant = turn.issue(turn.newId());
    response.putHeader("Content-Type", "application/json").end(new io.vertx.core.json.JsonObject()
        .put("username", grant.username()).put("password", grant.password()).put("ttl", grant.ttlSeconds())
        .put("uris", new io.vertx.core.json.JsonArray(grant.uris())).encode());
  }

  /** A peer id (resume, opt-in): at least 128 bits as base64url. */
  private static final java.util.regex.Pattern PEER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{22,128}");

  /** Resume attempts (upgrades with a peer id) per remote address, counted on the node (all its event loops). */
  private boolean resumeAttempt(String address) {
    return addressLimits.resumeAttempts().tryTake(address, 1, System.nanoTime());
  }

  private void accept(ServerWebSocket ws, String urlToken, String peerId, HttpConnection tcp) {
    String address = ws.remoteAddress() == null ? "unknown" : ws.remoteAddress().hostAddress();
    ws.setWriteQueueMaxSize(settings.limits().maxWriteQueueBytes());
    Switchboard.Connection[] self = new Switchboard.Connection[1];
    Switchboard.Connection connection = switchboard.open(new ClientSocket() {
      private boolean slowClosed;

      @Override
      public void send(String text) {
        if (ws.isClosed()) {
          // closed, its close not processed yet (a drain releasing it, a batch of relays after the node closed it
          // as a slow reader): nothing more reaches its client, and Vert.x throws on a closed socket's queue
          LOG.debug("dropped a message to {}: its socket is closed", address);
          return;
        }
        if (ws.writeQueueFull()) {
          if (!slowClosed) {
            slowClosed = true;
            LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] closing {}: it does not read (write queue full)", nodeId, address);
            // the close frame would queue behind what the client does not read: drop the connection too
            ws.close(Switchboard.CLOSE_SLOW_READER, "write queue full")
                .onFailure(e -> LOG.debug("close failed: {}", e.toString()));
            tcp.close().onFailure(e -> LOG.debug("close failed: {}", e.toString()));
            // leave its rooms now: partners get stop without waiting for the TCP close to complete
            context.runOnContext(v -> self[0].onClose());
          }
          return;
        }
        try {
          ws.writeTextMessage(text).onFailure(e -> LOG.debug("write to {} failed: {}", ws.remoteAddress(), e.toString()));
        } catch (IllegalStateException closed) {
          // the socket closed meanwhile (say, while a drain releases it): nothing more reaches its client
          LOG.debug("write to {} after it closed: {}", address, closed.toString());
        }
      }

      @Override
      public void close(short code, String reason) {
        ws.close(code, reason).onFailure(e -> LOG.debug("close of {} failed: {}", ws.remoteAddress(), e.toString()));
      }

      @Override
      public void pauseReading(long millis) {
        ws.pause();
        vertx.setTimer(millis, t -> ws.resume());
      }

      @Override
      public String remoteAddress() {
        return String.valueOf(ws.remoteAddress());
      }
    }, urlToken, peerId, ByteBudget.of(settings.limits().bytes(), addressLimits.bytes(), address, System.nanoTime()));
    self[0] = connection;
    ws.frameHandler(new MessageAssembler(settings.maxMessageBytes(), new MessageAssembler.Sink() {
      @Override
      public void text(String text, int bytes) {
        connection.onText(text, bytes);
      }

      @Override
      public void binary(int bytes) {
        connection.onBinary(bytes);
      }

      @Override
      public void tooBig() {
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] closing {}: message over {} bytes", nodeId, address, settings.maxMessageBytes());
        ws.close(CLOSE_TOO_BIG, "message too big").onFailure(x -> LOG.debug("close failed: {}", x.toString()));
      }
    })::onFrame);
    ws.exceptionHandler(e -> {
      if (e instanceof CorruptedWebSocketFrameException corrupted) {
        // an oversized frame or message (or a protocol violation): close with the decoder's status, 1009 for size
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] closing {}: {}", nodeId, address, e.getMessage());
        ws.close((short) corrupted.closeStatus().code(), corrupted.closeStatus().reasonText())
            .onFailure(x -> LOG.debug("close failed: {}", x.toString()));
      } else {
        LOG.debug("socket {} error: {}", address, e.toString());
      }
    });
    ws.closeHandler(v -> {
      // once upgraded, Vert.x reports the close to the WebSocket, not to the HTTP connection's close handler
      HandshakeGuard guard = guards.remove(tcp);
      if (guard != null) {
        guard.closed();
      }
      connection.onClose();
    });
  }

  /** After a split-brain merge: re-checks this loop's rooms against the cluster. */
  /**
   * Registers this loop's inbox again (a new registration, then the old one removed), so that the cluster's
   * registry holds it even if it was lost; messages arriving meanwhile reach one of the two, on this loop.
   */
  public Future<Void> reregisterInbox() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      MessageConsumer<Object> old = inboxConsumer;
      MessageConsumer<Object> fresh = vertx.eventBus().consumer(inbox, switchboard::onMessage);
      inboxConsumer = fresh;
      fresh.completion().compose(x -> old.unregister()).onComplete(done);
    });
    return done.future();
  }

  public void onMerged() {
    context.runOnContext(v -> switchboard.reconcile());
  }

  /** Runs on this verticle's event loop. */
  public void onNodeLeft(String departed) {
    context.runOnContext(v -> switchboard.onNodeLeft(departed));
  }

  /** Drains this event loop's sockets (see {@link Switchboard#drain()}), on its own event loop. */
  public Future<Void> drain() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> switchboard.drain().onComplete(done));
    return done.future();
  }

  /** Ends the drain at its deadline: the calls still held end (see {@link Switchboard#endDrain()}). */
  public Future<Void> endDrain() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> switchboard.endDrain().onComplete(done));
    return done.future();
  }

  /** Calls the drain holds open on this event loop (any thread). */
  public int waitingPartners() {
    return switchboard == null ? 0 : switchboard.heldPartners();
  }

  public int heldCalls() {
    return switchboard == null ? 0 : switchboard.heldCalls();
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
    }
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.compose(v -> inboxConsumer.unregister());
  }
}
