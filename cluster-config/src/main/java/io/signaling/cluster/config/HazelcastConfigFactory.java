package io.signaling.cluster.config;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;

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
        join.getKubernetesConfig().setEnabled(true)
            .setProperty("service-dns", settings.kubernetesServiceDns())
            .setProperty("service-dns-timeout", "5")
            .setProperty("service-port", Integer.toString(settings.port()));
        break;
      case KUBERNETES_API:
        join.getKubernetesConfig().setEnabled(true)
            .setProperty("service-name", settings.kubernetesServiceName())
            .setProperty("service-port", Integer.toString(settings.port()));
        if (!settings.kubernetesNamespace().isEmpty()) {
          join.getKubernetesConfig().setProperty("namespace", settings.kubernetesNamespace());
        }
        break;
      default:
        throw new IllegalStateException("unhandled discovery mode " + settings.discovery());
    }
    return config;
  }
}
