package io.signaling.node.room;

import java.util.Objects;

/**
 * A peer as the cluster knows it: one socket in one room.
 *
 * @param node the incarnation-unique id of the node holding the socket
 * @param inbox the event bus address of the node's event loop that owns the socket
 * @param session the socket's id, unique within its node
 * @param playOnly joined with {@code mode:"play"}: never chosen as offerer when the other peer can offer
 */
public record PeerRef(String node, String inbox, long session, boolean playOnly) {

  public PeerRef {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(inbox, "inbox");
  }

  /** True when both name the same socket, whatever mode each joined with. */
  public boolean sameSocket(PeerRef other) {
    return other != null && session == other.session && inbox.equals(other.inbox);
  }

  @Override
  public String toString() {
    return inbox + "#" + session + (playOnly ? "(play)" : "");
  }
}
