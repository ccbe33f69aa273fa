package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scale event still in progress at the run's planned end is not cut off: the driver extends the run while it
 * goes on, and for {@link ScaleDriver#TAIL_SECONDS} after it. And a run leaves the cluster as it found it: closing
 * the driver stops every node the run started that is still running. The cluster script is a stand-in whose
 * {@code add} finishes only when the test lets it: a node that is slow to be ready.
 */
class ScaleDriverTest {

  private static final double PLANNED_SECONDS = 1;

  @Test
  void a_start_in_progress_at_the_planned_end_extends_the_run_until_its_node_is_ready_and_a_tail_after(
      @TempDir Path dir) throws Exception {
    // GIVEN a 1 s run whose one event, a start at 0 s, waits for the test to open a gate
    Path gate = dir.resolve("gate");
    Path script = dir.resolve("cluster.sh");
    Files.writeString(script, "case \"$1\" in\n"
        + "  add) while [ ! -e '" + gate + "' ]; do sleep 0.05; done; echo ws://127.0.0.1:1/WebRTCAppEE/websocket ;;\n"
        + "  *) echo \"unexpected: $*\"; exit 2 ;;\n"
        + "esac\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
    RunExtension extension = new RunExtension();
    TargetSet targets = new TargetSet(List.of(new Target(0, URI.create("ws://127.0.0.1:2/WebRTCAppEE/websocket"))));
    ScaleDriver driver = new ScaleDriver(ScaleEvent.parse("0:start", PLANNED_SECONDS), script, dir, targets, 0, 5,
        console, PLANNED_SECONDS, extension).withSafeTimeout(0); // the stand-in starts no node to be member-safe
    long start = System.nanoTime();
    try {
      driver.start(start, new Stats(start));

      // WHEN the planned end has passed by a second with the node not yet ready
      awaitTrue("a second past the planned end", () -> secondsSince(start) > PLANNED_SECONDS + 1);

      // THEN the event goes on (no record yet: it was not cut off) and the run's end is still ahead
      assertThat(driver.records()).isEmpty();
      assertThat(endSeconds(extension)).as("the run's end, extended").isGreaterThan(secondsSince(start));
      assertThat(extension.reason()).isEqualTo("scale event 0:start in progress");

      // WHEN the node gets ready
      Files.createFile(gate);
      awaitTrue("every event is done", () -> out.toString(StandardCharsets.UTF_8).contains("every event done"));

      // THEN it is recorded ready, and the run ends the tail after that, no earlier and no later
      ScaleDriver.Record r = driver.records().get(0);
      assertThat(r.outcome()).as(out.toString(StandardCharsets.UTF_8)).isEqualTo("ready");
      assertThat(r.node()).isEqualTo("127.0.0.1:1");
      double seenAt = secondsSince(start);
      assertThat(r.doneSeconds()).isGreaterThan(PLANNED_SECONDS + 1);
      assertThat(endSeconds(extension)).isBetween(r.doneSeconds() + ScaleDriver.TAIL_SECONDS,
          seenAt + ScaleDriver.TAIL_SECONDS);
      double end = endSeconds(extension);
      awaitTrue("the extended end has passed", () -> secondsSince(start) > end);
      assertThat(endSeconds(extension)).as("no further extension once every event is done").isEqualTo(end);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("the run goes on until it is");
    } finally {
      driver.close();
    }
  }

  @Test
  void closing_stops_every_node_the_run_started_the_one_being_added_included_and_what_its_add_started(
      @TempDir Path dir) throws Exception {
    // GIVEN a stand-in cluster script whose add launches a node process (and, as local-cluster.sh does, a
    // progress watcher beside it), writes node-K.pid and node-K.port at once, and finishes when gate-K exists;
    // its drain SIGTERMs the node serving the port and waits for its exit, as local-cluster.sh drain --wait does
    Path script = dir.resolve("cluster.sh");
    Files.writeString(script, STAND_IN_CLUSTER);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
    TargetSet targets = new TargetSet(List.of(new Target(0, URI.create("ws://127.0.0.1:2/WebRTCAppEE/websocket"))));
    ScaleDriver driver = new ScaleDriver(ScaleEvent.parse("0:start,0.2:start", 60), script, dir, targets, 0, 5,
        console).withSafeTimeout(0); // the stand-in's nodes are no members to be safe
    List<Long> processes = new java.util.ArrayList<>();
    long start = System.nanoTime();
    try {
      driver.start(start, new Stats(start));

      // WHEN the first node is added and ready, and the second one launched but not yet ready
      Files.createFile(dir.resolve("gate-1"));
      awaitTrue("the first node is ready", () -> driver.records().size() == 1);
      awaitTrue("the second node and its watcher are launched",
          () -> written(dir.resolve("node-2.port")) && written(dir.resolve("watcher-2.pid")));
      for (String f : List.of("node-1.pid", "node-2.pid", "watcher-2.pid")) {
        processes.add(Long.parseLong(Files.readString(dir.resolve(f)).trim()));
      }
      assertThat(processes).allMatch(ScaleDriverTest::alive);

      // AND the run ends: the driver is closed
      driver.close();

      // THEN neither node is running any more, nor anything the cut-off add started, and the nodes were stopped
      // through the script (their files are gone, as after local-cluster.sh drain)
      assertThat(processes).as(out.toString(StandardCharsets.UTF_8)).noneMatch(ScaleDriverTest::alive);
      assertThat(dir.resolve("node-1.pid")).doesNotExist();
      assertThat(dir.resolve("node-2.pid")).doesNotExist();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("node 2 (pid " + processes.get(1)
          + "), started by this run, is still running: stopping it", "node 1 (pid " + processes.get(0));
      assertThat(driver.records()).extracting(ScaleDriver.Record::outcome).containsExactly("ready",
          "start failed: status -1: cut off: the run was stopped before it finished");
    } finally {
      driver.close();
      for (long pid : processes) { // the test's own stand-ins, should the driver have left any
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /**
   * A stand-in for local-cluster.sh: add launches a node (a sleeping process) and a progress watcher, records
   * node-K.pid and node-K.port, waits for gate-K, stops its watcher and prints the node's URL; drain --port P
   * --wait S SIGTERMs that node, prints its pid, waits for its exit and removes its files.
   */
  private static final String STAND_IN_CLUSTER = String.join("\n",
      "set -eu",
      "action=$1; shift",
      "dir=; port=; wait_s=",
      "while [ $# -gt 0 ]; do",
      "  case $1 in --dir) dir=$2; shift 2 ;; --port) port=$2; shift 2 ;; --wait) wait_s=$2; shift 2 ;;",
      "    *) echo \"unexpected: $1\"; exit 2 ;; esac",
      "done",
      "running() { s=$(awk '{print $3}' \"/proc/$1/stat\" 2>/dev/null) && [ -n \"$s\" ] && [ \"$s\" != Z ]; }",
      "case $action in",
      "  add)",
      "    k=1; while [ -e \"$dir/node-$k.pid\" ]; do k=$((k + 1)); done",
      "    sleep 600 & echo $! > \"$dir/node-$k.pid\"; echo $((40000 + k)) > \"$dir/node-$k.port\"",
      "    sleep 600 & w=$!; echo $w > \"$dir/watcher-$k.pid\"",
      "    while [ ! -e \"$dir/gate-$k\" ]; do sleep 0.05; done",
      "    kill $w",
      "    echo \"ws://127.0.0.1:$((40000 + k))/WebRTCAppEE/websocket\" ;;",
      "  drain)",
      "    for f in \"$dir\"/node-*.port; do",
      "      if [ \"$(cat \"$f\")\" = \"$port\" ]; then",
      "        pid=$(cat \"${f%.port}.pid\"); rm -f \"$f\"; kill -TERM \"$pid\"; echo \"$pid\"",
      "        for _ in $(seq 1 $((wait_s * 20))); do running \"$pid\" || break; sleep 0.05; done",
      "        if running \"$pid\"; then echo \"still draining after $wait_s s\"; exit 1; fi",
      "        rm -f \"${f%.port}.pid\"; echo exited; exit 0",
      "      fi",
      "    done",
      "    echo \"no node on port $port\"; exit 2 ;;",
      "  *) echo \"unexpected: $action\"; exit 2 ;;",
      "esac", "");

  private static boolean written(Path file) {
    try {
      return Files.exists(file) && Files.size(file) > 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Whether the process runs: it exists and is not a zombie (one that exited and was not yet reaped). */
  private static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("Z");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static double secondsSince(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static double endSeconds(RunExtension extension) {
    return PLANNED_SECONDS + extension.seconds();
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
