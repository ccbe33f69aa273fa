package io.signaling.node.signal;

import io.signaling.node.room.PeerRef;

/**
 * A socket's membership of one room, as its event loop knows it, and the rules for the notices about it:
 * which partner it relays with, and which notices are stale (a notice about an older room version than the
 * one this socket has acted on is a retried duplicate, or one the room has moved past). Pure; confined to
 * the event loop.
 */
final class RoomLink {

  /** What a PAIRED notice means for the socket. */
  enum Paired {
    /** Stale: nothing changes, the socket is told nothing. */
    IGNORED,
    /** The partner it already had (a notice for a pairing it learned otherwise): nothing to tell. */
    SAME_PARTNER,
    /** Its first partner: {@code start} if it is the offerer. */
    NEW_PARTNER,
    /** A partner replacing another one: {@code stop} for the old call, then as {@link #NEW_PARTNER}. */
    REPLACED_PARTNER
  }

  final PeerRef self;
  PeerRef partner;
  /** The newest room version this socket has acted on. */
  long version;

  RoomLink(PeerRef self, PeerRef partner, long version) {
    this.self = self;
    this.partner = partner;
    this.version = version;
  }

  boolean inCall() {
    return partner != null;
  }

  /** A relay is delivered only from the partner this socket has now. */
  boolean acceptsRelayFrom(PeerRef sender) {
    return sender.sameSocket(partner);
  }

  /** A PAIRED notice: the room at {@code noticeVersion} pairs this socket with {@code peer}. */
  Paired paired(PeerRef peer, long noticeVersion) {
    if (noticeVersion <= version) {
      return Paired.IGNORED;
    }
    version = noticeVersion;
    boolean same = peer.sameSocket(partner);
    boolean replaced = !same && partner != null;
    partner = peer;
    return same ? Paired.SAME_PARTNER : replaced ? Paired.REPLACED_PARTNER : Paired.NEW_PARTNER;
  }

  /**
   * A PARTNER_LEFT notice: {@code peer} left the room, which was then at {@code noticeVersion}. True when
   * it ended this socket's call (the socket is told {@code stop}); false for a stale notice, or one about a
   * peer that is not its partner.
   */
  boolean partnerLeft(PeerRef peer, long noticeVersion) {
    if (noticeVersion < version || !peer.sameSocket(partner)) {
      return false;
    }
    version = noticeVersion;
    partner = null;
    return true;
  }

  /** The partner was found unreachable, or its node left: true when that ended this socket's call. */
  boolean partnerLost(PeerRef lost) {
    if (lost.sameSocket(partner)) {
      partner = null;
      return true;
    }
    return false;
  }

  /** The partner's node left the cluster: true when that ended this socket's call. */
  boolean partnerNodeLeft(String node) {
    if (partner != null && partner.node().equals(node)) {
      partner = null;
      return true;
    }
    return false;
  }
}
