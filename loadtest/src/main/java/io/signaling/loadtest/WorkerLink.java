package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A worker's side of a distributed run: registers with the coordinator, keeps telling it that it is alive,
 * waits for the common start, ships every closed second (counts and encoded histograms) and, at the end, its
 * whole-run figures. Plain HTTP with JSON bodies (see {@link Coordinator} for the endpoints).
 */
final class WorkerLink implements Harness.Gate, AutoCloseable {

  /** What the coordinator told a worker when it registered. */
  record Assignment(int index, int count, java.util.List<String> args) { }

  private final URI coordinator;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicLong seq = new AtomicLong();
  private volatile int index = -1;
  private Thread heartbeat;

  WorkerLink(URI coordinator) {
    this.coordinator = coordinator;
  }

  /** A link for a worker already registered as {@code index} (no second registration, no second heartbeat). */
  static WorkerLink registered(URI coordinator, int index) {
    WorkerLink link = new WorkerLink(coordinator);
    link.index = index;
    return link;
  }

  /**
   * Registers (asking for index {@code wanted}, or any when negative), retrying until the coordinator answers or
   * {@code timeoutMillis} passed (a coordinator pod may start after its workers).
   */
  Assignment register(int wanted, long timeoutMillis) throws IOException, InterruptedException {
    long until = System.currentTimeMillis() + timeoutMillis;
    JsonObject body = new JsonObject().put("index", wanted).put("pid", ProcessHandle.current().pid())
        .put("host", host());
    while (true) {
      try {
        JsonObject reply = post("/register", body, Duration.ofSeconds(10));
        index = reply.getInteger("index");
        java.util.List<String> args = new java.util.ArrayList<>();
        reply.getJsonArray("args").forEach(a -> args.add((String) a));
        startHeartbeat();
        return new Assignment(index, reply.getInteger("count"), args);
      } catch (Answered e) {
        throw e; // the coordinator is up and said no: trying again would not change its answer
      } catch (IOException e) {
        if (System.currentTimeMillis() > until) {
          throw new IOException("coordinator " + coordinator + " did not answer: " + e.getMessage(), e);
        }
        Thread.sleep(1_000); // the coordinator is not up yet: try again (a bounded retry, not a synchronisation)
      }
    }
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** A worker that cannot reach its coordinator for this long gives up (exit 1): nobody would read its figures. */
  static final long COORDINATOR_GONE_MILLIS = 30_000;

  private void startHeartbeat() {
    heartbeat = new Thread(() -> {
      long lastAnswer = System.nanoTime();
      while (!Thread.currentThread().isInterrupted()) {
        try {
          post("/alive", new JsonObject().put("index", index), Duration.ofSeconds(5));
          lastAnswer = System.nanoTime();
        } catch (InterruptedException e) {
          return;
        } catch (IOException e) {
          if (System.nanoTime() - lastAnswer > COORDINATOR_GONE_MILLIS * 1_000_000L) {
            System.out.println("FAILED: the coordinator did not answer for " + COORDINATOR_GONE_MILLIS / 1000
                + " s (" + e.getMessage() + "); giving up");
            Runtime.getRuntime().halt(1);
          }
        }
        try {
          Thread.sleep(2_000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "worker-heartbeat");
    heartbeat.setDaemon(true);
    heartbeat.start();
  }

  @Override
  public long awaitStart() {
    try {
      JsonObject reply = post("/ready", new JsonObject().put("index", index), Duration.ofMinutes(30));
      if (reply.containsKey("abort")) {
        throw new IllegalStateException("the coordinator called the run off: " + reply.getString("abort"));
      }
      long startAt = reply.getLong("startAtEpochMillis");
      return System.nanoTime() + (startAt - System.currentTimeMillis()) * 1_000_000L;
    } catch (IOException e) {
      throw new IllegalStateException("coordinator unreachable at the start: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the start");
    }
  }

  @Override
  public void interval(Stats.Interval interval, Map<String, Histogram> histograms) {
    JsonObject body = new JsonObject().put("index", index).put("seq", seq.getAndIncrement())
        .put("atSeconds", interval.atSeconds()).put("counts", new JsonObject(new java.util.LinkedHashMap<>(interval.counts())))
        .put("errorsSoFar", interval.errorsSoFar()).put("histograms", Shipment.encodeAll(histograms));
    HttpRequest request = HttpRequest.newBuilder(coordinator.resolve("/interval")).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
  }

  /** The coordinator's scale state now (see {@link ScaleFollower}). */
  JsonObject scale() throws IOException, InterruptedException {
    return post("/scale", new JsonObject().put("index", index), Duration.ofSeconds(5));
  }

  /** Ships the whole run's figures; retried a few times, since without them the run fails. */
  void deliver(JsonObject result) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        post("/result", result.put("index", index), Duration.ofSeconds(30));
        return;
      } catch (IOException e) {
        last = e;
        Thread.sleep(1_000);
      }
    }
    throw last;
  }

  private JsonObject post(String path, JsonObject body, Duration timeout) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(coordinator.resolve(path)).timeout(timeout)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new Answered(path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body().isBlank() ? new JsonObject() : new JsonObject(response.body());
  }

  /** The coordinator answered, with an error status. */
  static final class Answered extends IOException {
    Answered(String message) {
      super(message);
    }
  }

  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.interrupt();
    }
  }

  /** A worker's whole-run figures, as {@link #deliver} ships them. */
  static JsonObject result(RunResult r) {
    long done = 0;
    for (Stats.Interval i : r.series()) {
      done += i.count(r.rateCounter());
    }
    JsonObject counters = new JsonObject(new java.util.LinkedHashMap<>(r.counters()));
    return new JsonObject().put("startedAt", r.startedAt().toString()).put("runSeconds", r.runSeconds())
        .put("startedOverSeconds", r.startedOverSeconds()).put("done", done).put("counters", counters)
        .put("errors", new JsonObject(new java.util.LinkedHashMap<>(r.errors()))).put("lost", r.lost())
        .put("clamped", r.clampedSamples()).put("histograms", Shipment.encodeAll(r.latencies()))
        .put("phases", Shipment.encodePhases(r.phases()));
  }
}
