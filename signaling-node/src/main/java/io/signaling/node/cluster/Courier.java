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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries envelopes between event loops over the clustered event bus. Relays are sent in order, without
 * replies (one sender context to one inbox keeps order). Pairing and stop notices are requests with a
 * short timeout and bounded, backed-off retries: their loss would strand a peer. A notice whose first
 * {@code attempts} went unanswered while the target's node is still a member of the cluster (a busy or paused
 * node, not a lost one) is tried again about once a second for up to {@code patienceMillis} from its first
 * attempt; it fails as soon as the node is no longer a member (the node-loss path then ends or holds the call).
 *
 * <p>Relays are batched per target inbox for the rest of the current event-loop turn: the first relay of a
 * turn schedules a flush on the context, which runs after the I/O the loop is processing, so a relay waits
 * for no timer and, under load, the relays read in one turn travel as one event-bus message. A notice for
 * an inbox first flushes that inbox's pending relays, so nothing overtakes what was sent before it. One
 * courier belongs to one event loop and is used only from its context.
 */
public final class Courier {

  private static final Logger LOG = LoggerFactory.getLogger(Courier.class);
  /** The longest pause between two attempts at a notice. */
  private static final long MAX_BACKOFF_MILLIS = 1000L;

  /** Whether a node is a member of the cluster as this node sees it now (called on the courier's event loop). */
  @FunctionalInterface
  public interface Presence {
    boolean inCluster(String nodeId);

    /** For a courier that gives up after its first attempts. */
    Presence NONE = nodeId -> false;
  }

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
  private final long patienceMillis;
  private final Presence presence;
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

  /** A courier that gives a notice up after {@code attempts} unanswered attempts. */
  public Courier(Vertx vertx, Context context, int timeoutMillis, int attempts, Listener listener) {
    this(vertx, context, timeoutMillis, attempts, 0, Presence.NONE, listener);
  }

  /**
   * @param context the event loop this courier is used from
   * @param patienceMillis how long, from its first attempt, a notice to a node that {@code presence} still finds
   *     in the cluster is tried again after its first {@code attempts} (0: not at all)
   */
  public Courier(Vertx vertx, Context context, int timeoutMillis, int attempts, long patienceMillis,
      Presence presence, Listener listener) {
    this.vertx = vertx;
    this.context = context;
    this.eventBus = vertx.eventBus();
    this.timeoutMillis = timeoutMillis;
    this.attempts = attempts;
    this.patienceMillis = patienceMillis;
    this.presence = presence;
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
    attempt(inbox, envelope, local, 1, System.nanoTime(), done::complete, done::fail);
    return done.future();
  }

  private void attempt(String inbox, Envelope envelope, boolean local, int n, long firstNanos, Runnable ok,
      Consumer<Throwable> fail) {
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
      long backoff = Math.min(MAX_BACKOFF_MILLIS, 50L << Math.min(n - 1, 5));
      if (retryable && (n < attempts || patient(inbox, n, firstNanos, backoff))) {
        listener.retried(envelope.kind());
        vertx.setTimer(backoff, t -> attempt(inbox, envelope, local, n + 1, firstNanos, ok, fail));
      } else {
        if (retryable && n > attempts) {
          LOG.warn("A {} notice to {} went unanswered for {} ms ({} attempts){}: its partner is given up as lost",
              envelope.kind(), inbox, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstNanos), n,
              nodeStillIn(inbox) ? " although its node is still in the cluster" : ", and its node left the cluster");
        }
        listener.failed(envelope.kind());
        fail.accept(cause);
      }
    });
  }

  /**
   * After the first attempts: the notice is tried again while its node is still in the cluster (its loss is the
   * node-loss path's to handle) and the next attempt begins within the patience.
   */
  private boolean patient(String inbox, int n, long firstNanos, long backoff) {
    if (patienceMillis <= 0
        || TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstNanos) + backoff >= patienceMillis
        || !nodeStillIn(inbox)) {
      return false;
    }
    if (n == attempts) {
      LOG.info("{} attempts at a notice to {} went unanswered, but its node is still in the cluster: trying again "
          + "for up to {} ms from the first", n, inbox, patienceMillis);
    }
    return true;
  }

  private boolean nodeStillIn(String inbox) {
    String node = Inboxes.nodeOf(inbox);
    return node != null && presence.inCluster(node);
  }
}
