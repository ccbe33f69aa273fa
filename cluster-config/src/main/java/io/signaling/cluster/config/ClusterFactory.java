package io.signaling.cluster.config;

import com.hazelcast.config.Config;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.function.Consumer;

/** The one factory that turns {@link ClusterSettings} into a cluster manager and Vert.x options. */
public final class ClusterFactory {

  private ClusterFactory() {
  }

  /**
   * A Hazelcast cluster manager for the settings; {@code customizer} may add, for example, serializers
   * for the application's own cluster state.
   */
  public static HazelcastClusterManager clusterManager(ClusterSettings settings, Consumer<Config> customizer) {
    Config config = HazelcastConfigFactory.create(settings);
    customizer.accept(config);
    return new HazelcastClusterManager(config);
  }

  /** Applies the event bus addresses and failure detection to Vert.x options. */
  public static VertxOptions applyEventBus(ClusterSettings settings, VertxOptions options) {
    EventBusOptions eb = options.getEventBusOptions();
    eb.setHost(settings.eventBusHost());
    eb.setPort(settings.eventBusPort());
    if (!settings.eventBusPublicHost().isEmpty()) {
      eb.setClusterPublicHost(settings.eventBusPublicHost());
    }
    if (settings.eventBusPublicPort() > 0) {
      eb.setClusterPublicPort(settings.eventBusPublicPort());
    }
    eb.setClusterPingInterval(settings.eventBusPingMillis());
    eb.setClusterPingReplyInterval(settings.eventBusPingMillis());
    eb.setConnectTimeout(Math.max(1000, settings.eventBusPingMillis() * 2));
    return options;
  }
}
