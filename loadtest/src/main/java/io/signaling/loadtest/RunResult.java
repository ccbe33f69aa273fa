package io.signaling.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Everything a run measured, ready for the reports. */
record RunResult(String scenario, Map<String, Object> parameters, List<Target> targets, Instant startedAt,
    double runSeconds, double targetRate, double achievedRate, String rateCounter, Map<String, Long> counters,
    Map<String, Long> errors, long lost, Map<String, Histogram> latencies, List<Stats.Interval> series,
    long clampedSamples) {

  static RunResult of(Scenario s, Harness.Options options, Stats stats, Instant startedAt, double runSeconds,
      long lostAtEnd) {
    Map<String, Histogram> latencies = new LinkedHashMap<>();
    for (String name : stats.latencyNames()) {
      latencies.put(name, stats.total(name));
    }
    Map<String, Long> counters = stats.counters();
    long lost = counters.getOrDefault(Stats.LOST, 0L) + lostAtEnd;
    long done = 0;
    for (Stats.Interval i : stats.series()) {
      done += i.count(s.rateCounter());
    }
    Map<String, Object> parameters = new LinkedHashMap<>(s.parameters());
    parameters.put("crossNode", options.crossNode());
    parameters.put("threads", options.threads());
    return new RunResult(s.name(), parameters, options.targets(), startedAt, runSeconds, s.targetRate(),
        runSeconds > 0 ? done / runSeconds : 0, s.rateCounter(), counters, stats.errors(), lost, latencies,
        stats.series(), stats.clamped());
  }

  long errorCount() {
    long n = 0;
    for (long v : errors.values()) {
      n += v;
    }
    return n;
  }

  /** A run passes when nothing failed: no error reply, no harness failure, no lost message. */
  boolean passed() {
    return errorCount() == 0 && lost == 0;
  }

  JsonObject toJson() {
    JsonObject latencyJson = new JsonObject();
    JsonObject perNode = new JsonObject();
    latencies.forEach((name, h) -> {
      int at = name.indexOf('@');
      if (at < 0) {
        latencyJson.put(name, summary(h));
      } else {
        String node = targets.get(Integer.parseInt(name.substring(at + 1))).label();
        JsonObject n = perNode.getJsonObject(node);
        if (n == null) {
          n = new JsonObject();
          perNode.put(node, n);
        }
        n.put(name.substring(0, at), summary(h));
      }
    });
    JsonArray seriesJson = new JsonArray();
    for (Stats.Interval i : series) {
      JsonObject lat = new JsonObject();
      i.latencies().forEach((k, v) -> lat.put(k, new JsonObject().put("samples", v.samples()).put("p50Ms", v.p50Ms())
          .put("p99Ms", v.p99Ms()).put("maxMs", v.maxMs())));
      seriesJson.add(new JsonObject().put("atSeconds", round(i.atSeconds())).put("counts", new JsonObject(
          new LinkedHashMap<>(i.counts()))).put("latencies", lat).put("errorsSoFar", i.errorsSoFar()));
    }
    JsonArray targetJson = new JsonArray();
    targets.forEach(t -> targetJson.add(t.uri().toString()));
    return new JsonObject()
        .put("scenario", scenario)
        .put("startedAt", startedAt.toString())
        .put("passed", passed())
        .put("targets", targetJson)
        .put("parameters", new JsonObject(new LinkedHashMap<>(parameters)))
        .put("runSeconds", round(runSeconds))
        .put("rate", new JsonObject().put("counter", rateCounter).put("target", targetRate)
            .put("achieved", round(achievedRate)))
        .put("counters", new JsonObject(new LinkedHashMap<>(counters)))
        .put("errors", new JsonObject(new LinkedHashMap<>(errors)))
        .put("lostMessages", lost)
        .put("clampedSamples", clampedSamples)
        .put("latencyMs", latencyJson)
        .put("perNodeLatencyMs", perNode)
        .put("series", seriesJson);
  }

  static JsonObject summary(Histogram h) {
    return new JsonObject()
        .put("count", h.getTotalCount())
        .put("min", ms(h.getMinValue()))
        .put("p50", ms(h.getValueAtPercentile(50)))
        .put("p90", ms(h.getValueAtPercentile(90)))
        .put("p99", ms(h.getValueAtPercentile(99)))
        .put("p999", ms(h.getValueAtPercentile(99.9)))
        .put("max", ms(h.getMaxValue()))
        .put("mean", round(h.getMean() / 1e6));
  }

  static double ms(long nanos) {
    return round(nanos / 1e6);
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
