package io.signaling.node.room;

import java.util.Objects;

/**
 * A peer as the cluster knows it: one socket in one room, or the slot it holds while its socket is gone.
 *
 * @param node the incarnation-unique id of the node holding the socket
 * @param inbox the event bus address of the node's event loop that owns the socket
 * @param session the socket's id, unique within its node
 * @param playOnly joined with {@code mode:"play"}: never chosen as offerer when the other peer can offer
 * @param resumeKey null for a peer that did not opt in to resume; else a digest of its peer id (and, with join
 *     tokens, of the token's subject): a join with the same key takes over the slot. Never the peer id itself
 * @param heldUntil 0 while a socket is attached; else the slot is held (its socket is gone) until this time in
 *     epoch milliseconds, and {@code node}, {@code inbox} and {@code session} name the socket it last had
 */
public record PeerRef(String node, String inbox, long session, boolean playOnly, String resumeKey,
    long heldUntil) {

  public PeerRef {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(inbox, "inbox");
  }

  /** A peer that did not opt in to resume. */
  public PeerRef(String node, String inbox, long session, boolean playOnly) {
    this(node, inbox, session, playOnly, null, 0);
  }

  /** True when both name the same socket, whatever mode each joined with. */
  public boolean sameSocket(PeerRef other) {
    return other != null && session == other.session && inbox.equals(other.inbox);
  }

  /** Opted in to resume: its slot is held, not ended, when its socket goes. */
  public boolean resumable() {
    return resumeKey != null;
  }

  /** Its socket is gone and the slot is held for a resume. */
  public boolean held() {
    return heldUntil > 0;
  }

  /** A held slot whose window has passed at {@code nowMillis}. */
  public boolean expired(long nowMillis) {
    return held() && heldUntil <= nowMillis;
  }

  /** True when {@code other} may take over this peer's slot: both opted in with the same key. */
  public boolean sameSlot(PeerRef other) {
    return other != null && resumeKey != null && resumeKey.equals(other.resumeKey);
  }

  /** This slot, held until {@code untilMillis}. */
  public PeerRef heldUntil(long untilMillis) {
    return new PeerRef(node, inbox, session, playOnly, resumeKey, untilMillis);
  }

  /** Never prints the resume key. */
  @Override
  public String toString() {
    return inbox + "#" + session + (playOnly ? "(play)" : "") + (held() ? "(held)" : resumable() ? "(resumable)" : "");
  }
}
