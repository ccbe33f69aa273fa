package io.signaling.node.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Carries envelopes between event loops over the clustered event bus. Relays are sent in order, without
 * replies (one sender context to one inbox keeps order). Pairing and stop notices are requests with a
 * short timeout and bounded, backed-off retries: their loss would strand a peer.
 *
 * <p>Relays are batched per target inbox for the rest of the current event-loop turn: the first relay of a
 * turn schedules a flush on the context, which runs after the I/O the loop is processing, so a relay waits
 * for no timer and, under load, the relays read in one turn travel as one event-bus message. A notice for
 * an inbox first flushes that inbox's pending relays, so nothing overtakes what was sent before it. One
 * courier belongs to one event loop and is used only from its context.
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
  private final Context context;
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private boolean flushScheduled;

  private static final class Pending {
    final boolean local;
    final List<Envelope> envelopes = new ArrayList<>(4);

    Pending(boolean local) {
      this.local = local;
    }
  }

  /** @param context the event loop this courier is used from */
  public Courier(Vertx vertx, Context context, int timeoutMillis, int attempts, Listener listener) {
    this.vertx = vertx;
    this.context = context;
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
    Pending p = pending.get(inbox);
    if (p == null) {
      p = new Pending(local);
      pending.put(inbox, p);
    }
    p.envelopes.add(envelope);
    if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  /** Sends every pending relay now (end of the turn). */
  void flush() {
    flushScheduled = false;
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      sendNow(e.getKey(), e.getValue());
    }
    pending.clear();
  }

  private void flush(String inbox) {
    Pending p = pending.remove(inbox);
    if (p != null) {
      sendNow(inbox, p);
    }
  }

  private void sendNow(String inbox, Pending p) {
    if (p.envelopes.size() == 1) {
      eventBus.send(inbox, p.envelopes.get(0),
          new DeliveryOptions().setCodecName(EnvelopeCodec.NAME).setLocalOnly(p.local));
    } else {
      eventBus.send(inbox, new EnvelopeBatch(p.envelopes),
          new DeliveryOptions().setCodecName(EnvelopeBatchCodec.NAME).setLocalOnly(p.local));
    }
  }

  /** Delivers a notice that must arrive: completes when the target inbox acknowledged it, or fails after the last attempt. */
  public Future<Void> deliver(String inbox, Envelope envelope, boolean local) {
    flush(inbox);
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
