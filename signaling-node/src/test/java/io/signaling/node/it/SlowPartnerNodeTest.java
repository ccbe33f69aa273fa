package io.signaling.node.it;

import static io.signaling.node.support.Calls.relays;
import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.SignalingNode;
import io.signaling.node.support.Await;
import io.signaling.node.support.NodeMetrics;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pairing notice to a node that is slow to answer, but still in the cluster, is tried again until it is
 * acknowledged: the call is not ended after the courier's first attempts (4 × 500 ms by default), which a busy
 * machine can outlast. Only the node's leaving the cluster ends the call (the node-loss path). The slow node is
 * a real one with every event loop of its Vert.x instance blocked, while its Hazelcast member goes on answering
 * heartbeats, as a node starved of CPU or stopped in a long pause does.
 */
class SlowPartnerNodeTest {

  private static final int SEND_ATTEMPTS = 4;

  @Test
  void aPairingNoticeUnansweredPastTheFirstAttempts_isTriedAgainWhileItsNodeIsInTheCluster_andTheCallPairs()
      throws Exception {
    // the default patience (30 s): far more than this test keeps the node blocked (until the retries below)
    try (TestCluster cluster = TestCluster.start(2);
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      String room = "slow-partner-room";
      // GIVEN A waiting in a room on node 0, a non-resumable peer
      // WHEN node 0 stops answering (every event loop blocked) and B joins on node 1: B's node makes the pair and
      // tells A's node, which does not acknowledge, and node 1 tries that notice more often than the attempts it
      // used to give up after
      try (Blocked blocked = joinedWhileThePartnersNodeIsBlocked(cluster, a, b, room)) {
        assertThat(cluster.node(1).cluster().members()).as("node 0 is still in the cluster").isEqualTo(2);
        assertThat(failures(cluster.node(1))).as("no notice given up").isZero();
      }
      // THEN once node 0 answers again the notice arrives: A is told start, B was told nothing, the call relays
      a.expect("start", room);
      relays(a, b, room, "offer after the slow spell");
      relays(b, a, room, "answer");
      b.expectQuiet(a, room);
      a.expectQuiet(b, room);
      assertThat(failures(cluster.node(1))).as("no notice given up").isZero();
    }
  }

  @Test
  void aPairingNoticeToANodeThatLeavesTheClusterWhileItIsTriedAgain_endsTheCallByTheNodeLossPath()
      throws Exception {
    // GIVEN a patience far longer than this test: only the node's leaving can end the call within it
    try (TestCluster cluster = TestCluster.start(2, s -> s.withNoticePatienceSeconds(3_600).withDrainSeconds(0));
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      String room = "leaving-partner-room";
      // WHEN B pairs with A while A's node does not answer, and is retried past its first attempts
      try (Blocked blocked = joinedWhileThePartnersNodeIsBlocked(cluster, a, b, room)) {
        // AND A's node then leaves the cluster (its member ends, as a process that crashes)
        cluster.node(0).cluster().hazelcast().getLifecycleService().terminate();
        // THEN B is told stop once node 1 sees the member gone, not at the end of the patience
        b.expect("stop", room);
        assertThat(cluster.node(1).cluster().members()).isEqualTo(1);
        // and the room is B's again: a newcomer on node 1 pairs with B
        try (TestPeer e = cluster.connect("E", 1)) {
          e.join(room);
          e.expectNotification("joined", room);
          b.expect("start", room);
          relays(b, e, room, "after the node loss");
        }
      }
    }
  }

  /**
   * A (on node 0) waits in {@code room}; node 0's event loops are blocked; B (on node 1) joins and is told joined,
   * and node 1 tries its pairing notice to node 0 again more often than its first attempts allow, giving none up.
   * Node 0 stays blocked until the returned block is closed.
   */
  private static Blocked joinedWhileThePartnersNodeIsBlocked(TestCluster cluster, TestPeer a, TestPeer b, String room)
      throws InterruptedException {
    a.joined(room);
    SignalingNode node = cluster.node(1);
    double retriesBefore = retries(node);
    Blocked blocked = Blocked.eventLoopsOf(cluster.node(0));
    try {
      b.join(room);
      b.expectNotification("joined", room);
      Await.until(Duration.ofSeconds(60), "node retried the notice past its first " + SEND_ATTEMPTS + " attempts",
          () -> {
            assertThat(failures(node)).as("notices given up").isZero();
            return retries(node) - retriesBefore >= SEND_ATTEMPTS;
          });
      return blocked;
    } catch (RuntimeException | Error e) {
      blocked.close();
      throw e;
    }
  }

  /** Every event loop of a node's Vert.x instance, blocked until closed (its Hazelcast member goes on). */
  private static final class Blocked implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);

    static Blocked eventLoopsOf(SignalingNode node) throws InterruptedException {
      Blocked b = new Blocked();
      var loops = ((VertxInternal) node.vertx()).eventLoopGroup();
      int count = 0;
      for (var ignored : loops) {
        count++;
      }
      CountDownLatch blocked = new CountDownLatch(count);
      for (var loop : loops) {
        loop.execute(() -> {
          blocked.countDown();
          try {
            b.release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertThat(blocked.await(30, TimeUnit.SECONDS)).as("every event loop of the node is blocked").isTrue();
      return b;
    }

    @Override
    public void close() {
      release.countDown();
    }
  }

  private static double retries(SignalingNode node) {
    return counter(node, "signaling_cluster_send_retries_total");
  }

  private static double failures(SignalingNode node) {
    return counter(node, "signaling_cluster_send_failures_total");
  }

  /** A counter from the node's /metrics (0 when it is not there yet). */
  private static double counter(SignalingNode node, String name) {
    try {
      return NodeMetrics.first("http://127.0.0.1:" + node.managementPort(), name, Duration.ofSeconds(10)).orElse(0);
    } catch (IOException e) {
      throw new AssertionError("no metrics from node on " + node.managementPort(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
