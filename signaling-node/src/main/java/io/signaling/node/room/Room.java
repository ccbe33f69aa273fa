package io.signaling.node.room;

import java.util.List;

/**
 * A P2P room: at most two peers, in join order. Immutable; {@link RoomRules} computes the next state.
 *
 * @param peers the members, first joiner first
 */
public record Room(List<PeerRef> peers) {

  public static final int CAPACITY = 2;
  public static final Room EMPTY = new Room(List.of());

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
