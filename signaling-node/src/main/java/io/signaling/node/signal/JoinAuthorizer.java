package io.signaling.node.signal;

/** Decides whether a join may proceed, from the token the client presented (join field or URL parameter). */
public interface JoinAuthorizer {

  /** True when {@code token} (possibly null) allows joining {@code streamId} now. */
  boolean mayJoin(String streamId, String token);

  /**
   * The subject a valid {@code token} names (to which a resume peer id is bound), or null when tokens are not
   * required or the token is not valid.
   */
  default String subject(String token) {
    return null;
  }

  /** No tokens required (Ant Media's default). */
  JoinAuthorizer OPEN = (streamId, token) -> true;
}
