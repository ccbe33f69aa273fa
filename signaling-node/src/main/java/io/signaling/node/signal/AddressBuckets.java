package io.signaling.node.signal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per remote address, shared by every event loop of a node (one instance per node): what many
 * sockets from one address spend together, wherever each landed. Bounded: past {@code maxAddresses}, buckets that
 * are full again (as good as new) are forgotten, and if that is not enough, all of them.
 */
public final class AddressBuckets {

  /** Addresses remembered before the full buckets are forgotten. */
  static final int MAX_ADDRESSES = 100_000;

  private final double ratePerSecond;
  private final int burst;
  private final int maxAddresses;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  public AddressBuckets(double ratePerSecond, int burst) {
    this(ratePerSecond, burst, MAX_ADDRESSES);
  }

  AddressBuckets(double ratePerSecond, int burst, int maxAddresses) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.maxAddresses = maxAddresses;
  }

  /** Takes {@code amount} from the address's bucket if it holds as much (any thread). */
  public boolean tryTake(String address, long amount, long nowNanos) {
    if (buckets.size() > maxAddresses) {
      prune(nowNanos);
    }
    TokenBucket bucket = buckets.computeIfAbsent(address, a -> new TokenBucket(ratePerSecond, burst, nowNanos));
    synchronized (bucket) {
      return bucket.tryTake(amount, nowNanos);
    }
  }

  /** Addresses with a bucket now. */
  public int size() {
    return buckets.size();
  }

  private void prune(long nowNanos) {
    buckets.values().removeIf(bucket -> {
      synchronized (bucket) {
        return bucket.isFull(nowNanos);
      }
    });
    if (buckets.size() > maxAddresses) {
      // every address is spending: start afresh rather than grow without bound
      buckets.clear();
    }
  }
}
