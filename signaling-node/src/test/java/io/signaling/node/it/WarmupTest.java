package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.signaling.cluster.config.ClusterSettings;
import io.signaling.node.NodeSettings;
import io.signaling.node.Security;
import io.signaling.node.SignalingNode;
import io.signaling.node.WarmupSettings;
import io.signaling.node.cluster.RoomSerialization;
import io.signaling.node.ops.ManagementServer;
import io.signaling.node.support.Await;
import io.signaling.node.support.NodeMetrics;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.signaling.node.warmup.Warmup;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up before readiness, on real nodes of one cluster: a node's warm-up calls go through its own WebSocket
 * endpoint with their answerers on another member, readiness waits for them, and they leave nothing behind.
 */
class WarmupTest {

  private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";
  private static final int CALLS = 60;
  private final List<SignalingNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    for (SignalingNode node : nodes) {
      try {
        node.shutdown().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        node.closeAbruptly();
      }
    }
  }

  /** Settings of one node of a loopback cluster of {@code ports.size()} members. */
  private static NodeSettings settings(String cluster, List<Integer> ports, int index, UnaryOperator<NodeSettings> c) {
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    return c.apply(NodeSettings.forCluster(ClusterSettings.loopback(cluster, ports.get(index), members)));
  }

  private SignalingNode start(NodeSettings settings) throws Exception {
    SignalingNode node = SignalingNode.start(settings).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    nodes.add(node);
    return node;
  }

  /**
   * A warm-up of {@code calls} calls, 4 in flight, ending at 30 s at the latest: its 60 calls take well under 3 s
   * (at more than 100 calls per second here), and the wait for the JIT to settle that follows them, which in a test
   * JVM compiling for every other test may not come, ends at that deadline.
   */
  private static UnaryOperator<NodeSettings> warmup(int calls) {
    return s -> s.withWarmup(new WarmupSettings(calls, 30, 4));
  }

  private static int warmupRooms(SignalingNode node) {
    return (int) node.cluster().hazelcast().getMap(RoomSerialization.ROOMS_MAP).keySet().stream()
        .filter(k -> String.valueOf(k).startsWith(Warmup.ROOM_PREFIX)).count();
  }

  @Test
  void aJoiningNode_warmsUpWithAnswerersOnTheOtherMember_andReportsReadyOnlyAfterwards() throws Exception {
    // GIVEN a running node without a warm-up of its own
    String cluster = "warmup-" + UUID.randomUUID();
    List<Integer> ports = List.of(TestCluster.freePort(), TestCluster.freePort());
    SignalingNode a = start(settings(cluster, ports, 0, UnaryOperator.identity()));
    assertThat(a.health().isReady()).isTrue();

    // WHEN a second node starts with a warm-up, its readiness read all along
    int management = TestCluster.freePort();
    NodeSettings bSettings = settings(cluster, ports, 1, warmup(CALLS)).withManagementPort(management);
    List<String> readsWhileStarting = new CopyOnWriteArrayList<>();
    AtomicBoolean starting = new AtomicBoolean(true);
    Thread reader = new Thread(() -> readReadiness(management, starting, readsWhileStarting));
    reader.start();
    SignalingNode b;
    try {
      b = start(bSettings);
    } finally {
      starting.set(false);
      reader.join();
    }

    // THEN every warm-up call completed, each with its answerer on the other node
    Warmup.Result result = b.warmup();
    assertThat(result.completed()).isEqualTo(CALLS);
    assertThat(result.crossNode()).isEqualTo(CALLS);
    assertThat(result.failed()).isZero();
    assertThat(a.warmup().answered()).isEqualTo(CALLS);
    // AND the node said it was warming up, not ready, while it did; and never ready before its last call
    assertThat(readsWhileStarting).anyMatch(r -> r.startsWith("503") && r.contains("\"warming\":true"));
    assertThat(readsWhileStarting).filteredOn(r -> r.startsWith("200"))
        .allMatch(r -> r.endsWith("completed=" + CALLS));
    assertThat(b.health().isReady()).isTrue();
    // AND the warm-up rooms are gone from the directory
    Await.until(Duration.ofSeconds(10), "no warm-up room left", () -> warmupRooms(a) == 0);
    // AND a call across both nodes works
    try (TestPeer p = TestPeer.connect("P", url(a)); TestPeer q = TestPeer.connect("Q", url(b))) {
      String room = "after-warmup-" + System.nanoTime();
      p.join(room).expectNotification("joined", room);
      q.join(room).expectNotification("joined", room);
      p.expect("start", room);
      p.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
          .put("sdp", "v=0\r\n"));
      assertThat(q.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0\r\n");
    }
  }

  @Test
  void withJoinTokensRequired_warmupJoinsCarryTheNodesOwnToken_andNoOtherTokenOpensAWarmupRoom() throws Exception {
    // GIVEN nodes that require join tokens; the first is alone when it warms up, the second has the first to call
    String cluster = "warmup-" + UUID.randomUUID();
    List<Integer> ports = List.of(TestCluster.freePort(), TestCluster.freePort());
    UnaryOperator<NodeSettings> tokens = s -> warmup(CALLS).apply(s)
        .withSecurity(new Security(SECRET, "", "", List.of(), "", ""));
    // WHEN both start
    SignalingNode a = start(settings(cluster, ports, 0, tokens));
    SignalingNode b = start(settings(cluster, ports, 1, tokens));

    // THEN each warmed up without a failure: the first on its own, the second with the first
    assertThat(a.warmup().completed()).isEqualTo(CALLS);
    assertThat(a.warmup().failed()).isZero();
    assertThat(b.warmup().completed()).isEqualTo(CALLS);
    assertThat(b.warmup().crossNode()).isEqualTo(CALLS);
    assertThat(b.warmup().failed()).isZero();
    // AND a client cannot join a warm-up room without a valid token, nor with a made-up one
    String room = Warmup.ROOM_PREFIX + "guessed0123456789abcd";
    try (TestPeer p = TestPeer.connect("P", url(a))) {
      p.join(room);
      p.expectError("unauthorized_access", room);
      p.send(new JsonObject().put("command", "join").put("streamId", room).put("mode", "both")
          .put("token", Warmup.newToken()));
      p.expectError("unauthorized_access", room);
      // AND with a token of the room, it may
      p.send(new JsonObject().put("command", "join").put("streamId", room).put("mode", "both")
          .put("token", hs256(room)));
      p.expectNotification("joined", room);
    }
  }

  private static String hs256(String streamId) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .claim("streamId", streamId).expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }

  private static String url(SignalingNode node) {
    return "ws://127.0.0.1:" + node.httpPort() + "/WebRTCAppEE/websocket";
  }

  /** The node's {@code signaling_warmup_calls{outcome="completed"}}, from its metrics; -1 when not there. */
  private static int completedWarmupCalls(int port) throws java.io.IOException, InterruptedException {
    return (int) NodeMetrics.scrape("http://127.0.0.1:" + port, Duration.ofSeconds(5))
        .withLabels("signaling_warmup_calls", Map.of("outcome", "completed")).orElse(-1);
  }

  /**
   * Reads the node's readiness until {@code starting} turns false: each read as {@code "<status> <body>"}, with the
   * node's completed warm-up calls (from its metrics) read right after each ready answer.
   */
  private void readReadiness(int port, AtomicBoolean starting, List<String> reads) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + ManagementServer.HEALTH_READY))
        .timeout(Duration.ofSeconds(5)).build();
    while (starting.get()) {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        String read = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200) {
          read += " completed=" + completedWarmupCalls(port);
        }
        reads.add(read);
        Thread.sleep(5);
      } catch (java.io.IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
