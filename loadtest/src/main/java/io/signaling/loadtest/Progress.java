package io.signaling.loadtest;

import java.util.Locale;

/** The one-line summary printed every second while a run goes. */
final class Progress {

  private Progress() {
  }

  static String line(Scenario scenario, Stats.Interval i) {
    StringBuilder b = new StringBuilder(160);
    b.append(String.format(Locale.ROOT, "[%5.0fs] %s %,d/s", i.atSeconds(), label(scenario.rateCounter()),
        i.count(scenario.rateCounter())));
    if (scenario.targetRate() > 0) {
      b.append(String.format(Locale.ROOT, " (target %,.0f)", scenario.targetRate()));
    }
    b.append(String.format(Locale.ROOT, " | sent %,d/s recv %,d/s", i.count(Stats.SENT), i.count(Stats.RECEIVED)));
    for (String name : scenario.headlineLatencies()) {
      Stats.Interval.Latency l = i.latencies().get(name);
      if (l != null) {
        b.append(String.format(Locale.ROOT, " | %s p50 %.2f p99 %.2f ms", name, l.p50Ms(), l.p99Ms()));
      }
    }
    b.append(" | errors ").append(i.errorsSoFar());
    return b.toString();
  }

  static String label(String counter) {
    return switch (counter) {
      case Stats.OPS_COMPLETED -> "done";
      default -> counter;
    };
  }
}
