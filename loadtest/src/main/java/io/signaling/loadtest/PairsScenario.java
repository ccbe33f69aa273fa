package io.signaling.loadtest;

import io.vertx.core.Future;
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
  private final int maxInFlight;
  private final CallModel model;

  PairsScenario(double rate, double seconds, CallModel model, int maxInFlight) {
    this.rate = rate;
    this.seconds = seconds;
    this.model = model;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public String name() {
    return "pairs";
  }

  @Override
  public Future<Void> run(Lane lane, long startNanos) {
    Pacer pacer = lane.pacer(startNanos, rate, Pacer.operations(rate, seconds));
    int laneCap = Math.max(1, maxInFlight / lane.lanes());
    return lane.paced(pacer, laneCap, (i, intended) -> {
      lane.stats().count(Stats.OPS_STARTED);
      return call(lane, model, (int) i, "p" + lane.runId() + "-" + i, intended);
    }, (i, intended) -> {
      lane.stats().count(Stats.OPS_STARTED);
      lane.stats().error("harnessInFlightLimit");
      lane.stats().count(Stats.OPS_FAILED);
    });
  }

  /**
   * One call on two new sockets placed as room {@code room}: connect, the call, close. Completes (never fails)
   * when it is done; a pair that did not connect counts as a failed call with every message lost.
   */
  static Future<Void> call(Lane lane, CallModel model, int room, String id, long intendedNanos) {
    return model.connectPair(lane, room, id, intendedNanos).transform(connected -> {
      if (connected.failed()) {
        lane.stats().count(Stats.OPS_FAILED);
        lane.stats().count(Stats.LOST, model.expectedMessages());
        return Future.succeededFuture();
      }
      Peer a = connected.result()[0];
      Peer b = connected.result()[1];
      return model.call(lane, a, b, id, intendedNanos).run().transform(r -> {
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
    p.putAll(model.parameters());
    p.put("maxInFlight", maxInFlight);
    return p;
  }

  @Override
  public List<String> headlineLatencies() {
    return List.of("pairing", "relay.takeCandidate", "setup");
  }
}
