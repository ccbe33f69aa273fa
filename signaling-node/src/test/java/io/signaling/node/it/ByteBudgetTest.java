package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.ByteBudgets;
import io.signaling.node.NodeSettings;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Byte budgets on real nodes with real WebSocket clients: a burst of large messages is refused once a connection's
 * byte budget is spent and closed with 1008 after repeated refusals, while a normal call from the same address goes
 * on; and the per-address budget is shared by every socket from one address on a node, whichever event loop each
 * landed on.
 */
class ByteBudgetTest {

  /** The size of each message of the burst: 127 KB, as in the attack this guards against. */
  private static final int MESSAGE_BYTES = 127 * 1024;
  /** Node 1's per-address budget: four such messages at once, refilled at 1 KiB/s (none comes back in a test). */
  private static final ByteBudgets SMALL_ADDRESS_BUDGET = new ByteBudgets(
      ByteBudgets.DEFAULTS.perSecond(), ByteBudgets.DEFAULTS.burst(), 1024,
      4 * 131_072);

  /** 100 refusals (the default abuse limit), each pausing reads for 10 ms, with a wide margin for a busy machine. */
  private static final Duration CLOSE_WITHIN = Duration.ofSeconds(30);
  /** Node 0: default limits; node 1: the small per-address budget. Both with two event loops. */
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    AtomicInteger index = new AtomicInteger();
    cluster = TestCluster.start(2, s -> {
      NodeSettings two = s.withInstances(2);
      return index.getAndIncrement() == 0 ? two : two.withLimits(two.limits().withBytes(SMALL_ADDRESS_BUDGET));
    });
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A takeCandidate of exactly {@code bytes} bytes, for a room its sender is not in. */
  private static String bigMessage(int bytes) {
    String head = "{\"command\":\"takeCandidate\",\"streamId\":\"nowhere\",\"label\":0,\"id\":\"0\",\"candidate\":\"";
    String tail = "\"}";
    return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
  }

  /** Sends {@code count} messages as fast as the socket takes them, until it is closed. */
  private static CompletableFuture<Void> burst(TestPeer peer, String message, int count) {
    return CompletableFuture.runAsync(() -> {
      for (int i = 0; i < count && !peer.isClosed(); i++) {
        try {
          peer.send(message);
        } catch (RuntimeException closed) {
          return;
        }
      }
    });
  }

  private static long count(List<JsonObject> received, String definition) {
    return received.stream().filter(m -> definition.equals(m.getString("definition"))).count();
  }

  @Test
  void aBurstOf127KBMessages_isRefusedPastTheByteBudget_andClosedWith1008_whileANormalCallOnTheSameAddressGoesOn()
      throws Exception {
    // GIVEN a call between two peers of 127.0.0.1 on a node with default limits
    String room = "normal-" + System.nanoTime();
    try (TestPeer offerer = cluster.connect("offerer", 0); TestPeer answerer = cluster.connect("answerer", 0);
        TestPeer attacker1 = cluster.connect("attacker-1", 0); TestPeer attacker2 = cluster.connect("attacker-2", 0)) {
      offerer.joined(room);
      answerer.join(room);
      answerer.expectNotification("joined", room);
      offerer.expect("start", room);

      // WHEN two more sockets of the same address send 900 messages of 127 KB each (within the default message
      // burst of 1,000: the message budget alone lets all of them through)
      String big = bigMessage(MESSAGE_BYTES);
      long started = System.nanoTime();
      CompletableFuture<Void> attack = CompletableFuture.allOf(burst(attacker1, big, 900), burst(attacker2, big, 900));

      // AND meanwhile the call exchanges its SDPs and candidates
      String sdp = "v=0\r\n" + "a=candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host\r\n".repeat(80);
      offerer.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
          .put("sdp", sdp));
      assertThat(answerer.expect("takeConfiguration", room).getString("sdp")).isEqualTo(sdp);
      answerer.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "answer")
          .put("sdp", sdp));
      assertThat(offerer.expect("takeConfiguration", room).getString("sdp")).isEqualTo(sdp);
      for (int i = 0; i < 30; i++) {
        offerer.send(new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0)
            .put("id", "0").put("candidate", "candidate:" + i + " 1 udp 2122260223 10.0.0.1 5000" + i + " typ host"));
      }
      for (int i = 0; i < 30; i++) {
        assertThat(answerer.expect("takeCandidate", room).getString("candidate")).startsWith("candidate:" + i + " ");
      }

      // THEN each attacker is refused with rateLimitExceeded and closed with 1008 (after 100 refusals, each
      // followed by a 10 ms pause of reads: about a second, waited for with a wide margin)
      assertThat(attacker1.awaitClose(CLOSE_WITHIN)).isEqualTo(1008);
      assertThat(attacker2.awaitClose(CLOSE_WITHIN)).isEqualTo(1008);
      attack.get(TestPeer.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      double seconds = (System.nanoTime() - started) / 1e9;
      ByteBudgets budget = ByteBudgets.DEFAULTS;
      for (TestPeer attacker : List.of(attacker1, attacker2)) {
        // everything the node answered came before its close frame: each admitted message was answered
        // no_peer_associated_before (its sender is in no room), each refused one rateLimitExceeded
        List<JsonObject> answers = attacker.drainReceived();
        long admitted = count(answers, "no_peer_associated_before");
        assertThat(count(answers, "rateLimitExceeded")).as(attacker.name() + " refusals").isPositive();
        // AND no more was admitted than its budget: the burst, and the refill for as long as the attack lasted
        // (however long this machine took)
        assertThat(admitted * MESSAGE_BYTES).as(attacker.name() + " bytes admitted")
            .isLessThanOrEqualTo((long) (budget.burst() + budget.perSecond() * (seconds + 1)));
      }
      // AND the call on the same address was refused nothing and goes on
      offerer.expectQuiet(answerer, room);
      answerer.expectQuiet(offerer, room);
    }
  }

  @Test
  void thePerAddressBudget_isSharedBySocketsOnBothEventLoops_ofTheNode() {
    // GIVEN a node whose address budget holds four 127 KB messages, and four sockets of 127.0.0.1 on it (the node's
    // two event loops take connections in turn), each well within its own budget
    List<TestPeer> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        sockets.add(cluster.connect("shared-" + i, 1));
      }
      // WHEN each sends two 127 KB messages, in turn
      String big = bigMessage(MESSAGE_BYTES);
      for (int round = 0; round < 2; round++) {
        for (TestPeer socket : sockets) {
          socket.send(big);
        }
      }
      long admitted = 0;
      long refused = 0;
      for (TestPeer socket : sockets) {
        List<JsonObject> answers = socket.barrier();
        admitted += count(answers, "no_peer_associated_before");
        refused += count(answers, "rateLimitExceeded");
      }
      // THEN four were admitted in all, and the other four refused with rateLimitExceeded: the address spends one
      // budget on the node, not one per event loop
      assertThat(admitted).isEqualTo(4);
      assertThat(refused).isEqualTo(4);
      // AND the sockets stay open (four refusals are far from the 1008 close)
      assertThat(sockets).noneMatch(TestPeer::isClosed);
    } finally {
      sockets.forEach(TestPeer::close);
    }
  }
}
