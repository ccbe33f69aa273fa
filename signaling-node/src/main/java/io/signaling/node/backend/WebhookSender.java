package io.signaling.node.backend;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Posts one event to one receiver: {@code Content-Type: application/json}, the timestamp and signature headers.
 * The outcome is a word for the metrics: {@code delivered} (a 2xx) or why not ({@code status}, {@code timeout},
 * {@code refused}, {@code error}).
 */
public final class WebhookSender {

  public static final String DELIVERED = "delivered";

  private final HttpClient client;
  private final List<String> urls;
  /** Each receiver's address, parsed once: a URL parsed per request cost as much as the signature. */
  private final List<Target> targets;
  private final WebhookSignature signature;
  private final long timeoutMillis;

  public WebhookSender(Vertx vertx, List<String> urls, String secret, long timeoutMillis) {
    this.urls = List.copyOf(urls);
    this.targets = this.urls.stream().map(Target::of).toList();
    this.signature = new WebhookSignature(secret);
    this.timeoutMillis = timeoutMillis;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(30)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis)),
        new PoolOptions().setHttp1MaxSize(32).setMaxWaitQueueSize(-1));
  }

  public int receivers() {
    return urls.size();
  }

  public String url(int receiver) {
    return urls.get(receiver);
  }

  /** Posts {@code body} to receiver {@code receiver}; completes with the outcome (never fails). */
  public Future<String> post(int receiver, String body) {
    long now = System.currentTimeMillis() / 1000;
    Target target = targets.get(receiver);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host())
        .setPort(target.port()).setSsl(target.ssl()).setURI(target.uri())
        .setTimeout(timeoutMillis).setConnectTimeout(timeoutMillis)
        .putHeader("content-type", "application/json")
        .putHeader(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))
        .putHeader(WebhookSignature.SIGNATURE_HEADER, signature.sign(now, body));
    return client.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(ignored -> resp.statusCode()))
        .map(status -> status >= 200 && status < 300 ? DELIVERED : "status")
        .otherwise(WebhookSender::outcome);
  }

  private static String outcome(Throwable e) {
    Throwable c = e;
    while (c != null) {
      if (c instanceof ConnectException) {
        return "refused";
      }
      if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
        return "timeout";
      }
      c = c.getCause();
    }
    return "error";
  }

  /** A receiver's URL as the client needs it. */
  private record Target(String host, int port, boolean ssl, String uri) {
    static Target of(String url) {
      URI u = URI.create(url);
      boolean ssl = "https".equalsIgnoreCase(u.getScheme());
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      String uri = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
      String host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
      return new Target(host, u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80, ssl, uri);
    }
  }

  public Future<Void> close() {
    return client.close();
  }
}
