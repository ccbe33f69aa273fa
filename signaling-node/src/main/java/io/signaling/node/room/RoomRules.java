package io.signaling.node.room;

import java.util.ArrayList;
import java.util.List;

/**
 * The room state machine of docs/PROTOCOL.md as pure functions. The cluster applies them atomically to
 * one room's entry, so every decision sees the room exactly as the previous decision left it.
 */
public final class RoomRules {

  private RoomRules() {
  }

  /** {@code joiner} joins {@code room} (null means empty) at {@code nowMillis}. */
  public static JoinDecision join(Room room, PeerRef joiner, long nowMillis) {
    Room current = room == null ? Room.EMPTY : room;
    long next = Room.nextVersion(current.version(), nowMillis);
    if (current.contains(joiner)) {
      return new JoinDecision(JoinDecision.Outcome.ALREADY_MEMBER, current, current.other(joiner), null);
    }
    switch (current.peers().size()) {
      case 0:
        return new JoinDecision(JoinDecision.Outcome.ALONE, new Room(List.of(joiner), next), null, null);
      case 1:
        PeerRef first = current.peers().get(0);
        PeerRef offerer = first.playOnly() && !joiner.playOnly() ? joiner : first;
        return new JoinDecision(JoinDecision.Outcome.PAIRED, new Room(List.of(first, joiner), next), first, offerer);
      default:
        return new JoinDecision(JoinDecision.Outcome.FULL, current, null, null);
    }
  }

  /** {@code leaver} leaves {@code room} (null means empty) at {@code nowMillis}; the room after is {@link #without}. */
  public static LeaveDecision leave(Room room, PeerRef leaver, long nowMillis) {
    if (room == null || !room.contains(leaver)) {
      return LeaveDecision.NOT_MEMBER;
    }
    return new LeaveDecision(true, room.other(leaver), without(room, leaver, nowMillis));
  }

  /** The room without {@code peer}'s socket, as changed at {@code nowMillis}. */
  public static Room without(Room room, PeerRef peer, long nowMillis) {
    List<PeerRef> kept = new ArrayList<>(room.peers().size());
    for (PeerRef p : room.peers()) {
      if (!p.sameSocket(peer)) {
        kept.add(p);
      }
    }
    return new Room(kept, Room.nextVersion(room.version(), nowMillis));
  }

  /** The room without every peer of {@code node} (a node that left the cluster), as changed at {@code nowMillis}. */
  public static Room withoutNode(Room room, String node, long nowMillis) {
    List<PeerRef> kept = new ArrayList<>(room.peers().size());
    for (PeerRef p : room.peers()) {
      if (!p.node().equals(node)) {
        kept.add(p);
      }
    }
    return kept.size() == room.peers().size() ? room : new Room(kept, Room.nextVersion(room.version(), nowMillis));
  }
}
