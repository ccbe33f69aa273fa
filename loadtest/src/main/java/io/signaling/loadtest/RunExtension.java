package io.signaling.loadtest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a measured run goes on past its planned length: zero unless something it must not cut off (a scale
 * event still in progress at the planned end) extends it. Read by the run's pacers on every tick, so a lane
 * whose planned operations are all issued goes on issuing operations on the same schedule while the end moves;
 * only ever moves later. Thread-safe.
 */
final class RunExtension {

  private final AtomicLong nanos = new AtomicLong();
  private volatile String reason = "";

  /** Nanoseconds past the planned end. */
  long nanos() {
    return nanos.get();
  }

  double seconds() {
    return nanos() / 1e9;
  }

  /** Why the run was extended (what was still in progress when it was first extended), or empty. */
  String reason() {
    return reason;
  }

  /** Extends the run to at least {@code extraNanos} past its planned end; {@code why} is kept from the first time. */
  void atLeast(long extraNanos, String why) {
    long before = nanos.getAndAccumulate(extraNanos, Math::max);
    if (before == 0 && extraNanos > 0 && reason.isEmpty()) {
      reason = why;
    }
  }
}
