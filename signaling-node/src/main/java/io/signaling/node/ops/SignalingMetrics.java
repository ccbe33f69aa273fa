package io.signaling.node.ops;

import io.signaling.node.protocol.Command;
import io.signaling.node.protocol.ErrorDefinition;
import java.util.function.IntSupplier;

/** What a node counts. {@link #NOOP} for tests and tools; the Micrometer implementation for operation. */
public interface SignalingMetrics {

  void connectionOpened();

  void connectionClosed();

  /** A join was decided; {@code paired} when it made a pair. */
  void joined(boolean paired, long decisionNanos);

  /** A peer joined a room (the room count rises when the first peer joins, falls when the last leaves). */
  void roomOpened();

  void roomClosed();

  void relayed(Command command);

  void error(ErrorDefinition definition);

  void sendRetried();

  /** Resume: a socket's slot was held (its socket, or its node, gone without a leave). */
  default void slotHeld() {
  }

  /** Resume: a join took over its peer's slot (held, or attached to an older socket). */
  default void slotResumed() {
  }

  /** Resume: a held slot ended without a resume (its window passed, or its kept relays overflowed). */
  default void slotExpired() {
  }

  void sendFailed();

  /** Which deadline closed a client connection that was not a WebSocket. */
  enum Timeout {
    /** no complete request within the handshake deadline of accept */
    HANDSHAKE("handshake"),
    /** a plain HTTP keep-alive connection idle between requests */
    KEEP_ALIVE("keepalive");

    private final String wire;

    Timeout(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** A client connection was closed at accept; {@code reason} is the metric label ("address", "handshakes"). */
  void connectionRefused(String reason);

  /** A client connection that was not a WebSocket was closed by a deadline. */
  void connectionTimedOut(Timeout kind);

  /**
   * Reads the connection layer's own counts: connections not yet upgraded, and all admitted client connections.
   */
  default void bindConnections(IntSupplier pending, IntSupplier open) {
  }

  SignalingMetrics NOOP = new SignalingMetrics() {
    @Override
    public void connectionOpened() {
    }

    @Override
    public void connectionClosed() {
    }

    @Override
    public void joined(boolean paired, long decisionNanos) {
    }

    @Override
    public void roomOpened() {
    }

    @Override
    public void roomClosed() {
    }

    @Override
    public void relayed(Command command) {
    }

    @Override
    public void error(ErrorDefinition definition) {
    }

    @Override
    public void sendRetried() {
    }

    @Override
    public void sendFailed() {
    }

    @Override
    public void connectionRefused(String reason) {
    }

    @Override
    public void connectionTimedOut(Timeout kind) {
    }
  };
}
