package io.signaling.cluster.config;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.PartitionGroupConfig.MemberGroupType;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.kubernetes.HazelcastKubernetesDiscoveryStrategyFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the Hazelcast member configuration for a {@link ClusterSettings}: one place, no XML, no silent fallback. */
public final class HazelcastConfigFactory {

  private HazelcastConfigFactory() {
  }

  public static Config create(ClusterSettings settings) {
    Config config = new Config();
    config.setClusterName(settings.clusterName());
    config.setInstanceName("signaling-" + settings.clusterName() + "-" + System.nanoTime());

    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x closes Hazelcast itself, after the event bus: Hazelcast's own hook would run too early.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", Integer.toString(settings.joinWaitSeconds()));
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(settings.heartbeatSeconds()));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(settings.failureTimeoutSeconds()));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(settings.mergeDelaySeconds()));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(settings.mergeDelaySeconds()));
    config.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    config.setProperty("hazelcast.health.monitoring.level", "OFF");
    config.getJetConfig().setEnabled(false);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port());
    network.setPortAutoIncrement(settings.portCount() > 1);
    network.setPortCount(settings.portCount());
    if (!settings.host().isEmpty()) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).addInterface(settings.host());
    }
    if (!settings.publicHost().isEmpty()) {
      network.setPublicAddress(settings.publicHost());
    }

    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    TcpIpConfig tcp = join.getTcpIpConfig();
    switch (settings.discovery()) {
      case LOCAL:
        tcp.setEnabled(true);
        for (int i = 0; i < settings.portCount(); i++) {
          tcp.addMember("127.0.0.1:" + (settings.port() + i));
        }
        break;
      case STATIC:
        tcp.setEnabled(true);
        settings.members().forEach(tcp::addMember);
        break;
      case KUBERNETES_DNS:
        kubernetes(config, settings, Map.of(
            "service-dns", settings.kubernetesServiceDns(),
            "service-dns-timeout", "5",
            "service-port", Integer.toString(settings.port())));
        break;
      case KUBERNETES_API:
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("service-name", settings.kubernetesServiceName());
        properties.put("service-port", Integer.toString(settings.port()));
        if (!settings.kubernetesNamespace().isEmpty()) {
          properties.put("namespace", settings.kubernetesNamespace());
        }
        kubernetes(config, settings, properties);
        break;
      default:
        throw new IllegalStateException("unhandled discovery mode " + settings.discovery());
    }

    FailureDomain domain = settings.failureDomain();
    domain.memberAttributes().forEach(config.getMemberAttributeConfig()::setAttribute);
    switch (domain.grouping()) {
      case NODE:
        config.getPartitionGroupConfig().setEnabled(true).setGroupType(MemberGroupType.NODE_AWARE);
        break;
      case ZONE:
        config.getPartitionGroupConfig().setEnabled(true).setGroupType(MemberGroupType.ZONE_AWARE);
        break;
      default:
        config.getPartitionGroupConfig().setEnabled(false);
        break;
    }
    return config;
  }

  /**
   * Hazelcast's Kubernetes discovery, set up as a discovery strategy (not the {@code kubernetes} join
   * shorthand) so that the member keeps the failure domain it was configured with: see
   * {@link FailureDomainDiscoveryStrategyFactory}.
   */
  private static void kubernetes(Config config, ClusterSettings settings, Map<String, String> properties) {
    config.setProperty("hazelcast.discovery.enabled", "true");
    Map<String, Comparable> typed = new LinkedHashMap<>(properties);
    config.getNetworkConfig().getJoin().getDiscoveryConfig().addDiscoveryStrategyConfig(new DiscoveryStrategyConfig(
        new FailureDomainDiscoveryStrategyFactory(new HazelcastKubernetesDiscoveryStrategyFactory(),
            settings.failureDomain().memberAttributes()), typed));
  }
}
