package io.signaling.node.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.function.Consumer;

/**
 * Carries envelopes between event loops over the clustered event bus. Relays are sent in order, without
 * replies (one sender context to one inbox keeps order). Pairing and stop notices are requests with a
 * short timeout and bounded, backed-off retries: their loss would strand a peer.
 */
public final class Courier {

  /** Counts of cross-node delivery trouble, for metrics. */
  public interface Listener {
    void retried(Envelope.Kind kind);

    void failed(Envelope.Kind kind);

    Listener NONE = new Listener() {
      @Override
      public void retried(Envelope.Kind kind) {
      }

      @Override
      public void failed(Envelope.Kind kind) {
      }
    };
  }

  private final Vertx vertx;
  private final EventBus eventBus;
  private final int timeoutMillis;
  private final int attempts;
  private final Listener listener;

  public Courier(Vertx vertx, int timeoutMillis, int attempts, Listener listener) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.timeoutMillis = timeoutMillis;
    this.attempts = attempts;
    this.listener = listener;
  }

  /**
   * Sends a relay; order is kept per sending event loop and target inbox. {@code local}: the inbox is on
   * this node, so the message never consults the cluster's registrations (which can stall while members
   * come and go).
   */
  public void send(String inbox, Envelope envelope, boolean local) {
    eventBus.send(inbox, envelope, new DeliveryOptions().setCodecName(EnvelopeCodec.NAME).setLocalOnly(local));
  }

  /** Delivers a notice that must arrive: completes when the target inbox acknowledged it, or fails after the last attempt. */
  public Future<Void> deliver(String inbox, Envelope envelope, boolean local) {
    Promise<Void> done = Promise.promise();
    attempt(inbox, envelope, local, 1, done::complete, done::fail);
    return done.future();
  }

  private void attempt(String inbox, Envelope envelope, boolean local, int n, Runnable ok, Consumer<Throwable> fail) {
    DeliveryOptions options = new DeliveryOptions().setCodecName(EnvelopeCodec.NAME).setSendTimeout(timeoutMillis)
        .setLocalOnly(local);
    eventBus.request(inbox, envelope, options).onComplete(ar -> {
      if (ar.succeeded()) {
        ok.run();
        return;
      }
      Throwable cause = ar.cause();
      boolean retryable = cause instanceof ReplyException
          && (((ReplyException) cause).failureType() == ReplyFailure.NO_HANDLERS
              || ((ReplyException) cause).failureType() == ReplyFailure.TIMEOUT);
      if (retryable && n < attempts) {
        listener.retried(envelope.kind());
        long backoff = Math.min(1000L, 50L << (n - 1));
        vertx.setTimer(backoff, t -> attempt(inbox, envelope, local, n + 1, ok, fail));
      } else {
        listener.failed(envelope.kind());
        fail.accept(cause);
      }
    });
  }
}
