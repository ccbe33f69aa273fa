package io.signaling.loadtest;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a scale run's ready set current, as a load balancer would: on a thread of its own, every
 * {@link #POLL_MILLIS}, each target's {@code /health/ready}: 200 ready, another status or a refused connection
 * not ready, no answer in time leaves it as it was. Also says where each target's node serves its health.
 */
final class ReadinessPoll implements AutoCloseable {

  static final long POLL_MILLIS = 250;

  private final TargetSet targets;
  private final Path clusterDir;
  private final HttpClient http;
  /** Each target's management URL (its health), found once in the cluster directory. */
  private final Map<String, String> managementOf = new ConcurrentHashMap<>();
  private Polling polling;

  /** @param clusterDir the cluster script's directory, where each node's management port is recorded */
  ReadinessPoll(TargetSet targets, Path clusterDir, HttpClient http) {
    this.targets = targets;
    this.clusterDir = clusterDir;
    this.http = http;
  }

  void start() {
    polling = new Polling("scale-readiness", POLL_MILLIS, this::pollOnce).start();
  }

  private void pollOnce() {
    for (Target t : targets.all()) {
      Boolean ready = readiness(t);
      if (ready != null) {
        targets.ready(t.index(), ready);
      }
    }
  }

  /**
   * Where the target's node serves its health: the management port the cluster script recorded beside its
   * client port (node-K.port and node-K.mport), or the default management port when the node is not one of
   * the script's.
   */
  String managementBase(Target t) {
    String known = managementOf.get(t.label());
    if (known != null) {
      return known;
    }
    try (var files = Files.list(clusterDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("node-\\d+\\.port")).toList()) {
        Path m = f.resolveSibling(f.getFileName().toString().replace(".port", ".mport"));
        if (Files.readString(f).trim().equals(Integer.toString(t.port())) && Files.exists(m)) {
          String base = "http://" + t.uri().getHost() + ":" + Files.readString(m).trim();
          managementOf.put(t.label(), base);
          return base;
        }
      }
    } catch (IOException e) {
      // not the script's cluster (or its files went away): the default below
    }
    return "http://" + t.uri().getHost() + ":" + Target.DEFAULT_MANAGEMENT_PORT;
  }

  /** True (200), false (another status or refused), or null (no answer in time: unknown). */
  private Boolean readiness(Target t) {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(managementBase(t) + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Stops the poll (waits for its thread, at most 15 s). */
  @Override
  public void close() {
    if (polling != null) {
      polling.close();
    }
  }
}
