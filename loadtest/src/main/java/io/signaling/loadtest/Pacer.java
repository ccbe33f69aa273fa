package io.signaling.loadtest;

/**
 * An open-loop schedule. Operation {@code i} of the whole run is intended at {@code start + i / rate}; this
 * pacer owns every {@code lanes}-th operation starting at {@code lane}, so several event loops share one
 * schedule without coordination. The schedule never waits for responses: when a tick comes late, every
 * operation that became due is issued at once and keeps its own intended time, from which latency is
 * measured (no coordinated omission).
 */
public final class Pacer {

  /** What a paced loop does with each operation that became due. */
  @FunctionalInterface
  public interface Due {
    void issue(long index, long intendedNanos);
  }

  private final long startNanos;
  private final double periodNanos;
  private final long total;
  private final int lane;
  private final int lanes;
  private final RunExtension extension;
  private long next;

  /**
   * @param startNanos intended time of operation 0 ({@link System#nanoTime()} scale)
   * @param ratePerSecond operations per second over all lanes, above 0
   * @param total operations in the whole run over all lanes
   * @param lane this pacer's lane, 0 to lanes - 1
   * @param lanes lanes sharing the schedule, at least 1
   */
  public Pacer(long startNanos, double ratePerSecond, long total, int lane, int lanes) {
    this(startNanos, ratePerSecond, total, lane, lanes, null);
  }

  /**
   * As above, in a run that {@code extension} (if not null) may extend: operations beyond {@code total} are taken
   * on the same schedule while they are intended before the planned end (that of operation {@code total}) plus
   * the extension as it is when they fall due.
   */
  Pacer(long startNanos, double ratePerSecond, long total, int lane, int lanes, RunExtension extension) {
    if (!(ratePerSecond > 0) || total < 0 || lanes < 1 || lane < 0 || lane >= lanes) {
      throw new IllegalArgumentException("rate " + ratePerSecond + ", total " + total + ", lane " + lane + "/" + lanes);
    }
    this.startNanos = startNanos;
    this.periodNanos = 1e9 / ratePerSecond;
    this.total = total;
    this.lane = lane;
    this.lanes = lanes;
    this.extension = extension;
    this.next = lane;
  }

  /** Operation {@code index} belongs to the run: one of the planned ones, or intended before the extended end. */
  private boolean inRun(long index) {
    if (index < total) {
      return true;
    }
    long extra = extension == null ? 0 : extension.nanos();
    return extra > 0 && intendedNanos(index) - (intendedNanos(total) + extra) < 0;
  }

  /** The number of operations a run of this length at this rate holds. */
  public static long operations(double ratePerSecond, double seconds) {
    return (long) Math.floor(ratePerSecond * seconds);
  }

  /** When operation {@code index} (of the whole run) is intended. */
  public long intendedNanos(long index) {
    return startNanos + (long) (index * periodNanos);
  }

  /**
   * Takes the next operation of this lane that is due at {@code nowNanos}, or returns -1 when none is (yet).
   * Call it in a loop on each tick until it returns -1.
   */
  public long nextDue(long nowNanos) {
    if (!inRun(next) || intendedNanos(next) - nowNanos > 0) {
      return -1;
    }
    long index = next;
    next += lanes;
    return index;
  }

  /** Issues every operation of this lane that is due at {@code nowNanos}, each with its intended time. */
  public void issueDue(long nowNanos, Due due) {
    for (long i = nextDue(nowNanos); i >= 0; i = nextDue(nowNanos)) {
      due.issue(i, intendedNanos(i));
    }
  }

  /**
   * The paced loop every scenario runs: once a millisecond on the calling event loop (the Vert.x context
   * the timer is set from), issues what became due, then asks {@code more} whether to keep ticking.
   */
  public static void drive(io.vertx.core.Vertx vertx, Pacer pacer, Due due,
      java.util.function.BooleanSupplier more) {
    vertx.setPeriodic(1, id -> {
      pacer.issueDue(System.nanoTime(), due);
      if (!more.getAsBoolean()) {
        vertx.cancelTimer(id);
      }
    });
  }

  /** As {@link #drive(io.vertx.core.Vertx, Pacer, Due, java.util.function.BooleanSupplier)}, until every operation was issued. */
  public static void drive(io.vertx.core.Vertx vertx, Pacer pacer, Due due) {
    drive(vertx, pacer, due, () -> !pacer.finished());
  }

  /** Nanoseconds until this lane's next operation is due (0 if due now), or -1 when the lane is done. */
  public long nanosUntilNext(long nowNanos) {
    if (!inRun(next)) {
      return -1;
    }
    return Math.max(0, intendedNanos(next) - nowNanos);
  }

  /** True once every operation of this lane was taken (those of an extension so far included). */
  public boolean finished() {
    return !inRun(next);
  }

  /** Operations of this lane taken so far. */
  public long taken() {
    return (next - lane) / lanes;
  }

  public int lane() {
    return lane;
  }
}
