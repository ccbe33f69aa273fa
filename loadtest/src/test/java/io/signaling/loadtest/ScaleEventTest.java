package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleEventTest {

  @Test
  void a_start_then_a_drain_parse_in_order_with_their_times() {
    List<ScaleEvent> events = ScaleEvent.parse("30:start, 60.5:DRAIN", 90);

    assertThat(events).containsExactly(new ScaleEvent(30, ScaleEvent.Kind.START),
        new ScaleEvent(60.5, ScaleEvent.Kind.DRAIN));
    assertThat(events.toString()).isEqualTo("[30:start, 60.5:drain]");
  }

  @Test
  void two_starts_may_be_drained_newest_first_later() {
    assertThat(ScaleEvent.parse("0:start,10:start,20:drain,30:drain", 40)).hasSize(4);
  }

  @Test
  void malformed_events_are_refused_naming_the_event() {
    assertThatThrownBy(() -> ScaleEvent.parse("", 10)).hasMessageContaining("at least one event");
    assertThatThrownBy(() -> ScaleEvent.parse("30", 60)).hasMessageContaining("'30' is not SECONDS:start");
    assertThatThrownBy(() -> ScaleEvent.parse("soon:start", 60)).hasMessageContaining("not a number");
    assertThatThrownBy(() -> ScaleEvent.parse("5:reboot", 60)).hasMessageContaining("start or drain");
    assertThatThrownBy(() -> ScaleEvent.parse("-1:start", 60)).hasMessageContaining("0 or more");
  }

  @Test
  void events_must_rise_and_lie_within_the_run() {
    assertThatThrownBy(() -> ScaleEvent.parse("20:start,20:drain", 60)).hasMessageContaining("must rise");
    assertThatThrownBy(() -> ScaleEvent.parse("30:start,10:drain", 60)).hasMessageContaining("must rise");
    assertThatThrownBy(() -> ScaleEvent.parse("60:start", 60)).hasMessageContaining("not within the run");
  }

  @Test
  void a_drain_needs_a_node_the_run_started_and_has_not_drained() {
    assertThatThrownBy(() -> ScaleEvent.parse("10:drain", 60)).hasMessageContaining("a drain needs a node");
    assertThatThrownBy(() -> ScaleEvent.parse("10:start,20:drain,30:drain", 60))
        .hasMessageContaining("'30:drain'");
  }
}
