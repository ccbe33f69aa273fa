package io.signaling.node.cluster;

import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomRules;
import java.util.Map;

/**
 * A peer leaves a room ({@link RoomRules#leave}), or is evicted by its partner (only while that partner is in the
 * room too), or is removed for a reason (webhooks). Class id 12.
 */
final class LeaveProcessor extends RoomProcessor<LeaveDecision> {
  private PeerRef leaver;
  /** When set, the leaver is removed only if this peer is in the room too (an eviction by its partner). */
  private PeerRef onlyWith;
  /** Why (appended with webhooks; null from an earlier release: a leave, or an eviction as a lost node). */
  private LeaveReason reason;
  /** How long a resumable slot of a departed node found here is held (appended with the reason). */
  private long resumeMillis;

  LeaveProcessor() {
    super(RoomSerialization.LEAVE_PROCESSOR, "leave");
  }

  LeaveProcessor(PeerRef leaver, PeerRef onlyWith) {
    this(leaver, onlyWith, null);
  }

  LeaveProcessor(PeerRef leaver, PeerRef onlyWith, LeaveReason reason) {
    this(leaver, onlyWith, reason, 0);
  }

  LeaveProcessor(PeerRef leaver, PeerRef onlyWith, LeaveReason reason, long resumeMillis) {
    this();
    this.leaver = leaver;
    this.onlyWith = onlyWith;
    this.reason = reason;
    this.resumeMillis = resumeMillis;
  }

  @Override
  public LeaveDecision process(Map.Entry<String, Room> entry) {
    Room room = entry.getValue();
    if (onlyWith != null && (room == null || !room.contains(onlyWith))) {
      return LeaveDecision.NOT_MEMBER;
    }
    long now = System.currentTimeMillis();
    OutboxHooks hooks = hooks();
    Room before = room;
    if (room != null && room.life() != null) {
      // in a life, peers of departed nodes leave first, as node_lost (whichever decision meets them first
      // reports them: the purge, a join, or this leave), so the call's end is reported as the node loss it was
      room = RoomChanges.withEvents(entry.getKey(), room,
          RoomChanges.withoutStalePeers(room, hazelcast(), now, resumeMillis), LeaveReason.NODE_LOST, now, hooks);
    }
    LeaveDecision decision = RoomRules.leave(room, leaver, now);
    if (!decision.removed() && room != before) {
      store(entry, before, room, hooks);
    }
    if (decision.removed()) {
      LeaveReason why = reason != null ? reason : onlyWith == null ? LeaveReason.LEAVE : LeaveReason.NODE_LOST;
      Room after = RoomChanges.withEvents(entry.getKey(), room, decision.room(), why, now, hooks);
      store(entry, before, after, hooks);
      decision = new LeaveDecision(true, decision.remaining(), after);
    }
    return decision;
  }

  @Override
  void writeBody(WireBody.Writer body) {
    body.peer(leaver).peer(onlyWith);
    // appended with webhooks: the reason, after the slot block
    if (reason != null) {
      body.slots(true).u8(reason.code()).i64(resumeMillis);
    } else {
      body.slots(false);
    }
  }

  @Override
  void readBody(WireBody.Reader body) {
    leaver = body.peer();
    onlyWith = body.peer();
    body.slots();
    leaver = body.slotted(leaver);
    onlyWith = body.slotted(onlyWith);
    reason = body.more() ? LeaveReason.of(body.u8()) : null;
    resumeMillis = body.more() ? body.i64() : 0;
  }
}
