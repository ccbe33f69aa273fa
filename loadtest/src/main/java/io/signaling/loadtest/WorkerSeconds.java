package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * A distributed run's seconds as its workers deliver them ({@code /interval}): each closed second's counters and
 * histograms added up over the workers, printed as one progress line once every worker still running has
 * delivered it, and kept as the merged run's time series. Guarded by the coordinator's lock.
 */
final class WorkerSeconds {

  /** One second of the run, as the workers delivered it. */
  private static final class Second {
    double atSeconds;
    final Map<String, Long> counts = new TreeMap<>();
    final Map<String, Histogram> histograms = new TreeMap<>();
    final Map<Integer, Long> errorsSoFar = new TreeMap<>();
  }

  private final Scenario scenario;
  private final List<WorkerState> workers;
  private final PrintStream console;
  private final TreeMap<Long, Second> seconds = new TreeMap<>();
  private long nextToPrint;

  WorkerSeconds(Scenario scenario, List<WorkerState> workers, PrintStream console) {
    this.scenario = scenario;
    this.workers = workers;
    this.console = console;
  }

  /** Worker {@code w}'s second ({@code seq}, {@code atSeconds}, {@code counts}, {@code histograms}, {@code errorsSoFar}). */
  void add(WorkerState w, JsonObject body) {
    long seq = body.getLong("seq");
    if (seq < nextToPrint) {
      return; // a second already closed (a late delivery from a worker that was slow)
    }
    Second s = seconds.computeIfAbsent(seq, k -> new Second());
    s.atSeconds = Math.max(s.atSeconds, body.getDouble("atSeconds", 0.0));
    Shipment.addLongs(s.counts, Shipment.longs(body.getJsonObject("counts")));
    Shipment.addHistograms(s.histograms, Shipment.decodeAll(body.getJsonObject("histograms")));
    s.errorsSoFar.put(w.index, body.getLong("errorsSoFar", 0L));
    printReady();
  }

  /** Prints, in order, every second that every worker still running has delivered. */
  void printReady() {
    while (seconds.containsKey(nextToPrint)) {
      Second s = seconds.get(nextToPrint);
      long live = workers.stream().filter(WorkerState::running).count();
      long delivered = workers.stream().filter(x -> x.lost == null && s.errorsSoFar.containsKey(x.index)).count();
      if (delivered < live) {
        return;
      }
      long alive = workers.stream().filter(x -> x.lost == null).count();
      console.println(Progress.line(scenario, interval(s)) + " | workers " + alive + "/" + workers.size());
      nextToPrint++;
    }
  }

  /** Every second delivered, in order. */
  List<Stats.Interval> series() {
    List<Stats.Interval> series = new ArrayList<>();
    seconds.values().forEach(s -> series.add(interval(s)));
    return series;
  }

  private static Stats.Interval interval(Second s) {
    Map<String, Stats.Interval.Latency> latencies = new TreeMap<>();
    s.histograms.forEach((k, h) -> latencies.put(k, new Stats.Interval.Latency(h.getTotalCount(),
        h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6)));
    long errors = s.errorsSoFar.values().stream().mapToLong(Long::longValue).sum();
    return new Stats.Interval(s.atSeconds, new TreeMap<>(s.counts), latencies, errors);
  }
}
