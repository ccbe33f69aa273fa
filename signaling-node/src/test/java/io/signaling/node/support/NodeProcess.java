package io.signaling.node.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A signaling node started as its own JVM from the runnable jar, as a user starts it. */
public final class NodeProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /**
   * How long a started node may take to report ready. A node without warm-up is ready in 3 to 10 s on an idle
   * 2-core machine, but the suites start three JVMs at once ({@link ProcessCluster}), and on a machine loaded
   * by other builds (load average 30 to 50) one of them took over 60 s: the bound is the browser suites'
   * (180 s), which only a node that is really stuck reaches (its thread dump is then in its log).
   */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  private final Process process;
  private final int httpPort;
  private final int managementPort;
  private final Path log;
  private final String host;
  private final List<String> prefix;
  private final String name;
  private final Map<String, String> env;
  private final String[] flags;
  private final int incarnation;
  private final Path jar;

  private NodeProcess(Process process, int httpPort, int managementPort, Path log, String host, List<String> prefix,
      String name, Map<String, String> env, String[] flags, int incarnation, Path jar) {
    this.process = process;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.log = log;
    this.host = host;
    this.prefix = prefix;
    this.name = name;
    this.env = env;
    this.flags = flags;
    this.incarnation = incarnation;
    this.jar = jar;
  }

  public static Path jar() {
    String jar = System.getProperty("signaling.node.jar", "target/signaling-node.jar");
    Path path = Path.of(jar);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException("runnable jar not built: " + path + " (run the package phase first)");
    }
    return path;
  }

  /**
   * Starts a node with these flags and the given extra environment, on the given HTTP port and a free
   * management port.
   */
  public static NodeProcess start(String name, int httpPort, Map<String, String> env, String... flags) {
    return start(List.of(), "127.0.0.1", name, httpPort, TestCluster.freePort(), env, flags);
  }

  /**
   * Starts a node of another build (e.g. {@link PreviousRelease#jar()}) on the given HTTP port and a free
   * management port; only flags and settings that build knows may be given.
   */
  public static NodeProcess start(Path jar, String name, int httpPort, Map<String, String> env, String... flags) {
    return start(List.of(), "127.0.0.1", name, httpPort, TestCluster.freePort(), Map.copyOf(env), flags.clone(), 1,
        jar);
  }

  /**
   * Starts a node behind a command prefix (e.g. {@code ip netns exec NS}), reachable by the test at
   * {@code host}; the node's HTTP server binds every address of its namespace.
   */
  public static NodeProcess start(List<String> prefix, String host, String name, int httpPort, int managementPort,
      Map<String, String> env, String... flags) {
    return start(List.copyOf(prefix), host, name, httpPort, managementPort, Map.copyOf(env), flags.clone(), 1, jar());
  }

  /**
   * Starts this node again, as a rolling update replaces a pod: a new process with the same ports (management
   * port included), cluster
   * settings and environment, logging to a file of its own. This process must have exited.
   */
  public NodeProcess restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("node on port " + httpPort + " is still running");
    }
    return start(prefix, host, name, httpPort, managementPort, env, flags, incarnation + 1, jar);
  }

  private static NodeProcess start(List<String> prefix, String host, String name, int httpPort, int managementPort,
      Map<String, String> env, String[] flags, int incarnation, Path jar) {
    try {
      Path logDir = Path.of("target", "node-logs");
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + "-" + httpPort + (incarnation == 1 ? "" : "-" + incarnation) + ".log");
      List<String> command = new ArrayList<>(prefix);
      command.addAll(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC", "-jar",
          jar.toAbsolutePath().toString(), "--http-port", Integer.toString(httpPort), "--management-port",
          Integer.toString(managementPort), "--http-host", prefix.isEmpty() ? host : "0.0.0.0"));
      command.addAll(List.of(flags));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      // no warm-up before readiness unless a test asks for one: tests start many nodes, and measure no cost
      builder.environment().put("SIGNALING_WARMUP_CALLS", "0");
      builder.environment().putAll(env);
      return new NodeProcess(builder.start(), httpPort, managementPort, log, host, prefix, name, env, flags,
          incarnation, jar);
    } catch (IOException e) {
      throw new IllegalStateException("could not start node " + name, e);
    }
  }

  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Waits until the node reports ready, at most {@link #READY_TIMEOUT}; on timeout its thread dump goes to its log. */
  public NodeProcess awaitReady() {
    try {
      Await.until(READY_TIMEOUT, "node on port " + httpPort + " is ready (log: " + log + ")", () -> {
        if (!process.isAlive()) {
          throw new AssertionError("node on port " + httpPort + " exited: " + output());
        }
        return readyStatus() == 200;
      });
    } catch (AssertionError notReady) {
      dumpThreads();
      throw notReady;
    }
    return this;
  }

  /** Appends the node's thread dump to its log: what a node that never became ready was waiting for. */
  private void dumpThreads() {
    if (!process.isAlive()) {
      return;
    }
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(process.pid()), "Thread.print")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
      }
    } catch (IOException e) {
      // no jcmd in this JDK: the log has what the node printed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The number of cluster members this node sees (from /health/ready on the management port), or -1. */
  public int members() {
    io.vertx.core.json.JsonObject health = health();
    return health == null ? -1 : health.getInteger("members", -1);
  }

  /**
   * The value of metric {@code name} (its first series when it has labels) from this node's /metrics, or -1 when
   * it is not there or nothing answers.
   */
  public double gauge(String name) {
    try {
      return NodeMetrics.first(managementBase(), name, Duration.ofSeconds(5)).orElse(-1);
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The document of /health/ready (node id, members, cluster safety...), or null when nothing answers. */
  public io.vertx.core.json.JsonObject health() {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(managementBase() + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
      return new io.vertx.core.json.JsonObject(body);
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Waits until this node sees {@code count} members and a safety check begun now ({@code /health/safe}) finds it
   * safe: no migration running and the backups of every partition it owns in sync (after a member loss: the lost
   * replicas copied anew; and the asynchronous backups of the writes made before this call caught up).
   */
  public NodeProcess awaitSafe(int count, Duration timeout) {
    Await.until(timeout, "node on port " + httpPort + " sees " + count + " members and is safe",
        () -> members() == count && safeNow());
    return this;
  }

  /** True when {@code /health/safe}, a safety check run when asked, answers 200. */
  public boolean safeNow() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(managementBase() + "/health/safe"))
          .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public NodeProcess awaitMembers(int count, Duration timeout) {
    Await.until(timeout, "node on port " + httpPort + " sees " + count + " members", () -> members() == count);
    return this;
  }

  /** The HTTP status of /health/ready, or -1 when nothing answers. */
  public int readyStatus() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(managementBase() + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The client (HTTP/WebSocket) port. */
  public int httpPort() {
    return httpPort;
  }

  /** Where the node serves metrics and health: {@code http://host:managementPort}. */
  public String managementBase() {
    return "http://" + host + ":" + managementPort;
  }

  public String url() {
    return "ws://" + host + ":" + httpPort + "/WebRTCAppEE/websocket";
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }

  /** SIGTERM, then waits for the exit; returns the exit code. */
  public int terminate(Duration timeout) {
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("node did not exit within " + timeout + ": " + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends a signal by name (KILL, STOP, CONT) with the system's kill command. */
  public void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + name + " failed");
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

}
