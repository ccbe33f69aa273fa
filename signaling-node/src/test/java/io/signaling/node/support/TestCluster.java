package io.signaling.node.support;

import io.signaling.cluster.config.ClusterSettings;
import io.signaling.node.NodeSettings;
import io.signaling.node.SignalingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Several real signaling nodes in one JVM, each with its own Vert.x instance and Hazelcast member, forming
 * one cluster with a random name over loopback.
 */
public final class TestCluster implements AutoCloseable {

  private final List<SignalingNode> nodes;
  private final String clusterName;

  private TestCluster(String clusterName, List<SignalingNode> nodes) {
    this.clusterName = clusterName;
    this.nodes = nodes;
  }

  public static TestCluster start(int size) {
    return start(size, UnaryOperator.identity());
  }

  /** Starts {@code size} nodes; {@code customize} may change each node's settings. */
  public static TestCluster start(int size, UnaryOperator<NodeSettings> customize) {
    String name = "test-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(freePort());
    }
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    List<SignalingNode> nodes = new ArrayList<>();
    try {
      for (int port : ports) {
        NodeSettings settings = customize.apply(NodeSettings.forCluster(ClusterSettings.loopback(name, port, members)));
        nodes.add(SignalingNode.start(settings).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
      }
      TestCluster cluster = new TestCluster(name, nodes);
      cluster.awaitMembers(size);
      return cluster;
    } catch (Exception e) {
      nodes.forEach(n -> n.closeAbruptly());
      throw new IllegalStateException("cluster did not start", e);
    }
  }

  /** Waits until every node sees {@code count} members. */
  public void awaitMembers(int count) {
    Await.until(Duration.ofSeconds(30), "every node sees " + count + " members",
        () -> nodes.stream().allMatch(n -> n.cluster().hazelcast().getLifecycleService().isRunning()
            && n.cluster().hazelcast().getCluster().getMembers().size() == count));
  }

  public SignalingNode node(int index) {
    return nodes.get(index);
  }

  public int size() {
    return nodes.size();
  }

  public String clusterName() {
    return clusterName;
  }

  /** The WebSocket URL of node {@code index} (modulo the cluster size). */
  public String url(int index) {
    return "ws://127.0.0.1:" + nodes.get(index % nodes.size()).httpPort() + "/WebRTCAppEE/websocket";
  }

  public TestPeer connect(String name, int nodeIndex) {
    return TestPeer.connect(name, url(nodeIndex));
  }

  @Override
  public void close() {
    for (SignalingNode node : nodes) {
      try {
        node.shutdown().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        node.closeAbruptly();
      }
    }
  }

  /** Every port handed out in this JVM: a port is free when asked for, but not yet bound by what it is for. */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A free port, never one handed out before in this JVM: the ports of a cluster are taken one after another
   * before any node binds them, and the system may offer the same free port twice in that time.
   */
  public static int freePort() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free port not handed out already");
  }
}
