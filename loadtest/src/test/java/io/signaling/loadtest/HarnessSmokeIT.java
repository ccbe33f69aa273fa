package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A short run of every scenario, as a user runs them: the harness's runnable jar against a real 2-node cluster
 * started by {@code loadtest/bin/local-cluster.sh} (two node JVMs from the node's runnable jar). Small numbers,
 * a few seconds each: this checks that the harness works and reports, not the performance figures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HarnessSmokeIT {

  private static final Path BIN = Path.of(System.getProperty("loadtest.bin", "bin"));
  private static final Path JAR = Path.of(System.getProperty("loadtest.jar", "target/loadtest.jar"));
  private static final Path NODE_JAR = Path.of(System.getProperty("signaling.node.jar",
      "../signaling-node/target/signaling-node.jar"));
  private static final Path OUT = Path.of("target", "smoke");
  private static Path clusterDir;
  private static String urls;
  private static int httpBase;
  private static int managementBase;

  @BeforeAll
  static void startCluster() throws Exception {
    // GIVEN a 2-node cluster started by the bundled script, on ports nothing else uses
    // (three ports each: the scale run adds a third node)
    httpBase = freeRun(3);
    managementBase = freeRun(3);
    int clusterBase = freeRun(3);
    clusterDir = OUT.resolve("cluster");
    Files.createDirectories(clusterDir);
    Result r = exec(120, "bash", BIN.resolve("local-cluster.sh").toString(), "start", "--nodes", "2", "--heap", "256m",
        "--http-port", Integer.toString(httpBase), "--management-port", Integer.toString(managementBase),
        "--cluster-port", Integer.toString(clusterBase),
        "--dir", clusterDir.toString(),
        // no warm-up before readiness: these runs check what the harness reports, not what a call costs
        "--", "--warmup-calls", "0");
    assertThat(r.status()).as(r.output()).isZero();
    // each node's start-up shown as it goes, up to ready
    for (int k = 1; k <= 2; k++) {
      assertThat(r.output()).as(r.output()).contains("node " + k + " (port " + (httpBase + k - 1) + "): started")
          .contains("node " + k + " (port " + (httpBase + k - 1) + "): ready");
    }
    List<String> lines = r.output().lines().toList();
    urls = lines.get(lines.size() - 1);
    assertThat(urls).isEqualTo("ws://127.0.0.1:" + httpBase + "/WebRTCAppEE/websocket,ws://127.0.0.1:"
        + (httpBase + 1) + "/WebRTCAppEE/websocket");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (clusterDir != null) {
      exec(60, "bash", BIN.resolve("local-cluster.sh").toString(), "stop", "--dir", clusterDir.toString());
    }
  }

  @Test
  @Order(1)
  void pairs_sets_up_full_calls_across_both_nodes_and_reports_them() throws Exception {
    // WHEN 20 calls per second are set up for 2 seconds, peers on different nodes, each held for 1 s
    JsonObject result = harness("pairs", "pairs", "-t", urls, "--rate", "20", "--duration", "2", "--hold", "1000");

    // THEN all 40 complete, with every latency the report promises, per node, and nothing lost
    assertPassed(result);
    assertThat(result.getJsonObject("counters").getLong(Stats.OPS_COMPLETED)).isEqualTo(40);
    assertThat(result.getJsonObject("latencyMs").fieldNames()).contains("connect", "joined", "pairing",
        "relay.takeConfiguration", "relay.takeCandidate", "negotiation", "setup");
    assertThat(result.getJsonObject("latencyMs").getJsonObject("relay.takeCandidate").getLong("count"))
        .isEqualTo(40 * 20);
    assertThat(result.getJsonObject("perNodeLatencyMs").fieldNames()).containsExactlyInAnyOrder(
        "127.0.0.1:" + httpBase, "127.0.0.1:" + (httpBase + 1));
    assertReports(OUT.resolve("pairs"), "pairing");
    assertHoldReportedApart(result, 40, 1000);
  }

  /**
   * The setup does not include the hold, the hold is reported on its own, and the achieved rate is taken over
   * the time the calls were started, not the hold after them. Checked by invariants that hold however loaded
   * the machine is: each call's whole duration is its setup, its hold (at least {@code holdMillis}) and its
   * leave, so every percentile of the setup is at most that of the whole call less the hold (the old "setup"
   * was the whole call); and the rate's window ends with the last call started, not the run.
   */
  private static void assertHoldReportedApart(JsonObject result, long calls, long holdMillis) {
    JsonObject latency = result.getJsonObject("latencyMs");
    JsonObject setup = latency.getJsonObject("setup");
    JsonObject call = latency.getJsonObject("call");
    JsonObject hold = latency.getJsonObject("hold");
    assertThat(hold.getLong("count")).isEqualTo(calls);
    assertThat(call.getLong("count")).isEqualTo(calls);
    assertThat(hold.getDouble("min")).isGreaterThanOrEqualTo(0.99 * holdMillis);
    for (String p : List.of("min", "p50", "p90", "p99", "max")) {
      // (HdrHistogram's 3 digits: 0.1% of the whole call as margin)
      assertThat(setup.getDouble(p)).as("setup " + p + " vs the whole call's less the hold")
          .isLessThanOrEqualTo(call.getDouble(p) - 0.99 * holdMillis + call.getDouble(p) / 1000);
    }
    JsonObject rate = result.getJsonObject("rate");
    double over = rate.getDouble("startedOverSeconds");
    double duration = result.getJsonObject("parameters").getDouble("durationSeconds");
    double lagMax = result.getJsonObject("generator").getJsonObject("sendLagMs").getDouble("max") / 1000;
    assertThat(over).as("from the start to the last call started, plus one period")
        .isBetween(duration - 0.1, duration + lagMax + 0.1);
    assertThat(over).as("the last call started at least its hold before the run ended")
        .isLessThan(result.getDouble("runSeconds") - holdMillis / 1000.0 + 1 / rate.getDouble("target"));
    assertThat(rate.getDouble("achieved")).isCloseTo(calls / over, org.assertj.core.api.Assertions.within(0.01));
    assertThat(result.getJsonObject("generator").getJsonObject("sendLagMs").getLong("count")).isEqualTo(calls);
  }

  @Test
  @Order(2)
  void churn_reuses_a_pool_of_sockets_for_sustained_setups() throws Exception {
    JsonObject result = harness("churn", "churn", "-t", urls, "--rate", "50", "--duration", "2", "--pool", "8");
    assertPassed(result);
    assertThat(result.getJsonObject("counters").getLong(Stats.OPS_COMPLETED)).isEqualTo(100);
    assertThat(result.getJsonObject("latencyMs").getJsonObject("connect").getLong("count"))
        .as("the pool's sockets only").isEqualTo(2 * 8);
    assertReports(OUT.resolve("churn"), "pairing");
  }

  @Test
  @Order(3)
  void soak_holds_paired_peers_and_relays_at_the_paced_rate() throws Exception {
    JsonObject result = harness("soak", "soak", "-t", urls, "--pairs", "10", "--message-rate", "500", "--duration",
        "2", "--ping-interval", "500");
    assertPassed(result);
    assertThat(result.getJsonObject("latencyMs").getJsonObject("relay.takeCandidate").getLong("count"))
        .isEqualTo(1000);
    assertThat(result.getJsonObject("rate").getDouble("target")).isEqualTo(500.0);
    assertReports(OUT.resolve("soak"), "relay.takeCandidate");
  }

  @Test
  @Order(4)
  void throughput_keeps_a_window_in_flight_and_measures_the_relay_rate() throws Exception {
    JsonObject result = harness("throughput", "throughput", "-t", urls, "--pairs", "4", "--window", "2",
        "--duration", "2");
    assertPassed(result);
    assertThat(result.getJsonObject("rate").getDouble("achieved")).isPositive();
    assertReports(OUT.resolve("throughput"), "relay.takeCandidate");
  }

  @Test
  @Order(4)
  void cost_reads_the_nodes_cpu_around_each_round_and_reports_it_per_call() throws Exception {
    // WHEN a first and a warm round of 40 calls, 4 in flight, the nodes' CPU read from the cluster script's pid files,
    // after 40 calls of the load client against a relay in its own process
    Path out = OUT.resolve("cost");
    Result r = exec(180, java(), "-jar", JAR.toString(), "cost", "-t", urls, "--calls", "40", "--in-flight", "4",
        "--warmup-calls", "0", "--warm-rounds", "1", "--server-pids-from", clusterDir.toString(), "--idle-sockets",
        "50", "--client-warmup-calls", "40", "-o", out.toString());
    Files.createDirectories(out);
    Files.writeString(out.resolve("console.txt"), r.output());

    // THEN both rounds complete every call across the two nodes, and each gives a positive CPU figure per call
    assertThat(r.status()).as(r.output()).isZero();
    // AND the load client warmed up against a relay of its own first
    assertThat(r.output()).contains("load client warmed up: 40 calls against a relay in this process");
    JsonObject cost = new JsonObject(Files.readString(out.resolve("cost.json")));
    assertThat(cost.getBoolean("passed")).as(cost.encodePrettily()).isTrue();
    assertThat(cost.getBoolean("crossNode")).isTrue();
    assertThat(cost.getJsonArray("pids").size()).isEqualTo(2);
    for (String round : List.of("first", "warm")) {
      JsonObject figures = cost.getJsonObject(round);
      assertThat(figures.getLong("calls")).as(round).isEqualTo(40);
      assertThat(figures.getLong("relayedMessages")).as(round).isEqualTo(40 * 22);
      assertThat(figures.getDouble("cpuMsPerCall")).as(round).isPositive();
      assertThat(figures.getDouble("relayP99Ms")).as(round).isPositive();
      assertThat(figures.getDouble("pairingP99Ms")).as(round).isPositive();
    }
    assertThat(cost.getJsonObject("idleSockets").getInteger("opened")).isEqualTo(50);
    assertThat(Files.readString(out.resolve("cost.md"))).contains("| 2 nodes (cross-node) |");
    // AND the first round's own reports carry the CPU figures
    Path first = out.resolve("round-01-first");
    JsonObject result = new JsonObject(Files.readString(first.resolve("result.json")));
    assertThat(result.getJsonObject("serverCost").getDouble("cpuMsPerCall")).isPositive();
    assertThat(Files.readString(first.resolve("summary.txt"))).contains("server CPU", "per call");
    assertThat(Files.readString(first.resolve("report.html"))).contains("server CPU");
  }

  @Test
  @Order(5)
  void connections_holds_idle_sockets_from_several_processes_and_addresses_and_reads_the_nodes_memory()
      throws Exception {
    String pid = Files.readString(clusterDir.resolve("node-1.pid")).trim();
    JsonObject result = harness("connections", "connections", "-t", urls.split(",")[0], "-m",
        "http://127.0.0.1:" + managementBase, "--count", "300",
        "--connect-rate", "600", "--hold", "1", "--processes", "2", "--bind", "127.0.0.2-127.0.0.3", "--node-pid", pid);
    assertThat(result.getBoolean("passed")).as(result.encodePrettily()).isTrue();
    assertThat(result.getInteger("opened")).isEqualTo(300);
    assertThat(result.getInteger("closedByServerWhileHeld")).isZero();
    JsonObject memory = result.getJsonObject("memory");
    assertThat(memory.getJsonObject("after").getLong("connections")).isEqualTo(300);
    assertThat(memory.getJsonObject("after").getLong("heapMaxBytes")).isPositive();
    assertThat(memory.getJsonObject("after").getLong("rssBytes")).isPositive();
    assertThat(memory.getBoolean("gcBeforeReadings")).isTrue();
    assertThat(Files.exists(OUT.resolve("connections").resolve("report.html"))).isTrue();
  }

  @Test
  @Order(6)
  void hostile_connections_silent_and_slowloris_are_closed_by_the_nodes_handshake_deadline() throws Exception {
    // GIVEN node 1 of the cluster, with the default 10 s handshake deadline, its pid and management URL
    String pid = Files.readString(clusterDir.resolve("node-1.pid")).trim();
    String target = urls.split(",")[0];
    String management = "http://127.0.0.1:" + managementBase;

    // WHEN 200 silent connections from 2 addresses and 40 slowloris ones from 2 others arrive at the same time
    // (each run reads on 4 s after its last connection is gone, so that the other run's are gone too)
    Process silent = start("hostile-silent", "hostile", "-t", target, "-m", management, "--node-pid", pid,
        "--count", "200", "--rate", "200", "--bind", "127.0.0.2-127.0.0.3", "--mode", "silent", "--hold", "30",
        "--deadline", "10", "--margin", "15", "--sample-interval", "500", "--settle", "4");
    Process slow = start("hostile-slowloris", "hostile", "-t", target, "-m", management, "--node-pid", pid,
        "--count", "40", "--rate", "100", "--bind", "127.0.0.4-127.0.0.5", "--mode", "slowloris",
        "--byte-interval", "500", "--hold", "30", "--deadline", "10", "--margin", "15", "--sample-interval", "500",
        "--settle", "4");
    JsonObject s = finish("hostile-silent", silent);
    JsonObject l = finish("hostile-slowloris", slow);

    // THEN every connection opened and the node closed every one itself, none past the deadline and margin,
    // counted as handshake timeouts, not as refusals
    for (JsonObject r : List.of(s, l)) {
      int count = r.getJsonObject("parameters").getInteger("count");
      assertThat(r.getBoolean("passed")).as(r.encodePrettily()).isTrue();
      assertThat(r.getInteger("opened")).isEqualTo(count);
      assertThat(r.getInteger("connectFailed")).isZero();
      assertThat(r.getInteger("closedByNode")).isEqualTo(count);
      assertThat(r.getInteger("outlivedHold")).isZero();
      assertThat(r.getInteger("closedLate")).isZero();
      JsonObject node = r.getJsonArray("nodes").getJsonObject(0);
      JsonObject before = node.getJsonObject("before");
      JsonObject after = node.getJsonObject("after");
      assertThat(node.getJsonObject("delta").getDouble("timeoutsHandshake")).isGreaterThanOrEqualTo(count);
      assertThat(node.getJsonObject("delta").getDouble("refusedHandshakes")).isZero();
      // AND the node's open files rose by at least the connections held and came back down
      assertThat(before.getLong("openFiles")).isPositive();
      assertThat(node.getLong("peakOpenFiles")).isGreaterThanOrEqualTo(before.getLong("openFiles") + count);
      assertThat(node.getDouble("peakHandshakesPending")).isGreaterThanOrEqualTo(count);
      assertThat(after.getLong("openFiles")).isLessThanOrEqualTo(before.getLong("openFiles") + 10);
      assertThat(after.getDouble("handshakesPending")).isZero();
      assertThat(r.getJsonArray("timeline").size()).isGreaterThan(10);
    }
    assertThat(Files.readString(OUT.resolve("hostile-silent").resolve("timeline.csv")))
        .startsWith("seconds,opened,held,closedByNode,failed,node1.openFiles");
    assertThat(Files.readString(OUT.resolve("hostile-slowloris").resolve("report.html"))).contains("<svg");
  }

  @Test
  @Order(7)
  void the_baseline_relay_serves_the_same_scenarios_and_the_suite_summary_compares() throws Exception {
    // GIVEN the no-cluster baseline relay on its own port
    int port = freeRun(1);
    Process relay = new ProcessBuilder(java(), "-jar", JAR.toString(), "baseline-relay", "--port",
        Integer.toString(port)).redirectErrorStream(true).redirectOutput(OUT.resolve("baseline.log").toFile()).start();
    try {
      String url = "ws://127.0.0.1:" + port + "/WebRTCAppEE/websocket";
      assertThat(exec(60, java(), "-jar", JAR.toString(), "await", "-t", url, "-m", "http://127.0.0.1:" + port,
          "--timeout", "30").status()).isZero();

      // WHEN throughput and pairs run against it
      JsonObject tp = harness("suite/baseline-throughput", "throughput", "-t", url, "--pairs", "4", "--window", "2",
          "--duration", "2");
      JsonObject pairs = harness("suite/baseline-pairs", "pairs", "-t", url, "--rate", "10", "--duration", "1",
          "--hold", "0");

      // THEN both pass, and the summary puts the earlier cluster run next to it with its ratio to the baseline
      assertPassed(tp);
      assertPassed(pairs);
      Files.createDirectories(OUT.resolve("suite/2-nodes-throughput"));
      Files.copy(OUT.resolve("throughput/result.json"), OUT.resolve("suite/2-nodes-throughput/result.json"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Result summary = exec(60, java(), "-jar", JAR.toString(), "summarize", OUT.resolve("suite").toString(), "--write");
      assertThat(summary.status()).as(summary.output()).isZero();
      assertThat(Files.readString(OUT.resolve("suite/SUMMARY.md"))).contains("baseline-throughput", "baseline-pairs",
          "2-nodes-throughput").containsPattern("% of baseline");
    } finally {
      relay.destroy();
      relay.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(7)
  void scale_starts_a_third_node_that_takes_calls_then_drains_it_and_reports_every_phase() throws Exception {
    // WHEN a soak of held pairs and a stream of new calls run while a node is started at 2 s and drained at 10 s,
    // with the room directory filled first: 2,000 rooms of one peer each, 128 per socket, held (pinging) to the end
    JsonObject result = harness("scale", "scale", "-t", urls, "--cluster-dir", clusterDir.toString(),
        "--cluster-script", BIN.resolve("local-cluster.sh").toString(), "--events", "2:start,10:drain",
        "--duration", "30", "--settle", "1", "--drain-timeout", "60", "--pairs", "10", "--message-rate", "200",
        "--call-rate", "5", "--candidates", "2", "--hold", "300", "--fill-rooms", "2000",
        "--fill-rooms-per-socket", "128", "--fill-in-flight", "256", "--fill-ping-interval", "5000", "--allow-errors");

    // THEN the nodes answered every fill join (16 sockets, the last with 80 rooms), and no fill socket was closed
    // while held (the errors below are empty: no fillJoinFailed, no fillSocketClosed)
    JsonObject fill = result.getJsonObject("parameters").getJsonObject("fill");
    assertThat(fill.getLong("rooms")).as(fill.encode()).isEqualTo(2000);
    assertThat(fill.getLong("sockets")).as(fill.encode()).isEqualTo(16);
    assertThat(fill.getLong("joined")).as(fill.encode()).isEqualTo(2000);
    assertThat(fill.getLong("failed")).as(fill.encode()).isZero();
    assertThat(fill.getDouble("joinsPerSecond")).as(fill.encode()).isPositive();

    // THEN nothing failed and nothing was lost: the drain ended no call, refusals by the draining node were
    // retries, not errors, and the member's joining and leaving dropped no relay
    assertThat(result.getLong("lostMessages")).as(result.encodePrettily()).isZero();
    assertThat(result.getJsonObject("errors").fieldNames()).as(result.encodePrettily()).isEmpty();
    JsonObject counters = result.getJsonObject("counters");
    assertThat(counters.getLong("calls.completed")).as("every call started completed")
        .isEqualTo(counters.getLong("calls.started"));
    assertThat(counters.getLong("calls.failed", 0L)).isZero();
    // 5 calls a second for 30 s; a run extended because an event was still in progress at its end (a node slow
    // to start on a busy machine) goes on at the same rate for the time it was extended
    JsonObject extended = result.getJsonObject("extended");
    if (extended == null) {
      assertThat(counters.getLong("calls.completed")).isEqualTo(150);
    } else {
      assertThat(extended.getString("reason")).startsWith("scale event");
      double seconds = extended.getDouble("seconds");
      assertThat(result.getDouble("runSeconds")).isGreaterThanOrEqualTo(30 + seconds - 0.1);
      assertThat(counters.getLong("calls.completed")).as(extended.encode())
          .isBetween(150 + (long) Math.floor(seconds * 5) - 1, 150 + (long) Math.ceil(seconds * 5) + 1);
    }

    // AND the node the run started was ready, took new calls, and exited after its drain
    JsonArray events = result.getJsonArray("scaleEvents");
    assertThat(events.size()).isEqualTo(2);
    assertThat(events.getJsonObject(0).getString("outcome")).isEqualTo("ready");
    assertThat(events.getJsonObject(1).getString("outcome")).isEqualTo("exited");
    String third = "127.0.0.1:" + (httpBase + 2);
    assertThat(events.getJsonObject(0).getString("node")).isEqualTo(third);
    // AND after each event the cluster was member-safe again (every member's /health/safe), not before the event
    // had its effect: after the new node was ready, after the drained one exited
    JsonObject up = events.getJsonObject(0);
    JsonObject down = events.getJsonObject(1);
    assertThat(up.getDouble("memberSafeAtSeconds")).as(up.encode()).isGreaterThanOrEqualTo(up.getDouble("readyAtSeconds"));
    assertThat(down.getDouble("memberSafeAtSeconds")).as(down.encode())
        .isGreaterThanOrEqualTo(down.getDouble("exitedAtSeconds"));
    assertThat(result.getJsonObject("perNodeLatencyMs").getJsonObject(third).getJsonObject("pairing")
        .getLong("count")).isPositive();
    assertThat(exec(30, "bash", BIN.resolve("local-cluster.sh").toString(), "urls", "--dir", clusterDir.toString())
        .output().trim()).isEqualTo(urls);

    // AND the phases follow each other, with relays and calls in each one that has time to hold them
    JsonArray phases = result.getJsonArray("phases");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < phases.size(); i++) {
      names.add(phases.getJsonObject(i).getString("name"));
    }
    assertThat(names).containsExactly("steady", "scale-up", "scaled", "drain", "after");
    for (int i = 0; i < phases.size(); i++) {
      JsonObject p = phases.getJsonObject(i);
      assertThat(p.getJsonObject("errors").fieldNames()).as(p.encode()).isSubsetOf("relayLost");
      if (i > 0) {
        assertThat(p.getDouble("fromSeconds")).isEqualTo(phases.getJsonObject(i - 1).getDouble("toSeconds"));
      }
    }
    for (int i : new int[] {0, 1, 3, 4}) {
      JsonObject p = phases.getJsonObject(i);
      assertThat(p.getJsonObject("latencyMs").getJsonObject("relay").getLong("count")).as(p.encode()).isPositive();
    }
    assertThat(phases.getJsonObject(0).getJsonObject("counters").getLong("calls.completed")).isPositive();
    assertThat(phases.getJsonObject(4).getJsonObject("counters").getLong("calls.completed")).isPositive();
    assertThat(result.getJsonObject("scaleTarget").fieldNames()).contains("steadyRelayP99Ms", "eventRelayMaxMs", "met");
    assertThat(Files.readString(OUT.resolve("scale/summary.txt"))).contains("scale-up", "drain", "after",
        "target during scale events");
    assertThat(Files.readString(OUT.resolve("scale/report.html"))).contains("Phases (scale events)");
  }

  @Test
  @Order(8)
  void pairs_over_three_worker_processes_merge_their_histograms_losslessly_into_one_report() throws Exception {
    // WHEN 30 calls per second for 2 s, each held 1 s, are driven by a coordinator and 3 worker processes
    JsonObject result = harness("distributed", "pairs", "-t", urls, "--rate", "30", "--duration", "2", "--hold",
        "1000", "--workers", "3");

    // THEN all 60 calls complete, each worker did its third of them, and the report says there were 3 workers
    assertPassed(result);
    assertThat(result.getJsonObject("counters").getLong(Stats.OPS_COMPLETED)).isEqualTo(60);
    JsonObject workers = result.getJsonObject("workers");
    assertThat(workers.getInteger("count")).isEqualTo(3);
    assertThat(workers.getInteger("delivered")).isEqualTo(3);
    JsonArray each = workers.getJsonArray("perWorker");
    for (int i = 0; i < 3; i++) {
      assertThat(each.getJsonObject(i).getString("status")).isEqualTo("delivered");
      assertThat(each.getJsonObject(i).getLong("done")).as("worker " + i).isEqualTo(20);
    }
    Path dir = OUT.resolve("distributed");
    assertThat(Files.readString(dir.resolve("summary.txt"))).contains("workers: 3 (3 delivered)", "PASSED");
    assertThat(Files.readString(dir.resolve("report.html"))).contains("<h2>Workers</h2><p>3 workers");
    // AND each merged histogram holds the sum of the workers' counts, with exactly the percentiles of their
    // histograms added up in one process (read back from the workers' own histogram logs)
    for (String latency : List.of("pairing", "relay.takeCandidate", "setup", "connect")) {
      Histogram merged = readHdr(dir.resolve("histograms"), latency);
      Histogram added = new Histogram(Stats.MAX_TRACKABLE_NANOS, 3);
      long sum = 0;
      for (int i = 0; i < 3; i++) {
        Histogram w = readHdr(dir.resolve("workers/worker-" + i + "/histograms"), latency);
        sum += w.getTotalCount();
        added.add(w);
      }
      assertThat(merged.getTotalCount()).as(latency).isEqualTo(sum).isPositive();
      for (double p : new double[] {50, 90, 99, 99.9, 100}) {
        assertThat(merged.getValueAtPercentile(p)).as(latency + " p" + p).isEqualTo(added.getValueAtPercentile(p));
      }
      assertThat(result.getJsonObject("latencyMs").getJsonObject(latency).getDouble("p99"))
          .isEqualTo(RunResult.ms(added.getValueAtPercentile(99)));
    }
    assertThat(result.getJsonObject("latencyMs").getJsonObject("relay.takeCandidate").getLong("count"))
        .isEqualTo(60 * 20);
    assertHoldReportedApart(result, 60, 1000);
  }

  @Test
  @Order(9)
  void a_worker_that_dies_mid_run_is_reported_and_fails_the_run() throws Exception {
    // GIVEN a run over 3 worker processes that is under way
    Path out = OUT.resolve("distributed-lost");
    Process coordinator = start("distributed-lost", "pairs", "-t", urls, "--rate", "20", "--duration", "3",
        "--hold", "200", "--workers", "3");
    Path console = out.resolve("console.txt");
    java.util.regex.Pattern started = java.util.regex.Pattern.compile("worker 1 started: pid (\\d+)");
    String text = awaitConsole(console, c -> c.contains("workers 3/3"), coordinator);
    java.util.regex.Matcher m = started.matcher(text);
    assertThat(m.find()).as(text).isTrue();

    // WHEN worker 1's process is killed
    ProcessHandle worker = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
    worker.destroyForcibly();

    // THEN the coordinator reports it lost and the run fails, with the other workers' figures still merged
    assertThat(coordinator.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(console);
    assertThat(coordinator.exitValue()).as(log).isEqualTo(1);
    assertThat(log).contains("WORKER 1 LOST: its process exited", "FAILED: 1 of 3 workers were lost");
    JsonObject result = new JsonObject(Files.readString(out.resolve("result.json")));
    assertThat(result.getBoolean("passed")).isFalse();
    assertThat(result.getJsonObject("errors").getLong("workerLost")).isEqualTo(1);
    JsonArray each = result.getJsonObject("workers").getJsonArray("perWorker");
    assertThat(each.getJsonObject(1).getString("status")).startsWith("lost: its process exited");
    assertThat(each.getJsonObject(0).getString("status")).isEqualTo("delivered");
    assertThat(each.getJsonObject(2).getString("status")).isEqualTo("delivered");
    assertThat(result.getJsonObject("workers").getInteger("count")).isEqualTo(3);
    assertThat(result.getJsonObject("counters").getLong(Stats.OPS_COMPLETED))
        .isEqualTo(each.getJsonObject(0).getLong("done") + each.getJsonObject(2).getLong("done")).isPositive();
  }

  /** Polls (bounded) a background run's console until {@code done} holds; returns the console. */
  private static String awaitConsole(Path console, java.util.function.Predicate<String> done, Process p)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() - until < 0) {
      String text = Files.exists(console) ? Files.readString(console) : "";
      if (done.test(text)) {
        return text;
      }
      if (!p.isAlive()) {
        throw new AssertionError("the run ended first: " + text);
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new AssertionError("not seen within 120 s: " + Files.readString(console));
  }

  private static Histogram readHdr(Path dir, String latency) throws IOException {
    Histogram h = (Histogram) new HistogramLogReader(dir.resolve(Report.fileName(latency) + ".hdr").toFile())
        .nextIntervalHistogram();
    assertThat(h).as(dir + " " + latency).isNotNull();
    return h;
  }

  private static void assertPassed(JsonObject result) {
    assertThat(result.getBoolean("passed")).as(result.encodePrettily()).isTrue();
    assertThat(result.getLong("lostMessages")).isZero();
    assertThat(result.getJsonObject("errors").isEmpty()).isTrue();
    assertThat(result.getJsonArray("series").size()).isPositive();
  }

  private static void assertReports(Path dir, String latency) throws IOException {
    assertThat(Files.readString(dir.resolve("summary.txt"))).contains("PASSED", latency);
    String html = Files.readString(dir.resolve("report.html"));
    assertThat(html).contains("<svg", "Latency by percentile", "Throughput over time", latency);
    Path hdr = dir.resolve("histograms").resolve(Report.fileName(latency) + ".hdr");
    HistogramLogReader reader = new HistogramLogReader(hdr.toFile());
    Histogram h = (Histogram) reader.nextIntervalHistogram();
    assertThat(h).isNotNull();
    assertThat(h.getTotalCount()).isPositive();
  }

  /** Runs the harness jar as a user would; returns its result.json. */
  private static JsonObject harness(String outName, String... args) throws Exception {
    Path out = OUT.resolve(outName);
    List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-o", out.toString()));
    Result r = exec(180, command.toArray(String[]::new));
    Files.createDirectories(out);
    Files.writeString(out.resolve("console.txt"), r.output());
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("reports written to");
    return new JsonObject(Files.readString(out.resolve("result.json")));
  }

  /** Starts the harness jar in the background, its output to the run's directory. */
  private static Process start(String outName, String... args) throws IOException {
    Path out = OUT.resolve(outName);
    Files.createDirectories(out);
    List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-o", out.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.resolve("console.txt").toFile())
        .start();
  }

  /** Waits (bounded) for a harness started by {@link #start}; returns its result.json. */
  private static JsonObject finish(String outName, Process p) throws Exception {
    Path out = OUT.resolve(outName);
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(outName + " did not finish in 180 s: " + Files.readString(out.resolve("console.txt")));
    }
    String console = Files.readString(out.resolve("console.txt"));
    assertThat(p.exitValue()).as(console).isZero();
    assertThat(console).contains("reports written to");
    return new JsonObject(Files.readString(out.resolve("result.json")));
  }

  private record Result(int status, String output) { }

  private static Result exec(int timeoutSeconds, String... command) throws Exception {
    Files.createDirectories(OUT);
    Path log = Files.createTempFile(OUT, "exec", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("NODE_JAR", NODE_JAR.toString());
    builder.environment().put("LOADTEST_JAR", JAR.toString());
    builder.environment().put("JAVA", java());
    Process p = builder.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s: "
          + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The first of {@code count} consecutive free loopback ports. */
  private static int freeRun(int count) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      // below the ephemeral port range (32768 and up), where no outgoing connection takes a port meanwhile
      int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      boolean free = true;
      for (int i = 0; i < count && free; i++) {
        try (ServerSocket s = new ServerSocket(base + i, 50, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no run of " + count + " free ports");
  }
}
