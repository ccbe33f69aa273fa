package io.signaling.node;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Where a node's start-up is, for a stop signal that may come at any moment of it: while it joins the cluster, the
 * start-up ends at its next step (it leaves the cluster and starts nothing more); once it serves (the warm-up
 * included), the node drains as it would once ready. The futures handed out are bound to no Vert.x context, so they
 * complete even after the node's Vert.x instance is closed.
 */
public final class Lifecycle {

  private final Promise<Void> stopped = Promise.promise();
  private SignalingNode node;
  private boolean stopRequested;

  /**
   * Stops the node: drains it when it serves (a second call ends the calls the drain holds), else ends its start-up
   * at the next step. Completes when the node has stopped, or its start-up has been undone.
   */
  public Future<Void> stop() {
    SignalingNode serving;
    synchronized (this) {
      stopRequested = true;
      serving = node;
    }
    if (serving != null) {
      serving.shutdown().onComplete(ar -> stopped.tryComplete());
    }
    return stopped.future();
  }

  /** Completes once a stop asked for has been carried out; asks for nothing itself. */
  public Future<Void> stopped() {
    return stopped.future();
  }

  /** True once a stop was asked for. */
  public synchronized boolean stopRequested() {
    return stopRequested;
  }

  /** True when a stop came once the node served: its drain leaves the cluster. */
  synchronized boolean draining() {
    return stopRequested && node != null;
  }

  /** The node serves from now on; false when a stop came first (then the caller undoes the start-up). */
  synchronized boolean serving(SignalingNode started) {
    if (stopRequested) {
      return false;
    }
    node = started;
    return true;
  }

  /** The start-up ended without a serving node and has left the cluster. */
  void abandoned() {
    stopped.tryComplete();
  }
}
