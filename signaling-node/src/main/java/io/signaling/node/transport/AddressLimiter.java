package io.signaling.node.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts open connections per remote address across a node's event loops. */
public final class AddressLimiter {

  private final int max;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

  /** @param max connections per address; 0: no limit */
  public AddressLimiter(int max) {
    this.max = max;
  }

  /** Counts a new connection; false (and not counted) when the address is at its limit. */
  public boolean tryAcquire(String address) {
    if (max == 0) {
      return true;
    }
    AtomicInteger count = open.computeIfAbsent(address, a -> new AtomicInteger());
    if (count.incrementAndGet() > max) {
      release(address);
      return false;
    }
    return true;
  }

  public void release(String address) {
    if (max == 0) {
      return;
    }
    open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
  }
}
