package io.signaling.node;

/**
 * Per-connection and per-address limits.
 *
 * @param ratePerSecond messages per second a connection may send, sustained (token bucket refill)
 * @param rateBurst messages a connection may send at once (bucket size)
 * @param violationsBeforeClose refused messages after which the connection is closed with 1008
 * @param maxRoomsPerConnection rooms one connection may be in at once
 * @param maxConnectionsPerAddress open connections from one remote address (0: no limit)
 * @param idleTimeoutSeconds a connection that sends nothing this long is closed with 4000 (0: never)
 * @param maxWriteQueueBytes bytes queued for a client that does not read before it is closed with 4001
 * @param roomMaxIdleSeconds lifetime of a room entry nobody joins or leaves
 * @param bytes the byte budgets of a connection and of a remote address
 */
public record Limits(int ratePerSecond, int rateBurst, int violationsBeforeClose, int maxRoomsPerConnection,
    int maxConnectionsPerAddress, int idleTimeoutSeconds, int maxWriteQueueBytes, int roomMaxIdleSeconds,
    ByteBudgets bytes) {

  /** With the default byte budgets. */
  public Limits(int ratePerSecond, int rateBurst, int violationsBeforeClose, int maxRoomsPerConnection,
      int maxConnectionsPerAddress, int idleTimeoutSeconds, int maxWriteQueueBytes, int roomMaxIdleSeconds) {
    this(ratePerSecond, rateBurst, violationsBeforeClose, maxRoomsPerConnection, maxConnectionsPerAddress,
        idleTimeoutSeconds, maxWriteQueueBytes, roomMaxIdleSeconds, ByteBudgets.DEFAULTS);
  }

  public Limits withBytes(ByteBudgets newBytes) {
    return new Limits(ratePerSecond, rateBurst, violationsBeforeClose, maxRoomsPerConnection,
        maxConnectionsPerAddress, idleTimeoutSeconds, maxWriteQueueBytes, roomMaxIdleSeconds, newBytes);
  }
}
