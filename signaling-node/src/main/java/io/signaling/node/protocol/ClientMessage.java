package io.signaling.node.protocol;

/**
 * A validated message from a client. Fields a command does not use are null.
 *
 * @param command the command
 * @param streamId the room, valid by {@link StreamIds}; null for ping and getIceServerConfig
 * @param playOnly for join: {@code mode} was exactly {@code "play"}
 * @param token for join: the {@code token} field, or null
 * @param type for takeConfiguration: {@code "offer"} or {@code "answer"} (relayed as given)
 * @param sdp for takeConfiguration: the SDP, relayed byte for byte
 * @param label for takeCandidate: the JSON number text of {@code label}, relayed unchanged
 * @param id for takeCandidate: {@code id} (sdpMid)
 * @param candidate for takeCandidate: the candidate line, possibly empty
 * @param text the message exactly as received (peerMessageCommand is relayed as is)
 * @param sdpLiteral for takeConfiguration: the {@code sdp} value's JSON string literal exactly as received (quotes
 *     included), relayed without decoding and encoding it again; null when not known (then {@code sdp} is quoted)
 * @param candidateLiteral for takeCandidate: the {@code candidate} value's JSON string literal as received, or null
 */
public record ClientMessage(
    Command command,
    String streamId,
    boolean playOnly,
    String token,
    String type,
    String sdp,
    String label,
    String id,
    String candidate,
    String text,
    String sdpLiteral,
    String candidateLiteral) {

  /** A message without the literals of its strings (relays quote the decoded values). */
  public ClientMessage(Command command, String streamId, boolean playOnly, String token, String type, String sdp,
      String label, String id, String candidate, String text) {
    this(command, streamId, playOnly, token, type, sdp, label, id, candidate, text, null, null);
  }
}
