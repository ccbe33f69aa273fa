package io.signaling.node.protocol;

/**
 * The {@code definition} of an {@code error} message. The first five are Ant Media Server's own and must
 * match byte for byte; the rest are this service's, documented in docs/PROTOCOL.md.
 */
public enum ErrorDefinition {
  /** {@code streamId} missing, null or empty on a command that needs one. */
  NO_STREAM_NAME_SPECIFIED("noStreamNameSpecified"),
  /** {@code streamId} has a character outside {@code [A-Za-z0-9_.-]}, is too long or is not a string. */
  INVALID_STREAM_NAME("invalidStreamName"),
  /** {@code join} to a room that already has two peers. */
  NO_SPACE_FOR_NEW_PEER("NoSpaceForNewPeer"),
  /** A relay, leave or stop from a socket that is not a (paired) member of the room. */
  NO_PEER_ASSOCIATED_BEFORE("no_peer_associated_before"),
  /** A join token is required and is missing, invalid or expired. */
  UNAUTHORIZED_ACCESS("unauthorized_access"),

  /** The text is not JSON, not one JSON object, or has duplicate keys; or the frame was binary. */
  MALFORMED_MESSAGE("malformedMessage"),
  /** The object has no {@code command} string. */
  NO_COMMAND_SPECIFIED("noCommandSpecified"),
  /** The {@code command} is not one this service knows. */
  UNKNOWN_COMMAND("unknownCommand"),
  /** A field the command needs is missing or has the wrong JSON type; the reply names it in {@code field}. */
  INVALID_FIELD("invalidField"),
  /** More messages than the per-connection rate limit allows; the message was dropped. */
  RATE_LIMIT_EXCEEDED("rateLimitExceeded"),
  /** A join beyond the per-connection room limit. */
  TOO_MANY_ROOMS("tooManyRooms"),
  /** More connections from one remote address than allowed; the socket is then closed with 1008. */
  TOO_MANY_CONNECTIONS("tooManyConnections"),
  /** The cluster could not decide in time (for example while a node is lost); the client may retry. */
  TEMPORARILY_UNAVAILABLE("temporarilyUnavailable");

  private final String wire;

  ErrorDefinition(String wire) {
    this.wire = wire;
  }

  /** The exact text sent in {@code definition}. */
  public String wire() {
    return wire;
  }
}
