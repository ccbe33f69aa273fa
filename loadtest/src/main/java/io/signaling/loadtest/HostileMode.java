package io.signaling.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.function.BooleanSupplier;

/**
 * What a {@code hostile} connection does once connected, on one lane of the attack (its own event loop): never
 * a byte ({@link Silent}), or a partial upgrade and then a header byte at a time ({@link Slowloris}).
 */
interface HostileMode {

  /** The mode's behaviour for one lane of a run of {@code plan}. */
  static HostileMode of(HostileCommand.Plan plan) {
    return switch (plan.mode()) {
      case SILENT -> new Silent();
      case SLOWLORIS -> new Slowloris(plan.targets().get(0).path(), plan.byteIntervalMillis());
    };
  }

  /** Starts what the lane does over time, on its event loop, until {@code closing} says the run ends. */
  void start(Vertx vertx, BooleanSupplier closing);

  /** A connection of the lane was opened. */
  void connected(NetSocket socket);

  /** A connection of the lane was closed. */
  void closed(NetSocket socket);

  /** Connects and never sends a byte. */
  final class Silent implements HostileMode {

    @Override
    public void start(Vertx vertx, BooleanSupplier closing) {
    }

    @Override
    public void connected(NetSocket socket) {
    }

    @Override
    public void closed(NetSocket socket) {
    }
  }
}
