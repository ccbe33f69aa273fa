package io.signaling.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signaling.cluster.config.ClusterSettings;
import io.signaling.node.ops.MicrometerSignalingMetrics;
import io.signaling.node.support.TestCluster;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stop asked for while a node still joins its cluster ends the start-up: nothing served, the cluster left. */
class LifecycleTest {

  @Test
  void aStopWhileTheNodeJoins_endsTheStartUp_servesNothing_andCompletesTheStop() throws Exception {
    // GIVEN a node starting (a cluster of its own on loopback)
    int hz = TestCluster.freePort();
    int http = TestCluster.freePort();
    NodeSettings settings = NodeSettings.forCluster(ClusterSettings.loopback("lifecycle-" + UUID.randomUUID(), hz,
        List.of("127.0.0.1:" + hz))).withHttpPort(http);
    Lifecycle lifecycle = new Lifecycle();
    var started = SignalingNode.start(settings, new MicrometerSignalingMetrics(), lifecycle)
        .toCompletionStage().toCompletableFuture();
    // WHEN a stop signal comes while it joins
    var stopped = lifecycle.stop().toCompletionStage().toCompletableFuture();
    // THEN the start-up ends, saying it was stopped, and the stop completes (the process may exit)
    assertThatThrownBy(() -> started.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StartupException.class).hasMessageContaining("stopped during start-up");
    stopped.get(10, TimeUnit.SECONDS);
    assertThat(lifecycle.stopRequested()).isTrue();
    // AND nothing serves clients on its port
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", http), 2000);
      }
    }).isInstanceOf(ConnectException.class);
  }
}
