package io.signaling.node.cluster;

import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomRules;
import java.util.Map;

/**
 * A resumable peer's socket closed without a leave: its slot is held for {@code resumeMillis}
 * ({@link RoomRules#hold}). Added with resume (class id 16): a node sends it only when every node knows it.
 */
final class HoldProcessor extends RoomProcessor<LeaveDecision> {
  private PeerRef peer;
  private long resumeMillis;

  HoldProcessor() {
    super(RoomSerialization.HOLD_PROCESSOR, "hold");
  }

  HoldProcessor(PeerRef peer, long resumeMillis) {
    this();
    this.peer = peer;
    this.resumeMillis = resumeMillis;
  }

  @Override
  public LeaveDecision process(Map.Entry<String, Room> entry) {
    long now = System.currentTimeMillis();
    LeaveDecision decision = RoomRules.hold(entry.getValue(), peer, now + resumeMillis, now);
    if (decision.removed()) {
      entry.setValue(decision.room());
      replicate(entry.getKey(), decision.room());
    }
    return decision;
  }

  @Override
  void writeBody(WireBody.Writer body) {
    body.peer(peer).slots(true).i64(resumeMillis);
  }

  @Override
  void readBody(WireBody.Reader body) {
    peer = body.peer();
    peer = body.slots().slotted(peer);
    resumeMillis = body.i64();
  }
}
