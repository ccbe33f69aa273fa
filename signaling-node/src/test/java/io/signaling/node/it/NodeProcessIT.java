package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.Await;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import io.signaling.node.support.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Separate node processes started from the runnable jar, as a user runs them. */
class NodeProcessIT {

  private static String[] staticCluster(String name, int port, int... members) {
    StringBuilder list = new StringBuilder();
    for (int m : members) {
      list.append(list.length() == 0 ? "" : ",").append("127.0.0.1:").append(m);
    }
    return new String[] {"--cluster-name", name, "--cluster-discovery", "static", "--cluster-port",
        Integer.toString(port), "--cluster-members", list.toString()};
  }

  @Test
  void twoProcesses_pairPeersAcrossThem_aDrainKeepsTheirCall_andASecondSigtermEndsIt() {
    String name = "it-" + UUID.randomUUID();
    int hz1 = TestCluster.freePort();
    int hz2 = TestCluster.freePort();
    try (NodeProcess n1 = NodeProcess.start("n1", TestCluster.freePort(), Map.of("SIGNALING_LOG_FORMAT", "json"),
             staticCluster(name, hz1, hz1, hz2));
         NodeProcess n2 = NodeProcess.start("n2", TestCluster.freePort(), Map.of(),
             staticCluster(name, hz2, hz1, hz2))) {
      n1.awaitReady();
      n2.awaitReady();
      try (TestPeer a = TestPeer.connect("A", n1.url()); TestPeer b = TestPeer.connect("B", n2.url())) {
        // GIVEN A on process 1 and B on process 2 in one room
        a.joined("call");
        b.join("call");
        b.expectNotification("joined", "call");
        a.expect("start", "call");
        // WHEN they negotiate
        a.send(new JsonObject().put("command", "takeConfiguration").put("streamId", "call").put("type", "offer")
            .put("sdp", "v=0\r\noffer"));
        assertThat(b.expect("takeConfiguration", "call").getString("sdp")).isEqualTo("v=0\r\noffer");
        b.send(new JsonObject().put("command", "takeConfiguration").put("streamId", "call").put("type", "answer")
            .put("sdp", "v=0\r\nanswer"));
        assertThat(a.expect("takeConfiguration", "call").getString("type")).isEqualTo("answer");
        b.send(new JsonObject().put("command", "takeCandidate").put("streamId", "call").put("label", 0)
            .put("id", "0").put("candidate", "candidate:1 1 udp 1 127.0.0.1 9 typ host"));
        assertThat(a.expect("takeCandidate", "call").getInteger("label")).isZero();

        // WHEN process 2 is told to stop (SIGTERM) while the call goes on
        n2.process().destroy();
        Await.until(Duration.ofSeconds(10), "process 2 reports not ready", () -> n2.readyStatus() == 503);
        // THEN the call keeps working and nobody is told anything
        a.send(new JsonObject().put("command", "takeCandidate").put("streamId", "call").put("label", 0)
            .put("id", "0").put("candidate", "candidate:2 1 udp 1 127.0.0.1 9 typ host"));
        assertThat(b.expect("takeCandidate", "call").getString("candidate")).startsWith("candidate:2");
        a.expectQuiet(b, "call");
        b.expectQuiet(a, "call");
        // WHEN it is told again
        long t0 = System.nanoTime();
        n2.process().destroy();
        // THEN the call it held ends as a plain shutdown: B hears server_will_stop and a 1001 close, A gets stop
        b.expectNotification("server_will_stop", null);
        a.expect("stop", "call");
        long handover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(b.awaitClose()).isEqualTo(1001);
        // at once rather than at the deadline (an hour by default; measured: tens of ms)
        assertThat(handover).as("handover ms").isLessThanOrEqualTo(10_000);
        // the JVM reports a SIGTERM exit as 128 + 15 once its shutdown hook (the drain) has finished
        assertThat(n2.terminate(Duration.ofSeconds(30))).isEqualTo(143);
        assertThat(n2.output()).contains("draining").contains("stopped");
        // the JSON log of node 1: one object per line, lifecycle events carrying the node id as a field
        List<JsonObject> lines = n1.output().lines().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
        assertThat(lines).anySatisfy(l -> {
          assertThat(l.getString("formattedMessage")).contains("ready:");
          assertThat(l.getJsonArray("kvpList").encode()).contains("\"node\"");
        });
        // and the room on the surviving node takes a new partner
        try (TestPeer c = TestPeer.connect("C", n1.url())) {
          c.join("call");
          c.expectNotification("joined", "call");
          a.expect("start", "call");
        }
      }
    }
  }

  @Test
  void localDiscovery_aSecondNodeOnAnotherPort_joinsTheSameClusterByItself() {
    String name = "local-" + UUID.randomUUID();
    int base = TestCluster.freePort();
    String[] flags = {"--cluster-name", name, "--cluster-port", Integer.toString(base), "--cluster-port-count", "3"};
    try (NodeProcess n1 = NodeProcess.start("local1", TestCluster.freePort(), Map.of(), flags);
         NodeProcess n2 = NodeProcess.start("local2", TestCluster.freePort(), Map.of(), flags)) {
      n1.awaitReady();
      n2.awaitReady();
      // ready is not joined: two nodes starting together may each form a cluster of one and merge later (merge
      // delay 5 s); the bound is the one NodeProcess gives a start
      n1.awaitMembers(2, NodeProcess.READY_TIMEOUT);
      n2.awaitMembers(2, NodeProcess.READY_TIMEOUT);
      try (TestPeer a = TestPeer.connect("A", n1.url()); TestPeer b = TestPeer.connect("B", n2.url())) {
        a.joined("local-room");
        b.join("local-room");
        b.expectNotification("joined", "local-room");
        a.expect("start", "local-room");
        b.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", "local-room")
            .put("definition", "hello").put("data", "across processes"));
        assertThat(a.expect("peerMessageCommand", "local-room").getString("data")).isEqualTo("across processes");
      }
      assertThat(n1.output() + n2.output()).containsAnyOf("with 2 member(s)", "(2 member(s))");
    }
  }

  @Test
  void anInvalidSetting_stopsTheNode_withAMessageNamingIt() throws Exception {
    try (NodeProcess n = NodeProcess.start("invalid", TestCluster.freePort(), Map.of("SIGNALING_CLUSTER_PORT", "abc"))) {
      assertThat(n.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(n.process().exitValue()).isEqualTo(1);
      assertThat(n.output()).contains("SIGNALING_CLUSTER_PORT").contains("--cluster-port");
    }
  }

  @Test
  void hostileConnections_areClosedByTheDeadline_andTheNodesOpenFilesReturnToTheirBaseline() throws Exception {
    // GIVEN a node process with a 3 s handshake deadline, its open files counted once it is ready
    int http = TestCluster.freePort();
    try (NodeProcess n = NodeProcess.start("hostile", http, Map.of(), "--cluster-name", "hostile-" + UUID.randomUUID(),
        "--cluster-port", Integer.toString(TestCluster.freePort()), "--cluster-port-count", "1",
        "--handshake-timeout-seconds", "3")) {
      n.awaitReady();
      try (TestPeer warm = TestPeer.connect("warm-up", n.url())) {
        warm.send("{\"command\":\"ping\"}");
        warm.expect("pong", null);
      }
      Await.until(Duration.ofSeconds(20), "the open-file count settles", () -> openFiles(n.pid()) < 1000);
      long baseline = openFiles(n.pid());

      // WHEN 200 connections from 4 addresses open and never send a byte, and 20 send a header byte at a time
      List<Socket> sockets = new ArrayList<>();
      long opened = System.nanoTime();
      try {
        for (int i = 0; i < 220; i++) {
          Socket s = new Socket();
          s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + i % 4)), 0));
          s.connect(new InetSocketAddress("127.0.0.1", http), 5000);
          if (i >= 200) {
            s.getOutputStream().write("GET /WebRTCAppEE/websocket HTTP/1.1\r\nHost: x\r\nX-Slow: "
                .getBytes(StandardCharsets.US_ASCII));
          }
          sockets.add(s);
        }
        // THEN the node holds them meanwhile (the count measures what it should)
        Await.until(Duration.ofSeconds(3), "the node holds them (" + baseline + " files before)",
            () -> openFiles(n.pid()) >= baseline + 150);
        // AND a well-behaved client still connects and gets answers
        try (TestPeer good = TestPeer.connect("good", n.url())) {
          good.send("{\"command\":\"ping\"}");
          good.expect("pong", null);
        }
        // AND the node closes every one of them within the deadline plus a wide margin (3 + 10 s)
        for (Socket s : sockets) {
          awaitClosed(s, opened + TimeUnit.SECONDS.toNanos(13));
        }
      } finally {
        for (Socket s : sockets) {
          s.close();
        }
      }
      // AND its open files return to their baseline
      Await.until(Duration.ofSeconds(20), "the open-file count returns to its baseline " + baseline,
          () -> openFiles(n.pid()) <= baseline + 5);
    }
  }

  /** Reads until the peer closes (end of stream or reset), writing one byte every 200 ms; fails at the limit. */
  private static void awaitClosed(Socket s, long limitNanos) throws IOException {
    s.setSoTimeout(200);
    InputStream in = s.getInputStream();
    while (true) {
      assertThat(System.nanoTime()).as("closed by the node in time").isLessThan(limitNanos);
      try {
        if (in.read() < 0) {
          return;
        }
      } catch (SocketTimeoutException quiet) {
        try {
          s.getOutputStream().write('a');
        } catch (SocketException closed) {
          return;
        }
      } catch (SocketException reset) {
        return;
      }
    }
  }

  private static long openFiles(long pid) {
    try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return files.count();
    } catch (IOException e) {
      throw new AssertionError("cannot read the open files of " + pid, e);
    }
  }
}
