package io.signaling.node.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * A node's metrics as Prometheus reads them: {@code /metrics} on its management port, over HTTP/1.1 (as a scraper
 * asks; the JDK client's default h2c upgrade is not), with a bounded wait per scrape.
 */
public final class NodeMetrics {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private NodeMetrics() {
  }

  /**
   * The value of metric {@code name} (its first series when it has labels) at {@code managementBase}
   * ({@code http://host:port}), or empty when the node does not export it (yet).
   */
  public static OptionalDouble first(String managementBase, String name, Duration timeout)
      throws IOException, InterruptedException {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create(managementBase + "/metrics")).timeout(timeout).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).findFirst()
        .map(l -> OptionalDouble.of(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))))
        .orElse(OptionalDouble.empty());
  }
}
