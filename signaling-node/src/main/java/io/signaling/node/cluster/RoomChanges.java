package io.signaling.node.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvents;
import io.signaling.node.room.RoomRules;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the room processors' changes share: the events a change gives a room ({@link RoomEvents}) within what the
 * owner's backlog admits, telling the owner about the events it stored, and the peers of nodes that are no
 * longer members.
 */
final class RoomChanges {

  /** A new room life's id: random, not a secret. */
  static final Supplier<String> NEW_SID = () -> {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new UUID(r.nextLong(), r.nextLong()).toString();
  };

  private RoomChanges() {
  }

  /** The Vert.x node ids of the current members: peers of any other node are stale. */
  static Set<String> liveNodes(HazelcastInstance hazelcast) {
    Set<String> live = new HashSet<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String node = m.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE);
      if (node != null) {
        live.add(node);
      }
    }
    return live;
  }

  /**
   * {@code after} (the change of room {@code key} from {@code before}) with its events ({@link RoomEvents}): a
   * room starts a life only on a node with webhooks on; events that the node's backlog has no room for are
   * numbered and given up. The same room when nothing changed.
   */
  static Room withEvents(String key, Room before, Room after, LeaveReason reason, long now, OutboxHooks hooks) {
    if (after == before || after == null) {
      return after;
    }
    boolean hadLife = before != null && before.life() != null;
    // lives start (and lifeless rooms are adopted) only where webhooks are on and every member keeps lives
    boolean starts = hooks != null && hooks.active();
    if (!starts && !hadLife) {
      return after;
    }
    Supplier<String> sid = starts ? NEW_SID : null;
    return admitted(before, keep -> RoomEvents.apply(key, before, after, reason, now, sid, keep), hooks);
  }

  /**
   * The room with the events {@code derive} gives it ({@code true}: kept in the outbox), or, when the owner's backlog
   * has no room for them, with the same events numbered and given up ({@code derive(false)}, counted as dropped).
   */
  static Room admitted(Room before, Function<Boolean, Room> derive, OutboxHooks hooks) {
    Room evented = derive.apply(true);
    int n = RoomEvents.produced(before, evented);
    if (n > 0 && hooks != null && !hooks.admit(n)) {
      hooks.dropped(n);
      return derive.apply(false);
    }
    return evented;
  }

  /**
   * Tells the owner's hooks about the events stored by the change from {@code before} to {@code after}, with the
   * room's life as stored (its outbox and cursors), so that the deliverer needs no read of the entry.
   */
  static void announce(String key, Room before, Room after, OutboxHooks hooks) {
    if (hooks != null && after != null && after.life() != null) {
      int n = RoomEvents.produced(before, after);
      if (n > 0) {
        hooks.stored(key, after.life(), n);
      }
    }
  }

  /**
   * The room without peers of nodes that are no longer members (entries outlive owners only until here); a
   * resumable peer's slot is held for {@code resumeMillis} instead, as the purge would have done.
   */
  static Room withoutStalePeers(Room room, HazelcastInstance hazelcast, long nowMillis, long resumeMillis) {
    if (room == null || room.isEmpty() || hazelcast == null) {
      return room;
    }
    Set<String> live = liveNodes(hazelcast);
    Room kept = room;
    for (PeerRef p : room.peers()) {
      if (!p.held() && !live.contains(p.node())) {
        kept = RoomRules.withoutNode(kept, p.node(), nowMillis, resumeMillis > 0 ? nowMillis + resumeMillis : 0);
      }
    }
    return kept;
  }
}
