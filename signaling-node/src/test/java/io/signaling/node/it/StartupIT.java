package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.Await;
import io.signaling.node.support.NodeMetrics;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node's start-up as an operator meets it, with node processes from the runnable jar: a start that cannot serve
 * ends at once, a stop signal during the warm-up drains, settings it cannot use are refused in one line, and every
 * meter it exports has a value. One running node (no warm-up) is shared by the tests that need a cluster to join.
 */
class StartupIT {

  private static final String CLUSTER = "startup-" + UUID.randomUUID();
  private static final int HZ1 = TestCluster.freePort();
  private static final int HZ2 = TestCluster.freePort();
  private static NodeProcess first;

  private static String[] staticCluster(String name, int port, int... members) {
    StringBuilder list = new StringBuilder();
    for (int m : members) {
      list.append(list.length() == 0 ? "" : ",").append("127.0.0.1:").append(m);
    }
    return new String[] {"--cluster-name", name, "--cluster-discovery", "static", "--cluster-port",
        Integer.toString(port), "--cluster-members", list.toString()};
  }

  @BeforeAll
  static void startFirst() {
    first = NodeProcess.start("startup-first", TestCluster.freePort(), Map.of(), staticCluster(CLUSTER, HZ1, HZ1, HZ2))
        .awaitReady();
  }

  @AfterAll
  static void stopFirst() {
    if (first != null) {
      first.close();
    }
  }

  private static int awaitExit(NodeProcess node, Duration timeout) throws InterruptedException {
    if (!node.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("node did not exit within " + timeout + ": " + node.output());
    }
    return node.process().exitValue();
  }

  @Test
  void aSecondNodeOnATakenHttpPort_exits1InSeconds_namingThePort_andLeavesTheCluster() throws Exception {
    // GIVEN a node serving, and a second node of its cluster started on the same HTTP port
    try (NodeProcess second = NodeProcess.start("startup-second", first.httpPort(), Map.of(),
        staticCluster(CLUSTER, HZ2, HZ1, HZ2))) {
      // THEN the second exits with status 1 (it joins the cluster first: the port is taken when it serves)
      int status = awaitExit(second, Duration.ofSeconds(60));
      String output = second.output();
      assertThat(status).as(output).isEqualTo(1);
      // AND says why in one line naming the port and its setting, with no stack trace, within seconds of the
      // moment it could not serve (its join before, a JVM's start on a busy machine, is not what is measured)
      List<String> errors = output.lines().filter(l -> l.contains("cannot start")).toList();
      assertThat(errors).as(output).hasSize(1);
      String joined = output.lines().filter(l -> l.contains("joined cluster")).findFirst().orElseThrow();
      assertThat(Duration.between(Instant.parse(joined.substring(0, joined.indexOf(' '))),
          Instant.parse(errors.get(0).substring(0, errors.get(0).indexOf(' ')))))
          .as("from the join to the reason").isLessThan(Duration.ofSeconds(10));
      assertThat(errors.get(0)).contains(":" + first.httpPort()).contains("SIGNALING_HTTP_PORT").contains("in use");
      assertThat(output).doesNotContain("\tat ").doesNotContain("Exception in thread");
    }
    // AND the first node's cluster is back to one member, the first still serving
    first.awaitMembers(1, Duration.ofSeconds(15));
    assertThat(first.readyStatus()).isEqualTo(200);
  }

  @Test
  void everySignalingMeter_hasAValue_afterAGarbageCollection() throws Exception {
    // GIVEN a running node whose JVM has collected garbage (a gauge over an object held only weakly reads NaN then)
    Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(first.pid()), "GC.run").redirectErrorStream(true).start();
    assertThat(gc.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(gc.exitValue()).as(new String(gc.getInputStream().readAllBytes())).isZero();
    // WHEN /metrics is scraped
    String metrics = NodeMetrics.scrape(first.managementBase(), Duration.ofSeconds(10)).text();
    // THEN every signaling_* series has a number, the memory meters a positive one
    List<String> series = metrics.lines().filter(l -> l.startsWith("signaling_")).toList();
    assertThat(series).hasSizeGreaterThan(20);
    assertThat(series).noneMatch(l -> l.endsWith(" NaN") || l.endsWith(" +Inf") || l.endsWith(" -Inf"));
    for (String meter : List.of("signaling_direct_memory_used_bytes", "signaling_process_resident_memory_bytes",
        "signaling_jvm_heap_used_bytes")) {
      assertThat(first.gauge(meter)).as(meter).isPositive();
    }
  }

  @Test
  void sigtermDuringTheWarmUp_drainsAConnectedClient_1001_andExits143() throws Exception {
    // GIVEN a node of its own warming up for minutes (readiness waits for it)
    int hz = TestCluster.freePort();
    try (NodeProcess warming = NodeProcess.start("startup-warming", TestCluster.freePort(),
        Map.of("SIGNALING_WARMUP_CALLS", "1000000", "SIGNALING_WARMUP_SECONDS", "600", "SIGNALING_WARMUP_IN_FLIGHT", "1"),
        staticCluster("warming-" + UUID.randomUUID(), hz, hz))) {
      Await.until(Duration.ofSeconds(60), "the node warms up (log: " + warming.output().length() + " chars)", () -> {
        if (!warming.process().isAlive()) {
          throw new AssertionError("node exited: " + warming.output());
        }
        JsonObject health = warming.health();
        return health != null && health.getBoolean("warming", false);
      });
      assertThat(warming.readyStatus()).isEqualTo(503);
      // AND a client connected to it
      try (TestPeer client = TestPeer.connect("client", warming.url())) {
        client.send(new JsonObject().put("command", "ping"));
        assertThat(client.expect("pong", null)).isNotNull();
        assertThat(warming.health().getBoolean("warming")).as("still warming").isTrue();
        // WHEN the node gets SIGTERM
        warming.process().destroy();
        // THEN the client is told and closed with 1001, and the process exits as a JVM stopped by SIGTERM does
        client.expectNotification("server_will_stop", null);
        assertThat(client.awaitClose()).isEqualTo(1001);
        assertThat(awaitExit(warming, Duration.ofSeconds(60))).isEqualTo(143);
      }
      assertThat(warming.output()).contains("SIGTERM").contains("draining").contains("stopped");
    }
  }

  @Test
  void anInvalidSetting_exits1WithOneLine_andNoStackTrace() throws IOException, InterruptedException {
    // WHEN the node is started with a log level it does not know
    Process p = new ProcessBuilder(NodeProcess.javaBinary(), "-jar", NodeProcess.jar().toAbsolutePath().toString(),
        "--log-level", "verbose").redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes());
    // THEN exit status 1 and one line naming the setting
    assertThat(p.exitValue()).as(output).isEqualTo(1);
    assertThat(output.strip().lines().toList()).as(output).hasSize(1);
    assertThat(output).contains("SIGNALING_LOG_LEVEL").contains("--log-level").doesNotContain("Exception");
  }
}
