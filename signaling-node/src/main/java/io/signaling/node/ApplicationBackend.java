package io.signaling.node;

import io.signaling.node.backend.AdminApi;
import io.signaling.node.backend.WebhookMetrics;
import io.signaling.node.backend.WebhookSender;
import io.signaling.node.cluster.ClusterAdmin;
import io.signaling.node.cluster.ClusterMember;
import io.signaling.node.cluster.WebhookDispatcher;
import io.signaling.node.ops.MicrometerSignalingMetrics;
import io.signaling.node.ops.NodeHealth;
import io.signaling.node.ops.SignalingMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the application backend: webhook delivery (when {@code SIGNALING_WEBHOOK_URLS} is set) and the
 * admin API on the management port (when {@code SIGNALING_ADMIN_TOKEN} is set).
 */
final class ApplicationBackend {

  private static final Logger LOG = LoggerFactory.getLogger(ApplicationBackend.class);

  private final WebhookDispatcher dispatcher;
  private final ClusterAdmin admin;
  private final AdminApi api;
  private final Future<Void> ready;

  private ApplicationBackend(WebhookDispatcher dispatcher, ClusterAdmin admin, AdminApi api, Future<Void> ready) {
    this.dispatcher = dispatcher;
    this.admin = admin;
    this.api = api;
    this.ready = ready;
  }

  static ApplicationBackend start(NodeSettings settings, Vertx vertx, ClusterMember member, Executor blocking,
      String nodeId, NodeHealth health, SignalingMetrics metrics) {
    Backend backend = settings.backend();
    WebhookDispatcher dispatcher = null;
    if (backend.webhooks()) {
      WebhookSender sender = new WebhookSender(vertx, backend.webhookUrls(), backend.webhookSecret(),
          backend.webhookTimeoutMillis());
      dispatcher = new WebhookDispatcher(vertx, member.hazelcast(), backend, sender, blocking, nodeId);
      WebhookDispatcher d = dispatcher;
      if (metrics instanceof MicrometerSignalingMetrics prometheus) {
        dispatcher.withMetrics(WebhookMetrics.micrometer(prometheus.registry(), d::backlog,
            d::oldestUndeliveredSeconds, d::active));
      }
      health.bindWebhooks(d::active);
      dispatcher.start();
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] webhooks on: {} receiver(s), retried for {} s, backlog"
          + " bound {}; {}", nodeId, backend.webhookUrls().size(), backend.webhookRetrySeconds(),
          backend.webhookMaxBacklog(), d.active() ? "active" : "waiting for the members of an earlier release to leave");
    }
    ClusterAdmin admin = null;
    AdminApi api = null;
    Future<Void> ready = Future.succeededFuture();
    if (backend.admin()) {
      admin = new ClusterAdmin(vertx, member.hazelcast(), blocking, nodeId, settings.sendTimeoutMillis(),
          settings.sendAttempts(), settings.resume().seconds() * 1000L, () -> stats(nodeId, health, metrics));
      api = new AdminApi(backend.adminToken(), admin);
      ready = admin.start();
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] admin API on at /admin on the management port", nodeId);
    }
    return new ApplicationBackend(dispatcher, admin, api, ready);
  }

  Future<Void> ready() {
    return ready;
  }

  /** Adds the admin API's routes, when it is on. */
  void mount(Router router) {
    if (api != null) {
      api.mount(router);
    }
  }

  private static JsonObject stats(String nodeId, NodeHealth health, SignalingMetrics metrics) {
    JsonObject stats = new JsonObject().put("node", nodeId).put("ready", health.isReady())
        .put("warming", health.isWarming()).put("draining", health.isDraining());
    if (metrics instanceof MicrometerSignalingMetrics prometheus) {
      stats.put("connections", gauge(prometheus, "signaling.connections"));
      stats.put("rooms", gauge(prometheus, "signaling.rooms"));
      stats.put("webhookBacklog", gauge(prometheus, "signaling.webhook.backlog"));
    }
    return stats;
  }

  private static long gauge(MicrometerSignalingMetrics metrics, String name) {
    io.micrometer.core.instrument.Gauge g = metrics.registry().find(name).gauge();
    return g == null ? 0 : Math.round(g.value());
  }
}
