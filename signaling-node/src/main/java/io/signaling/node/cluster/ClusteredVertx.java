package io.signaling.node.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxBootstrapImpl;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.cluster.ClusterManager;

/** Starts the clustered Vert.x instance of a node, with sends to inboxes routed by {@link InboxNodeSelector}. */
public final class ClusteredVertx {

  private ClusteredVertx() {
  }

  public static Future<Vertx> start(VertxOptions options, ClusterManager clusterManager) {
    VertxBootstrap bootstrap = VertxBootstrap.create().options(options).clusterManager(clusterManager);
    ((VertxBootstrapImpl) bootstrap).clusterNodeSelector(new InboxNodeSelector());
    return bootstrap.init().clusteredVertx();
  }
}
