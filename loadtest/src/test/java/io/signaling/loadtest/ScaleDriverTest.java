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
 * goes on, and for {@link ScaleDriver#TAIL_SECONDS} after it. The cluster script is a stand-in whose {@code add}
 * finishes only when the test lets it: a node that is slow to be ready.
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
