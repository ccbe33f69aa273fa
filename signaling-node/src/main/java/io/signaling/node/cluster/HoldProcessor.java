package io.signaling.node.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomRules;
import java.io.IOException;
import java.util.Map;

/**
 * A resumable peer's socket closed without a leave: its slot is held for {@code resumeMillis}
 * ({@link RoomRules#hold}). Added with resume (class id 16): a node sends it only when every node knows it.
 */
final class HoldProcessor extends RoomProcessor<LeaveDecision> {
  private PeerRef peer;
  private long resumeMillis;

  HoldProcessor() {
    super(RoomSerialization.HOLD_PROCESSOR);
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
  public void writeData(ObjectDataOutput out) throws IOException {
    RoomSerialization.write(out, new WireBody.Writer().peer(peer).slots(true).i64(resumeMillis));
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    WireBody.Reader body = RoomSerialization.read(in, "hold");
    peer = body.peer();
    peer = body.slots().slotted(peer);
    resumeMillis = body.i64();
  }
}
