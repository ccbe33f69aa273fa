package io.signaling.node.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.signaling.node.backend.WebhookSignature;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real webhook receiver on loopback (the JDK's HTTP server): checks every delivery's signature and timestamp,
 * keeps what it accepted in arrival order, and can refuse every n-th delivery (503) or be down (its port closed).
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One accepted delivery. */
  public record Delivery(String id, String event, String streamId, String roomSid, long seq, JsonObject body) {
  }

  private final int port;
  private final WebhookSignature signature;
  private final List<Delivery> accepted = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger badSignatures = new AtomicInteger();
  private volatile int refuseEvery;
  private HttpServer server;

  public WebhookReceiver(String secret) {
    this.port = TestCluster.freePort();
    this.signature = new WebhookSignature(secret);
    start();
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/hook";
  }

  /** Listens (again) on its port. */
  public synchronized void start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on " + port, e);
    }
    server.createContext("/hook", this::handle);
    server.start();
  }

  /** Closes its port: deliveries are refused at connect. */
  public synchronized void stop() {
    server.stop(0);
  }

  /** Refuses every {@code n}-th request with 503 (0: none). */
  public void refuseEvery(int n) {
    refuseEvery = n;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String ts = exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
      String sig = exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      if (!signature.verify(ts, sig, body, System.currentTimeMillis() / 1000, 300)
          || type == null || !type.startsWith("application/json") || !"POST".equals(exchange.getRequestMethod())) {
        badSignatures.incrementAndGet();
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      int n = requests.incrementAndGet();
      int every = refuseEvery;
      if (every > 0 && n % every == 0) {
        refused.incrementAndGet();
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      JsonObject json = new JsonObject(body);
      synchronized (accepted) {
        accepted.add(new Delivery(json.getString("id"), json.getString("event"), json.getString("streamId"),
            json.getString("roomSid"), json.getLong("seq"), json));
      }
      exchange.sendResponseHeaders(204, -1);
    } finally {
      exchange.close();
    }
  }

  public int badSignatures() {
    return badSignatures.get();
  }

  public int refused() {
    return refused.get();
  }

  public List<Delivery> accepted() {
    synchronized (accepted) {
      return List.copyOf(accepted);
    }
  }

  /** Every delivery for {@code streamId}, in arrival order. */
  public List<Delivery> of(String streamId) {
    return accepted().stream().filter(d -> streamId.equals(d.streamId())).toList();
  }

  /** The lives of {@code streamId} (by roomSid, first seen first): each life's events, duplicates left out. */
  public Map<String, List<Delivery>> lives(String streamId) {
    Map<String, List<Delivery>> lives = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Delivery d : of(streamId)) {
      if (seen.add(d.id())) {
        lives.computeIfAbsent(d.roomSid(), k -> new ArrayList<>()).add(d);
      }
    }
    return lives;
  }

  /** The event names of {@code streamId}'s only life, in arrival order (duplicates left out). */
  public List<String> events(String streamId) {
    Map<String, List<Delivery>> lives = lives(streamId);
    if (lives.size() != 1) {
      throw new AssertionError(streamId + " has " + lives.size() + " lives: " + lives.keySet());
    }
    return lives.values().iterator().next().stream().map(Delivery::event).toList();
  }

  /** True once {@code streamId} has as many lives as {@code lives} and each of them has its room_finished. */
  public boolean finished(String streamId, int lives) {
    Map<String, List<Delivery>> all = lives(streamId);
    return all.size() == lives && all.values().stream()
        .allMatch(l -> l.stream().anyMatch(d -> "room_finished".equals(d.event())));
  }

  /** Number of deliveries that repeated an id already accepted. */
  public int duplicates() {
    Set<String> seen = new HashSet<>();
    int dups = 0;
    for (Delivery d : accepted()) {
      if (!seen.add(d.id())) {
        dups++;
      }
    }
    return dups;
  }

  /**
   * The first arrivals of each life's events are numbered 1, 2, 3… with no gap and no event before the one that
   * precedes it; returns a description of the first violation, or null.
   */
  public String orderViolation() {
    Map<String, Long> last = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Delivery d : accepted()) {
      if (!seen.add(d.id())) {
        continue;
      }
      long expected = last.getOrDefault(d.roomSid(), 0L) + 1;
      if (d.seq() != expected) {
        return "life " + d.roomSid() + " of " + d.streamId() + ": seq " + d.seq() + " arrived where " + expected
            + " was due";
      }
      if (!d.id().equals(d.roomSid() + "-" + d.seq())) {
        return "id " + d.id() + " does not name its life and seq";
      }
      last.put(d.roomSid(), expected);
    }
    return null;
  }

  @Override
  public void close() {
    stop();
  }
}
