package io.signaling.cluster.config;

import com.hazelcast.config.Config;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.function.Consumer;

/** The one factory that turns {@link ClusterSettings} into a cluster manager and Vert.x options. */
public final class ClusterFactory {

  /** The system property that sizes {@link java.util.concurrent.ForkJoinPool#commonPool()}. */
  public static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private ClusterFactory() {
  }

  /**
   * Hazelcast completes asynchronous operations (entry processors submitted with {@code submitToKey}) on the
   * common fork-join pool only when its parallelism is above one; below, it starts a new thread per
   * completion. On a machine with one or two CPUs that caps a member at about 1,200 asynchronous operations
   * per second instead of tens of thousands (measured: docs/ARCHITECTURE.md). Call this first thing in
   * {@code main}, before anything touches the common pool; an explicit setting is kept.
   */
  public static void ensureAsyncParallelism() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  /** True when the common pool is large enough for Hazelcast's asynchronous completions. */
  public static boolean asyncParallelismOk() {
    return java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() > 1;
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
    if (!settings.eventBusHost().isEmpty()) {
      eb.setHost(settings.eventBusHost());
    }
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
