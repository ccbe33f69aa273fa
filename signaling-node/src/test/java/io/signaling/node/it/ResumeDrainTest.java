package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Resume;
import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A drain reaching its deadline with an opted-in call: the client is let go with {@code server_will_stop} and
 * 1001, its slot held; it moves to another node and resumes, and its partner is told nothing.
 */
class ResumeDrainTest {

  @Test
  void drainDeadline_optedInCall_movesToAnotherNode_andGoesOn() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, s -> s.withDrainSeconds(1)
        .withResume(new Resume(30, 64, 262_144, 1000)))) {
      // GIVEN a call between A (opted in, node 0) and B (node 1)
      String room = "resume-drain";
      String idA = ResumeTest.peerId();
      TestPeer a = TestPeer.connect("a", cluster.url(0) + "?peer=" + idA);
      TestPeer b = TestPeer.connect("b", cluster.url(1));
      try {
        Calls.pair(a, b, room);

        // WHEN node 0 drains and its deadline passes with the call still on
        CompletableFuture<Void> stopped = cluster.node(0).shutdown().toCompletionStage().toCompletableFuture();
        a.expectNotification("server_will_stop", null);
        assertThat(a.awaitClose()).isEqualTo(1001);
        assertThat(a.drainReceived()).as("nothing after server_will_stop").isEmpty();
        Await.until(Duration.ofSeconds(10), "B's node holds A's slot", () -> cluster.node(1).waitingPartners() == 1);
        b.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room).put("definition", "d")
            .put("data", "during the move"));
        // AND A reconnects to node 2 and joins again
        TestPeer a2 = TestPeer.connect("a2", cluster.url(2) + "?peer=" + idA);
        try {
          a2.join(room);

          // THEN A has its call back with B's relay, no start, and B heard nothing
          a2.expectNotification("joined", room);
          assertThat(a2.expect("peerMessageCommand", room).getString("data")).isEqualTo("during the move");
          a2.expectQuiet(b, room);
          b.expectQuiet(a2, room);
          Calls.relays(a2, b, room, "still here");
          stopped.get(60, java.util.concurrent.TimeUnit.SECONDS);
          b.expectQuiet(a2, room);
        } finally {
          a2.close();
        }
      } finally {
        a.abort();
        b.close();
      }
    }
  }
}
