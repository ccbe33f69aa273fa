package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.ProcessCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resume seen from the partner that stays, on one cluster of three node processes: node 1 (X) is lost under a
 * call of one of its sockets (opted in), the partner on node 0 (Y) holds its slot and hears nothing, and the peer
 * resumes on node 2 (Z). Node 1 is started again before each case.
 *
 * <ul>
 *   <li>under a running call, after the offer and answer (what the partner relays meanwhile arrives in order), and
 *       at the same time within milliseconds of another offerer's {@code start} (Y's pairing notice to X may fail
 *       after Y already held the slot, or before X leaves the cluster): the partners get no {@code stop};</li>
 *   <li>before X could tell its socket {@code start} (X frozen, then killed): the pairing is completed on resume,
 *       the offerer gets {@code start}.</li>
 * </ul>
 * In each, the call goes on after the resume: an offer and an answer, and candidates both ways.
 */
class ResumeAfterPartnerNodeLossIT {

  /** Wide against failure detection (2 s) and a reconnect on a busy machine; nothing here waits for expiry. */
  private static final Map<String, String> ENV = Map.of("SIGNALING_RESUME_SECONDS", "30",
      "SIGNALING_DRAIN_SECONDS", "5");
  private static final int Y = 0;
  private static final int X = 1;
  private static final int Z = 2;

  private static ProcessCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = ProcessCluster.start(3, ENV);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void everyNodeUp() throws InterruptedException {
    if (!cluster.node(X).process().isAlive()) {
      cluster.node(X).process().waitFor(30, TimeUnit.SECONDS);
      cluster.restart(X);
    }
    for (int i = 0; i < 3; i++) {
      cluster.node(i).awaitSafe(3, NodeProcess.READY_TIMEOUT);
    }
  }

  private static JsonObject offer(String room, String sdp) {
    return new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
        .put("sdp", sdp);
  }

  private static JsonObject answer(String room, String sdp) {
    return new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "answer")
        .put("sdp", sdp);
  }

  private static JsonObject candidate(String room, String candidate) {
    return new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0).put("id", "0")
        .put("candidate", candidate);
  }

  /** The next message of {@code peer} that is not a {@code start} (a repeated one is allowed where noted). */
  private static JsonObject expectSkippingStart(TestPeer peer, String command, String room) {
    JsonObject m = peer.next();
    while ("start".equals(m.getString("command"))) {
      m = peer.next();
    }
    assertThat(m.getString("command")).as(peer.name() + " received " + m).isEqualTo(command);
    assertThat(m.getString("streamId")).as(peer.name() + " received " + m).isEqualTo(room);
    return m;
  }

  /** The call goes on after a resume: {@code offerer} offers, the other answers, candidates both ways. */
  private static void callGoesOn(TestPeer offerer, TestPeer answerer, String room) {
    offerer.send(offer(room, "v=0 offer after resume"));
    assertThat(expectSkippingStart(answerer, "takeConfiguration", room).getString("sdp"))
        .isEqualTo("v=0 offer after resume");
    answerer.send(answer(room, "v=0 answer after resume"));
    assertThat(expectSkippingStart(offerer, "takeConfiguration", room).getString("sdp"))
        .isEqualTo("v=0 answer after resume");
    for (int i = 0; i < 2; i++) {
      offerer.send(candidate(room, "candidate:o" + i));
      answerer.send(candidate(room, "candidate:a" + i));
    }
    for (int i = 0; i < 2; i++) {
      assertThat(expectSkippingStart(answerer, "takeCandidate", room).getString("candidate"))
          .isEqualTo("candidate:o" + i);
      assertThat(expectSkippingStart(offerer, "takeCandidate", room).getString("candidate"))
          .isEqualTo("candidate:a" + i);
    }
  }

  @Test
  void partnersNodeSigkilled_underACallAndRightAfterAStart_theStayingPeersHearNothing_andBothResumeOnAThirdNode() {
    // GIVEN a call between A (opted in, node Y, the offerer) and B (opted in, node X), after the offer and answer
    String room = "resume-partner-kill";
    String idA = ResumeTest.peerId();
    String idB = ResumeTest.peerId();
    TestPeer a = TestPeer.connect("a", cluster.node(Y).url() + "?peer=" + idA);
    TestPeer b = TestPeer.connect("b", cluster.node(X).url() + "?peer=" + idB);
    // AND P (opted in) alone in another room on node X, which Q (opted in) joins on node Y
    String room2 = "resume-kill-at-start";
    String idP = ResumeTest.peerId();
    TestPeer p = TestPeer.connect("p", cluster.node(X).url() + "?peer=" + idP);
    TestPeer q = TestPeer.connect("q", cluster.node(Y).url() + "?peer=" + ResumeTest.peerId());
    try {
      Calls.pair(a, b, room);
      a.send(offer(room, "v=0 offer"));
      assertThat(b.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 offer");
      b.send(answer(room, "v=0 answer"));
      assertThat(a.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 answer");
      p.joined(room2);
      q.join(room2);
      q.expectNotification("joined", room2);

      // WHEN P gets start, and X is SIGKILLed at once (Y may not have the acknowledgement of its notice yet)
      p.expect("start", room2);
      cluster.node(X).signal("KILL");
      // AND A, on its own node, relays while B is away
      Await.until(Duration.ofSeconds(20), "Y holds the slots of B and P",
          () -> cluster.node(Y).gauge("signaling_resume_waiting_partners") == 2.0);
      a.send(offer(room, "v=0 ice restart"));
      for (int i = 0; i < 3; i++) {
        a.send(candidate(room, "candidate:" + i));
      }
      // THEN A and Q are told nothing: no stop (their own node answers a ping with nothing before the pong)
      a.expectNothingFromItsNode();
      q.expectNothingFromItsNode();

      // WHEN B reconnects to node Z and joins again
      double resumedBefore = cluster.node(Z).gauge("signaling_resume_resumed_total");
      TestPeer b2 = TestPeer.connect("b2", cluster.node(Z).url() + "?peer=" + idB);
      TestPeer p2 = TestPeer.connect("p2", cluster.node(Z).url() + "?peer=" + idP);
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
        // AND the call goes on both ways
        Calls.relays(b2, a, room, "ice restart answer");
        Calls.relays(a, b2, room, "after the resume");

        // WHEN P reconnects to node Z and joins again
        p2.join(room2);
        p2.expectNotification("joined", room2);
        // THEN the call goes on: P (which may be sent start again: Y could not know that its start arrived) offers,
        // Q answers, candidates both ways; Q never got stop
        callGoesOn(p2, q, room2);
        assertThat(q.barrier()).as("Q's node sent nothing more").isEmpty();
        assertThat(p2.barrier()).as("P's new node sent nothing more but, at most, a start")
            .allMatch(m -> "start".equals(m.getString("command")));
        // AND Y holds nothing any more
        Await.until(Duration.ofSeconds(10), "Y holds no slot",
            () -> cluster.node(Y).gauge("signaling_resume_waiting_partners") == 0.0);
        assertThat(cluster.node(Z).gauge("signaling_resume_resumed_total")).isEqualTo(resumedBefore + 2);
      } finally {
        b2.close();
        p2.close();
      }
    } finally {
      a.close();
      q.close();
      b.abort();
      p.abort();
    }
  }

  @Test
  void offerersNodeLostBeforeItCouldSendStart_thePairingIsCompletedOnResume_andTheCallGoesOn() {
    // GIVEN P (opted in) alone in a room on node X, and X frozen (SIGSTOP): it processes nothing any more
    String room = "resume-lost-before-start";
    String idP = ResumeTest.peerId();
    TestPeer p = TestPeer.connect("p", cluster.node(X).url() + "?peer=" + idP);
    TestPeer q = TestPeer.connect("q", cluster.node(Y).url() + "?peer=" + ResumeTest.peerId());
    try {
      p.joined(room);
      cluster.node(X).signal("STOP");
      double failedBefore = cluster.node(Y).gauge("signaling_cluster_send_failures_total");
      // WHEN Q joins on node Y (the room is decided once the cluster no longer waits for X), and X is killed once
      // Y's pairing notice to it has failed
      q.join(room);
      q.expectNotification("joined", room);
      // (no notice is sent when the room was decided after X left: then Q was alone in it)
      Await.until(Duration.ofSeconds(30), "Y's notice to X failed, or X left",
          () -> cluster.node(Y).gauge("signaling_cluster_send_failures_total") > failedBefore
              || cluster.node(Y).members() == 2);
      cluster.node(X).signal("KILL");
      Await.until(Duration.ofSeconds(20), "X left the cluster",
          () -> cluster.node(Z).members() == 2 && cluster.node(Y).members() == 2);

      // THEN Q was told nothing
      q.expectNothingFromItsNode();
      assertThat(p.poll()).as("P's frozen node sent nothing after joined").noneMatch(
          m -> "start".equals(m.getString("command")));

      // WHEN P reconnects to node Z and joins again
      TestPeer p2 = TestPeer.connect("p2", cluster.node(Z).url() + "?peer=" + idP);
      try {
        p2.join(room);
        p2.expectNotification("joined", room);
        // THEN whoever the room made the offerer is told start, exactly once (P, unless the room was decided after
        // X's purge let Q have it alone), and the call goes on
        List<String> starts = new ArrayList<>();
        Await.until(Duration.ofSeconds(10), "one of them got start", () -> {
          for (TestPeer peer : List.of(p2, q)) {
            for (JsonObject m : peer.poll()) {
              assertThat(m.getString("command")).as(peer.name() + " received " + m).isEqualTo("start");
              starts.add(peer.name());
            }
          }
          return !starts.isEmpty();
        });
        assertThat(starts).hasSize(1);
        TestPeer offerer = starts.get(0).equals("p2") ? p2 : q;
        callGoesOn(offerer, offerer == p2 ? q : p2, room);
        p2.expectQuiet(q, room);
        q.expectQuiet(p2, room);
      } finally {
        p2.close();
      }
    } finally {
      q.close();
      p.abort();
    }
  }
}
