package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code hostile} command's options: defaults, bounds, loopback only; and the labelled metric reader. */
class HostileCommandTest {

  private static final String URL = CommandRun.URL;

  private static CommandRun run(String... args) {
    return CommandRun.of(args);
  }

  /** Parses the arguments as the command line does and validates them, without connecting anywhere. */
  private static HostileCommand.Plan plan(PrintStream notes, String... args) {
    HostileCommand command = new HostileCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return command.plan(notes);
  }

  private static HostileCommand.Plan plan(String... args) {
    return plan(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), args);
  }

  @Test
  void help_lists_the_command_and_its_options() {
    assertThat(run("--help").out()).contains("hostile");
    assertThat(run("hostile", "--help").out()).contains("--count", "--rate", "--bind", "--mode", "--byte-interval",
        "--hold", "--deadline", "--margin", "--management", "--node-pid", "--sample-interval", "--settle");
  }

  @Test
  void defaults_are_a_thousand_silent_connections_from_eight_addresses_held_at_most_thirty_seconds() {
    HostileCommand.Plan p = plan("-t", URL);
    assertThat(p.count()).isEqualTo(1000);
    assertThat(p.rate()).isEqualTo(500.0);
    assertThat(p.mode()).isEqualTo(HostileCommand.Mode.SILENT);
    assertThat(p.sources()).hasSize(8).startsWith("127.0.0.2").endsWith("127.0.0.9");
    assertThat(p.holdSeconds()).isEqualTo(30);
    assertThat(p.deadlineSeconds()).isZero();
    assertThat(p.managementBases()).containsExactly("http://127.0.0.1:9000");
    assertThat(p.pids()).isEmpty();
  }

  @Test
  void every_option_is_read() {
    HostileCommand.Plan p = plan("-t", URL + ",ws://localhost:2/WebRTCAppEE/websocket", "--count", "5000",
        "--rate", "250", "--bind", "127.0.0.5", "--mode", "SLOWLORIS", "--byte-interval", "2000", "--hold", "40",
        "--deadline", "10", "--margin", "3", "-m", "http://127.0.0.1:9000,http://localhost:9001",
        "--node-pid", "11,12", "--sample-interval", "500", "--settle", "7", "--connect-timeout", "3000",
        "--threads", "3");
    assertThat(p.targets()).hasSize(2);
    assertThat(p.count()).isEqualTo(5000);
    assertThat(p.rate()).isEqualTo(250.0);
    assertThat(p.sources()).containsExactly("127.0.0.5");
    assertThat(p.mode()).isEqualTo(HostileCommand.Mode.SLOWLORIS);
    assertThat(p.byteIntervalMillis()).isEqualTo(2000);
    assertThat(p.holdSeconds()).isEqualTo(40);
    assertThat(p.deadlineSeconds()).isEqualTo(10);
    assertThat(p.marginSeconds()).isEqualTo(3);
    assertThat(p.managementBases()).containsExactly("http://127.0.0.1:9000", "http://localhost:9001");
    assertThat(p.pids()).containsExactly(11L, 12L);
    assertThat(p.sampleMillis()).isEqualTo(500);
    assertThat(p.settleSeconds()).isEqualTo(7);
    assertThat(p.connectTimeoutMillis()).isEqualTo(3000);
    assertThat(p.threads()).isEqualTo(3);
    assertThat(p.toJson().getString("mode")).isEqualTo("slowloris");
  }

  @Test
  void the_run_is_bounded_by_its_arrivals_hold_and_settling() {
    HostileCommand.Plan p = plan("-t", URL, "--count", "10000", "--rate", "500", "--hold", "30", "--settle", "5",
        "--connect-timeout", "10000");
    assertThat(p.boundSeconds()).isEqualTo(20 + 10 + 30 + 5 + 30);
  }

  @Test
  void a_count_above_what_one_process_may_hold_is_clamped_with_a_note() {
    ByteArrayOutputStream notes = new ByteArrayOutputStream();
    HostileCommand.Plan p = plan(new PrintStream(notes, true, StandardCharsets.UTF_8), "-t", URL, "--count",
        "50000");
    assertThat(p.count()).isEqualTo(HostileCommand.MAX_COUNT);
    assertThat(notes.toString(StandardCharsets.UTF_8)).contains("--count 50000 clamped to 19000");
  }

  @Test
  void a_hold_above_ten_minutes_is_clamped() {
    assertThat(plan("-t", URL, "--hold", "100000").holdSeconds()).isEqualTo(600);
  }

  @Test
  void values_below_their_minimum_are_refused_naming_the_option() {
    CommandRun rate = run("hostile", "-t", URL, "--rate", "0");
    assertThat(rate.status()).isEqualTo(2);
    assertThat(rate.err()).contains("--rate must be at least");
    CommandRun count = run("hostile", "-t", URL, "--count", "0");
    assertThat(count.status()).isEqualTo(2);
    assertThat(count.err()).contains("--count must be at least");
    assertThatThrownBy(() -> plan("-t", URL, "--hold", "0")).hasMessageContaining("--hold must be at least");
  }

  @Test
  void an_unknown_mode_is_refused() {
    CommandRun o = run("hostile", "-t", URL, "--mode", "flood");
    assertThat(o.status()).isEqualTo(2);
    assertThat(o.err()).contains("--mode");
  }

  @Test
  void a_target_off_this_machine_is_refused() {
    CommandRun o = run("hostile", "-t", "ws://10.1.2.3:5080/WebRTCAppEE/websocket");
    assertThat(o.status()).isEqualTo(2);
    assertThat(o.err()).contains("target must be a loopback address", "10.1.2.3");
  }

  @Test
  void a_source_address_or_management_url_off_loopback_is_refused() {
    assertThatThrownBy(() -> plan("-t", URL, "--bind", "192.168.1.7"))
        .hasMessageContaining("source address must be a loopback address");
    assertThatThrownBy(() -> plan("-t", URL, "-m", "http://10.0.0.1:9000"))
        .hasMessageContaining("management URL must be a loopback address");
    assertThatThrownBy(() -> plan("-t", URL, "--bind", "127.0.0.9-127.0.0.2")).hasMessageContaining("bad address range");
  }

  @Test
  void one_pid_per_target_is_required() {
    assertThatThrownBy(() -> plan("-t", URL, "--node-pid", "11,12")).hasMessageContaining("one --node-pid per target");
    assertThatThrownBy(() -> plan("-t", URL, "--node-pid", "-4")).hasMessageContaining("--node-pid must be positive");
  }

  @Test
  void the_hold_must_cover_the_deadline_it_checks() {
    assertThatThrownBy(() -> plan("-t", URL, "--deadline", "10", "--margin", "5", "--hold", "12"))
        .hasMessageContaining("--hold (12 s) must be at least --deadline plus --margin (15 s)");
    assertThat(plan("-t", URL, "--deadline", "10", "--margin", "5", "--hold", "15").holdSeconds()).isEqualTo(15);
  }

  @Test
  void without_metrics_no_management_url_is_needed() {
    assertThat(plan("-t", URL, "--no-metrics").managementBases()).isEmpty();
  }

  @Test
  void labelled_metric_samples_are_read_by_label_value() {
    String text = String.join("\n",
        "# HELP signaling_connections_refused_total Client connections closed at accept",
        "# TYPE signaling_connections_refused_total counter",
        "signaling_connections_refused_total{reason=\"address\"} 3.0",
        "signaling_connections_refused_total{node=\"a\",reason=\"handshakes\"} 41.0",
        "signaling_connections_refused_total_created{reason=\"address\"} 1.7E9",
        "signaling_connection_timeouts_total{deadline=\"handshake\"} 7.0", "");
    assertThat(NodeProbe.labelled(text, "signaling_connections_refused_total", "reason", "address")).isEqualTo(3.0);
    assertThat(NodeProbe.labelled(text, "signaling_connections_refused_total", "reason", "handshakes"))
        .isEqualTo(41.0);
    assertThat(NodeProbe.labelled(text, "signaling_connections_refused_total", "reason", "other")).isZero();
    assertThat(NodeProbe.labelled(text, "signaling_connection_timeouts_total", "deadline", "keepalive")).isZero();
    assertThat(NodeProbe.labelled(text, "signaling_missing_total", "reason", "address")).isEqualTo(-1);
  }

  @Test
  void the_open_files_of_this_process_are_counted_and_an_absent_process_gives_minus_one() {
    long self = ProcessHandle.current().pid();
    assertThat(HostileReading.openFiles(self)).isPositive();
    assertThat(HostileReading.openFiles(Long.MAX_VALUE)).isEqualTo(-1);
    assertThat(List.of(HostileCommand.Mode.values())).hasSize(2);
  }
}
