package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class CostRoundsTest {

  private static final CostRounds.Kind FIRST = CostRounds.Kind.FIRST;
  private static final CostRounds.Kind WARMUP = CostRounds.Kind.WARMUP;
  private static final CostRounds.Kind WARM = CostRounds.Kind.WARM;

  @Test
  void the_first_round_counts_towards_the_warm_up_and_warm_rounds_follow_it() {
    assertThat(CostRounds.plan(3000, 20_000, 3)).containsExactly(FIRST, WARMUP, WARMUP, WARMUP, WARMUP, WARMUP,
        WARMUP, WARM, WARM, WARM);
    assertThat(CostRounds.plan(3000, 3000, 1)).containsExactly(FIRST, WARM);
    assertThat(CostRounds.plan(3000, 0, 2)).containsExactly(FIRST, WARM, WARM);
    assertThatThrownBy(() -> CostRounds.plan(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static Histogram latencies(long... millis) {
    Histogram h = new Histogram(Stats.MAX_TRACKABLE_NANOS, 3);
    for (long m : millis) {
      h.recordValue(m * 1_000_000L);
    }
    return h;
  }

  private static CostRounds.Round round(int n, long calls, double seconds, long cpuMillis, long... relayMillis) {
    return new CostRounds.Round(n, WARM, calls, 0, relayMillis.length, seconds, cpuMillis * 1_000_000L,
        latencies(relayMillis), latencies(5), 0, 0);
  }

  @Test
  void a_round_gives_cpu_per_call_and_per_relayed_message_and_relays_per_second() {
    CostRounds.Round r = round(1, 100, 2.0, 300, 1, 2, 3, 4);
    assertThat(r.cpuMsPerCall()).isEqualTo(3.0);
    assertThat(r.cpuUsPerRelayed()).isEqualTo(75_000.0);
    assertThat(r.relayedPerSecond()).isEqualTo(2.0);
    assertThat(r.relayP99Ms()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
    JsonObject json = r.toJson();
    assertThat(json.getString("kind")).isEqualTo("warm");
    assertThat(json.getDouble("cpuMsPerCall")).isEqualTo(3.0);
  }

  @Test
  void merged_rounds_sum_their_calls_time_and_cpu_and_pool_their_samples() {
    CostRounds.Round m = CostRounds.merge(List.of(round(7, 100, 1.0, 100, 1, 1), round(8, 300, 3.0, 500, 9, 9)));
    assertThat(m.calls()).isEqualTo(400);
    assertThat(m.seconds()).isEqualTo(4.0);
    assertThat(m.cpuMsPerCall()).isEqualTo(1.5);
    assertThat(m.relay().getTotalCount()).isEqualTo(4);
    assertThat(m.relayP99Ms()).isCloseTo(9.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(m.label()).isEqualTo("warm");
  }

  @Test
  void a_round_without_cpu_figures_reports_none() {
    CostRounds.Round unmeasured = new CostRounds.Round(1, FIRST, 10, 0, 0, 1, -1, latencies(), latencies(), 0, 0);
    assertThat(unmeasured.cpuMsPerCall()).isNaN();
    assertThat(unmeasured.toJson().getValue("cpuMsPerCall")).isNull();
    assertThat(CostRounds.merge(List.of(unmeasured, round(2, 10, 1, 10))).cpuNanos()).isEqualTo(-1);
    assertThat(CostRounds.line(unmeasured)).contains("first 1");
  }

  @Test
  void the_table_gives_first_round_against_warm_and_ratios_to_peerjs() {
    JsonObject peerjs = new JsonObject().put("label", "PeerJS").put("protocol", "peerjs").put("nodes", 1)
        .put("first", new JsonObject().put("cpuMsPerCall", 2.0).put("relayP99Ms", 3.0))
        .put("warm", new JsonObject().put("cpuMsPerCall", 1.0).put("relayP99Ms", 2.0).put("relayedPerSecond", 1000.0));
    JsonObject two = new JsonObject().put("label", "2 nodes").put("protocol", "ams").put("nodes", 2)
        .put("crossNode", true)
        .put("first", new JsonObject().put("cpuMsPerCall", 3.0).put("relayP99Ms", 3.0))
        .put("warm", new JsonObject().put("cpuMsPerCall", 1.5).put("relayP99Ms", 1.0).put("relayedPerSecond", 2000.0))
        .put("idleSockets", new JsonObject().put("kibPerSocket", 6.5));
    JsonObject three = two.copy().put("label", "3 nodes").put("nodes", 3)
        .put("warm", two.getJsonObject("warm").copy().put("cpuMsPerCall", 2.5));
    String table = CostTable.table(List.of(peerjs, two, three));
    assertThat(table).contains("| PeerJS | 2.000 | 1.000 | 2.00× | 3.00 | 2.00 | 1.50× |")
        .contains("| 2 nodes (cross-node) | 3.000 | 1.500 | 2.00× | 3.00 | 1.00 | 3.00× | 2,000 | - | - | 6.50 | "
            + "1.50× | 2.00× | 0.50× |")
        .contains("Warm CPU per call over the rows of 2 or more nodes: 1.500 to 2.500 ms (-25 % / +25 % of their "
            + "mean 2.000 ms)");
  }
}
