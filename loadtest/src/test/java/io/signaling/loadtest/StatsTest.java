package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StatsTest {

  private static final long MS = 1_000_000L;

  @Test
  void percentiles_come_from_the_recorded_values_in_total_and_per_node() {
    // GIVEN latencies of 1..1000 ms, odd ones measured at node 0 and even ones at node 1
    Stats stats = new Stats(0);
    for (int i = 1; i <= 1000; i++) {
      stats.record("pairing", i % 2 == 1 ? 0 : 1, i * MS);
    }

    // WHEN the interval closes
    stats.tick(1_000 * MS);

    // THEN the whole-run histogram has every sample, with percentiles within HdrHistogram's 3 digits
    Histogram total = stats.total("pairing");
    assertThat(total.getTotalCount()).isEqualTo(1000);
    assertThat(total.getValueAtPercentile(50) / 1e6).isCloseTo(500, within(0.5));
    assertThat(total.getValueAtPercentile(99) / 1e6).isCloseTo(990, within(1.0));
    assertThat(total.getMaxValue() / 1e6).isCloseTo(1000, within(1.0));
    assertThat(stats.total("pairing@0").getTotalCount()).isEqualTo(500);
    assertThat(stats.total("pairing@1").getMinValue() / 1e6).isCloseTo(2, within(0.01));
    assertThat(stats.latencyNames()).containsExactly("pairing", "pairing@0", "pairing@1");
  }

  @Test
  void each_interval_holds_its_own_counts_and_latencies_and_the_totals_hold_all() {
    Stats stats = new Stats(0);
    // GIVEN a first second with 3 completions at 1 ms and a second one with 2 at 9 ms
    for (int i = 0; i < 3; i++) {
      stats.count(Stats.OPS_COMPLETED);
      stats.record("relay", -1, MS);
    }
    Stats.Interval first = stats.tick(1_000 * MS);
    stats.count(Stats.OPS_COMPLETED, 2);
    stats.record("relay", -1, 9 * MS);
    stats.record("relay", -1, 9 * MS);
    Stats.Interval second = stats.tick(2_000 * MS);

    // THEN each interval reports its own rate and latency, and the totals both
    assertThat(first.count(Stats.OPS_COMPLETED)).isEqualTo(3);
    assertThat(second.count(Stats.OPS_COMPLETED)).isEqualTo(2);
    assertThat(first.latencies().get("relay").p99Ms()).isCloseTo(1, within(0.01));
    assertThat(second.latencies().get("relay").p50Ms()).isCloseTo(9, within(0.01));
    assertThat(second.atSeconds()).isCloseTo(2.0, within(1e-9));
    assertThat(stats.total("relay").getTotalCount()).isEqualTo(5);
    assertThat(stats.counter(Stats.OPS_COMPLETED)).isEqualTo(5);
    assertThat(stats.series()).hasSize(2);
  }

  @Test
  void errors_are_counted_by_definition_and_nothing_is_recorded_after_stop() {
    Stats stats = new Stats(0);
    stats.error("noSuchStream");
    stats.error("noSuchStream");
    stats.error("callTimedOut");
    stats.stop();
    stats.error("late");
    stats.record("relay", 0, MS);
    stats.count(Stats.SENT);
    stats.tick(MS);

    assertThat(stats.errors()).containsEntry("noSuchStream", 2L).containsEntry("callTimedOut", 1L).hasSize(2);
    assertThat(stats.errorCount()).isEqualTo(3);
    assertThat(stats.total("relay").getTotalCount()).isZero();
    assertThat(stats.counter(Stats.SENT)).isZero();
  }

  @Test
  void values_beyond_the_trackable_range_are_clamped_and_counted() {
    Stats stats = new Stats(0);
    stats.record("setup", -1, Stats.MAX_TRACKABLE_NANOS * 3);
    stats.record("setup", -1, -5);
    stats.tick(MS);
    assertThat(stats.clamped()).isEqualTo(1);
    assertThat(stats.total("setup").getMaxValue()).isGreaterThanOrEqualTo(Stats.MAX_TRACKABLE_NANOS);
    assertThat(stats.total("setup").getMinValue()).isZero();
  }

  @Test
  void the_run_starts_after_preparation_with_a_fresh_series_but_keeps_what_preparation_measured() {
    Stats stats = new Stats(0);
    stats.record("connect", 0, 3 * MS);
    stats.count(Stats.SENT, 10);
    stats.beginRun(500 * MS);
    stats.count(Stats.SENT, 4);
    Stats.Interval first = stats.tick(1_500 * MS);

    assertThat(first.atSeconds()).isCloseTo(1.0, within(1e-9));
    assertThat(first.count(Stats.SENT)).isEqualTo(4);
    assertThat(stats.series()).hasSize(1);
    assertThat(stats.total("connect").getTotalCount()).isEqualTo(1);
  }

  @Test
  void recording_from_many_threads_loses_nothing() throws Exception {
    Stats stats = new Stats(0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      pool.submit(() -> {
        for (int i = 0; i < 25_000; i++) {
          stats.record("relay", i % 3, (i % 100 + 1) * 1000L);
          stats.count(Stats.RECEIVED);
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    stats.tick(MS);
    assertThat(stats.total("relay").getTotalCount()).isEqualTo(100_000);
    assertThat(stats.counter(Stats.RECEIVED)).isEqualTo(100_000);
    assertThat(stats.total("relay@0").getTotalCount() + stats.total("relay@1").getTotalCount()
        + stats.total("relay@2").getTotalCount()).isEqualTo(100_000);
  }
}
