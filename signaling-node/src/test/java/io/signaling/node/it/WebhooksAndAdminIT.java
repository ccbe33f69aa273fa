package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.ProcessCluster;
import io.signaling.node.support.TestPeer;
import io.signaling.node.support.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The application backend against one shared cluster of three node processes and a real HTTP receiver that checks
 * every delivery's signature: webhooks for calls across nodes however they end, through a receiver refusing a
 * third of its deliveries, a receiver down for 15 s and a node SIGKILLed meanwhile; and the admin API from any
 * node. The node loss comes last (the cluster has two members after it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhooksAndAdminIT {

  private static final String SECRET = "webhook-secret-" + UUID.randomUUID();
  private static final String TOKEN = "admin-token-" + UUID.randomUUID();
  private static final Duration DELIVERED = Duration.ofSeconds(60);

  private WebhookReceiver receiver;
  private ProcessCluster cluster;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  void start() {
    receiver = new WebhookReceiver(SECRET);
    cluster = ProcessCluster.start(3, Map.of(
        "SIGNALING_WEBHOOK_URLS", receiver.url(),
        "SIGNALING_WEBHOOK_SECRET", SECRET,
        "SIGNALING_WEBHOOK_MAX_BACKOFF_MILLIS", "1000",
        "SIGNALING_WEBHOOK_TIMEOUT_MILLIS", "2000",
        "SIGNALING_ADMIN_TOKEN", TOKEN,
        "SIGNALING_RESUME_SECONDS", "3",
        "SIGNALING_DRAIN_SECONDS", "5"));
    for (int i = 0; i < 3; i++) {
      cluster.node(i).awaitSafe(3, NodeProcess.READY_TIMEOUT);
    }
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  private String room(String name) {
    return "wh-" + name + "-" + run;
  }

  private void noBadDeliveries() {
    assertThat(receiver.badSignatures()).as("deliveries with a bad signature").isZero();
    assertThat(receiver.orderViolation()).as("order per room life").isNull();
  }

  @Test
  @Order(1)
  void callsAcrossNodes_endingByLeaveSocketCloseAndResumeExpiry_produceTheirLives() {
    // GIVEN three calls across nodes
    String byLeave = room("leave");
    String byClose = room("close");
    String byExpiry = room("expiry");
    TestPeer a = cluster.connect("a", 0);
    TestPeer b = cluster.connect("b", 1);
    TestPeer c = cluster.connect("c", 1);
    TestPeer d = cluster.connect("d", 2);
    TestPeer e = TestPeer.connect("e", cluster.node(2).url() + "?peer=" + ResumeTest.peerId());
    TestPeer f = cluster.connect("f", 0);
    try {
      Calls.pair(a, b, byLeave);
      Calls.pair(c, d, byClose);
      Calls.pair(e, f, byExpiry);

      // WHEN one ends by a leave, one by a socket closing, one by a held slot's window passing
      a.leave(byLeave);
      b.expect("stop", byLeave);
      b.leave(byLeave);
      c.abort();
      d.expect("stop", byClose);
      d.leave(byClose);
      e.abort();
      f.expect("stop", byExpiry);
      f.leave(byExpiry);

      // THEN each room's life arrives complete, in order, signed, once
      Await.until(DELIVERED, "the three lives delivered", () -> receiver.finished(byLeave, 1)
          && receiver.finished(byClose, 1) && receiver.finished(byExpiry, 1));
      List<String> life = List.of("room_started", "peer_joined", "peer_joined", "call_started", "call_ended",
          "peer_left", "peer_left", "room_finished");
      assertThat(receiver.events(byLeave)).containsExactlyElementsOf(life);
      assertThat(receiver.events(byClose)).containsExactlyElementsOf(life);
      assertThat(receiver.events(byExpiry)).containsExactlyElementsOf(life);
      assertThat(reasons(byLeave)).containsExactly("leave", "leave", "leave");
      assertThat(reasons(byClose)).containsExactly("closed", "closed", "leave");
      assertThat(reasons(byExpiry)).containsExactly("expired", "expired", "leave");
      JsonObject started = event(byLeave, "call_started");
      assertThat(started.getJsonArray("peers")).hasSize(2);
      Set<String> nodes = new HashSet<>();
      started.getJsonArray("peers").forEach(p -> nodes.add(((JsonObject) p).getString("node")));
      assertThat(nodes).as("a call across two nodes").hasSize(2);
      assertThat(event(byLeave, "call_ended").getLong("durationMs")).isNotNegative();
      assertThat(event(byLeave, "peer_joined").getJsonObject("peer").fieldNames())
          .contains("sessionId", "peerId", "node", "mode");
      assertThat(receiver.duplicates()).as("no duplicate without a failure").isZero();
      noBadDeliveries();
    } finally {
      List.of(a, b, c, d, e, f).forEach(TestPeer::abort);
    }
  }

  private List<String> reasons(String streamId) {
    List<String> reasons = new ArrayList<>();
    for (WebhookReceiver.Delivery d : receiver.of(streamId)) {
      if (d.body().containsKey("reason")) {
        reasons.add(d.body().getString("reason"));
      }
    }
    return reasons;
  }

  private JsonObject event(String streamId, String name) {
    return receiver.of(streamId).stream().filter(d -> name.equals(d.event())).findFirst().orElseThrow().body();
  }

  @Test
  @Order(2)
  void theAdminApi_answersFromAnyNode_forRoomsOnOtherNodes() throws Exception {
    // GIVEN five calls, each across nodes 0 and 1
    List<TestPeer> peers = new ArrayList<>();
    List<String> rooms = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        String r = room("admin-" + i);
        TestPeer x = cluster.connect("x" + i, 0);
        TestPeer y = cluster.connect("y" + i, 1);
        peers.add(x);
        peers.add(y);
        Calls.pair(x, y, r);
        rooms.add(r);
      }
      // THEN the API wants the token, and is not on the client port
      assertThat(admin(2, "GET", "/admin/rooms", null).statusCode()).isEqualTo(401);
      assertThat(admin(2, "GET", "/admin/rooms", "Bearer wrong-" + TOKEN).statusCode()).isEqualTo(401);
      HttpResponse<String> client = http.send(HttpRequest.newBuilder(URI.create(cluster.node(2).url()
          .replace("ws://", "http://").replaceAll("/[^/]+/websocket.*$", "") + "/admin/rooms"))
          .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(client.statusCode()).as("the client port").isEqualTo(404);

      // WHEN node 2 lists the rooms two at a time
      Set<String> listed = new HashSet<>();
      String cursor = null;
      int pages = 0;
      do {
        HttpResponse<String> page = admin(2, "GET", "/admin/rooms?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
            "Bearer " + TOKEN);
        assertThat(page.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(page.body());
        assertThat(body.getJsonArray("rooms").size()).isLessThanOrEqualTo(2);
        body.getJsonArray("rooms").forEach(r -> listed.add(((JsonObject) r).getString("streamId")));
        cursor = body.getString("next");
        pages++;
      } while (cursor != null && pages < 100);
      // THEN every room is listed once over the pages
      assertThat(listed).containsAll(rooms);
      assertThat(pages).isGreaterThanOrEqualTo(3);
      assertThat(admin(2, "GET", "/admin/rooms?limit=0", "Bearer " + TOKEN).statusCode()).isEqualTo(400);
      assertThat(admin(2, "GET", "/admin/rooms?cursor=%21%21", "Bearer " + TOKEN).statusCode()).isEqualTo(400);

      // AND a room's detail names its peers on nodes 0 and 1
      HttpResponse<String> detail = admin(2, "GET", "/admin/rooms/" + rooms.get(0), "Bearer " + TOKEN);
      assertThat(detail.statusCode()).isEqualTo(200);
      JsonObject room0 = new JsonObject(detail.body());
      assertThat(room0.getString("roomSid")).isNotBlank();
      JsonArray members = room0.getJsonArray("peers");
      assertThat(members).hasSize(2);
      assertThat(admin(2, "GET", "/admin/rooms/" + room("none"), "Bearer " + TOKEN).statusCode()).isEqualTo(404);

      // WHEN node 2 removes the first peer of room 0
      String removed = members.getJsonObject(0).getString("sessionId");
      assertThat(admin(2, "DELETE", "/admin/rooms/" + rooms.get(0) + "/peers/" + removed, "Bearer " + TOKEN)
          .statusCode()).isEqualTo(204);
      // THEN both get stop; the partner stays, and a newcomer pairs with it
      peers.get(0).expect("stop", rooms.get(0));
      peers.get(1).expect("stop", rooms.get(0));
      TestPeer z = cluster.connect("z", 2);
      peers.add(z);
      z.join(rooms.get(0));
      z.expectNotification("joined", rooms.get(0));
      peers.get(1).expect("start", rooms.get(0));
      assertThat(admin(2, "DELETE", "/admin/rooms/" + rooms.get(0) + "/peers/" + removed, "Bearer " + TOKEN)
          .statusCode()).isEqualTo(404);

      // WHEN node 0 deletes room 1
      assertThat(admin(0, "DELETE", "/admin/rooms/" + rooms.get(1), "Bearer " + TOKEN).statusCode()).isEqualTo(204);
      // THEN both its peers get stop, and the room is gone
      peers.get(2).expect("stop", rooms.get(1));
      peers.get(3).expect("stop", rooms.get(1));
      assertThat(admin(0, "GET", "/admin/rooms/" + rooms.get(1), "Bearer " + TOKEN).statusCode()).isEqualTo(404);
      assertThat(admin(0, "DELETE", "/admin/rooms/" + rooms.get(1), "Bearer " + TOKEN).statusCode()).isEqualTo(404);
      Await.until(DELIVERED, "room 1's life delivered", () -> receiver.finished(rooms.get(1), 1));
      assertThat(reasons(rooms.get(1))).containsExactly("removed", "removed", "removed");

      // AND every member is listed with its figures
      HttpResponse<String> nodes = admin(1, "GET", "/admin/nodes", "Bearer " + TOKEN);
      assertThat(nodes.statusCode()).isEqualTo(200);
      JsonArray list = new JsonObject(nodes.body()).getJsonArray("nodes");
      assertThat(list).hasSize(3);
      for (Object n : list) {
        assertThat(((JsonObject) n).fieldNames()).contains("node", "connections", "rooms", "warming", "draining");
      }
      noBadDeliveries();
    } finally {
      peers.forEach(TestPeer::abort);
    }
  }

  private HttpResponse<String> admin(int node, String method, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.node(node).managementBase() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(3)
  void aReceiverRefusingAThirdOfDeliveries_getsEveryLifeComplete_andInOrder() {
    // GIVEN a receiver that answers 503 to every third delivery
    receiver.refuseEvery(3);
    List<String> rooms = new ArrayList<>();
    try {
      // WHEN six calls across nodes start and end
      for (int i = 0; i < 6; i++) {
        String r = room("refused-" + i);
        rooms.add(r);
        TestPeer x = cluster.connect("rx" + i, i % 3);
        TestPeer y = cluster.connect("ry" + i, (i + 1) % 3);
        try {
          Calls.pair(x, y, r);
          x.leave(r);
          y.expect("stop", r);
          y.leave(r);
        } finally {
          x.abort();
          y.abort();
        }
      }
      // THEN every life arrives whole and in order
      Await.until(DELIVERED, "six lives delivered through refusals",
          () -> rooms.stream().allMatch(r -> receiver.finished(r, 1)));
      for (String r : rooms) {
        assertThat(receiver.events(r)).hasSize(8);
      }
      assertThat(receiver.refused()).isPositive();
      noBadDeliveries();
    } finally {
      receiver.refuseEvery(0);
    }
  }

  @Test
  @Order(4)
  void aNodeSigkilledWhileTheReceiverIsDown_losesNoEvent_andItsPeersLeaveOnceAsNodeLost() throws Exception {
    // GIVEN the receiver down, and calls between node 2 and the others
    receiver.stop();
    long down = System.nanoTime();
    List<String> completed = new ArrayList<>();
    List<TestPeer> peers = new ArrayList<>();
    List<String> lost = List.of(room("lost-0"), room("lost-1"));
    try {
      TestPeer g = cluster.connect("g", 2);
      TestPeer h = cluster.connect("h", 0);
      TestPeer i = cluster.connect("i", 1);
      TestPeer j = cluster.connect("j", 2);
      peers.addAll(List.of(g, h, i, j));
      Calls.pair(g, h, lost.get(0));
      Calls.pair(i, j, lost.get(1));
      // AND whole lives that end while the receiver is down, until node 2 holds some of their events
      for (int n = 0; n < 30 && (n < 6 || cluster.node(2).gauge("signaling_webhook_backlog") == 0); n++) {
        String r = room("during-" + n);
        completed.add(r);
        TestPeer x = cluster.connect("dx" + n, n % 3);
        TestPeer y = cluster.connect("dy" + n, (n + 1) % 3);
        try {
          Calls.pair(x, y, r);
          x.leave(r);
          y.expect("stop", r);
          y.leave(r);
        } finally {
          x.abort();
          y.abort();
        }
      }
      assertThat(cluster.node(2).gauge("signaling_webhook_backlog")).as("events waiting on node 2").isPositive();

      // WHEN node 2 is SIGKILLed, its peers' partners leave, and the receiver comes back after 15 s
      cluster.node(2).signal("KILL");
      h.expect("stop", lost.get(0));
      i.expect("stop", lost.get(1));
      h.leave(lost.get(0));
      i.leave(lost.get(1));
      long outage = Duration.ofNanos(System.nanoTime() - down).toMillis();
      if (outage < 15_000) {
        Thread.sleep(15_000 - outage); // the scenario: the receiver stays down for 15 s
      }
      receiver.start();

      // THEN every life arrives whole and in order, node 2's events included
      Await.until(DELIVERED, "every life delivered after the outage", () ->
          completed.stream().allMatch(r -> receiver.finished(r, 1)) && lost.stream().allMatch(r -> receiver.finished(r, 1)));
      for (String r : completed) {
        assertThat(receiver.events(r)).as(r).hasSize(8);
      }
      for (String r : lost) {
        assertThat(receiver.events(r)).as(r).containsExactly("room_started", "peer_joined", "peer_joined",
            "call_started", "call_ended", "peer_left", "peer_left", "room_finished");
        assertThat(reasons(r)).as(r).containsExactly("node_lost", "node_lost", "leave");
      }
      noBadDeliveries();
    } finally {
      peers.forEach(TestPeer::abort);
    }
  }
}
