package io.signaling.node.transport;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of client connections at accept, across a node's event loops: a per-address cap counted from the
 * moment a connection is accepted (upgraded or not), and a node-wide cap on connections not yet upgraded to a
 * WebSocket ("pending": in their handshake, or idle between plain HTTP requests). Both are plain counters, so a
 * refusal costs a compare and a close.
 */
public final class ConnectionGate {

  /** Why a connection was refused at accept; the wire name is the metric's label. */
  public enum Refusal {
    /** the node already holds its maximum of pending connections */
    HANDSHAKES("handshakes"),
    /** the remote address already holds its maximum of connections */
    ADDRESS("address");

    private final String wire;

    Refusal(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  private final AddressLimiter addresses;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();

  /**
   * @param maxPerAddress connections per remote address (0: no limit)
   * @param maxPending pending connections on the node (0: no limit)
   */
  public ConnectionGate(int maxPerAddress, int maxPending) {
    this.addresses = new AddressLimiter(maxPerAddress);
    this.maxPending = maxPending;
  }

  /**
   * Counts a newly accepted connection, pending; null when admitted, else why not (and nothing counted).
   */
  public Refusal admit(String address) {
    if (pending.incrementAndGet() > maxPending && maxPending > 0) {
      pending.decrementAndGet();
      return Refusal.HANDSHAKES;
    }
    if (!addresses.tryAcquire(address)) {
      pending.decrementAndGet();
      return Refusal.ADDRESS;
    }
    open.incrementAndGet();
    return null;
  }

  /** An admitted connection left the pending state (a request arrived, or it became a WebSocket). */
  public void leftPending() {
    pending.decrementAndGet();
  }

  /** An admitted connection is pending again (a plain HTTP keep-alive connection waiting for its next request). */
  public void pendingAgain() {
    pending.incrementAndGet();
  }

  /** An admitted connection closed. */
  public void closed(String address) {
    addresses.release(address);
    open.decrementAndGet();
  }

  /** Connections not yet upgraded to a WebSocket. */
  public int pending() {
    return pending.get();
  }

  /** Admitted client connections still open, WebSockets included. */
  public int open() {
    return open.get();
  }
}
