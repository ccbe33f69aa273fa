package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Limits;
import io.signaling.node.support.Await;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Races that sink clustered signaling, on a real 3-node cluster, and the order of relays across nodes. */
class ClusterRaceTest {

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    // many rooms per socket and fast bursts: lift the per-connection limits for these tests
    cluster = TestCluster.start(3, s -> s.withLimits(new Limits(100_000, 100_000, 1_000, 1_000, 0, 0,
        64 << 20, 3600)));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String prefix() {
    return "race-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  }

  @Test
  void simultaneousJoinsOnDifferentNodes_giveExactlyOneStartPerRoom() throws Exception {
    // GIVEN 300 rooms, and for each two peers (20 sockets a side, each in 15 rooms) on different nodes
    int sockets = 20;
    int roomsPerSocket = 15;
    String prefix = prefix();
    List<TestPeer> left = new ArrayList<>();
    List<TestPeer> right = new ArrayList<>();
    for (int i = 0; i < sockets; i++) {
      left.add(cluster.connect("L" + i, 0));
      right.add(cluster.connect("R" + i, 1 + i % 2));
    }
    try {
      // WHEN both sides send their joins at the same instant
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2 * sockets);
      List<Future<?>> sends = new ArrayList<>();
      for (int i = 0; i < sockets; i++) {
        for (TestPeer p : List.of(left.get(i), right.get(i))) {
          int socket = i;
          sends.add(pool.submit(() -> {
            go.await();
            for (int r = 0; r < roomsPerSocket; r++) {
              p.join(prefix + socket + "-" + r);
            }
            return null;
          }));
        }
      }
      go.countDown();
      for (Future<?> f : sends) {
        f.get();
      }
      pool.shutdown();

      // THEN every socket gets joined for each of its rooms, and each room exactly one start
      Map<String, Integer> starts = new HashMap<>();
      for (TestPeer p : concat(left, right)) {
        int joined = 0;
        List<JsonObject> seen = new ArrayList<>();
        while (joined < roomsPerSocket) {
          JsonObject m = p.next();
          seen.add(m);
          if ("notification".equals(m.getString("command")) && "joined".equals(m.getString("definition"))) {
            joined++;
          }
        }
        seen.addAll(p.barrier());
        for (JsonObject m : seen) {
          assertThat(m.getString("command")).as(p.name() + " got " + m).isIn("notification", "start");
          if ("start".equals(m.getString("command"))) {
            starts.merge(m.getString("streamId"), 1, Integer::sum);
          }
        }
      }
      // a start can still be on its way from another node (the pairing node's notice): wait for every room's,
      // then take what each node has already sent with a ping barrier
      Await.until(Duration.ofSeconds(20), "every room's start arrived", () -> {
        for (TestPeer p : concat(left, right)) {
          p.drainReceived().forEach(m -> {
            assertThat(m.getString("command")).isEqualTo("start");
            starts.merge(m.getString("streamId"), 1, Integer::sum);
          });
        }
        return starts.size() >= sockets * roomsPerSocket;
      });
      for (TestPeer p : concat(left, right)) {
        for (JsonObject m : p.barrier()) {
          assertThat(m.getString("command")).isEqualTo("start");
          starts.merge(m.getString("streamId"), 1, Integer::sum);
        }
      }
      assertThat(starts).hasSize(sockets * roomsPerSocket);
      assertThat(starts.values()).containsOnly(1);
    } finally {
      concat(left, right).forEach(TestPeer::close);
    }
  }

  @Test
  void threeSimultaneousJoiners_onThreeNodes_giveExactlyOneNoSpaceForNewPeer() throws Exception {
    String prefix = prefix();
    int rooms = 40;
    List<TestPeer> peers = List.of(cluster.connect("P0", 0), cluster.connect("P1", 1), cluster.connect("P2", 2));
    try {
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<?>> sends = new ArrayList<>();
      for (TestPeer p : peers) {
        sends.add(pool.submit(() -> {
          go.await();
          for (int r = 0; r < rooms; r++) {
            p.join(prefix + r);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : sends) {
        f.get();
      }
      pool.shutdown();

      Map<String, Integer> full = new HashMap<>();
      Map<String, Integer> joined = new HashMap<>();
      Map<String, Integer> starts = new HashMap<>();
      for (TestPeer p : peers) {
        int answers = 0;
        while (answers < rooms) {
          JsonObject m = p.next();
          String room = m.getString("streamId");
          switch (m.getString("command")) {
            case "error":
              assertThat(m.getString("definition")).isEqualTo("NoSpaceForNewPeer");
              full.merge(room, 1, Integer::sum);
              answers++;
              break;
            case "notification":
              joined.merge(room, 1, Integer::sum);
              answers++;
              break;
            case "start":
              starts.merge(room, 1, Integer::sum);
              break;
            default:
              throw new AssertionError("unexpected " + m);
          }
        }
      }
      // a start can still be on its way from another node (the pairing node's notice): wait for every room's,
      // then take what each node has already sent with a ping barrier
      Await.until(Duration.ofSeconds(20), "every room's start arrived", () -> {
        for (TestPeer p : peers) {
          p.drainReceived().forEach(m -> {
            assertThat(m.getString("command")).isEqualTo("start");
            starts.merge(m.getString("streamId"), 1, Integer::sum);
          });
        }
        return starts.size() >= rooms;
      });
      for (TestPeer p : peers) {
        p.barrier().forEach(m -> {
          assertThat(m.getString("command")).isEqualTo("start");
          starts.merge(m.getString("streamId"), 1, Integer::sum);
        });
      }
      assertThat(full).hasSize(rooms);
      assertThat(full.values()).containsOnly(1);
      assertThat(joined.values()).containsOnly(2);
      assertThat(starts).hasSize(rooms);
      assertThat(starts.values()).containsOnly(1);
    } finally {
      peers.forEach(TestPeer::close);
    }
  }

  @Test
  void rapidLeaveAndRejoin_ofOneRoom_alternatingNodes_alwaysPairs() {
    // GIVEN A stays in the room on node 0
    String room = prefix() + "rejoin";
    TestPeer a = cluster.connect("A", 0);
    try {
      a.joined(room);
      for (int i = 0; i < 60; i++) {
        // WHEN a partner joins on node 1 or 2, exchanges one message and leaves at once
        try (TestPeer b = cluster.connect("B" + i, 1 + i % 2)) {
          b.join(room);
          b.expectNotification("joined", room);
          a.expect("start", room);
          a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
              .put("sdp", "v=0 #" + i));
          assertThat(b.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0 #" + i);
          b.leave(room);
          b.expectNotification("leaved", room);
          // THEN A is told stop every time and the room takes the next partner
          a.expect("stop", room);
        }
      }
      a.expectNothingFromItsNode();
    } finally {
      a.close();
    }
  }

  @Test
  void rapidJoinLeave_byTheSameSocket_withoutWaiting_isAnsweredInOrder() {
    String room = prefix() + "burst";
    TestPeer a = cluster.connect("A", 0);
    TestPeer b = cluster.connect("B", 1);
    try {
      b.joined(room);
      for (int i = 0; i < 30; i++) {
        a.join(room);
        a.leave(room);
      }
      for (int i = 0; i < 30; i++) {
        a.expectNotification("joined", room);
        a.expectNotification("leaved", room);
      }
      a.expectNothingFromItsNode();
      // B saw 30 starts and 30 stops, strictly alternating
      for (int i = 0; i < 30; i++) {
        b.expect("start", room);
        b.expect("stop", room);
      }
      b.expectNothingFromItsNode();
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void hundredsOfCandidatesBackToBack_arriveCompleteAndInOrder_onTheOtherNode() {
    String room = prefix() + "order";
    TestPeer a = cluster.connect("A", 0);
    TestPeer b = cluster.connect("B", 2);
    try {
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      int n = 800;
      for (int i = 0; i < n; i++) {
        a.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":" + (i % 3)
            + ",\"id\":\"" + (i % 3) + "\",\"candidate\":\"candidate:" + i + " 1 udp 2122260223 127.0.0.1 " + (40000 + i)
            + " typ host\"}");
        b.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":0,\"id\":\"0\",\"candidate\":\"b" + i + "\"}");
      }
      for (int i = 0; i < n; i++) {
        JsonObject m = b.expect("takeCandidate", room);
        assertThat(m.getString("candidate")).startsWith("candidate:" + i + " ");
        assertThat(m.getInteger("label")).isEqualTo(i % 3);
        JsonObject back = a.expect("takeCandidate", room);
        assertThat(back.getString("candidate")).isEqualTo("b" + i);
      }
      a.expectQuiet(b, room);
      b.expectQuiet(a, room);
    } finally {
      a.close();
      b.close();
    }
  }

  private static List<TestPeer> concat(List<TestPeer> x, List<TestPeer> y) {
    List<TestPeer> all = new ArrayList<>(x);
    all.addAll(y);
    return all;
  }
}
