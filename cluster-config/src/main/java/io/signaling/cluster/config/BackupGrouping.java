package io.signaling.cluster.config;

/**
 * Which failure domain Hazelcast keeps a partition's backup out of: its partition group type. Every member of
 * a cluster must use the same one (Hazelcast refuses a joining member whose partition-group configuration
 * differs), so it is chosen per deployment, never derived from a value that may differ between pods.
 */
public enum BackupGrouping {
  /** {@link #NODE} when the failure-domain node is set, {@link #NONE} otherwise. Never picks {@link #ZONE}. */
  AUTO("auto"),
  /** Hazelcast's default: a backup may sit on any other member, also one on the same machine. */
  NONE("none"),
  /** A backup never sits on a member with the same failure-domain node (Hazelcast's NODE_AWARE). */
  NODE("node"),
  /** A backup never sits on a member with the same failure-domain zone (Hazelcast's ZONE_AWARE). */
  ZONE("zone");

  private final String wireName;

  BackupGrouping(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
