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
    String text) {
}
