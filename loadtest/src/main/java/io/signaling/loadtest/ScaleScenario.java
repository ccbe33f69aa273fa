package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scale}: what a cluster carries while it grows and shrinks. A soak ({@code pairs} paired peers held for
 * the whole run on the nodes it started with, relaying {@code messageRate} candidates per second) plus a stream
 * of new calls ({@code callRate} per second, each on two new sockets, placed over the nodes that are ready
 * <em>now</em>, so a node that was started takes new calls once it is ready and a draining one stops getting
 * them). A setup a draining node turns away before pairing (upgrade 503, {@code temporarilyUnavailable}, or its
 * socket released with {@code server_will_stop}), or a connect a drained node's closed server refuses, is tried
 * again on another ready node, from its original intended time, and counted as a retry, not an error (the node
 * leaves the ready set at once); anything else a drain does to a call is an error.
 */
final class ScaleScenario implements Scenario {

  /** Attempts per call, the first included. */
  static final int MAX_ATTEMPTS = 4;

  private final SoakScenario soak;
  private final TargetSet targets;
  private final double callRate;
  private final double seconds;
  private final int candidates;
  private final long holdMillis;
  private final long deadlineMillis;
  private final Messages messages;
  private final Map<String, Object> extra;

  ScaleScenario(SoakScenario soak, TargetSet targets, double callRate, double seconds, int candidates,
      long holdMillis, int sdpBytes, long deadlineMillis, Map<String, Object> extra) {
    this.soak = soak;
    this.targets = targets;
    this.callRate = callRate;
    this.seconds = seconds;
    this.candidates = candidates;
    this.holdMillis = holdMillis;
    this.deadlineMillis = deadlineMillis;
    this.messages = new Messages(sdpBytes);
    this.extra = extra;
  }

  @Override
  public String name() {
    return "scale";
  }

  @Override
  public Future<Void> prepare(Lane lane) {
    return soak.prepare(lane);
  }

  @Override
  public Future<Void> run(Lane lane, long startNanos) {
    return Future.all(soak.run(lane, startNanos), calls(lane, startNanos)).mapEmpty();
  }

  @Override
  public Future<Void> finish(Lane lane) {
    return soak.finish(lane);
  }

  private Future<Void> calls(Lane lane, long startNanos) {
    Pacer pacer = new Pacer(startNanos, callRate, Pacer.operations(callRate, seconds), lane.index(), lane.lanes());
    Promise<Void> done = Promise.promise();
    int[] inFlight = {0};
    lane.everyMillisecond(() -> {
      long now = System.nanoTime();
      for (long i = pacer.nextDue(now); i >= 0; i = pacer.nextDue(now)) {
        lane.stats().count("calls.started");
        inFlight[0]++;
        attempt(lane, i, pacer.intendedNanos(i), 1).onComplete(r -> {
          inFlight[0]--;
          if (pacer.finished() && inFlight[0] == 0) {
            done.tryComplete();
          }
        });
      }
      if (pacer.finished() && inFlight[0] == 0) {
        done.tryComplete();
      }
      return !pacer.finished();
    });
    return done.future();
  }

  /** One attempt at call {@code index}; completes (never fails) when the call is done, failed or given up. */
  private Future<Void> attempt(Lane lane, long index, long intendedNanos, int attempt) {
    List<Target> ready = targets.ready();
    if (ready.isEmpty()) {
      return failed(lane, "noReadyTarget");
    }
    int[] nodes = Target.place((int) (index + attempt - 1), ready.size(), lane.crossNode());
    Target ta = ready.get(nodes[0]);
    Target tb = ready.get(nodes[1]);
    Future<Peer> fa = Peer.connect(lane.client(), ta, lane.stats(), intendedNanos, true);
    Future<Peer> fb = Peer.connect(lane.client(), tb, lane.stats(), intendedNanos, true);
    return Future.join(fa, fb).transform(joined -> {
      if (joined.failed()) {
        close(fa);
        close(fb);
        String refusedA = refusal(fa);
        String refusedB = refusal(fb);
        if (refusedA != null) {
          targets.ready(ta.index(), false);
        }
        if (refusedB != null) {
          targets.ready(tb.index(), false);
        }
        boolean onlyRefusals = (fa.succeeded() || refusedA != null) && (fb.succeeded() || refusedB != null);
        return onlyRefusals ? retry(lane, index, intendedNanos, attempt, refusedA != null ? refusedA : refusedB)
            : failed(lane, null);
      }
      Peer a = fa.result();
      Peer b = fb.result();
      String streamId = "n" + lane.runId() + "-" + index + (attempt > 1 ? "-" + attempt : "");
      return new Call(lane.vertx(), lane.stats(), messages, a, b, streamId, candidates, holdMillis, intendedNanos)
          .retryOnDrain("calls")
          .run(deadlineMillis)
          .transform(r -> {
            a.close();
            b.close();
            if (r.failed() && r.cause() instanceof Call.Refused refused) {
              return retry(lane, index, intendedNanos, attempt, refused.reason);
            }
            return Future.<Void>succeededFuture();
          });
    });
  }

  /** Why a connect was turned away by a draining or drained node, or null when it failed otherwise (or not). */
  private static String refusal(Future<Peer> f) {
    if (f.succeeded()) {
      return null;
    }
    if (Peer.refusedByDrain(f.cause())) {
      return "upgradeRefused";
    }
    return Peer.refusedByGoneNode(f.cause()) ? "connectRefused" : null;
  }

  private Future<Void> retry(Lane lane, long index, long intendedNanos, int attempt, String reason) {
    lane.stats().count("retries");
    lane.stats().count("retries." + reason);
    if (attempt >= MAX_ATTEMPTS) {
      return failed(lane, "retriesExhausted");
    }
    return attempt(lane, index, intendedNanos, attempt + 1);
  }

  private Future<Void> failed(Lane lane, String error) {
    if (error != null) {
      lane.stats().error(error);
    }
    lane.stats().count("calls.failed");
    lane.stats().count(Stats.LOST, Call.expectedMessages(candidates));
    return Future.succeededFuture();
  }

  private static void close(Future<Peer> f) {
    if (f.succeeded()) {
      f.result().close();
    }
  }

  @Override
  public long lostAtEnd() {
    return soak.lostAtEnd();
  }

  @Override
  public String rateCounter() {
    return soak.rateCounter();
  }

  @Override
  public double targetRate() {
    return soak.targetRate();
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>(soak.parameters());
    p.put("callRate", callRate);
    p.put("candidatesEachWay", candidates);
    p.put("holdMillis", holdMillis);
    p.putAll(extra);
    return p;
  }

  @Override
  public List<String> headlineLatencies() {
    return List.of("relay.takeCandidate", "pairing");
  }
}
