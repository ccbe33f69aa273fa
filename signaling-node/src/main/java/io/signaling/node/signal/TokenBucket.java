package io.signaling.node.signal;

/**
 * A token bucket: {@code burst} tokens, refilled at {@code ratePerSecond}. Not thread-safe: one per socket, or
 * guarded by its owner ({@link AddressBuckets}).
 */
public final class TokenBucket {

  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long last;

  public TokenBucket(double ratePerSecond, int burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one token if there is one. */
  public boolean tryTake(long nowNanos) {
    return tryTake(1, nowNanos);
  }

  /** Takes {@code amount} tokens if there are as many; else takes none. */
  public boolean tryTake(long amount, long nowNanos) {
    refill(nowNanos);
    if (tokens >= amount) {
      tokens -= amount;
      return true;
    }
    return false;
  }

  /** Puts back {@code amount} tokens taken a moment ago (never more than the bucket holds). */
  public void refund(long amount) {
    tokens = Math.min(burst, tokens + amount);
  }

  /** True when the bucket is full at {@code nowNanos}: it is then as good as a new one. */
  public boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= burst;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      last = nowNanos;
    }
  }
}
