package io.signaling.node.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.NodeSettings;
import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.signaling.node.support.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Webhooks in one JVM (two nodes): a call across nodes produces its life, signed and in order; a warm-up room
 * produces nothing. The node-process suite (WebhooksAndAdminIT) covers failures.
 */
class WebhooksInJvmTest {

  private static final String SECRET = "in-jvm-secret-" + UUID.randomUUID();

  @Test
  void aCallAcrossNodes_isDelivered_asOneOrderedSignedLife() {
    try (WebhookReceiver receiver = new WebhookReceiver(SECRET);
        TestCluster cluster = TestCluster.start(2, s -> s.withBackend(new NodeSettings.Backend(List.of(receiver.url()),
            SECRET, 2000, 60, 1000, 100_000, List.of(), "")))) {
      // GIVEN a call across the two nodes, and a warm-up-named room
      String room = "in-jvm-" + UUID.randomUUID();
      String warmup = "warmup-" + UUID.randomUUID();
      TestPeer a = cluster.connect("a", 0);
      TestPeer b = cluster.connect("b", 1);
      try {
        Calls.pair(a, b, room);
        a.joined(warmup);
        // WHEN it ends
        a.leave(room);
        a.expectNotification("leaved", room);
        b.expect("stop", room);
        b.leave(room);
        a.leave(warmup);
        a.expectNotification("leaved", warmup);
        // THEN its life arrives whole, and the warm-up room's never
        Await.until(Duration.ofSeconds(30), "the life delivered", () -> receiver.finished(room, 1));
        assertThat(receiver.events(room)).containsExactly("room_started", "peer_joined", "peer_joined",
            "call_started", "call_ended", "peer_left", "peer_left", "room_finished");
        assertThat(receiver.of(warmup)).isEmpty();
        assertThat(receiver.badSignatures()).isZero();
        assertThat(receiver.orderViolation()).isNull();
        assertThat(receiver.duplicates()).isZero();
      } finally {
        a.abort();
        b.abort();
      }
    }
  }
}
