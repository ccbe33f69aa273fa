package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's merge, over its real HTTP endpoints: three workers' figures, shipped as encoded
 * histograms, add up to exactly what one process recording every value would report.
 */
class DistributedMergeTest {

  private static final long MS = 1_000_000L;
  private static final List<String> LATENCIES = List.of("pairing", "relay.takeCandidate", Stats.SEND_LAG);

  @Test
  void three_workers_figures_merge_into_exactly_what_one_process_recording_every_value_reports() throws Exception {
    // GIVEN a coordinator for 3 workers of a pairs run against 2 targets
    List<Target> targets = Target.parse(List.of(CommandRun.URL, "ws://127.0.0.1:2/WebRTCAppEE/websocket"));
    Harness.Options options = new Harness.Options(targets, true, 2, 1_000, false, System.out);
    PairsScenario scenario = new PairsScenario(30, 2, CallModel.ams(2, 0, 10_000, 0), 100);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (Coordinator coordinator = new Coordinator(scenario, 3, List.of("pairs", "--rate", "30"),
        new PrintStream(console, true, StandardCharsets.UTF_8))) {
      int port = coordinator.listen(0);
      CompletableFuture<String> started = awaitRun(coordinator);

      // AND one process that records every value the three workers record, each worker a different distribution
      Stats single = new Stats(0);
      single.beginRun(0);
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        Stats stats = new Stats(0);
        stats.beginRun(0);
        Random random = new Random(42 + w);
        for (int i = 0; i < 5_000 * (w + 1); i++) {
          for (String name : LATENCIES) {
            long nanos = (long) ((w + 1) * MS * (1 + Math.abs(random.nextGaussian()) * 10 * (w + 1)));
            stats.record(name, i % 2, nanos);
            single.record(name, i % 2, nanos);
          }
          stats.count(Stats.OPS_COMPLETED);
          single.count(Stats.OPS_COMPLETED);
        }
        stats.stop();
        stats.tick(2_000 * MS);
        RunResult r = RunResult.of(scenario, options, stats, Instant.now(), 2.0, 0);
        // WHEN each worker registers, waits for the common start and ships its figures over HTTP
        workers.add(deliver(port, w, WorkerLink.result(r), a -> {
          assertThat(a.count()).isEqualTo(3);
          assertThat(a.args()).containsExactly("pairs", "--rate", "30");
        }));
      }
      CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(started.get(60, TimeUnit.SECONDS)).isNull();
      single.stop();
      single.tick(2_000 * MS);
      RunResult reference = RunResult.of(scenario, options, single, Instant.now(), 2.0, 0);
      RunResult merged = coordinator.merge(options, scenario.parameters(), targets, false);

      // THEN every latency, in total and per node, has the sum of the workers' counts and exactly the
      // percentiles of the single process (no averaging of percentiles)
      assertThat(merged.latencies().keySet()).isEqualTo(reference.latencies().keySet());
      for (String name : reference.latencies().keySet()) {
        Histogram m = merged.latencies().get(name);
        Histogram one = reference.latencies().get(name);
        long sum = merged.workers().workers().stream().mapToLong(w -> w.latencies().get(name).getTotalCount()).sum();
        assertThat(m.getTotalCount()).as(name).isEqualTo(sum).isEqualTo(one.getTotalCount());
        for (double p : new double[] {0, 50, 90, 99, 99.9, 99.99, 100}) {
          assertThat(m.getValueAtPercentile(p)).as(name + " p" + p).isEqualTo(one.getValueAtPercentile(p));
        }
        assertThat(m.getMean()).as(name).isEqualTo(one.getMean());
      }
      assertThat(merged.latencies().get("pairing").getTotalCount()).isEqualTo(5_000 + 10_000 + 15_000);
      // AND the counters add up, the run passed, and the report says how many workers there were
      assertThat(merged.counters().get(Stats.OPS_COMPLETED)).isEqualTo(30_000);
      assertThat(merged.passed()).isTrue();
      assertThat(merged.workers().count()).isEqualTo(3);
      JsonObject json = merged.toJson();
      assertThat(json.getJsonObject("workers").getInteger("count")).isEqualTo(3);
      assertThat(json.getJsonObject("parameters").getInteger("workers")).isEqualTo(3);
      assertThat(Report.table(merged)).contains("workers: 3 (3 delivered)");
      assertThat(Html.render(merged)).contains("<h2>Workers</h2><p>3 workers");
      // AND the workers' send lag (up to ~1 s here) is reported per worker, each one flagged as saturated
      assertThat(merged.workers().workers()).allMatch(Workers.Worker::saturated);
      assertThat(merged.generatorWarnings()).hasSize(3).first().asString().contains("worker 0 was saturated");
    }
  }

  @Test
  void a_room_fill_the_workers_shared_merges_into_one_fill_block_as_a_single_process_reports_it() throws Exception {
    // GIVEN a coordinator for 2 workers of a scale run that fills 2,000 rooms first (128 per socket: 16 sockets);
    // its own copy of the scenario filled nothing
    List<Target> targets = Target.parse(List.of(CommandRun.URL));
    Harness.Options options = new Harness.Options(targets, true, 1, 1_000, false, System.out);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
    RoomFill fill = new RoomFill(2_000, 128, 256, 0, out);
    ScaleScenario scenario = new ScaleScenario(SoakScenario.soak(2, 10, 5, 10, 0), new TargetSet(targets), 2, 5,
        CallModel.ams(2, 0, 10_000, 0), java.util.Map.of(), null, fill);
    // AND the two workers' shares of the fill, as each one ships it: the first joined 1,000 rooms from T to
    // T + 4 s, the second 990 (10 failed) from T + 1 s to T + 6 s, on their wall clocks
    long t = System.currentTimeMillis() - 60_000;
    List<RoomFill.Outcome> shares = List.of(new RoomFill.Outcome(2_000, 16, 1_000, 0, 4.0, t, t + 4_000),
        new RoomFill.Outcome(2_000, 16, 990, 10, 5.0, t + 1_000, t + 6_000));
    try (Coordinator coordinator = new Coordinator(scenario, 2, List.of("scale"), out)) {
      int port = coordinator.listen(0);
      CompletableFuture<String> started = awaitRun(coordinator);
      // WHEN each worker registers, starts and delivers its figures with its share of the fill
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        Stats stats = new Stats(0);
        stats.beginRun(0);
        stats.stop();
        stats.tick(1_000 * MS);
        RunResult r = RunResult.of(scenario, options, stats, Instant.now(), 1.0, 0);
        workers.add(deliver(port, w, WorkerLink.result(r).put("fill", shares.get(w).toShipment()), a -> { }));
      }
      CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(started.get(60, TimeUnit.SECONDS)).isNull();
      RunResult merged = coordinator.merge(options, scenario.parameters(), targets, false);

      // THEN the merged report has the fill block a single process writes: the whole fill's rooms and sockets,
      // the joins and failures summed, the rate over the common span (T to T + 6 s: 1,990 joins in 6 s)
      JsonObject block = merged.toJson().getJsonObject("parameters").getJsonObject("fill");
      assertThat(block.fieldNames()).containsExactlyInAnyOrderElementsOf(fill.outcome().toJson().fieldNames());
      assertThat(block.getLong("rooms")).isEqualTo(2_000);
      assertThat(block.getLong("sockets")).isEqualTo(16);
      assertThat(block.getLong("joined")).isEqualTo(1_990);
      assertThat(block.getLong("failed")).isEqualTo(10);
      assertThat(block.getDouble("seconds")).isEqualTo(6.0);
      assertThat(block.getDouble("joinsPerSecond")).isEqualTo(331.667);
      // AND the console has the fill's line, as a single process prints it
      assertThat(console.toString(StandardCharsets.UTF_8))
          .contains("fill: 2,000 rooms on 16 sockets: 1,990 joined, 10 failed in 6.0 s (332 joins/s) over 2 workers");
    }
  }

  @Test
  void a_worker_ships_its_share_of_the_fill_and_nothing_without_one() {
    RoomFill fill = new RoomFill(300, 100, 16, 0, System.out);
    ScaleScenario filling = new ScaleScenario(SoakScenario.soak(2, 10, 5, 10, 0), new TargetSet(List.of()), 2, 5,
        CallModel.ams(2, 0, 10_000, 0), java.util.Map.of(), null, fill);
    ScaleScenario plain = new ScaleScenario(SoakScenario.soak(2, 10, 5, 10, 0), new TargetSet(List.of()), 2, 5,
        CallModel.ams(2, 0, 10_000, 0), java.util.Map.of(), null, null);
    // a fill that has not run: 3 sockets, nothing joined, no span
    assertThat(RoomFill.Outcome.fromShipment(filling.shipment().getJsonObject("fill")))
        .isEqualTo(new RoomFill.Outcome(300, 3, 0, 0, 0, 0, 0));
    assertThat(plain.shipment().isEmpty()).isTrue();
    assertThat(new PairsScenario(30, 2, CallModel.ams(2, 0, 10_000, 0), 100).shipment().isEmpty()).isTrue();
  }

  @Test
  void a_worker_that_goes_silent_before_the_start_is_lost_and_the_run_is_called_off_for_the_others() throws Exception {
    // GIVEN a coordinator for 2 workers that loses a worker after 6 s of silence (3 heartbeats of a live one)
    PairsScenario scenario = new PairsScenario(30, 2, CallModel.ams(2, 0, 10_000, 0), 100);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (Coordinator coordinator = new Coordinator(scenario, 2, List.of("pairs"),
        new PrintStream(console, true, StandardCharsets.UTF_8), 6_000)) {
      int port = coordinator.listen(0);
      URI uri = URI.create("http://127.0.0.1:" + port + "/");
      // WHEN worker 0 registers (and keeps its heartbeat) and waits for the start, and worker 1 registers with
      // a bare request and then says nothing more
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpResponse<String> registered = http.send(java.net.http.HttpRequest.newBuilder(
              uri.resolve("/register")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
              new JsonObject().put("index", 1).encode())).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(registered.statusCode()).isEqualTo(200);
      try (WorkerLink live = new WorkerLink(uri)) {
        assertThat(live.register(0, 5_000).index()).isZero();
        CompletableFuture<Long> start = CompletableFuture.supplyAsync(live::awaitStart);
        String failed = coordinator.await(30_000, 30_000);

        // THEN the silent worker is reported lost, the run does not start, and the waiting worker is told so
        assertThat(failed).contains("worker 1 was lost before the start", "silent for 6.0 s");
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("WORKER 1 LOST: silent for 6.0 s");
        assertThat(start).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(
            java.util.concurrent.ExecutionException.class).withMessageContaining("the coordinator called the run off");
      }
    }
  }

  @Test
  void a_worker_registering_beyond_the_count_is_refused_and_the_coordinator_keeps_going() throws Exception {
    PairsScenario scenario = new PairsScenario(30, 2, CallModel.ams(2, 0, 10_000, 0), 100);
    try (Coordinator coordinator = new Coordinator(scenario, 1, List.of("pairs"), new PrintStream(
        new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      int port = coordinator.listen(0);
      URI uri = URI.create("http://127.0.0.1:" + port + "/");
      try (WorkerLink first = new WorkerLink(uri); WorkerLink second = new WorkerLink(uri)) {
        assertThat(first.register(-1, 5_000).index()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> second.register(-1, 1_500))
            .hasMessageContaining("HTTP 409").hasMessageContaining("all 1 workers are registered");
      }
    }
  }

  @Test
  void the_workers_get_the_scenario_without_the_coordinators_options_and_with_the_lanes_fixed() {
    // GIVEN a coordinator's command line, its targets resolved from a name (as a headless Service's)
    List<Target> resolved = Target.parse(List.of("ws://10.0.0.2:5080/WebRTCAppEE/websocket",
        "ws://10.0.0.1:5080/WebRTCAppEE/websocket"));
    List<String> args = DistributedRun.workerArgs(List.of("pairs", "-t", "ws://signaling:5080/WebRTCAppEE/websocket",
        "--expand-dns", "--workers", "3", "--rate=30", "--external-workers", "--coordinator-port=7070", "-o", "out",
        "--threads", "1", "--hold", "1000"), "pairs", 2, resolved);
    // THEN every worker gets the scenario's own options, the targets in the coordinator's order, and its lanes
    assertThat(args).containsExactly("pairs", "--rate=30", "--hold", "1000", "--target",
        "ws://10.0.0.2:5080/WebRTCAppEE/websocket,ws://10.0.0.1:5080/WebRTCAppEE/websocket", "--threads", "2");
  }

  @Test
  void each_worker_takes_its_own_slice_of_the_targets_when_there_are_enough_and_all_of_them_otherwise() {
    List<Target> six = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      six.add(new Target(i, URI.create("ws://127.0.0.1:" + (5080 + i) + "/WebRTCAppEE/websocket")));
    }
    assertThat(new Share(1, 3).slice(six, true)).extracting(Target::index).containsExactly(1, 4);
    assertThat(new Share(1, 4).slice(six, true)).hasSize(6);
    assertThat(new Share(3, 4).slice(six, false)).extracting(Target::index).containsExactly(3);
    assertThat(Share.ALONE.slice(six, true)).hasSize(6);
  }

  @Test
  void the_achieved_rate_is_taken_over_the_time_operations_were_started_not_the_hold_after_them() {
    // 60 calls at 30/s: the last started at 1.967 s, then held for 2 s: over 2.0 s, not the 4.5 s run
    assertThat(RunResult.startedOver(30, 59 / 30.0, 4.5)).isEqualTo(2.0, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(RunResult.startedOver(0, 0, 4.5)).isEqualTo(4.5);
  }

  @Test
  void scale_workers_follow_the_coordinators_target_changes_and_account_their_figures_to_its_phases()
      throws Exception {
    // GIVEN two targets whose readiness endpoints (as the cluster directory records them) answer 200, and a third
    // one, not yet a target, that will be added as a started node is
    Path dir = Files.createTempDirectory("scale-cluster");
    List<HttpServer> health = new ArrayList<>();
    java.util.concurrent.atomic.AtomicIntegerArray status = new java.util.concurrent.atomic.AtomicIntegerArray(
        new int[] {200, 200, 200});
    List<Target> targets = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      int node = k;
      HttpServer h = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      h.createContext("/health/ready", x -> {
        x.sendResponseHeaders(status.get(node), -1);
        x.close();
      });
      h.start();
      health.add(h);
      int port = h.getAddress().getPort(); // its client port too: never connected here, it only names the node
      Files.writeString(dir.resolve("node-" + (k + 1) + ".port"), Integer.toString(port));
      Files.writeString(dir.resolve("node-" + (k + 1) + ".mport"), Integer.toString(h.getAddress().getPort()));
      targets.add(new Target(k, URI.create("ws://127.0.0.1:" + port + "/WebRTCAppEE/websocket")));
    }
    List<Target> initial = targets.subList(0, 2);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
    // AND a coordinator for 2 workers of a scale run, its driver polling readiness (its events are made below)
    ScaleDriver driver = new ScaleDriver(List.of(), Path.of("no-script"), dir, new TargetSet(initial), 0, 5, out);
    ScaleScenario scenario = new ScaleScenario(SoakScenario.soak(2, 10, 5, 10, 0), new TargetSet(initial), 2, 5,
        CallModel.ams(2, 0, 10_000, 0), java.util.Map.of(), null, null);
    Harness.Options options = new Harness.Options(initial, true, 1, 1_000, false, out);
    try (Coordinator coordinator = new Coordinator(scenario, 2, List.of("scale"), out)) {
      coordinator.scale(driver);
      int port = coordinator.listen(0);
      CompletableFuture<String> run = awaitRun(coordinator);
      // WHEN two workers register, start together and follow the coordinator's scale events
      List<WorkerLink> links = new ArrayList<>();
      List<TargetSet> sets = new ArrayList<>();
      List<ScaleFollower> followers = new ArrayList<>();
      List<Stats> stats = new ArrayList<>();
      List<CompletableFuture<Long>> starts = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        WorkerLink link = new WorkerLink(URI.create("http://127.0.0.1:" + port + "/"));
        link.register(w, 10_000);
        links.add(link);
        sets.add(new TargetSet(initial));
        followers.add(new ScaleFollower(link, sets.get(w), out));
        starts.add(CompletableFuture.supplyAsync(link::awaitStart));
      }
      long[] startNanos = new long[2];
      for (int w = 0; w < 2; w++) {
        startNanos[w] = starts.get(w).get(30, TimeUnit.SECONDS);
        Stats s = new Stats(startNanos[w]);
        s.beginRun(startNanos[w]);
        followers.get(w).start(startNanos[w], s);
        stats.add(s);
      }
      until(() -> coordinator.phases() != null && System.nanoTime() - startNanos[0] > 500 * MS
          && System.nanoTime() - startNanos[1] > 500 * MS, "the run started");

      // AND the second node stops being ready, and a third one is started (as the driver's events do)
      status.set(1, 503);
      driver.targets().add(targets.get(2).uri());

      // THEN every worker learns both: its new calls go to the first and the third node
      until(() -> sets.stream().allMatch(t -> t.ready().stream().map(Target::index).toList().equals(List.of(0, 2))),
          "the workers' ready targets follow the coordinator's");
      assertThat(sets.get(0).all()).extracting(Target::uri).containsExactlyElementsOf(
          targets.stream().map(Target::uri).toList());

      // WHEN a drain begins at B, after each worker measured one relay sent before B and one sent after it, and
      // counted a completed call after it, all before anything told them of the drain (200 ms either side of B:
      // far more than the error of the workers' start, which they take from the wall clock)
      long boundary = System.nanoTime();
      for (Stats s : stats) {
        s.record("relay.takeCandidate", 0, System.nanoTime() - boundary + 200 * MS);
      }
      while (System.nanoTime() - boundary < 200 * MS) {
        Thread.sleep(5); // the clock, not another thread: the next samples must start well after B
      }
      for (Stats s : stats) {
        s.record("relay.takeCandidate", 1, MS);
        s.count("calls.completed");
      }
      coordinator.phases().begin(Phases.Kind.DRAIN, boundary);
      // THEN the workers learn the drain while they run
      until(() -> stats.stream().allMatch(s -> s.phases().current().equals("drain")), "the workers follow the drain");

      // WHEN the workers end their runs and deliver their figures
      for (int w = 0; w < 2; w++) {
        long end = System.nanoTime();
        followers.get(w).close();
        Stats s = stats.get(w);
        s.phases().end(end);
        s.stop();
        s.tick(end);
        RunResult r = RunResult.of(scenario, options, s, Instant.now(), (end - startNanos[w]) / 1e9, 0,
            followers.get(w), null, null);
        links.get(w).deliver(WorkerLink.result(r));
        links.get(w).close();
      }
      assertThat(run.get(30, TimeUnit.SECONDS)).isNull();
      RunResult merged = coordinator.merge(options, scenario.parameters(), initial, false);

      // THEN the merged phases are the coordinator's, each holding what every worker measured in it: the relays
      // sent before B in steady, those sent after it (though measured before the workers knew) in the drain
      assertThat(merged.phases()).extracting(Phases.Summary::name).containsExactly("steady", "drain");
      Phases.Summary steady = merged.phases().get(0);
      Phases.Summary drain = merged.phases().get(1);
      assertThat(steady.relay().getTotalCount()).isEqualTo(2);
      assertThat(steady.relay().getValueAtPercentile(0) / 1e6).isGreaterThan(199);
      assertThat(drain.relay().getTotalCount()).isEqualTo(2);
      assertThat(drain.relay().getMaxValue() / 1e6).isCloseTo(1, org.assertj.core.api.Assertions.within(0.01));
      assertThat(drain.counter("calls.completed")).isEqualTo(2);
      assertThat(steady.counter("calls.completed")).isZero();
      assertThat(drain.fromSeconds()).isEqualTo(steady.toSeconds());
      // AND the report names the started node, whose index the workers used
      assertThat(merged.targets()).extracting(Target::uri).containsExactlyElementsOf(
          targets.stream().map(Target::uri).toList());
      assertThat(merged.toJson().getJsonArray("phases").size()).isEqualTo(2);
      assertThat(merged.passed()).isTrue();
    } finally {
      health.forEach(h -> h.stop(0));
    }
  }

  /** The coordinator's wait for its workers to register and deliver, in the background. */
  private static CompletableFuture<String> awaitRun(Coordinator coordinator) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return coordinator.await(30_000, 30_000);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /**
   * Worker {@code index}, in the background: registers with the coordinator on {@code port} (its assignment
   * checked), waits for the common start and ships {@code figures}.
   */
  private static CompletableFuture<Void> deliver(int port, int index, JsonObject figures,
      java.util.function.Consumer<WorkerLink.Assignment> check) {
    return CompletableFuture.runAsync(() -> {
      try (WorkerLink link = new WorkerLink(URI.create("http://127.0.0.1:" + port + "/"))) {
        check.accept(link.register(index, 10_000));
        link.awaitStart();
        link.deliver(figures);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Polls a real condition every 20 ms, for at most 15 s. */
  private static void until(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + 15_000 * MS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
