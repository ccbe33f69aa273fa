package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.signaling.node.Resume;
import io.signaling.node.Security;
import io.signaling.node.SignalingNode;
import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a peer id does not give, on real nodes with real WebSocket clients: a malformed id is refused at the upgrade
 * (400); more upgrades with an id from one address than the limit are refused (429) while other clients go on; with
 * join tokens an id is bound to the token's subject, so another subject with the same id gets nothing of the call;
 * a guessed id gets nothing of a held slot or of what was kept for it.
 */
class ResumeSecurityTest {

  /**
   * The resume window: wide, since nothing here waits for an expiry and every held slot must outlast the test's
   * steps on a busy machine (each step waits at most {@link TestPeer#TIMEOUT}, 10 s).
   */
  private static final int WINDOW_SECONDS = 60;
  /** The limited node's resume attempts per minute (refilled at one per 12 s: none comes back during the test). */
  private static final int ATTEMPTS_PER_MINUTE = 5;
  private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Two nodes without join tokens. */
  private static TestCluster open;
  /** One node, two event loops, few resume attempts per address (counted on the node). */
  private static TestCluster limited;
  /** Two nodes requiring HS256 join tokens. */
  private static TestCluster tokens;
  private final List<TestPeer> peers = new ArrayList<>();

  @BeforeAll
  static void start() {
    open = TestCluster.start(2, s -> s.withResume(new Resume(WINDOW_SECONDS, 64, 262_144, 1000)));
    limited = TestCluster.start(1, s -> s.withInstances(2)
        .withResume(new Resume(WINDOW_SECONDS, 64, 262_144, ATTEMPTS_PER_MINUTE)));
    tokens = TestCluster.start(2, s -> s.withResume(new Resume(WINDOW_SECONDS, 64, 262_144, 1000))
        .withSecurity(new Security(SECRET, "", "", List.of(), "", "")));
  }

  @AfterAll
  static void stop() {
    for (TestCluster c : new TestCluster[] {open, limited, tokens}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @AfterEach
  void closePeers() {
    peers.forEach(TestPeer::close);
  }

  private TestPeer connect(String name, String url) {
    TestPeer p = TestPeer.connect(name, url);
    peers.add(p);
    return p;
  }

  private static String room() {
    return "guard-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static JsonObject candidate(String room, int n) {
    return new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0).put("id", "0")
        .put("candidate", "candidate:" + n + " 1 udp 2122260223 10.0.0.1 " + (50_000 + n) + " typ host");
  }

  /** The HTTP status a real WebSocket client gets when the node refuses its upgrade (101: it was not refused). */
  private static int upgradeStatus(String url) throws Exception {
    try {
      WebSocket ws = HTTP.newWebSocketBuilder().connectTimeout(TestPeer.TIMEOUT)
          .buildAsync(URI.create(url), new WebSocket.Listener() { })
          .get(TestPeer.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      ws.abort();
      return 101;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  /**
   * The status of a WebSocket upgrade sent from another loopback address ({@code source}, e.g. 127.0.0.2), as a
   * second client machine would: the request line and headers of RFC 6455, and the status line read back.
   */
  private static int upgradeStatusFrom(String source, int port, String query) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout((int) TestPeer.TIMEOUT.toMillis());
      s.getOutputStream().write(("GET /WebRTCAppEE/websocket" + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      assertThat(status).as("status line").startsWith("HTTP/1.1 ");
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  private static void awaitHeldPartner(SignalingNode node) {
    Await.until(Duration.ofSeconds(10), "the partner's node holds the slot", () -> node.waitingPartners() == 1);
  }

  @Test
  void malformedPeerId_isRefusedAtTheUpgradeWith400_aWellFormedOneIsNot() throws Exception {
    String url = open.url(0);
    // GIVEN ids that are too short, too long, or have characters outside base64url (padding, '+', '/', '.')
    List<String> malformed = List.of("", "A".repeat(21), "A".repeat(129), "AAAAAAAAAAAAAAAAAAAAAA==",
        "AAAAAAAAAAA+AAAAAAAAAAA", "AAAAAAAAAAA%2FAAAAAAAAAA", "AAAAAAAAAAA.AAAAAAAAAAA");
    for (String id : malformed) {
      // WHEN a client upgrades with one THEN it is refused with 400, before any WebSocket exists
      assertThat(upgradeStatus(url + "?peer=" + id)).as("peer id '%s'", id).isEqualTo(400);
    }
    // AND the shortest and the longest well-formed ids are accepted, and the socket works
    for (String id : List.of("A".repeat(22), "-_" + "a".repeat(126))) {
      TestPeer p = connect("well-formed", url + "?peer=" + id);
      p.joined(room());
    }
  }

  @Test
  void moreUpgradesWithAPeerIdThanTheLimit_fromOneAddress_get429_andOtherClientsAreUnaffected() throws Exception {
    String url = limited.url(0);
    int port = limited.node(0).httpPort();
    // GIVEN a node with two event loops (they take connections in turn) allowing 5 upgrades with a peer id per
    // address and minute, and that many made from 127.0.0.1
    List<TestPeer> first = new ArrayList<>();
    for (int i = 0; i < ATTEMPTS_PER_MINUTE; i++) {
      first.add(connect("with-id-" + i, url + "?peer=" + ResumeTest.peerId()));
    }
    // WHEN 127.0.0.1 upgrades once more with a peer id (a fresh one: the limit counts attempts, not ids)
    // THEN it is refused with 429, on whichever event loop it lands: the limit is the node's
    assertThat(upgradeStatus(url + "?peer=" + ResumeTest.peerId())).isEqualTo(429);
    // AND another address upgrades with a peer id as before
    assertThat(upgradeStatusFrom("127.0.0.2", port, "?peer=" + ResumeTest.peerId())).isEqualTo(101);
    // AND a client of 127.0.0.1 without a peer id connects, and it and a socket opened with an id before the limit
    // have a call together
    TestPeer plain = connect("without-id", url);
    String room = room();
    Calls.pair(first.get(0), plain, room);
    Calls.relays(plain, first.get(0), room, "unaffected");
  }

  /** The HTTP status of an upgrade offering {@code protocols} in Sec-WebSocket-Protocol (101: not refused). */
  private static int upgradeStatusOffering(String url, String... protocols) throws Exception {
    try {
      WebSocket ws = HTTP.newWebSocketBuilder().connectTimeout(TestPeer.TIMEOUT)
          .subprotocols(protocols[0], java.util.Arrays.copyOfRange(protocols, 1, protocols.length))
          .buildAsync(URI.create(url), new WebSocket.Listener() { })
          .get(TestPeer.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      ws.abort();
      return 101;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  private TestPeer connectWithHeaderId(String name, String url, String id) {
    TestPeer p = TestPeer.connectWithSubprotocols(name, url, "signaling", "peer." + id);
    peers.add(p);
    return p;
  }

  @Test
  void aPeerIdInSecWebSocketProtocol_resumesAndTakesOverAnOpenSocket_andTheNodeSelectsTheSignalingSubprotocol() {
    // GIVEN a call between A, whose peer id travels in Sec-WebSocket-Protocol and not in the URL (node 0), and B
    String room = room();
    String idA = ResumeTest.peerId();
    TestPeer a = connectWithHeaderId("a", open.url(0), idA);
    TestPeer b = connect("b", open.url(1));
    Calls.pair(a, b, room);
    // THEN the node selected the subprotocol "signaling" (a browser fails a connection whose offered subprotocols
    // get no answer), never the peer id
    assertThat(a.subprotocol()).isEqualTo("signaling");

    // WHEN a second socket with the same id in its header joins the room while A's socket is still open
    TestPeer a2 = connectWithHeaderId("a2", open.url(1), idA);
    a2.join(room);
    // THEN it takes the call over: joined, the older socket closed with 4002, B told nothing
    a2.expectNotification("joined", room);
    assertThat(a.awaitClose()).isEqualTo(io.signaling.node.signal.Switchboard.CLOSE_SUPERSEDED);
    a2.expectQuiet(b, room);

    // WHEN that socket's connection drops too, B relays meanwhile, and a third socket with the id in its header
    // joins on node 0
    a2.abort();
    awaitHeldPartner(open.node(1));
    for (int i = 0; i < 3; i++) {
      b.send(candidate(room, i));
    }
    TestPeer a3 = connectWithHeaderId("a3", open.url(0), idA);
    a3.join(room);
    // THEN it resumes the held slot and gets what B sent, in order
    a3.expectNotification("joined", room);
    for (int i = 0; i < 3; i++) {
      assertThat(a3.expect("takeCandidate", room).getString("candidate")).startsWith("candidate:" + i + " ");
    }
    a3.expectQuiet(b, room);
    Calls.relays(a3, b, room, "header resume");
  }

  @Test
  void aPeerIdInTheHeader_thatDisagreesWithTheUrl_orIsOfferedTwice_orIsMalformed_isRefusedWith400() throws Exception {
    String url = open.url(0);
    String id = ResumeTest.peerId();
    // GIVEN WHEN an upgrade offers one id in the URL and another in the header THEN it is refused with 400
    assertThat(upgradeStatusOffering(url + "?peer=" + id, "signaling", "peer." + ResumeTest.peerId())).isEqualTo(400);
    // AND so is one offering two ids in the header, and one offering a malformed id
    assertThat(upgradeStatusOffering(url, "signaling", "peer." + id, "peer." + ResumeTest.peerId())).isEqualTo(400);
    assertThat(upgradeStatusOffering(url, "signaling", "peer.short")).isEqualTo(400);
    // AND the same id in both places is accepted
    assertThat(upgradeStatusOffering(url + "?peer=" + id, "signaling", "peer." + id)).isEqualTo(101);
  }

  @Test
  void withJoinTokens_aUrlTokenForAnotherRoomNamingTheVictim_cannotLendItsSubjectToAJoinAnotherTokenAuthorises()
      throws Exception {
    // GIVEN a call in room R between alice (opted in, her token in the URL, node 0) and bob (node 1); alice's
    // connection drops, her slot is held, and bob relays while she is away
    String room = room();
    String id = ResumeTest.peerId();
    TestPeer alice = connect("alice", tokens.url(0) + "?token=" + token("alice", room) + "&peer=" + id);
    TestPeer bob = connect("bob", tokens.url(1) + "?token=" + token("bob", room));
    Calls.pair(alice, bob, room);
    alice.abort();
    awaitHeldPartner(tokens.node(1));
    for (int i = 0; i < 3; i++) {
      bob.send(candidate(room, i));
    }

    // WHEN zed, with a URL token for another room that names alice and a join token of his own for R, joins R
    // with alice's peer id
    TestPeer zed = connect("zed", tokens.url(1) + "?token=" + token("alice", room() + "-elsewhere") + "&peer=" + id);
    zed.send(new JsonObject().put("command", "join").put("streamId", room).put("mode", "both")
        .put("token", token("zed", room)));

    // THEN the join is refused (the two tokens disagree on the subject) and he gets nothing more
    zed.expectError("unauthorized_access", room);
    zed.expectNothingFromItsNode();
    // AND with the URL token alone, which is for another room, he is refused too
    zed.join(room);
    zed.expectError("unauthorized_access", room);
    // AND with a join token for R that names no subject, the tokens still disagree
    zed.send(new JsonObject().put("command", "join").put("streamId", room).put("mode", "both")
        .put("token", token(null, room)));
    zed.expectError("unauthorized_access", room);
    // AND bob hears nothing of it, and alice resumes with everything bob sent, in order
    bob.expectNothingFromItsNode();
    TestPeer alice2 = connect("alice2", tokens.url(1) + "?token=" + token("alice", room) + "&peer=" + id);
    alice2.join(room);
    alice2.expectNotification("joined", room);
    for (int i = 0; i < 3; i++) {
      assertThat(alice2.expect("takeCandidate", room).getString("candidate")).startsWith("candidate:" + i + " ");
    }
    alice2.expectQuiet(bob, room);
  }

  @Test
  void withJoinTokens_theResumeKeyIsBoundToTheJoinsOwnToken_notTheUrls() throws Exception {
    // GIVEN a call in room R between alice, who joined with a join token for R on a socket whose URL token is for
    // another room (neither names a subject: each stands for its room), and her peer id; her connection drops and
    // bob relays meanwhile
    String room = room();
    String id = ResumeTest.peerId();
    TestPeer alice = connect("alice", tokens.url(0) + "?token=" + token(null, room() + "-elsewhere") + "&peer=" + id);
    alice.send(new JsonObject().put("command", "join").put("streamId", room).put("mode", "both")
        .put("token", token(null, room)));
    alice.expectNotification("joined", room);
    TestPeer bob = connect("bob", tokens.url(1) + "?token=" + token("bob", room));
    bob.join(room);
    bob.expectNotification("joined", room);
    alice.expect("start", room);
    alice.abort();
    awaitHeldPartner(tokens.node(1));
    bob.send(candidate(room, 0));

    // WHEN she comes back with a token for R in the URL only, and the same id
    TestPeer alice2 = connect("alice2", tokens.url(1) + "?token=" + token(null, room) + "&peer=" + id);
    alice2.join(room);
    // THEN she resumes her slot: it was bound to the token that let her into R, not to her first URL's token
    alice2.expectNotification("joined", room);
    assertThat(alice2.expect("takeCandidate", room).getString("candidate")).startsWith("candidate:0 ");
    alice2.expectQuiet(bob, room);
  }

  private static String token(String subject, String streamId) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
        .claim("streamId", streamId).expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }

  @Test
  void withJoinTokens_aPeerIdIsBoundToItsSubject_anotherSubjectWithTheSameIdGetsNothingOfTheCall() throws Exception {
    // GIVEN a call between alice (opted in, her token in the URL, node 0) and bob (node 1), both let in by tokens
    String room = room();
    String id = ResumeTest.peerId();
    TestPeer alice = connect("alice", tokens.url(0) + "?token=" + token("alice", room) + "&peer=" + id);
    TestPeer bob = connect("bob", tokens.url(1) + "?token=" + token("bob", room));
    Calls.pair(alice, bob, room);
    // AND alice's connection drops, her slot is held, and bob relays while she is away
    alice.abort();
    awaitHeldPartner(tokens.node(1));
    for (int i = 0; i < 3; i++) {
      bob.send(candidate(room, i));
    }

    // WHEN mallory, with a token of her own valid for the same room and alice's peer id, joins it on bob's node
    TestPeer mallory = connect("mallory", tokens.url(1) + "?token=" + token("mallory", room) + "&peer=" + id);
    mallory.join(room);

    // THEN the room is full for her, and she gets nothing more: no joined, none of bob's relays
    mallory.expectError("NoSpaceForNewPeer", room);
    mallory.expectNothingFromItsNode();
    // AND bob hears nothing of it
    bob.expectNothingFromItsNode();
    // AND alice, with her own token and id, resumes and gets everything bob sent, in order
    TestPeer alice2 = connect("alice2", tokens.url(1) + "?token=" + token("alice", room) + "&peer=" + id);
    alice2.join(room);
    alice2.expectNotification("joined", room);
    for (int i = 0; i < 3; i++) {
      assertThat(alice2.expect("takeCandidate", room).getString("candidate")).startsWith("candidate:" + i + " ");
    }
    alice2.expectQuiet(bob, room);
    Calls.relays(alice2, bob, room, "back");
    mallory.expectNothingFromItsNode();
  }

  @Test
  void aGuessedPeerId_joiningAHeldRoom_getsNoSpaceForNewPeer_andNothingOfTheHeldRelays() {
    // GIVEN a call between A (opted in, node 0) and B (node 1); A's connection drops, its slot is held, and B
    // relays while A is away (kept on B's node)
    String room = room();
    String idA = ResumeTest.peerId();
    TestPeer a = connect("a", open.url(0) + "?peer=" + idA);
    TestPeer b = connect("b", open.url(1));
    Calls.pair(a, b, room);
    a.abort();
    awaitHeldPartner(open.node(1));
    for (int i = 0; i < 3; i++) {
      b.send(candidate(room, i));
    }

    // WHEN a client with a guessed, well-formed id joins the room on B's node, and one without an id on A's
    TestPeer guess = connect("guess", open.url(1) + "?peer=" + ResumeTest.peerId());
    guess.join(room);
    TestPeer plain = connect("plain", open.url(0));
    plain.join(room);

    // THEN both find the room full and get nothing more: none of the relays kept for A
    guess.expectError("NoSpaceForNewPeer", room);
    plain.expectError("NoSpaceForNewPeer", room);
    guess.expectNothingFromItsNode();
    plain.expectNothingFromItsNode();
    // AND B hears nothing, and its node still holds A's slot
    b.expectNothingFromItsNode();
    assertThat(open.node(1).waitingPartners()).isEqualTo(1);
    // AND A resumes and gets all of B's relays, in order: the guesses took none of them
    TestPeer a2 = connect("a2", open.url(0) + "?peer=" + idA);
    a2.join(room);
    a2.expectNotification("joined", room);
    for (int i = 0; i < 3; i++) {
      assertThat(a2.expect("takeCandidate", room).getString("candidate")).startsWith("candidate:" + i + " ");
    }
    a2.expectQuiet(b, room);
    guess.expectNothingFromItsNode();
  }
}
