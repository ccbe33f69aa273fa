package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void targets_are_ws_urls_given_repeated_or_comma_separated() {
    List<Target> targets = Target.parse(List.of("ws://127.0.0.1:5080/WebRTCAppEE/websocket,ws://127.0.0.1:5081/A/websocket",
        "wss://[::1]:5443/A/websocket?token=x"));
    assertThat(targets).hasSize(3);
    assertThat(targets.get(1).index()).isEqualTo(1);
    assertThat(targets.get(1).path()).isEqualTo("/A/websocket");
    assertThat(Target.managementBases(targets, null)).containsExactly("http://127.0.0.1:9000",
        "http://127.0.0.1:9000", "http://[::1]:9000");
    assertThat(Target.managementBases(targets.subList(0, 2), List.of("http://127.0.0.1:9100/,http://127.0.0.1:9101")))
        .containsExactly("http://127.0.0.1:9100", "http://127.0.0.1:9101");
    assertThat(targets.get(2).secure()).isTrue();
    assertThat(targets.get(2).path()).isEqualTo("/A/websocket?token=x");
  }

  @Test
  void anything_but_a_ws_url_is_refused_with_the_reason() {
    assertThatThrownBy(() -> Target.parse(List.of("http://127.0.0.1:5080/")))
        .hasMessageContaining("ws:// or wss://");
    assertThatThrownBy(() -> Target.parse(List.of("ws:///nohost"))).hasMessageContaining("no host");
    assertThatThrownBy(() -> Target.parse(List.of(" , "))).hasMessageContaining("at least one target");
    assertThatThrownBy(() -> Target.parse(List.of("ws://bad host/"))).hasMessageContaining("not a URL");
  }

  @Test
  void cross_node_placement_never_puts_both_peers_on_one_node_and_uses_every_ordered_pair() {
    for (int nodes = 2; nodes <= 4; nodes++) {
      Set<String> seen = new HashSet<>();
      for (int room = 0; room < 100; room++) {
        int[] p = Target.place(room, nodes, true);
        assertThat(p[0]).isNotEqualTo(p[1]).isBetween(0, nodes - 1);
        assertThat(p[1]).isBetween(0, nodes - 1);
        seen.add(p[0] + ">" + p[1]);
      }
      assertThat(seen).hasSize(nodes * (nodes - 1));
    }
  }

  @Test
  void same_node_placement_and_a_single_node_keep_both_peers_together() {
    for (int room = 0; room < 20; room++) {
      int[] same = Target.place(room, 3, false);
      assertThat(same[0]).isEqualTo(same[1]);
      int[] one = Target.place(room, 1, true);
      assertThat(one).containsExactly(0, 0);
    }
  }

  @Test
  void a_name_expands_to_one_target_per_address_it_resolves_to() {
    List<Target> expanded = Target.expandDns(Target.parse(List.of("ws://localhost:5080/A/websocket?x=1",
        "ws://127.0.0.9:5081/B/websocket")));
    assertThat(expanded).hasSizeGreaterThanOrEqualTo(2);
    assertThat(expanded.get(expanded.size() - 1).uri().toString()).isEqualTo("ws://127.0.0.9:5081/B/websocket");
    assertThat(expanded.get(0).path()).isEqualTo("/A/websocket?x=1");
    for (int i = 0; i < expanded.size(); i++) {
      assertThat(expanded.get(i).index()).isEqualTo(i);
    }
    assertThatThrownBy(() -> Target.expandDns(Target.parse(List.of("ws://no-such-host.invalid:1/"))))
        .hasMessageContaining("cannot resolve");
  }
}
