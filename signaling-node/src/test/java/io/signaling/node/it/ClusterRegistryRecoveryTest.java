package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.multimap.MultiMap;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * After a merge, the other side's clean-up of a node that was cut off can remove that node's event-bus
 * address and inbox registrations from the cluster's registry after Vert.x re-published them (seen in the
 * container test: "Not a member of the cluster" and NO_HANDLERS for the node that came back, so no notice
 * reached it or came back from it). The node announces both again once a merge has settled.
 */
class ClusterRegistryRecoveryTest {

  private static final String NODE_INFO = "__vertx.nodeInfo";
  private static final String SUBS = "__vertx.subs";
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aNodeWhosePresenceWasWipedFromTheRegistry_announcesItAgain_andCallsCrossToItAgain() throws Exception {
    HazelcastInstance hz = cluster.node(0).cluster().hazelcast();
    String wiped = cluster.node(1).nodeId();
    IMap<String, Object> nodeInfo = hz.getMap(NODE_INFO);
    MultiMap<String, HazelcastRegistrationInfo> subs = hz.getMultiMap(SUBS);
    assertThat(nodeInfo.containsKey(wiped)).isTrue();
    int inboxes = inboxesOf(subs, wiped).size();
    assertThat(inboxes).as("node 2's inboxes are registered").isPositive();

    // GIVEN node 2's event-bus address and inbox registrations removed from the registry, as the racing
    // clean-up leaves them
    nodeInfo.remove(wiped);
    for (Map.Entry<String, HazelcastRegistrationInfo> e : inboxesOf(subs, wiped)) {
      subs.remove(e.getKey(), e.getValue());
    }
    assertThat(inboxesOf(subs, wiped)).isEmpty();

    // WHEN node 2 re-announces itself (what it does once a merge has settled)
    cluster.node(1).reassertClusterPresence().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    // THEN the registry holds its address and every inbox again
    assertThat(nodeInfo.containsKey(wiped)).isTrue();
    assertThat(inboxesOf(subs, wiped)).hasSize(inboxes);

    // AND peers on the two nodes pair, negotiate and leave through the cluster
    try (TestPeer a = cluster.connect("A", 1); TestPeer b = cluster.connect("B", 0)) {
      String room = "registry-" + System.nanoTime();
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      a.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":0,\"id\":\"0\",\"candidate\":\"c1\"}");
      assertThat(b.expect("takeCandidate", room).getString("candidate")).isEqualTo("c1");
      b.send("{\"command\":\"takeCandidate\",\"streamId\":\"" + room + "\",\"label\":0,\"id\":\"0\",\"candidate\":\"c2\"}");
      assertThat(a.expect("takeCandidate", room).getString("candidate")).isEqualTo("c2");
      b.leave(room);
      a.expect("stop", room);
    }
  }

  private static List<Map.Entry<String, HazelcastRegistrationInfo>> inboxesOf(
      MultiMap<String, HazelcastRegistrationInfo> subs, String nodeId) {
    List<Map.Entry<String, HazelcastRegistrationInfo>> out = new ArrayList<>();
    for (Map.Entry<String, HazelcastRegistrationInfo> e : subs.entrySet()) {
      if (e.getKey().startsWith("signaling.inbox.") && e.getValue().unwrap().nodeId().equals(nodeId)) {
        out.add(e);
      }
    }
    return out;
  }
}
