package io.signaling.node.room;

/**
 * What a join did to a room.
 *
 * @param outcome what happened
 * @param room the room after the join
 * @param partner the other peer, when the joiner is now paired (or already was); for {@link Outcome#RESUMED}
 *     the other peer of the slot, if any (it may be held itself)
 * @param offerer for {@link Outcome#PAIRED}: the peer that must receive {@code start}
 * @param replaced for {@link Outcome#RESUMED}: the slot as it was before the joiner took it over (held, or the
 *     older socket of the same peer, which is then closed)
 */
public record JoinDecision(Outcome outcome, Room room, PeerRef partner, PeerRef offerer, PeerRef replaced) {

  public JoinDecision(Outcome outcome, Room room, PeerRef partner, PeerRef offerer) {
    this(outcome, room, partner, offerer, null);
  }

  public enum Outcome {
    /** The joiner is alone in the room. */
    ALONE,
    /** The joiner made the room full; {@code offerer} gets {@code start}. */
    PAIRED,
    /** The joiner's socket was already a member; nothing changed. */
    ALREADY_MEMBER,
    /** The room already has two other peers. */
    FULL,
    /** The joiner took over its own slot (held, or held by an older socket): no {@code start} to anyone. */
    RESUMED
  }
}
