package io.signaling.node.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until a deadline: the only way tests wait. A timeout given here is a deadline for a
 * condition that normally holds within a small fraction of it (a cluster forming, a node turning not
 * ready), chosen with a wide margin for a busy machine; it never measures speed.
 */
public final class Await {

  private Await() {
  }

  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
