package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.NodeMetrics;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every row of docs/PROTOCOL.md over real WebSockets. Subclasses choose the topology: peer A on node
 * {@link #nodeOfA()}, peer B on {@link #nodeOfB()}, a third peer C on {@link #nodeOfC()}; on a single
 * node all three share it, on a cluster they are spread so that every relay crosses the event bus.
 */
abstract class ProtocolConformance {

  static final String STUN = "stun:127.0.0.1:3478";
  private static final AtomicInteger ROOMS = new AtomicInteger();
  private final List<TestPeer> peers = new ArrayList<>();

  abstract TestCluster cluster();

  int nodeOfA() {
    return 0;
  }

  int nodeOfB() {
    return 1;
  }

  int nodeOfC() {
    return 2;
  }

  TestPeer peer(String name, int node) {
    TestPeer p = cluster().connect(name, node);
    peers.add(p);
    return p;
  }

  TestPeer a() {
    return peer("A", nodeOfA());
  }

  TestPeer b() {
    return peer("B", nodeOfB());
  }

  TestPeer c() {
    return peer("C", nodeOfC());
  }

  static String room() {
    return "room-" + ROOMS.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closePeers() {
    peers.forEach(TestPeer::close);
  }

  /** A and B paired in a fresh room, A the offerer; returns the room. */
  String paired(TestPeer a, TestPeer b) {
    String room = room();
    a.joined(room);
    b.join(room);
    b.expectNotification("joined", room);
    a.expect("start", room);
    return room;
  }

  // ------------------------------------------------------------------ ping / ice

  @Test
  void ping_isAnsweredWithPong() {
    TestPeer a = a();
    a.send("{\"command\":\"ping\"}");
    assertThat(a.nextText()).isEqualTo("{\"command\":\"pong\"}");
  }

  @Test
  void getIceServerConfig_answersTheConfiguredStunAndTurnSettings() {
    TestPeer a = a();
    a.send("{\"command\":\"getIceServerConfig\"}");
    JsonObject m = a.expect("iceServerConfig", null);
    assertThat(m.getString("stunServerUri")).isEqualTo(STUN);
    assertThat(m.getString("turnServerUsername")).isEqualTo("turn-user");
    assertThat(m.getString("turnServerCredential")).isEqualTo("turn-secret");
  }

  // ------------------------------------------------------------------ join rows

  @Test
  void join_emptyRoom_answersJoinedOnly() {
    TestPeer a = a();
    String room = room();
    a.join(room);
    a.expectNotification("joined", room);
    a.expectNothingFromItsNode();
  }

  @Test
  void join_secondPeer_getsJoined_andTheFirstJoinerGetsStart() {
    // GIVEN A alone in a room
    TestPeer a = a();
    TestPeer b = b();
    String room = room();
    a.joined(room);
    // WHEN B joins
    b.join(room);
    // THEN B is told joined and A, the first joiner, becomes the offerer
    b.expectNotification("joined", room);
    a.expect("start", room);
    a.expectQuiet(b, room);
    b.expectQuiet(a, room);
  }

  @Test
  void join_playOnlyFirstJoiner_isNotTheOfferer_whenTheOtherCanOffer() {
    TestPeer a = a();
    TestPeer b = b();
    String room = room();
    a.joinPlayOnly(room);
    a.expectNotification("joined", room);
    b.join(room);
    b.expectNotification("joined", room);
    b.expect("start", room);
    a.expectQuiet(b, room);
  }

  @Test
  void join_bothPlayOnly_theFirstJoinerOffers() {
    TestPeer a = a();
    TestPeer b = b();
    String room = room();
    a.joinPlayOnly(room);
    a.expectNotification("joined", room);
    b.joinPlayOnly(room);
    b.expectNotification("joined", room);
    a.expect("start", room);
    b.expectQuiet(a, room);
  }

  @Test
  void join_modeOtherThanPlay_meansBoth() {
    TestPeer a = a();
    TestPeer b = b();
    String room = room();
    a.joinPlayOnly(room);
    a.expectNotification("joined", room);
    b.send(new JsonObject().put("command", "join").put("streamId", room).put("mode", "play or both"));
    b.expectNotification("joined", room);
    b.expect("start", room);
  }

  @Test
  void join_again_whileAlone_changesNothing_andTheRoomStillPairs() {
    TestPeer a = a();
    TestPeer b = b();
    String room = room();
    a.joined(room);
    a.join(room);
    a.expectNotification("joined", room);
    a.expectNothingFromItsNode();
    b.join(room);
    b.expectNotification("joined", room);
    a.expect("start", room);
  }

  @Test
  void join_again_whilePaired_answersJoined_withoutANewStart() {
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    b.join(room);
    b.expectNotification("joined", room);
    a.expectQuiet(b, room);
    b.expectQuiet(a, room);
  }

  @Test
  void join_thirdPeer_getsNoSpaceForNewPeer_andThePairIsUntouched() {
    TestPeer a = a();
    TestPeer b = b();
    TestPeer c = c();
    String room = paired(a, b);
    c.join(room);
    c.expectError("NoSpaceForNewPeer", room);
    a.expectQuiet(b, room);
    b.expectQuiet(a, room);
    a.send(new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0).put("id", "0")
        .put("candidate", "candidate:1"));
    assertThat(b.expect("takeCandidate", room).getString("candidate")).isEqualTo("candidate:1");
    c.expectNothingFromItsNode();
  }

  // ------------------------------------------------------------------ relays

  @Test
  void takeConfiguration_isRelayedToTheOtherOnly_sdpByteForByte_withIdMapping() {
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    String sdp = "v=0\r\no=- 46117317 2 IN IP4 127.0.0.1\r\ns=\"quoted\" \\ back\\slash ünïcødé \u2603\r\n"
        + "a=fingerprint:sha-256 AB:CD\r\n";
    a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
        .put("sdp", sdp));
    JsonObject offer = b.expect("takeConfiguration", room);
    assertThat(offer.getString("type")).isEqualTo("offer");
    assertThat(offer.getString("sdp")).isEqualTo(sdp);
    assertThat(offer.getJsonObject("idMapping")).isEqualTo(new JsonObject());
    a.expectQuiet(b, room);

    b.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "answer")
        .put("sdp", "v=0\r\nanswer"));
    JsonObject answer = a.expect("takeConfiguration", room);
    assertThat(answer.getString("type")).isEqualTo("answer");
    assertThat(answer.getString("sdp")).isEqualTo("v=0\r\nanswer");
    b.expectQuiet(a, room);
  }

  @Test
  void takeCandidate_isRelayed_withLabelANumber_idAString_andAnEmptyCandidateKept() {
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    a.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room
        + "\",\"label\":1,\"id\":\"1\",\"candidate\":\"candidate:842163049 1 udp 1677729535 127.0.0.1 3478 typ srflx\"}");
    a.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":0,\"id\":\"0\",\"candidate\":\"\"}");
    String first = b.nextText();
    assertThat(first).isEqualTo("{\"command\":\"takeCandidate\",\"streamId\":\"" + room
        + "\",\"label\":1,\"id\":\"1\",\"candidate\":\"candidate:842163049 1 udp 1677729535 127.0.0.1 3478 typ srflx\"}");
    JsonObject end = b.expect("takeCandidate", room);
    assertThat(end.getValue("label")).isEqualTo(0);
    assertThat(end.getValue("id")).isEqualTo("0");
    assertThat(end.getValue("candidate")).isEqualTo("");
  }

  @Test
  void peerMessageCommand_isRelayedAsIs() {
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    String text = "{\"command\":\"peerMessageCommand\",\"streamId\":\"" + room
        + "\",\"definition\":\"chat\",\"data\":{\"text\":\"hi \\\"there\\\"\",\"n\":[1,2.5,null,true]}}";
    b.send(text);
    assertThat(a.nextText()).isEqualTo(text);
  }

  @Test
  void relay_fromAPeerStillAlone_isAnsweredNoPeerAssociatedBefore() {
    TestPeer a = a();
    String room = room();
    a.joined(room);
    a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
        .put("sdp", "v=0"));
    a.expectError("no_peer_associated_before", room);
    a.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room).put("definition", "x")
        .put("data", "y"));
    a.expectError("no_peer_associated_before", room);
  }

  @Test
  void relay_intoARoomTheSenderHasNotJoined_isRefused_andNotDelivered() {
    TestPeer a = a();
    TestPeer b = b();
    TestPeer c = c();
    String room = paired(a, b);
    c.send(new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0).put("id", "0")
        .put("candidate", "candidate:evil"));
    c.expectError("no_peer_associated_before", room);
    a.expectQuiet(b, room);
    b.expectQuiet(a, room);
  }

  @Test
  void relays_keepTheirOrder() {
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    for (int i = 0; i < 50; i++) {
      a.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":0,\"id\":\"0\",\"candidate\":\"c" + i + "\"}");
    }
    for (int i = 0; i < 50; i++) {
      assertThat(b.expect("takeCandidate", room).getString("candidate")).isEqualTo("c" + i);
    }
  }

  @Test
  void relaysSentJustBeforeALeave_allArriveBeforeTheStop() {
    // GIVEN a paired room
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);

    // WHEN one peer sends candidates and its leave back to back (relays are batched per event-loop turn, the
    // partner's stop is a separate notice)
    for (int i = 0; i < 20; i++) {
      a.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":0,\"id\":\"0\",\"candidate\":\"c" + i + "\"}");
    }
    a.leave(room);

    // THEN the partner gets every candidate, in order, and only then stop
    for (int i = 0; i < 20; i++) {
      assertThat(b.expect("takeCandidate", room).getString("candidate")).isEqualTo("c" + i);
    }
    b.expect("stop", room);
    a.expectNotification("leaved", room);
    b.expectNothingFromItsNode();
  }

  // ------------------------------------------------------------------ leave / stop

  @Test
  void leave_whilePaired_theOtherGetsStop_theLeaverGetsLeavedButNoStop() {
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    b.leave(room);
    b.expectNotification("leaved", room);
    a.expect("stop", room);
    b.expectNothingFromItsNode();
    a.expectNothingFromItsNode();
  }

  @Test
  void stop_isHandledLikeLeave() {
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    a.send(new JsonObject().put("command", "stop").put("streamId", room));
    a.expectNotification("leaved", room);
    b.expect("stop", room);
    a.expectNothingFromItsNode();
  }

  @Test
  void leave_whileAlone_answersLeaved_andEmptiesTheRoom() {
    TestPeer a = a();
    TestPeer b = b();
    TestPeer c = c();
    String room = room();
    a.joined(room);
    a.leave(room);
    a.expectNotification("leaved", room);
    a.expectNothingFromItsNode();
    // the room is empty: the next two joiners pair, the first of them offers
    b.joined(room);
    c.join(room);
    c.expectNotification("joined", room);
    b.expect("start", room);
  }

  @Test
  void leave_ofARoomNotJoined_isAnsweredNoPeerAssociatedBefore() {
    TestPeer a = a();
    String room = room();
    a.leave(room);
    a.expectError("no_peer_associated_before", room);
    a.send(new JsonObject().put("command", "stop").put("streamId", room));
    a.expectError("no_peer_associated_before", room);
  }

  @Test
  void afterALeave_theRemainingPeer_pairsAgain_andIsTheOffererAsFirstJoiner() {
    TestPeer a = a();
    TestPeer b = b();
    TestPeer c = c();
    String room = paired(a, b);
    a.leave(room);
    a.expectNotification("leaved", room);
    b.expect("stop", room);
    c.join(room);
    c.expectNotification("joined", room);
    b.expect("start", room);
    c.expectQuiet(b, room);
    // and the new pair relays
    b.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
        .put("sdp", "v=0 new"));
    assertThat(c.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 new");
    a.expectNothingFromItsNode();
  }

  @Test
  void socketLoss_leavesEveryRoom_andEachPartnerGetsStop() {
    TestPeer a = a();
    TestPeer b = b();
    TestPeer c = c();
    String room1 = paired(a, b);
    String room2 = room();
    a.joined(room2);
    c.join(room2);
    c.expectNotification("joined", room2);
    a.expect("start", room2);
    // WHEN A's connection drops without a goodbye
    a.abort();
    // THEN both partners are told stop, and both rooms take a new peer
    b.expect("stop", room1);
    c.expect("stop", room2);
    TestPeer d = peer("D", nodeOfA());
    d.join(room1);
    d.expectNotification("joined", room1);
    b.expect("start", room1);
  }

  // ------------------------------------------------------------------ several rooms per socket

  @Test
  void oneSocket_inSeveralRooms_relaysToTheRightPartnerPerRoom() {
    TestPeer a = a();
    TestPeer b = b();
    TestPeer c = c();
    String room1 = paired(a, b);
    String room2 = paired(a, c);
    a.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room2).put("definition", "d")
        .put("data", "to-c"));
    assertThat(c.expect("peerMessageCommand", room2).getString("data")).isEqualTo("to-c");
    a.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room1).put("definition", "d")
        .put("data", "to-b"));
    assertThat(b.expect("peerMessageCommand", room1).getString("data")).isEqualTo("to-b");
    b.expectQuiet(a, room1);
    c.expectQuiet(a, room2);
  }

  // ------------------------------------------------------------------ errors

  @Test
  void streamId_missingNullOrEmpty_isNoStreamNameSpecified_andTheSocketStaysOpen() {
    TestPeer a = a();
    a.send("{\"command\":\"join\",\"multiPeer\":false,\"mode\":\"both\"}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("noStreamNameSpecified");
    a.send("{\"command\":\"join\",\"streamId\":null}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("noStreamNameSpecified");
    a.send("{\"command\":\"takeCandidate\",\"streamId\":\"\",\"label\":0,\"id\":\"0\",\"candidate\":\"\"}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("noStreamNameSpecified");
    a.expectNothingFromItsNode();
  }

  @Test
  void streamId_withAForbiddenCharacterOrTooLong_isInvalidStreamName() {
    TestPeer a = a();
    a.send("{\"command\":\"join\",\"streamId\":\"bad name!\"}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("invalidStreamName");
    a.send("{\"command\":\"join\",\"streamId\":\"" + "x".repeat(129) + "\"}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("invalidStreamName");
    a.send("{\"command\":\"join\",\"streamId\":42}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("invalidStreamName");
    a.expectNothingFromItsNode();
  }

  @Test
  void malformedInput_getsAPreciseError_andTheSocketKeepsWorking() {
    TestPeer a = a();
    a.send("{not json");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("malformedMessage");
    a.send("[1,2,3]");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("malformedMessage");
    a.send("{\"command\":\"ping\",\"command\":\"join\"}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("malformedMessage");
    a.sendBinary(new byte[] {1, 2, 3});
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("malformedMessage");
    a.send("{\"streamId\":\"r\"}");
    assertThat(a.expect("error", null).getString("definition")).isEqualTo("noCommandSpecified");
    a.send("{\"command\":\"connectWithNewId\",\"streamId\":\"r\"}");
    JsonObject unknown = a.expect("error", null);
    assertThat(unknown.getString("definition")).isEqualTo("unknownCommand");
    assertThat(unknown.getString("streamId")).isEqualTo("r");
    String room = room();
    a.joined(room);
    TestPeer b = b();
    b.join(room);
    b.expectNotification("joined", room);
    a.expect("start", room);
    a.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":{\"x\":1},\"id\":\"0\",\"candidate\":\"c\"}");
    JsonObject field = a.expectError("invalidField", room);
    assertThat(field.getString("field")).isEqualTo("label");
    b.expectQuiet(a, room);
    a.send("{\"command\":\"ping\"}");
    a.expect("pong", null);
  }

  // ------------------------------------------------------------------ transport

  @Test
  void anyAppName_andUnknownQueryParameters_areAccepted() {
    String url = cluster().url(nodeOfA()).replace("/WebRTCAppEE/", "/LiveApp/") + "?target=origin";
    TestPeer a = TestPeer.connect("A", url);
    peers.add(a);
    a.send("{\"command\":\"ping\"}");
    a.expect("pong", null);
  }

  @Test
  void health_answersReady_withTheNodeId_onTheManagementPort() throws Exception {
    int port = cluster().node(nodeOfA()).managementPort();
    HttpResponse<String> ready = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.headers().firstValue("X-Signaling-Node")).contains(cluster().node(nodeOfA()).nodeId());
    assertThat(new JsonObject(ready.body()).getBoolean("ready")).isTrue();
  }

  private NodeMetrics scrape(int node) throws Exception {
    return NodeMetrics.scrape("http://127.0.0.1:" + cluster().node(node).managementPort(), Duration.ofSeconds(10));
  }

  @Test
  void metrics_countPairings_relaysAndErrors_onThePrometheusEndpoint() throws Exception {
    NodeMetrics before = scrape(nodeOfA());
    TestPeer a = a();
    TestPeer b = b();
    String room = paired(a, b);
    a.send(new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0).put("id", "0")
        .put("candidate", "c"));
    b.expect("takeCandidate", room);
    a.send("{\"command\":\"nope\"}");
    a.expect("error", null);
    NodeMetrics after = scrape(nodeOfA());
    String relayed = "signaling_relayed_messages_total{command=\"takeCandidate\"}";
    String unknown = "signaling_errors_total{definition=\"unknownCommand\"}";
    assertThat(after.series(relayed).orElse(0)).isEqualTo(before.series(relayed).orElse(0) + 1);
    assertThat(after.series(unknown).orElse(0)).isEqualTo(before.series(unknown).orElse(0) + 1);
    assertThat(after.series("signaling_connections").orElse(0)).isGreaterThanOrEqualTo(1);
    assertThat(after.series("signaling_cluster_members").orElse(0)).isEqualTo(cluster().size());
    assertThat(after.text()).contains("signaling_pairing_seconds_bucket").contains("signaling_draining 0.0");
  }

  @Test
  void theDemoPage_isServedAtTheRoot_withItsScript() throws Exception {
    int port = cluster().node(nodeOfA()).httpPort();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<video id=\"remoteVideo\"").contains("app.js");
    HttpResponse<String> script = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app.js"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("/WebRTCAppEE/websocket").contains("takeCandidate");
    // the page learns which node it is on from the header of the client port's own responses
    assertThat(page.headers().firstValue("X-Signaling-Node")).contains(cluster().node(nodeOfA()).nodeId());
  }

  @Test
  void theClientPort_answers404ForMetricsAndHealth_whileTheManagementPortServesThem() throws Exception {
    // GIVEN a node's client port and its management port, which differ
    int client = cluster().node(nodeOfA()).httpPort();
    int management = cluster().node(nodeOfA()).managementPort();
    assertThat(management).isNotEqualTo(client);
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/metrics", "/health/ready", "/health/live")) {
      // WHEN a client asks the client port for an operator's endpoint
      HttpResponse<String> onClient = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + client + path))
          .build(), HttpResponse.BodyHandlers.ofString());
      // THEN it is not there, and nothing of the node's internals leaks
      assertThat(onClient.statusCode()).as(path + " on the client port").isEqualTo(404);
      assertThat(onClient.body()).doesNotContain("signaling_").doesNotContain("\"ready\"");
      // AND the management port serves it
      HttpResponse<String> onManagement = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
          + path)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(onManagement.statusCode()).as(path + " on the management port").isEqualTo(200);
    }
    // AND the client port still serves the WebSocket endpoint
    TestPeer a = peer("A", nodeOfA());
    a.send("{\"command\":\"ping\"}");
    a.expect("pong", null);
  }

  static JsonArray asArray(List<JsonObject> list) {
    return new JsonArray(new ArrayList<>(list));
  }
}
