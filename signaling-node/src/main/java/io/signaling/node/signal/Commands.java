package io.signaling.node.signal;

import io.signaling.node.Limits;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ClientMessage;
import io.signaling.node.protocol.Command;
import io.signaling.node.protocol.ErrorDefinition;
import io.signaling.node.protocol.Inbound;
import io.signaling.node.protocol.ProtocolCodec;
import io.vertx.core.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a socket sends: admission (the rate limit, refused messages, the idle timeout), the socket's command
 * queue, and the dispatch of each command (pings and ICE answers here, joins and leaves to {@link Memberships},
 * relays to {@link Calls}). A command that throws or fails is answered {@code temporarilyUnavailable}.
 */
final class Commands {

  private static final Logger LOG = LoggerFactory.getLogger(Commands.class);

  private final String node;
  private final ProtocolCodec codec;
  private final IceServerConfig iceServers;
  /** Join tokens are required: TURN credentials only for connections let into a room. */
  private final boolean iceNeedsJoin;
  private final SignalingMetrics metrics;
  private final Limits limits;
  private final JoinAuthorizer authorizer;
  private final ResumeBinding binding;
  private final Memberships memberships;
  private final Calls calls;
  private final Consumer<Envelope> early;
  private final Consumer<Session> settled;

  /**
   * @param early handles a notice that arrived for a room before the directory answered the socket's join
   * @param settled runs after each command of a socket has finished (the drain checks the socket then)
   */
  Commands(String node, ProtocolCodec codec, IceServerConfig iceServers, SignalingMetrics metrics,
      Limits limits, JoinAuthorizer authorizer, ResumeBinding binding, Memberships memberships,
      Calls calls, Consumer<Envelope> early, Consumer<Session> settled) {
    this.node = node;
    this.codec = codec;
    this.iceServers = iceServers;
    this.iceNeedsJoin = authorizer != JoinAuthorizer.OPEN;
    this.metrics = metrics;
    this.limits = limits;
    this.authorizer = authorizer;
    this.binding = binding;
    this.memberships = memberships;
    this.calls = calls;
    this.early = early;
    this.settled = settled;
  }

  // ------------------------------------------------------------------ admission

  /**
   * Rate limit and byte budget: true when a message of {@code bytes} may be handled; otherwise it was answered (or
   * the socket closed).
   */
  boolean admit(Session s, int bytes) {
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
      LOG.atInfo().addKeyValue("node", node).log("[node: {}] closing {} after {} refused messages", node,
          s.socket.remoteAddress(), s.violations);
      s.close(Switchboard.CLOSE_POLICY, "too many refused messages");
    }
  }

  /** Closes sockets that sent nothing for the idle timeout. */
  void closeIdle(Iterable<Session> sessions) {
    if (limits.idleTimeoutSeconds() == 0) {
      return;
    }
    long limit = System.nanoTime() - limits.idleTimeoutSeconds() * 1_000_000_000L;
    for (Session s : sessions) {
      if (!s.closed && s.lastSeenNanos - limit < 0) {
        s.close(Switchboard.CLOSE_IDLE, "idle timeout");
      }
    }
  }

  // ------------------------------------------------------------------ the command queue

  void onText(Session s, String text) {
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

  /** Binary frames are not part of the protocol: answered with an error, the socket stays open. */
  void onBinary(Session s) {
    reject(s, new Inbound.Invalid(ErrorDefinition.MALFORMED_MESSAGE, null, null));
  }

  /** Runs {@code task} after every earlier command of the socket, and {@code settled} after it. */
  void enqueue(Session s, Supplier<Future<Void>> task) {
    s.enqueue(() -> task.get().andThen(ignored -> settled.accept(s)));
  }

  private void reject(Session s, Inbound.Invalid invalid) {
    metrics.error(invalid.definition());
    s.send(ProtocolCodec.error(invalid));
  }

  private void error(Session s, ErrorDefinition definition, String streamId) {
    metrics.error(definition);
    s.send(ProtocolCodec.error(definition, streamId));
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
      if (m.command() == Command.JOIN) {
        // a join that failed before the directory answered: the socket is not joining any more
        s.joining.remove(m.streamId());
      }
      error(s, ErrorDefinition.TEMPORARILY_UNAVAILABLE, m.streamId());
      return Future.succeededFuture();
    });
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
          return memberships.join(s, m.streamId(), m.playOnly(), binding.key(s.peerId, token), early);
        }
        return memberships.join(s, m.streamId(), m.playOnly(), null, early);
      case TAKE_CONFIGURATION:
        return relay(s, m, ProtocolCodec.takeConfiguration(m));
      case TAKE_CANDIDATE:
        return relay(s, m, ProtocolCodec.takeCandidate(m));
      case PEER_MESSAGE_COMMAND:
        return relay(s, m, m.text());
      case LEAVE:
      case STOP:
        return memberships.leave(s, m.streamId());
      default:
        throw new IllegalStateException("unhandled command " + m.command());
    }
  }

  private Future<Void> relay(Session s, ClientMessage m, String text) {
    RoomLink link = s.rooms.get(m.streamId());
    if (link == null || link.partner == null) {
      error(s, ErrorDefinition.NO_PEER_ASSOCIATED_BEFORE, m.streamId());
      return Future.succeededFuture();
    }
    metrics.relayed(m.command());
    calls.relay(s, m.streamId(), link, text);
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------ ICE servers

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
}
