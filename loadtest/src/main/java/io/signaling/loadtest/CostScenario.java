package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One round of the {@code cost} command: {@code calls} full calls, each on two new sockets, with {@code inFlight}
 * calls at once (closed loop: a call starts when one ends), so a round offers the same load to every target.
 * Each call's latencies are measured from its own start. Peers of a call are placed as in {@code pairs}: on
 * different nodes whenever there are two or more (unless {@code --same-node}).
 */
final class CostScenario implements Scenario {

  private final int calls;
  private final int inFlight;
  private final CallModel model;
  private final int round;

  CostScenario(int calls, int inFlight, CallModel model, int round) {
    this.calls = calls;
    this.inFlight = inFlight;
    this.model = model;
    this.round = round;
  }

  @Override
  public String name() {
    return "cost";
  }

  /** This lane's share of {@code total} split as evenly as possible over the lanes. */
  static int share(int total, Lane lane) {
    return total / lane.lanes() + (lane.index() < total % lane.lanes() ? 1 : 0);
  }

  @Override
  public Future<Void> run(Lane lane, long startNanos) {
    int mine = share(calls, lane);
    int window = Math.min(mine, Math.max(1, share(inFlight, lane)));
    Promise<Void> done = Promise.promise();
    if (mine == 0) {
      return Future.succeededFuture();
    }
    int[] next = {0};
    int[] settled = {0};
    Runnable[] start = new Runnable[1];
    start[0] = () -> {
      if (next[0] >= mine) {
        return;
      }
      long index = (long) next[0]++ * lane.lanes() + lane.index();
      lane.stats().count(Stats.OPS_STARTED);
      String id = "k" + lane.runId() + "-" + round + "-" + index;
      PairsScenario.call(lane, model, (int) index, id, System.nanoTime()).onComplete(r -> {
        if (++settled[0] == mine) {
          done.tryComplete();
        } else {
          start[0].run();
        }
      });
    };
    for (int w = 0; w < window; w++) {
      start[0].run();
    }
    return done.future();
  }

  @Override
  public String rateCounter() {
    return Stats.OPS_COMPLETED;
  }

  @Override
  public double targetRate() {
    return 0;
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("round", round);
    p.put("calls", calls);
    p.put("inFlight", inFlight);
    p.putAll(model.parameters());
    return p;
  }

  @Override
  public List<String> headlineLatencies() {
    return model.protocol() == Protocol.PEERJS ? List.of("relay.CANDIDATE", "setup")
        : List.of("pairing", "relay.takeCandidate", "setup");
  }
}
