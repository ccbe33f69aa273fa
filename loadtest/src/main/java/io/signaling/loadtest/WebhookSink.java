package io.signaling.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code webhook-sink}: a webhook receiver for testing a deployment the way the project's tests do. It verifies
 * every delivery's signature and timestamp, checks that each room life's events arrive in order (the first arrival of
 * each {@code seq} follows the one before it), counts duplicates and announced drops, and can refuse deliveries or be
 * down for a while to show retries and the catch-up after an outage.
 */
@Command(name = "webhook-sink", mixinStandardHelpOptions = true,
    description = "Receive the nodes' webhooks, verify signatures and order per room life, and report.")
final class WebhookSink implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "8088", description = "Port to listen on (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--secret-env", defaultValue = "SIGNALING_WEBHOOK_SECRET", paramLabel = "VAR",
      description = "Environment variable holding the webhook secret (default ${DEFAULT-VALUE}).")
  String secretEnv;

  @Option(names = "--seconds", defaultValue = "0", description = "Stop after this long (0: at Ctrl-C).")
  int seconds;

  @Option(names = "--refuse-every", defaultValue = "0", description = "Answer 503 to every n-th delivery (0: never).")
  int refuseEvery;

  @Option(names = "--down-at", defaultValue = "-1", paramLabel = "SECONDS",
      description = "Close the port this long after start (-1: never), for --down-for seconds.")
  int downAt;

  @Option(names = "--down-for", defaultValue = "60", paramLabel = "SECONDS", description = "Outage length (default ${DEFAULT-VALUE}).")
  int downFor;

  @Option(names = "--report-seconds", defaultValue = "5", description = "Progress line every n seconds.")
  int reportSeconds;

  final Stats stats = new Stats();

  /** What the sink saw; thread-confined to its event loop. */
  static final class Stats {
    long requests;
    long accepted;
    long refused;
    long badSignatures;
    long duplicates;
    long orderViolations;
    long numDropped;
    long lives;
    long finished;
    long lastArrivalMillis;
    /** When the sink came back after its outage (0: not yet). */
    volatile long upAgainAt;
    /** When the last event created before the sink came back arrived after it did. */
    volatile long lastBacklogArrivalMillis;
    final Map<String, Long> lastSeq = new HashMap<>();
    final Set<String> ids = new HashSet<>();

    /** Records an accepted event; returns null, or what was wrong with its order. */
    String accept(JsonObject event) {
      accepted++;
      lastArrivalMillis = System.currentTimeMillis();
      if (upAgainAt > 0 && event.getLong("createdAt", Long.MAX_VALUE) < upAgainAt) {
        lastBacklogArrivalMillis = lastArrivalMillis;
      }
      String id = event.getString("id");
      if (!ids.add(id)) {
        duplicates++;
        return null;
      }
      numDropped += event.getLong("numDropped", 0L);
      String sid = event.getString("roomSid");
      long seq = event.getLong("seq", -1L);
      long expected = lastSeq.getOrDefault(sid, 0L) + 1;
      if (expected == 1) {
        lives++;
      }
      if ("room_finished".equals(event.getString("event"))) {
        finished++;
      }
      lastSeq.put(sid, Math.max(seq, lastSeq.getOrDefault(sid, 0L)));
      if (seq != expected && event.getLong("numDropped", 0L) == 0) {
        orderViolations++;
        return "life " + sid + " (" + event.getString("streamId") + "): seq " + seq + " where " + expected + " was due";
      }
      return null;
    }

    String line() {
      return String.format("requests %d, accepted %d, refused %d, bad signatures %d, duplicates %d, order violations"
              + " %d, lives %d (finished %d), numDropped %d", requests, accepted, refused, badSignatures, duplicates,
          orderViolations, lives, finished, numDropped);
    }
  }

  static boolean verified(byte[] secret, String ts, String sig, byte[] body, long nowSeconds) throws Exception {
    if (ts == null || sig == null) {
      return false;
    }
    long t;
    try {
      t = Long.parseLong(ts);
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(nowSeconds - t) > 300) {
      return false;
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    mac.update((ts + ".").getBytes(StandardCharsets.UTF_8));
    String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), sig.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public Integer call() throws Exception {
    String secretText = System.getenv(secretEnv);
    if (secretText == null || secretText.getBytes(StandardCharsets.UTF_8).length < 32) {
      System.out.println("set " + secretEnv + " to the nodes' webhook secret (at least 32 bytes)");
      return 2;
    }
    byte[] secret = secretText.getBytes(StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    long started = System.currentTimeMillis();
    HttpServer[] server = {null};
    // never waits on the event loop: listening completes on it
    Runnable listen = () -> vertx.createHttpServer().requestHandler(req -> handle(req, secret)).listen(port, host)
        .onSuccess(s -> server[0] = s)
        .onFailure(e -> System.out.println("cannot listen on " + host + ":" + port + ": " + e.getMessage()));
    vertx.runOnContext(v -> listen.run());
    System.out.printf("webhook-sink listening on http://%s:%d/ (POST any path)%n", host, port);
    if (downAt >= 0) {
      vertx.setTimer(Math.max(1, downAt * 1000L), t -> {
        server[0].close();
        System.out.printf("down for %d s%n", downFor);
        vertx.setTimer(Math.max(1, downFor * 1000L), u -> {
          listen.run();
          stats.upAgainAt = System.currentTimeMillis();
          System.out.println("up again");
        });
      });
    }
    vertx.setPeriodic(Math.max(1, reportSeconds) * 1000L, t -> {
      String caughtUp = stats.upAgainAt == 0 || stats.lastBacklogArrivalMillis == 0 ? ""
          : String.format(", outage backlog delivered %.1f s after the sink came back",
              (stats.lastBacklogArrivalMillis - stats.upAgainAt) / 1000.0);
      System.out.printf("%6.1f s  %s%s%n", (System.currentTimeMillis() - started) / 1000.0, stats.line(), caughtUp);
    });
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
    if (seconds > 0) {
      done.await(seconds, TimeUnit.SECONDS);
    } else {
      done.await();
    }
    CountDownLatch printed = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      System.out.println("final: " + stats.line());
      printed.countDown();
    });
    printed.await(5, TimeUnit.SECONDS);
    vertx.close();
    return stats.badSignatures == 0 && stats.orderViolations == 0 ? 0 : 1;
  }

  private void handle(HttpServerRequest req, byte[] secret) {
    req.body().onSuccess(body -> {
      stats.requests++;
      boolean ok;
      try {
        ok = verified(secret, req.getHeader("X-Signaling-Timestamp"), req.getHeader("X-Signaling-Signature"),
            body.getBytes(), System.currentTimeMillis() / 1000);
      } catch (Exception e) {
        ok = false;
      }
      if (!ok) {
        stats.badSignatures++;
        req.response().setStatusCode(401).end();
        return;
      }
      if (refuseEvery > 0 && stats.requests % refuseEvery == 0) {
        stats.refused++;
        req.response().setStatusCode(503).end();
        return;
      }
      JsonObject event = new JsonObject(body);
      String problem = stats.accept(event);
      if (problem != null) {
        System.out.println("ORDER: " + problem);
      }
      req.response().setStatusCode(204).end();
    });
  }
}
