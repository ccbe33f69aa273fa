package io.signaling.node.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Liveness and readiness of a node. Ready means: member of a running cluster, every event loop's inbox
 * registered on the clustered event bus and its server listening, and not draining.
 */
public final class NodeHealth {

  private final String nodeId;
  private final int expectedInboxes;
  private final AtomicInteger inboxesReady = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final BooleanSupplier clusterRunning;

  public NodeHealth(String nodeId, int expectedInboxes, BooleanSupplier clusterRunning) {
    this.nodeId = nodeId;
    this.expectedInboxes = expectedInboxes;
    this.clusterRunning = clusterRunning;
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

  public boolean isReady() {
    return !draining.get() && inboxesReady.get() >= expectedInboxes && clusterRunning.getAsBoolean();
  }

  /** A small JSON document for the health endpoints. */
  public String describe() {
    return "{\"node\":\"" + nodeId + "\",\"ready\":" + isReady() + ",\"cluster\":" + clusterRunning.getAsBoolean()
        + ",\"inboxes\":" + inboxesReady.get() + ",\"expectedInboxes\":" + expectedInboxes
        + ",\"draining\":" + draining.get() + "}";
  }
}
