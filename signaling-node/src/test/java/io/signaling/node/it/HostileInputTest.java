package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signaling.node.ByteBudgets;
import io.signaling.node.Limits;
import io.signaling.node.support.Await;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Oversized, flooding, greedy, idle and non-reading clients on a 2-node cluster with small limits: each gets
 * its precise answer or close code, and a pair of well-behaved peers keeps working throughout.
 */
class HostileInputTest {

  private static final int RATE = 50;
  private static final int BURST = 100;
  private static final int CLOSE_AFTER = 30;
  private static final int MAX_ROOMS = 3;
  private static final int MAX_CONNECTIONS = 6;
  private static TestCluster cluster;
  /**
   * One node with generous message and byte rates but few connections per address, a 2 s idle timeout, a small
   * write queue.
   */
  private static TestCluster strict;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2, s -> s.withLimits(new Limits(RATE, BURST, CLOSE_AFTER, MAX_ROOMS,
        0, 0, 256 * 1024, 3600)));
    // generous byte budgets too: the slow-reader test sends far more than the default budgets let through
    strict = TestCluster.start(1, s -> s.withLimits(new Limits(100_000, 100_000, 1_000, 16,
        MAX_CONNECTIONS, 2, 256 * 1024, 3600, new ByteBudgets(1 << 30, 1 << 30, 0, 1 << 30))));
  }

  @AfterAll
  static void stop() {
    cluster.close();
    strict.close();
  }

  /** A well-behaved pair across the nodes, to check that bystanders keep working. */
  private static void bystandersStillWork() {
    try (TestPeer a = cluster.connect("bystander-A", 0); TestPeer b = cluster.connect("bystander-B", 1)) {
      String room = "bystanders-" + System.nanoTime();
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
          .put("sdp", "v=0"));
      assertThat(b.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0");
    }
  }

  @Test
  void anOversizedMessage_closesTheSocketWith1009_andNothingElseIsAffected() {
    TestPeer big = cluster.connect("big", 0);
    String sdp = "x".repeat(200 * 1024);
    big.send("{\"command\":\"takeConfiguration\",\"streamId\":\"r\",\"type\":\"offer\",\"sdp\":\"" + sdp + "\"}");
    assertThat(big.awaitClose()).isEqualTo(1009);
    bystandersStillWork();
  }

  @Test
  void aMessageOf80KiB_isAccepted() {
    try (TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      String room = "big-sdp-" + System.nanoTime();
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      String sdp = "v=0\r\n" + "a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n".repeat(80 * 1024 / 40 + 10);
      assertThat(sdp.length()).isGreaterThan(80 * 1024);
      a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
          .put("sdp", sdp));
      assertThat(b.expect("takeConfiguration", room).getString("sdp")).isEqualTo(sdp);
    }
  }

  @Test
  void anOversizedMessageInFragments_isBoundedTheSameWay() throws Exception {
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(cluster.url(0)), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
          }
        }).get(10, TimeUnit.SECONDS);
    String part = "y".repeat(32 * 1024);
    ws.sendText("{\"command\":\"ping\",\"pad\":\"", false).join();
    try {
      for (int i = 0; i < 8 && !closed.isDone(); i++) {
        ws.sendText(part, false).join();
      }
      ws.sendText("\"}", true).join();
    } catch (Exception e) {
      // the server may close while fragments are still being sent
    }
    assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
    bystandersStillWork();
  }

  @Test
  void aFlood_isRateLimited_thenClosedWith1008_whileOthersKeepWorking() {
    try (TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      String room = "flood-" + System.nanoTime();
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      long floodStart = System.nanoTime();
      TestPeer flooder = cluster.connect("flooder", 0);
      int sent = 0;
      while (!flooder.isClosed() && sent < 5_000) {
        try {
          flooder.send("{\"command\":\"ping\"}");
        } catch (RuntimeException e) {
          break;
        }
        sent++;
      }
      assertThat(flooder.awaitClose()).isEqualTo(1008);
      double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
      // everything the node answered came before its close frame, so it is all here now
      int pongs = 0;
      int limited = 0;
      for (JsonObject m : flooder.drainReceived()) {
        if ("pong".equals(m.getString("command"))) {
          pongs++;
        } else {
          assertThat(m.getString("definition")).isEqualTo("rateLimitExceeded");
          limited++;
        }
      }
      // the bucket starts full and refills at RATE per second for as long as the flood lasted (however long
      // this machine took): no more pongs than that, and the full burst first
      assertThat(pongs).isBetween(BURST, BURST + (int) Math.ceil(RATE * (floodSeconds + 1)));
      assertThat(limited).isGreaterThanOrEqualTo(CLOSE_AFTER - 1);
      // the pair on the same node is unaffected
      a.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room).put("definition", "d")
          .put("data", "still here"));
      assertThat(b.expect("peerMessageCommand", room).getString("data")).isEqualTo("still here");
    }
  }

  @Test
  void joiningMoreRoomsThanAllowed_isAnsweredTooManyRooms() {
    try (TestPeer a = cluster.connect("A", 0)) {
      String prefix = "rooms-" + System.nanoTime() + "-";
      for (int i = 0; i < MAX_ROOMS; i++) {
        a.joined(prefix + i);
      }
      a.join(prefix + MAX_ROOMS);
      a.expectError("tooManyRooms", prefix + MAX_ROOMS);
      a.leave(prefix + 0);
      a.expectNotification("leaved", prefix + 0);
      a.joined(prefix + MAX_ROOMS);
    }
  }

  @Test
  void moreConnectionsFromOneAddressThanAllowed_areRefusedBeforeTheUpgrade_untilOneCloses() {
    List<TestPeer> peers = new ArrayList<>();
    try {
      // GIVEN as many WebSockets from this address as allowed, each working
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        TestPeer p = strict.connect("conn" + i, 0);
        peers.add(p);
        p.send("{\"command\":\"ping\"}");
        p.expect("pong", null);
      }
      // WHEN one more connects from the same address
      // THEN the node closes it at accept: the WebSocket handshake never completes
      assertThatThrownBy(() -> peers.add(strict.connect("one-too-many", 0))).isInstanceOf(AssertionError.class)
          .hasMessageContaining("could not connect");
      // AND a slot frees up when a connection closes
      peers.get(0).close();
      peers.remove(0);
      Await.until(Duration.ofSeconds(10), "a connection slot frees up", () -> {
        try (TestPeer p = strict.connect("again", 0)) {
          p.send("{\"command\":\"ping\"}");
          return "pong".equals(p.next().getString("command"));
        } catch (AssertionError stillFull) {
          return false;
        }
      });
    } finally {
      peers.forEach(TestPeer::close);
    }
  }

  @Test
  void anIdleSocket_isClosedWith4000_whileAPingingOneStaysOpen() throws Exception {
    // GIVEN the strict node closes sockets silent for 2 s; "busy" pings every 250 ms (8 pings per idle
    // period, so a late ping on a busy machine still keeps it well inside the limit), "idle" sends nothing
    TestPeer idle = strict.connect("idle", 0);
    TestPeer busy = strict.connect("busy", 0);
    ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger pings = new AtomicInteger();
    try {
      pinger.scheduleWithFixedDelay(() -> {
        busy.send("{\"command\":\"ping\"}");
        pings.incrementAndGet();
      }, 0, 250, TimeUnit.MILLISECONDS);
      // WHEN the idle timeout passes (awaitClose waits 10 s: five idle periods)
      int code = idle.awaitClose();
      pinger.shutdown();
      assertThat(pinger.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      // THEN the idle socket was closed with 4000, and the pinging one is open: it got a pong for every
      // ping, and nothing else
      assertThat(code).isEqualTo(4000);
      assertThat(busy.isClosed()).isFalse();
      for (int i = 0; i < pings.get(); i++) {
        busy.expect("pong", null);
      }
      busy.expectNothingFromItsNode();
    } finally {
      pinger.shutdownNow();
      idle.close();
      busy.close();
    }
  }

  @Test
  void aClientThatDoesNotRead_isClosed_andItsPartnerGetsStop() throws Exception {
    // GIVEN B never reads (it requests no frames), paired with A
    String room = "slow-" + System.nanoTime();
    try (TestPeer a = strict.connect("A", 0)) {
      a.joined(room);
      WebSocket slow = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create(strict.url(0)), new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
              // request nothing: the server's writes back up
            }
          }).get(10, TimeUnit.SECONDS);
      slow.sendText("{\"command\":\"join\",\"streamId\":\"" + room + "\",\"mode\":\"both\"}", true).join();
      a.expect("start", room);
      // WHEN A sends far more than B's write queue holds
      String sdp = "z".repeat(60 * 1024);
      JsonObject stop = null;
      for (int i = 0; i < 2_000 && stop == null; i++) {
        a.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room).put("definition", "d")
            .put("data", sdp));
        if (i % 20 == 19) {
          for (JsonObject m : a.barrier()) {
            if ("stop".equals(m.getString("command"))) {
              stop = m;
            }
          }
        }
      }
      // THEN the node closed B and A was told stop: memory stays bounded
      assertThat(stop).as("partner told stop after the slow reader was closed").isNotNull();
      slow.abort();
    }
  }
}
