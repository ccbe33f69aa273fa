package io.signaling.node.it;

import io.signaling.node.support.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The protocol across a 2-node cluster: A on node 0, B on node 1, C on node 0. */
class TwoNodeConformanceTest extends ProtocolConformance {

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2, s -> s.withIceServer(STUN, "turn-user", "turn-secret"));
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
  int nodeOfC() {
    return 0;
  }
}
