package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PacerTest {

  private static final long MS = 1_000_000L;

  @Test
  void operations_are_due_at_their_intended_times_and_not_before() {
    // GIVEN 1,000 operations per second, 10 in all, starting at t = 5 s
    long start = 5_000 * MS;
    Pacer pacer = new Pacer(start, 1000, 10, 0, 1);

    // THEN nothing is due before the start, operation 0 exactly at it, and operation 1 one millisecond later
    assertThat(pacer.nextDue(start - 1)).isEqualTo(-1);
    assertThat(pacer.nanosUntilNext(start - 1)).isEqualTo(1);
    assertThat(pacer.nextDue(start)).isEqualTo(0);
    assertThat(pacer.nextDue(start)).isEqualTo(-1);
    assertThat(pacer.nextDue(start + MS)).isEqualTo(1);
    assertThat(pacer.intendedNanos(7)).isEqualTo(start + 7 * MS);
  }

  @Test
  void a_late_tick_issues_every_due_operation_with_its_own_intended_time() {
    // GIVEN a schedule of one operation per millisecond
    long start = 0;
    Pacer pacer = new Pacer(start, 1000, 100, 0, 1);

    // WHEN the first tick comes 5.5 ms late (the generator stalled)
    long now = 5 * MS + MS / 2;
    List<Long> due = new ArrayList<>();
    for (long i = pacer.nextDue(now); i >= 0; i = pacer.nextDue(now)) {
      due.add(i);
    }

    // THEN the six operations that became due go out at once, and each keeps its intended time, so the latency
    // measured from it includes the stall (no coordinated omission)
    assertThat(due).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(now - pacer.intendedNanos(0)).isEqualTo(5 * MS + MS / 2);
    assertThat(now - pacer.intendedNanos(5)).isEqualTo(MS / 2);
    assertThat(pacer.taken()).isEqualTo(6);
  }

  @Test
  void lanes_share_one_schedule_without_overlap() {
    // GIVEN three lanes on one schedule of 1,000 operations
    List<Pacer> lanes = List.of(new Pacer(0, 10_000, 1000, 0, 3), new Pacer(0, 10_000, 1000, 1, 3),
        new Pacer(0, 10_000, 1000, 2, 3));

    // WHEN every lane takes everything due at the end
    TreeSet<Long> all = new TreeSet<>();
    int taken = 0;
    for (Pacer p : lanes) {
      for (long i = p.nextDue(Long.MAX_VALUE / 2); i >= 0; i = p.nextDue(Long.MAX_VALUE / 2)) {
        assertThat(i % 3).isEqualTo(p.lane());
        all.add(i);
        taken++;
      }
      assertThat(p.finished()).isTrue();
      assertThat(p.nanosUntilNext(0)).isEqualTo(-1);
    }

    // THEN each operation was taken exactly once
    assertThat(taken).isEqualTo(1000);
    assertThat(all).hasSize(1000);
    assertThat(all.first()).isZero();
    assertThat(all.last()).isEqualTo(999);
  }

  @Test
  void the_run_length_sets_the_number_of_operations_and_the_rate_their_spacing() {
    assertThat(Pacer.operations(200, 30)).isEqualTo(6000);
    assertThat(Pacer.operations(0.5, 5)).isEqualTo(2);
    Pacer pacer = new Pacer(0, 200, 6000, 0, 1);
    assertThat(pacer.intendedNanos(5999)).isEqualTo(29_995 * MS);
  }

  @Test
  void nonsense_schedules_are_refused() {
    assertThatThrownBy(() -> new Pacer(0, 0, 10, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Pacer(0, Double.NaN, 10, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Pacer(0, 10, -1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Pacer(0, 10, 10, 2, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_run_extended_while_its_lane_still_runs_goes_on_on_the_same_schedule_and_stops_at_the_new_end() {
    // GIVEN 10 operations per second over 1 s (10 planned), two lanes sharing the schedule, in a run that may
    // be extended
    long start = 1_000 * MS;
    long planEnd = start + 1_000 * MS;
    RunExtension extension = new RunExtension();
    Pacer lane0 = new Pacer(start, 10, 10, 0, 2, extension);
    Pacer lane1 = new Pacer(start, 10, 10, 1, 2, extension);
    List<Long> taken = new ArrayList<>();

    // WHEN nothing extends it, lane 0 takes its planned share and is then finished
    lane0.issueDue(planEnd + 5_000 * MS, (i, at) -> taken.add(i));
    assertThat(taken).containsExactly(0L, 2L, 4L, 6L, 8L);
    assertThat(lane0.finished()).isTrue();
    assertThat(extension.reason()).isEmpty();

    // WHEN lane 1 has taken what was due just before the planned end, and the run is extended by 0.45 s
    taken.clear();
    lane1.issueDue(planEnd - 1, (i, at) -> taken.add(i));
    assertThat(taken).containsExactly(1L, 3L, 5L, 7L, 9L);
    extension.atLeast(450 * MS, "scale event 0:start in progress");
    extension.atLeast(100 * MS, "an extension never moves the end earlier");

    // THEN lane 1 goes on with its operations intended before the new end (at 1.1 and 1.3 s), each at its
    // time on the same schedule, and nothing after it
    assertThat(lane1.finished()).as("operations remain within the extension").isFalse();
    taken.clear();
    lane1.issueDue(planEnd + 5_000 * MS, (i, at) -> {
      taken.add(i);
      assertThat(at).isEqualTo(start + i * 100 * MS);
    });
    assertThat(taken).containsExactly(11L, 13L);
    assertThat(lane1.finished()).isTrue();
    assertThat(extension.nanos()).isEqualTo(450 * MS);
    assertThat(extension.reason()).isEqualTo("scale event 0:start in progress");
  }
}
