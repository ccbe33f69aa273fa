package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The bookkeeping of the {@code cost} command: which round is which (the first on a fresh process, warm-up, warm),
 * each round's figures, and the warm rounds merged into one row.
 */
final class CostRounds {

  private CostRounds() {
  }

  /** What a round is for. */
  enum Kind {
    /** The first round on the server processes: the cold JVM (or a fresh Node.js process). */
    FIRST("first"),
    /** Warming up: reported as a line, not in the figures. */
    WARMUP("warm-up"),
    /** Measured once the warm-up calls were made. */
    WARM("warm");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /**
   * The rounds of a run: the first, then warm-up rounds until at least {@code warmupCalls} calls (the first's
   * included) were made, then {@code warmRounds} warm ones.
   */
  static List<Kind> plan(int callsPerRound, long warmupCalls, int warmRounds) {
    if (callsPerRound < 1 || warmupCalls < 0 || warmRounds < 1) {
      throw new IllegalArgumentException("calls " + callsPerRound + ", warm-up " + warmupCalls + ", warm rounds "
          + warmRounds);
    }
    List<Kind> rounds = new ArrayList<>();
    rounds.add(Kind.FIRST);
    long made = callsPerRound;
    while (made < warmupCalls) {
      rounds.add(Kind.WARMUP);
      made += callsPerRound;
    }
    for (int i = 0; i < warmRounds; i++) {
      rounds.add(Kind.WARM);
    }
    return rounds;
  }

  /**
   * One round's (or several merged rounds') figures.
   *
   * @param calls calls completed
   * @param failed calls that failed
   * @param relayed relayed messages that arrived
   * @param cpuNanos the servers' CPU time over the round(s)
   * @param relay every relay type's latency
   * @param pairing join of B to {@code start} at A (empty in a protocol without rooms)
   */
  record Round(int number, Kind kind, long calls, long failed, long relayed, double seconds, long cpuNanos,
      Histogram relay, Histogram pairing, long errors, long lost) {

    static Round of(int number, Kind kind, RunResult r) {
      ServerCost cost = r.serverCost();
      Map<String, Long> c = r.counters();
      Histogram pairing = r.latencies().get("pairing");
      return new Round(number, kind, RunResult.completedCalls(r.latencies()), c.getOrDefault(Stats.OPS_FAILED, 0L),
          RunResult.relayed(r.latencies()), r.runSeconds(), cost == null ? -1 : cost.cpuNanos(),
          RunResult.relayAll(r.latencies()), pairing == null ? new Histogram(Stats.MAX_TRACKABLE_NANOS, 3)
              : pairing.copy(), r.errorCount(), r.lost());
    }

    /** CPU milliseconds per completed call, NaN when not measured or no call completed. */
    double cpuMsPerCall() {
      return cpuNanos >= 0 && calls > 0 ? cpuNanos / 1e6 / calls : Double.NaN;
    }

    double cpuUsPerRelayed() {
      return cpuNanos >= 0 && relayed > 0 ? cpuNanos / 1e3 / relayed : Double.NaN;
    }

    double relayedPerSecond() {
      return seconds > 0 ? relayed / seconds : Double.NaN;
    }

    double callsPerSecond() {
      return seconds > 0 ? calls / seconds : Double.NaN;
    }

    double relayP50Ms() {
      return ms(relay, 50);
    }

    double relayP99Ms() {
      return ms(relay, 99);
    }

    double pairingP99Ms() {
      return ms(pairing, 99);
    }

    private static double ms(Histogram h, double percentile) {
      return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
    }

    String label() {
      return number > 0 ? kind.label + " " + number : kind.label;
    }

    JsonObject toJson() {
      return new JsonObject().put("round", number).put("kind", kind.label).put("calls", calls).put("failed", failed)
          .put("relayedMessages", relayed).put("seconds", RunResult.round(seconds))
          .put("cpuMs", cpuNanos >= 0 ? RunResult.round(cpuNanos / 1e6) : null)
          .put("cpuMsPerCall", num(cpuMsPerCall())).put("cpuUsPerRelayedMessage", num(cpuUsPerRelayed()))
          .put("relayP50Ms", num(relayP50Ms())).put("relayP99Ms", num(relayP99Ms()))
          .put("relayedPerSecond", num(relayedPerSecond())).put("callsPerSecond", num(callsPerSecond()))
          .put("pairingP99Ms", num(pairingP99Ms())).put("errors", errors).put("lostMessages", lost);
    }
  }

  /** Rounds merged: sums, and one histogram of all their samples; numbered 0, of the first round's kind. */
  static Round merge(List<Round> rounds) {
    if (rounds.isEmpty()) {
      throw new IllegalArgumentException("no rounds to merge");
    }
    Histogram relay = new Histogram(Stats.MAX_TRACKABLE_NANOS, 3);
    Histogram pairing = new Histogram(Stats.MAX_TRACKABLE_NANOS, 3);
    long calls = 0;
    long failed = 0;
    long relayed = 0;
    long cpu = 0;
    long errors = 0;
    long lost = 0;
    double seconds = 0;
    boolean measured = true;
    for (Round r : rounds) {
      relay.add(r.relay());
      pairing.add(r.pairing());
      calls += r.calls();
      failed += r.failed();
      relayed += r.relayed();
      seconds += r.seconds();
      errors += r.errors();
      lost += r.lost();
      measured &= r.cpuNanos() >= 0;
      cpu += Math.max(0, r.cpuNanos());
    }
    return new Round(0, rounds.get(0).kind(), calls, failed, relayed, seconds, measured ? cpu : -1, relay, pairing,
        errors, lost);
  }

  static String header() {
    return String.format(Locale.ROOT, "%-10s %7s %6s %9s %9s %12s %9s %9s %11s %9s %9s %6s%n", "round", "calls",
        "failed", "seconds", "cpu ms", "cpu ms/call", "us/relay", "relay p50", "relay p99", "relay/s",
        "pair p99", "errors");
  }

  static String line(Round r) {
    return String.format(Locale.ROOT, "%-10s %,7d %,6d %9.1f %9s %12s %9s %9s %11s %,9.0f %9s %,6d%n", r.label(),
        r.calls(), r.failed(), r.seconds(), r.cpuNanos() >= 0 ? String.format(Locale.ROOT, "%.0f", r.cpuNanos() / 1e6)
            : "-", fmt(r.cpuMsPerCall(), "%.3f"), fmt(r.cpuUsPerRelayed(), "%.1f"), fmt(r.relayP50Ms(), "%.2f"),
        fmt(r.relayP99Ms(), "%.2f"), r.relayedPerSecond(), fmt(r.pairingP99Ms(), "%.2f"), r.errors());
  }

  static String fmt(double v, String format) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }

  static Double num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : RunResult.round(v);
  }
}
