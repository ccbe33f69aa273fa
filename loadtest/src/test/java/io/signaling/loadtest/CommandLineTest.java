package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  private static final String URL = CommandRun.URL;

  private static CommandRun run(String... args) {
    return CommandRun.of(args);
  }

  @Test
  void help_lists_every_scenario_and_tool() {
    CommandRun o = run("--help");
    assertThat(o.status()).isZero();
    assertThat(o.out()).contains("pairs", "churn", "soak", "throughput", "scale", "connections", "baseline-relay", "await",
        "summarize", "cost", "cost-table", "Exit status");
  }

  @Test
  void each_scenario_documents_its_options() {
    assertThat(run("pairs", "--help").out()).contains("--rate", "--duration", "--candidates", "--hold",
        "--sdp-bytes", "--target", "--same-node", "--warmup");
    assertThat(run("soak", "--help").out()).contains("--pairs", "--message-rate", "--ping-interval");
    assertThat(run("connections", "--help").out()).contains("--count", "--bind", "--processes", "--node-pid");
  }

  @Test
  void scale_documents_its_events_and_refuses_a_plan_it_cannot_run() {
    assertThat(run("scale", "--help").out()).contains("--events", "--cluster-dir", "--settle", "--drain-timeout",
        "--call-rate", "retry");
    CommandRun drainFirst = run("scale", "-t", URL, "--events", "10:drain", "--duration", "30");
    assertThat(drainFirst.status()).isEqualTo(2);
    assertThat(drainFirst.err()).contains("a drain needs a node");
    CommandRun late = run("scale", "-t", URL, "--events", "40:start", "--duration", "30");
    assertThat(late.status()).isEqualTo(2);
    assertThat(late.err()).contains("not within the run");
  }

  @Test
  void scale_documents_its_room_fill_and_refuses_one_it_cannot_make() {
    assertThat(run("scale", "--help").out()).contains("--fill-rooms", "--fill-rooms-per-socket", "--fill-in-flight",
        "--fill-ping-interval", "--max-rooms-per-connection");
    CommandRun zero = run("scale", "-t", URL, "--events", "5:start", "--fill-rooms", "1000",
        "--fill-rooms-per-socket", "0");
    assertThat(zero.status()).isEqualTo(2);
    assertThat(zero.err()).contains("--fill-rooms-per-socket must be at least 1 (was 0)");
    CommandRun negative = run("scale", "-t", URL, "--events", "5:start", "--fill-rooms", "-1");
    assertThat(negative.status()).isEqualTo(2);
    assertThat(negative.err()).contains("--fill-rooms must be at least 0 (was -1)");
  }

  @Test
  void a_room_fill_gives_every_socket_its_share_and_the_last_one_the_rest() {
    // GIVEN 1,000 rooms at 128 per socket
    RoomFill fill = new RoomFill(1_000, 128, 512, 10_000, System.out);
    // THEN 8 sockets: seven of 128 rooms and the last of the 104 left, 1,000 in all
    assertThat(fill.sockets()).isEqualTo(8);
    long total = 0;
    for (long s = 0; s < fill.sockets(); s++) {
      total += fill.roomsOf(s);
    }
    assertThat(fill.roomsOf(0)).isEqualTo(128);
    assertThat(fill.roomsOf(7)).isEqualTo(104);
    assertThat(total).isEqualTo(1_000);
    assertThat(new RoomFill(1_000_000, 128, 512, 10_000, System.out).sockets()).isEqualTo(7_813);
  }

  @Test
  void distributed_runs_document_their_options_and_refuse_what_they_cannot_do() {
    assertThat(run("pairs", "--help").out()).contains("--workers", "--external-workers", "--coordinator-port",
        "--worker-timeout");
    assertThat(run("worker", "--help").out()).contains("--coordinator", "--index", "JOB_COMPLETION_INDEX");
    CommandRun negative = run("pairs", "-t", URL, "--workers", "-1");
    assertThat(negative.status()).isEqualTo(2);
    assertThat(negative.err()).contains("--workers must be 0 (run in this process) or more (was -1)");
    CommandRun pids = run("pairs", "-t", URL, "--workers", "2", "--server-pids", "1");
    assertThat(pids.status()).isEqualTo(2);
    assertThat(pids.err()).contains("not with --workers");
    // a distributed scale run's events happen at the coordinator: it needs the cluster script, its workers not
    CommandRun scale = run("scale", "-t", URL, "--events", "5:start", "--duration", "30", "--workers", "2",
        "--cluster-script", "no-such-dir/local-cluster.sh");
    assertThat(scale.status()).isEqualTo(2);
    assertThat(scale.err()).contains("cluster script not found: no-such-dir/local-cluster.sh");
    CommandRun url = run("worker", "--coordinator", "ftp://somewhere");
    assertThat(url.status()).isEqualTo(2);
    assertThat(url.err()).contains("--coordinator: not an http:// URL");
  }

  @Test
  void cost_documents_its_rounds_and_refuses_an_unknown_protocol_or_process() {
    assertThat(run("cost", "--help").out()).contains("--calls", "--in-flight", "--warmup-calls", "--warm-rounds",
        "--protocol", "--server-pids", "--server-pids-from", "--idle-sockets", "--candidates", "--sdp-bytes");
    CommandRun protocol = run("cost", "-t", URL, "--protocol", "sip");
    assertThat(protocol.status()).isEqualTo(2);
    assertThat(protocol.err()).contains("--protocol must be ams or peerjs");
    CommandRun pid = run("cost", "-t", URL, "--server-pids", "abc");
    assertThat(pid.status()).isEqualTo(2);
    assertThat(pid.err()).contains("not a process id");
    assertThat(run("cost-table", "--help").out()).contains("cost.json");
  }

  @Test
  void a_rate_below_its_minimum_is_refused_naming_the_option() {
    CommandRun o = run("pairs", "-t", URL, "--rate", "0");
    assertThat(o.status()).isEqualTo(2);
    assertThat(o.err()).contains("--rate must be at least");
  }

  @Test
  void a_missing_or_malformed_target_is_refused() {
    assertThat(run("pairs").status()).isEqualTo(2);
    CommandRun o = run("churn", "-t", "http://127.0.0.1:1/");
    assertThat(o.status()).isEqualTo(2);
    assertThat(o.err()).contains("ws:// or wss://");
    assertThat(run("soak", "-t", URL, "--pairs", "many").status()).isEqualTo(2);
  }

  @Test
  void a_bad_address_range_is_refused() {
    assertThat(run("connections", "-t", URL, "--bind", "127.0.0.9-127.0.0.2").err()).contains("bad address range");
  }

  @Test
  void address_ranges_expand_on_the_last_number() {
    assertThat(ConnectionsCommand.expand(List.of("127.0.0.2-127.0.0.4", "127.0.0.9")))
        .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9");
    assertThatThrownBy(() -> ConnectionsCommand.expand(List.of("127.0.0.2-127.0.1.4")))
        .hasMessageContaining("last number");
  }

  @Test
  void values_above_their_maximum_are_clamped_with_a_note() {
    ByteArrayOutputStream note = new ByteArrayOutputStream();
    long clamped = Params.range(new picocli.CommandLine(new LoadTest()).getCommandSpec(), "--hold", 10_000_000L, 0,
        3_600_000L, new PrintStream(note, true, StandardCharsets.UTF_8));
    assertThat(clamped).isEqualTo(3_600_000L);
    assertThat(note.toString(StandardCharsets.UTF_8)).contains("--hold 10000000 clamped to 3600000");
  }
}
