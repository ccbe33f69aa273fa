package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.SignalingNode;
import io.signaling.node.cluster.ClusterTraffic;
import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.NodeMetrics;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An idle cluster's chatter is flat: what a member sends to the others, counted by the node-to-node traffic
 * counters it exports at {@code /metrics}, stays under a small fixed number of messages per second at 2 and at
 * 4 nodes (Hazelcast's heartbeat, one per second to each other member, the event bus's ping, the master's
 * periodic partition and member lists). It used to be hundreds per second, growing with the cluster: a check of
 * the member's safety every 500 ms asked the backups of every partition it owned for their replica versions.
 * The readiness document's safety fields stay meaningful: {@code memberSafe} turns true once the partitions
 * settle, and {@code safetyChecks} stands still while nothing changes.
 */
class IdleClusterTrafficTest {

  /** Messages per second one idle member may send to the others: at 4 nodes it needs about 6 (see above). */
  private static final double MAX_MESSAGES_PER_SECOND = 15;
  private static final Duration WINDOW = Duration.ofSeconds(3);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void anIdleMember_sendsFewMessagesPerSecond_atFourNodesAndAtTwo_andItsSafetyIsCheckedOnlyAfterAChange()
      throws Exception {
    try (TestCluster cluster = TestCluster.start(4)) {
      // GIVEN four members whose partitions have settled, every two of which have carried a call (so the event
      // bus's connections between them are open, and ping)
      Await.until(Duration.ofSeconds(30), "every member is safe", () -> allSafe(cluster, 4));
      for (int i = 0; i < 4; i++) {
        for (int j = i + 1; j < 4; j++) {
          String room = "idle-" + i + "-" + j;
          try (TestPeer first = cluster.connect("a" + i + j, i); TestPeer second = cluster.connect("b" + i + j, j)) {
            Calls.pair(first, second, room);
            Calls.relays(first, second, room, "offer");
            Calls.relays(second, first, room, "answer");
            first.leave(room);
            second.expect("stop", room);
          }
        }
      }
      Await.until(Duration.ofSeconds(30), "every member is safe after the calls", () -> allSafe(cluster, 4));

      // WHEN it stays idle for a few seconds
      // THEN each member sent the others at most a few messages per second, and checked its safety not once
      idleMembersSendLittle(cluster, 4);

      // WHEN two members are lost
      int checks = health(cluster.node(0)).getInteger("safetyChecks");
      cluster.node(3).closeAbruptly().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      cluster.node(2).closeAbruptly().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      // THEN the others check their safety again, and report safe once the lost replicas are copied anew
      Await.until(Duration.ofSeconds(30), "the remaining members are safe again", () -> allSafe(cluster, 2));
      assertThat(health(cluster.node(0)).getInteger("safetyChecks")).as("checks after the loss").isGreaterThan(checks);

      // WHEN the two left stay idle, THEN the same holds at two members
      idleMembersSendLittle(cluster, 2);

      // AND /health/safe checks when asked (for a caller that needs a check begun after its own writes)
      int before = health(cluster.node(1)).getInteger("safetyChecks");
      HttpResponse<String> safe = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + cluster.node(1).managementPort() + "/health/safe")).timeout(Duration.ofSeconds(15)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(safe.statusCode()).as("/health/safe of a settled member").isEqualTo(200);
      assertThat(new JsonObject(safe.body()).getInteger("safetyChecks")).isEqualTo(before + 1);
    }
  }

  /** Over {@link #WINDOW}, each of the first {@code size} members sends few messages and runs no safety check. */
  private static void idleMembersSendLittle(TestCluster cluster, int size)
      throws java.io.IOException, InterruptedException {
    List<long[]> before = new ArrayList<>();
    List<Integer> checksBefore = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      before.add(sent(cluster.node(i)));
      checksBefore.add(health(cluster.node(i)).getInteger("safetyChecks"));
    }
    long started = System.nanoTime();
    TimeUnit.MILLISECONDS.sleep(WINDOW.toMillis()); // a measurement window, not a wait for a condition
    double seconds = (System.nanoTime() - started) / 1e9;
    for (int i = 0; i < size; i++) {
      long[] after = sent(cluster.node(i));
      long messages = after[0] - before.get(i)[0];
      double perSecond = messages / seconds;
      System.out.printf("idle traffic: node %d of %d sent %.1f messages/s, %.0f bytes/s%n", i, size, perSecond,
          (after[1] - before.get(i)[1]) / seconds);
      assertThat(perSecond).as("messages/s node %d of %d sent to the others (%d in %.1f s, %d bytes)", i, size,
          messages, seconds, after[1] - before.get(i)[1]).isLessThanOrEqualTo(MAX_MESSAGES_PER_SECOND);
      // AND the readiness document still says safe, without having checked again
      JsonObject h = health(cluster.node(i));
      assertThat(h.getBoolean("memberSafe")).as("memberSafe of node %d", i).isTrue();
      assertThat(h.getInteger("safetyChecks")).as("safety checks of node %d while idle", i)
          .isEqualTo(checksBefore.get(i));
    }
    // AND /metrics exports the same counts, also after a garbage collection (Micrometer holds what a function
    // counter reads only weakly: a counter whose source was collected reads 0)
    System.gc();
    long hazelcastSent = cluster.node(0).cluster().traffic().hazelcastSent().messages();
    long eventBusReceived = cluster.node(0).cluster().traffic().eventBusReceived().bytes();
    NodeMetrics metrics = NodeMetrics.scrape("http://127.0.0.1:" + cluster.node(0).managementPort(),
        Duration.ofSeconds(5));
    assertThat(value(metrics, "signaling_cluster_traffic_messages_total{direction=\"sent\",layer=\"hazelcast\"}"))
        .as("hazelcast messages sent, at /metrics").isPositive().isGreaterThanOrEqualTo(hazelcastSent);
    assertThat(value(metrics, "signaling_cluster_traffic_bytes_total{direction=\"received\",layer=\"eventbus\"}"))
        .as("event-bus bytes received, at /metrics").isPositive().isGreaterThanOrEqualTo(eventBusReceived);
    assertThat(metrics.text()).as("the process's CPU time, for CPU per call from the metrics alone")
        .containsPattern("(?m)^signaling_process_cpu_seconds_total [0-9.eE+-]+$");
  }

  private static long value(NodeMetrics scrape, String series) {
    return (long) scrape.series(series).orElseThrow(() -> new AssertionError(series + " not at /metrics"));
  }

  /** The first {@code count} nodes see {@code count} members and report themselves safe. */
  private static boolean allSafe(TestCluster cluster, int count) {
    for (int i = 0; i < count; i++) {
      JsonObject h = health(cluster.node(i));
      if (h == null || h.getInteger("members") != count || !h.getBoolean("memberSafe")) {
        return false;
      }
    }
    return true;
  }

  /** {messages, bytes} this node has sent to other members, both layers. */
  private static long[] sent(SignalingNode node) {
    ClusterTraffic t = node.cluster().traffic();
    return new long[] {t.hazelcastSent().messages() + t.eventBusSent().messages(),
        t.hazelcastSent().bytes() + t.eventBusSent().bytes()};
  }

  private static JsonObject health(SignalingNode node) {
    try {
      return new JsonObject(get(node, "/health/ready"));
    } catch (Exception e) {
      return null;
    }
  }

  private static String get(SignalingNode node, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
