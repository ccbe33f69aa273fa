package io.signaling.node.signal;

/** Decides whether a join may proceed, from the token the client presented (join field or URL parameter). */
public interface JoinAuthorizer {

  /** True when {@code token} (possibly null) allows joining {@code streamId} now. */
  boolean mayJoin(String streamId, String token);

  /** No tokens required (Ant Media's default). */
  JoinAuthorizer OPEN = (streamId, token) -> true;
}
