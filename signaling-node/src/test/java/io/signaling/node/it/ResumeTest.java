package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Resume;
import io.signaling.node.SignalingNode;
import io.signaling.node.signal.Switchboard;
import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resume (opt-in with {@code ?peer=<id>}) on three real nodes in one JVM: a peer whose socket drops without a
 * close frame gets its call back on another node, with what its partner relayed meanwhile, complete and in
 * order; the window passing ends the call as before; a second socket with the same peer id takes over.
 */
class ResumeTest {

  /** The resume window the nodes run with: short, so expiry is seen quickly; every wait below is wider. */
  static final int WINDOW_SECONDS = 5;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static TestCluster cluster;
  private final List<TestPeer> peers = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, s -> s.withResume(new Resume(WINDOW_SECONDS, 64, 262_144, 1000)));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @AfterEach
  void closePeers() {
    peers.forEach(TestPeer::close);
  }

  static String peerId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private TestPeer connect(String name, int node, String peerId) {
    TestPeer p = TestPeer.connect(name, cluster.url(node) + (peerId == null ? "" : "?target=origin&peer=" + peerId));
    peers.add(p);
    return p;
  }

  private static String room() {
    return "resume-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static JsonObject candidate(String room, int n) {
    return new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0).put("id", "0")
        .put("candidate", "candidate:" + n + " 1 udp 2122260223 10.0.0.1 " + (50_000 + n) + " typ host");
  }

  private static void awaitHeldPartner(SignalingNode node, int count) {
    Await.until(Duration.ofSeconds(10), "the partner's node holds " + count + " slot(s)",
        () -> node.waitingPartners() == count);
  }

  @Test
  void droppedSocket_resumedOnAnotherNode_getsTheHeldRelaysInOrder_andThePartnerNothing() {
    // GIVEN a call between A (opted in, node 0) and B (node 1), after the offer and answer
    String room = room();
    String idA = peerId();
    TestPeer a = connect("a", 0, idA);
    TestPeer b = connect("b", 1, null);
    Calls.pair(a, b, room);
    a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
        .put("sdp", "v=0 offer"));
    assertThat(b.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 offer");
    b.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "answer")
        .put("sdp", "v=0 answer"));
    assertThat(a.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 answer");

    // WHEN A's TCP connection drops without a close frame, B relays while A is away, and A comes back on node 2
    a.abort();
    awaitHeldPartner(cluster.node(1), 1);
    for (int i = 0; i < 5; i++) {
      b.send(candidate(room, i));
    }
    b.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room).put("definition", "d")
        .put("data", "while away"));
    // a peer id that is not A's gets nothing of the call
    TestPeer guess = connect("guess", 2, peerId());
    guess.join(room);
    guess.expectError("NoSpaceForNewPeer", room);
    TestPeer a2 = connect("a2", 2, idA);
    a2.join(room);

    // THEN A gets joined, then everything B sent, in order, and no start; B hears nothing at all
    a2.expectNotification("joined", room);
    for (int i = 0; i < 5; i++) {
      JsonObject c = a2.expect("takeCandidate", room);
      assertThat(c.getString("candidate")).startsWith("candidate:" + i + " ");
      assertThat(c.getValue("label")).isEqualTo(0);
    }
    assertThat(a2.expect("peerMessageCommand", room).getString("data")).isEqualTo("while away");
    a2.expectQuiet(b, room);
    b.expectQuiet(a2, room);
    // and the call goes on both ways, from the new node
    Calls.relays(a2, b, room, "renegotiate");
    Calls.relays(b, a2, room, "answered");
    awaitHeldPartner(cluster.node(1), 0);
  }

  @Test
  void windowPasses_thePartnerGetsStop_andAResumeAfterItIsAFreshJoin() {
    // GIVEN a call between A (opted in, node 0) and B (node 1)
    String room = room();
    String idA = peerId();
    TestPeer a = connect("a", 0, idA);
    TestPeer b = connect("b", 1, null);
    Calls.pair(a, b, room);

    // WHEN A's connection drops and A does not come back within the window
    long dropped = System.nanoTime();
    a.abort();
    awaitHeldPartner(cluster.node(1), 1);

    // THEN B gets stop, after the window (not at once), as it would at once without resume
    b.expect("stop", room);
    assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isGreaterThanOrEqualTo(
        Duration.ofSeconds(WINDOW_SECONDS).minusMillis(500));
    awaitHeldPartner(cluster.node(1), 0);
    // AND a join with A's peer id now is a fresh join: B, the one left, offers
    TestPeer a2 = connect("a2", 2, idA);
    a2.join(room);
    a2.expectNotification("joined", room);
    b.expect("start", room);
    Calls.relays(b, a2, room, "new call");
  }

  @Test
  void secondSocketWithTheSamePeerId_takesTheCall_andTheOlderIsClosedWithNothingMore() {
    // GIVEN a call between A (opted in, node 0, socket still open) and B (node 1)
    String room = room();
    String idA = peerId();
    TestPeer a = connect("a", 0, idA);
    TestPeer b = connect("b", 1, null);
    Calls.pair(a, b, room);

    // WHEN a second socket with A's peer id joins the room on node 2
    TestPeer a2 = connect("a2", 2, idA);
    a2.join(room);

    // THEN the newest gets joined and nothing else, the older is closed with 4002 having received nothing, and
    // B sees nothing
    a2.expectNotification("joined", room);
    assertThat(a.awaitClose()).isEqualTo(Switchboard.CLOSE_SUPERSEDED);
    assertThat(a.drainReceived()).isEmpty();
    a2.expectQuiet(b, room);
    b.expectQuiet(a2, room);
    Calls.relays(a2, b, room, "from the newest");
  }

  @Test
  void leave_endsTheSlotAtOnce_andThePartnerGetsStop() {
    // GIVEN a call between A (opted in) and B
    String room = room();
    String idA = peerId();
    TestPeer a = connect("a", 0, idA);
    TestPeer b = connect("b", 1, null);
    Calls.pair(a, b, room);
    // WHEN A leaves
    a.leave(room);
    // THEN B gets stop at once (well within the window) and A leaved; a rejoin is a fresh join
    b.expect("stop", room);
    a.expectNotification("leaved", room);
    a.join(room);
    a.expectNotification("joined", room);
    b.expect("start", room);
  }

  @Test
  void notOptedIn_droppedSocket_partnerGetsStopAsBefore() {
    // GIVEN a call between two peers that did not opt in
    String room = room();
    TestPeer a = connect("a", 0, null);
    TestPeer b = connect("b", 1, null);
    Calls.pair(a, b, room);
    // WHEN A's connection drops
    long dropped = System.nanoTime();
    a.abort();
    // THEN B gets stop well before a resume window would pass
    b.expect("stop", room);
    assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isLessThan(Duration.ofSeconds(WINDOW_SECONDS));
  }
}
