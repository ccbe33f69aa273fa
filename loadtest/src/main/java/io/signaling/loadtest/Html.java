package io.signaling.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** A self-contained HTML report (inline SVG, no scripts, nothing fetched). */
final class Html {

  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
      "#e377c2", "#17becf"};
  private static final double[] PERCENTILES = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

  private Html() {
  }

  static String render(RunResult r) {
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(r.scenario()))
        .append(" load test</title><style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}"
            + "table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;"
            + "text-align:right}th:first-child,td:first-child{text-align:left}.ok{color:#2a7a2a}.bad{color:#b22}"
            + "svg{background:#fafafa;border:1px solid #ddd;margin:6px 0}</style></head><body>");
    b.append("<h1>").append(esc(r.scenario())).append(" — ")
        .append(r.passed() ? "<span class=ok>passed</span>" : "<span class=bad>failed</span>").append("</h1>");
    b.append("<p>Started ").append(esc(r.startedAt().toString())).append(", ran ")
        .append(String.format(Locale.ROOT, "%.1f", r.runSeconds())).append(" s against ");
    List<String> t = new ArrayList<>();
    r.targets().forEach(x -> t.add(esc(x.uri().toString())));
    b.append(String.join(", ", t)).append(".</p>");
    if (r.extension() != null) {
      b.append("<p>The run was ").append(esc(r.extension().line())).append(".</p>");
    }
    b.append("<p>Parameters: ").append(esc(r.parameters().toString())).append("</p>");
    b.append("<p>Achieved <b>").append(String.format(Locale.ROOT, "%,.1f", r.achievedRate())).append("/s</b> (")
        .append(esc(Progress.label(r.rateCounter()))).append(")");
    if (r.targetRate() > 0) {
      b.append(String.format(Locale.ROOT, " of %,.1f/s target, over the %.1f s operations were started",
          r.targetRate(), r.startedOverSeconds()));
    }
    b.append(". Lost messages: ").append(r.lost()).append(". Errors: ")
        .append(esc(r.errors().isEmpty() ? "none" : r.errors().toString())).append(".</p>");
    if (r.serverCost() != null) {
      b.append("<p>").append(esc(r.serverCost().line().trim())).append("</p>");
    }
    for (String warning : r.generatorWarnings()) {
      b.append("<p class=bad>Warning: ").append(esc(warning)).append("</p>");
    }
    if (r.workers() != null) {
      Workers ws = r.workers();
      b.append("<h2>Workers</h2><p>").append(ws.count()).append(" workers, ")
          .append(ws.sliced() ? "each on its own slice of the targets" : "each on every target")
          .append("; their histograms added up into the figures above.</p><table><tr><th>worker</th><th>host</th>"
              + "<th>targets</th><th>done</th><th>achieved/s</th><th>send lag p50</th><th>send lag p99</th>"
              + "<th>send lag max</th><th>relay p99</th><th>pairing p99</th><th>errors</th><th>status</th></tr>");
      for (Workers.Worker w : ws.workers()) {
        b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%,d</td><td>%.1f</td>"
                + "<td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%,d</td><td class=%s>%s</td></tr>",
            w.index(), esc(w.host()), esc(String.join(", ", w.targets())), w.done(), w.achieved(), w.sendLagP50Ms(),
            w.sendLagP99Ms(), w.sendLagMaxMs(), w.relayP99Ms(), w.pairingP99Ms(), w.errors(),
            w.delivered() && !w.saturated() ? "ok" : "bad", esc(w.status() + (w.saturated() ? " (saturated)" : ""))));
      }
      b.append("</table>");
    }

    b.append("<h2>Latency (ms)</h2><table><tr><th>measure</th><th>count</th><th>p50</th><th>p90</th><th>p99</th>"
        + "<th>p99.9</th><th>max</th></tr>");
    Map<String, List<double[]>> curves = new LinkedHashMap<>();
    for (Map.Entry<String, Histogram> e : r.latencies().entrySet()) {
      Histogram h = e.getValue();
      String name = e.getKey();
      int at = name.indexOf('@');
      String label = at < 0 ? name : name.substring(0, at) + " @" + r.targets().get(
          Integer.parseInt(name.substring(at + 1))).label();
      b.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>"
              + "<td>%.3f</td><td>%.3f</td></tr>", esc(label), h.getTotalCount(), h.getValueAtPercentile(50) / 1e6,
          h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6,
          h.getMaxValue() / 1e6));
      if (at < 0) {
        List<double[]> points = new ArrayList<>();
        for (double p : PERCENTILES) {
          double x = Math.log10(1 / Math.max(1e-4, 1 - p / 100));
          points.add(new double[] {x, h.getValueAtPercentile(p) / 1e6});
        }
        curves.put(label, points);
      }
    }
    b.append("</table>");
    if (!curves.isEmpty()) {
      b.append("<h2>Latency by percentile</h2>");
      b.append(chart(curves, "percentile", "ms", new double[] {0, 1, 2, 3, 4},
          new String[] {"0%", "90%", "99%", "99.9%", "99.99%"}));
    }

    Map<String, List<double[]>> rates = new LinkedHashMap<>();
    Map<String, List<double[]>> p99 = new LinkedHashMap<>();
    for (Stats.Interval i : r.series()) {
      add(rates, Progress.label(r.rateCounter()) + "/s", i.atSeconds(), i.count(r.rateCounter()));
      add(rates, "sent/s", i.atSeconds(), i.count(Stats.SENT));
      add(rates, "received/s", i.atSeconds(), i.count(Stats.RECEIVED));
      if (r.targetRate() > 0) {
        add(rates, "target/s", i.atSeconds(), r.targetRate());
      }
      i.latencies().forEach((name, l) -> add(p99, name + " p99", i.atSeconds(), l.p99Ms()));
    }
    if (!rates.isEmpty()) {
      b.append("<h2>Throughput over time</h2>").append(chart(rates, "seconds", "per second", null, null));
    }
    if (!p99.isEmpty()) {
      b.append("<h2>p99 latency over time</h2>").append(chart(p99, "seconds", "ms", null, null));
    }
    if (!r.phases().isEmpty()) {
      b.append("<h2>Phases (scale events)</h2><pre>").append(esc(Report.eventLines(r))).append("</pre>");
      b.append("<table><tr><th>phase</th><th>from s</th><th>to s</th><th>relays</th><th>relay p50</th>"
          + "<th>relay p99</th><th>relay max</th><th>pairings</th><th>pairing p50</th><th>pairing p99</th>"
          + "<th>pairing max</th><th>calls</th><th>retries</th><th>errors</th></tr>");
      for (Phases.Summary p : r.phases()) {
        Histogram relay = p.relay();
        Histogram pairing = p.latency("pairing");
        b.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f</td><td>%.1f</td><td>%,d</td><td>%.2f</td>"
                + "<td>%.2f</td><td>%.2f</td><td>%,d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%,d</td>"
                + "<td>%,d</td><td>%,d</td></tr>", esc(p.name()), p.fromSeconds(), p.toSeconds(),
            relay.getTotalCount(), relay.getValueAtPercentile(50) / 1e6, relay.getValueAtPercentile(99) / 1e6,
            relay.getMaxValue() / 1e6, pairing.getTotalCount(), pairing.getValueAtPercentile(50) / 1e6,
            pairing.getValueAtPercentile(99) / 1e6, pairing.getMaxValue() / 1e6, p.counter("calls.completed"),
            p.counter("retries"), p.errorCount()));
      }
      b.append("</table><p>").append(esc(Report.targetLine(r))).append("</p>");
    }
    b.append("<h2>Counters</h2><table>");
    r.counters().forEach((k, v) -> b.append("<tr><td>").append(esc(k)).append("</td><td>")
        .append(String.format(Locale.ROOT, "%,d", v)).append("</td></tr>"));
    b.append("</table></body></html>\n");
    return b.toString();
  }

  private static void add(Map<String, List<double[]>> series, String name, double x, double y) {
    series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {x, y});
  }

  /** A line chart of several series; ticks on x are given (positions and labels) or computed. */
  static String chart(Map<String, List<double[]>> series, String xLabel, String yLabel, double[] xTicks,
      String[] xTickLabels) {
    int w = 900;
    int h = 320;
    int left = 70;
    int right = 200;
    int top = 20;
    int bottom = 40;
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double maxY = 0;
    for (List<double[]> points : series.values()) {
      for (double[] p : points) {
        minX = Math.min(minX, p[0]);
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    if (xTicks != null) {
      minX = Math.min(minX, xTicks[0]);
      maxX = Math.max(maxX, xTicks[xTicks.length - 1]);
    }
    if (maxX <= minX) {
      maxX = minX + 1;
    }
    maxY = niceCeiling(maxY);
    double sx = (w - left - right) / (maxX - minX);
    double sy = (h - top - bottom) / maxY;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        + "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">", w, h, w, h));
    for (int k = 0; k <= 4; k++) {
      double y = maxY * k / 4;
      double py = h - bottom - y * sy;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left, w - right, py, py, left - 6, py + 4,
          fmt(y)));
    }
    if (xTicks == null) {
      xTicks = new double[5];
      xTickLabels = new String[5];
      for (int k = 0; k < 5; k++) {
        xTicks[k] = minX + (maxX - minX) * k / 4;
        xTickLabels[k] = fmt(xTicks[k]);
      }
    }
    for (int k = 0; k < xTicks.length; k++) {
      double px = left + (xTicks[k] - minX) * sx;
      b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px, px, top, h - bottom, px,
          h - bottom + 16, esc(xTickLabels[k])));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
        left + (w - left - right) / 2, h - 6, esc(xLabel)));
    b.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" "
        + "text-anchor=\"middle\">%s</text>", top + (h - top - bottom) / 2, top + (h - top - bottom) / 2, esc(yLabel)));
    int n = 0;
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      String colour = COLOURS[n % COLOURS.length];
      StringBuilder path = new StringBuilder();
      for (double[] p : e.getValue()) {
        path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f",
            left + (p[0] - minX) * sx, h - bottom - Math.min(p[1], maxY) * sy));
      }
      b.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
          .append("\" stroke-width=\"1.6\"/>");
      b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\">%s</text>", w - right + 12, top + 8 + n * 16, colour, w - right + 30,
          top + 12 + n * 16, esc(e.getKey())));
      n++;
    }
    b.append("</svg>");
    return b.toString();
  }

  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String fmt(double v) {
    if (v >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
