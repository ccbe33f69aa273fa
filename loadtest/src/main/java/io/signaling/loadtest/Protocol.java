package io.signaling.loadtest;

import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The signaling protocol a call is driven with: ours (Ant Media Server's P2P WebSocket protocol: join, start,
 * takeConfiguration, takeCandidate, leave) or the PeerJS server's (OPEN, OFFER, ANSWER, CANDIDATE; no rooms), the
 * baseline a node is measured against.
 */
enum Protocol {
  AMS,
  PEERJS;

  /** Reads a server message. */
  Reply parse(String text) {
    return this == PEERJS ? PeerJsMessages.parse(text) : Reply.parse(text);
  }

  /** Where peer {@code peerId} connects to {@code target}: PeerJS names the peer (and a token) in the query. */
  WebSocketConnectOptions connectOptions(Target target, String peerId) {
    WebSocketConnectOptions options = target.connectOptions();
    if (this == PEERJS) {
      String path = target.path();
      String token = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
      options.setURI(path + (path.contains("?") ? "&" : "?")
          + PeerJsMessages.query(PeerJsMessages.DEFAULT_KEY, peerId, token));
    }
    return options;
  }

  /** Messages a call expects to receive with {@code candidates} each way. */
  int expectedMessages(int candidates) {
    // ours: per peer joined, start/offer, answer(A), candidates, stop(B), leaved; PeerJS: offer, answer, candidates
    return this == PEERJS ? 2 * candidates + 2 : 2 * candidates + 8;
  }

  /** Messages a call sends: ours 2 joins, offer, answer, candidates both ways, 2 leaves; PeerJS no join or leave. */
  int sentMessages(int candidates) {
    return this == PEERJS ? 2 * candidates + 2 : 2 * candidates + 6;
  }
}
