package io.signaling.node.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Decides whether this member is safe ({@code isLocalMemberSafe()}: no migration, no replica without an owner, the
 * backups of the partitions it owns in sync) only when that can have changed: after a membership change or a
 * partition migration event. Each check asks the backups of every partition the member owns for their replica
 * versions, so checking on a timer costs every member traffic for as long as the cluster lives (at 500 ms it was
 * the largest thing an idle cluster did, and it grew with the cluster). Here a change marks the member unsafe at
 * once, a check follows {@link #RECHECK_MILLIS} later on a worker of its own (it waits for other members, never on
 * an event loop), and checks repeat at that period only until one finds the member safe with no change since it
 * began; then nothing runs until the next change.
 */
final class SafetyWatch {

  /** Time from a change to its check, and between two checks while the member is not yet safe. */
  static final long RECHECK_MILLIS = 500;

  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final BooleanSupplier running;
  private final BooleanSupplier localMemberSafe;
  /** Bumped by every change: a check counts only if none came while it ran. */
  private final AtomicLong changes = new AtomicLong();
  /** The change count a check found the member safe at (-1: none yet). */
  private final AtomicLong safeAt = new AtomicLong(-1);
  private final AtomicInteger checks = new AtomicInteger();
  /** A check is due or running (at most one of either at a time). */
  private final AtomicBoolean pending = new AtomicBoolean();

  SafetyWatch(Vertx vertx, BooleanSupplier running, BooleanSupplier localMemberSafe) {
    this.vertx = vertx;
    this.worker = vertx.createSharedWorkerExecutor("signaling-safety", 1);
    this.running = running;
    this.localMemberSafe = localMemberSafe;
  }

  /**
   * True when a check found this member safe and neither membership nor partitions changed since it began: after a
   * member loss this turns false at once, and true again once the lost replicas are copied anew.
   */
  boolean isSafe() {
    return safeAt.get() == changes.get();
  }

  /** Checks run so far (they run only after changes, so on an idle cluster this stands still). */
  int checks() {
    return checks.get();
  }

  /** Membership or partitions changed: not safe until a check that began after this says so. */
  void changed() {
    changes.incrementAndGet();
    schedule();
  }

  private void schedule() {
    if (!running.getAsBoolean() || !pending.compareAndSet(false, true)) {
      return;
    }
    try {
      vertx.setTimer(RECHECK_MILLIS, t -> check());
    } catch (RuntimeException closed) { // the node is stopping
      pending.set(false);
    }
  }

  /**
   * Checks now, once, whatever the state (for a caller that needs a check begun after its own writes: the rooms'
   * backups are asynchronous). A safe result counts as any check's does.
   */
  Future<Boolean> checkNow() {
    long seen = changes.get();
    Future<Boolean> checked;
    try {
      checked = worker.executeBlocking(() -> running.getAsBoolean() && localMemberSafe.getAsBoolean(), false);
    } catch (RejectedExecutionException closing) {
      return Future.succeededFuture(false);
    }
    return checked.map(safe -> {
      if (safe) {
        safeAt.accumulateAndGet(seen, Math::max);
      }
      checks.incrementAndGet();
      return safe && changes.get() == seen;
    });
  }

  private void check() {
    long seen = changes.get();
    Future<Boolean> checked;
    try {
      checked = worker.executeBlocking(() -> running.getAsBoolean() && localMemberSafe.getAsBoolean(), false);
    } catch (RejectedExecutionException closing) {
      // Vert.x is closing (its workers are gone before its timers): nothing left to watch
      pending.set(false);
      return;
    }
    checked.onComplete(ar -> {
      boolean safe = ar.succeeded() && ar.result();
      if (safe) {
        safeAt.accumulateAndGet(seen, Math::max);
      }
      checks.incrementAndGet();
      pending.set(false);
      // a change while it ran found it pending and scheduled nothing: schedule for it now
      if (!safe || changes.get() != seen) {
        schedule();
      }
    });
  }
}
