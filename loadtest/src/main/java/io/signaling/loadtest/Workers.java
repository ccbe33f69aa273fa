package io.signaling.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The workers of a distributed run, for the reports: how many there were and what each one did. A worker that
 * did not deliver its figures (it died, or went silent) fails the run.
 *
 * @param sliced true when each worker drove its own slice of the targets, false when all drove every target
 */
record Workers(int count, boolean sliced, List<Worker> workers) {

  /**
   * One worker's own figures.
   *
   * @param status {@code delivered}, or why its figures are missing
   * @param done operations of the scenario's rate counter it completed; {@code achieved} per second over the
   *     time it started them
   * @param latencies its own whole-run histograms (empty when it delivered none), written next to the merged ones
   */
  record Worker(int index, String host, long pid, List<String> targets, String status, long done, double achieved,
      double sendLagP50Ms, double sendLagP99Ms, double sendLagMaxMs, double relayP99Ms, double pairingP99Ms,
      long errors, long lost, java.util.Map<String, org.HdrHistogram.Histogram> latencies) {

    boolean delivered() {
      return "delivered".equals(status);
    }

    boolean saturated() {
      return delivered() && sendLagP99Ms > RunResult.SATURATED_SEND_LAG_P99_MS;
    }

    JsonObject toJson() {
      return new JsonObject().put("index", index).put("host", host).put("pid", pid)
          .put("targets", new JsonArray(targets)).put("status", status).put("done", done)
          .put("achieved", RunResult.round(achieved))
          .put("sendLagMs", new JsonObject().put("p50", sendLagP50Ms).put("p99", sendLagP99Ms).put("max", sendLagMaxMs))
          .put("relayP99Ms", relayP99Ms).put("pairingP99Ms", pairingP99Ms).put("errors", errors).put("lost", lost)
          .put("saturated", saturated());
    }
  }

  boolean allDelivered() {
    return workers.stream().allMatch(Worker::delivered);
  }

  JsonObject toJson() {
    JsonArray each = new JsonArray();
    workers.forEach(w -> each.add(w.toJson()));
    return new JsonObject().put("count", count).put("slicedTargets", sliced)
        .put("delivered", workers.stream().filter(Worker::delivered).count()).put("perWorker", each);
  }
}
