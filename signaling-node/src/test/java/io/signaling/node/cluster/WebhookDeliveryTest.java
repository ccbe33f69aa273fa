package io.signaling.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Backend;
import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.signaling.node.support.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Delivery from the events a change hands to the partition's owner, with the cursor written once per run of
 * events: a room that ends and starts again at once (its entry removed with its last event and made anew, its
 * events numbered from 1 again) loses no life and repeats no event, and a receiver that refuses deliveries gets
 * every event in order once it accepts them. Two nodes in one JVM, real sockets, a real receiver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveryTest {

  private static final String SECRET = "delivery-secret-" + UUID.randomUUID();
  private static final Duration DELIVERED = Duration.ofSeconds(60);
  private static final List<String> LIFE = List.of("room_started", "peer_joined", "peer_joined", "call_started",
      "call_ended", "peer_left", "peer_left", "room_finished");

  @AutoClose
  private WebhookReceiver receiver;
  @AutoClose
  private TestCluster cluster;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  void start() {
    receiver = new WebhookReceiver(SECRET);
    cluster = TestCluster.start(2, s -> s.withBackend(new Backend(List.of(receiver.url()), SECRET,
        2000, 21_600, 500, 100_000, List.of(), "")));
  }

  /** Pairs a peer on node 0 with one on node 1 in {@code room}, then both leave: one life of eight events. */
  private void oneCall(String room, int i) {
    TestPeer a = cluster.connect("a" + i, i % 2);
    TestPeer b = cluster.connect("b" + i, (i + 1) % 2);
    try {
      Calls.pair(a, b, room);
      a.leave(room);
      b.expect("stop", room);
      b.leave(room);
      b.expectNotification("leaved", room);
    } finally {
      a.abort();
      b.abort();
    }
  }

  @Test
  void aRoomThatEndsAndStartsAgainAtOnce_getsEveryLife_completeAndOnce() {
    // GIVEN one stream id
    String room = "again-" + run;
    int lives = 12;
    // WHEN twelve calls follow each other in it, each starting as soon as the previous one's peers left
    for (int i = 0; i < lives; i++) {
      oneCall(room, i);
    }
    // THEN the receiver has twelve lives, each complete and in order, and nothing twice
    Await.until(DELIVERED, lives + " lives of " + room + " delivered", () -> receiver.finished(room, lives));
    Map<String, List<WebhookReceiver.Delivery>> all = receiver.lives(room);
    assertThat(all).hasSize(lives);
    all.values().forEach(life -> {
      assertThat(life).extracting(WebhookReceiver.Delivery::event).containsExactlyElementsOf(LIFE);
      assertThat(life).extracting(WebhookReceiver.Delivery::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    });
    assertThat(receiver.of(room)).as("no duplicate without a failure").hasSize(lives * LIFE.size());
    assertThat(receiver.orderViolation()).isNull();
    assertThat(receiver.badSignatures()).isZero();
  }

  @Test
  void aReceiverThatRefusesEveryThirdDelivery_getsEveryEventOfEveryRoom_inOrder() {
    // GIVEN a receiver that answers 503 to every third request
    receiver.refuseEvery(3);
    try {
      // WHEN calls run in several rooms
      List<String> rooms = List.of("refused-1-" + run, "refused-2-" + run, "refused-3-" + run, "refused-4-" + run);
      for (int i = 0; i < rooms.size(); i++) {
        oneCall(rooms.get(i), i);
      }
      // THEN every room's life arrives whole and in order: a refused event is sent again before the next one
      Await.until(DELIVERED, "the refused rooms delivered",
          () -> rooms.stream().allMatch(r -> receiver.finished(r, 1)));
      for (String r : rooms) {
        assertThat(receiver.events(r)).containsExactlyElementsOf(LIFE);
      }
      assertThat(receiver.refused()).as("the receiver did refuse deliveries").isPositive();
      assertThat(receiver.orderViolation()).isNull();
    } finally {
      receiver.refuseEvery(0);
    }
  }
}
