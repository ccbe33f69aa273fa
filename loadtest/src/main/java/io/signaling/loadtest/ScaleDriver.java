package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a run's scale events with the local cluster script ({@code local-cluster.sh add} / {@code drain --wait}),
 * one after the other, on a thread of its own, and begins the matching phases: a start opens {@code scale-up},
 * which lasts until the new node is ready plus the settle time, or until the cluster is member-safe if that comes
 * later (at most {@link #SAFE_TIMEOUT_SECONDS} after ready), then {@code scaled}; a drain opens {@code drain},
 * which lasts until the node's process exited and the remaining members are safe (same bound), then
 * {@code after}. Member-safe: every member's {@code /health/safe} answers 200 and sees every member. An event that
 * falls due while the previous one is still going waits for it (its record says when it really began). A
 * {@link ReadinessPoll} keeps the ready set current, as a load balancer would.
 *
 * <p>An event is never cut off by the run's planned end: while one is in progress (or due) the run is extended
 * ({@link RunExtension}), its end kept {@link #TAIL_SECONDS} ahead, so the load goes on through the event and the
 * phase after it; each event is bounded by its own timeout (a start's node {@value #START_TIMEOUT_SECONDS} s, a
 * drain's exit {@code --drain-timeout} plus 30 s). The report says by how long and why the run was extended.
 *
 * <p>Closing stops the events (a script still running is cut off) and then every node the run started that is
 * still running ({@link ClusterScript#stopLaunched}): the run leaves the cluster as it found it. It is closed
 * when the run ends or fails, and by a shutdown hook when the harness is stopped mid-run.
 */
final class ScaleDriver implements ScaleEvents {

  /** What became of one event; times in seconds since the run started, -1 when it did not happen. */
  record Record(ScaleEvent event, double beganSeconds, double doneSeconds, double unreadySeconds, double safeSeconds,
      String node, String outcome) {

    JsonObject toJson() {
      return new JsonObject().put("event", event.toString()).put("kind", event.kind().label())
          .put("plannedAtSeconds", event.atSeconds()).put("beganAtSeconds", RunResult.round(beganSeconds))
          .put(event.kind() == ScaleEvent.Kind.START ? "readyAtSeconds" : "exitedAtSeconds", RunResult.round(doneSeconds))
          .put("notReadyAtSeconds", RunResult.round(unreadySeconds))
          .put("memberSafeAtSeconds", RunResult.round(safeSeconds)).put("node", node).put("outcome", outcome);
    }
  }

  private static final long POLL_MILLIS = 250;
  /** How long a started node may take to be ready. */
  static final int START_TIMEOUT_SECONDS = 300;
  /** How far ahead the end of a run is kept while an event is in progress, and how long it goes on after the last. */
  static final int TAIL_SECONDS = 5;
  /** How long after a node is ready (or exited) the driver waits for the cluster to be member-safe. */
  static final long SAFE_TIMEOUT_SECONDS = 120;

  private final List<ScaleEvent> events;
  private final ClusterScript script;
  private final TargetSet targets;
  private final double settleSeconds;
  private final int drainTimeoutSeconds;
  private final PrintStream console;
  private final long plannedNanos;
  private final RunExtension extension;
  private final AtomicInteger eventsLeft;
  /** The event in progress or next due, for the report of an extension. */
  private volatile ScaleEvent current;
  private final List<Record> records = new CopyOnWriteArrayList<>();
  private final Deque<Target> started = new ArrayDeque<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final MemberSafety safety = new MemberSafety(http);
  private final ReadinessPoll readiness;
  /** Targets whose node this run drained (no longer members). */
  private final Set<Integer> gone = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Long> notReadyAt = new ConcurrentHashMap<>();
  private volatile long safeTimeoutSeconds = SAFE_TIMEOUT_SECONDS;
  private volatile boolean closed;
  /** Closes the driver, the nodes it started stopped, when the harness is stopped (Ctrl-C, SIGTERM) mid-run. */
  private final Thread shutdownHook = new Thread(this::close, "scale-close");
  private final Object closing = new Object();
  private Thread eventThread;
  private long runStartNanos;
  private Stats stats;

  ScaleDriver(List<ScaleEvent> events, Path script, Path clusterDir, TargetSet targets, double settleSeconds,
      int drainTimeoutSeconds, PrintStream console) {
    this(events, script, clusterDir, targets, settleSeconds, drainTimeoutSeconds, console, Double.POSITIVE_INFINITY,
        new RunExtension());
  }

  /**
   * @param plannedSeconds the measured run's planned length
   * @param extension what this driver extends while an event is in progress at the planned end
   */
  ScaleDriver(List<ScaleEvent> events, Path script, Path clusterDir, TargetSet targets, double settleSeconds,
      int drainTimeoutSeconds, PrintStream console, double plannedSeconds, RunExtension extension) {
    this.plannedNanos = Double.isInfinite(plannedSeconds) ? Long.MAX_VALUE / 4 : (long) (plannedSeconds * 1e9);
    this.extension = extension;
    this.eventsLeft = new AtomicInteger(events.size());
    this.current = events.isEmpty() ? null : events.get(0);
    this.events = List.copyOf(events);
    this.script = new ClusterScript(script, clusterDir, console);
    this.readiness = new ReadinessPoll(targets, clusterDir, http);
    this.targets = targets;
    this.settleSeconds = settleSeconds;
    this.drainTimeoutSeconds = drainTimeoutSeconds;
    this.console = console;
  }

  @Override
  public TargetSet targets() {
    return targets;
  }

  @Override
  public List<Record> records() {
    return List.copyOf(records);
  }

  @Override
  public RunExtension extension() {
    return extension;
  }

  /**
   * While an event is in progress or due, the run's end is kept {@link #TAIL_SECONDS} ahead of now; once the last
   * event is done, it stays {@link #TAIL_SECONDS} after that (never earlier than planned).
   */
  private void keepEndAhead() {
    long now = System.nanoTime();
    long wanted = now + TAIL_SECONDS * 1_000_000_000L - (runStartNanos + plannedNanos);
    if (wanted <= extension.nanos()) {
      return;
    }
    boolean first = extension.nanos() == 0;
    ScaleEvent e = current;
    extension.atLeast(wanted, e == null ? "scale events" : "scale event " + e + " in progress");
    if (first) {
      console.printf(Locale.ROOT, "[%5.1fs] scale: %s not done %d s before the planned end (%.1f s): the run goes "
          + "on until it is, then %d s more%n", seconds(now), e, TAIL_SECONDS, plannedNanos / 1e9, TAIL_SECONDS);
    }
  }

  /** One event is done (its record written, its next phase begun). */
  private void eventDone(int index) {
    current = index + 1 < events.size() ? events.get(index + 1) : null;
    int left = eventsLeft.decrementAndGet();
    if (extension.nanos() == 0) {
      return; // done in time: the run ends as planned
    }
    keepEndAhead();
    if (left == 0) {
      console.printf(Locale.ROOT, "[%5.1fs] scale: every event done; the run, extended by %.1f s, ends in %d s%n",
          seconds(System.nanoTime()), extension.seconds(), TAIL_SECONDS);
    }
  }

  /** Starts the events and the readiness poll for a run that started at {@code runStartNanos}. */
  @Override
  public void start(long runStartNanos, Stats stats) {
    this.runStartNanos = runStartNanos;
    this.stats = stats;
    Phases phases = new Phases(runStartNanos);
    stats.phases(phases);
    targets.onChange((t, ready) -> {
      long now = System.nanoTime();
      if (!ready) {
        notReadyAt.putIfAbsent(t.index(), now);
      }
      console.printf(Locale.ROOT, "[%5.1fs] scale: %s %s%n", seconds(now), t.label(),
          ready ? "takes new calls" : "takes no new calls (not ready)");
    });
    eventThread = new Thread(() -> runEvents(phases), "scale-events");
    eventThread.setDaemon(true);
    eventThread.start();
    readiness.start();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  private double seconds(long nanos) {
    return (nanos - runStartNanos) / 1e9;
  }

  private void runEvents(Phases phases) {
    try {
      for (int k = 0; k < events.size(); k++) {
        ScaleEvent e = events.get(k);
        if (!waitUntil(runStartNanos + (long) (e.atSeconds() * 1e9))) {
          return;
        }
        current = e;
        if (e.kind() == ScaleEvent.Kind.START) {
          start(e, phases);
        } else {
          drain(e, phases);
        }
        eventDone(k);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void start(ScaleEvent e, Phases phases) throws InterruptedException {
    long began = System.nanoTime();
    String phase = phases.begin(Phases.Kind.SCALE_UP, began);
    console.printf(Locale.ROOT, "[%5.1fs] scale: %s, starting a node (%s)%n", seconds(began), e, phase);
    ClusterScript.Outcome o = script.add(START_TIMEOUT_SECONDS, () -> closed, this::whileEventsLeft);
    if (o.status() != 0 || !o.lastLine().startsWith("ws")) {
      fail(e, began, "start failed: " + o.summary(), phases, Phases.Kind.SCALED);
      return;
    }
    long ready = System.nanoTime();
    Target t = targets.add(URI.create(o.lastLine()));
    synchronized (started) {
      started.push(t);
    }
    console.printf(Locale.ROOT, "[%5.1fs] scale: %s ready after %.1f s; settling %.1f s%n", seconds(ready), t.label(),
        (ready - began) / 1e9, settleSeconds);
    long safe = awaitSafe(ready);
    records.add(new Record(e, seconds(began), seconds(ready), -1, safe < 0 ? -1 : seconds(safe), t.label(), "ready"));
    if (waitUntil(ready + (long) (settleSeconds * 1e9))) {
      phases.begin(Phases.Kind.SCALED, System.nanoTime());
    }
  }

  private void drain(ScaleEvent e, Phases phases) throws InterruptedException {
    long began = System.nanoTime();
    Target t;
    synchronized (started) {
      t = started.poll();
    }
    if (t == null) {
      fail(e, began, "no node this run started is left to drain", phases, Phases.Kind.AFTER);
      return;
    }
    String phase = phases.begin(Phases.Kind.DRAIN, began);
    console.printf(Locale.ROOT, "[%5.1fs] scale: %s, SIGTERM to %s (%s)%n", seconds(began), e, t.label(), phase);
    ClusterScript.Outcome o = script.drain(t.port(), drainTimeoutSeconds, drainTimeoutSeconds + 30, () -> closed,
        this::whileEventsLeft);
    long exited = System.nanoTime();
    double unready = unreadyAt(t);
    if (o.status() != 0) {
      fail(e, began, "drain: " + o.summary(), phases, Phases.Kind.AFTER);
      return;
    }
    gone.add(t.index());
    console.printf(Locale.ROOT, "[%5.1fs] scale: %s exited %.1f s after SIGTERM%n", seconds(exited), t.label(),
        (exited - began) / 1e9);
    long safe = awaitSafe(exited);
    records.add(new Record(e, seconds(began), seconds(exited), unready, safe < 0 ? -1 : seconds(safe), t.label(),
        "exited"));
    phases.begin(Phases.Kind.AFTER, safe < 0 ? System.nanoTime() : safe);
  }

  /**
   * Waits until every member (every target not drained) is safe and sees them all; when that was
   * ({@code nanoTime}), or -1 when not within {@link #SAFE_TIMEOUT_SECONDS} of {@code fromNanos}.
   */
  private long awaitSafe(long fromNanos) throws InterruptedException {
    List<Target> members = targets.all().stream().filter(m -> !gone.contains(m.index())).toList();
    long safe = safety.await(() -> members.stream().map(readiness::managementBase).toList(), members.size(),
        fromNanos + safeTimeoutSeconds * 1_000_000_000L, () -> closed);
    if (safe < 0) {
      console.printf(Locale.ROOT, "[%5.1fs] scale: the cluster of %d was not member-safe within %d s%n",
          seconds(System.nanoTime()), members.size(), safeTimeoutSeconds);
    } else {
      console.printf(Locale.ROOT, "[%5.1fs] scale: all %d members safe %.1f s later%n", seconds(safe), members.size(),
          (safe - fromNanos) / 1e9);
    }
    return safe;
  }

  /**
   * How long after an event the driver waits for the cluster to be member-safe ({@link #SAFE_TIMEOUT_SECONDS});
   * 0: it looks once. For a cluster script that starts no real node.
   */
  ScaleDriver withSafeTimeout(long seconds) {
    this.safeTimeoutSeconds = seconds;
    return this;
  }

  /** When the harness stopped placing new calls on {@code t} (seconds since the run started), or -1. */
  private double unreadyAt(Target t) {
    Long at = notReadyAt.get(t.index());
    return at == null ? -1 : seconds(at);
  }

  private void fail(ScaleEvent e, long began, String why, Phases phases, Phases.Kind next) {
    console.printf(Locale.ROOT, "[%5.1fs] scale: %s FAILED: %s%n", seconds(System.nanoTime()), e, why);
    stats.error("scaleEventFailed");
    records.add(new Record(e, seconds(began), -1, -1, -1, "", why));
    phases.begin(next, System.nanoTime());
  }

  /** Waits until {@code nanos} (the event plan's clock); false when the driver was closed first. */
  private boolean waitUntil(long nanos) throws InterruptedException {
    synchronized (this) {
      while (!closed) {
        long left = nanos - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, POLL_MILLIS * 1_000_000L));
        whileEventsLeft();
      }
    }
    return false;
  }

  /** On the event thread, every {@link #POLL_MILLIS} while it waits: the run's end kept ahead of an event. */
  private void whileEventsLeft() {
    if (Thread.currentThread() == eventThread && eventsLeft.get() > 0) {
      keepEndAhead();
    }
  }

  /**
   * Stops the events (a script still running is cut off) and the poll, then every node the run started that is
   * still running: one no event drained, one whose drain timed out, one whose start failed or was cut off.
   */
  @Override
  public void close() {
    synchronized (closing) {
      synchronized (this) {
        closed = true;
        notifyAll();
      }
      if (eventThread != null) {
        try {
          eventThread.join(15_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      readiness.close();
      try {
        script.stopLaunched();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
          // the process is shutting down: the hook's close finds nothing more to stop
        }
      }
    }
  }
}
