package io.signaling.node.room;

/**
 * What a leave (or a hold, see {@link RoomRules#hold}) did to a room.
 *
 * @param removed the leaver was a member and is removed (for a hold: its slot is now held)
 * @param remaining the peer still in the room, to be told {@code stop} (for a hold: the partner that keeps the
 *     held slot's relays), or null
 * @param room when removed: the room after the leave (empty when nobody is left); else null
 */
public record LeaveDecision(boolean removed, PeerRef remaining, Room room) {

  public static final LeaveDecision NOT_MEMBER = new LeaveDecision(false, null, null);
}
