package io.signaling.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a scenario: one lane per event loop, a shared open-loop schedule, a progress line every second, and the
 * result with its reports at the end. Every wait is bounded: a lane that does not finish by the end of the
 * run plus a grace period is cut off and its missing work is counted. Scale events extend the run while one is
 * still in progress at its planned end ({@link RunExtension}): the lanes go on on their schedule, and the
 * report says by how long and why.
 */
final class Harness {

  /**
   * @param serverCpu the server processes whose CPU time the run reports, or null
   * @param share this process's share of a distributed run ({@link Share#ALONE} when it runs alone)
   * @param gate how the measured run starts (and where its intervals go) in a distributed run, or null
   */
  record Options(List<Target> targets, boolean crossNode, int threads, long graceMillis, boolean insecure,
      PrintStream console, ServerCpu serverCpu, Share share, Gate gate) {

    Options(List<Target> targets, boolean crossNode, int threads, long graceMillis, boolean insecure,
        PrintStream console) {
      this(targets, crossNode, threads, graceMillis, insecure, console, null);
    }

    Options(List<Target> targets, boolean crossNode, int threads, long graceMillis, boolean insecure,
        PrintStream console, ServerCpu serverCpu) {
      this(targets, crossNode, threads, graceMillis, insecure, console, serverCpu, Share.ALONE, null);
    }

    Options withShare(Share share, Gate gate) {
      return new Options(targets, crossNode, threads, graceMillis, insecure, console, serverCpu, share, gate);
    }
  }

  /** A worker's link to its coordinator, as the harness sees it. */
  interface Gate {

    /** Called once every lane is prepared; blocks until the coordinated start and returns it ({@code nanoTime}). */
    long awaitStart();

    /** Every closed one-second interval of the measured run, with its histograms (to be encoded at once). */
    void interval(Stats.Interval interval, java.util.Map<String, org.HdrHistogram.Histogram> histograms);
  }

  private Harness() {
  }

  static RunResult run(Scenario scenario, Options options, double plannedSeconds) {
    return run(scenario, options, plannedSeconds, null);
  }

  /**
   * As {@link #run(Scenario, Options, double)}, with scale events: {@code driver} (if not null) starts with the
   * measured run, accounts the run's figures to its phases, and is stopped when the scenario is done.
   */
  static RunResult run(Scenario scenario, Options options, double plannedSeconds, ScaleEvents driver) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.threads())
        .setBlockedThreadCheckInterval(10_000));
    try {
      WebSocketClientOptions clientOptions = new WebSocketClientOptions().setMaxConnections(1_000_000)
          .setConnectTimeout(10_000).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20);
      if (options.insecure()) {
        clientOptions.setTrustAll(true).setVerifyHost(false);
      }
      WebSocketClient client = vertx.createWebSocketClient(clientOptions);
      Stats stats = new Stats(System.nanoTime());
      long runId = ThreadLocalRandom.current().nextLong(1, 1L << 40);
      List<Lane> lanes = new ArrayList<>();
      Share share = options.share();
      List<Target> targets = share.slice(options.targets(), options.crossNode());
      for (int k = 0; k < options.threads(); k++) {
        Context context = vertx.getOrCreateContext();
        // in a distributed run the lanes of every worker share one schedule: this worker's are a block of them
        lanes.add(new Lane(share.index() * options.threads() + k, share.count() * options.threads(), vertx, context,
            client, stats, targets, options.crossNode(), runId));
      }
      PrintStream out = options.console();
      Instant startedAt = Instant.now();
      out.printf(Locale.ROOT, "%s: preparing %d lane(s) against %d node(s)%s%n", scenario.name(), lanes.size(),
          targets.size(), share.count() > 1 ? " as worker " + share.index() + " of " + share.count() : "");
      await(onLanes(lanes, scenario::prepare), TimeUnit.MINUTES.toMillis(10), "preparation");

      long startNanos = options.gate() == null ? System.nanoTime() + 20_000_000L : options.gate().awaitStart();
      ServerCpu.Sample cpuBefore = options.serverCpu() == null ? null : options.serverCpu().sample();
      stats.beginRun(startNanos);
      if (options.gate() != null) {
        stats.intervalSink(options.gate()::interval);
      }
      if (driver != null) {
        driver.start(startNanos, stats);
      }
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (Lane lane : lanes) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        lane.context().runOnContext(v -> scenario.run(lane, startNanos).onComplete(r -> f.complete(null)));
        running.add(f);
      }
      CompletableFuture<Void> all = CompletableFuture.allOf(running.toArray(CompletableFuture[]::new));
      RunExtension extension = driver == null ? null : driver.extension();
      long hardEnd = startNanos + (long) (plannedSeconds * 1e9) + options.graceMillis() * 1_000_000L;
      long nextTick = startNanos + 1_000_000_000L;
      // a run the scale events extend (one still in progress at the planned end) is cut off that much later
      while (!all.isDone() && System.nanoTime() - (hardEnd + (extension == null ? 0 : extension.nanos())) < 0) {
        try {
          all.get(Math.max(1, (nextTick - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // a second passed
        } catch (Exception e) {
          break;
        }
        if (System.nanoTime() - nextTick >= 0) {
          Stats.Interval interval = stats.tick(System.nanoTime());
          out.println(Progress.line(scenario, interval));
          nextTick += 1_000_000_000L;
        }
      }
      boolean cutOff = !all.isDone();
      long runNanos = System.nanoTime() - startNanos;
      ServerCpu.Sample cpuAfter = options.serverCpu() == null ? null : options.serverCpu().sample();
      if (driver != null) {
        long endNanos = System.nanoTime();
        driver.close(); // first: a worker's follower then knows the phases up to the end
        stats.phases().end(endNanos);
      }
      if (cutOff) {
        stats.error("runCutOff");
      }
      await(onLanes(lanes, scenario::finish), 20_000, "finish");
      stats.stop();
      stats.tick(System.nanoTime());
      long lost = scenario.lostAtEnd();
      if (lost > 0) {
        stats.error("relayLost");
      }
      return RunResult.of(scenario, options, stats, startedAt, runNanos / 1e9, lost, driver, cpuBefore, cpuAfter);
    } finally {
      if (driver != null) {
        driver.close();
      }
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the run's result stands; a slow close only delays the exit
      }
    }
  }

  private static CompletableFuture<Void> onLanes(List<Lane> lanes, Function<Lane, Future<Void>> step) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (Lane lane : lanes) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      lane.context().runOnContext(v -> step.apply(lane).onComplete(r -> {
        if (r.succeeded()) {
          f.complete(null);
        } else {
          f.completeExceptionally(r.cause());
        }
      }));
      futures.add(f);
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
  }

  private static void await(CompletableFuture<Void> f, long millis, String what) {
    try {
      f.get(millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + millis + " ms");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted");
    }
  }
}
