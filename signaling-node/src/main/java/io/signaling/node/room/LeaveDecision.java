package io.signaling.node.room;

/**
 * What a leave did to a room.
 *
 * @param removed the leaver was a member and is removed
 * @param remaining the peer still in the room, to be told {@code stop}, or null
 */
public record LeaveDecision(boolean removed, PeerRef remaining) {

  public static final LeaveDecision NOT_MEMBER = new LeaveDecision(false, null);
}
