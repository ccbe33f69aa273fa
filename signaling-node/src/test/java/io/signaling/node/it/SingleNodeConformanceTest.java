package io.signaling.node.it;

import io.signaling.node.support.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The protocol on one node: all peers on the same node. */
class SingleNodeConformanceTest extends ProtocolConformance {

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, s -> s.withIceServer(STUN, "turn-user", "turn-secret").withInstances(2));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Override
  TestCluster cluster() {
    return cluster;
  }

  @Override
  int nodeOfB() {
    return 0;
  }

  @Override
  int nodeOfC() {
    return 0;
  }
}
