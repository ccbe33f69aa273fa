package io.signaling.node.it;

import static io.signaling.node.support.Calls.pair;
import static io.signaling.node.support.Calls.record;
import static io.signaling.node.support.Calls.relays;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.NetworkLab;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.Prerequisites;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A real network partition: three node processes in their own network namespaces, joined by veth links
 * through a bridge; node 3's link is cut and restored while every node stays reachable by its clients.
 */
class PartitionIT {

  private static final int HTTP_PORT = 5080;
  private static final int MANAGEMENT_PORT = 9000;

  @Test
  void aPartition_splitsAndHeals_withoutConflictingRoomsOrLostSubscriptions() {
    String reason = NetworkLab.unavailableReason();
    Prerequisites.require(reason == null, reason);
    String name = "partition-" + UUID.randomUUID();
    String members = "10.213.0.1:5701,10.213.0.2:5701,10.213.0.3:5701";
    List<NodeProcess> nodes = new ArrayList<>();
    List<TestPeer> peers = new ArrayList<>();
    NetworkLab lab = NetworkLab.create(3);
    try {
      for (int i = 1; i <= 3; i++) {
        nodes.add(NodeProcess.start(lab.inNamespace(i), NetworkLab.clientAddress(i), "part" + i, HTTP_PORT, MANAGEMENT_PORT,
            Map.of(), "--cluster-name", name, "--cluster-discovery", "static", "--cluster-members", members,
            "--cluster-host", NetworkLab.clusterAddress(i), "--cluster-port", "5701", "--cluster-port-count", "1",
            "--eventbus-port", "15701"));
      }
      nodes.forEach(NodeProcess::awaitReady);
      nodes.forEach(n -> n.awaitMembers(3, NodeProcess.READY_TIMEOUT));
      TestPeer a = peer(peers, "A", nodes.get(0));
      TestPeer b = peer(peers, "B", nodes.get(2));
      TestPeer c = peer(peers, "C", nodes.get(0));
      TestPeer d = peer(peers, "D", nodes.get(1));
      TestPeer e = peer(peers, "E", nodes.get(2));
      TestPeer f = peer(peers, "F", nodes.get(2));
      pair(a, b, "across");        // will be split
      pair(c, d, "majority");      // both on the majority side
      pair(e, f, "minority");      // both on the minority side

      // WHEN node 3 is cut off from the others
      long cut = System.nanoTime();
      lab.setClusterLink(3, false);
      // THEN the peers of the room that spans the cut are told stop on both sides
      a.expect("stop", "across");
      record("partition: majority-side partner told stop after "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut) + " ms");
      b.expect("stop", "across");
      record("partition: minority-side partner told stop after "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut) + " ms");
      // and each side keeps serving the pairs it has
      relays(c, d, "majority", "split: majority side still talks");
      relays(e, f, "minority", "split: minority side still talks");

      // WHEN the link comes back
      long heal = System.nanoTime();
      lab.setClusterLink(3, true);
      nodes.forEach(n -> n.awaitMembers(3, Duration.ofSeconds(60)));
      nodes.forEach(NodeProcess::awaitReady);
      record("partition: cluster whole and ready again " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heal)
          + " ms after the heal");
      // THEN the minority's client of the split room hears that room is over for it
      b.expectNotification("leaved", "across");
      // the rooms that stayed whole still talk, on both sides
      relays(c, d, "majority", "healed: majority pair");
      // the minority's own pair either kept its room (when its side held the room's data) or the room ended
      // cleanly for both (stop, then leaved) and is joinable again: never a half-known room
      e.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", "minority").put("definition", "t")
          .put("data", "healed: minority pair"));
      JsonObject first = f.next();
      if ("stop".equals(first.getString("command"))) {
        record("partition: the minority-only room could not be kept (its data was on the other side) and ended");
        f.expectNotification("leaved", "minority");
        List<JsonObject> toE = new ArrayList<>(List.of(e.next(), e.next()));
        toE.addAll(e.barrier());
        // stop and leaved, and at most an error for the relay if it came after the room ended
        assertThat(toE).extracting(m -> m.getString("command")).containsSubsequence("stop", "notification")
            .hasSizeBetween(2, 3);
        pair(e, f, "minority");
        relays(e, f, "minority", "paired again after the heal");
      } else {
        assertThat(first.getString("data")).isEqualTo("healed: minority pair");
        record("partition: the minority-only room survived the heal");
      }
      // the split room has one member (A) and takes exactly one new peer
      try (TestPeer g = TestPeer.connect("G", nodes.get(2).url()); TestPeer h = TestPeer.connect("H", nodes.get(1).url())) {
        g.join("across");
        g.expectNotification("joined", "across");
        a.expect("start", "across");
        h.join("across");
        h.expectError("NoSpaceForNewPeer", "across");
        relays(a, g, "across", "event-bus subscriptions are whole again");
      }
      // and new joins pair across the former sides
      try (TestPeer x = TestPeer.connect("X", nodes.get(2).url()); TestPeer y = TestPeer.connect("Y", nodes.get(0).url())) {
        pair(x, y, "after-heal");
        relays(y, x, "after-heal", "across the former sides");
      }
    } finally {
      peers.forEach(TestPeer::close);
      nodes.forEach(NodeProcess::close);
      lab.close();
    }
  }

  private static TestPeer peer(List<TestPeer> peers, String name, NodeProcess node) {
    TestPeer p = TestPeer.connect(name, node.url());
    peers.add(p);
    return p;
  }
}
