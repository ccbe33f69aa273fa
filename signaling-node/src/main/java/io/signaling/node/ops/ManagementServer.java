package io.signaling.node.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * The management port: {@code /metrics} (Prometheus text) and the health endpoints, for probes and scrapers
 * inside the deployment, never on the client port. One server per node, on the node's Vert.x instance.
 */
public final class ManagementServer {

  public static final String HEALTH_LIVE = "/health/live";
  public static final String HEALTH_READY = "/health/ready";
  public static final String METRICS = "/metrics";
  /** A safety check run when asked: 200 when it finds this member safe, 503 otherwise (the readiness document). */
  public static final String HEALTH_SAFE = "/health/safe";
  public static final String NODE_HEADER = "X-Signaling-Node";

  private ManagementServer() {
  }

  /**
   * Listens on {@code host:port} (0: a free port; see {@link HttpServer#actualPort()}).
   *
   * @param idleSeconds keep-alive connections idle this long are closed (scrapers and probes reconnect)
   */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, int idleSeconds, NodeHealth health,
      SignalingMetrics metrics) {
    return start(vertx, host, port, idleSeconds, health, metrics, router -> { });
  }

  /** As above, with more routes ({@code mounts}: the admin API when it is on). */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, int idleSeconds, NodeHealth health,
      SignalingMetrics metrics, java.util.function.Consumer<Router> mounts) {
    String nodeId = health.nodeId();
    Router router = Router.router(vertx);
    mounts.accept(router);
    router.get(HEALTH_LIVE).handler(ctx -> ctx.response().putHeader(NODE_HEADER, nodeId)
        .putHeader("content-type", "application/json").end("{\"status\":\"UP\",\"node\":\"" + nodeId + "\"}"));
    router.get(HEALTH_READY).handler(ctx -> ctx.response().setStatusCode(health.isReady() ? 200 : 503)
        .putHeader(NODE_HEADER, nodeId).putHeader("content-type", "application/json").end(health.describe()));
    router.get(HEALTH_SAFE).handler(ctx -> health.checkSafetyNow().onComplete(ar -> ctx.response()
        .setStatusCode(ar.succeeded() && ar.result() ? 200 : 503).putHeader(NODE_HEADER, nodeId)
        .putHeader("content-type", "application/json").end(health.describe())));
    router.get(METRICS).handler(ctx -> {
      if (metrics instanceof MicrometerSignalingMetrics prometheus) {
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(prometheus.scrape());
      } else {
        ctx.response().setStatusCode(404).end("metrics are off");
      }
    });
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        // HTTP/1.1 only, as on the client port: a client that offers an h2c upgrade (the JDK's HttpClient does by
        // default) now and then got no answer to a large scrape over the upgraded connection, only its end
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(idleSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
    return vertx.createHttpServer(options).requestHandler(router).listen();
  }
}
