package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCpuTest {

  // a real line of a JVM, utime 1523 and stime 211 (fields 14 and 15)
  private static final String STAT = "4242 (java) S 1 4242 4242 0 -1 4194560 61234 0 12 0 1523 211 0 0 20 0 "
      + "57 0 123456 3456789012 98765 18446744073709551615 1 1 0 0 0 0 0 2 16800973 0 0 0 17 1 0 0 0 0 0";

  @Test
  void cpu_time_is_utime_plus_stime_of_the_stat_line() {
    assertThat(ServerCpu.cpuTicks(STAT)).isEqualTo(1523 + 211);
  }

  @Test
  void a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() {
    String odd = STAT.replace("(java)", "(node (peer) x)");
    assertThat(ServerCpu.cpuTicks(odd)).isEqualTo(1734);
  }

  @Test
  void a_line_that_is_not_a_stat_line_is_refused() {
    assertThatThrownBy(() -> ServerCpu.cpuTicks("no parentheses here")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServerCpu.cpuTicks("1 (x) S 1 2")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resident_memory_is_read_from_vmrss_in_kib() {
    assertThat(ServerCpu.rssBytes("Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t  204800 kB\nThreads:\t40\n"))
        .isEqualTo(204800L * 1024);
    assertThat(ServerCpu.rssBytes("Name:\tzombie\nState:\tZ\n")).isEqualTo(-1);
  }

  @Test
  void pids_come_from_the_command_line_or_from_the_cluster_scripts_pid_files(@TempDir Path dir) throws Exception {
    assertThat(ServerCpu.parsePids(List.of("12,34", "56"))).containsExactly(12L, 34L, 56L);
    assertThatThrownBy(() -> ServerCpu.parsePids(List.of("12,x"))).hasMessageContaining("not a process id: x");
    Files.writeString(dir.resolve("node-10.pid"), "1010\n");
    Files.writeString(dir.resolve("node-2.pid"), "202\n");
    Files.writeString(dir.resolve("node-2.port"), "5081\n");
    assertThat(ServerCpu.pidsFromDir(dir)).containsExactly(202L, 1010L);
  }

  @Test
  void a_sample_sums_every_process_in_nanoseconds_and_notes_one_that_has_gone(@TempDir Path proc) throws Exception {
    Files.createDirectories(proc.resolve("1"));
    Files.writeString(proc.resolve("1/stat"), STAT);
    Files.writeString(proc.resolve("1/status"), "VmRSS:\t100 kB\n");
    Files.createDirectories(proc.resolve("2"));
    Files.writeString(proc.resolve("2/stat"), STAT.replace(" 1523 211 ", " 66 0 "));
    Files.writeString(proc.resolve("2/status"), "VmRSS:\t20 kB\n");
    ServerCpu.Sample s = new ServerCpu(List.of(1L, 2L), proc, 100).sample();
    assertThat(s.cpuNanos()).isEqualTo((1734L + 66) * 10_000_000L);
    assertThat(s.rssBytes()).isEqualTo(120L * 1024);
    assertThat(s.alive()).isTrue();
    assertThat(new ServerCpu(List.of(1L, 3L), proc, 100).sample().alive()).isFalse();
    assertThatThrownBy(() -> new ServerCpu(List.of(3L), proc, 100).check()).hasMessageContaining("no such process");
  }

  @Test
  void the_cost_of_a_run_is_the_difference_per_call_and_per_relayed_message() {
    ServerCost c = ServerCost.between(List.of(1L), new ServerCpu.Sample(1_000_000_000L, 100, true),
        new ServerCpu.Sample(4_000_000_000L, 300, true), 1000, 22_000, 2.0);
    assertThat(c.cpuMillisPerCall()).isEqualTo(3.0);
    assertThat(c.cpuMicrosPerRelayed()).isCloseTo(136.36, org.assertj.core.data.Offset.offset(0.01));
    assertThat(c.cores()).isEqualTo(1.5);
    assertThat(c.toJson().getDouble("cpuMsPerCall")).isEqualTo(3.0);
    assertThat(c.line()).contains("3.000 ms per call", "136.4 us per relayed message");
  }
}
