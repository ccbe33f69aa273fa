package io.signaling.cluster.config;

import static com.hazelcast.spi.partitiongroup.PartitionGroupMetaData.PARTITION_GROUP_NODE;
import static com.hazelcast.spi.partitiongroup.PartitionGroupMetaData.PARTITION_GROUP_ZONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.PartitionGroupConfig.MemberGroupType;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.signaling.config.ConfigException;
import io.signaling.config.SettingsSource;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The failure-domain settings, and how they reach Hazelcast's partition groups. */
class FailureDomainTest {

  private static ClusterSettings from(Map<String, String> env) {
    return ClusterSettings.from(SettingsSource.fromEnvAndArgs(env, new String[0], ClusterSettings.ALL));
  }

  @Test
  void unset_keepsHazelcastsDefaultPlacement() {
    // GIVEN no failure-domain settings WHEN the member configuration is built
    ClusterSettings s = from(Map.of());
    Config c = HazelcastConfigFactory.create(s);

    // THEN there is no grouping and no failure-domain attribute
    assertThat(s.failureDomain()).isEqualTo(FailureDomain.NONE);
    assertThat(c.getPartitionGroupConfig().isEnabled()).isFalse();
    assertThat(c.getMemberAttributeConfig().getAttributes()).isEmpty();
  }

  @Test
  void aNodeName_groupsBackupsByNode_byDefault() {
    // GIVEN the node name only (what the Deployment's downward API gives)
    ClusterSettings s = from(Map.of("SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", "worker-3.example"));
    Config c = HazelcastConfigFactory.create(s);

    // THEN Hazelcast groups partitions by node, and the member carries the attribute NODE_AWARE reads
    assertThat(s.failureDomain().grouping()).isEqualTo(BackupGrouping.NODE);
    assertThat(c.getPartitionGroupConfig().isEnabled()).isTrue();
    assertThat(c.getPartitionGroupConfig().getGroupType()).isEqualTo(MemberGroupType.NODE_AWARE);
    assertThat(c.getMemberAttributeConfig().getAttributes()).containsExactly(Map.entry(PARTITION_GROUP_NODE,
        "worker-3.example"));
  }

  @Test
  void zoneGrouping_isChosenExplicitly_never_byAuto() {
    // GIVEN a zone but no explicit grouping THEN auto does not pick zone (it must be the same on every member)
    ClusterSettings auto = from(Map.of("SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE", "eu-west-1a"));
    assertThat(auto.failureDomain().grouping()).isEqualTo(BackupGrouping.NONE);

    // GIVEN zone grouping WHEN built THEN Hazelcast groups by zone, and both attributes are carried
    Config c = HazelcastConfigFactory.create(from(Map.of("SIGNALING_CLUSTER_BACKUP_GROUPING", "zone",
        "SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE", "eu-west-1a", "SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", "n1")));
    assertThat(c.getPartitionGroupConfig().getGroupType()).isEqualTo(MemberGroupType.ZONE_AWARE);
    assertThat(c.getMemberAttributeConfig().getAttributes())
        .containsEntry(PARTITION_GROUP_ZONE, "eu-west-1a").containsEntry(PARTITION_GROUP_NODE, "n1");

    // GIVEN grouping explicitly off THEN a node name does not turn it on
    assertThat(HazelcastConfigFactory.create(from(Map.of("SIGNALING_CLUSTER_BACKUP_GROUPING", "none",
        "SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", "n1"))).getPartitionGroupConfig().isEnabled()).isFalse();
  }

  @Test
  void inconsistentSettings_failFast_namingWhatIsMissing() {
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_BACKUP_GROUPING", "node")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SIGNALING_CLUSTER_BACKUP_GROUPING=node")
        .hasMessageContaining("SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE");
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_BACKUP_GROUPING", "zone",
        "SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", "n1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE");
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_BACKUP_GROUPING", "rack")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("node").hasMessageContaining("zone");
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", "node a")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE");
    assertThatThrownBy(() -> from(Map.of("SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE", "-zone")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE");
  }

  @Test
  void kubernetesDiscovery_keepsTheConfiguredFailureDomain() {
    // GIVEN a member discovering through Hazelcast's Kubernetes DNS mode, whose plugin reports node and zone as
    // "unknown" (the service name resolves to this machine, so the member finds itself)
    int port = FreePorts.one();
    ClusterSettings s = from(Map.of("SIGNALING_CLUSTER_NAME", "fd-" + UUID.randomUUID().toString().substring(0, 8),
        "SIGNALING_CLUSTER_DISCOVERY", "kubernetes-dns", "SIGNALING_CLUSTER_K8S_SERVICE_DNS", "localhost",
        "SIGNALING_CLUSTER_HOST", "127.0.0.1", "SIGNALING_CLUSTER_PORT", Integer.toString(port),
        "SIGNALING_CLUSTER_PORT_COUNT", "1",
        "SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", "worker-7", "SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE", "zone-b"));

    // WHEN the member starts
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(s));
    try {
      // THEN it carries the configured values, not the plugin's
      var local = hz.getCluster().getLocalMember();
      assertThat(local.getAttribute(PARTITION_GROUP_NODE)).isEqualTo("worker-7");
      assertThat(local.getAttribute(PARTITION_GROUP_ZONE)).isEqualTo("zone-b");
    } finally {
      hz.getLifecycleService().terminate();
    }
  }
}
