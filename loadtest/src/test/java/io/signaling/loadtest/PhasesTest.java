package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PhasesTest {

  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  @Test
  void phases_follow_each_other_and_a_kind_seen_again_is_numbered() {
    // GIVEN a run that starts at 100 s, with a start at 10 s, ready + settled at 15 s, a drain from 20 s to 23 s
    Phases phases = new Phases(100 * S);
    assertThat(phases.begin(Phases.Kind.SCALE_UP, 110 * S)).isEqualTo("scale-up");
    assertThat(phases.begin(Phases.Kind.SCALED, 115 * S)).isEqualTo("scaled");
    assertThat(phases.begin(Phases.Kind.DRAIN, 120 * S)).isEqualTo("drain");
    assertThat(phases.begin(Phases.Kind.AFTER, 123 * S)).isEqualTo("after");
    assertThat(phases.begin(Phases.Kind.SCALE_UP, 125 * S)).isEqualTo("scale-up 2");
    phases.end(130 * S);

    // THEN each instant belongs to exactly one phase, the run's edges to none
    assertThat(phases.at(99 * S)).isNull();
    assertThat(phases.at(100 * S).name).isEqualTo("steady");
    assertThat(phases.at(110 * S - 1).name).isEqualTo("steady");
    assertThat(phases.at(110 * S).name).isEqualTo("scale-up");
    assertThat(phases.at(122 * S).name).isEqualTo("drain");
    assertThat(phases.at(129 * S).name).isEqualTo("scale-up 2");
    assertThat(phases.at(130 * S)).isNull();
    List<Phases.Summary> s = phases.summaries(200 * S);
    assertThat(s).extracting(Phases.Summary::name).containsExactly("steady", "scale-up", "scaled", "drain", "after",
        "scale-up 2");
    assertThat(s.get(3).fromSeconds()).isEqualTo(20.0);
    assertThat(s.get(3).toSeconds()).isEqualTo(23.0);
    assertThat(s.get(5).toSeconds()).isEqualTo(30.0);
  }

  @Test
  void a_sample_counts_for_the_phase_its_operation_started_in_and_counters_for_when_they_were_counted() {
    Phases phases = new Phases(0);
    phases.begin(Phases.Kind.DRAIN, 10 * S);

    // WHEN a relay sent at 9.9 s arrives at 10.1 s, one sent at 10.05 s arrives at 10.1 s, and a retry is counted
    phases.record("relay.takeCandidate", 200 * MS, 10_100 * MS);
    phases.record("relay.takeCandidate", 50 * MS, 10_100 * MS);
    phases.record("pairing", 3 * MS, 5 * S);
    phases.count("retries", 2, 10_100 * MS);
    phases.error("callTimedOut", 4 * S);

    // THEN the slow one is the steady phase's, the other the drain's; counts and errors by when they happened
    List<Phases.Summary> s = phases.summaries(20 * S);
    Phases.Summary steady = s.get(0);
    Phases.Summary drain = s.get(1);
    assertThat(steady.relay().getTotalCount()).isEqualTo(1);
    assertThat(steady.relay().getMaxValue() / 1e6).isCloseTo(200, within(0.5));
    assertThat(steady.latency("pairing").getTotalCount()).isEqualTo(1);
    assertThat(steady.errorCount()).isEqualTo(1);
    assertThat(drain.relay().getTotalCount()).isEqualTo(1);
    assertThat(drain.latency("pairing").getTotalCount()).isZero();
    assertThat(drain.counter("retries")).isEqualTo(2);
    assertThat(steady.counter("retries")).isZero();
  }

  @Test
  void the_relay_of_a_phase_merges_every_relayed_type_and_nothing_else() {
    Phases phases = new Phases(0);
    phases.record("relay.takeCandidate", 1 * MS, S);
    phases.record("relay.takeConfiguration", 9 * MS, S);
    phases.record("pairing", 100 * MS, S);

    Phases.Summary steady = phases.summaries(2 * S).get(0);

    assertThat(steady.relay().getTotalCount()).isEqualTo(2);
    assertThat(steady.relay().getMaxValue() / 1e6).isCloseTo(9, within(0.01));
  }

  @Test
  void the_target_compares_the_worst_event_phase_with_the_steady_phase_of_the_same_run() {
    // GIVEN steady relays of 1..100 ms (p99 99 ms), a scale-up with p99 150 ms, a drain with one relay of 260 ms
    Phases phases = new Phases(0);
    for (int i = 1; i <= 100; i++) {
      phases.record("relay.takeCandidate", i * MS, S + i * MS);
    }
    phases.begin(Phases.Kind.SCALE_UP, 10 * S);
    for (int i = 1; i <= 100; i++) {
      phases.record("relay.takeCandidate", (i < 99 ? 10 : 150) * MS, 11 * S);
    }
    phases.begin(Phases.Kind.SCALED, 20 * S);
    phases.record("relay.takeCandidate", 900 * MS, 25 * S);
    phases.begin(Phases.Kind.DRAIN, 30 * S);
    phases.record("relay.takeCandidate", 20 * MS, 31 * S);

    Phases.Target t = Phases.target(phases.summaries(40 * S), 250, 2);

    // THEN p99 150 / 99 is within 2x, max 150 within 250 (the settled phase's 900 ms is no scale event): met
    assertThat(t.steadyP99Ms()).isCloseTo(99, within(0.1));
    assertThat(t.eventP99Ms()).isCloseTo(150, within(0.2));
    assertThat(t.worstPhase()).isEqualTo("scale-up");
    assertThat(t.eventMaxMs()).isCloseTo(150, within(0.2));
    assertThat(t.met()).isTrue();

    // AND a relay of 260 ms during the drain misses the max, not the p99 bound
    phases.record("relay.takeCandidate", 260 * MS, 32 * S);
    Phases.Target missed = Phases.target(phases.summaries(40 * S), 250, 2);
    assertThat(missed.maxMet()).isFalse();
    assertThat(missed.met()).isFalse();
    assertThat(Phases.target(phases.summaries(40 * S), 250, 1.2).p99Met()).isFalse();
  }

  @Test
  void no_target_without_steady_relays_or_without_an_event_phase() {
    Phases none = new Phases(0);
    none.record("relay.takeCandidate", MS, S);
    assertThat(Phases.target(none.summaries(2 * S), 250, 2)).isNull();
    Phases empty = new Phases(0);
    empty.begin(Phases.Kind.DRAIN, S);
    assertThat(Phases.target(empty.summaries(2 * S), 250, 2)).isNull();
  }

  @Test
  void stats_hand_samples_counters_and_errors_to_the_phases_once_they_are_set() {
    Stats stats = new Stats(0);
    stats.record("relay.takeCandidate", 0, MS);
    long now = System.nanoTime();
    Phases phases = new Phases(now - S);
    stats.phases(phases);
    stats.record("relay.takeCandidate", 0, MS);
    stats.count("retries");
    stats.error("callTimedOut");

    Phases.Summary steady = phases.summaries(System.nanoTime()).get(0);
    assertThat(steady.relay().getTotalCount()).isEqualTo(1);
    assertThat(steady.counter("retries")).isEqualTo(1);
    assertThat(steady.errors()).containsEntry("callTimedOut", 1L);
  }

  @Test
  void a_follower_accounts_what_it_measured_to_a_boundary_it_learns_only_later() {
    // GIVEN a worker's phases for a run that started at 0, told nothing yet beyond the start
    Phases phases = Phases.following(0);

    // WHEN a relay sent at 9.9 s and one sent at 10.05 s arrive at 10.1 s, and a retry is counted at 10.1 s,
    // all before the worker hears that a drain began at 10 s (and that everything up to 10.5 s is known)
    phases.record("relay.takeCandidate", 200 * MS, 10_100 * MS);
    phases.record("relay.takeCandidate", 50 * MS, 10_100 * MS);
    phases.count("retries", 2, 10_100 * MS);
    assertThat(phases.current()).isEqualTo("steady");
    phases.begin(Phases.Kind.DRAIN, 10 * S);
    phases.settle(10_500 * MS);
    // AND one more relay, sent at 10.6 s, waits for a boundary that comes at the end (after, from 10.55 s)
    phases.record("relay.takeCandidate", 10 * MS, 10_610 * MS);
    phases.begin(Phases.Kind.AFTER, 10_550 * MS);
    phases.end(11 * S);

    // THEN each is accounted to the phase of its time, as if the boundaries had been known all along
    List<Phases.Summary> s = phases.summaries(20 * S);
    assertThat(s).extracting(Phases.Summary::name).containsExactly("steady", "drain", "after");
    assertThat(s.get(0).relay().getTotalCount()).isEqualTo(1);
    assertThat(s.get(0).relay().getMaxValue() / 1e6).isCloseTo(200, within(0.5));
    assertThat(s.get(1).relay().getTotalCount()).isEqualTo(1);
    assertThat(s.get(1).relay().getMaxValue() / 1e6).isCloseTo(50, within(0.5));
    assertThat(s.get(1).counter("retries")).isEqualTo(2);
    assertThat(s.get(0).counter("retries")).isZero();
    assertThat(s.get(2).relay().getTotalCount()).isEqualTo(1);
  }
}
