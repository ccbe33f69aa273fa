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
        // the bound a node process gets: only a node that is really stuck reaches it, even on a loaded machine
        nodes.add(SignalingNode.start(settings).toCompletionStage().toCompletableFuture()
            .get(NodeProcess.READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
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
  /** Ports below the system's ephemeral range, which no outgoing connection is ever given as its own. */
  private static final int[] RANGE = belowEphemeralPorts();

  /**
   * A free port for a node to bind later, never one handed out before in this JVM, and below the system's
   * ephemeral port range: a port taken from that range can be given to another process's outgoing connection
   * in the seconds before a starting node binds it (a node then failed to start).
   */
  public static int freePort() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(RANGE[0], RANGE[1]);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new java.net.InetSocketAddress(port));
      } catch (IOException taken) {
        continue;
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + RANGE[0] + "-" + RANGE[1]);
  }

  private static int[] belowEphemeralPorts() {
    int low = 32768;
    try {
      // readAllLines, not readString: a /proc file reports size 0, and readString then returns only its first
      // byte ("3" for "32768 60999"), which put every test port in 1024-2048 and let nodes' ports overlap
      String range = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
          .get(0);
      int first = Integer.parseInt(range.trim().split("\\s+")[0]);
      if (first >= 4096) { // a range starting lower leaves too few ports below it: keep the usual default
        low = first;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the usual default
    }
    int top = Math.max(2048, low);
    return new int[] {Math.max(1024, top - 12_000), top};
  }
}
