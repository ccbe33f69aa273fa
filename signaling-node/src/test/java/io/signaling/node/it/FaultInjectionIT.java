package io.signaling.node.it;

import static io.signaling.node.support.Calls.pair;
import static io.signaling.node.support.Calls.record;
import static io.signaling.node.support.Calls.relays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signaling.node.support.Await;
import io.signaling.node.support.ProcessCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Node loss on real node processes: SIGKILL, SIGSTOP/SIGCONT and SIGTERM, with peers spread across three
 * nodes. Each test records how long the surviving partner waited for {@code stop} (appended to
 * target/fault-timings.txt) and bounds it only by what the test configures plus a wide margin: the
 * product's figures under load are measured by {@code FreezeDetectionBenchmark} (docs/PERFORMANCE.md),
 * not here.
 */
class FaultInjectionIT {

  private static final int HEARTBEAT_SECONDS = 1;
  private static final int FAILURE_TIMEOUT_SECONDS = 2;
  /** Long enough never to be reached by the tests that end their calls themselves. */
  private static final int DRAIN_SECONDS = 120;
  /**
   * A silent member is removed at most one heartbeat check after the failure timeout; everything beyond
   * that is the margin for a busy machine (3 s here: more than the whole expected detection time).
   */
  private static final long DETECTION_BOUND_MILLIS = (FAILURE_TIMEOUT_SECONDS + HEARTBEAT_SECONDS + 3) * 1000L;
  private static final Map<String, String> ENV = Map.of(
      "SIGNALING_DRAIN_SECONDS", Integer.toString(DRAIN_SECONDS),
      "SIGNALING_CLUSTER_HEARTBEAT_SECONDS", Integer.toString(HEARTBEAT_SECONDS),
      "SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS", Integer.toString(FAILURE_TIMEOUT_SECONDS));

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void sigkill_partnersOnSurvivingNodesGetStop_andTheRoomTakesANewPeer() {
    try (ProcessCluster cluster = ProcessCluster.start(3, ENV);
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1);
         TestPeer c = cluster.connect("C", 2); TestPeer d = cluster.connect("D", 0)) {
      // GIVEN A (node 1) with B (node 2), and an unrelated pair C (node 3) with D (node 1)
      String room = "kill-room";
      pair(a, b, room);
      String other = "bystander-room";
      pair(c, d, other);
      // WHEN node 2 dies without a goodbye
      long t0 = System.nanoTime();
      cluster.node(1).signal("KILL");
      // THEN A is told stop: usually as soon as the dead node's sockets reset, at the latest when its
      // silence passes the failure timeout
      a.expect("stop", room);
      long detected = millisSince(t0);
      record("SIGKILL: partner told stop after " + detected + " ms");
      assertThat(detected).isLessThanOrEqualTo(DETECTION_BOUND_MILLIS);
      // and the room is joinable again from another surviving node, while the other pair never noticed
      try (TestPeer e = cluster.connect("E", 2)) {
        e.join(room);
        e.expectNotification("joined", room);
        a.expect("start", room);
        relays(a, e, room, "after the kill");
      }
      relays(c, d, other, "still here");
      c.expectQuiet(d, other);
      d.expectQuiet(c, other);
    }
  }

  @Test
  void sigstop_partnersGetStopAfterTheFailureTimeout_andTheThawedNodeDoesNotResurrectTheRoom() {
    try (ProcessCluster cluster = ProcessCluster.start(3, ENV);
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      String room = "freeze-room";
      pair(a, b, room);
      // WHEN node 2 freezes: its sockets stay open, nothing resets
      long t0 = System.nanoTime();
      cluster.node(1).signal("STOP");
      // THEN A is told stop once the frozen member's silence passes the failure timeout
      a.expect("stop", room);
      long detected = millisSince(t0);
      record("SIGSTOP: partner told stop after " + detected + " ms");
      assertThat(detected).isLessThanOrEqualTo(DETECTION_BOUND_MILLIS);
      try (TestPeer e = cluster.connect("E", 2)) {
        e.join(room);
        e.expectNotification("joined", room);
        a.expect("start", room);
        // WHEN the frozen node thaws
        long thaw = System.nanoTime();
        cluster.node(1).signal("CONT");
        // THEN its own client hears that the room it was in is over (stop, then leaved, or a close)
        JsonObject m = b.next();
        record("SIGCONT: the thawed node's client told '" + m.getString("command") + "' after " + millisSince(thaw)
            + " ms");
        assertThat(m.getString("command")).isIn("stop", "notification");
        // and once the thawed node is back in the cluster, the room handed over is as it was: A and E still
        // talk, and nobody else fits in it
        cluster.node(1).awaitMembers(3, Duration.ofSeconds(40));
        cluster.node(1).awaitReady();
        record("SIGCONT: the thawed node merged back into the cluster after " + millisSince(thaw) + " ms");
        // the room it no longer owns ends for its client: leaved, after the stop above
        b.expectNotification("leaved", room);
        relays(a, e, room, "after the thaw");
        relays(e, a, room, "and back");
        try (TestPeer f = cluster.connect("F", 1)) {
          f.join(room);
          f.expectError("NoSpaceForNewPeer", room);
        }
        a.expectQuiet(e, room);
        e.expectQuiet(a, room);
      }
    }
  }

  @Test
  void sigterm_keepsCallsGoingUntilTheyEnd_releasesIdleSocketsAtOnce_andExitsWhenTheLastCallEnds()
      throws Exception {
    try (ProcessCluster cluster = ProcessCluster.start(3, ENV);
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1);
         TestPeer c = cluster.connect("C", 2); TestPeer d = cluster.connect("D", 0);
         TestPeer idle = cluster.connect("idle", 1); TestPeer waiting = cluster.connect("waiting", 1)) {
      // GIVEN a call across the node to be drained (A on node 1, B on node 2), a call elsewhere (C, D),
      // and on node 2 a socket in no room and one waiting alone in a room
      String room = "term-room";
      pair(a, b, room);
      String other = "bystander-room";
      pair(c, d, other);
      waiting.joined("waiting-room");
      // WHEN node 2 is told to stop
      long t0 = System.nanoTime();
      cluster.node(1).process().destroy();
      // THEN the sockets in no call are told and closed at once
      idle.expectNotification("server_will_stop", null);
      assertThat(idle.awaitClose()).isEqualTo(1001);
      waiting.expectNotification("server_will_stop", null);
      assertThat(waiting.awaitClose()).isEqualTo(1001);
      record("SIGTERM: sockets in no call released after " + millisSince(t0) + " ms");
      // the node is not ready and refuses new sockets and new joins
      Await.until(Duration.ofSeconds(10), "node 2 reports not ready", () -> cluster.node(1).readyStatus() == 503);
      assertThatThrownBy(() -> cluster.connect("late", 1)).isInstanceOf(AssertionError.class);
      b.join("another-room");
      b.expectError("temporarilyUnavailable", "another-room");
      // and the call goes on: a renegotiation and candidates both ways, many times over, and nobody is told
      // anything (checked through both sides)
      for (int i = 0; i < 20; i++) {
        relays(a, b, room, "offer " + i);
        relays(b, a, room, "answer " + i);
      }
      a.expectQuiet(b, room);
      b.expectQuiet(a, room);
      assertThat(cluster.node(1).process().isAlive()).as("the drained node waits for its call").isTrue();
      record("SIGTERM: call still relaying both ways " + millisSince(t0) + " ms after the signal");
      // WHEN the call ends
      long ended = System.nanoTime();
      b.leave(room);
      b.expectNotification("leaved", room);
      a.expect("stop", room);
      // THEN its socket is released and the node exits (with the status of a SIGTERM)
      b.expectNotification("server_will_stop", null);
      assertThat(b.awaitClose()).isEqualTo(1001);
      assertThat(cluster.node(1).process().waitFor(30, TimeUnit.SECONDS)).as("exited after the last call").isTrue();
      assertThat(cluster.node(1).process().exitValue()).isEqualTo(143);
      record("SIGTERM: node exited " + millisSince(ended) + " ms after its last call ended");
      relays(c, d, other, "rooms elsewhere lose nothing");
      relays(d, c, other, "in either direction");
      try (TestPeer e = cluster.connect("E", 2)) {
        e.join(room);
        e.expectNotification("joined", room);
        a.expect("start", room);
      }
    }
  }

  @Test
  void sigterm_endsTheCallsStillHeldAtTheDrainDeadline_asAPlainShutdownWould() throws Exception {
    int drainSeconds = 3;
    Map<String, String> env = new HashMap<>(ENV);
    env.put("SIGNALING_DRAIN_SECONDS", Integer.toString(drainSeconds));
    try (ProcessCluster cluster = ProcessCluster.start(2, env);
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      // GIVEN a call across the node to be drained
      String room = "deadline-room";
      pair(a, b, room);
      // WHEN the node is told to stop and the call goes on past the drain deadline
      long t0 = System.nanoTime();
      cluster.node(1).process().destroy();
      relays(a, b, room, "still here");
      // THEN at the deadline the call ends: B is told and closed, A gets stop; never before the deadline
      b.expectNotification("server_will_stop", null);
      a.expect("stop", room);
      long stopped = millisSince(t0);
      record("SIGTERM with a " + drainSeconds + " s drain: partner told stop after " + stopped + " ms");
      assertThat(stopped).as("held until the deadline").isGreaterThanOrEqualTo(drainSeconds * 1000L);
      assertThat(b.awaitClose()).isEqualTo(1001);
      assertThat(cluster.node(1).process().waitFor(30, TimeUnit.SECONDS)).as("exited after the deadline").isTrue();
    }
  }

  @Test
  void newPairsAcrossSurvivingNodes_workWhileANodeIsDying() {
    try (ProcessCluster cluster = ProcessCluster.start(3, ENV)) {
      cluster.node(2).signal("KILL");
      // pairs across the two survivors, set up while the cluster is still detecting the loss
      long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      int pairs = 0;
      while (System.nanoTime() < deadline && pairs < 40) {
        try (TestPeer x = cluster.connect("X" + pairs, 0); TestPeer y = cluster.connect("Y" + pairs, 1)) {
          String room = "during-" + pairs;
          pair(x, y, room);
          relays(x, y, room, "hi");
        }
        pairs++;
      }
      record("during node loss: " + pairs + " new pairs across the survivors, all negotiated");
      assertThat(pairs).isPositive();
    }
  }
}
