package io.signaling.node.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {

  private static final NodeMetrics SCRAPE = NodeMetrics.of("""
      # HELP signaling_errors_total Errors answered
      # TYPE signaling_errors_total counter
      signaling_errors_total{definition="unknownCommand",node="n1"} 3.0
      signaling_errors_total{definition="noStreamId",node="n1"} 2.0
      signaling_errors_total_extra 100.0
      signaling_draining 0.0
      signaling_pairing_seconds_bucket{le="+Inf"} 7.0
      signaling_pairing_seconds_max +Inf
      """);

  @Test
  void aSeries_isFoundByItsLabels_inAnyOrder_andOnlyWithAllOfThem() {
    // GIVEN a scrape with two label sets of one counter
    // WHEN a series is asked for as exposed, with its labels in another order, or with only some of them
    // THEN the first reads its value, the last is not that series
    assertThat(SCRAPE.series("signaling_errors_total{node=\"n1\",definition=\"noStreamId\"}")).hasValue(2.0);
    assertThat(SCRAPE.series("signaling_errors_total{definition=\"noStreamId\"}")).isEmpty();
    assertThat(SCRAPE.series("signaling_draining")).hasValue(0.0);
    assertThat(SCRAPE.series("signaling_absent")).isEmpty();
  }

  @Test
  void withLabels_matchesASubsetOfTheLabels_andSumAddsEveryLabelSetOfOneNameOnly() {
    // GIVEN the same scrape
    // WHEN read by some labels, summed, and listed
    // THEN a subset of labels finds the series, the sum leaves out the longer name, and +Inf reads as infinity
    assertThat(SCRAPE.withLabels("signaling_errors_total", Map.of("definition", "unknownCommand"))).hasValue(3.0);
    assertThat(SCRAPE.withLabels("signaling_errors_total", Map.of("definition", "other"))).isEmpty();
    assertThat(SCRAPE.sum("signaling_errors_total")).isEqualTo(5.0);
    assertThat(SCRAPE.sum("signaling_absent")).isZero();
    assertThat(SCRAPE.values("signaling_errors_total")).hasSize(2);
    assertThat(SCRAPE.first("signaling_pairing_seconds_max")).hasValue(Double.POSITIVE_INFINITY);
    assertThat(SCRAPE.first("signaling_pairing_seconds_bucket")).hasValue(7.0);
  }
}
