package io.signaling.node.transport;

/**
 * The resume peer id carried in the {@code Sec-WebSocket-Protocol} header instead of the URL, where access logs do
 * not keep it: a browser opens {@code new WebSocket(url, ["signaling", "peer." + peerId])}, and the node selects
 * (echoes) {@value #SUBPROTOCOL}, as browsers require of a server when a client offers subprotocols. The
 * {@code peer.} entry is never echoed.
 */
final class PeerIdHeader {

  /** The subprotocol the node selects; a client that offers a peer id offers it too. */
  static final String SUBPROTOCOL = "signaling";
  static final String PREFIX = "peer.";
  static final String HEADER = "Sec-WebSocket-Protocol";

  /** Thrown for a header that offers more than one peer id. */
  static final class Ambiguous extends Exception {
    Ambiguous() {
      super("more than one peer id offered", null, false, false);
    }
  }

  private PeerIdHeader() {
  }

  /** The peer id the header offers ({@code peer.<id>}), or null; {@code header} may be null. */
  static String peerId(String header) throws Ambiguous {
    if (header == null) {
      return null;
    }
    String found = null;
    for (String entry : header.split(",")) {
      String p = entry.trim();
      if (p.startsWith(PREFIX)) {
        if (found != null) {
          throw new Ambiguous();
        }
        found = p.substring(PREFIX.length());
      }
    }
    return found;
  }
}
