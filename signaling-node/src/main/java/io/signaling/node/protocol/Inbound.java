package io.signaling.node.protocol;

/** The result of decoding one text frame: a valid message, or the error to answer with. */
public sealed interface Inbound {

  /** A message that passed every check. */
  record Valid(ClientMessage message) implements Inbound {
  }

  /**
   * A message refused with an {@code error} reply.
   *
   * @param definition the error definition
   * @param streamId the stream id to echo, when one was readable, else null
   * @param field for {@link ErrorDefinition#INVALID_FIELD}: the offending field, else null
   */
  record Invalid(ErrorDefinition definition, String streamId, String field) implements Inbound {
  }
}
