package io.signaling.node.room;

import java.util.List;

/**
 * A P2P room: at most two slots, in join order. Immutable; {@link RoomRules} computes the next state.
 *
 * <p>A slot is a peer with its socket attached, or held ({@link PeerRef#held()}): a peer that opted in to resume
 * lost its socket (or its node) and may take the slot back with a join from any node until the hold expires.
 * A held slot counts towards the capacity, and its partner stays paired with it.
 *
 * @param peers the members, first joiner first
 * @param version rises with every change of the room, also across the room's deletion and re-creation (it
 *     is at least the change's time in microseconds): a notice about an older version is stale
 * @param life the room's life for the application backend (its id, its events' sequence and the events not yet
 *     delivered), or null when the room produces no events (webhooks off, a warm-up room)
 */
public record Room(List<PeerRef> peers, long version, RoomLife life) {

  public static final int CAPACITY = 2;
  public static final Room EMPTY = new Room(List.of(), 0);

  /** A room at version 0 (for tests and tools). */
  public Room(List<PeerRef> peers) {
    this(peers, 0);
  }

  /** A room without a life (no events). */
  public Room(List<PeerRef> peers, long version) {
    this(peers, version, null);
  }

  /** This room's life with other peers at another version. */
  public Room with(List<PeerRef> peers, long version) {
    return new Room(peers, version, life);
  }

  /** This room with another life. */
  public Room withLife(RoomLife life) {
    return new Room(peers, version, life);
  }

  /** Events not yet delivered are kept with the entry after its last peer left. */
  public boolean hasUndelivered() {
    return life != null && !life.outbox().isEmpty();
  }

  /** What the map keeps for this room: null (no entry) when it has no peer and no undelivered event. */
  public Room stored() {
    return peers.isEmpty() && !hasUndelivered() ? null : this;
  }

  /** The version that follows {@code previous} at {@code nowMillis}. */
  public static long nextVersion(long previous, long nowMillis) {
    return Math.max(previous + 1, nowMillis * 1000);
  }

  public Room {
    peers = List.copyOf(peers);
    if (peers.size() > CAPACITY) {
      throw new IllegalArgumentException("a room holds at most " + CAPACITY + " peers");
    }
  }

  public boolean isEmpty() {
    return peers.isEmpty();
  }

  public boolean contains(PeerRef peer) {
    return peers.stream().anyMatch(p -> p.sameSocket(peer));
  }

  /** The member that is {@code peer}'s socket (with the room's view of its slot), or null. */
  public PeerRef member(PeerRef peer) {
    for (PeerRef p : peers) {
      if (p.sameSocket(peer)) {
        return p;
      }
    }
    return null;
  }

  /** True when a slot of the room is held. */
  public boolean hasHeldSlot() {
    return peers.stream().anyMatch(PeerRef::held);
  }

  /** The member that is not {@code peer}, or null. */
  public PeerRef other(PeerRef peer) {
    for (PeerRef p : peers) {
      if (!p.sameSocket(peer)) {
        return p;
      }
    }
    return null;
  }
}
