package io.signaling.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * A distributed run's whole-run figures, added up from what its workers delivered ({@code /result}): the
 * histograms ({@link Histogram#add}, never an average of percentiles), counters, errors and lost messages summed,
 * the longest run, each worker's own figures, their phases (for the coordinator's to add them up) and their
 * shares of a room fill. A worker that delivered nothing counts as the error {@code workerLost}.
 */
final class WorkerResults {

  final Map<String, Histogram> latencies = new TreeMap<>();
  final Map<String, Long> counters = new TreeMap<>();
  final Map<String, Long> errors = new TreeMap<>();
  final List<Workers.Worker> each = new ArrayList<>();
  /** Each worker's phases, null for one that delivered none. */
  final List<JsonArray> phases = new ArrayList<>();
  private final List<RoomFill.Outcome> fills = new ArrayList<>();
  long lost;
  long clamped;
  /** Operations of the rate counter done, and the longest time over which a worker started them. */
  long done;
  double startedOver;
  double runSeconds;

  /** @param targets the run's targets, each worker's slice of them named in its figures */
  WorkerResults(List<WorkerState> workers, List<Target> targets, boolean crossNode) {
    for (WorkerState w : workers) {
      List<String> mine = new ArrayList<>();
      new Share(w.index, workers.size()).slice(targets, crossNode).forEach(t -> mine.add(t.label()));
      phases.add(w.result == null ? null : w.result.getJsonArray("phases"));
      if (w.result == null) {
        errors.merge("workerLost", 1L, Long::sum);
        each.add(new Workers.Worker(w.index, w.host, w.pid, mine, "lost: " + w.lost, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            Map.of()));
      } else {
        add(w, mine);
      }
    }
    latencies.values().removeIf(x -> x.getTotalCount() == 0);
  }

  private void add(WorkerState w, List<String> mine) {
    JsonObject r = w.result;
    Map<String, Histogram> h = Shipment.decodeAll(r.getJsonObject("histograms"));
    Shipment.addHistograms(latencies, h);
    Map<String, Long> e = Shipment.longs(r.getJsonObject("errors"));
    Shipment.addLongs(counters, Shipment.longs(r.getJsonObject("counters")));
    Shipment.addLongs(errors, e);
    lost += r.getLong("lost", 0L);
    clamped += r.getLong("clamped", 0L);
    long d = r.getLong("done", 0L);
    double o = r.getDouble("startedOverSeconds", 0.0);
    done += d;
    startedOver = Math.max(startedOver, o);
    runSeconds = Math.max(runSeconds, r.getDouble("runSeconds", 0.0));
    if (r.getJsonObject("fill") != null) {
      fills.add(RoomFill.Outcome.fromShipment(r.getJsonObject("fill")));
    }
    Histogram lag = h.getOrDefault(Stats.SEND_LAG, new Histogram(Stats.MAX_TRACKABLE_NANOS, 3));
    Histogram pairing = h.getOrDefault("pairing", new Histogram(Stats.MAX_TRACKABLE_NANOS, 3));
    each.add(new Workers.Worker(w.index, w.host, w.pid, mine, "delivered", d, o > 0 ? d / o : 0,
        RunResult.ms(lag.getValueAtPercentile(50)), RunResult.ms(lag.getValueAtPercentile(99)),
        RunResult.ms(lag.getMaxValue()), RunResult.ms(RunResult.relayAll(h).getValueAtPercentile(99)),
        RunResult.ms(pairing.getValueAtPercentile(99)), e.values().stream().mapToLong(Long::longValue).sum(),
        r.getLong("lost", 0L), h));
  }

  /** The room fill the workers shared ({@link RoomFill.Outcome#merge}), or null when they shipped none. */
  RoomFill.Outcome fill() {
    return fills.isEmpty() ? null : RoomFill.Outcome.merge(fills);
  }
}
