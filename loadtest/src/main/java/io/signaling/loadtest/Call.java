package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * One full call setup between two connected peers, driven by the replies (all on one event loop), the one call
 * model of every scenario. In our protocol: A joins, then B joins (pairing starts), A receives {@code start} and
 * sends the offer, B answers and sends its candidates, A sends its candidates after the answer; once every
 * candidate arrived the call holds, then A leaves, B receives {@code stop} and leaves too. In the PeerJS
 * server's protocol (no rooms): A sends the offer to B's id, B answers and sends its candidates, A sends its
 * candidates after the answer; once every candidate arrived the call holds and is done (the caller closes the
 * sockets). Every expected message is counted: the call fails when one has not arrived by the deadline, and the
 * missing ones are counted as lost. {@link #untilPaired()} makes it the first part only (join, join, start),
 * for scenarios that hold paired peers.
 */
final class Call {

  /**
   * A setup a draining node turned away before the call was paired (its upgrade, its join, or its socket
   * released with {@code server_will_stop}): the caller may try it again on other nodes. Nothing was counted.
   */
  static final class Refused extends RuntimeException {
    final String reason;

    Refused(String reason) {
      super(reason, null, false, false);
      this.reason = reason;
    }
  }

  /** Messages each call of our protocol expects to receive: per peer joined, start/offer, answer(A), candidates, stop(B), leaved. */
  static int expectedMessages(int candidates) {
    return Protocol.AMS.expectedMessages(candidates);
  }

  /** Messages each call of our protocol sends: 2 joins, offer, answer, candidates both ways, 2 leaves. */
  static int sentMessages(int candidates) {
    return Protocol.AMS.sentMessages(candidates);
  }

  private final Vertx vertx;
  private final Stats stats;
  private final CallModel model;
  private final Protocol protocol;
  private final Messages messages;
  private final PeerJsMessages peerJs;
  private final Peer a;
  private final Peer b;
  private final String streamId;
  private final int candidates;
  private final long holdMillis;
  private final long intendedNanos;
  private final Promise<Void> done = Promise.promise();

  private long joinSentB;
  private long setupStartedNanos;
  private int received;
  private int candidatesAtA;
  private int candidatesAtB;
  private boolean answered;
  private boolean negotiated;
  private boolean leaving;
  private boolean aLeft;
  private boolean bLeft;
  private long deadlineTimer = -1;
  private long negotiatedNanos;
  private boolean started;
  private boolean retryOnDrain;
  private String completedCounter = Stats.OPS_COMPLETED;
  private String failedCounter = Stats.OPS_FAILED;

  private boolean untilPaired;
  private String timeoutError = "callTimedOut";

  Call(Vertx vertx, Stats stats, CallModel model, Peer a, Peer b, String streamId, long intendedNanos) {
    this.vertx = vertx;
    this.stats = stats;
    this.model = model;
    this.protocol = model.protocol();
    this.messages = model.messages();
    this.peerJs = model.peerJs();
    this.a = a;
    this.b = b;
    this.streamId = streamId;
    this.candidates = model.candidates();
    this.holdMillis = model.holdMillis();
    this.intendedNanos = intendedNanos;
  }

  /**
   * The call ends once A saw {@code start} (its pairing latency recorded): the peers stay in their room and are
   * handed back to the caller. Nothing else is recorded or counted; a call not paired by the deadline fails
   * with {@code pairingTimedOut}.
   */
  Call untilPaired() {
    if (protocol != Protocol.AMS) {
      throw new IllegalStateException("only our protocol has rooms to pair in");
    }
    untilPaired = true;
    timeoutError = "pairingTimedOut";
    return this;
  }

  /**
   * A drain that turns this setup away before pairing fails the call with {@link Refused} instead of an error,
   * and completed and failed calls are counted under {@code prefix.completed} / {@code prefix.failed}.
   */
  Call retryOnDrain(String prefix) {
    retryOnDrain = true;
    completedCounter = prefix + ".completed";
    failedCounter = prefix + ".failed";
    return this;
  }

  /** Runs the call within the model's deadline. */
  Future<Void> run() {
    return run(model.deadlineMillis());
  }

  /** Runs the call; the future fails (after counting what was lost) when the deadline passes first. */
  Future<Void> run(long deadlineMillis) {
    a.handler(this::atA);
    b.handler(this::atB);
    a.onClose(() -> closed(a));
    b.onClose(() -> closed(b));
    deadlineTimer = vertx.setTimer(deadlineMillis + (untilPaired ? 0 : holdMillis), t -> {
      deadlineTimer = -1;
      fail(timeoutError);
    });
    setupStartedNanos = System.nanoTime();
    if (protocol == Protocol.PEERJS) {
      joinSentB = setupStartedNanos;
      a.send(peerJs.offer(b.id, streamId, System.nanoTime()));
    } else {
      a.send(Messages.join(streamId));
    }
    return done.future();
  }

  private void fail(String why) {
    if (done.future().isComplete()) {
      return;
    }
    stats.error(why);
    if (untilPaired) {
      finish(false);
      return;
    }
    stats.count(Stats.LOST, Math.max(0, protocol.expectedMessages(candidates) - received));
    stats.count(failedCounter);
    finish(false);
  }

  private boolean left(Peer p) {
    return p == a ? aLeft : bLeft;
  }

  /**
   * A draining node let {@code p} go ({@code server_will_stop}, or a close). After the peer left, that is the
   * node releasing a socket whose call ended; while the call is being left, it is how the peer left; before
   * pairing, a setup to retry elsewhere (when asked to); in a call, an error (a drain must not end calls).
   */
  private void released(Peer p, String reason) {
    if (done.future().isComplete() || left(p)) {
      return;
    }
    if (leaving && !reason.equals("socketClosed")) {
      if (p == a) {
        aLeft = true;
      } else {
        bLeft = true;
      }
      checkLeft();
    } else if (retryOnDrain && !started) {
      refuse(reason);
    } else {
      fail(reason.equals("socketClosed") ? reason : "drainEndedCall");
    }
  }

  private void closed(Peer p) {
    Short code = p.closeCode();
    released(p, code != null && code == 1001 ? "releasedByDrain" : "socketClosed");
  }

  /** The call is over: its deadline and its peers' handlers stop. */
  private void detach() {
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
    }
    a.handler(m -> { });
    b.handler(m -> { });
    a.onClose(() -> { });
    b.onClose(() -> { });
  }

  private void refuse(String reason) {
    detach();
    done.fail(new Refused(reason));
  }

  private void finish(boolean ok) {
    detach();
    if (ok && untilPaired) {
      done.complete();
    } else if (ok) {
      stats.count(completedCounter);
      // setup: from the call's intended start until both sides had every message (the hold is not part of it)
      long now = System.nanoTime();
      long end = negotiatedNanos > 0 ? negotiatedNanos : now;
      stats.record("setup", a.node, end - intendedNanos);
      if (holdMillis > 0) {
        // the whole call, hold and leave included (what "setup" measured before the hold was taken out of it)
        stats.record("call", -1, now - intendedNanos);
      }
      done.complete();
    } else {
      done.fail(new IllegalStateException("call " + streamId + " failed"));
    }
  }

  private void atA(Reply m) {
    if (protocol == Protocol.PEERJS) {
      peerJsAtA(m);
      return;
    }
    if (Peer.releasedByDrain(m)) {
      released(a, "releasedByDrain");
      return;
    }
    if (retryOnDrain && Peer.joinRefused(m) && streamId.equals(m.streamId())) {
      released(a, "joinRefused");
      return;
    }
    if (!streamId.equals(m.streamId()) && !m.isError()) {
      stats.count(Stats.UNEXPECTED);
      return;
    }
    received++;
    long now = System.nanoTime();
    switch (m.kind()) {
      case "joined" -> {
        if (!untilPaired) {
          stats.record("joined", a.node, now - setupStartedNanos);
        }
        joinSentB = System.nanoTime();
        b.send(Messages.join(streamId));
      }
      case "start" -> {
        started = true;
        stats.record("pairing", a.node, now - joinSentB);
        if (untilPaired) {
          finish(true);
          return;
        }
        a.send(messages.offer(streamId, System.nanoTime()));
      }
      case "takeConfiguration" -> {
        relayed(a, m, now);
        answered = true;
        for (int i = 0; i < candidates; i++) {
          a.send(Messages.candidate(streamId, i, System.nanoTime()));
        }
        checkNegotiated();
      }
      case "takeCandidate" -> {
        relayed(a, m, now);
        candidatesAtA++;
        checkNegotiated();
      }
      case "leaved" -> {
        aLeft = true;
        checkLeft();
      }
      default -> unexpected(m);
    }
  }

  private void atB(Reply m) {
    if (protocol == Protocol.PEERJS) {
      peerJsAtB(m);
      return;
    }
    if (Peer.releasedByDrain(m)) {
      released(b, "releasedByDrain");
      return;
    }
    if (retryOnDrain && Peer.joinRefused(m) && streamId.equals(m.streamId())) {
      released(b, "joinRefused");
      return;
    }
    if (!streamId.equals(m.streamId()) && !m.isError()) {
      stats.count(Stats.UNEXPECTED);
      return;
    }
    received++;
    long now = System.nanoTime();
    switch (m.kind()) {
      case "joined" -> {
        if (!untilPaired) {
          stats.record("joined", b.node, now - joinSentB);
        }
      }
      case "takeConfiguration" -> {
        relayed(b, m, now);
        b.send(messages.answer(streamId, System.nanoTime()));
        for (int i = 0; i < candidates; i++) {
          b.send(Messages.candidate(streamId, i, System.nanoTime()));
        }
      }
      case "takeCandidate" -> {
        relayed(b, m, now);
        candidatesAtB++;
        checkNegotiated();
      }
      case "stop" -> b.send(Messages.leave(streamId));
      case "leaved" -> {
        bLeft = true;
        checkLeft();
      }
      default -> unexpected(m);
    }
  }

  /** A in the PeerJS server's protocol: the answer, then B's candidates. */
  private void peerJsAtA(Reply m) {
    if (!streamId.equals(m.streamId()) && !m.isError()) {
      stats.count(Stats.UNEXPECTED);
      return;
    }
    received++;
    long now = System.nanoTime();
    switch (m.kind()) {
      case "ANSWER" -> {
        relayed(a, m, now);
        answered = true;
        for (int i = 0; i < candidates; i++) {
          a.send(PeerJsMessages.candidate(b.id, streamId, i, System.nanoTime()));
        }
        checkNegotiated();
      }
      case "CANDIDATE" -> {
        relayed(a, m, now);
        candidatesAtA++;
        checkNegotiated();
      }
      default -> unexpected(m);
    }
  }

  /** B in the PeerJS server's protocol: the offer (answered at once, with B's candidates), then A's candidates. */
  private void peerJsAtB(Reply m) {
    if (!streamId.equals(m.streamId()) && !m.isError()) {
      stats.count(Stats.UNEXPECTED);
      return;
    }
    received++;
    long now = System.nanoTime();
    switch (m.kind()) {
      case "OFFER" -> {
        started = true;
        relayed(b, m, now);
        b.send(peerJs.answer(a.id, streamId, System.nanoTime()));
        for (int i = 0; i < candidates; i++) {
          b.send(PeerJsMessages.candidate(a.id, streamId, i, System.nanoTime()));
        }
      }
      case "CANDIDATE" -> {
        relayed(b, m, now);
        candidatesAtB++;
        checkNegotiated();
      }
      default -> unexpected(m);
    }
  }

  private void unexpected(Reply m) {
    received--;
    stats.count(Stats.UNEXPECTED);
    if (m.isError()) {
      fail("callGotError");
    }
  }

  private void relayed(Peer at, Reply m, long now) {
    long sent = Messages.intendedNanos(m);
    if (sent > 0) {
      stats.record("relay." + m.command(), at.node, now - sent);
    }
  }

  private void checkNegotiated() {
    if (negotiated || !answered || candidatesAtA < candidates || candidatesAtB < candidates) {
      return;
    }
    negotiated = true;
    negotiatedNanos = System.nanoTime();
    stats.record("negotiation", a.node, negotiatedNanos - joinSentB);
    if (holdMillis > 0) {
      vertx.setTimer(holdMillis, t -> {
        // the hold as it was actually kept (the timer's own lateness included), reported apart from the setup
        stats.record("hold", -1, System.nanoTime() - negotiatedNanos);
        leave();
      });
    } else {
      leave();
    }
  }

  private void leave() {
    if (!leaving && !done.future().isComplete()) {
      leaving = true;
      if (protocol == Protocol.PEERJS) {
        // no rooms to leave: the call is over, and the caller closes both sockets
        finish(true);
        return;
      }
      a.send(Messages.leave(streamId));
    }
  }

  private void checkLeft() {
    if (aLeft && bLeft) {
      finish(true);
    }
  }
}
