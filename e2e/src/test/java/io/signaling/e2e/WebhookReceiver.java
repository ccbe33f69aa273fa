package io.signaling.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on loopback for the browser suites: {@code POST /hook} records each delivery as it came (the
 * raw body and the {@code X-Signaling-Timestamp}, {@code X-Signaling-Signature} and {@code Content-Type} headers)
 * and answers 204; {@code GET /deliveries} returns every delivery recorded so far, in arrival order, as a JSON array
 * of {@code {"timestamp", "signature", "contentType", "body"}} with the body's bytes in base64. It does not judge
 * what it records: the suites check the signatures (with their own HMAC implementation) and the events.
 */
final class WebhookReceiver implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "webhook-receiver");
    t.setDaemon(true);
    return t;
  });
  private final List<JsonObject> deliveries = new ArrayList<>();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  /** Listens on a free loopback port. */
  static WebhookReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    WebhookReceiver receiver = new WebhookReceiver(server);
    server.createContext("/hook", receiver::hook);
    server.createContext("/deliveries", receiver::list);
    server.setExecutor(receiver.executor);
    server.start();
    return receiver;
  }

  /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The URL the nodes deliver to. */
  String hookUrl() {
    return baseUrl() + "/hook";
  }

  private void hook(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      JsonObject delivery = new JsonObject()
          .put("timestamp", exchange.getRequestHeaders().getFirst("X-Signaling-Timestamp"))
          .put("signature", exchange.getRequestHeaders().getFirst("X-Signaling-Signature"))
          .put("contentType", exchange.getRequestHeaders().getFirst("Content-Type"))
          .put("body", Base64.getEncoder().encodeToString(body));
      synchronized (deliveries) {
        deliveries.add(delivery);
      }
      exchange.sendResponseHeaders(204, -1);
    }
  }

  private void list(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      JsonArray all;
      synchronized (deliveries) {
        all = new JsonArray(new ArrayList<>(deliveries));
      }
      byte[] bytes = all.encode().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
