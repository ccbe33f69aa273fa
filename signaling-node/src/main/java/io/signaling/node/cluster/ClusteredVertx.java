package io.signaling.node.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxBootstrapImpl;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.cluster.ClusterManager;

/**
 * Starts the clustered Vert.x instance of a node, with sends to inboxes routed by {@link InboxNodeSelector} and its
 * event bus's wire traffic counted by {@link ClusterTraffic}.
 */
public final class ClusteredVertx {

  private ClusteredVertx() {
  }

  public static Future<Vertx> start(VertxOptions options, ClusterManager clusterManager, ClusterTraffic traffic) {
    // the metrics SPI is on only for the event bus's wire counts: every other kind of metrics is left null
    options.setMetricsOptions(new MetricsOptions().setEnabled(true));
    VertxBootstrap bootstrap = VertxBootstrap.create().options(options).clusterManager(clusterManager)
        .metricsFactory(traffic.vertxMetrics());
    ((VertxBootstrapImpl) bootstrap).clusterNodeSelector(new InboxNodeSelector());
    return bootstrap.init().clusteredVertx();
  }
}
