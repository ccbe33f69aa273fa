package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.ProcessCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Resume seen from the partner that stays: three node processes; A, the offerer, stays connected on node 0 while
 * the node of its partner B (opted in, the answerer) is SIGKILLed. A's node holds B's slot and keeps what A relays
 * (an ICE restart's offer and candidates, say); A is told nothing; B resumes on the third node and gets A's relays
 * in order, and the call goes on both ways.
 */
class ResumeAfterPartnerNodeLossIT {

  /** Wide against failure detection (2 s) and a reconnect on a busy machine; nothing here waits for expiry. */
  private static final Map<String, String> ENV = Map.of("SIGNALING_RESUME_SECONDS", "30",
      "SIGNALING_DRAIN_SECONDS", "5");

  @Test
  void partnersNodeSigkilled_theStayingPeerHearsNothing_andThePartnerResumesWithItsRelaysInOrder() {
    try (ProcessCluster cluster = ProcessCluster.start(3, ENV)) {
      for (int i = 0; i < 3; i++) {
        cluster.node(i).awaitSafe(3, Duration.ofSeconds(60));
      }
      // GIVEN a call between A (opted in, node 0, the offerer) and B (opted in, node 1), after the offer and answer
      String room = "resume-partner-kill";
      String idA = ResumeTest.peerId();
      String idB = ResumeTest.peerId();
      TestPeer a = TestPeer.connect("a", cluster.node(0).url() + "?peer=" + idA);
      TestPeer b = TestPeer.connect("b", cluster.node(1).url() + "?peer=" + idB);
      try {
        Calls.pair(a, b, room);
        a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
            .put("sdp", "v=0 offer"));
        assertThat(b.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 offer");
        b.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "answer")
            .put("sdp", "v=0 answer"));
        assertThat(a.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 answer");

        // WHEN B's node is SIGKILLed, and A, on its own node, relays while B is away
        cluster.node(1).signal("KILL");
        Await.until(Duration.ofSeconds(20), "A's node holds B's slot",
            () -> cluster.node(0).gauge("signaling_resume_waiting_partners") == 1.0);
        a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
            .put("sdp", "v=0 ice restart"));
        for (int i = 0; i < 3; i++) {
          a.send(new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0)
              .put("id", "0").put("candidate", "candidate:" + i));
        }
        // THEN A is told nothing: no stop (its own node answers a ping with nothing before the pong)
        a.expectNothingFromItsNode();

        // WHEN B reconnects to node 2 and joins again
        TestPeer b2 = TestPeer.connect("b2", cluster.node(2).url() + "?peer=" + idB);
        try {
          b2.join(room);

          // THEN B gets joined, then A's relays in the order sent, and no start; A hears nothing
          b2.expectNotification("joined", room);
          assertThat(b2.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 ice restart");
          for (int i = 0; i < 3; i++) {
            assertThat(b2.expect("takeCandidate", room).getString("candidate")).isEqualTo("candidate:" + i);
          }
          b2.expectQuiet(a, room);
          a.expectQuiet(b2, room);
          // AND the call goes on both ways, and A's node holds nothing any more
          Calls.relays(b2, a, room, "ice restart answer");
          Calls.relays(a, b2, room, "after the resume");
          Await.until(Duration.ofSeconds(10), "A's node holds no slot",
              () -> cluster.node(0).gauge("signaling_resume_waiting_partners") == 0.0);
          assertThat(cluster.node(2).gauge("signaling_resume_resumed_total")).isEqualTo(1.0);
        } finally {
          b2.close();
        }
      } finally {
        a.close();
        b.abort();
      }
    }
  }
}
