package io.signaling.node.signal;

import io.signaling.node.ByteBudgets;

/**
 * What one connection may still send, in bytes: its own token bucket, and its remote address's, shared with every
 * other connection from that address on the node. A message is admitted only when both hold its size; the
 * connection's own bucket is asked first, so a connection over its own budget does not spend its address's.
 */
public final class ByteBudget {

  /** No budget (tests that drive a switchboard directly). */
  public static final ByteBudget UNLIMITED = new ByteBudget(null, null, null);

  private final TokenBucket own;
  private final AddressBuckets addresses;
  private final String address;

  private ByteBudget(TokenBucket own, AddressBuckets addresses, String address) {
    this.own = own;
    this.addresses = addresses;
    this.address = address;
  }

  /**
   * A new connection's budget.
   *
   * @param addresses the node's per-address buckets, or null when there is no per-address budget
   */
  public static ByteBudget of(ByteBudgets limits, AddressBuckets addresses, String address,
      long nowNanos) {
    return new ByteBudget(new TokenBucket(limits.perSecond(), limits.burst(), nowNanos), addresses, address);
  }

  /** The node's per-address buckets for these limits, or null when there is no per-address budget. */
  public static AddressBuckets addressBuckets(ByteBudgets limits) {
    return limits.perAddress() ? new AddressBuckets(limits.addressPerSecond(), limits.addressBurst()) : null;
  }

  /** Spends {@code bytes} if both the connection and its address have them; else spends nothing of either. */
  public boolean tryTake(int bytes, long nowNanos) {
    if (own == null) {
      return true;
    }
    if (!own.tryTake(bytes, nowNanos)) {
      return false;
    }
    if (addresses != null && !addresses.tryTake(address, bytes, nowNanos)) {
      // refused by the address: what the connection spent is not lost to it
      own.refund(bytes);
      return false;
    }
    return true;
  }
}
