package io.signaling.node.signal;

import io.signaling.node.NodeSettings;
import io.signaling.node.cluster.Courier;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.cluster.EnvelopeBatch;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ClientMessage;
import io.signaling.node.protocol.Command;
import io.signaling.node.protocol.ErrorDefinition;
import io.signaling.node.protocol.Inbound;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.RoomDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling logic of one event loop: the sockets it owns, the rooms they are in, and the envelopes its
 * inbox receives from every node. Everything here runs on that event loop; the room directory decides
 * membership atomically, and envelopes carry what one socket owes the other.
 */
public final class Switchboard {

  private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);

  private final String node;
  private final String inbox;
  private final Context context;
  private final RoomDirectory directory;
  private final Courier courier;
  private final ProtocolCodec codec;
  private final IceServerConfig iceServers;
  /** Join tokens are required: TURN credentials only for connections let into a room. */
  private final boolean iceNeedsJoin;
  private final LongSupplier sessionIds;
  private final SignalingMetrics metrics;
  private final NodeSettings.Limits limits;
  private final JoinAuthorizer authorizer;
  private final BooleanSupplier acceptingJoins;
  private final NodeSettings.Resume resume;
  private final ResumeBinding binding;
  private final Map<Long, Session> sessions = new HashMap<>();
  /**
   * Resume: sockets of this loop that closed with a held slot, for the window: relays that still reach them are
   * sent back to their sender, which keeps them for the peer's next socket.
   */
  private final Map<Long, Session> gone = new HashMap<>();
  /** Resume: links of this loop whose partner's slot is held (read by the metrics from any thread). */
  private volatile int heldPartners;
  private final CallDrain drain = new CallDrain(this::release);

  /** The longest a socket's command waits for the room directory before it is answered as failed. */
  static final long DIRECTORY_TIMEOUT_MILLIS = 10_000;

  /** WebSocket close codes this service uses beyond the standard ones. */
  public static final short CLOSE_POLICY = 1008;
  public static final short CLOSE_IDLE = 4000;
  public static final short CLOSE_SLOW_READER = 4001;
  /** Resume: a newer socket connected with the same peer id and took over its calls. */
  public static final short CLOSE_SUPERSEDED = 4002;

  public Switchboard(String node, String inbox, Context context, RoomDirectory directory, Courier courier,
      ProtocolCodec codec, IceServerConfig iceServers, LongSupplier sessionIds, SignalingMetrics metrics,
      NodeSettings.Limits limits, JoinAuthorizer authorizer, BooleanSupplier acceptingJoins,
      NodeSettings.Resume resume) {
    this.resume = resume;
    this.node = node;
    this.inbox = inbox;
    this.context = context;
    this.directory = directory;
    this.courier = courier;
    this.codec = codec;
    this.iceServers = iceServers;
    this.iceNeedsJoin = authorizer != JoinAuthorizer.OPEN;
    this.sessionIds = sessionIds;
    this.metrics = metrics;
    this.limits = limits;
    this.authorizer = authorizer;
    this.acceptingJoins = acceptingJoins;
    this.binding = new ResumeBinding(authorizer);
  }

  /** Handle of an open socket, for the transport. */
  public final class Connection {
    private final Session session;

    private Connection(Session session) {
      this.session = session;
    }

    public void onText(String text) {
      onText(text, text.length());
    }

    /** A text message of {@code bytes} bytes on the wire. */
    public void onText(String text, int bytes) {
      if (admit(session, bytes)) {
        Switchboard.this.onText(session, text);
      }
    }

    public void onBinary() {
      onBinary(0);
    }

    /** Binary frames are not part of the protocol: answered with an error, the socket stays open. */
    public void onBinary(int bytes) {
      if (admit(session, bytes)) {
        reject(session, new Inbound.Invalid(ErrorDefinition.MALFORMED_MESSAGE, null, null));
      }
    }

    public void onClose() {
      Switchboard.this.onClose(session);
    }

    public long id() {
      return session.id;
    }
  }

  /** A new socket; {@code urlToken} is the {@code token} query parameter of its URL, or null. */
  public Connection open(ClientSocket socket, String urlToken) {
    return open(socket, urlToken, null);
  }

  /**
   * A new socket; {@code urlToken} is the {@code token} query parameter of its URL, or null; {@code peerId} its
   * {@code peer} parameter (resume, opt-in; already checked for form), or null.
   */
  public Connection open(ClientSocket socket, String urlToken, String peerId) {
    return open(socket, urlToken, peerId, ByteBudget.UNLIMITED);
  }

  /** A new socket, as above, whose messages spend {@code bytes}. */
  public Connection open(ClientSocket socket, String urlToken, String peerId, ByteBudget bytes) {
    long now = System.nanoTime();
    Session session = new Session(sessionIds.getAsLong(), socket,
        new TokenBucket(limits.ratePerSecond(), limits.rateBurst(), now), bytes, urlToken,
        resume.seconds() == 0 ? null : peerId, now);
    sessions.put(session.id, session);
    metrics.connectionOpened();
    return new Connection(session);
  }

  public int connectionCount() {
    return sessions.size();
  }

  /** Rooms of this loop's sockets whose partner's slot is held now; safe to read from any thread. */
  public int heldPartners() {
    return heldPartners;
  }

  // ------------------------------------------------------------------ commands from the socket

  /** Rate limit: true when the message may be handled; otherwise it was answered (or the socket closed). */
  private boolean admit(Session s, int bytes) {
    long now = System.nanoTime();
    s.lastSeenNanos = now;
    if (s.closed || s.closing) {
      return false;
    }
    if (s.bucket.tryTake(now) && s.bytes.tryTake(bytes, now)) {
      return true;
    }
    // over the limit (messages or bytes): refuse this message, and stop reading the socket until a message token
    // is due, so a flood backs up in the client's TCP window instead of costing this event loop; a socket sending
    // large messages past its byte budget is refused again at once and closed after the refusals the abuse limit
    // allows (docs/PERFORMANCE.md, "A burst of large messages")
    violation(s, ErrorDefinition.RATE_LIMIT_EXCEEDED, null);
    if (!s.closing) {
      s.socket.pauseReading(Math.max(10, 1000 / Math.max(1, limits.ratePerSecond())));
    }
    return false;
  }

  /** A refused message: answered with an error; repeated abuse closes the socket with 1008. */
  private void violation(Session s, ErrorDefinition definition, String streamId) {
    error(s, definition, streamId);
    if (++s.violations >= limits.violationsBeforeClose() && !s.closing && !s.closed) {
      LOG.atInfo().addKeyValue("node", node).log("[node: {}] closing {} after {} refused messages", node, s.socket.remoteAddress(), s.violations);
      s.close(CLOSE_POLICY, "too many refused messages");
    }
  }

  /** Closes sockets that sent nothing for the idle timeout. */
  public void closeIdle() {
    if (limits.idleTimeoutSeconds() == 0) {
      return;
    }
    long limit = System.nanoTime() - limits.idleTimeoutSeconds() * 1_000_000_000L;
    for (Session s : new ArrayList<>(sessions.values())) {
      if (!s.closed && s.lastSeenNanos - limit < 0) {
        s.close(CLOSE_IDLE, "idle timeout");
      }
    }
  }

  private void onText(Session s, String text) {
    Inbound inbound = codec.decode(text);
    if (inbound instanceof Inbound.Invalid invalid) {
      enqueue(s, () -> {
        reject(s, invalid);
        return Future.succeededFuture();
      });
      return;
    }
    ClientMessage m = ((Inbound.Valid) inbound).message();
    enqueue(s, () -> answered(s, m));
  }

  private void reject(Session s, Inbound.Invalid invalid) {
    metrics.error(invalid.definition());
    s.send(ProtocolCodec.error(invalid));
  }

  private void error(Session s, ErrorDefinition definition, String streamId) {
    metrics.error(definition);
    s.send(ProtocolCodec.error(definition, streamId));
  }

  /** Runs {@code task} after every earlier command of the socket has finished. */
  private void enqueue(Session s, Supplier<Future<Void>> task) {
    if (s.tail.isComplete()) {
      s.tail = run(task);
    } else {
      s.tail = s.tail.transform(ignored -> run(task));
    }
  }

  private String iceAnswer(Session s, boolean withCredentials) {
    if (withCredentials && iceServers.issuesCredentials() && s.iceId == null) {
      s.iceId = iceServers.newConnectionId();
    }
    return iceServers.answer(s.iceId, withCredentials);
  }

  /**
   * With join tokens, a connection gets TURN credentials once a join of it is authorised: if it asked before, it is
   * sent them now, before {@code joined}, so that they are in place before its peer connection exists.
   */
  private void grantIce(Session s) {
    if (iceNeedsJoin && !s.iceGranted) {
      s.iceGranted = true;
      if (s.askedIce && iceServers.issuesCredentials()) {
        s.send(iceAnswer(s, true));
      }
    }
  }

  private static Future<Void> run(Supplier<Future<Void>> task) {
    try {
      return task.get();
    } catch (RuntimeException e) {
      LOG.error("Command failed", e);
      return Future.succeededFuture();
    }
  }

  /**
   * Handles a command; if that throws or fails, the client is answered {@code temporarilyUnavailable} for its
   * room (it may retry) instead of hearing nothing, and the socket's next command still runs.
   */
  private Future<Void> answered(Session s, ClientMessage m) {
    Future<Void> done;
    try {
      done = handle(s, m);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.recover(e -> {
      LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] {} failed: {}", node, m.streamId(),
          m.command(), e.toString());
      if (m.command() == Command.JOIN && s.joining.remove(m.streamId()) != null) {
        // a join that failed before the directory answered: the socket is not joining any more
        drain.callMayHaveEnded(s, sessions.values());
      }
      error(s, ErrorDefinition.TEMPORARILY_UNAVAILABLE, m.streamId());
      return Future.succeededFuture();
    });
  }

  /**
   * A call to the room directory, bounded: Hazelcast's own invocation timeout is minutes, and a socket's
   * commands wait for each other.
   */
  private <T> Future<T> directoryCall(java.util.concurrent.CompletionStage<T> call) {
    return Future.fromCompletionStage(call, context).timeout(DIRECTORY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  private Future<Void> handle(Session s, ClientMessage m) {
    switch (m.command()) {
      case PING:
        s.send(ProtocolCodec.PONG);
        return Future.succeededFuture();
      case GET_ICE_SERVER_CONFIG:
        s.askedIce = true;
        s.send(iceAnswer(s, !iceNeedsJoin || s.iceGranted));
        return Future.succeededFuture();
      case JOIN:
        if (!s.rooms.containsKey(m.streamId())) {
          if (s.rooms.size() + s.joining.size() >= limits.maxRoomsPerConnection()) {
            violation(s, ErrorDefinition.TOO_MANY_ROOMS, m.streamId());
            return Future.succeededFuture();
          }
          String token = ResumeBinding.authorising(m.token(), s.urlToken);
          if (!authorizer.mayJoin(m.streamId(), token) || binding.disagree(s.urlToken, m.token())) {
            violation(s, ErrorDefinition.UNAUTHORIZED_ACCESS, m.streamId());
            return Future.succeededFuture();
          }
          grantIce(s);
          return join(s, m.streamId(), m.playOnly(), binding.key(s.peerId, token));
        }
        return join(s, m.streamId(), m.playOnly(), null);
      case TAKE_CONFIGURATION:
        return relay(s, m, ProtocolCodec.takeConfiguration(m));
      case TAKE_CANDIDATE:
        return relay(s, m, ProtocolCodec.takeCandidate(m));
      case PEER_MESSAGE_COMMAND:
        return relay(s, m, m.text());
      case LEAVE:
      case STOP:
        return leave(s, m.streamId(), true);
      default:
        throw new IllegalStateException("unhandled command " + m.command());
    }
  }

  /** {@code resumeKey}: the join's resume key (see {@link ResumeBinding}), or null. */
  private Future<Void> join(Session s, String streamId, boolean playOnly, String resumeKey) {
    if (s.rooms.containsKey(streamId)) {
      s.send(ProtocolCodec.joined(streamId));
      return Future.succeededFuture();
    }
    if (!acceptingJoins.getAsBoolean()) {
      // merging back after a split: the rooms here may not be the cluster's; the client retries
      error(s, ErrorDefinition.TEMPORARILY_UNAVAILABLE, streamId);
      return Future.succeededFuture();
    }
    PeerRef self = new PeerRef(node, inbox, s.id, playOnly, resumeKey, 0);
    s.joining.put(streamId, new ArrayList<>(0));
    long started = System.nanoTime();
    return directoryCall(directory.join(streamId, self)).transform(ar -> {
      List<Envelope> early = s.joining.remove(streamId);
      if (ar.failed()) {
        LOG.atWarn().addKeyValue("node", node).log("[node: {}] join of room {} failed: {}", node, streamId, ar.cause().toString());
        // the join may still have been applied (a timeout): take this socket out again, quietly (nobody was
        // told of it), so the room does not keep a member its client believes it is not
        directory.leave(streamId, self, LeaveReason.CLOSED).whenComplete((d, e) -> {
          if (e != null) {
            LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] undoing a failed join failed: {}", node, streamId,
                e.toString());
          }
        });
        error(s, ErrorDefinition.TEMPORARILY_UNAVAILABLE, streamId);
        drain.callMayHaveEnded(s, sessions.values());
        return Future.succeededFuture();
      }
      JoinDecision d = ar.result();
      metrics.joined(d.outcome() == JoinDecision.Outcome.PAIRED, System.nanoTime() - started);
      switch (d.outcome()) {
        case FULL:
          error(s, ErrorDefinition.NO_SPACE_FOR_NEW_PEER, streamId);
          return Future.succeededFuture();
        case ALONE:
          s.rooms.put(streamId, new RoomLink(self, null, d.room().version()));
          s.send(ProtocolCodec.joined(streamId));
          break;
        case ALREADY_MEMBER:
          s.rooms.put(streamId, new RoomLink(self, d.partner(), d.room().version()));
          s.send(ProtocolCodec.joined(streamId));
          break;
        case PAIRED:
          RoomLink link = new RoomLink(self, d.partner(), d.room().version());
          s.rooms.put(streamId, link);
          s.send(ProtocolCodec.joined(streamId));
          boolean selfOffers = d.offerer().sameSocket(self);
          if (selfOffers) {
            s.send(ProtocolCodec.start(streamId));
          }
          PeerRef partner = d.partner();
          deliver(partner, Envelope.paired(self, partner, streamId, !selfOffers, d.room().version()))
              .onFailure(e -> partnerLost(s, streamId, partner, e));
          break;
        case RESUMED:
          resumed(s, streamId, self, d);
          break;
        default:
          throw new IllegalStateException("unhandled outcome " + d.outcome());
      }
      if (s.rooms.containsKey(streamId)) {
        metrics.roomOpened();
        s.rememberResumeKey(streamId, s.rooms.get(streamId).self.resumeKey());
      }
      if (early != null) {
        early.forEach(e -> onEnvelope(e));
      }
      drain.callMayHaveEnded(s, sessions.values());
      return Future.succeededFuture();
    });
  }

  /**
   * Resume: the socket took over its peer's slot ({@code d.replaced()}): {@code joined} and nothing else to it; an
   * older socket still attached is closed; the partner is told where the peer is now, and sends what it kept for
   * it. A partner whose own slot is held is waited for here the same way.
   */
  private void resumed(Session s, String streamId, PeerRef self, JoinDecision d) {
    RoomLink link = new RoomLink(self, d.partner(), d.room().version());
    s.rooms.put(streamId, link);
    s.send(ProtocolCodec.joined(streamId));
    metrics.slotResumed();
    LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] {} resumed a slot", node, streamId, self);
    PeerRef old = d.replaced();
    if (old != null && !old.held()) {
      deliver(old, Envelope.superseded(self, old, streamId, d.room().version()))
          .onFailure(e -> LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] could not close the older"
              + " socket {}: {}", node, streamId, old, e.toString()));
    }
    PeerRef partner = d.partner();
    if (partner == null) {
      return;
    }
    if (partner.held()) {
      if (link.holdPartner(partner)) {
        startHoldTimer(s, streamId, link, Math.max(1, partner.heldUntil() - System.currentTimeMillis()));
      }
      return;
    }
    deliver(partner, Envelope.resumed(self, partner, streamId, d.room().version()))
        .onFailure(e -> partnerLost(s, streamId, partner, e));
  }

  private Future<Void> relay(Session s, ClientMessage m, String text) {
    RoomLink link = s.rooms.get(m.streamId());
    if (link == null || link.partner == null) {
      error(s, ErrorDefinition.NO_PEER_ASSOCIATED_BEFORE, m.streamId());
      return Future.succeededFuture();
    }
    metrics.relayed(m.command());
    if (link.partnerHeld()) {
      if (!link.keep(text, resume.maxHeldMessages(), resume.maxHeldBytes())) {
        LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] relays kept for a held slot over the"
            + " limit: ending it", node, m.streamId());
        endHeldPartner(s, m.streamId(), link.partner);
      }
      return Future.succeededFuture();
    }
    Envelope envelope = Envelope.relay(link.self, link.partner, m.streamId(), text);
    if (link.partner.inbox().equals(inbox)) {
      onEnvelope(envelope);
    } else {
      courier.send(link.partner.inbox(), envelope, link.partner.node().equals(node));
    }
    return Future.succeededFuture();
  }

  /** Leaves one room; {@code answer}: the socket is open and gets {@code leaved} (or an error). */
  private Future<Void> leave(Session s, String streamId, boolean answer) {
    RoomLink link = s.rooms.remove(streamId);
    s.forgetResumeKey(streamId);
    if (link != null) {
      metrics.roomClosed();
      holdEnded(link);
    }
    if (link == null) {
      if (answer) {
        error(s, ErrorDefinition.NO_PEER_ASSOCIATED_BEFORE, streamId);
      }
      return Future.succeededFuture();
    }
    s.leaving++;
    return directoryCall(directory.leave(streamId, link.self, answer ? LeaveReason.LEAVE : LeaveReason.CLOSED))
        .transform(ar -> {
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
        LOG.atWarn().addKeyValue("node", node).log("[node: {}] leave of room {} failed, telling the partner known here: {}", node, streamId,
            ar.cause().toString());
        remaining = link.partner;
      }
      if (remaining != null) {
        PeerRef to = remaining;
        deliver(to, Envelope.partnerLeft(link.self, to, streamId, version))
            .onFailure(e -> LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] could not tell {} that its partner left: {}", node,
                streamId, to, e.toString()));
      }
      if (answer) {
        s.send(ProtocolCodec.leaved(streamId));
      }
      drain.callMayHaveEnded(s, sessions.values());
      return Future.succeededFuture();
    });
  }

  private void onClose(Session s) {
    if (s.closed) {
      return;
    }
    s.closed = true;
    metrics.connectionClosed();
    enqueue(s, () -> {
      List<Future<Void>> leaves = new ArrayList<>();
      for (String streamId : new ArrayList<>(s.rooms.keySet())) {
        leaves.add(holdOrLeave(s, streamId));
      }
      return Future.join(leaves).transform(ignored -> {
        sessions.remove(s.id);
        drain.callMayHaveEnded(null, sessions.values());
        return Future.succeededFuture();
      });
    });
  }

  /**
   * The socket is gone without a leave: a resumable peer in a call keeps its slot, held (its partner is told
   * nothing it would show: only that it should keep its relays); anything else leaves as before.
   */
  private Future<Void> holdOrLeave(Session s, String streamId) {
    RoomLink link = s.rooms.get(streamId);
    if (link == null || !link.self.resumable() || link.partner == null) {
      return leave(s, streamId, false);
    }
    gone.put(s.id, s);
    return directoryCall(directory.hold(streamId, link.self)).transform(ar -> {
      if (ar.failed() || !ar.result().removed()) {
        if (ar.failed()) {
          LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] hold failed, leaving: {}", node, streamId,
              ar.cause().toString());
        }
        return leave(s, streamId, false);
      }
      s.rooms.remove(streamId);
      metrics.roomClosed();
      metrics.slotHeld();
      LeaveDecision d = ar.result();
      PeerRef partner = d.remaining();
      long forgetAfter = Math.max(1, resume.seconds() * 1000L);
      context.owner().setTimer(forgetAfter, t -> gone.remove(s.id));
      if (partner == null || partner.held()) {
        return Future.succeededFuture();
      }
      // awaited, so a drain's deadline closes the node only after the partner knows to keep its relays
      return deliver(partner, Envelope.held(link.self, partner, streamId, d.room().version()))
          .recover(e -> {
            LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] could not tell {} that its partner's"
                + " slot is held: {}", node, streamId, partner, e.toString());
            return Future.succeededFuture();
          });
    });
  }

  /** The partner's slot is held: when its window passes with no resume, the socket gets {@code stop}. */
  private void startHoldTimer(Session s, String streamId, RoomLink link, long millis) {
    heldPartners++;
    PeerRef held = link.partner;
    link.holdTimer = context.owner().setTimer(millis, t -> enqueue(s, () -> {
      holdEnded(link);
      RoomLink now = s.rooms.get(streamId);
      if (now == link && link.partnerHeld() && held.sameSocket(link.partner)) {
        endHeldPartner(s, streamId, held);
      }
      return Future.succeededFuture();
    }));
  }

  private void holdEnded(RoomLink link) {
    if (link.holdTimer >= 0) {
      context.owner().cancelTimer(link.holdTimer);
      link.holdTimer = -1;
      heldPartners--;
    }
  }

  /**
   * The held partner's window passed (or its kept relays overflowed): its slot is removed, unless it was resumed
   * meanwhile (then the notice is on its way), and the socket gets {@code stop}, as it would have at once
   * without resume.
   */
  private void endHeldPartner(Session s, String streamId, PeerRef held) {
    RoomLink link = s.rooms.get(streamId);
    if (link == null) {
      return;
    }
    holdEnded(link);
    directoryCall(directory.evict(streamId, held, link.self, LeaveReason.EXPIRED)).compose(d -> d.removed()
        ? Future.succeededFuture(false)
        // not removed: resumed just now (its notice is on its way), unless the room moved on without it
        : directoryCall(directory.room(streamId)).map(room -> room.peers().stream()
            .anyMatch(p -> p.sameSlot(held) && !p.held() && !p.sameSocket(held))))
        .onComplete(ar -> {
          boolean resumedMeanwhile = ar.succeeded() && ar.result();
          if (s.rooms.get(streamId) != link || resumedMeanwhile) {
            return;
          }
          if (link.partnerLost(held)) {
            metrics.slotExpired();
            s.send(ProtocolCodec.stop(streamId));
            drain.callMayHaveEnded(s, sessions.values());
          }
        });
  }

  /** A relay reached a socket of this loop that is gone with a held slot: back to its sender, which keeps it. */
  private void returnRelay(Session g, Envelope e) {
    PeerRef self = new PeerRef(node, inbox, g.id, false, g.resumeKey(e.streamId()), 0);
    Envelope back = Envelope.returned(self, e.peer(), e.streamId(), e.text());
    if (e.peer().inbox().equals(inbox)) {
      onEnvelope(back);
    } else {
      courier.send(e.peer().inbox(), back, e.peer().node().equals(node));
    }
  }

  /** The partner could not be reached: take it out of the room and tell our socket {@code stop}. */
  private void partnerLost(Session s, String streamId, PeerRef partner, Throwable cause) {
    LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] partner {} unreachable, removing it: {}", node, streamId, partner,
        cause.toString());
    RoomLink link = s.rooms.get(streamId);
    if (link != null) {
      directory.evict(streamId, partner, link.self, LeaveReason.NODE_LOST).whenComplete((d, e) -> {
        if (e != null) {
          LOG.atWarn().addKeyValue("node", node).log("[node: {}] [room: {}] eviction of {} failed: {}", node, streamId, partner, e.toString());
        }
      });
    }
    if (link != null && link.partnerLost(partner)) {
      holdEnded(link);
      s.send(ProtocolCodec.stop(streamId));
      drain.callMayHaveEnded(s, sessions.values());
    }
  }

  // ------------------------------------------------------------------ envelopes from any node

  private Future<Void> deliver(PeerRef to, Envelope envelope) {
    if (to.inbox().equals(inbox)) {
      onEnvelope(envelope);
      return Future.succeededFuture();
    }
    return courier.deliver(to.inbox(), envelope, to.node().equals(node));
  }

  /** The inbox consumer: an envelope from this or another node. Notices are acknowledged. */
  public void onMessage(Message<Object> message) {
    if (message.body() instanceof EnvelopeBatch batch) {
      for (Envelope e : batch.envelopes()) {
        onEnvelope(e);
      }
    } else {
      onEnvelope((Envelope) message.body());
    }
    if (message.replyAddress() != null) {
      message.reply(null);
    }
  }

  private void onEnvelope(Envelope e) {
    if (e.kind() == Envelope.Kind.UNKNOWN) {
      // from a later release, during a rolling update: what it asks is not known here
      return;
    }
    Session s = sessions.get(e.target());
    if (s == null || s.closed) {
      Session g = s != null ? s : gone.get(e.target());
      if (g != null && g.resumable() && e.kind() == Envelope.Kind.RELAY) {
        returnRelay(g, e);
      }
      return;
    }
    String streamId = e.streamId();
    RoomLink link = s.rooms.get(streamId);
    if (link == null) {
      if (e.kind() == Envelope.Kind.RELAY && s.resumable() && gone.containsKey(s.id)) {
        // its slot here is held (a drain let it go, and it is not closed yet), or was taken over by a newer
        // socket whose notice has not reached the sender yet: the sender keeps it for the peer's new socket
        returnRelay(s, e);
        return;
      }
      List<Envelope> early = s.joining.get(streamId);
      if (early != null) {
        early.add(e);
      }
      return;
    }
    switch (e.kind()) {
      case RELAY:
        if (link.acceptsRelayFrom(e.peer())) {
          s.send(e.text());
        }
        break;
      case PAIRED:
        if (e.version() > link.version) {
          // a fresh pairing (say, after a held slot expired) ends any hold
          holdEnded(link);
          link.endHold();
        }
        switch (link.paired(e.peer(), e.version())) {
          case REPLACED_PARTNER:
            s.send(ProtocolCodec.stop(streamId));
            if (e.start()) {
              s.send(ProtocolCodec.start(streamId));
            }
            break;
          case NEW_PARTNER:
            if (e.start()) {
              s.send(ProtocolCodec.start(streamId));
            }
            break;
          default:
            break;
        }
        break;
      case PARTNER_LEFT:
        if (link.partnerLeft(e.peer(), e.version())) {
          holdEnded(link);
          s.send(ProtocolCodec.stop(streamId));
          drain.callMayHaveEnded(s, sessions.values());
        }
        break;
      case HELD:
        if (link.holdPartner(e.peer())) {
          startHoldTimer(s, streamId, link, resume.seconds() * 1000L);
        }
        break;
      case RETURNED:
        if (!link.partnerHeld() && link.holdPartner(e.peer())) {
          // sent back before the hold notice arrived: the partner's socket is gone all the same
          startHoldTimer(s, streamId, link, resume.seconds() * 1000L);
        }
        if (link.partnerHeld() && e.peer().sameSocket(link.partner)) {
          if (!link.keepReturned(e.text(), resume.maxHeldMessages(), resume.maxHeldBytes())) {
            endHeldPartner(s, streamId, link.partner);
          }
        } else if (link.partner != null && link.partner.sameSlot(e.peer())) {
          // came back after the peer resumed: on to its new socket
          forward(link, streamId, e.text());
        }
        break;
      case RESUMED:
        List<String> kept = link.partnerResumed(e.peer(), e.version());
        if (kept != null) {
          holdEnded(link);
          for (String text : kept) {
            forward(link, streamId, text);
          }
        }
        break;
      case REMOVED:
        // the admin API took this socket out of the room (the directory already has it out): stop, and forget it
        s.rooms.remove(streamId);
        holdEnded(link);
        metrics.roomClosed();
        s.send(ProtocolCodec.stop(streamId));
        drain.callMayHaveEnded(s, sessions.values());
        break;
      case SUPERSEDED:
        // the newest socket of the peer has the slot now: this one is closed, and its partner sees nothing
        s.rooms.remove(streamId);
        metrics.roomClosed();
        s.superseded = true;
        gone.put(s.id, s);
        context.owner().setTimer(Math.max(1, resume.seconds() * 1000L), t -> gone.remove(s.id));
        LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] {} superseded by a newer socket of its"
            + " peer: closing it", node, streamId, link.self);
        s.close(CLOSE_SUPERSEDED, "superseded by a newer connection");
        break;
      default:
        throw new IllegalStateException("unhandled envelope " + e.kind());
    }
  }

  /** A relay kept for a held partner, sent on to its new socket (in the order kept). */
  private void forward(RoomLink link, String streamId, String text) {
    Envelope envelope = Envelope.relay(link.self, link.partner, streamId, text);
    if (link.partner.inbox().equals(inbox)) {
      onEnvelope(envelope);
    } else {
      courier.send(link.partner.inbox(), envelope, link.partner.node().equals(node));
    }
  }

  /**
   * A node left the cluster: every partner there is gone; our sockets get {@code stop}, but for partners that
   * opted in to resume: their slots are held (the purge holds them in the room too) and kept for here.
   */
  public void onNodeLeft(String departed) {
    int stopped = 0;
    boolean holds = resume.seconds() > 0;
    for (Session s : sessions.values()) {
      for (Map.Entry<String, RoomLink> entry : s.rooms.entrySet()) {
        RoomLink link = entry.getValue();
        if (link.partnerNodeLeft(departed, holds)) {
          s.send(ProtocolCodec.stop(entry.getKey()));
          stopped++;
        } else if (holds && link.partner != null && link.partner.node().equals(departed)
            && link.holdPartner(link.partner)) {
          startHoldTimer(s, entry.getKey(), link, resume.seconds() * 1000L);
        }
      }
    }
    drain.callsMayHaveEnded(sessions.values());
    if (stopped > 0) {
      LOG.atInfo().addKeyValue("node", node).log("[node: {}] node {} left: {} room(s) here told stop", node, departed, stopped);
    }
  }

  /**
   * After a split-brain merge: every room this loop's sockets believe they are in is checked against the
   * cluster; a room that no longer lists the socket ends for it with {@code stop} (when it had a partner)
   * and {@code leaved}, instead of hanging.
   */
  public void reconcile() {
    for (Session s : new ArrayList<>(sessions.values())) {
      for (String streamId : new ArrayList<>(s.rooms.keySet())) {
        enqueue(s, () -> directoryCall(directory.room(streamId)).transform(ar -> {
          RoomLink link = s.rooms.get(streamId);
          if (link == null || ar.failed() || ar.result().contains(link.self)) {
            return Future.succeededFuture();
          }
          LOG.atInfo().addKeyValue("node", node).log("[node: {}] [room: {}] no longer lists {} after a merge: ending it here", node, streamId,
              link.self);
          s.rooms.remove(streamId);
          metrics.roomClosed();
          holdEnded(link);
          if (link.partner != null) {
            s.send(ProtocolCodec.stop(streamId));
          }
          s.send(ProtocolCodec.leaved(streamId));
          drain.callMayHaveEnded(s, sessions.values());
          return Future.succeededFuture();
        }));
      }
    }
  }

  /**
   * Starts the drain (see {@link CallDrain}): sockets in no call are released now, sockets in a call when
   * their last call ends. Completes when no socket is held. Joins are refused meanwhile (the node is not
   * accepting joins while it drains).
   */
  public Future<Void> drain() {
    return drain.start(sessions.values());
  }

  /** Calls this loop's drain still holds open; safe to read from any thread. */
  public int heldCalls() {
    return drain.held();
  }

  /**
   * The drain's deadline (or a second signal): every socket still held is released as well, its rooms left
   * (partners get {@code stop}). Completes when every room was left.
   */
  public Future<Void> endDrain() {
    List<Future<Void>> done = new ArrayList<>();
    for (Session s : new ArrayList<>(sessions.values())) {
      if (!s.released && !s.closed) {
        s.released = true;
        release(s);
      }
      done.add(s.tail);
    }
    return Future.join(done).mapEmpty();
  }

  /**
   * Tells the socket the server will stop, leaves its rooms (partners get {@code stop}) and closes it with 1001.
   * A socket that opted in to resume keeps its calls: their slots are held, for the client to resume on another
   * node.
   */
  private void release(Session s) {
    s.send(ProtocolCodec.SERVER_WILL_STOP);
    enqueue(s, () -> {
      List<Future<Void>> leaves = new ArrayList<>();
      for (String streamId : new ArrayList<>(s.rooms.keySet())) {
        leaves.add(holdOrLeave(s, streamId));
      }
      return Future.join(leaves).mapEmpty();
    });
    s.tail.onComplete(ignored -> s.close((short) 1001, "server shutting down"));
  }
}
