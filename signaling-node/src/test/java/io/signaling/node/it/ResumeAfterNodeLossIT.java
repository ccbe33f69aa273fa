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
 * Resume after the node holding the socket is SIGKILLed: three node processes; the opted-in peer's node dies
 * under its call, its slot is held (not purged), and the peer resumes on another node within the window, with
 * what its partner relayed meanwhile, while the partner is told nothing.
 */
class ResumeAfterNodeLossIT {

  /** Wide against failure detection (2 s) and a reconnect on a busy machine. */
  private static final Map<String, String> ENV = Map.of("SIGNALING_RESUME_SECONDS", "30",
      "SIGNALING_DRAIN_SECONDS", "5");

  @Test
  void nodeSigkilledUnderAnOptedInCall_thePeerResumesOnAnotherNode_andThePartnerHearsNothing() {
    try (ProcessCluster cluster = ProcessCluster.start(3, ENV)) {
      for (int i = 0; i < 3; i++) {
        cluster.node(i).awaitSafe(3, NodeProcess.READY_TIMEOUT);
      }
      // GIVEN a call between A (opted in, node 0) and B (node 1)
      String room = "resume-kill";
      String idA = ResumeTest.peerId();
      TestPeer a = TestPeer.connect("a", cluster.node(0).url() + "?peer=" + idA);
      TestPeer b = TestPeer.connect("b", cluster.node(1).url());
      try {
        Calls.pair(a, b, room);
        Calls.relays(a, b, room, "offer");

        // WHEN A's node is SIGKILLed, B relays while A is away, and A reconnects to node 2 and joins again
        cluster.node(0).signal("KILL");
        Await.until(Duration.ofSeconds(20), "B's node holds A's slot",
            () -> cluster.node(1).gauge("signaling_resume_waiting_partners") == 1.0);
        for (int i = 0; i < 3; i++) {
          b.send(new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0)
              .put("id", "0").put("candidate", "candidate:" + i));
        }
        TestPeer a2 = TestPeer.connect("a2", cluster.node(2).url() + "?peer=" + idA);
        try {
          a2.join(room);

          // THEN A gets joined and B's relays in order, no start; B got no stop and hears nothing
          a2.expectNotification("joined", room);
          for (int i = 0; i < 3; i++) {
            assertThat(a2.expect("takeCandidate", room).getString("candidate")).isEqualTo("candidate:" + i);
          }
          a2.expectQuiet(b, room);
          b.expectQuiet(a2, room);
          Calls.relays(a2, b, room, "ice restart offer");
          Calls.relays(b, a2, room, "ice restart answer");
          assertThat(cluster.node(2).gauge("signaling_resume_resumed_total")).isEqualTo(1.0);
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
