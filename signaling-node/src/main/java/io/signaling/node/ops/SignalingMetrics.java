package io.signaling.node.ops;

import io.signaling.node.protocol.Command;
import io.signaling.node.protocol.ErrorDefinition;

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

  void sendFailed();

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
  };
}
