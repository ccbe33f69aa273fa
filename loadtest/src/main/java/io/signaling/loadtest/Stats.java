package io.signaling.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a run measured: latency histograms by name (HdrHistogram, nanoseconds, recorded from any thread),
 * counters, errors by definition, and a time series of one-second intervals. A latency name may carry a
 * node as {@code name@node}; {@link #record(String, int, long)} records both the total and the node's.
 */
public final class Stats {

  /** Longest latency tracked; larger values are recorded as this (and counted in {@code clamped}). */
  public static final long MAX_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(120);

  /** Counter names shared by the scenarios. */
  public static final String OPS_STARTED = "operations.started";
  public static final String OPS_COMPLETED = "operations.completed";
  public static final String OPS_FAILED = "operations.failed";
  public static final String SENT = "messages.sent";
  public static final String RECEIVED = "messages.received";
  public static final String LOST = "messages.lost";
  public static final String UNEXPECTED = "messages.unexpected";

  /**
   * The load generator's own lateness: how long after its intended time each paced operation was actually
   * issued. A few milliseconds at most on a generator with room to spare; growing when the generator itself
   * is saturated (its figures then include its own queueing).
   */
  public static final String SEND_LAG = "harness.sendLag";

  private final Map<String, Recorder> recorders = new ConcurrentHashMap<>();
  private final Map<String, Histogram> totals = new ConcurrentHashMap<>();
  private final Map<String, Histogram> intervals = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final LongAdder clamped = new LongAdder();
  private final List<Interval> series = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Long> lastCounts = new TreeMap<>();
  private long startNanos;
  private volatile boolean recording = true;
  private volatile Phases phases;
  private volatile boolean measuring;
  private final java.util.concurrent.atomic.AtomicLong lastIssuedNanos = new java.util.concurrent.atomic.AtomicLong();
  private volatile java.util.function.BiConsumer<Interval, Map<String, Histogram>> intervalSink;

  public Stats(long startNanos) {
    this.startNanos = startNanos;
  }

  /**
   * Starts the measured part of a run: what was recorded so far (preparation) is folded into the totals,
   * and the time series and the counters' interval baseline start from {@code startNanos}.
   */
  public synchronized void beginRun(long startNanos) {
    tick(startNanos);
    series.clear();
    this.startNanos = startNanos;
    lastIssuedNanos.set(startNanos);
    measuring = true;
  }

  /** The measured run's start (after {@link #beginRun}). */
  public long startNanos() {
    return startNanos;
  }

  /**
   * A paced operation intended at {@code intendedNanos} was issued now: records the generator's send lag and
   * remembers the latest issue (the achieved rate is taken over the time operations were actually started).
   * Nothing is recorded before the measured run (preparation).
   */
  public void issued(long intendedNanos, long nowNanos) {
    if (!measuring || !recording) {
      return;
    }
    record(SEND_LAG, -1, nowNanos - intendedNanos);
    lastIssuedNanos.accumulateAndGet(nowNanos, Math::max);
  }

  /** Seconds from the measured run's start to the last paced operation issued (0 when none was). */
  public double lastIssuedSeconds() {
    return Math.max(0, (lastIssuedNanos.get() - startNanos) / 1e9);
  }

  /** Told of every interval closed by {@link #tick} with its histograms (totals only), before they are reused. */
  public void intervalSink(java.util.function.BiConsumer<Interval, Map<String, Histogram>> sink) {
    this.intervalSink = sink;
  }

  /** From now on, also accounts every sample, counter and error to the phase of the run it belongs to. */
  public void phases(Phases phases) {
    this.phases = phases;
  }

  Phases phases() {
    return phases;
  }

  /** Records a latency in nanoseconds under its name and under {@code name@node} when node is 0 or more. */
  public void record(String name, int node, long nanos) {
    if (!recording) {
      return;
    }
    long value = Math.max(0, nanos);
    if (value > MAX_TRACKABLE_NANOS) {
      clamped.increment();
      value = MAX_TRACKABLE_NANOS;
    }
    recorder(name).recordValue(value);
    Phases p = phases;
    if (p != null) {
      p.record(name, value, System.nanoTime());
    }
    if (node >= 0) {
      recorder(name + "@" + node).recordValue(value);
    }
  }

  public void count(String counter) {
    count(counter, 1);
  }

  public void count(String counter, long n) {
    if (recording) {
      counters.computeIfAbsent(counter, k -> new LongAdder()).add(n);
      Phases p = phases;
      if (p != null) {
        p.count(counter, n, System.nanoTime());
      }
    }
  }

  /** Counts an error reply (or a failure of the harness's own making) by its definition. */
  public void error(String definition) {
    if (recording) {
      errors.computeIfAbsent(definition, k -> new LongAdder()).increment();
      Phases p = phases;
      if (p != null) {
        p.error(definition, System.nanoTime());
      }
    }
  }

  /** Stops recording: samples after the end of a run (late replies, closing) are not counted. */
  public void stop() {
    recording = false;
  }

  /** Resets everything recorded so far (the end of a warm-up). */
  public synchronized void reset() {
    for (Recorder r : recorders.values()) {
      r.reset();
    }
    totals.clear();
    counters.clear();
    errors.clear();
    series.clear();
    lastCounts.clear();
  }

  private Recorder recorder(String name) {
    return recorders.computeIfAbsent(name, k -> new Recorder(MAX_TRACKABLE_NANOS, 3));
  }

  /** Closes the current one-second interval: folds it into the totals and appends it to the series. */
  public synchronized Interval tick(long nowNanos) {
    Map<String, Interval.Latency> latencies = new TreeMap<>();
    Map<String, Histogram> closed = new TreeMap<>();
    for (Map.Entry<String, Recorder> e : recorders.entrySet()) {
      Histogram interval = e.getValue().getIntervalHistogram(intervals.get(e.getKey()));
      intervals.put(e.getKey(), interval);
      totals.computeIfAbsent(e.getKey(), k -> new Histogram(MAX_TRACKABLE_NANOS, 3)).add(interval);
      if (interval.getTotalCount() > 0 && !e.getKey().contains("@")) {
        latencies.put(e.getKey(), new Interval.Latency(interval.getTotalCount(),
            ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)), ms(interval.getMaxValue())));
        closed.put(e.getKey(), interval);
      }
    }
    Map<String, Long> deltas = new TreeMap<>();
    for (Map.Entry<String, LongAdder> e : counters.entrySet()) {
      long now = e.getValue().sum();
      long before = lastCounts.getOrDefault(e.getKey(), 0L);
      lastCounts.put(e.getKey(), now);
      deltas.put(e.getKey(), now - before);
    }
    Interval i = new Interval((nowNanos - startNanos) / 1e9, deltas, latencies, errorCount());
    series.add(i);
    java.util.function.BiConsumer<Interval, Map<String, Histogram>> sink = intervalSink;
    if (sink != null) {
      sink.accept(i, closed);
    }
    return i;
  }

  /** The whole-run histogram of a latency name (empty when nothing was recorded); call after {@link #tick}. */
  public synchronized Histogram total(String name) {
    Histogram h = totals.get(name);
    return h == null ? new Histogram(MAX_TRACKABLE_NANOS, 3) : h.copy();
  }

  /** Every latency name with samples, including the per-node ones, sorted. */
  public synchronized List<String> latencyNames() {
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, Histogram> e : totals.entrySet()) {
      if (e.getValue().getTotalCount() > 0) {
        names.add(e.getKey());
      }
    }
    Collections.sort(names);
    return names;
  }

  public long counter(String name) {
    LongAdder a = counters.get(name);
    return a == null ? 0 : a.sum();
  }

  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public long errorCount() {
    long n = 0;
    for (LongAdder a : errors.values()) {
      n += a.sum();
    }
    return n;
  }

  public long clamped() {
    return clamped.sum();
  }

  public List<Interval> series() {
    synchronized (series) {
      return List.copyOf(series);
    }
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  /**
   * One second of a run.
   *
   * @param atSeconds seconds since the run started, at the interval's end
   * @param counts counter increments during the interval
   * @param latencies per latency name (totals only): samples, p50, p99 and max in milliseconds
   * @param errorsSoFar errors counted since the start
   */
  public record Interval(double atSeconds, Map<String, Long> counts, Map<String, Latency> latencies, long errorsSoFar) {

    public long count(String name) {
      return counts.getOrDefault(name, 0L);
    }

    public record Latency(long samples, double p50Ms, double p99Ms, double maxMs) { }
  }
}
