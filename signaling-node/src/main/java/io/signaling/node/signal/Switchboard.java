package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.Limits;
import io.signaling.node.Resume;
import io.signaling.node.cluster.Courier;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.RoomDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling logic of one event loop, as the transport sees it: the sockets it owns, the rooms they are in, and
 * the envelopes its inbox receives from every node. Everything here runs on that event loop; the room directory
 * decides membership atomically, and envelopes carry what one socket owes the other.
 *
 * <p>This class only composes the parts (see docs/ARCHITECTURE.md, "One event loop's signaling"): {@link Commands}
 * (what a socket sends), {@link Memberships} (its joins, leaves and holds), {@link Calls} (its partner, and the one
 * decision for a lost partner), {@link Envelopes} (the inbox) and {@link Outbound}, over {@link Sessions}; the life
 * of calls is reported to {@link CallListener}s, the drain and the metrics among them.
 */
public final class Switchboard {

  private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);

  /** The longest a socket's command waits for the room directory before it is answered as failed. */
  static final long DIRECTORY_TIMEOUT_MILLIS = 10_000;

  /** WebSocket close codes this service uses beyond the standard ones. */
  public static final short CLOSE_POLICY = 1008;
  public static final short CLOSE_IDLE = 4000;
  public static final short CLOSE_SLOW_READER = 4001;
  /** Resume: a newer socket connected with the same peer id and took over its calls. */
  public static final short CLOSE_SUPERSEDED = 4002;

  private final String node;
  private final LongSupplier sessionIds;
  private final SignalingMetrics metrics;
  private final Limits limits;
  private final Resume resume;
  private final Sessions sessions;
  private final CallDrain drain;
  private final Calls calls;
  private final Memberships memberships;
  private final Envelopes envelopes;
  private final Commands commands;

  public Switchboard(String node, String inbox, Context context, RoomDirectory directory, Courier courier,
      ProtocolCodec codec, IceServerConfig iceServers, LongSupplier sessionIds, SignalingMetrics metrics,
      Limits limits, JoinAuthorizer authorizer, BooleanSupplier acceptingJoins,
      Resume resume) {
    this(node, inbox, context, directory, courier, codec, iceServers, sessionIds, metrics, limits, authorizer,
        acceptingJoins, resume, List.of(), DIRECTORY_TIMEOUT_MILLIS);
  }

  /**
   * @param listeners told of the life of this loop's calls (after the drain and the metrics), on the event loop
   * @param directoryTimeoutMillis the longest a room-directory call may take
   */
  public Switchboard(String node, String inbox, Context context, RoomDirectory directory, Courier courier,
      ProtocolCodec codec, IceServerConfig iceServers, LongSupplier sessionIds, SignalingMetrics metrics,
      Limits limits, JoinAuthorizer authorizer, BooleanSupplier acceptingJoins,
      Resume resume, List<CallListener> listeners, long directoryTimeoutMillis) {
    this.node = node;
    this.sessionIds = sessionIds;
    this.metrics = metrics;
    this.limits = limits;
    this.resume = resume;
    this.sessions = new Sessions(context.owner(), resume.seconds());
    this.drain = new CallDrain(this::release);
    List<CallListener> all = new ArrayList<>();
    all.add(new CallMetrics(metrics));
    all.add(new DrainOnCalls());
    all.addAll(listeners);
    CallListener events = CallListener.all(all);
    DirectoryCalls directoryCalls = new DirectoryCalls(directory, context, directoryTimeoutMillis);
    // the loop's own inbox is the last part made; envelopes to sockets of this loop reach it through this
    Envelopes[] inboxOfThisLoop = new Envelopes[1];
    Outbound outbound = new Outbound(node, inbox, courier, e -> inboxOfThisLoop[0].onEnvelope(e));
    this.calls = new Calls(node, context.owner(), directoryCalls, outbound, events, resume, System::currentTimeMillis);
    this.memberships = new Memberships(node, inbox, directoryCalls, outbound, calls, sessions, events, metrics,
        acceptingJoins, resume, System::currentTimeMillis);
    this.envelopes = new Envelopes(node, inbox, sessions, calls, memberships, outbound);
    inboxOfThisLoop[0] = envelopes;
    this.commands = new Commands(node, codec, iceServers, metrics, limits, authorizer,
        new ResumeBinding(authorizer), memberships, calls,
        envelopes::onEnvelope, s -> drain.callMayHaveEnded(s, sessions.all()));
  }

  /** The drain as a listener of calls: whatever happens to a socket's calls may let the drain release it. */
  private final class DrainOnCalls implements CallListener {
    private void check(PeerRef self) {
      drain.callMayHaveEnded(sessions.get(self.session()), sessions.all());
    }

    @Override
    public void joined(String streamId, PeerRef self) {
      check(self);
    }

    @Override
    public void ended(String streamId, PeerRef self, LeaveReason reason) {
      check(self);
    }

    @Override
    public void left(String streamId, PeerRef self, LeaveReason reason) {
      check(self);
    }

    @Override
    public void held(String streamId, PeerRef self) {
      check(self);
    }
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
      if (commands.admit(session, bytes)) {
        commands.onText(session, text);
      }
    }

    public void onBinary() {
      onBinary(0);
    }

    /** Binary frames are not part of the protocol: answered with an error, the socket stays open. */
    public void onBinary(int bytes) {
      if (commands.admit(session, bytes)) {
        commands.onBinary(session);
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
    sessions.add(session);
    metrics.connectionOpened();
    return new Connection(session);
  }

  public int connectionCount() {
    return sessions.count();
  }

  /** Sockets gone with a slot that may be held, kept for the resume window (then forgotten). */
  int goneCount() {
    return sessions.goneCount();
  }

  /** Rooms of this loop's sockets whose partner's slot is held now; safe to read from any thread. */
  public int heldPartners() {
    return calls.heldPartners();
  }

  /** Closes sockets that sent nothing for the idle timeout. */
  public void closeIdle() {
    commands.closeIdle(sessions.snapshot());
  }

  private void onClose(Session s) {
    if (s.closed) {
      return;
    }
    s.closed = true;
    metrics.connectionClosed();
    s.enqueue(() -> memberships.holdOrLeaveAll(s).transform(ignored -> {
      sessions.remove(s);
      drain.callMayHaveEnded(null, sessions.all());
      return Future.succeededFuture();
    }));
  }

  /** The inbox consumer: an envelope from this or another node. Notices are acknowledged. */
  public void onMessage(Message<Object> message) {
    envelopes.onMessage(message);
  }

  /**
   * A node left the cluster: every partner there is found gone (see {@link LostPartner}): our sockets get
   * {@code stop}, but for partners that opted in to resume, whose slots are held (the purge holds them in the room
   * too) and kept for here.
   */
  public void onNodeLeft(String departed) {
    int stopped = 0;
    for (Session s : sessions.snapshot()) {
      stopped += calls.onNodeLeft(s, departed);
    }
    drain.callsMayHaveEnded(sessions.all());
    if (stopped > 0) {
      LOG.atInfo().addKeyValue("node", node).log("[node: {}] node {} left: {} room(s) here told stop", node,
          departed, stopped);
    }
  }

  /**
   * After a split-brain merge: every room this loop's sockets believe they are in is checked against the
   * cluster (see {@link Memberships#reconcile}).
   */
  public void reconcile() {
    for (Session s : sessions.snapshot()) {
      for (String streamId : new ArrayList<>(s.rooms.keySet())) {
        commands.enqueue(s, () -> memberships.reconcile(s, streamId));
      }
    }
  }

  /**
   * Starts the drain (see {@link CallDrain}): sockets in no call are released now, sockets in a call when
   * their last call ends. Completes when no socket is held. Joins are refused meanwhile (the node is not
   * accepting joins while it drains).
   */
  public Future<Void> drain() {
    return drain.start(sessions.all());
  }

  /** Calls this loop's drain still holds open; safe to read from any thread. */
  public int heldCalls() {
    return drain.held();
  }

  /**
   * The drain's deadline (or a second signal): every socket still held is released as well, its rooms left
   * (partners get {@code stop}) or, for a socket that opted in to resume, held. Completes when every room was left.
   */
  public Future<Void> endDrain() {
    List<Future<Void>> done = new ArrayList<>();
    for (Session s : sessions.snapshot()) {
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
    s.enqueue(() -> memberships.holdOrLeaveAll(s));
    s.tail.onComplete(ignored -> s.close((short) 1001, "server shutting down"));
  }
}
