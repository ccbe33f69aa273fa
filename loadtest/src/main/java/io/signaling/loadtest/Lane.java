package io.signaling.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.util.List;
import java.util.function.BooleanSupplier;

/** One event loop's share of a run: its context, the shared client, stats and targets. */
record Lane(int index, int lanes, Vertx vertx, Context context, WebSocketClient client, Stats stats,
    List<Target> targets, boolean crossNode, long runId) {

  /** An operation of a paced run that completes when it is done (it never needs to fail). */
  @FunctionalInterface
  interface Operation {
    Future<?> start(long index, long intendedNanos);
  }

  /** This lane's share of {@code total} operations at {@code ratePerSecond} over all lanes, from {@code startNanos}. */
  Pacer pacer(long startNanos, double ratePerSecond, long total) {
    return pacer(startNanos, ratePerSecond, total, null);
  }

  /** As above, going on on the same schedule while {@code extension} (if not null) extends the run. */
  Pacer pacer(long startNanos, double ratePerSecond, long total, RunExtension extension) {
    return new Pacer(startNanos, ratePerSecond, total, index, lanes, extension);
  }

  /** Runs the paced loop on this lane's event loop (see {@link Pacer#drive}). */
  void pace(Pacer pacer, Pacer.Due due, BooleanSupplier more) {
    Pacer.drive(vertx, pacer, (i, intended) -> {
      stats.issued(intended, System.nanoTime());
      due.issue(i, intended);
    }, more);
  }

  /**
   * Starts this lane's operations on schedule, at most {@code maxInFlight} at once (one due beyond that is passed
   * to {@code refused} instead); completes when every operation was started and has completed.
   */
  Future<Void> paced(Pacer pacer, int maxInFlight, Operation operation, Pacer.Due refused) {
    Promise<Void> done = Promise.promise();
    int[] inFlight = {0};
    Runnable check = () -> {
      if (pacer.finished() && inFlight[0] == 0) {
        done.tryComplete();
      }
    };
    pace(pacer, (i, intended) -> {
      if (inFlight[0] >= maxInFlight) {
        refused.issue(i, intended);
        return;
      }
      inFlight[0]++;
      operation.start(i, intended).onComplete(r -> {
        inFlight[0]--;
        check.run();
      });
    }, () -> {
      check.run();
      return !pacer.finished();
    });
    return done.future();
  }

  Target target(int node) {
    return targets.get(node);
  }
}
