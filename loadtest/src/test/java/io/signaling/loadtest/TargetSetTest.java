package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetSetTest {

  private static URI url(int port) {
    return URI.create("ws://127.0.0.1:" + port + "/WebRTCAppEE/websocket");
  }

  @Test
  void a_started_node_is_appended_and_a_draining_one_leaves_the_ready_set_but_keeps_its_index() {
    TargetSet set = new TargetSet(Target.parse(List.of(url(5080) + "," + url(5081))));
    List<String> changes = new ArrayList<>();
    set.onChange((t, ready) -> changes.add(t.index() + ":" + ready));

    Target third = set.add(url(5082));
    assertThat(third.index()).isEqualTo(2);
    assertThat(set.ready()).extracting(Target::port).containsExactly(5080, 5081, 5082);

    assertThat(set.ready(2, false)).isTrue();
    assertThat(set.ready(2, false)).as("no change").isFalse();
    assertThat(set.ready()).extracting(Target::port).containsExactly(5080, 5081);
    assertThat(set.all()).extracting(Target::port).containsExactly(5080, 5081, 5082);
    assertThat(set.isReady(2)).isFalse();

    assertThat(set.ready(2, true)).isTrue();
    assertThat(set.ready(9, false)).as("unknown index").isFalse();
    assertThat(changes).containsExactly("2:true", "2:false", "2:true");
  }
}
