package io.signaling.node.ops;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

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
  private final BooleanSupplier clusterRunning;
  private final IntSupplier members;
  /** Whether this member is safe, as the cluster layer last decided it (never computed here: it asks other members). */
  private volatile BooleanSupplier memberSafe = () -> false;
  /** Safety checks run so far. */
  private volatile IntSupplier safetyChecks = () -> 0;
  private volatile Supplier<Future<Boolean>> checkSafetyNow = () -> Future.succeededFuture(false);
  /** Whether this node's webhooks produce events (on, and every member keeps room lives); false when off. */
  private volatile BooleanSupplier webhooksActive = () -> false;

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
   * Reads this member's safety from the cluster layer: {@code PartitionService.isLocalMemberSafe()} (no migration
   * running, no replica without an owner, the backups of every partition this member owns in sync), checked after
   * each membership change and migration event until it holds, and {@code checks}, how many checks ran.
   */
  public void bindSafety(BooleanSupplier safe, IntSupplier checks, Supplier<Future<Boolean>> checkNow) {
    this.memberSafe = safe;
    this.safetyChecks = checks;
    this.checkSafetyNow = checkNow;
  }

  /**
   * Reads whether webhooks produce events: configured here, and every member of the cluster keeps room lives (while a
   * member of an earlier release is present they wait). Not part of readiness: a node serves calls either way.
   */
  public void bindWebhooks(BooleanSupplier active) {
    this.webhooksActive = active;
  }

  public boolean webhooksActive() {
    return webhooksActive.getAsBoolean();
  }

  /** A safety check begun now (for {@code /health/safe}: backups are asynchronous, so after writes of its own a
   * caller may need a check that began after them). */
  public Future<Boolean> checkSafetyNow() {
    return checkSafetyNow.get();
  }

  /**
   * True when the last safety check found this member safe and neither membership nor partitions changed since it
   * began: after a member loss this turns false at once, and true again once the lost replicas are copied anew.
   * The cluster is safe when every member is. It does not gate readiness (see docs/ARCHITECTURE.md).
   */
  public boolean isMemberSafe() {
    return memberSafe.getAsBoolean();
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
        + ",\"memberSafe\":" + isMemberSafe() + ",\"safetyChecks\":" + safetyChecks.getAsInt()
        + ",\"webhooksActive\":" + webhooksActive() + "}";
  }
}
