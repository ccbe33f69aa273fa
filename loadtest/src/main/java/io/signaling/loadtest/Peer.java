package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.function.Consumer;

/**
 * One client WebSocket of the harness. Messages are parsed once and handed to the current handler (the call
 * or pair that owns the peer now); an unexpected close is reported to the close handler.
 */
final class Peer {

  static final String TEMPORARILY_UNAVAILABLE = "temporarilyUnavailable";
  static final String SERVER_WILL_STOP = "server_will_stop";

  final int node;
  /** The peer's id where the protocol names peers (PeerJS), else null. */
  final String id;
  private final Protocol protocol;
  private final WebSocket socket;
  private final Stats stats;
  private Consumer<Reply> handler = m -> { };
  private Runnable onClose = () -> { };
  private final boolean drainAware;
  private boolean closing;
  private boolean closed;

  private Peer(int node, String id, Protocol protocol, WebSocket socket, Stats stats, boolean drainAware) {
    this.node = node;
    this.id = id;
    this.protocol = protocol;
    this.socket = socket;
    this.stats = stats;
    this.drainAware = drainAware;
    socket.textMessageHandler(this::onText);
    socket.closeHandler(v -> {
      closed = true;
      if (!closing) {
        onClose.run();
      }
    });
    socket.exceptionHandler(e -> { });
  }

  /** Connects from the calling context (the peer's events run there); records the connect time from {@code intendedNanos}. */
  static Future<Peer> connect(WebSocketClient client, Target target, Stats stats, long intendedNanos) {
    return connect(client, target, stats, intendedNanos, false);
  }

  /**
   * As {@link #connect(WebSocketClient, Target, Stats, long)}; with {@code drainAware} an upgrade refused with
   * 503 (a draining node) is not counted as an error (the caller tries another target, see
   * {@link #refusedByDrain(Throwable)}), nor is a refused connection ({@link #refusedByGoneNode(Throwable)}), nor a
   * {@code temporarilyUnavailable} reply (the call decides).
   */
  static Future<Peer> connect(WebSocketClient client, Target target, Stats stats, long intendedNanos,
      boolean drainAware) {
    return connect(client, target, stats, intendedNanos, drainAware, Protocol.AMS, null);
  }

  /** How long a PeerJS socket may wait for the server's OPEN. */
  static final long OPEN_TIMEOUT_MILLIS = 10_000;

  /**
   * As above, in {@code protocol}, as peer {@code id}. A PeerJS peer is connected once the server sent OPEN (its
   * id is registered); the connect time runs to then.
   */
  static Future<Peer> connect(WebSocketClient client, Target target, Stats stats, long intendedNanos,
      boolean drainAware, Protocol protocol, String id) {
    return client.connect(protocol.connectOptions(target, id))
        .compose(ws -> {
          Peer peer = new Peer(target.index(), id, protocol, ws, stats, drainAware);
          return protocol == Protocol.PEERJS ? peer.awaitOpen() : io.vertx.core.Future.succeededFuture(peer);
        })
        .map(peer -> {
          stats.record("connect", target.index(), System.nanoTime() - intendedNanos);
          return peer;
        })
        .onFailure(e -> {
          if (!drainAware || (!refusedByDrain(e) && !refusedByGoneNode(e))) {
            stats.error("connectFailed");
            stats.count("connectFailed." + e.getClass().getSimpleName());
          }
        });
  }

  private Future<Peer> awaitOpen() {
    io.vertx.core.Promise<Peer> open = io.vertx.core.Promise.promise();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.currentContext().owner();
    long timer = vertx.setTimer(OPEN_TIMEOUT_MILLIS, t -> open.tryFail("no OPEN from the PeerJS server"));
    handler = m -> {
      if (m.command().equals("OPEN")) {
        open.tryComplete(this);
      } else if (m.isError()) {
        open.tryFail("PeerJS server refused peer " + id + ": " + m.command() + " " + m.definition());
      }
    };
    onClose = () -> open.tryFail("PeerJS server closed the socket before OPEN");
    return open.future().onComplete(r -> {
      vertx.cancelTimer(timer);
      handler = m -> { };
      onClose = () -> { };
      if (r.failed()) {
        close();
      }
    });
  }

  /** True when a connect failed because the node refused the upgrade with 503: it is draining. */
  static boolean refusedByDrain(Throwable e) {
    return e instanceof UpgradeRejectedException u && u.getStatus() == 503;
  }

  /**
   * True when a connect failed because nothing listens any more (connection refused) or the connection closed
   * before the upgrade was answered: a node that finished its drain and closed its server, as a load balancer
   * sees it before its health check catches up.
   */
  static boolean refusedByGoneNode(Throwable e) {
    return e instanceof java.net.ConnectException || e instanceof io.vertx.core.http.HttpClosedException;
  }

  /** True for the error a draining node answers a join with. */
  static boolean joinRefused(Reply m) {
    return m.isError() && TEMPORARILY_UNAVAILABLE.equals(m.definition());
  }

  /** True for the notice a draining node sends before it closes a socket with 1001. */
  static boolean releasedByDrain(Reply m) {
    return "notification".equals(m.command()) && SERVER_WILL_STOP.equals(m.definition());
  }

  /** The close code the server sent, or null (still open, or closed without one). */
  Short closeCode() {
    return socket.closeStatusCode();
  }

  void handler(Consumer<Reply> handler) {
    this.handler = handler;
  }

  void onClose(Runnable onClose) {
    this.onClose = onClose;
  }

  boolean closed() {
    return closed;
  }

  void send(String text) {
    if (closed) {
      return;
    }
    stats.count(Stats.SENT);
    socket.writeTextMessage(text);
  }

  void close() {
    closing = true;
    if (!closed) {
      socket.close();
    }
  }

  private void onText(String text) {
    stats.count(Stats.RECEIVED);
    Reply m;
    try {
      m = protocol.parse(text);
    } catch (IllegalArgumentException e) {
      stats.error("unparseableReply");
      return;
    }
    if (m.isError() && !(drainAware && joinRefused(m))) {
      stats.error(String.valueOf(m.definition()));
    }
    handler.accept(m);
  }
}
