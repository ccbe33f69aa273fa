package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;

/** What a distributed run's coordinator knows of one of its workers. Guarded by the coordinator's lock. */
final class WorkerState {

  final int index;
  String host = "?";
  long pid = -1;
  boolean registered;
  boolean ready;
  long lastHeard = System.nanoTime();
  /** Its whole-run figures, once delivered. */
  JsonObject result;
  /** Why it was lost, or null. */
  String lost;
  /** Its process, when the coordinator started it. */
  Process process;

  WorkerState(int index) {
    this.index = index;
  }

  /** Delivered or lost: nothing more to wait for. */
  boolean settled() {
    return result != null || lost != null;
  }

  /** Neither delivered nor lost. */
  boolean running() {
    return lost == null && result == null;
  }
}
