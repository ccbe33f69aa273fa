package io.signaling.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The phases of a run with scale events, one after the other: {@code steady} before the first event,
 * {@code scale-up} from a node's start until it is ready plus a settle time, {@code scaled} from then on,
 * {@code drain} from a node's SIGTERM until it exited, {@code after} from then on (a kind seen again gets a
 * number: {@code drain 2}). A latency sample belongs to the phase in which its operation was intended to start
 * (the sample's end minus its latency), so a relay sent during a drain and delivered later still counts for the
 * drain; counters and errors belong to the phase in which they were counted. Thread-safe: samples come from
 * every event loop, phases are begun by the thread that runs the events.
 *
 * <p>A distributed run's workers {@linkplain #following follow} the coordinator's phases: they learn each
 * boundary from the coordinator a little after it happened, so what they measure waits (in a short queue) until
 * the coordinator said which phases its time belongs to ({@link #settle}), and is then accounted as above.
 */
final class Phases {

  enum Kind {
    STEADY("steady", false), SCALE_UP("scale-up", true), SCALED("scaled", false), DRAIN("drain", true),
    AFTER("after", false);

    final String label;
    /** A phase of a scale event (the figures the target speaks of), as opposed to a settled cluster. */
    final boolean event;

    Kind(String label, boolean event) {
      this.label = label;
      this.event = event;
    }
  }

  /** The phase histograms' lowest discernible value (1 µs; faster samples are counted as 1 µs). */
  static final long LOWEST_NANOS = 1_000;

  /** One phase; its end is {@code Long.MAX_VALUE} while it lasts. */
  static final class Phase {
    final Kind kind;
    final String name;
    final long startNanos;
    volatile long endNanos = Long.MAX_VALUE;
    private final Map<String, Histogram> latencies = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    Phase(Kind kind, String name, long startNanos) {
      this.kind = kind;
      this.name = name;
      this.startNanos = startNanos;
    }

    void record(String latency, long nanos) {
      latencies.computeIfAbsent(latency, k -> new ConcurrentHistogram(LOWEST_NANOS, Stats.MAX_TRACKABLE_NANOS, 3))
          .recordValue(Math.max(LOWEST_NANOS, Math.min(Stats.MAX_TRACKABLE_NANOS, nanos)));
    }
  }

  /** A sample, counter or error whose phase is not known yet (a follower's): {@code at} decides its phase. */
  private record Pending(int what, String name, long value, long at) {
    static final int LATENCY = 0;
    static final int COUNTER = 1;
    static final int ERROR = 2;
  }

  private final long runStartNanos;
  private final List<Phase> timeline = new CopyOnWriteArrayList<>();
  /** A follower's: what happened at or after {@link #settledUntil} waits in {@link #pending}. */
  private volatile boolean following;
  private long settledUntil;
  private final List<Pending> pending = new ArrayList<>();

  Phases(long runStartNanos) {
    this.runStartNanos = runStartNanos;
    timeline.add(new Phase(Kind.STEADY, Kind.STEADY.label, runStartNanos));
  }

  /** The phases of a worker, which learns their boundaries from its coordinator (see the class comment). */
  static Phases following(long runStartNanos) {
    Phases p = new Phases(runStartNanos);
    p.following = true;
    p.settledUntil = runStartNanos;
    return p;
  }

  long runStartNanos() {
    return runStartNanos;
  }

  /** The phases begun so far after {@code steady}: their kinds and starts, in nanoseconds since the run started. */
  List<Map.Entry<Kind, Long>> boundaries() {
    List<Map.Entry<Kind, Long>> out = new ArrayList<>();
    for (int i = 1; i < timeline.size(); i++) {
      out.add(Map.entry(timeline.get(i).kind, timeline.get(i).startNanos - runStartNanos));
    }
    return out;
  }

  /**
   * A follower's: every phase boundary before {@code untilNanos} is known now; what waits from before it is
   * accounted to its phase.
   */
  synchronized void settle(long untilNanos) {
    if (!following || untilNanos - settledUntil <= 0) {
      return;
    }
    settledUntil = untilNanos;
    flush(false);
  }

  private void flush(boolean all) {
    List<Pending> keep = new ArrayList<>();
    for (Pending e : pending) {
      if (!all && e.at - settledUntil >= 0) {
        keep.add(e);
        continue;
      }
      Phase p = at(e.at);
      if (p == null) {
        continue;
      }
      switch (e.what) {
        case Pending.LATENCY -> p.record(e.name, e.value);
        case Pending.COUNTER -> p.counters.computeIfAbsent(e.name, k -> new LongAdder()).add(e.value);
        default -> p.errors.computeIfAbsent(e.name, k -> new LongAdder()).increment();
      }
    }
    pending.clear();
    pending.addAll(keep);
  }

  /** True when {@code at} is not settled yet (a follower's): the entry waits. */
  private boolean deferred(int what, String name, long value, long at) {
    if (!following) {
      return false;
    }
    synchronized (this) {
      if (!following || at - settledUntil < 0) {
        return false;
      }
      pending.add(new Pending(what, name, value, at));
      return true;
    }
  }

  /** Ends the current phase at {@code atNanos} and begins one of {@code kind}; returns its name. */
  synchronized String begin(Kind kind, long atNanos) {
    Phase current = timeline.get(timeline.size() - 1);
    long at = Math.max(atNanos, current.startNanos);
    current.endNanos = at;
    long seen = timeline.stream().filter(p -> p.kind == kind).count();
    String name = seen == 0 ? kind.label : kind.label + " " + (seen + 1);
    timeline.add(new Phase(kind, name, at));
    return name;
  }

  /** Ends the last phase (the end of the run); a follower accounts what still waits to the phases it knows. */
  synchronized void end(long atNanos) {
    Phase current = timeline.get(timeline.size() - 1);
    if (current.endNanos == Long.MAX_VALUE) {
      current.endNanos = Math.max(atNanos, current.startNanos);
    }
    if (following) {
      flush(true);
      following = false;
    }
  }

  /** The phase holding {@code nanos}, or null before the run started or after it ended. */
  Phase at(long nanos) {
    for (int i = timeline.size() - 1; i >= 0; i--) {
      Phase p = timeline.get(i);
      if (nanos - p.startNanos >= 0) {
        return nanos - p.endNanos < 0 ? p : null;
      }
    }
    return null;
  }

  String current() {
    return timeline.get(timeline.size() - 1).name;
  }

  /** A latency sample measured at {@code nowNanos}: counted in the phase its operation started in. */
  void record(String name, long nanos, long nowNanos) {
    if (deferred(Pending.LATENCY, name, nanos, nowNanos - nanos)) {
      return;
    }
    Phase p = at(nowNanos - nanos);
    if (p != null) {
      p.record(name, nanos);
    }
  }

  void count(String counter, long n, long nowNanos) {
    if (deferred(Pending.COUNTER, counter, n, nowNanos)) {
      return;
    }
    Phase p = at(nowNanos);
    if (p != null) {
      p.counters.computeIfAbsent(counter, k -> new LongAdder()).add(n);
    }
  }

  void error(String definition, long nowNanos) {
    if (deferred(Pending.ERROR, definition, 1, nowNanos)) {
      return;
    }
    Phase p = at(nowNanos);
    if (p != null) {
      p.errors.computeIfAbsent(definition, k -> new LongAdder()).increment();
    }
  }

  /** What one phase measured, its times in seconds since the run started. */
  record Summary(String name, Kind kind, double fromSeconds, double toSeconds, Map<String, Histogram> latencies,
      Map<String, Long> counters, Map<String, Long> errors) {

    /** Every relayed message type together ({@code relay.*}). */
    Histogram relay() {
      Histogram all = new Histogram(LOWEST_NANOS, Stats.MAX_TRACKABLE_NANOS, 3);
      latencies.forEach((name, h) -> {
        if (name.startsWith("relay.")) {
          all.add(h);
        }
      });
      return all;
    }

    Histogram latency(String name) {
      Histogram h = latencies.get(name);
      return h == null ? new Histogram(LOWEST_NANOS, Stats.MAX_TRACKABLE_NANOS, 3) : h;
    }

    long counter(String name) {
      return counters.getOrDefault(name, 0L);
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Every phase so far, in order (the last one ends now if it has not ended). */
  List<Summary> summaries(long nowNanos) {
    List<Summary> out = new ArrayList<>();
    for (Phase p : timeline) {
      long end = p.endNanos == Long.MAX_VALUE ? nowNanos : p.endNanos;
      Map<String, Histogram> lat = new TreeMap<>();
      p.latencies.forEach((k, v) -> lat.put(k, v.copy()));
      Map<String, Long> c = new TreeMap<>();
      p.counters.forEach((k, v) -> c.put(k, v.sum()));
      Map<String, Long> e = new TreeMap<>();
      p.errors.forEach((k, v) -> e.put(k, v.sum()));
      out.add(new Summary(p.name, p.kind, (p.startNanos - runStartNanos) / 1e9, (end - runStartNanos) / 1e9,
          new LinkedHashMap<>(lat), c, e));
    }
    return out;
  }

  /**
   * The benchmark's target for a run with scale events: during every scale-event phase no relay slower than
   * {@code maxRelayMs}, and relay p99 at most {@code p99Factor} times the steady phase's p99 of the same run.
   */
  record Target(double steadyP99Ms, double eventP99Ms, String worstPhase, double eventMaxMs, double maxRelayMs,
      double p99Factor) {

    boolean maxMet() {
      return eventMaxMs <= maxRelayMs;
    }

    boolean p99Met() {
      return eventP99Ms <= p99Factor * steadyP99Ms;
    }

    boolean met() {
      return maxMet() && p99Met();
    }

    double ratio() {
      return steadyP99Ms > 0 ? eventP99Ms / steadyP99Ms : Double.NaN;
    }
  }

  /** The target judged from the phases, or null when there is no steady phase with relays or no event phase. */
  static Target target(List<Summary> phases, double maxRelayMs, double p99Factor) {
    Summary steady = phases.isEmpty() ? null : phases.get(0);
    if (steady == null || steady.kind() != Kind.STEADY || steady.relay().getTotalCount() == 0) {
      return null;
    }
    double worstP99 = -1;
    double worstMax = 0;
    String worst = null;
    for (Summary s : phases) {
      Histogram relay = s.relay();
      if (!s.kind().event || relay.getTotalCount() == 0) {
        continue;
      }
      double p99 = relay.getValueAtPercentile(99) / 1e6;
      if (p99 > worstP99) {
        worstP99 = p99;
        worst = s.name();
      }
      worstMax = Math.max(worstMax, relay.getMaxValue() / 1e6);
    }
    if (worst == null) {
      return null;
    }
    return new Target(steady.relay().getValueAtPercentile(99) / 1e6, worstP99, worst, worstMax, maxRelayMs,
        p99Factor);
  }
}
