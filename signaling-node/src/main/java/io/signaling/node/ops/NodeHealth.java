package io.signaling.node.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Liveness and readiness of a node. Ready means: member of a running cluster, every event loop's inbox
 * registered on the clustered event bus and its server listening, and not draining.
 */
public final class NodeHealth {

  private final String nodeId;
  private final int expectedInboxes;
  private final AtomicInteger inboxesReady = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean merging = new AtomicBoolean();
  private final AtomicBoolean backupsInSync = new AtomicBoolean();
  private final AtomicInteger backupChecks = new AtomicInteger();
  private final BooleanSupplier clusterRunning;
  private final IntSupplier members;

  public NodeHealth(String nodeId, int expectedInboxes, BooleanSupplier clusterRunning, IntSupplier members) {
    this.nodeId = nodeId;
    this.expectedInboxes = expectedInboxes;
    this.clusterRunning = clusterRunning;
    this.members = members;
  }

  /** Members of the cluster as this node sees it. */
  public int members() {
    return members.getAsInt();
  }

  public String nodeId() {
    return nodeId;
  }

  public void inboxReady() {
    inboxesReady.incrementAndGet();
  }

  /** Marks the node as draining; true the first time. */
  public boolean startDraining() {
    return draining.compareAndSet(false, true);
  }

  public boolean isDraining() {
    return draining.get();
  }

  /** Hazelcast is merging this member back after a split: its view of the rooms is not to be trusted. */
  public void setMerging(boolean value) {
    merging.set(value);
  }

  /** Joins are decided only when the cluster state is trustworthy (not while merging after a split). */
  public boolean acceptsJoins() {
    return !merging.get();
  }

  /**
   * The result of a check that every backup of the partitions this member owns is in sync with its primary
   * (Hazelcast's {@code isLocalMemberSafe}). Informational: readiness does not wait for it; a node that reports
   * false holds the only copy of some rooms, so stopping it (or its machine) now would lose them.
   */
  public void backupsChecked(boolean inSync) {
    backupsInSync.set(inSync);
    backupChecks.incrementAndGet();
  }

  public boolean isReady() {
    return !draining.get() && !merging.get() && inboxesReady.get() >= expectedInboxes
        && clusterRunning.getAsBoolean();
  }

  /** A small JSON document for the health endpoints. */
  public String describe() {
    return "{\"node\":\"" + nodeId + "\",\"ready\":" + isReady() + ",\"cluster\":" + clusterRunning.getAsBoolean()
        + ",\"inboxes\":" + inboxesReady.get() + ",\"expectedInboxes\":" + expectedInboxes
        + ",\"draining\":" + draining.get() + ",\"merging\":" + merging.get() + ",\"members\":" + members()
        + ",\"backupsInSync\":" + backupsInSync.get() + ",\"backupChecks\":" + backupChecks.get() + "}";
  }
}
