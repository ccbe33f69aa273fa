package io.signaling.node;

/**
 * The warm-up before readiness: the node runs calls of its own through its own WebSocket endpoint (over loopback),
 * with the partner of each call on another member when there is one, so that the paths a call takes are compiled
 * before the node reports ready (docs/ARCHITECTURE.md, "Start-up and the JIT").
 *
 * @param calls warm-up calls to complete before the node reports ready (0: no warm-up)
 * @param seconds the warm-up ends after this long even when fewer calls completed
 * @param inFlight warm-up calls run at once
 */
public record WarmupSettings(int calls, int seconds, int inFlight) {
  /** No warm-up: ready as soon as the node serves. */
  public static final WarmupSettings OFF = new WarmupSettings(0, 1, 1);

  public boolean enabled() {
    return calls > 0;
  }
}
