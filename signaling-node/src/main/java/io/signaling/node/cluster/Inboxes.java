package io.signaling.node.cluster;

/**
 * Event-bus addresses of the per-event-loop inboxes. An inbox address names its node, so a message to a
 * known peer goes straight to that peer's node (see {@link InboxNodeSelector}), without consulting the
 * cluster's registrations.
 */
public final class Inboxes {

  static final String PREFIX = "signaling.inbox.";

  private Inboxes() {
  }

  /** The inbox of event loop {@code index} of node {@code nodeId}. */
  public static String address(String nodeId, int index) {
    if (nodeId.indexOf('.') >= 0) {
      throw new IllegalArgumentException("a node id must not contain '.': " + nodeId);
    }
    return PREFIX + nodeId + "." + index;
  }

  /** The node an inbox address names, or null for any other address. */
  static String nodeOf(String address) {
    if (!address.startsWith(PREFIX)) {
      return null;
    }
    int dot = address.lastIndexOf('.');
    if (dot <= PREFIX.length()) {
      return null;
    }
    return address.substring(PREFIX.length(), dot);
  }
}
