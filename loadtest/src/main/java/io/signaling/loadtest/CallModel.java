package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every call of a run is made of, shared by the scenarios: the protocol, the offer and answer (their SDP
 * size), the candidates each way, how long a negotiated call is held, and how long a call may take.
 */
record CallModel(Protocol protocol, int candidates, long holdMillis, long deadlineMillis, int sdpBytes,
    Messages messages, PeerJsMessages peerJs) {

  static CallModel of(Protocol protocol, int candidates, long holdMillis, long deadlineMillis, int sdpBytes) {
    return new CallModel(protocol, candidates, holdMillis, deadlineMillis, sdpBytes,
        protocol == Protocol.AMS ? new Messages(sdpBytes) : null,
        protocol == Protocol.PEERJS ? new PeerJsMessages(sdpBytes) : null);
  }

  static CallModel ams(int candidates, long holdMillis, long deadlineMillis, int sdpBytes) {
    return of(Protocol.AMS, candidates, holdMillis, deadlineMillis, sdpBytes);
  }

  int expectedMessages() {
    return protocol.expectedMessages(candidates);
  }

  /** The two sockets of a call could not both be connected; the one that was is closed already. */
  static final class PairNotConnected extends RuntimeException {
    /** Why each side failed, or null for the side that connected. */
    final Throwable causeA;
    final Throwable causeB;

    PairNotConnected(Throwable causeA, Throwable causeB) {
      super("pair not connected: " + (causeA != null ? causeA : causeB), null, false, false);
      this.causeA = causeA;
      this.causeB = causeB;
    }
  }

  /**
   * Connects the two peers of call {@code id} at once, A to {@code ta} and B to {@code tb} (from the lane's
   * event loop, where their events then run); fails with {@link PairNotConnected} when either fails.
   */
  Future<Peer[]> connectPair(Lane lane, Target ta, Target tb, String id, long intendedNanos, boolean drainAware) {
    Future<Peer> fa = Peer.connect(lane.client(), ta, lane.stats(), intendedNanos, drainAware, protocol, id + "a");
    Future<Peer> fb = Peer.connect(lane.client(), tb, lane.stats(), intendedNanos, drainAware, protocol, id + "b");
    Promise<Peer[]> pair = Promise.promise();
    Future.join(fa, fb).onComplete(joined -> {
      if (joined.succeeded()) {
        pair.complete(new Peer[] {fa.result(), fb.result()});
        return;
      }
      if (fa.succeeded()) {
        fa.result().close();
      }
      if (fb.succeeded()) {
        fb.result().close();
      }
      pair.fail(new PairNotConnected(fa.failed() ? fa.cause() : null, fb.failed() ? fb.cause() : null));
    });
    return pair.future();
  }

  /** Connects the peers of call {@code id}, placed as room {@code room} over the lane's targets (see {@link Target#place}). */
  Future<Peer[]> connectPair(Lane lane, int room, String id, long intendedNanos) {
    int[] nodes = Target.place(room, lane.targets().size(), lane.crossNode());
    return connectPair(lane, lane.target(nodes[0]), lane.target(nodes[1]), id, intendedNanos, false);
  }

  /** A new call between two connected peers. */
  Call call(Lane lane, Peer a, Peer b, String id, long intendedNanos) {
    return new Call(lane.vertx(), lane.stats(), this, a, b, id, intendedNanos);
  }

  /** For the reports. */
  Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    if (protocol != Protocol.AMS) {
      p.put("protocol", protocol.name().toLowerCase(java.util.Locale.ROOT));
    }
    p.put("candidatesEachWay", candidates);
    p.put("holdMillis", holdMillis);
    return p;
  }
}
