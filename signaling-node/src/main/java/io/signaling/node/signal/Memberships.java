package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.Resume;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ErrorDefinition;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket's own memberships: its joins (and resumes), its leaves, its slots held when it goes without a leave,
 * and the check of its rooms against the cluster after a merge. What concerns the partner goes to {@link Calls}.
 *
 * <p>A little over 300 lines, on purpose: these are the steps of one membership's life (join or resume, leave,
 * hold, taken over, reconciled), each writing the same link table and reporting the same events; split further,
 * the order of those steps would be spread over classes that must then share the table.
 */
final class Memberships {

  private static final Logger LOG = LoggerFactory.getLogger(Memberships.class);

  private final String node;
  private final String inbox;
  private final DirectoryCalls directory;
  private final Outbound outbound;
  private final Calls calls;
  private final Sessions sessions;
  private final CallListener events;
  private final SignalingMetrics metrics;
  private final BooleanSupplier acceptingJoins;
  private final Resume resume;
  private final LongSupplier clockMillis;

  Memberships(String node, String inbox, DirectoryCalls directory, Outbound outbound, Calls calls, Sessions sessions,
      CallListener events, SignalingMetrics metrics, BooleanSupplier acceptingJoins, Resume resume,
      LongSupplier clockMillis) {
    this.node = node;
    this.inbox = inbox;
    this.directory = directory;
    this.outbound = outbound;
    this.calls = calls;
    this.sessions = sessions;
    this.events = events;
    this.metrics = metrics;
    this.acceptingJoins = acceptingJoins;
    this.resume = resume;
    this.clockMillis = clockMillis;
  }

  // ------------------------------------------------------------------ joins

  /**
   * A join; {@code resumeKey}: the join's resume key (see {@link ResumeBinding}), or null; {@code early} takes the
   * notices that arrived for the room before the directory answered (handled once the socket's link exists).
   */
  Future<Void> join(Session s, String streamId, boolean playOnly, String resumeKey, Consumer<Envelope> early) {
    if (s.rooms.containsKey(streamId)) {
      s.send(ProtocolCodec.joined(streamId));
      return Future.succeededFuture();
    }
    if (!acceptingJoins.getAsBoolean()) {
      // merging back after a split: the rooms here may not be the cluster's; the client retries
      metrics.error(ErrorDefinition.TEMPORARILY_UNAVAILABLE);
      s.send(ProtocolCodec.error(ErrorDefinition.TEMPORARILY_UNAVAILABLE, streamId));
      return Future.succeededFuture();
    }
    PeerRef self = new PeerRef(node, inbox, s.id, playOnly, resumeKey, 0);
    s.joining.put(streamId, new ArrayList<>(0));
    long started = System.nanoTime();
    return directory.join(streamId, self).transform(ar -> {
      List<Envelope> arrived = s.joining.remove(streamId);
      if (ar.failed()) {
        joinFailed(s, streamId, self, ar.cause());
        return Future.succeededFuture();
      }
      JoinDecision d = ar.result();
      metrics.joined(d.outcome() == JoinDecision.Outcome.PAIRED, System.nanoTime() - started);
      switch (d.outcome()) {
        case FULL:
          metrics.error(ErrorDefinition.NO_SPACE_FOR_NEW_PEER);
          s.send(ProtocolCodec.error(ErrorDefinition.NO_SPACE_FOR_NEW_PEER, streamId));
          return Future.succeededFuture();
        case ALONE:
        case ALREADY_MEMBER:
          link(s, streamId, self, d).send(ProtocolCodec.joined(streamId));
          events.joined(streamId, self);
          break;
        case PAIRED:
          paired(s, streamId, self, d);
          break;
        case RESUMED:
          resumed(s, streamId, self, d);
          break;
        default:
          throw new IllegalStateException("unhandled outcome " + d.outcome());
      }
      if (s.rooms.containsKey(streamId)) {
        s.rememberResumeKey(streamId, self.resumeKey());
      }
      if (arrived != null) {
        arrived.forEach(early);
      }
      return Future.succeededFuture();
    });
  }

  private Session link(Session s, String streamId, PeerRef self, JoinDecision d) {
    s.rooms.put(streamId, new RoomLink(self, d.partner(), d.room().version()));
    return s;
  }

  /**
   * The join may still have been applied (a timeout): the socket is taken out again, quietly (nobody was told of
   * it), so the room does not keep a member its client believes it is not. A resumable socket's slot is held
   * instead, when it has a partner: it may be the peer's slot taken over (a resume), which stays the peer's; the
   * client's next join resumes it, and the partner is told then (a pairing it never heard of is completed then).
   */
  private void joinFailed(Session s, String streamId, PeerRef self, Throwable cause) {
    LOG.atWarn().addKeyValue("node", node).log("[node: {}] join of room {} failed: {}", node, streamId,
        cause.toString());
    Future<LeaveDecision> undone = self.resumable() && resume.seconds() > 0
        ? directory.hold(streamId, self).compose(d -> d.removed() ? Future.succeededFuture(d)
            : directory.leave(streamId, self, LeaveReason.CLOSED))
        : directory.leave(streamId, self, LeaveReason.CLOSED);
    undone.onFailure(e -> LOG.atWarn().addKeyValue("node", node)
        .log("[node: {}] [room: {}] undoing a failed join failed: {}", node, streamId, e.toString()));
    metrics.error(ErrorDefinition.TEMPORARILY_UNAVAILABLE);
    s.send(ProtocolCodec.error(ErrorDefinition.TEMPORARILY_UNAVAILABLE, streamId));
  }

  private void paired(Session s, String streamId, PeerRef self, JoinDecision d) {
    link(s, streamId, self, d).send(ProtocolCodec.joined(streamId));
    boolean selfOffers = d.offerer().sameSocket(self);
    if (selfOffers) {
      s.send(ProtocolCodec.start(streamId));
    }
    events.joined(streamId, self);
    events.paired(streamId, self, d.partner());
    calls.tellPaired(s, streamId, s.rooms.get(streamId), !selfOffers);
  }

  /**
   * Resume: the socket took over its peer's slot ({@code d.replaced()}): {@code joined} and nothing else to it; an
   * older socket still attached is closed; the partner is told where the peer is now, and sends what it kept for
   * it (and {@code start}, when the pairing was not confirmed before the peer's old node was lost).
   */
  private void resumed(Session s, String streamId, PeerRef self, JoinDecision d) {
    RoomLink link = new RoomLink(self, d.partner(), d.room().version());
    link.resumedAt = d.room().version();
    s.rooms.put(streamId, link);
    s.send(ProtocolCodec.joined(streamId));
    metrics.slotResumed();
    events.joined(streamId, self);
    LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] {} resumed a slot", node, streamId, self);
    PeerRef old = d.replaced();
    if (old != null && !old.held()) {
      outbound.deliver(old, Envelope.superseded(self, old, streamId, d.room().version()))
          .onFailure(e -> LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] could not close the older"
              + " socket {}: {}", node, streamId, old, e.toString()));
    }
    if (d.partner() != null) {
      events.paired(streamId, self, d.partner());
      calls.tellResumed(s, streamId, link);
    }
  }

  // ------------------------------------------------------------------ leaves

  /** The socket asked to leave: answered {@code leaved} (or an error when it is not in the room). */
  Future<Void> leave(Session s, String streamId) {
    if (!s.rooms.containsKey(streamId)) {
      metrics.error(ErrorDefinition.NO_PEER_ASSOCIATED_BEFORE);
      s.send(ProtocolCodec.error(ErrorDefinition.NO_PEER_ASSOCIATED_BEFORE, streamId));
      return Future.succeededFuture();
    }
    return leave(s, streamId, LeaveReason.LEAVE);
  }

  /** Leaves one room; for {@link LeaveReason#LEAVE} the socket is open and gets {@code leaved}. */
  private Future<Void> leave(Session s, String streamId, LeaveReason reason) {
    RoomLink link = s.rooms.remove(streamId);
    s.forgetResumeKey(streamId);
    if (link == null) {
      return Future.succeededFuture();
    }
    calls.forget(link);
    s.leaving++;
    return directory.leave(streamId, link.self, reason).transform(ar -> {
      s.leaving--;
      PeerRef remaining;
      // the notice carries the room's version after the leave, so a late retry cannot end a later pairing;
      // when that is unknown, the newest version seen here (the partner has seen no older one for this pairing)
      long version = link.version;
      if (ar.succeeded()) {
        LeaveDecision d = ar.result();
        // not a member any more (the entry expired or was purged): tell the partner known here
        remaining = d.removed() ? d.remaining() : link.partner;
        if (d.removed()) {
          version = d.room().version();
        }
      } else {
        LOG.atWarn().addKeyValue("node", node).log("[node: {}] leave of room {} failed, telling the partner known"
            + " here: {}", node, streamId, ar.cause().toString());
        remaining = link.partner;
      }
      if (remaining != null) {
        PeerRef to = remaining;
        outbound.deliver(to, Envelope.partnerLeft(link.self, to, streamId, version))
            // the partner's own node finds it gone, or its node is gone: nothing more to do here
            .onFailure(e -> LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] could not tell {} that"
                + " its partner left: {}", node, streamId, to, e.toString()));
      }
      if (reason == LeaveReason.LEAVE) {
        s.send(ProtocolCodec.leaved(streamId));
      }
      if (link.partner != null) {
        events.ended(streamId, link.self, reason);
      }
      events.left(streamId, link.self, reason);
      if (ar.succeeded() && ar.result().removed() && ar.result().room().isEmpty()) {
        events.roomEmpty(streamId);
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The socket is gone without a leave (it closed, or a drain let it go): a resumable peer in a call keeps its
   * slot, held (its partner is told nothing it would show: only that it should keep its relays); anything else
   * leaves. A hold the directory fails or times out is decided by {@link LostPartner} like any other loss.
   */
  Future<Void> holdOrLeave(Session s, String streamId) {
    RoomLink link = s.rooms.get(streamId);
    if (link == null || !link.self.resumable() || link.partner == null) {
      return leave(s, streamId, LeaveReason.CLOSED);
    }
    sessions.markGone(s);
    long windowEnds = clockMillis.getAsLong() + resume.seconds() * 1000L;
    return directory.hold(streamId, link.self).transform(ar -> {
      PeerRef partner;
      long version;
      if (ar.succeeded()) {
        if (!ar.result().removed()) {
          // not held (alone, or the slot was already taken over): a leave as without resume
          return leave(s, streamId, LeaveReason.CLOSED);
        }
        partner = ar.result().remaining();
        version = ar.result().room().version();
      } else {
        LostPartner.Decision d = LostPartner.decide(new LostPartner.Facts(LostPartner.Situation.OWN_HOLD_FAILED,
            s.rooms.get(streamId) == link, false, true, resume.seconds() > 0, windowEnds > clockMillis.getAsLong()));
        LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] hold failed ({}): {}", node, streamId,
            ar.cause().toString(), d.action());
        if (d.action() != LostPartner.Action.HOLD) {
          return leave(s, streamId, d.reason() == null ? LeaveReason.CLOSED : d.reason());
        }
        // the slot stays in the room, attached to this closed socket: a resume takes it over all the same, and the
        // partner's window ends it otherwise (by an eviction)
        partner = link.partner;
        version = link.version;
      }
      s.rooms.remove(streamId);
      calls.forget(link);
      if (partner == null || partner.held()) {
        events.held(streamId, link.self);
        return Future.succeededFuture();
      }
      // awaited (and only then reported), so a drain's deadline closes the node only after the partner knows to
      // keep its relays
      return outbound.deliver(partner, Envelope.held(link.self, partner, streamId, version))
          .recover(e -> {
            // the partner's own node finds this slot's peer gone: nothing to decide here
            LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] could not tell {} that its partner's"
                + " slot is held: {}", node, streamId, partner, e.toString());
            return Future.succeededFuture();
          })
          .andThen(ignored -> events.held(streamId, link.self));
    });
  }

  /** Every room of the socket, left or held (it closed, or a drain let it go). */
  Future<Void> holdOrLeaveAll(Session s) {
    List<Future<Void>> leaves = new ArrayList<>();
    for (String streamId : new ArrayList<>(s.rooms.keySet())) {
      leaves.add(holdOrLeave(s, streamId));
    }
    return Future.join(leaves).mapEmpty();
  }

  /** The newest socket of the peer has the slot now: this one is closed, and its partner sees nothing. */
  void superseded(Session s, String streamId, RoomLink link) {
    s.rooms.remove(streamId);
    calls.forget(link);
    s.superseded = true;
    sessions.markGone(s);
    events.left(streamId, link.self, LeaveReason.REMOVED);
    LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] {} superseded by a newer socket of its"
        + " peer: closing it", node, streamId, link.self);
    s.close(Switchboard.CLOSE_SUPERSEDED, "superseded by a newer connection");
  }

  /** The admin API took the socket out of the room (the directory has it out already): {@code stop}, and out. */
  void removed(Session s, String streamId, RoomLink link) {
    s.rooms.remove(streamId);
    s.forgetResumeKey(streamId);
    calls.forget(link);
    s.send(ProtocolCodec.stop(streamId));
    if (link.partner != null) {
      events.ended(streamId, link.self, LeaveReason.REMOVED);
    }
    events.left(streamId, link.self, LeaveReason.REMOVED);
  }

  // ------------------------------------------------------------------ after a merge

  /**
   * After a split-brain merge, one room of the socket is checked against the cluster: a room that no longer lists
   * the socket ends for it with {@code stop} (when it had a partner) and {@code leaved}, instead of hanging; a room
   * that lists it but not its partner (nor the partner's resumed socket) ends the call.
   */
  Future<Void> reconcile(Session s, String streamId) {
    return directory.room(streamId).transform(ar -> {
      RoomLink link = s.rooms.get(streamId);
      if (link == null || ar.failed()) {
        return Future.succeededFuture();
      }
      var room = ar.result();
      if (room.contains(link.self)) {
        // listed (attached, or held by the other side's purge: a resume of this peer takes it back)
        PeerRef partner = link.partner;
        if (partner != null && room.peers().stream().noneMatch(p -> p.sameSocket(partner) || p.sameSlot(partner))) {
          calls.partnerGone(s, streamId, partner, LostPartner.Situation.RECONCILED_AWAY, 0,
              "the room no longer lists it after a merge");
        }
        return Future.succeededFuture();
      }
      LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] no longer lists {} after a merge: ending it"
          + " here", node, streamId, link.self);
      s.rooms.remove(streamId);
      calls.forget(link);
      if (link.partner != null) {
        s.send(ProtocolCodec.stop(streamId));
        events.ended(streamId, link.self, LeaveReason.REMOVED);
      }
      s.send(ProtocolCodec.leaved(streamId));
      events.left(streamId, link.self, LeaveReason.REMOVED);
      return Future.succeededFuture();
    });
  }
}
