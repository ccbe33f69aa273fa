package io.signaling.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * One run of the {@code hostile} attack: connections arrive at the plan's rate over its source addresses, each
 * behaving as its {@link HostileMode} says and kept until the node closes it or the hold ends, while every node is
 * read once per sample interval, until every connection is gone and the settling time passed (or the run's bound).
 */
final class HostileRun {

  /** What the attack counted. */
  static final class Tally {
    final AtomicInteger attempted = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger settled = new AtomicInteger();
    final AtomicInteger closedByNode = new AtomicInteger();
    final AtomicInteger closedWithinOneSecond = new AtomicInteger();
    final AtomicInteger outlived = new AtomicInteger();
    final AtomicInteger late = new AtomicInteger();
    /** Connect failures by exception. */
    final Map<String, Integer> failures = new ConcurrentHashMap<>();
    /** How long the node held each connection it closed (connect to close), nanoseconds. */
    private final Histogram lifetime = new Histogram(TimeUnit.SECONDS.toNanos(3_600), 3);

    Histogram lifetime() {
      synchronized (lifetime) {
        return lifetime.copy();
      }
    }

    private void lived(long nanos) {
      synchronized (lifetime) {
        lifetime.recordValue(Math.min(nanos, lifetime.getHighestTrackableValue()));
      }
    }

    /** Passed: a connection was opened, none outlived the hold, none was closed later than the deadline allows. */
    boolean passed() {
      return opened.get() > 0 && outlived.get() == 0 && late.get() == 0;
    }
  }

  /** The run's readings and counts, for the report. */
  record Outcome(Instant startedAt, List<HostileReading> before, List<HostileReading> after,
      HostileReading.Peaks peaks, List<JsonObject> timeline, Tally tally) {
  }

  private final HostileCommand.Plan plan;
  private final PrintStream console;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final Tally tally = new Tally();
  private volatile boolean closing;

  HostileRun(HostileCommand.Plan plan, PrintStream console) {
    this.plan = plan;
    this.console = console;
  }

  Outcome execute() throws Exception {
    Instant startedAt = Instant.now();
    List<HostileReading> before = readAll();
    console.printf(Locale.ROOT, "hostile: %,d %s connections at %,.0f/s from %d addresses to %s; before: %s%n",
        plan.count(), plan.mode().name().toLowerCase(Locale.ROOT), plan.rate(), plan.sources().size(),
        plan.targets().stream().map(Target::label).toList(), HostileReading.describe(before));
    List<JsonObject> timeline = new ArrayList<>();
    HostileReading.Peaks peaks = new HostileReading.Peaks(before);
    timeline.add(row(0, before));

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(plan.threads()));
    List<NetClient> clients = new ArrayList<>();
    for (String source : plan.sources()) {
      clients.add(vertx.createNetClient(new NetClientOptions().setLocalAddress(source)
          .setConnectTimeout(plan.connectTimeoutMillis()).setReuseAddress(true)));
    }
    long start = System.nanoTime();
    long bound = start + TimeUnit.SECONDS.toNanos(plan.boundSeconds());
    try {
      launch(vertx, clients, start);
      long doneAt = 0;
      for (int tick = 1; ; tick++) {
        long next = start + TimeUnit.MILLISECONDS.toNanos(plan.sampleMillis() * tick);
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        List<HostileReading> now = readAll();
        double t = (System.nanoTime() - start) / 1e9;
        timeline.add(row(t, now));
        peaks.update(now);
        console.printf(Locale.ROOT, "[%6.1fs] %,d opened, %,d held, %,d closed by the node, %,d failed | %s%n", t,
            tally.opened.get(), open.size(), tally.closedByNode.get(), tally.failed.get(),
            HostileReading.describe(now));
        boolean attackOver = tally.settled.get() == plan.count() && open.isEmpty();
        if (attackOver && doneAt == 0) {
          doneAt = System.nanoTime();
          console.printf(Locale.ROOT, "hostile: every connection gone after %.1f s; readings go on for %d s%n", t,
              plan.settleSeconds());
        }
        if (doneAt != 0 && System.nanoTime() - doneAt >= TimeUnit.SECONDS.toNanos(plan.settleSeconds())
            - TimeUnit.MILLISECONDS.toNanos(plan.sampleMillis()) / 2) {
          break;
        }
        if (System.nanoTime() - bound > 0) {
          console.println("hostile: the run's time bound passed; closing what is left");
          break;
        }
      }
    } finally {
      closing = true;
      for (NetSocket s : open) {
        s.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return new Outcome(startedAt, before, readAll(), peaks, timeline, tally);
  }

  private void launch(Vertx vertx, List<NetClient> clients, long start) {
    int lanes = plan.threads();
    for (int k = 0; k < lanes; k++) {
      int lane = k;
      Context context = vertx.getOrCreateContext();
      context.runOnContext(v -> {
        Pacer pacer = new Pacer(start, plan.rate(), plan.count(), lane, lanes);
        HostileMode mode = HostileMode.of(plan);
        Pacer.drive(vertx, pacer, (i, intended) -> connect(vertx, clients, i, mode));
        mode.start(vertx, () -> closing);
      });
    }
  }

  private void connect(Vertx vertx, List<NetClient> clients, long index, HostileMode mode) {
    Target target = plan.targets().get((int) (index % plan.targets().size()));
    NetClient client = clients.get((int) (index % clients.size()));
    tally.attempted.incrementAndGet();
    client.connect(target.port(), target.uri().getHost()).onComplete(ar -> {
      tally.settled.incrementAndGet();
      if (ar.failed()) {
        tally.failed.incrementAndGet();
        tally.failures.merge(ar.cause().getClass().getSimpleName(), 1, Integer::sum);
        return;
      }
      NetSocket socket = ar.result();
      long openedAt = System.nanoTime();
      tally.opened.incrementAndGet();
      open.add(socket);
      boolean[] ours = {false};
      long holdTimer = vertx.setTimer(TimeUnit.SECONDS.toMillis(plan.holdSeconds()), t -> {
        if (open.contains(socket)) {
          ours[0] = true;
          tally.outlived.incrementAndGet();
          socket.close();
        }
      });
      socket.handler(data -> { });
      socket.exceptionHandler(e -> { });
      socket.closeHandler(v -> {
        open.remove(socket);
        mode.closed(socket);
        vertx.cancelTimer(holdTimer);
        if (ours[0] || closing) {
          return;
        }
        closedByNode(System.nanoTime() - openedAt);
      });
      mode.connected(socket);
    });
  }

  private void closedByNode(long lived) {
    tally.closedByNode.incrementAndGet();
    if (lived < TimeUnit.SECONDS.toNanos(1)) {
      tally.closedWithinOneSecond.incrementAndGet();
    }
    if (plan.deadlineSeconds() > 0
        && lived > TimeUnit.SECONDS.toNanos(plan.deadlineSeconds() + plan.marginSeconds())) {
      tally.late.incrementAndGet();
    }
    tally.lived(lived);
  }

  private List<HostileReading> readAll() {
    List<HostileReading> readings = new ArrayList<>();
    for (int i = 0; i < plan.targets().size(); i++) {
      long pid = plan.pids().isEmpty() ? 0 : plan.pids().get(i);
      String base = plan.managementBases().isEmpty() ? null : plan.managementBases().get(i);
      readings.add(pid <= 0 && base == null ? HostileReading.UNKNOWN : HostileReading.take(pid, base));
    }
    return readings;
  }

  private JsonObject row(double seconds, List<HostileReading> readings) {
    JsonArray nodes = new JsonArray();
    readings.forEach(r -> nodes.add(r.toJson()));
    return new JsonObject().put("seconds", RunResult.round(seconds)).put("opened", tally.opened.get())
        .put("held", open.size()).put("closedByNode", tally.closedByNode.get()).put("failed", tally.failed.get())
        .put("nodes", nodes);
  }
}
