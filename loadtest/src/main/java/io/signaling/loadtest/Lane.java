package io.signaling.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.util.List;

/** One event loop's share of a run: its context, the shared client, stats and targets. */
record Lane(int index, int lanes, Vertx vertx, Context context, WebSocketClient client, Stats stats,
    List<Target> targets, boolean crossNode, long runId) {

  /** Runs {@code tick} every millisecond on this lane's event loop until it returns false. */
  void everyMillisecond(java.util.function.BooleanSupplier tick) {
    vertx.setPeriodic(1, id -> {
      if (!tick.getAsBoolean()) {
        vertx.cancelTimer(id);
      }
    });
  }

  Target target(int node) {
    return targets.get(node);
  }
}
