package io.signaling.node.room;

/**
 * What a leave did to a room.
 *
 * @param removed the leaver was a member and is removed
 * @param remaining the peer still in the room, to be told {@code stop}, or null
 * @param room when removed: the room after the leave (empty when nobody is left); else null
 */
public record LeaveDecision(boolean removed, PeerRef remaining, Room room) {

  public static final LeaveDecision NOT_MEMBER = new LeaveDecision(false, null, null);
}
