package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Handshakes;
import io.signaling.node.Limits;
import io.signaling.node.NodeSettings;
import io.signaling.node.support.Await;
import io.signaling.node.support.NodeMetrics;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients at the connection layer, over raw TCP sockets from several loopback addresses, against a
 * 2-node cluster: connections that never send a byte, slow headers, half-finished upgrades and idle keep-alive
 * connections are closed by their deadlines; the per-address cap counts connections from accept and the
 * node-wide cap on pending handshakes refuses beyond it, counted in the metrics; a well-behaved pair across
 * the nodes keeps working throughout.
 *
 * <p>Node 0 has short deadlines (1 s handshake, 1 s keep-alive); node 1 long ones (60 s), a per-address cap
 * and a small cap on pending handshakes, so that its held connections stay open while the caps are probed.
 */
class ConnectionLayerTest {

  private static final int DEADLINE_SECONDS = 1;
  /** Wide margin over the 1 s deadlines: a closure later than this fails the test. */
  private static final Duration MARGIN = Duration.ofSeconds(10);
  /** A closed WebSocket's TCP connection may linger this long (the WebSocket closing timeout, 10 s), plus margin. */
  private static final Duration CLOSING = Duration.ofSeconds(20);
  private static final int PER_ADDRESS = 8;
  private static final int MAX_PENDING = 16;
  private static TestCluster cluster;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2, new java.util.function.UnaryOperator<>() {
      private int index;

      @Override
      public NodeSettings apply(NodeSettings s) {
        Limits d = s.limits();
        if (index++ == 0) {
          return s.withHandshakes(new Handshakes(DEADLINE_SECONDS, DEADLINE_SECONDS, 0));
        }
        return s.withHandshakes(new Handshakes(60, 60, MAX_PENDING))
            .withLimits(new Limits(d.ratePerSecond(), d.rateBurst(), d.violationsBeforeClose(),
                d.maxRoomsPerConnection(), PER_ADDRESS, d.idleTimeoutSeconds(), d.maxWriteQueueBytes(),
                d.roomMaxIdleSeconds()));
      }
    });
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @AfterEach
  void closeSockets() {
    sockets.forEach(ConnectionLayerTest::closeQuietly);
    sockets.clear();
    // every test leaves the nodes as it found them: no held connection, nothing pending (a closed WebSocket's
    // TCP connection may linger for the WebSocket closing timeout, 10 s)
    for (int n = 0; n < cluster.size(); n++) {
      int node = n;
      Await.until(CLOSING, "node " + node + " holds no client connection",
          () -> gauge(node, "signaling_tcp_connections") == 0 && gauge(node, "signaling_handshakes_pending") == 0);
    }
  }

  @Test
  void silentConnections_fromSeveralAddresses_areClosedAfterTheDeadline_andTheCountsReturnToBaseline()
      throws Exception {
    // GIVEN node 0 holding no client connection, with a 1 s handshake deadline
    double timeoutsBefore = counter(0, "signaling_connection_timeouts_total{deadline=\"handshake\"}");
    assertThat(gauge(0, "signaling_tcp_connections")).isZero();
    assertThat(gauge(0, "signaling_handshakes_pending")).isZero();

    // WHEN 40 connections from 4 loopback addresses open and never send a byte
    long opened = System.nanoTime();
    for (int a = 2; a <= 5; a++) {
      for (int i = 0; i < 10; i++) {
        sockets.add(open(0, "127.0.0." + a));
      }
    }
    Await.until(Duration.ofSeconds(5), "node 0 counts them",
        () -> gauge(0, "signaling_handshakes_pending") == 40 || gauge(0, "signaling_connection_timeouts_total") > 0);

    // THEN a well-behaved pair across the nodes works meanwhile
    pairAcrossNodes("during-silent");
    // AND every one of them is closed by the node, not before the deadline, and well within its margin
    for (Socket s : sockets) {
      assertThat(awaitClosedByServer(s, opened, null)).as("closed after (ms)")
          .isGreaterThanOrEqualTo(DEADLINE_SECONDS * 1000L - 100).isLessThan(MARGIN.toMillis());
    }
    // AND the node counts them as handshake timeouts, and holds none of them any more
    assertThat(counter(0, "signaling_connection_timeouts_total{deadline=\"handshake\"}") - timeoutsBefore)
        .isGreaterThanOrEqualTo(40);
    assertThat(gauge(0, "signaling_handshakes_pending")).isZero();
    Await.until(CLOSING, "the node's connection count returns to its baseline, 0",
        () -> gauge(0, "signaling_tcp_connections") == 0);
    pairAcrossNodes("after-silent");
  }

  @Test
  void slowHeaders_andHalfFinishedUpgrades_areClosedByTheDeadline_althoughBytesKeepArriving() throws Exception {
    // GIVEN connections that send a partial request line, a partial set of upgrade headers, and the whole
    // upgrade but for its final empty line
    List<String> starts = List.of(
        "GET /WebRTCAppEE/webso",
        "GET /WebRTCAppEE/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nX-Slow: ",
        upgradeRequest().substring(0, upgradeRequest().length() - 2));
    List<Long> openedAt = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      Socket s = open(0, "127.0.0." + (10 + i));
      s.getOutputStream().write(starts.get(i).getBytes(StandardCharsets.US_ASCII));
      sockets.add(s);
      openedAt.add(System.nanoTime());
    }
    // WHEN each keeps sending one more header byte every 200 ms
    // THEN each is closed by the node after the deadline, well within its margin
    for (int i = 0; i < sockets.size(); i++) {
      assertThat(awaitClosedByServer(sockets.get(i), openedAt.get(i), "a".getBytes(StandardCharsets.US_ASCII)))
          .as("slow connection " + i + " closed after (ms)")
          .isGreaterThanOrEqualTo(DEADLINE_SECONDS * 1000L - 100).isLessThan(MARGIN.toMillis());
    }
    // AND a well-behaved pair still works
    pairAcrossNodes("after-slow");
  }

  @Test
  void aPlainHttpKeepAliveConnection_isServed_thenClosedWhenIdle() throws Exception {
    // GIVEN a keep-alive connection to node 0 (1 s keep-alive timeout) that sends two requests in a row
    double before = counter(0, "signaling_connection_timeouts_total{deadline=\"keepalive\"}");
    Socket s = open(0, "127.0.0.20");
    sockets.add(s);
    s.setSoTimeout((int) MARGIN.toMillis());
    s.getOutputStream().write(("GET /app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
    s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    // THEN both are answered on it (the second with 404: metrics are not on the client port)
    assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 404");
    long answered = System.nanoTime();
    // WHEN it then sends nothing
    // THEN the node closes it after the keep-alive timeout, well within its margin, and counts it
    assertThat(awaitClosedByServer(s, answered, null)).as("closed after (ms)")
        .isGreaterThanOrEqualTo(DEADLINE_SECONDS * 1000L - 100).isLessThan(MARGIN.toMillis());
    Await.until(Duration.ofSeconds(5), "the keep-alive timeout is counted",
        () -> counter(0, "signaling_connection_timeouts_total{deadline=\"keepalive\"}") == before + 1);
  }

  @Test
  void thePerAddressCap_countsConnectionsBeforeAnyUpgrade() throws Exception {
    // GIVEN node 1 (cap 8 per address, 60 s deadline) holding 8 silent connections from 127.0.0.30
    double before = counter(1, "signaling_connections_refused_total{reason=\"address\"}");
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < PER_ADDRESS; i++) {
      held.add(open(1, "127.0.0.30"));
    }
    sockets.addAll(held);
    Await.until(Duration.ofSeconds(5), "node 1 holds them", () -> gauge(1, "signaling_handshakes_pending") == PER_ADDRESS);

    // WHEN a WebSocket upgrade comes from the same address
    // THEN it is refused: closed before any answer, and counted
    assertThat(upgrade(1, "127.0.0.30")).as("answer to an upgrade past the cap").isEmpty();
    assertThat(counter(1, "signaling_connections_refused_total{reason=\"address\"}") - before).isEqualTo(1);
    // AND another address is not affected
    assertThat(upgrade(1, "127.0.0.31")).startsWith("HTTP/1.1 101");
    pairAcrossNodes("during-cap");

    // WHEN one held connection closes
    closeQuietly(held.get(0));
    // THEN the address may upgrade again
    Await.until(Duration.ofSeconds(10), "an upgrade from 127.0.0.30 succeeds",
        () -> upgradeQuietly(1, "127.0.0.30").startsWith("HTTP/1.1 101"));
  }

  @Test
  void theCapOnPendingHandshakes_refusesBeyondIt_cheaply_andCountsIt() throws Exception {
    // GIVEN a WebSocket client on node 1, and node 1 (at most 16 pending) holding 16 silent connections
    double before = counter(1, "signaling_connections_refused_total{reason=\"handshakes\"}");
    try (TestPeer upgraded = cluster.connect("upgraded", 1)) {
      for (int i = 0; i < MAX_PENDING; i++) {
        sockets.add(open(1, "127.0.0." + (40 + i % 4)));
      }
      Await.until(Duration.ofSeconds(5), "node 1 holds them pending",
          () -> gauge(1, "signaling_handshakes_pending") == MAX_PENDING);

      // WHEN one more connection arrives, from a fresh address
      long t0 = System.nanoTime();
      Socket extra = open(1, "127.0.0.50");
      sockets.add(extra);
      // THEN it is closed at once, without a byte of answer, and counted
      assertThat(awaitClosedByServer(extra, t0, null)).as("refused after (ms)").isLessThan(MARGIN.toMillis());
      assertThat(counter(1, "signaling_connections_refused_total{reason=\"handshakes\"}") - before).isEqualTo(1);
      // AND the connection that is already a WebSocket keeps working
      upgraded.send("{\"command\":\"ping\"}");
      upgraded.expect("pong", null);

      // WHEN the pending ones go away
      sockets.forEach(ConnectionLayerTest::closeQuietly);
      Await.until(Duration.ofSeconds(10), "nothing pending", () -> gauge(1, "signaling_handshakes_pending") == 0);
      // THEN new connections are accepted again
      assertThat(upgrade(1, "127.0.0.50")).startsWith("HTTP/1.1 101");
      pairAcrossNodes("after-pending-cap");
    }
  }

  // --- helpers

  private static String upgradeRequest() {
    return "GET /WebRTCAppEE/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  /** A raw TCP connection to a node's client port from the given loopback address. */
  private static Socket open(int node, String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", cluster.node(node).httpPort()), 5000);
    return s;
  }

  /**
   * Sends a WebSocket upgrade from {@code from} and returns the status line of the answer, or "" when the node
   * closed the connection without answering. The connection is closed afterwards.
   */
  private static String upgrade(int node, String from) throws IOException {
    try (Socket s = open(node, from)) {
      s.setSoTimeout((int) MARGIN.toMillis());
      try {
        s.getOutputStream().write(upgradeRequest().getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
          line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
      } catch (SocketException reset) {
        return "";
      }
    }
  }

  private static String upgradeQuietly(int node, String from) {
    try {
      return upgrade(node, from);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Waits until the node closes the socket (end of stream or a reset), sending {@code drip} every 200 ms
   * meanwhile when given; returns the milliseconds from {@code since}. Fails after the margin.
   */
  private static long awaitClosedByServer(Socket s, long since, byte[] drip) throws IOException {
    long limit = since + MARGIN.toNanos();
    s.setSoTimeout(200);
    InputStream in = s.getInputStream();
    byte[] buffer = new byte[4096];
    while (System.nanoTime() < limit) {
      try {
        if (in.read(buffer) < 0) {
          break;
        }
      } catch (SocketTimeoutException quiet) {
        if (drip != null) {
          try {
            s.getOutputStream().write(drip);
          } catch (SocketException closed) {
            break;
          }
        }
      } catch (SocketException reset) {
        break;
      }
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    assertThat(elapsed).as("the node closed the connection within " + MARGIN).isLessThan(MARGIN.toMillis());
    return elapsed;
  }

  /** Reads one HTTP/1.1 response with a Content-Length; returns its head. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("response head").isNotNegative();
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = text.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
        .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst()
        .orElseThrow(() -> new AssertionError("no content-length in " + text));
    assertThat(in.readNBytes(length)).hasSize(length);
    return text;
  }

  private static void pairAcrossNodes(String room) {
    try (TestPeer a = cluster.connect("well-behaved-A", 0); TestPeer b = cluster.connect("well-behaved-B", 1)) {
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
          .put("sdp", "v=0"));
      assertThat(b.expect("takeConfiguration", room).getString("sdp")).isEqualTo("v=0");
    }
  }

  /** A series' value (all its label sets summed when none is given); 0 when absent. */
  private static double counter(int node, String series) {
    try {
      NodeMetrics metrics = NodeMetrics.scrape("http://127.0.0.1:" + cluster.node(node).managementPort(),
          Duration.ofSeconds(10));
      return series.contains("{") ? metrics.series(series).orElse(0) : metrics.sum(series);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static double gauge(int node, String series) {
    return counter(node, series);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
