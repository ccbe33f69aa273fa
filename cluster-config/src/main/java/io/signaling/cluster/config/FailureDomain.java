package io.signaling.cluster.config;

import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import io.signaling.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where this member runs, as far as losing it together with others goes: the machine ({@code node}, a
 * Kubernetes node) and the zone, and which of them Hazelcast keeps backups apart by.
 *
 * @param grouping the resolved grouping: never {@link BackupGrouping#AUTO}
 * @param node the machine's name; empty when not known
 * @param zone the zone's name; empty when not known
 */
public record FailureDomain(BackupGrouping grouping, String node, String zone) {

  /** No failure domain known and no grouping: Hazelcast's default placement. */
  public static final FailureDomain NONE = new FailureDomain(BackupGrouping.NONE, "", "");

  public FailureDomain {
    Objects.requireNonNull(grouping);
    Objects.requireNonNull(node);
    Objects.requireNonNull(zone);
    switch (grouping) {
      case AUTO:
        throw new IllegalArgumentException("resolve " + BackupGrouping.AUTO + " first: FailureDomain.of");
      case NODE:
        if (node.isEmpty()) {
          throw new ConfigException(ClusterSettings.BACKUP_GROUPING.env() + "=node needs "
              + ClusterSettings.FAILURE_DOMAIN_NODE.env() + " (on Kubernetes: the downward API's spec.nodeName)");
        }
        break;
      case ZONE:
        if (zone.isEmpty()) {
          throw new ConfigException(ClusterSettings.BACKUP_GROUPING.env() + "=zone needs "
              + ClusterSettings.FAILURE_DOMAIN_ZONE.env() + ": a member without a zone would make a domain of its own");
        }
        break;
      default:
        break;
    }
  }

  /** Resolves {@link BackupGrouping#AUTO} and validates the combination. */
  public static FailureDomain of(BackupGrouping grouping, String node, String zone) {
    BackupGrouping resolved = grouping;
    if (grouping == BackupGrouping.AUTO) {
      resolved = node.isEmpty() ? BackupGrouping.NONE : BackupGrouping.NODE;
    }
    return new FailureDomain(resolved, node, zone);
  }

  /**
   * The Hazelcast member attributes that carry this domain: the ones Hazelcast's NODE_AWARE and ZONE_AWARE
   * partition groups read. Only the known values are present.
   */
  public Map<String, String> memberAttributes() {
    Map<String, String> attributes = new LinkedHashMap<>();
    if (!node.isEmpty()) {
      attributes.put(PartitionGroupMetaData.PARTITION_GROUP_NODE, node);
    }
    if (!zone.isEmpty()) {
      attributes.put(PartitionGroupMetaData.PARTITION_GROUP_ZONE, zone);
    }
    return attributes;
  }
}
