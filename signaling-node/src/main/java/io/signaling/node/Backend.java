package io.signaling.node;

import io.signaling.config.ConfigException;
import java.util.List;

/**
 * The application backend: webhooks (signed POSTs of every room's events) and the admin API.
 *
 * @param webhookUrls receivers; each gets every event independently (empty: webhooks off)
 * @param webhookSecret the HMAC-SHA256 key of the signature header (at least 32 bytes; required with URLs)
 * @param webhookTimeoutMillis a delivery not answered within this long is a failure, retried
 * @param webhookRetrySeconds how long an event is retried (from its creation) before it is given up
 * @param webhookMaxBackoffMillis the longest wait between two attempts (the back-off doubles from 1 s up to it)
 * @param webhookMaxBacklog events kept undelivered on a node's partitions, beyond which new ones are given up
 * @param webhookEvents the events sent (empty: all); the others are passed over, in order
 * @param adminToken the admin API's bearer token (at least 32 bytes; empty: the admin API is off)
 */
public record Backend(List<String> webhookUrls, String webhookSecret, int webhookTimeoutMillis,
    int webhookRetrySeconds, int webhookMaxBackoffMillis, int webhookMaxBacklog, List<String> webhookEvents,
    String adminToken) {

  public static final Backend OFF = new Backend(List.of(), "", 5000, 21_600, 60_000, 100_000, List.of(), "");

  public Backend {
    webhookUrls = List.copyOf(webhookUrls);
    webhookEvents = List.copyOf(webhookEvents);
    if (!webhookUrls.isEmpty() && webhookSecret.isEmpty()) {
      throw new ConfigException(NodeSettings.WEBHOOK_SECRET.env() + " is required with " + NodeSettings.WEBHOOK_URLS.env()
          + " (receivers verify the signature with it)");
    }
    if (webhookUrls.size() > 16) {
      throw new ConfigException(NodeSettings.WEBHOOK_URLS.env() + " takes at most 16 URLs");
    }
  }

  public boolean webhooks() {
    return !webhookUrls.isEmpty();
  }

  public boolean admin() {
    return !adminToken.isEmpty();
  }

  /** Whether receivers get {@code event} (the filter). */
  public boolean sends(String event) {
    return webhookEvents.isEmpty() || webhookEvents.contains(event);
  }

  /** Never prints the secret or the token. */
  @Override
  public String toString() {
    return "Backend[webhookUrls=" + webhookUrls + ", webhookTimeoutMillis=" + webhookTimeoutMillis
        + ", webhookRetrySeconds=" + webhookRetrySeconds + ", webhookMaxBackoffMillis=" + webhookMaxBackoffMillis
        + ", webhookMaxBacklog=" + webhookMaxBacklog
        + ", webhookEvents=" + webhookEvents + ", admin=" + admin() + "]";
  }
}
