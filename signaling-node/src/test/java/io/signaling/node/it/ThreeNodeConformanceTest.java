package io.signaling.node.it;

import io.signaling.node.support.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The protocol across a 3-node cluster: A, B and C each on their own node. */
class ThreeNodeConformanceTest extends ProtocolConformance {

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, s -> s.withIceServer(STUN, "turn-user", "turn-secret"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Override
  TestCluster cluster() {
    return cluster;
  }
}
