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
    long clampedSamples, List<Phases.Summary> phases, List<ScaleDriver.Record> scaleEvents, ServerCost serverCost,
    double startedOverSeconds, Workers workers, Extension extension) {

  /** How far the run went on past its planned length, and why (scale events in progress at the planned end). */
  record Extension(double plannedSeconds, double seconds, String reason) {

    static Extension of(Map<String, Object> parameters, RunExtension e) {
      if (e == null || e.nanos() == 0) {
        return null;
      }
      Object planned = parameters.get("durationSeconds");
      return new Extension(planned instanceof Number n ? n.doubleValue() : Double.NaN, e.seconds(), e.reason());
    }

    JsonObject toJson() {
      return new JsonObject().put("plannedSeconds", round(plannedSeconds)).put("seconds", round(seconds))
          .put("reason", reason);
    }

    String line() {
      return String.format(java.util.Locale.ROOT, "extended by %.1f s past the planned %.1f s: %s", seconds,
          plannedSeconds, reason);
    }
  }

  /** A run's send lag p99 above this means the load generator was itself saturated (a warning in the reports). */
  static final double SATURATED_SEND_LAG_P99_MS = 10;

  /** The scale-event target: no relay over this during a scale event ... */
  static final double TARGET_MAX_RELAY_MS = 250;
  /** ... and relay p99 at most this many times the steady p99. */
  static final double TARGET_P99_FACTOR = 2;

  static RunResult of(Scenario s, Harness.Options options, Stats stats, Instant startedAt, double runSeconds,
      long lostAtEnd) {
    return of(s, options, stats, startedAt, runSeconds, lostAtEnd, null, null, null);
  }

  /** {@code cpuBefore} and {@code cpuAfter}: the server processes read around the measured run, or null. */
  static RunResult of(Scenario s, Harness.Options options, Stats stats, Instant startedAt, double runSeconds,
      long lostAtEnd, ScaleEvents driver, ServerCpu.Sample cpuBefore, ServerCpu.Sample cpuAfter) {
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
    List<Target> targets = driver == null ? options.targets() : driver.targets().all();
    List<Phases.Summary> phases = stats.phases() == null ? List.of() : stats.phases().summaries(System.nanoTime());
    List<ScaleDriver.Record> events = driver == null ? List.of() : driver.records();
    ServerCost cost = cpuBefore == null || cpuAfter == null ? null : ServerCost.between(
        options.serverCpu().pids(), cpuBefore, cpuAfter, completedCalls(latencies), relayed(latencies), runSeconds);
    double over = startedOver(s.targetRate(), stats.lastIssuedSeconds(), runSeconds);
    return new RunResult(s.name(), parameters, targets, startedAt, runSeconds, s.targetRate(),
        over > 0 ? done / over : 0, s.rateCounter(), counters, stats.errors(), lost, latencies,
        stats.series(), stats.clamped(), phases, events, cost, over, null,
        Extension.of(parameters, driver == null ? null : driver.extension()));
  }

  /**
   * The time over which a paced run's operations were actually started: from the run's start to the last one
   * issued, plus one period (n operations on schedule span n periods). A run without a rate (or that issued
   * nothing) is taken over its whole length. The achieved rate is taken over this time, so that the calls'
   * hold and the grace for the last replies do not dilute it.
   */
  static double startedOver(double targetRate, double lastIssuedSeconds, double runSeconds) {
    if (targetRate > 0 && lastIssuedSeconds > 0) {
      return lastIssuedSeconds + 1 / targetRate;
    }
    return runSeconds;
  }

  /** The generator's send lag over the whole run (over every worker in a distributed run), or an empty one. */
  Histogram sendLag() {
    Histogram h = latencies.get(Stats.SEND_LAG);
    return h == null ? new Histogram(Stats.MAX_TRACKABLE_NANOS, 3) : h;
  }

  /** Warnings about the load generator itself: one per saturated worker (or one for a single-process run). */
  List<String> generatorWarnings() {
    List<String> out = new java.util.ArrayList<>();
    if (workers != null) {
      for (Workers.Worker w : workers.workers()) {
        if (w.saturated()) {
          out.add(String.format(java.util.Locale.ROOT, "worker %d was saturated: send lag p99 %.1f ms (over %.0f ms); "
              + "its latencies include its own queueing: run more workers", w.index(), w.sendLagP99Ms(),
              SATURATED_SEND_LAG_P99_MS));
        }
      }
    } else if (sendLag().getTotalCount() > 0 && sendLag().getValueAtPercentile(99) / 1e6 > SATURATED_SEND_LAG_P99_MS) {
      out.add(String.format(java.util.Locale.ROOT, "the load generator was saturated: send lag p99 %.1f ms (over %.0f ms); "
          + "its latencies include its own queueing: run it on more workers (--workers)",
          sendLag().getValueAtPercentile(99) / 1e6, SATURATED_SEND_LAG_P99_MS));
    }
    return out;
  }

  /** Calls that completed: every completed call records one {@code setup} latency. */
  static long completedCalls(Map<String, Histogram> latencies) {
    Histogram setup = latencies.get("setup");
    return setup == null ? 0 : setup.getTotalCount();
  }

  /** Relayed messages that arrived: every one records a {@code relay.<type>} latency. */
  static long relayed(Map<String, Histogram> latencies) {
    long n = 0;
    for (Map.Entry<String, Histogram> e : latencies.entrySet()) {
      if (e.getKey().startsWith("relay.") && e.getKey().indexOf('@') < 0) {
        n += e.getValue().getTotalCount();
      }
    }
    return n;
  }

  /** Every relay type's latency in one histogram (all nodes), or an empty one. */
  static Histogram relayAll(Map<String, Histogram> latencies) {
    Histogram all = new Histogram(Stats.MAX_TRACKABLE_NANOS, 3);
    latencies.forEach((k, v) -> {
      if (k.startsWith("relay.") && k.indexOf('@') < 0) {
        all.add(v);
      }
    });
    return all;
  }

  /** The scale-event target judged from the phases, or null when the run had none to judge. */
  Phases.Target scaleTarget() {
    return Phases.target(phases, TARGET_MAX_RELAY_MS, TARGET_P99_FACTOR);
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
    return errorCount() == 0 && lost == 0 && (workers == null || workers.allDelivered());
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
    JsonObject out = new JsonObject()
        .put("scenario", scenario)
        .put("startedAt", startedAt.toString())
        .put("passed", passed())
        .put("targets", targetJson)
        .put("parameters", new JsonObject(new LinkedHashMap<>(parameters)))
        .put("runSeconds", round(runSeconds))
        .put("rate", new JsonObject().put("counter", rateCounter).put("target", targetRate)
            .put("achieved", round(achievedRate)).put("startedOverSeconds", round(startedOverSeconds)))
        .put("counters", new JsonObject(new LinkedHashMap<>(counters)))
        .put("errors", new JsonObject(new LinkedHashMap<>(errors)))
        .put("lostMessages", lost)
        .put("clampedSamples", clampedSamples)
        .put("latencyMs", latencyJson)
        .put("perNodeLatencyMs", perNode)
        .put("series", seriesJson);
    if (serverCost != null) {
      out.put("serverCost", serverCost.toJson());
    }
    out.put("generator", new JsonObject().put("sendLagMs", summary(sendLag()))
        .put("warnings", new JsonArray(generatorWarnings())));
    if (workers != null) {
      out.put("workers", workers.toJson());
    }
    if (!phases.isEmpty()) {
      JsonArray phaseJson = new JsonArray();
      for (Phases.Summary p : phases) {
        JsonObject lat = new JsonObject().put("relay", summary(p.relay()));
        p.latencies().forEach((k, v) -> lat.put(k, summary(v)));
        phaseJson.add(new JsonObject().put("name", p.name()).put("kind", p.kind().label)
            .put("fromSeconds", round(p.fromSeconds())).put("toSeconds", round(p.toSeconds()))
            .put("latencyMs", lat).put("counters", new JsonObject(new LinkedHashMap<>(p.counters())))
            .put("errors", new JsonObject(new LinkedHashMap<>(p.errors()))));
      }
      JsonArray eventJson = new JsonArray();
      scaleEvents.forEach(e -> eventJson.add(e.toJson()));
      out.put("phases", phaseJson).put("scaleEvents", eventJson);
      if (extension != null) {
        out.put("extended", extension.toJson());
      }
      Phases.Target t = scaleTarget();
      if (t != null) {
        out.put("scaleTarget", new JsonObject().put("steadyRelayP99Ms", round(t.steadyP99Ms()))
            .put("worstEventRelayP99Ms", round(t.eventP99Ms())).put("worstEventPhase", t.worstPhase())
            .put("p99Ratio", Double.isNaN(t.ratio()) ? null : round(t.ratio()))
            .put("eventRelayMaxMs", round(t.eventMaxMs())).put("maxRelayMsAllowed", t.maxRelayMs())
            .put("p99FactorAllowed", t.p99Factor()).put("maxMet", t.maxMet()).put("p99Met", t.p99Met())
            .put("met", t.met()));
      }
    }
    return out;
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
