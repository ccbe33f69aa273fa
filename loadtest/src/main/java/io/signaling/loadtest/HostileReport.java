package io.signaling.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The report of a {@code hostile} run: the summary (on the console and in {@code summary.txt}), {@code result.json},
 * {@code timeline.csv} (one row per reading) and {@code report.html} (the readings over time).
 */
final class HostileReport {

  private final HostileCommand.Plan plan;
  private final PrintStream console;

  HostileReport(HostileCommand.Plan plan, PrintStream console) {
    this.plan = plan;
    this.console = console;
  }

  /** Prints the summary and writes the reports into {@code dir}; true when the run passed. */
  boolean write(HostileRun.Outcome run, Path dir) throws IOException {
    HostileRun.Tally tally = run.tally();
    Histogram life = tally.lifetime();
    boolean passed = tally.passed();
    String summary = summary(run, life, passed);
    console.print(summary);
    JsonArray nodes = new JsonArray();
    for (int i = 0; i < plan.targets().size(); i++) {
      nodes.add(node(i, run));
    }
    JsonArray rows = new JsonArray();
    run.timeline().forEach(rows::add);
    JsonObject json = new JsonObject().put("scenario", "hostile").put("startedAt", run.startedAt().toString())
        .put("passed", passed).put("targets", plan.targets().stream().map(t -> t.uri().toString()).toList())
        .put("parameters", plan.toJson()).put("attempted", tally.attempted.get()).put("opened", tally.opened.get())
        .put("connectFailed", tally.failed.get())
        .put("connectFailures", new JsonObject(new LinkedHashMap<>(tally.failures)))
        .put("closedByNode", tally.closedByNode.get())
        .put("closedByNodeWithinOneSecond", tally.closedWithinOneSecond.get())
        .put("outlivedHold", tally.outlived.get()).put("closedLate", tally.late.get())
        .put("heldByNodeMs", RunResult.summary(life)).put("nodes", nodes).put("timeline", rows);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.txt"), summary);
    Files.writeString(dir.resolve("result.json"), json.encodePrettily());
    Files.writeString(dir.resolve("timeline.csv"), csv(run.timeline()));
    Files.writeString(dir.resolve("report.html"), html(summary, passed, run.timeline()));
    console.printf("reports written to %s%n", dir.toAbsolutePath().normalize());
    return passed;
  }

  private String summary(HostileRun.Outcome run, Histogram life, boolean passed) {
    HostileRun.Tally tally = run.tally();
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "hostile (%s) against %s, %,d connections at %,.0f/s from %d addresses%n",
        plan.mode().name().toLowerCase(Locale.ROOT), plan.targets().stream().map(Target::label).toList(),
        plan.count(), plan.rate(), plan.sources().size()));
    s.append(String.format(Locale.ROOT, "opened %,d, connect failed %,d %s, closed by the node %,d (%,d within 1 s), "
            + "outlived the %d s hold %,d%s%n", tally.opened.get(), tally.failed.get(), tally.failures,
        tally.closedByNode.get(), tally.closedWithinOneSecond.get(), plan.holdSeconds(), tally.outlived.get(),
        plan.deadlineSeconds() > 0 ? String.format(Locale.ROOT, ", later than the %d s deadline + %d s %,d",
            plan.deadlineSeconds(), plan.marginSeconds(), tally.late.get()) : ""));
    s.append(String.format(Locale.ROOT, "held by the node (connect to close) s: p50 %.2f p90 %.2f p99 %.2f max %.2f%n",
        life.getValueAtPercentile(50) / 1e9, life.getValueAtPercentile(90) / 1e9,
        life.getValueAtPercentile(99) / 1e9, life.getMaxValue() / 1e9));
    HostileReading.Peaks peaks = run.peaks();
    for (int i = 0; i < plan.targets().size(); i++) {
      HostileReading b = run.before().get(i);
      HostileReading a = run.after().get(i);
      s.append(String.format(Locale.ROOT, "node %s: open files %,d before, peak %,d, %,d after; tcp peak %,.0f, "
              + "pending handshakes peak %,.0f; refused address %,.0f, handshakes %,.0f; handshake timeouts %,.0f%n",
          plan.targets().get(i).label(), b.files(), peaks.files[i], a.files(), peaks.tcp[i], peaks.pending[i],
          HostileReading.delta(b.refusedAddress(), a.refusedAddress()),
          HostileReading.delta(b.refusedHandshakes(), a.refusedHandshakes()),
          HostileReading.delta(b.timeoutsHandshake(), a.timeoutsHandshake())));
    }
    s.append(passed ? "PASSED\n" : tally.opened.get() == 0 ? "FAILED: no connection opened\n"
        : "FAILED: the node held connections past the bound\n");
    return s.toString();
  }

  private JsonObject node(int i, HostileRun.Outcome run) {
    HostileReading b = run.before().get(i);
    HostileReading a = run.after().get(i);
    HostileReading.Peaks peaks = run.peaks();
    return new JsonObject().put("target", plan.targets().get(i).label())
        .put("pid", plan.pids().isEmpty() ? null : plan.pids().get(i)).put("before", b.toJson())
        .put("after", a.toJson()).put("peakOpenFiles", peaks.files[i]).put("peakTcpConnections", peaks.tcp[i])
        .put("peakHandshakesPending", peaks.pending[i])
        .put("delta", new JsonObject()
            .put("refusedAddress", HostileReading.delta(b.refusedAddress(), a.refusedAddress()))
            .put("refusedHandshakes", HostileReading.delta(b.refusedHandshakes(), a.refusedHandshakes()))
            .put("timeoutsHandshake", HostileReading.delta(b.timeoutsHandshake(), a.timeoutsHandshake()))
            .put("timeoutsKeepalive", HostileReading.delta(b.timeoutsKeepalive(), a.timeoutsKeepalive())));
  }

  private String csv(List<JsonObject> timeline) {
    StringBuilder b = new StringBuilder("seconds,opened,held,closedByNode,failed");
    for (int i = 0; i < plan.targets().size(); i++) {
      b.append(String.format(Locale.ROOT, ",node%1$d.openFiles,node%1$d.tcp,node%1$d.pending,node%1$d.webSockets,"
          + "node%1$d.refusedAddress,node%1$d.refusedHandshakes,node%1$d.timeoutsHandshake", i + 1));
    }
    b.append('\n');
    for (JsonObject r : timeline) {
      b.append(r.getDouble("seconds")).append(',').append(r.getInteger("opened")).append(',')
          .append(r.getInteger("held")).append(',').append(r.getInteger("closedByNode")).append(',')
          .append(r.getInteger("failed"));
      for (Object o : r.getJsonArray("nodes")) {
        JsonObject n = (JsonObject) o;
        for (String f : List.of("openFiles", "tcpConnections", "handshakesPending", "webSockets", "refusedAddress",
            "refusedHandshakes", "timeoutsHandshake")) {
          b.append(',').append(fmt(n.getValue(f)));
        }
      }
      b.append('\n');
    }
    return b.toString();
  }

  private String html(String summary, boolean passed, List<JsonObject> timeline) {
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    List<double[]> held = new ArrayList<>();
    for (JsonObject r : timeline) {
      double t = r.getDouble("seconds");
      held.add(new double[] {t, r.getInteger("held")});
      JsonArray ns = r.getJsonArray("nodes");
      for (int i = 0; i < ns.size(); i++) {
        JsonObject n = ns.getJsonObject(i);
        String label = plan.targets().get(i).label();
        if (n.getLong("openFiles") >= 0) {
          series.computeIfAbsent("open files " + label, k -> new ArrayList<>()).add(new double[] {t,
              n.getLong("openFiles")});
        }
        if (n.getDouble("handshakesPending") >= 0) {
          series.computeIfAbsent("pending " + label, k -> new ArrayList<>()).add(new double[] {t,
              n.getDouble("handshakesPending")});
        }
      }
    }
    series.put("held by the attacker", held);
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hostile</title></head>"
        + "<body style=\"font:14px system-ui,sans-serif;margin:24px\"><h1>hostile — " + (passed ? "passed" : "failed")
        + "</h1><pre>" + Html.esc(summary) + "</pre><h2>Over time</h2>"
        + Html.chart(series, "seconds", "count", null, null) + "</body></html>\n";
  }

  private static String fmt(Object v) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return Long.toString(n.longValue());
    }
    return String.valueOf(v);
  }
}
