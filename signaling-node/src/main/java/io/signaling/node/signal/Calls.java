package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.Resume;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.PeerRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partner side of this event loop's calls: what a socket hears about its partner, and the one decision point
 * for a partner found gone ({@link #partnerGone}, deciding by {@link LostPartner}). Every path that finds a partner
 * gone comes here; a hold is started, or the call ended (an eviction first where the partner's slot must be taken
 * out, awaited and re-checked for a resume before the socket is told {@code stop}), or nothing happens.
 *
 * <p>A little over 300 lines, on purpose: the notices about a partner and the decision for a lost one change the
 * same link and the same hold timers, and are kept together so that every way a call can end is read in one place.
 */
final class Calls {

  private static final Logger LOG = LoggerFactory.getLogger(Calls.class);

  private final String node;
  private final Vertx vertx;
  private final DirectoryCalls directory;
  private final Outbound outbound;
  private final CallListener events;
  private final Resume resume;
  private final LongSupplier clockMillis;
  /** Links of this loop whose partner's slot is held (read by the metrics from any thread). */
  private volatile int heldPartners;

  Calls(String node, Vertx vertx, DirectoryCalls directory, Outbound outbound, CallListener events,
      Resume resume, LongSupplier clockMillis) {
    this.node = node;
    this.vertx = vertx;
    this.directory = directory;
    this.outbound = outbound;
    this.events = events;
    this.resume = resume;
    this.clockMillis = clockMillis;
  }

  int heldPartners() {
    return heldPartners;
  }

  // ------------------------------------------------------------------ the decision point

  /**
   * {@code partner}, of {@code s}'s call in {@code streamId}, was found gone in {@code situation}; its window (when
   * it is held) ends at {@code windowEndsMillis}. Decided by {@link LostPartner#decide}, and acted on.
   */
  void partnerGone(Session s, String streamId, PeerRef partner, LostPartner.Situation situation,
      long windowEndsMillis, String why) {
    RoomLink link = s.rooms.get(streamId);
    boolean current = link != null && partner.sameSocket(link.partner);
    LostPartner.Decision d = LostPartner.decide(new LostPartner.Facts(situation, current,
        current && link.partnerHeld(), partner.resumable(), resume.seconds() > 0,
        windowEndsMillis > clockMillis.getAsLong()));
    switch (d.action()) {
      case IGNORE:
        return;
      case HOLD:
        if (link.holdPartner(link.partner)) {
          LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] partner {} gone ({}): its slot is held"
              + " for a resume", node, streamId, partner, why);
          startHoldTimer(s, streamId, link, Math.max(1, windowEndsMillis - clockMillis.getAsLong()));
        }
        return;
      case END:
        if (evicts(situation)) {
          LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] partner {} gone ({}): removing it",
              node, streamId, partner, why);
          evictThenEnd(s, streamId, link, partner, d.reason());
        } else {
          endCall(s, streamId, link, partner, d.reason());
        }
        return;
      default:
        throw new IllegalStateException("unhandled action " + d.action());
    }
  }

  /** The window a partner gets when it is found gone now. */
  long windowFromNow() {
    return clockMillis.getAsLong() + resume.seconds() * 1000L;
  }

  /** Where the partner's slot may still be in the room (held or attached), it is taken out before the end. */
  private static boolean evicts(LostPartner.Situation situation) {
    return situation == LostPartner.Situation.NOTICE_FAILED || situation == LostPartner.Situation.HOLD_EXPIRED
        || situation == LostPartner.Situation.KEPT_OVERFLOW;
  }

  /**
   * Takes the partner's slot out of the room, awaited; then, unless it was resumed meanwhile (its notice is on its
   * way) or the call moved on, the call ends.
   */
  private void evictThenEnd(Session s, String streamId, RoomLink link, PeerRef lost, LeaveReason reason) {
    holdEnded(link);
    directory.evict(streamId, lost, link.self, reason).compose(d -> d.removed()
        ? Future.succeededFuture(false)
        // not removed: resumed just now (its notice is on its way), unless the room moved on without it
        : directory.room(streamId).map(room -> room.peers().stream()
            .anyMatch(p -> p.sameSlot(lost) && !p.held() && !p.sameSocket(lost))))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] eviction of {} failed: {}", node,
                streamId, lost, ar.cause().toString());
          }
          boolean resumedMeanwhile = ar.succeeded() && ar.result();
          if (s.rooms.get(streamId) == link && !resumedMeanwhile) {
            endCall(s, streamId, link, lost, reason);
          }
        });
  }

  /** The call ends for the socket: {@code stop}, once, when {@code lost} is still its partner. */
  void endCall(Session s, String streamId, RoomLink link, PeerRef lost, LeaveReason reason) {
    if (link.partnerLost(lost)) {
      holdEnded(link);
      s.send(ProtocolCodec.stop(streamId));
      events.ended(streamId, link.self, reason);
    }
  }

  // ------------------------------------------------------------------ holds of a partner's slot

  /** The partner's slot is held: when its window passes with no resume, the socket gets {@code stop}. */
  private void startHoldTimer(Session s, String streamId, RoomLink link, long millis) {
    heldPartners++;
    PeerRef held = link.partner;
    link.holdTimer = vertx.setTimer(millis, t -> s.enqueue(() -> {
      holdEnded(link);
      if (s.rooms.get(streamId) == link) {
        partnerGone(s, streamId, held, LostPartner.Situation.HOLD_EXPIRED, 0, "its window passed");
      }
      return Future.succeededFuture();
    }));
  }

  /** The hold timer of the link, if any, stops (the hold itself is ended by the link). */
  void holdEnded(RoomLink link) {
    if (link.holdTimer >= 0) {
      vertx.cancelTimer(link.holdTimer);
      link.holdTimer = -1;
      heldPartners--;
    }
  }

  /** The link is gone from its socket (a leave, a merge): its hold, if any, with it. */
  void forget(RoomLink link) {
    holdEnded(link);
    link.endHold();
  }

  /** The socket relays to its partner: sent, or kept while the partner's slot is held. */
  void relay(Session s, String streamId, RoomLink link, String text) {
    if (!link.partnerHeld()) {
      outbound.send(link.partner, Envelope.relay(link.self, link.partner, streamId, text));
    } else if (!link.keep(text, resume.maxHeldMessages(), resume.maxHeldBytes())) {
      partnerGone(s, streamId, link.partner, LostPartner.Situation.KEPT_OVERFLOW, 0,
          "relays kept for it over the limit");
    }
  }

  /** A relay kept for a held partner, sent on to its new socket (in the order kept). */
  private void forward(RoomLink link, String streamId, String text) {
    outbound.send(link.partner, Envelope.relay(link.self, link.partner, streamId, text));
  }

  // ------------------------------------------------------------------ notices about the partner

  /** A PAIRED notice. */
  void onPaired(Session s, String streamId, RoomLink link, Envelope e) {
    if (link.takeStartOwed(e.peer(), e.version(), e.start())) {
      // a pairing this socket's slot may never have heard of (its old node was lost): completed now
      s.send(ProtocolCodec.start(streamId));
      return;
    }
    if (e.version() > link.version) {
      // a fresh pairing (say, after a held slot expired) ends any hold
      forget(link);
    }
    RoomLink.Paired paired = link.paired(e.peer(), e.version());
    if (paired == RoomLink.Paired.REPLACED_PARTNER) {
      s.send(ProtocolCodec.stop(streamId));
    }
    if (paired == RoomLink.Paired.REPLACED_PARTNER || paired == RoomLink.Paired.NEW_PARTNER) {
      if (e.start()) {
        s.send(ProtocolCodec.start(streamId));
      }
      events.paired(streamId, link.self, link.partner);
    }
  }

  /** This socket joined and made a pair: the partner is told (acknowledged); if it cannot be, it is found gone. */
  void tellPaired(Session s, String streamId, RoomLink link, boolean partnerOffers) {
    PeerRef partner = link.partner;
    link.startUnconfirmed = partnerOffers;
    link.startNoticeInFlight = partnerOffers;
    link.startOwedIfNoticeFails = false;
    int notice = ++link.startNotices;
    outbound.deliver(partner, Envelope.paired(link.self, partner, streamId, partnerOffers, link.version))
        .onComplete(ar -> {
          boolean latest = notice == link.startNotices;
          boolean owedNow = latest && link.startOwedIfNoticeFails && ar.failed();
          if (latest) {
            link.startNoticeInFlight = false;
            link.startOwedIfNoticeFails = false;
          }
          if (ar.succeeded()) {
            if (partner.sameSocket(link.partner)) {
              link.startUnconfirmed = false;
            }
          } else {
            if (owedNow && s.rooms.get(streamId) == link && link.partner != null && !partner.sameSocket(link.partner)) {
              // the partner resumed while this notice was in flight, and it never arrived: its new socket gets start
              oweStart(s, streamId, link);
            }
            partnerGone(s, streamId, partner, LostPartner.Situation.NOTICE_FAILED, windowFromNow(),
                "the pairing notice failed: " + ar.cause());
          }
        });
  }

  /** This socket took its slot back with {@code partner} in the room: the partner is told where it is now. */
  void tellResumed(Session s, String streamId, RoomLink link) {
    PeerRef partner = link.partner;
    if (partner.held()) {
      // both were away: the partner is waited for here, for the rest of its own window
      partnerGone(s, streamId, partner, LostPartner.Situation.NODE_LEFT, partner.heldUntil(), "its slot is held");
      return;
    }
    outbound.deliver(partner, Envelope.resumed(link.self, partner, streamId, link.version))
        .onFailure(e -> partnerGone(s, streamId, partner, LostPartner.Situation.NOTICE_FAILED, windowFromNow(),
            "the resume notice failed: " + e));
  }

  /** A PARTNER_LEFT notice. */
  void onPartnerLeft(Session s, String streamId, RoomLink link, Envelope e) {
    PeerRef partner = link.partner;
    if (link.partnerLeft(e.peer(), e.version())) {
      // the link already let the partner go; the rule is asked for the reason (a leave ends any hold)
      holdEnded(link);
      s.send(ProtocolCodec.stop(streamId));
      events.ended(streamId, link.self, LostPartner.decide(new LostPartner.Facts(LostPartner.Situation.PARTNER_LEFT,
          true, false, partner != null && partner.resumable(), resume.seconds() > 0, false)).reason());
    }
  }

  /** A HELD notice: the partner's socket is gone and its slot held. */
  void onHeld(Session s, String streamId, RoomLink link, Envelope e) {
    if (link.holdPartner(e.peer())) {
      startHoldTimer(s, streamId, link, resume.seconds() * 1000L);
    }
  }

  /** A relay this socket sent came back from the partner's old node: kept for the partner's next socket. */
  void onReturned(Session s, String streamId, RoomLink link, Envelope e) {
    if (!link.partnerHeld() && link.holdPartner(e.peer())) {
      // sent back before the hold notice arrived: the partner's socket is gone all the same
      startHoldTimer(s, streamId, link, resume.seconds() * 1000L);
    }
    if (link.partnerHeld() && e.peer().sameSocket(link.partner)) {
      if (!link.keepReturned(e.text(), resume.maxHeldMessages(), resume.maxHeldBytes())) {
        partnerGone(s, streamId, link.partner, LostPartner.Situation.KEPT_OVERFLOW, 0,
            "relays kept for it over the limit");
      }
    } else if (link.partner != null && link.partner.sameSlot(e.peer())) {
      // came back after the peer resumed: on to its new socket
      forward(link, streamId, e.text());
    }
  }

  /**
   * A RESUMED notice: the partner is back on a new socket; what was kept for it follows. A pairing the partner may
   * not have completed is completed now: the offerer gets {@code start}.
   */
  void onResumed(Session s, String streamId, RoomLink link, Envelope e) {
    if (link.pairedByResume(e.peer(), e.version())) {
      // this socket never heard of its pairing (the partner's node was lost before its notice arrived)
      events.paired(streamId, link.self, link.partner);
      if (link.offers()) {
        s.send(ProtocolCodec.start(streamId));
      } else {
        oweStart(s, streamId, link);
      }
      return;
    }
    boolean unconfirmed = link.startUnconfirmed;
    List<String> kept = link.partnerResumed(e.peer(), e.version());
    if (kept == null) {
      return;
    }
    holdEnded(link);
    if (unconfirmed && link.startNoticeInFlight) {
      // the notice may still arrive (the old socket still open): start is owed only if it fails
      link.startOwedIfNoticeFails = true;
    } else if (unconfirmed) {
      oweStart(s, streamId, link);
    }
    for (String text : kept) {
      forward(link, streamId, text);
    }
  }

  /** The partner's new socket is the offerer of a pairing it may not have heard of: it gets {@code start}. */
  private void oweStart(Session s, String streamId, RoomLink link) {
    PeerRef partner = link.partner;
    LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] completing an unconfirmed pairing: {} gets"
        + " start", node, streamId, partner);
    outbound.deliver(partner, Envelope.paired(link.self, partner, streamId, true, link.version))
        .onFailure(err -> partnerGone(s, streamId, partner, LostPartner.Situation.NOTICE_FAILED, windowFromNow(),
            "the start notice failed: " + err));
  }

  /** A node left the cluster: every partner there is found gone. */
  int onNodeLeft(Session s, String departed) {
    int ended = 0;
    for (var entry : List.copyOf(s.rooms.entrySet())) {
      RoomLink link = entry.getValue();
      if (link.partner != null && link.partner.node().equals(departed)) {
        partnerGone(s, entry.getKey(), link.partner, LostPartner.Situation.NODE_LEFT, windowFromNow(),
            "node " + departed + " left");
        if (link.partner == null) {
          ended++;
        }
      }
    }
    return ended;
  }
}
