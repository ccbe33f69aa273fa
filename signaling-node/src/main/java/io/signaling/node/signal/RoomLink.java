package io.signaling.node.signal;

import io.signaling.node.room.PeerRef;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * Resume: the partner's slot is held (its socket or its node is gone); what this socket relays meanwhile is
   * kept here, in order, and sent to the partner's next socket. Relays that reached the partner's old node
   * after its socket had gone come back first ({@link #returned}): they were sent before anything kept here.
   */
  private boolean partnerHeld;
  private final List<String> returned = new ArrayList<>(0);
  private final List<String> kept = new ArrayList<>(0);
  private long keptBytes;
  /** The expiry timer of the hold, or -1. */
  long holdTimer = -1;

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
    // or from the partner's peer on a new socket, whose resume notice may still be on its way
    return sender.sameSocket(partner) || (partner != null && partner.sameSlot(sender));
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
    endHold();
    return true;
  }

  /**
   * The call with {@code lost} ends for this socket (the lost-partner rule answered END): true when {@code lost} was
   * its partner, so the socket is to be told {@code stop}.
   */
  boolean partnerLost(PeerRef lost) {
    if (lost.sameSocket(partner)) {
      partner = null;
      endHold();
      startUnconfirmed = false;
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ a pairing its partner may not have heard of

  /**
   * This socket's node told the partner it is the offerer (a PAIRED notice with {@code start}), and the notice is
   * not confirmed yet: when the partner's node is lost before it confirms, the partner cannot tell whether its
   * client got {@code start}, so a resume of the partner is sent {@code start} again ({@link #takeStartOwed}).
   */
  boolean startUnconfirmed;
  /**
   * The latest PAIRED notice with {@code start} (numbered by {@link #startNotices}) has no outcome yet. A partner that
   * resumes meanwhile is owed {@code start} only if that notice then fails: when it succeeds, the partner's client
   * got {@code start} on its old socket (a takeover while that socket was still open), and a second one would make
   * it offer again.
   */
  boolean startNoticeInFlight;
  /** The partner resumed while the start notice was in flight: its failure makes the new socket owed start. */
  boolean startOwedIfNoticeFails;
  /** PAIRED notices with {@code start} sent so far: an outcome counts only for the latest. */
  int startNotices;
  /** Resume: the room version at which this socket took its slot back (0: it did not). */
  long resumedAt;
  private boolean owedStartTaken;

  /**
   * A PAIRED notice with {@code start} at exactly the version this socket resumed at, from its partner: the
   * partner's node completes a pairing this socket's slot may never have heard of. True once (a retried duplicate
   * is not a second {@code start}).
   */
  boolean takeStartOwed(PeerRef from, long noticeVersion, boolean start) {
    if (!start || owedStartTaken || resumedAt == 0 || noticeVersion != resumedAt || !from.sameSocket(partner)) {
      return false;
    }
    owedStartTaken = true;
    return true;
  }

  /**
   * A RESUMED notice for a socket that has no partner: the room paired it with {@code resumer}'s slot, whose node
   * was lost before its PAIRED notice arrived, and the peer has now resumed. True when that makes {@code resumer}
   * this socket's partner (the pairing is completed here: see {@link #offers}).
   */
  boolean pairedByResume(PeerRef resumer, long noticeVersion) {
    if (partner != null || noticeVersion <= version || !resumer.resumable()) {
      return false;
    }
    partner = resumer;
    version = noticeVersion;
    return true;
  }

  /**
   * Of a pairing completed on resume, where this socket was in the room first: true when this socket is the offerer,
   * by the room's rule (the first peer offers, unless it is play-only and the other is not).
   */
  boolean offers() {
    return partner != null && !(self.playOnly() && !partner.playOnly());
  }

  // ------------------------------------------------------------------ the partner's slot held (resume)

  /** True while the partner's slot is held: relays are kept, not sent. */
  boolean partnerHeld() {
    return partnerHeld;
  }

  /** {@code peer}'s slot is held: true when that begins a hold of this socket's partner. */
  boolean holdPartner(PeerRef peer) {
    if (partnerHeld || !peer.sameSocket(partner)) {
      return false;
    }
    partnerHeld = true;
    return true;
  }

  /** Keeps a relay for the held partner; false when it does not fit in {@code maxMessages} and {@code maxBytes}. */
  boolean keep(String text, int maxMessages, long maxBytes) {
    long bytes = (long) text.length() * 3;
    if (returned.size() + kept.size() >= maxMessages || keptBytes + bytes > maxBytes) {
      return false;
    }
    kept.add(text);
    keptBytes += bytes;
    return true;
  }

  /** A relay sent back by the held partner's old node: false when it does not fit. */
  boolean keepReturned(String text, int maxMessages, long maxBytes) {
    long bytes = (long) text.length() * 3;
    if (returned.size() + kept.size() >= maxMessages || keptBytes + bytes > maxBytes) {
      return false;
    }
    returned.add(text);
    keptBytes += bytes;
    return true;
  }

  /**
   * The partner's peer is back on a new socket ({@code resumer}, the room at {@code noticeVersion}): the relays
   * kept for it, in the order sent, or null for a stale notice (or one for a peer that is not the partner's).
   */
  List<String> partnerResumed(PeerRef resumer, long noticeVersion) {
    if (noticeVersion <= version || partner == null || !partner.sameSlot(resumer)) {
      return null;
    }
    version = noticeVersion;
    partner = resumer;
    startUnconfirmed = false;
    List<String> all = new ArrayList<>(returned.size() + kept.size());
    all.addAll(returned);
    all.addAll(kept);
    endHold();
    return all;
  }

  /** Forgets the hold and what was kept for it. */
  void endHold() {
    partnerHeld = false;
    returned.clear();
    kept.clear();
    keptBytes = 0;
  }
}
