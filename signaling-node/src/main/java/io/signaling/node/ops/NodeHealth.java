package io.signaling.node.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Liveness and readiness of a node. Ready means: member of a running cluster, every event loop's inbox
 * registered on the clustered event bus and its server listening, its warm-up done, and not draining.
 */
public final class NodeHealth {

  private final String nodeId;
  private final int expectedInboxes;
  private final AtomicInteger inboxesReady = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean merging = new AtomicBoolean();
  private final AtomicBoolean warming = new AtomicBoolean();
  /** Safety checks completed, so that a caller can wait for one that began after a change of its own. */
  private final AtomicInteger safetyChecks = new AtomicInteger();
  private final BooleanSupplier clusterRunning;
  private final IntSupplier members;
  /** The last safety check and the member count it began with (never on an event loop: it waits on other members). */
  private final AtomicReference<Safety> safety = new AtomicReference<>(new Safety(false, -1));

  private record Safety(boolean safe, int members) {
  }

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

  /** The node runs its warm-up calls: it serves, but does not report ready until they are done. */
  public void setWarming(boolean value) {
    warming.set(value);
  }

  public boolean isWarming() {
    return warming.get();
  }

  /** Hazelcast is merging this member back after a split: its view of the rooms is not to be trusted. */
  public void setMerging(boolean value) {
    merging.set(value);
  }

  /**
   * Joins are decided only when the cluster state is trustworthy (not while merging after a split), and
   * not while the node drains (a new call would hold it longer).
   */
  public boolean acceptsJoins() {
    return !merging.get() && !draining.get();
  }

  /**
   * Records a check of {@code PartitionService.isLocalMemberSafe()}: no migration running, no replica without an
   * owner, and the backups of every partition this member owns in sync. {@code membersBefore} is the member count
   * read just before the check began.
   */
  public void memberSafety(boolean safe, int membersBefore) {
    safety.set(new Safety(safe, membersBefore));
    safetyChecks.incrementAndGet();
  }

  /**
   * True when the last safety check found this member safe and the membership has not changed since it began:
   * after a member loss this turns false, and true again once the lost replicas are copied anew. The cluster is
   * safe when every member is. It does not gate readiness (see docs/ARCHITECTURE.md).
   */
  public boolean isMemberSafe() {
    Safety s = safety.get();
    return s.safe() && s.members() == members();
  }

  public boolean isReady() {
    return !draining.get() && !merging.get() && !warming.get() && inboxesReady.get() >= expectedInboxes
        && clusterRunning.getAsBoolean();
  }

  /** A small JSON document for the health endpoints. */
  public String describe() {
    return "{\"node\":\"" + nodeId + "\",\"ready\":" + isReady() + ",\"cluster\":" + clusterRunning.getAsBoolean()
        + ",\"inboxes\":" + inboxesReady.get() + ",\"expectedInboxes\":" + expectedInboxes
        + ",\"draining\":" + draining.get() + ",\"merging\":" + merging.get() + ",\"warming\":" + warming.get() + ",\"members\":" + members()
        + ",\"memberSafe\":" + isMemberSafe() + ",\"safetyChecks\":" + safetyChecks.get() + "}";
  }
}
