package io.signaling.node.transport;

import io.signaling.node.ops.SignalingMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted client connection until it becomes a WebSocket or closes, on its event loop: a deadline from
 * accept for its first complete request (Vert.x hands the request over only once its line and headers are in,
 * so slow headers run against it), then, for plain HTTP keep-alive, an idle deadline between requests. Keeps the
 * {@link ConnectionGate}'s counts.
 */
final class HandshakeGuard {

  private static final Logger LOG = LoggerFactory.getLogger(HandshakeGuard.class);

  private final Vertx vertx;
  private final HttpConnection connection;
  private final String address;
  private final ConnectionGate gate;
  private final SignalingMetrics metrics;
  private final long keepAliveMillis;
  private boolean pending = true;
  private boolean upgraded;
  private boolean closed;
  private int inFlight;
  private long timer = -1;

  HandshakeGuard(Vertx vertx, HttpConnection connection, String address, ConnectionGate gate,
      SignalingMetrics metrics, long handshakeMillis, long keepAliveMillis) {
    this.vertx = vertx;
    this.connection = connection;
    this.address = address;
    this.gate = gate;
    this.metrics = metrics;
    this.keepAliveMillis = keepAliveMillis;
    arm(handshakeMillis, SignalingMetrics.Timeout.HANDSHAKE);
  }

  String address() {
    return address;
  }

  /** A complete request (line and headers) arrived. */
  void requestStarted() {
    cancel();
    inFlight++;
    if (pending) {
      pending = false;
      gate.leftPending();
    }
  }

  /** The response to a plain HTTP request ended; with none left in flight, the keep-alive deadline runs. */
  void responseEnded() {
    inFlight = Math.max(0, inFlight - 1);
    if (!upgraded && !closed && inFlight == 0 && !pending) {
      pending = true;
      gate.pendingAgain();
      arm(keepAliveMillis, SignalingMetrics.Timeout.KEEP_ALIVE);
    }
  }

  /** The connection is a WebSocket now: its own limits (idle timeout, rate limits) take over. */
  void upgraded() {
    upgraded = true;
    cancel();
    if (pending) {
      pending = false;
      gate.leftPending();
    }
  }

  /** The connection closed, whichever side closed it. */
  void closed() {
    if (closed) {
      return;
    }
    closed = true;
    cancel();
    if (pending) {
      pending = false;
      gate.leftPending();
    }
    gate.closed(address);
  }

  private void arm(long millis, SignalingMetrics.Timeout kind) {
    cancel();
    timer = vertx.setTimer(millis, t -> {
      timer = -1;
      if (!closed && !upgraded && inFlight == 0) {
        LOG.debug("closing {}: {} deadline of {} ms passed", address, kind, millis);
        metrics.connectionTimedOut(kind);
        connection.close().onFailure(e -> LOG.debug("close of {} failed: {}", address, e.toString()));
      }
    });
  }

  private void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
