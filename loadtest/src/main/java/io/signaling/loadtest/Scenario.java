package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A load scenario, run on several lanes (one event loop each). The harness first prepares every lane (e.g.
 * connects a pool), then starts them all on one shared schedule, and ends the run when every lane finished.
 */
interface Scenario {

  String name();

  /** Runs on the lane's event loop before the schedule starts. */
  default Future<Void> prepare(Lane lane) {
    return Future.succeededFuture();
  }

  /** Runs the lane's share of the schedule that starts at {@code startNanos}; completes when the lane is done. */
  Future<Void> run(Lane lane, long startNanos);

  /** Runs on the lane's event loop after the run (e.g. leaves and closes a pool). */
  default Future<Void> finish(Lane lane) {
    return Future.succeededFuture();
  }

  /** The counter whose rate is the scenario's throughput, and the rate it aims at (0: no target). */
  String rateCounter();

  double targetRate();

  /** The scenario's parameters as they were run, for the report. */
  Map<String, Object> parameters();

  /** Latency names shown on the progress line, in order. */
  java.util.List<String> headlineLatencies();

  /** What a distributed run's worker ships beside its figures, for its coordinator to merge (nothing by default). */
  default JsonObject shipment() {
    return new JsonObject();
  }

  /** Messages that should have arrived and did not, decided at the end of the run (0 by default). */
  default long lostAtEnd() {
    return 0;
  }
}
