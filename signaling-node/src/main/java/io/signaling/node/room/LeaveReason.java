package io.signaling.node.room;

/**
 * Why a peer left a room or a call ended, as the application backend is told ({@code reason} of {@code peer_left}
 * and {@code call_ended}). Wire codes are explicit and never reused.
 */
public enum LeaveReason {
  /** The peer's {@code leave} (or {@code stop}) command. */
  LEAVE(1, "leave"),
  /** The socket closed or was closed (idle, slow reader, policy, a drain's deadline). */
  CLOSED(2, "closed"),
  /** A held resume slot's window passed. */
  EXPIRED(3, "expired"),
  /** The peer's node left the cluster (or could not be reached). */
  NODE_LOST(4, "node_lost"),
  /** The admin API removed it. */
  REMOVED(5, "removed");

  private final int code;
  private final String wire;

  LeaveReason(int code, String wire) {
    this.code = code;
    this.wire = wire;
  }

  public int code() {
    return code;
  }

  /** The name receivers see. */
  public String wire() {
    return wire;
  }

  /** The reason of a wire code; an unknown code (from a later release) reads as {@link #CLOSED}. */
  public static LeaveReason of(int code) {
    for (LeaveReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return CLOSED;
  }
}
