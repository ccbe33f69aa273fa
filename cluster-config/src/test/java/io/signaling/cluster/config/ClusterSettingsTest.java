package io.signaling.cluster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import io.signaling.config.ConfigException;
import io.signaling.config.SettingsSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  private static ClusterSettings from(Map<String, String> env, String... args) {
    return ClusterSettings.from(SettingsSource.fromEnvAndArgs(env, args, ClusterSettings.ALL));
  }

  @Test
  void defaults_areTheEmbeddedLoopbackCluster() {
    ClusterSettings s = from(Map.of());
    assertThat(s.discovery()).isEqualTo(DiscoveryMode.LOCAL);
    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.eventBusHost()).isEqualTo("127.0.0.1");
    assertThat(s.port()).isEqualTo(5701);
    Config c = HazelcastConfigFactory.create(s);
    assertThat(c.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(c.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .contains("127.0.0.1:5701", "127.0.0.1:5710").hasSize(10);
    assertThat(c.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(c.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("2");
    assertThat(c.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
  }

  @Test
  void flags_overrideTheEnvironment() {
    ClusterSettings s = from(Map.of("SIGNALING_CLUSTER_PORT", "6000"), "--cluster-port", "6100");
    assertThat(s.port()).isEqualTo(6100);
    assertThat(from(Map.of(), "--cluster-port=6200").port()).isEqualTo(6200);
  }

  @Test
  void invalidValue_namesTheSettingAndFlag() {
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SIGNALING_CLUSTER_PORT").hasMessageContaining("--cluster-port")
        .hasMessageContaining("65535");
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_DISCOVERY", "gossip")))
        .hasMessageContaining("SIGNALING_CLUSTER_DISCOVERY").hasMessageContaining("kubernetes-dns");
    assertThatThrownBy(() -> from(Map.of(), "--no-such-flag", "1"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--no-such-flag");
  }

  @Test
  void staticDiscovery_needsMembers() {
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_DISCOVERY", "static")))
        .hasMessageContaining("SIGNALING_CLUSTER_MEMBERS");
    ClusterSettings s = from(Map.of("SIGNALING_CLUSTER_DISCOVERY", "static",
        "SIGNALING_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2"));
    assertThat(HazelcastConfigFactory.create(s).getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactly("10.0.0.1:5701", "10.0.0.2");
  }

  @Test
  void kubernetesDns_usesTheHeadlessServiceName_andThePodIp() {
    ClusterSettings s = from(Map.of("SIGNALING_CLUSTER_DISCOVERY", "kubernetes-dns",
        "SIGNALING_CLUSTER_K8S_SERVICE_DNS", "signaling-hz.default.svc.cluster.local",
        "SIGNALING_CLUSTER_HOST", "10.1.2.3", "SIGNALING_EVENTBUS_PORT", "15701"));
    Config c = HazelcastConfigFactory.create(s);
    assertThat(kubernetesDiscovery(c)).containsEntry("service-dns", "signaling-hz.default.svc.cluster.local");
    assertThat(c.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
    assertThat(c.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.1.2.3");
    assertThat(s.eventBusHost()).isEqualTo("10.1.2.3");
    assertThat(s.eventBusPublicHost()).isEqualTo("10.1.2.3");
    assertThat(s.eventBusPort()).isEqualTo(15701);
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_DISCOVERY", "kubernetes-dns")))
        .hasMessageContaining("SIGNALING_CLUSTER_K8S_SERVICE_DNS");
  }

  @Test
  void kubernetesApi_needsAServiceName() {
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_DISCOVERY", "kubernetes-api")))
        .hasMessageContaining("SIGNALING_CLUSTER_K8S_SERVICE_NAME");
    ClusterSettings s = from(Map.of("SIGNALING_CLUSTER_DISCOVERY", "kubernetes-api",
        "SIGNALING_CLUSTER_K8S_SERVICE_NAME", "signaling-hz", "SIGNALING_CLUSTER_K8S_NAMESPACE", "rtc"));
    Config c = HazelcastConfigFactory.create(s);
    assertThat(kubernetesDiscovery(c)).containsEntry("service-name", "signaling-hz").containsEntry("namespace", "rtc");
  }

  /** The properties of the one discovery strategy, which must be Hazelcast's Kubernetes discovery. */
  static Map<String, Comparable> kubernetesDiscovery(Config c) {
    assertThat(c.getProperty("hazelcast.discovery.enabled")).isEqualTo("true");
    assertThat(c.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
    var strategies = c.getNetworkConfig().getJoin().getDiscoveryConfig().getDiscoveryStrategyConfigs();
    assertThat(strategies).hasSize(1);
    var factory = strategies.iterator().next().getDiscoveryStrategyFactory();
    assertThat(factory).isInstanceOf(FailureDomainDiscoveryStrategyFactory.class);
    assertThat(((FailureDomainDiscoveryStrategyFactory) factory).delegate().getDiscoveryStrategyType().getName())
        .isEqualTo("com.hazelcast.kubernetes.HazelcastKubernetesDiscoveryStrategy");
    return strategies.iterator().next().getProperties();
  }

  @Test
  void failureTimeout_mustExceedTheHeartbeat() {
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_HEARTBEAT_SECONDS", "5",
        "SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS", "5")))
        .hasMessageContaining("SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS");
  }

  @Test
  void help_listsEverySettingWithItsEnvironmentVariable() {
    String help = SettingsSource.commandLine("signaling-node", ClusterSettings.ALL).getUsageMessage();
    ClusterSettings.ALL.forEach(s -> assertThat(help).contains(s.flag()).contains(s.env()));
  }
}
