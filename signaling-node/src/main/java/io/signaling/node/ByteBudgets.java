package io.signaling.node;

/**
 * Bytes of WebSocket messages clients may send (token buckets, like the message rate): over a budget, a message
 * is refused with {@code rateLimitExceeded} and counts towards the 1008 close, as over the message rate.
 *
 * @param perSecond bytes per second one connection may send, sustained
 * @param burst bytes one connection may send at once
 * @param addressPerSecond bytes per second all connections from one remote address may send together, on this
 *     node (0: no per-address budget)
 * @param addressBurst bytes all connections from one remote address may send at once, on this node
 */
public record ByteBudgets(int perSecond, int burst, int addressPerSecond, int addressBurst) {
  public static final ByteBudgets DEFAULTS = new ByteBudgets(256 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024,
      64 * 1024 * 1024);

  public boolean perAddress() {
    return addressPerSecond > 0;
  }
}
