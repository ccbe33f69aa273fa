package io.signaling.node.backend;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * What webhook delivery counts: {@code signaling_webhook_backlog} (events undelivered on this node's partitions),
 * {@code signaling_webhook_oldest_undelivered_seconds}, {@code signaling_webhook_deliveries_total{outcome}}
 * (delivered, status, timeout, refused, error, skipped) and {@code signaling_webhook_dropped_total{cause}}
 * (retry window passed, backlog full).
 */
public interface WebhookMetrics {

  void delivery(String outcome);

  void dropped(String cause, int events);

  WebhookMetrics NOOP = new WebhookMetrics() {
    @Override
    public void delivery(String outcome) {
    }

    @Override
    public void dropped(String cause, int events) {
    }
  };

  /**
   * Meters in {@code registry}; the gauges read {@code backlog}, {@code oldestSeconds} and {@code active}
   * ({@code signaling_webhook_active}: 1 while events are produced, 0 while members of an earlier release are present).
   */
  static WebhookMetrics micrometer(MeterRegistry registry, LongSupplier backlog, DoubleSupplier oldestSeconds,
      BooleanSupplier active) {
    Gauge.builder("signaling.webhook.active", () -> active.getAsBoolean() ? 1 : 0)
        .description("1 while webhooks produce events, 0 while they wait for members of an earlier release to leave")
        .register(registry);
    Gauge.builder("signaling.webhook.backlog", backlog::getAsLong)
        .description("Webhook events not yet delivered to every receiver, on this node's partitions").register(registry);
    Gauge.builder("signaling.webhook.oldest.undelivered.seconds", oldestSeconds::getAsDouble)
        .description("Age of the oldest event this node is delivering").register(registry);
    Map<String, Counter> deliveries = new ConcurrentHashMap<>();
    Map<String, Counter> drops = new ConcurrentHashMap<>();
    return new WebhookMetrics() {
      @Override
      public void delivery(String outcome) {
        deliveries.computeIfAbsent(outcome, o -> Counter.builder("signaling.webhook.deliveries").tag("outcome", o)
            .description("Webhook delivery attempts by outcome").register(registry)).increment();
      }

      @Override
      public void dropped(String cause, int events) {
        drops.computeIfAbsent(cause, c -> Counter.builder("signaling.webhook.dropped").tag("cause", c)
            .description("Webhook events given up").register(registry)).increment(events);
      }
    };
  }
}
