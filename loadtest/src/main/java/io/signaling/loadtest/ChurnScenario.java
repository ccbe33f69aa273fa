package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code churn}: sustained call setups per second (join, join, offer, answer, candidates each way, leave) on a
 * pool of connected socket pairs, so the rate measures the cluster's room work rather than TCP handshakes.
 * A setup that is due while every pair is busy waits for one and keeps its intended time.
 */
final class ChurnScenario implements Scenario {

  private final double rate;
  private final double seconds;
  private final int poolPairs;
  private final CallModel model;
  private final Map<Integer, Deque<Peer[]>> idleByLane = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Integer, List<Peer[]>> allByLane = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code model}: the setups' calls (held 0 ms: the pair is free again at once). */
  ChurnScenario(double rate, double seconds, CallModel model, int poolPairs) {
    this.rate = rate;
    this.seconds = seconds;
    this.model = model;
    this.poolPairs = poolPairs;
  }

  @Override
  public String name() {
    return "churn";
  }

  @Override
  public Future<Void> prepare(Lane lane) {
    int pairs = Math.max(1, poolPairs / lane.lanes() + (lane.index() < poolPairs % lane.lanes() ? 1 : 0));
    Deque<Peer[]> idle = new ArrayDeque<>();
    List<Peer[]> all = new ArrayList<>();
    idleByLane.put(lane.index(), idle);
    allByLane.put(lane.index(), all);
    List<Future<Void>> connects = new ArrayList<>();
    for (int p = 0; p < pairs; p++) {
      connects.add(connectPair(lane, p * lane.lanes() + lane.index()).map(pair -> {
        idle.add(pair);
        all.add(pair);
        return null;
      }));
    }
    return Future.all(connects).mapEmpty();
  }

  private Future<Peer[]> connectPair(Lane lane, int n) {
    return model.connectPair(lane, n, "c" + lane.runId() + "-pool-" + n, System.nanoTime());
  }

  @Override
  public Future<Void> run(Lane lane, long startNanos) {
    Deque<Peer[]> idle = idleByLane.get(lane.index());
    Deque<long[]> waiting = new ArrayDeque<>();
    Pacer pacer = lane.pacer(startNanos, rate, Pacer.operations(rate, seconds));
    Promise<Void> done = Promise.promise();
    int[] busy = {0};
    Runnable[] dispatch = new Runnable[1];
    dispatch[0] = () -> {
      while (!waiting.isEmpty() && !idle.isEmpty()) {
        long[] due = waiting.poll();
        Peer[] pair = idle.poll();
        busy[0]++;
        String streamId = "c" + lane.runId() + "-" + due[0];
        model.call(lane, pair[0], pair[1], streamId, due[1])
            .run()
            .onComplete(r -> {
              busy[0]--;
              if (r.succeeded()) {
                idle.add(pair);
                dispatch[0].run();
              } else {
                replace(lane, pair, idle, dispatch[0]);
              }
              if (pacer.finished() && waiting.isEmpty() && busy[0] == 0) {
                done.tryComplete();
              }
            });
      }
    };
    lane.pace(pacer, (i, intended) -> {
      lane.stats().count(Stats.OPS_STARTED);
      waiting.add(new long[] {i, intended});
    }, () -> {
      dispatch[0].run();
      if (pacer.finished() && waiting.isEmpty() && busy[0] == 0) {
        done.tryComplete();
      }
      return !pacer.finished() || !waiting.isEmpty();
    });
    return done.future();
  }

  /** A pair whose call failed may still be in a room: it is closed and a fresh pair takes its place. */
  private void replace(Lane lane, Peer[] pair, Deque<Peer[]> idle, Runnable dispatch) {
    pair[0].close();
    pair[1].close();
    List<Peer[]> all = allByLane.get(lane.index());
    all.remove(pair);
    connectPair(lane, all.size() * lane.lanes() + lane.index()).onSuccess(fresh -> {
      all.add(fresh);
      idle.add(fresh);
      dispatch.run();
    });
  }

  @Override
  public Future<Void> finish(Lane lane) {
    for (Peer[] pair : allByLane.getOrDefault(lane.index(), List.of())) {
      pair[0].close();
      pair[1].close();
    }
    return Future.succeededFuture();
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
    p.put("candidatesEachWay", model.candidates());
    p.put("poolPairs", poolPairs);
    return p;
  }

  @Override
  public List<String> headlineLatencies() {
    return List.of("pairing", "relay.takeCandidate", "setup");
  }
}
