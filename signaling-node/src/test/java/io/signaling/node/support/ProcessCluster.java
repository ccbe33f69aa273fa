package io.signaling.node.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Several node processes from the runnable jar forming one cluster (static discovery on loopback), started all at
 * once (warm-up off, see {@link NodeProcess}); started when every node is ready and sees every member.
 */
public final class ProcessCluster implements AutoCloseable {

  private final List<NodeProcess> nodes;

  private ProcessCluster(List<NodeProcess> nodes) {
    this.nodes = nodes;
  }

  public static ProcessCluster start(int size, Map<String, String> env) {
    String name = "proc-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(TestCluster.freePort());
    }
    String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      nodes.add(NodeProcess.start("node" + (i + 1), TestCluster.freePort(), env, "--cluster-name", name,
          "--cluster-discovery", "static", "--cluster-port", Integer.toString(ports.get(i)),
          "--cluster-members", members));
    }
    ProcessCluster cluster = new ProcessCluster(nodes);
    try {
      nodes.forEach(NodeProcess::awaitReady);
      // ready is not joined: on a starved machine two members that start together can each suspect the other
      // (a 2 s failure timeout) and report ready as clusters of their own until the split-brain merge joins them
      nodes.forEach(n -> n.awaitMembers(size, NodeProcess.READY_TIMEOUT));
    } catch (RuntimeException | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public NodeProcess node(int index) {
    return nodes.get(index);
  }

  public int size() {
    return nodes.size();
  }

  /**
   * Replaces node {@code index}, which must have exited, by a new process with its original arguments (same
   * ports and cluster settings), and waits until that one is ready.
   */
  public NodeProcess restart(int index) {
    NodeProcess next = nodes.get(index).restart();
    nodes.set(index, next);
    return next.awaitReady();
  }

  public TestPeer connect(String name, int index) {
    return TestPeer.connect(name, nodes.get(index).url());
  }

  @Override
  public void close() {
    for (NodeProcess n : nodes) {
      if (n.process().isAlive()) {
        n.signal("CONT");
      }
      n.close();
    }
  }
}
