package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.room.PeerRef;

/** The metrics of calls, as a listener of them: rooms open and closed, slots held and expired. */
final class CallMetrics implements CallListener {

  private final SignalingMetrics metrics;

  CallMetrics(SignalingMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void joined(String streamId, PeerRef self) {
    metrics.roomOpened();
  }

  @Override
  public void left(String streamId, PeerRef self, LeaveReason reason) {
    metrics.roomClosed();
  }

  @Override
  public void held(String streamId, PeerRef self) {
    metrics.roomClosed();
    metrics.slotHeld();
  }

  @Override
  public void ended(String streamId, PeerRef self, LeaveReason reason) {
    if (reason == LeaveReason.EXPIRED) {
      metrics.slotExpired();
    }
  }
}
