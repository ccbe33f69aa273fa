package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * What the server processes spent on a run: their CPU time between the start and the end of the measured run,
 * per completed call and per relayed message, and their resident memory before and after.
 *
 * @param pids the processes measured
 * @param cpuNanos CPU time of all of them over the run
 * @param calls calls (or operations) completed in the run
 * @param relayed relayed messages that arrived in the run (offers, answers, candidates, peer messages)
 * @param seconds wall time of the run
 * @param alive false when a process could not be read at the end (it had gone: the figures are incomplete)
 */
record ServerCost(List<Long> pids, long cpuNanos, long calls, long relayed, double seconds, long rssBeforeBytes,
    long rssAfterBytes, boolean alive) {

  static ServerCost between(List<Long> pids, ServerCpu.Sample before, ServerCpu.Sample after, long calls,
      long relayed, double seconds) {
    return new ServerCost(pids, Math.max(0, after.cpuNanos() - before.cpuNanos()), calls, relayed, seconds,
        before.rssBytes(), after.rssBytes(), before.alive() && after.alive());
  }

  double cpuMillis() {
    return cpuNanos / 1e6;
  }

  /** CPU milliseconds per completed call (NaN without calls). */
  double cpuMillisPerCall() {
    return calls > 0 ? cpuMillis() / calls : Double.NaN;
  }

  /** CPU microseconds per relayed message (NaN without relays). */
  double cpuMicrosPerRelayed() {
    return relayed > 0 ? cpuNanos / 1e3 / relayed : Double.NaN;
  }

  /** Cores the servers kept busy on average over the run. */
  double cores() {
    return seconds > 0 ? cpuNanos / 1e9 / seconds : Double.NaN;
  }

  String line() {
    return String.format(Locale.ROOT, "server CPU (pids %s): %.0f ms over %.1f s (%.2f cores); %s per call, "
            + "%s per relayed message; resident %s -> %s MiB%s%n", pids, cpuMillis(), seconds, cores(),
        calls > 0 ? String.format(Locale.ROOT, "%.3f ms", cpuMillisPerCall()) : "-",
        relayed > 0 ? String.format(Locale.ROOT, "%.1f us", cpuMicrosPerRelayed()) : "-",
        mib(rssBeforeBytes), mib(rssAfterBytes), alive ? "" : " (a process had gone: incomplete)");
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  JsonObject toJson() {
    return new JsonObject().put("pids", new io.vertx.core.json.JsonArray(List.copyOf(pids)))
        .put("cpuMs", RunResult.round(cpuMillis())).put("calls", calls).put("relayedMessages", relayed)
        .put("seconds", RunResult.round(seconds))
        .put("cpuMsPerCall", calls > 0 ? RunResult.round(cpuMillisPerCall()) : null)
        .put("cpuUsPerRelayedMessage", relayed > 0 ? RunResult.round(cpuMicrosPerRelayed()) : null)
        .put("cores", seconds > 0 ? RunResult.round(cores()) : null)
        .put("rssBeforeBytes", rssBeforeBytes).put("rssAfterBytes", rssAfterBytes).put("complete", alive);
  }
}
