package io.signaling.node.room;

/**
 * What a join did to a room.
 *
 * @param outcome what happened
 * @param room the room after the join
 * @param partner the other peer, when the joiner is now paired (or already was)
 * @param offerer for {@link Outcome#PAIRED}: the peer that must receive {@code start}
 */
public record JoinDecision(Outcome outcome, Room room, PeerRef partner, PeerRef offerer) {

  public enum Outcome {
    /** The joiner is alone in the room. */
    ALONE,
    /** The joiner made the room full; {@code offerer} gets {@code start}. */
    PAIRED,
    /** The joiner's socket was already a member; nothing changed. */
    ALREADY_MEMBER,
    /** The room already has two other peers. */
    FULL
  }
}
