package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pairs}: full calls at a paced rate, each on two new sockets: connect both, join, join, start, offer,
 * answer, candidates each way, hold, leave, close. Latencies are measured from each call's intended start.
 */
final class PairsScenario implements Scenario {

  private final double rate;
  private final double seconds;
  private final int candidates;
  private final long holdMillis;
  private final long deadlineMillis;
  private final int maxInFlight;
  private final Messages messages;

  PairsScenario(double rate, double seconds, int candidates, long holdMillis, int sdpBytes, long deadlineMillis,
      int maxInFlight) {
    this.rate = rate;
    this.seconds = seconds;
    this.candidates = candidates;
    this.holdMillis = holdMillis;
    this.deadlineMillis = deadlineMillis;
    this.maxInFlight = maxInFlight;
    this.messages = new Messages(sdpBytes);
  }

  @Override
  public String name() {
    return "pairs";
  }

  @Override
  public Future<Void> run(Lane lane, long startNanos) {
    Pacer pacer = new Pacer(startNanos, rate, Pacer.operations(rate, seconds), lane.index(), lane.lanes());
    Promise<Void> done = Promise.promise();
    int[] inFlight = {0};
    int laneCap = Math.max(1, maxInFlight / lane.lanes());
    lane.everyMillisecond(() -> {
      long now = System.nanoTime();
      for (long i = pacer.nextDue(now); i >= 0; i = pacer.nextDue(now)) {
        lane.stats().count(Stats.OPS_STARTED);
        if (inFlight[0] >= laneCap) {
          lane.stats().error("harnessInFlightLimit");
          lane.stats().count(Stats.OPS_FAILED);
          continue;
        }
        inFlight[0]++;
        call(lane, i, pacer.intendedNanos(i)).onComplete(r -> {
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

  private Future<Void> call(Lane lane, long index, long intendedNanos) {
    int[] nodes = Target.place((int) index, lane.targets().size(), lane.crossNode());
    Future<Peer> fa = Peer.connect(lane.client(), lane.target(nodes[0]), lane.stats(), intendedNanos);
    Future<Peer> fb = Peer.connect(lane.client(), lane.target(nodes[1]), lane.stats(), intendedNanos);
    return Future.join(fa, fb).transform(joined -> {
      if (joined.failed()) {
        lane.stats().count(Stats.OPS_FAILED);
        lane.stats().count(Stats.LOST, Call.expectedMessages(candidates));
        if (fa.succeeded()) {
          fa.result().close();
        }
        if (fb.succeeded()) {
          fb.result().close();
        }
        return Future.succeededFuture();
      }
      Peer a = fa.result();
      Peer b = fb.result();
      String streamId = "p" + lane.runId() + "-" + index;
      return new Call(lane.vertx(), lane.stats(), messages, a, b, streamId, candidates, holdMillis, intendedNanos)
          .run(deadlineMillis)
          .transform(r -> {
            a.close();
            b.close();
            return Future.<Void>succeededFuture();
          });
    });
  }

  @Override
  public String rateCounter() {
    return Stats.OPS_COMPLETED;
  }

  @Override
  public double targetRate() {
    return rate;
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("rate", rate);
    p.put("durationSeconds", seconds);
    p.put("candidatesEachWay", candidates);
    p.put("holdMillis", holdMillis);
    p.put("maxInFlight", maxInFlight);
    return p;
  }

  @Override
  public List<String> headlineLatencies() {
    return List.of("pairing", "relay.takeCandidate", "setup");
  }
}
