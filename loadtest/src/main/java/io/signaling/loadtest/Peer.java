package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.function.Consumer;

/**
 * One client WebSocket of the harness. Messages are parsed once and handed to the current handler (the call
 * or pair that owns the peer now); an unexpected close is reported to the close handler.
 */
final class Peer {

  final int node;
  private final WebSocket socket;
  private final Stats stats;
  private Consumer<Reply> handler = m -> { };
  private Runnable onClose = () -> { };
  private boolean closing;
  private boolean closed;

  private Peer(int node, WebSocket socket, Stats stats) {
    this.node = node;
    this.socket = socket;
    this.stats = stats;
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
    return client.connect(target.connectOptions())
        .map(ws -> {
          stats.record("connect", target.index(), System.nanoTime() - intendedNanos);
          return new Peer(target.index(), ws, stats);
        })
        .onFailure(e -> stats.error("connectFailed"));
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
      m = Reply.parse(text);
    } catch (IllegalArgumentException e) {
      stats.error("unparseableReply");
      return;
    }
    if (m.isError()) {
      stats.error(String.valueOf(m.definition()));
    }
    handler.accept(m);
  }
}
