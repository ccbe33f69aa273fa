package io.signaling.node.room;

import java.util.ArrayList;
import java.util.List;

/**
 * The room state machine of docs/PROTOCOL.md as pure functions. The cluster applies them atomically to
 * one room's entry, so every decision sees the room exactly as the previous decision left it.
 *
 * <p>Held slots (resume, opt-in): a peer that joined with a resume key keeps its slot when its socket goes
 * ({@link #hold}) or its node leaves the cluster ({@link #withoutNode(Room, String, long, long)}); a join with
 * the same key takes the slot back ({@link JoinDecision.Outcome#RESUMED}); a held slot past its time is
 * dropped by the next decision on the room ({@link #withoutExpired}). Peers without a key behave as before.
 */
public final class RoomRules {

  private RoomRules() {
  }

  /** {@code joiner} joins {@code room} (null means empty) at {@code nowMillis}. */
  public static JoinDecision join(Room room, PeerRef joiner, long nowMillis) {
    Room current = withoutExpired(room == null ? Room.EMPTY : room, nowMillis);
    long next = Room.nextVersion(current.version(), nowMillis);
    if (current.contains(joiner)) {
      return new JoinDecision(JoinDecision.Outcome.ALREADY_MEMBER, current, current.other(joiner), null);
    }
    if (joiner.resumable()) {
      for (int i = 0; i < current.peers().size(); i++) {
        PeerRef slot = current.peers().get(i);
        if (slot.sameSlot(joiner)) {
          // the peer takes its slot back (held, or still attached to an older socket: the newest wins)
          List<PeerRef> peers = new ArrayList<>(current.peers());
          PeerRef attached = joiner.heldUntil(0);
          peers.set(i, attached);
          Room after = current.with(peers, next);
          return new JoinDecision(JoinDecision.Outcome.RESUMED, after, after.other(attached), null, slot);
        }
      }
    }
    if (current.peers().size() == 1 && current.peers().get(0).held()) {
      // a held slot keeps a call; alone (its partner gone) it gives way to anyone else
      current = current.with(List.of(), current.version());
    }
    switch (current.peers().size()) {
      case 0:
        return new JoinDecision(JoinDecision.Outcome.ALONE, current.with(List.of(joiner), next), null, null);
      case 1:
        PeerRef first = current.peers().get(0);
        PeerRef offerer = first.playOnly() && !joiner.playOnly() ? joiner : first;
        return new JoinDecision(JoinDecision.Outcome.PAIRED, current.with(List.of(first, joiner), next), first, offerer);
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

  /**
   * {@code peer}'s socket is gone without a leave: when the room has it as a resumable, attached slot, the slot
   * is held until {@code untilMillis} ({@code removed} true, {@code remaining} the partner). A held slot keeps a
   * call: a peer alone in its room is not held. Otherwise
   * {@link LeaveDecision#NOT_MEMBER}: a peer that did not opt in (or a slot already taken over by a newer socket)
   * is left as before.
   */
  public static LeaveDecision hold(Room room, PeerRef peer, long untilMillis, long nowMillis) {
    PeerRef member = room == null ? null : room.member(peer);
    if (member == null || !member.resumable() || member.held() || untilMillis <= nowMillis
        || room.other(member) == null) {
      return LeaveDecision.NOT_MEMBER;
    }
    List<PeerRef> peers = new ArrayList<>(room.peers());
    peers.set(peers.indexOf(member), member.heldUntil(untilMillis));
    Room after = room.with(peers, Room.nextVersion(room.version(), nowMillis));
    return new LeaveDecision(true, after.other(member), after);
  }

  /** The room without {@code peer}'s socket, as changed at {@code nowMillis}. */
  public static Room without(Room room, PeerRef peer, long nowMillis) {
    List<PeerRef> kept = new ArrayList<>(room.peers().size());
    for (PeerRef p : room.peers()) {
      if (!p.sameSocket(peer)) {
        kept.add(p);
      }
    }
    return room.with(kept, Room.nextVersion(room.version(), nowMillis));
  }

  /** The room without held slots whose time has passed at {@code nowMillis} (the same room when there are none). */
  public static Room withoutExpired(Room room, long nowMillis) {
    if (room.peers().stream().noneMatch(p -> p.expired(nowMillis))) {
      return room;
    }
    List<PeerRef> kept = new ArrayList<>(room.peers().size());
    for (PeerRef p : room.peers()) {
      if (!p.expired(nowMillis)) {
        kept.add(p);
      }
    }
    return room.with(kept, Room.nextVersion(room.version(), nowMillis));
  }

  /** The room without every peer of {@code node} (a node that left the cluster), as changed at {@code nowMillis}. */
  public static Room withoutNode(Room room, String node, long nowMillis) {
    return withoutNode(room, node, nowMillis, 0);
  }

  /**
   * The room after {@code node} left the cluster, as changed at {@code nowMillis}: its resumable peers' slots
   * are held until {@code holdUntilMillis} (when that is after {@code nowMillis}), slots already held keep their
   * own time, and its other peers are removed. The same room when nothing changes.
   */
  public static Room withoutNode(Room room, String node, long nowMillis, long holdUntilMillis) {
    List<PeerRef> kept = new ArrayList<>(room.peers().size());
    boolean changed = false;
    for (PeerRef p : room.peers()) {
      if (!p.node().equals(node) || p.held()) {
        kept.add(p);
      } else if (p.resumable() && holdUntilMillis > nowMillis) {
        kept.add(p.heldUntil(holdUntilMillis));
        changed = true;
      } else {
        changed = true;
      }
    }
    if (kept.size() == 1 && kept.get(0).held() && kept.get(0).node().equals(node)) {
      // a held slot keeps a call: alone, there is none to keep
      kept.clear();
      changed = true;
    }
    return changed ? room.with(kept, Room.nextVersion(room.version(), nowMillis)) : room;
  }
}
