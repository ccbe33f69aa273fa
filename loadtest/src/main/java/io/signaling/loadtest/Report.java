package io.signaling.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes a run's reports into a directory: {@code summary.txt} (the table also printed on the terminal),
 * {@code result.json}, one {@code .hdr} histogram log per latency (nanoseconds; readable by HdrHistogram's
 * tools), and {@code report.html}, a self-contained page with latency-percentile and over-time charts.
 */
final class Report {

  private Report() {
  }

  static String table(RunResult r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s against %s%n", r.scenario(), targetsLabel(r)));
    b.append(String.format(Locale.ROOT, "parameters: %s%n", r.parameters()));
    b.append(String.format(Locale.ROOT, "ran %.1f s; %s: achieved %,.1f/s%s%n", r.runSeconds(),
        Progress.label(r.rateCounter()), r.achievedRate(),
        r.targetRate() > 0 ? String.format(Locale.ROOT, " of %,.1f/s target (%.1f%%) over the %.1f s operations "
            + "were started", r.targetRate(), 100 * r.achievedRate() / r.targetRate(), r.startedOverSeconds()) : ""));
    if (r.extension() != null) {
      b.append("run ").append(r.extension().line()).append('\n');
    }
    if (r.workers() != null) {
      b.append(workerTable(r));
    }
    Histogram lag = r.sendLag();
    if (lag.getTotalCount() > 0) {
      b.append(String.format(Locale.ROOT, "load generator send lag: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          lag.getValueAtPercentile(50) / 1e6, lag.getValueAtPercentile(99) / 1e6, lag.getMaxValue() / 1e6));
    }
    for (String warning : r.generatorWarnings()) {
      b.append("WARNING: ").append(warning).append('\n');
    }
    Map<String, Long> c = r.counters();
    b.append(String.format(Locale.ROOT, "messages sent %,d, received %,d, lost %,d; operations started %,d, "
            + "completed %,d, failed %,d%n", c.getOrDefault(Stats.SENT, 0L), c.getOrDefault(Stats.RECEIVED, 0L),
        r.lost(), c.getOrDefault(Stats.OPS_STARTED, 0L), c.getOrDefault(Stats.OPS_COMPLETED, 0L),
        c.getOrDefault(Stats.OPS_FAILED, 0L)));
    b.append(String.format(Locale.ROOT, "errors: %s%n", r.errors().isEmpty() ? "none" : r.errors()));
    if (r.serverCost() != null) {
      b.append(r.serverCost().line());
    }
    b.append(String.format(Locale.ROOT, "%n%-28s %10s %9s %9s %9s %9s %9s %9s%n", "latency (ms)", "count", "min",
        "p50", "p90", "p99", "p99.9", "max"));
    for (Map.Entry<String, Histogram> e : r.latencies().entrySet()) {
      String name = e.getKey();
      int at = name.indexOf('@');
      String label = at < 0 ? name : "  " + name.substring(0, at) + " @" + r.targets().get(
          Integer.parseInt(name.substring(at + 1))).label();
      Histogram h = e.getValue();
      b.append(String.format(Locale.ROOT, "%-28s %,10d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n", label,
          h.getTotalCount(), h.getMinValue() / 1e6, h.getValueAtPercentile(50) / 1e6,
          h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6,
          h.getMaxValue() / 1e6));
    }
    if (r.clampedSamples() > 0) {
      b.append(String.format(Locale.ROOT, "(%d samples above %d s were recorded as %d s)%n", r.clampedSamples(),
          Stats.MAX_TRACKABLE_NANOS / 1_000_000_000L, Stats.MAX_TRACKABLE_NANOS / 1_000_000_000L));
    }
    if (!r.phases().isEmpty()) {
      b.append(phaseTable(r));
    }
    if (r.workers() != null && !r.workers().allDelivered()) {
      b.append(String.format(Locale.ROOT, "FAILED: %d of %d workers were lost; their figures are missing%n",
          r.workers().workers().stream().filter(w -> !w.delivered()).count(), r.workers().count()));
    } else {
      b.append(r.passed() ? "PASSED: no errors, no lost messages\n" : "FAILED: errors or lost messages (see above)\n");
    }
    return b.toString();
  }

  /** A distributed run's workers: one line each, with its own rate, send lag and the latencies it measured. */
  static String workerTable(RunResult r) {
    Workers ws = r.workers();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "workers: %d (%d delivered), %s; figures merged by adding their histograms%n",
        ws.count(), ws.workers().stream().filter(Workers.Worker::delivered).count(),
        ws.sliced() ? "each on its own slice of the targets" : "each on every target"));
    b.append(String.format(Locale.ROOT, "  %-6s %-22s %9s %10s %9s %9s %9s %9s %9s %7s  %s%n", "worker", "host", "done",
        "achieved/s", "lag p50", "lag p99", "lag max", "relay p99", "pair p99", "errors", "status"));
    for (Workers.Worker w : ws.workers()) {
      b.append(String.format(Locale.ROOT, "  %-6d %-22s %,9d %10.1f %9.2f %9.2f %9.2f %9.2f %9.2f %,7d  %s%s%n",
          w.index(), w.host().length() > 22 ? w.host().substring(0, 22) : w.host(), w.done(), w.achieved(),
          w.sendLagP50Ms(), w.sendLagP99Ms(), w.sendLagMaxMs(), w.relayP99Ms(), w.pairingP99Ms(), w.errors(),
          w.status(), w.saturated() ? " (SATURATED)" : ""));
    }
    return b.toString();
  }

  /** The phases of a run with scale events: relay (every type) and pairing latency, calls, retries, errors. */
  static String phaseTable(RunResult r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%nscale events:%n")).append(eventLines(r));
    b.append(String.format(Locale.ROOT, "%n%-10s %13s | %9s %8s %8s %8s | %7s %8s %8s %8s | %6s %6s %6s%n",
        "phase (ms)", "seconds", "relays", "p50", "p99", "max", "pairing", "p50", "p99", "max", "calls", "retry",
        "errors"));
    for (Phases.Summary p : r.phases()) {
      Histogram relay = p.relay();
      Histogram pairing = p.latency("pairing");
      b.append(String.format(Locale.ROOT, "%-10s %6.1f-%6.1f | %,9d %8.2f %8.2f %8.2f | %,7d %8.2f %8.2f %8.2f | "
              + "%,6d %,6d %,6d%n", p.name(), p.fromSeconds(), p.toSeconds(), relay.getTotalCount(),
          relay.getValueAtPercentile(50) / 1e6, relay.getValueAtPercentile(99) / 1e6, relay.getMaxValue() / 1e6,
          pairing.getTotalCount(), pairing.getValueAtPercentile(50) / 1e6, pairing.getValueAtPercentile(99) / 1e6,
          pairing.getMaxValue() / 1e6, p.counter("calls.completed"), p.counter("retries"), p.errorCount()));
    }
    b.append(targetLine(r));
    return b.toString();
  }

  /** One line per scale event: when it began, when its node was ready or exited. */
  static String eventLines(RunResult r) {
    StringBuilder b = new StringBuilder();
    for (ScaleDriver.Record e : r.scaleEvents()) {
      b.append(String.format(Locale.ROOT, "  %-10s began %6.1f s, %s %6.1f s%s%s  %s %s%n", e.event(), e.beganSeconds(),
          e.event().kind() == ScaleEvent.Kind.START ? "ready " : "exited", e.doneSeconds(),
          e.unreadySeconds() >= 0 ? String.format(Locale.ROOT, " (no new calls from %.1f s)", e.unreadySeconds()) : "",
          e.safeSeconds() >= 0 ? String.format(Locale.ROOT, ", member-safe %6.1f s", e.safeSeconds()) : "",
          e.node(), e.outcome()));
    }
    return b.toString();
  }

  /** The scale-event target's verdict, or nothing when there is none to judge. */
  static String targetLine(RunResult r) {
    StringBuilder b = new StringBuilder();
    Phases.Target t = r.scaleTarget();
    if (t != null) {
      b.append(String.format(Locale.ROOT, "target during scale events: relay max %.1f ms (at most %.0f: %s), "
              + "worst p99 %.2f ms in %s = %.2fx the steady p99 %.2f ms (at most %.0fx: %s) -> %s%n", t.eventMaxMs(),
          t.maxRelayMs(), t.maxMet() ? "met" : "missed", t.eventP99Ms(), t.worstPhase(), t.ratio(), t.steadyP99Ms(),
          t.p99Factor(), t.p99Met() ? "met" : "missed", t.met() ? "MET" : "MISSED"));
    }
    return b.toString();
  }

  private static String targetsLabel(RunResult r) {
    List<String> labels = new ArrayList<>();
    r.targets().forEach(t -> labels.add(t.label()));
    return String.join(", ", labels);
  }

  static void write(RunResult r, Path dir, PrintStream console) throws IOException {
    Files.createDirectories(dir);
    String table = table(r);
    console.print(table);
    Files.writeString(dir.resolve("summary.txt"), table, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("result.json"), r.toJson().encodePrettily(), StandardCharsets.UTF_8);
    writeHistograms(r, dir.resolve("histograms"), r.latencies());
    if (r.workers() != null) {
      for (Workers.Worker w : r.workers().workers()) {
        writeHistograms(r, dir.resolve("workers").resolve("worker-" + w.index()).resolve("histograms"), w.latencies());
      }
    }
    Files.writeString(dir.resolve("report.html"), Html.render(r), StandardCharsets.UTF_8);
    console.printf("reports written to %s%n", dir.toAbsolutePath().normalize());
  }

  /** One HdrHistogram log per latency ({@code .hdr}, nanoseconds) in {@code hdr}. */
  static void writeHistograms(RunResult r, Path hdr, Map<String, Histogram> latencies) throws IOException {
    Files.createDirectories(hdr);
    for (Map.Entry<String, Histogram> e : latencies.entrySet()) {
      try (PrintStream out = new PrintStream(Files.newOutputStream(hdr.resolve(fileName(e.getKey()) + ".hdr")),
          false, StandardCharsets.UTF_8)) {
        HistogramLogWriter writer = new HistogramLogWriter(out);
        writer.outputComment("latency " + e.getKey() + " in nanoseconds, scenario " + r.scenario());
        writer.outputLogFormatVersion();
        writer.outputStartTime(r.startedAt().toEpochMilli());
        writer.outputLegend();
        Histogram h = e.getValue();
        h.setStartTimeStamp(r.startedAt().toEpochMilli());
        h.setEndTimeStamp(r.startedAt().toEpochMilli() + (long) (r.runSeconds() * 1000));
        writer.outputIntervalHistogram(h);
      }
    }
  }

  static String fileName(String latencyName) {
    return latencyName.replace('@', '-').replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
