package io.signaling.node.cluster;

import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomRules;
import java.util.Map;

/**
 * A peer joins a room ({@link RoomRules#join}), after the room has lost the peers of departed nodes and the held
 * slots past their time, each step with its own events. Class id 11.
 */
final class JoinProcessor extends RoomProcessor<JoinDecision> {
  private PeerRef joiner;
  /** How long the slot of a resumable peer found on a departed node is held (0: not at all). */
  private long resumeMillis;

  JoinProcessor() {
    super(RoomSerialization.JOIN_PROCESSOR, "join");
  }

  JoinProcessor(PeerRef joiner) {
    this(joiner, 0);
  }

  JoinProcessor(PeerRef joiner, long resumeMillis) {
    this();
    this.joiner = joiner;
    this.resumeMillis = resumeMillis;
  }

  @Override
  public JoinDecision process(Map.Entry<String, Room> entry) {
    Room current = entry.getValue();
    String key = entry.getKey();
    long now = System.currentTimeMillis();
    OutboxHooks hooks = hooks();
    // each step's events with its own reason: peers of departed nodes, held slots past their time, the join
    Room live = RoomChanges.withEvents(key, current,
        RoomChanges.withoutStalePeers(current, hazelcast(), now, resumeMillis), LeaveReason.NODE_LOST, now, hooks);
    Room base = live == null ? Room.EMPTY : live;
    Room unexpired = RoomChanges.withEvents(key, live, RoomRules.withoutExpired(base, now), LeaveReason.EXPIRED, now,
        hooks);
    JoinDecision decision = RoomRules.join(unexpired, joiner, now);
    Room after = RoomChanges.withEvents(key, unexpired, decision.room(), LeaveReason.EXPIRED, now, hooks);
    // the rules return the room they were given when they change nothing (held slots past their time dropped)
    if (after != (current == null ? Room.EMPTY : current)) {
      store(entry, current, after, hooks);
      decision = new JoinDecision(decision.outcome(), after, decision.partner(), decision.offerer(),
          decision.replaced());
    }
    return decision;
  }

  @Override
  void writeBody(WireBody.Writer body) {
    body.peer(joiner);
    // appended with resume: the joiner's slot fields, then the hold time
    if (body.hasSlots() || resumeMillis != 0) {
      body.slots(true).i64(resumeMillis);
    }
  }

  @Override
  void readBody(WireBody.Reader body) {
    joiner = body.peer();
    joiner = body.slots().slotted(joiner);
    resumeMillis = body.more() ? body.i64() : 0;
  }
}
