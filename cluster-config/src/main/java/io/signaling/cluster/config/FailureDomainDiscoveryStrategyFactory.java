package io.signaling.cluster.config;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import com.hazelcast.spi.partitiongroup.PartitionGroupStrategy;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A discovery plugin that finds members as its delegate does and reports the configured failure domain as this
 * member's metadata.
 *
 * <p>Hazelcast copies a discovery plugin's local metadata over the member's attributes when it starts, after the
 * configured member attributes were set. Its Kubernetes plugin reports the node name and zone as
 * {@code "unknown"} in DNS mode (and in API mode when it may not read the Node object): every member would then
 * sit in one partition group, and Hazelcast would split that group arbitrarily, putting backups wherever it
 * likes. Wrapping the plugin keeps the values this node was configured with.
 */
final class FailureDomainDiscoveryStrategyFactory implements DiscoveryStrategyFactory {

  private final DiscoveryStrategyFactory delegate;
  private final Map<String, String> metadata;

  FailureDomainDiscoveryStrategyFactory(DiscoveryStrategyFactory delegate, Map<String, String> metadata) {
    this.delegate = delegate;
    this.metadata = Map.copyOf(metadata);
  }

  /**
   * A type of its own: Hazelcast picks, for a strategy configuration, the first factory whose strategy type has
   * the configured factory's strategy type name, and looks at the factories found on the class path (Hazelcast's
   * own Kubernetes factory among them) before the configured ones. With the delegate's type it would use the
   * plain plugin.
   */
  @Override
  public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
    return Strategy.class;
  }

  /** The factory this one wraps. */
  DiscoveryStrategyFactory delegate() {
    return delegate;
  }

  @Override
  public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode node, ILogger logger,
      Map<String, Comparable> properties) {
    return new Strategy(delegate.newDiscoveryStrategy(node, logger, properties), metadata);
  }

  @Override
  public Collection<PropertyDefinition> getConfigurationProperties() {
    return delegate.getConfigurationProperties();
  }

  @Override
  public boolean isAutoDetectionApplicable() {
    return false;
  }

  @Override
  public DiscoveryStrategyLevel discoveryStrategyLevel() {
    return delegate.discoveryStrategyLevel();
  }

  /** The delegate's strategy, with the configured metadata laid over what it discovers about this member. */
  static final class Strategy implements DiscoveryStrategy {
    private final DiscoveryStrategy delegate;
    private final Map<String, String> metadata;

    Strategy(DiscoveryStrategy delegate, Map<String, String> metadata) {
      this.delegate = delegate;
      this.metadata = metadata;
    }

    @Override
    public void start() {
      delegate.start();
    }

    @Override
    public Iterable<DiscoveryNode> discoverNodes() {
      return delegate.discoverNodes();
    }

    @Override
    public void destroy() {
      delegate.destroy();
    }

    @Override
    public PartitionGroupStrategy getPartitionGroupStrategy(Collection<? extends Member> allMembers) {
      return delegate.getPartitionGroupStrategy(allMembers);
    }

    @Override
    public Map<String, String> discoverLocalMetadata() {
      Map<String, String> merged = new HashMap<>(delegate.discoverLocalMetadata());
      merged.putAll(metadata);
      return merged;
    }

    @Override
    public void markEndpointAsUnhealthy(Address address) {
      delegate.markEndpointAsUnhealthy(address);
    }

    @Override
    public Set<Address> getUnhealthyEndpoints() {
      return delegate.getUnhealthyEndpoints();
    }
  }
}
