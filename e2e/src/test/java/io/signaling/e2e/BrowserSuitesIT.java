package io.signaling.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import io.signaling.node.support.Coturn;
import io.signaling.node.support.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the browser suites ({@code e2e/tests}, Node's test runner driving Debian's Chromium through
 * playwright-core) against a 2-node cluster of node processes started by {@code loadtest/bin/local-cluster.sh},
 * which delivers its webhooks to a {@link WebhookReceiver} in this JVM and has the admin API on (a secret and a
 * token made per run); the suites that stop nodes or need other settings start clusters of their own.
 * Skips, saying why, where Node.js or Chromium is missing (fails instead under {@code CI=true}). The npm packages are installed from the lock file
 * ({@code npm ci}) when they are missing or older than it.
 */
class BrowserSuitesIT {

  private static final Path DIR = Path.of(System.getProperty("e2e.dir", ".")).toAbsolutePath().normalize();
  private static final Path BIN = Path.of(System.getProperty("loadtest.bin", "../loadtest/bin"));
  private static final Path TARGET = DIR.resolve("target");
  private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium");
  private static Path clusterDir;
  private static String urls;
  private static WebhookReceiver receiver;
  private static String webhookSecret;
  private static String adminToken;

  @BeforeAll
  static void prepare() throws Exception {
    Prerequisites.require(runs("node", "--version"), "Node.js (node) is not installed");
    Prerequisites.require(runs("npm", "--version"), "npm is not installed");
    Prerequisites.require(Files.isExecutable(Path.of(CHROMIUM)),
        "no Chromium at " + CHROMIUM + " (install Debian's chromium package or set CHROMIUM_PATH)");
    installPackages();

    // GIVEN a webhook receiver on loopback, and a 2-node cluster of node processes on free loopback ports that
    // delivers its rooms' events to it, signed with a secret made for this run, with the admin API on
    receiver = WebhookReceiver.start();
    webhookSecret = randomSecret(32);
    adminToken = randomSecret(32);
    clusterDir = TARGET.resolve("cluster");
    urls = startCluster(clusterDir, 2, Map.of("SIGNALING_WEBHOOK_URLS", receiver.hookUrl(),
        "SIGNALING_WEBHOOK_SECRET", webhookSecret, "SIGNALING_ADMIN_TOKEN", adminToken));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (clusterDir != null) {
        stopCluster(clusterDir);
      }
    } finally {
      if (receiver != null) {
        receiver.close();
      }
    }
  }

  @Test
  void theOfficialSdk_acrossTwoNodes() throws Exception {
    suite("sdk.test.mjs");
  }

  @Test
  void theDemoPage_acrossTwoNodes() throws Exception {
    suite("demo.test.mjs");
  }

  /**
   * The application backend's view of a browser call: the shared cluster's webhooks reach the receiver, and the
   * admin API ends the call. The suite checks every delivery's signature itself.
   */
  @Test
  void theOfficialSdk_aCallProducesItsWebhooksAndTheAdminApiEndsIt() throws Exception {
    suite("webhooks.test.mjs", urls, Map.of("SIGNALING_MANAGEMENT_URLS", managementUrls(clusterDir),
        "WEBHOOK_RECEIVER_URL", receiver.baseUrl(), "SIGNALING_WEBHOOK_SECRET", webhookSecret,
        "SIGNALING_ADMIN_TOKEN", adminToken));
  }

  /**
   * A relay-only call through a real coturn: a cluster of its own whose nodes issue TURN REST API credentials for
   * it (from the environment, as on Kubernetes), and the SDK told {@code iceTransportPolicy: 'relay'}.
   */
  @Test
  void theOfficialSdk_relayOnlyThroughTurn_acrossTwoNodes() throws Exception {
    String secret = randomSecret(24);
    Path relayDir = TARGET.resolve("relay-cluster");
    try (Coturn coturn = Coturn.start(TARGET.resolve("coturn"), List.of(secret))) {
      // GIVEN coturn on loopback and a second 2-node cluster signing credentials for it with the same secret
      Map<String, String> env = Map.of("SIGNALING_TURN_URIS", "turn:127.0.0.1:" + coturn.port(),
          "SIGNALING_TURN_SECRETS", secret);
      try {
        String relayUrls = startCluster(relayDir, 2, env);
        suite("relay.test.mjs", relayUrls, Map.of("TURN_URI", "turn:127.0.0.1:" + coturn.port(),
            "TURN_SECRET", secret));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\ncoturn log:\n" + coturn.log(), e);
      } finally {
        stopCluster(relayDir);
      }
    }
  }

  /**
   * The drain suite stops a node, so it has a 2-node cluster of its own, and the other suites never meet a
   * node that is gone, whatever the order the tests run in. It learns the nodes' pids from the script.
   */
  @Test
  void theOfficialSdk_aCallSurvivesTheDrainOfANode() throws Exception {
    Path dir = TARGET.resolve("drain-cluster");
    try {
      String drainUrls = startCluster(dir);
      Result pids = localCluster(Map.of(), 30, "pids", "--dir", dir.toString());
      assertThat(pids.status()).as(pids.output()).isZero();
      assertThat(pids.output().trim()).as("the nodes' pids").matches("\\d+,\\d+");
      suite("drain.test.mjs", drainUrls, Map.of("SIGNALING_PIDS", pids.output().trim(),
          "SIGNALING_MANAGEMENT_URLS", managementUrls(dir)));
    } finally {
      stopCluster(dir);
    }
  }

  /**
   * Resume: the suite SIGKILLs nodes under calls (one per test) and each tab resumes on another, so it has a
   * 4-node cluster of its own: the partners' node and a node to resume on outlive both kills. The window is set
   * explicitly (it is the default), since the suite's time bounds are measured against it. A member silent for
   * 10 s (not 2 s) is removed: four JVMs on a busy 2-core machine can stall for a few seconds and split the cluster,
   * while a SIGKILLed member is removed at once whatever the timeout (its sockets reset).
   */
  @Test
  void theOfficialSdkAndTheDemoPage_resumeAfterTheirNodeIsKilled() throws Exception {
    Path dir = TARGET.resolve("resume-cluster");
    String window = "30";
    try {
      String resumeUrls = startCluster(dir, 4, Map.of("SIGNALING_RESUME_SECONDS", window,
          "SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS", "10"));
      Result pids = localCluster(Map.of(), 30, "pids", "--dir", dir.toString());
      assertThat(pids.status()).as(pids.output()).isZero();
      assertThat(pids.output().trim()).as("the nodes' pids").matches("\\d+(,\\d+){3}");
      suite("resume.test.mjs", resumeUrls, Map.of("SIGNALING_PIDS", pids.output().trim(),
          "SIGNALING_MANAGEMENT_URLS", managementUrls(dir), "SIGNALING_RESUME_SECONDS", window));
    } finally {
      stopCluster(dir);
    }
  }

  /** Starts a 2-node cluster of node processes on free loopback ports; returns its WebSocket URLs. */
  private static String startCluster(Path dir) throws Exception {
    return startCluster(dir, 2, Map.of());
  }

  /** Starts a cluster of node processes on free loopback ports, with {@code env} for every node; returns its URLs. */
  private static String startCluster(Path dir, int nodes, Map<String, String> env) throws Exception {
    int http = freeRun(nodes);
    int management = freeRun(nodes);
    int cluster = freeRun(nodes);
    Files.createDirectories(dir);
    Result r = localCluster(env, 180, "start", "--nodes", Integer.toString(nodes),
        "--heap", "256m", "--http-port", Integer.toString(http), "--management-port", Integer.toString(management),
        "--cluster-port", Integer.toString(cluster), "--dir", dir.toString());
    assertThat(r.status()).as(r.output()).isZero();
    List<String> lines = r.output().lines().toList();
    return lines.get(lines.size() - 1);
  }

  /** The management URLs of a cluster's nodes, comma-separated. */
  private static String managementUrls(Path dir) throws Exception {
    Result management = localCluster(Map.of(), 30, "management", "--dir", dir.toString());
    assertThat(management.status()).as(management.output()).isZero();
    return management.output().trim();
  }

  /** {@code size} random bytes, base64url: a TURN or webhook secret or an admin token for one run. */
  private static String randomSecret(int size) {
    byte[] bytes = new byte[size];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void stopCluster(Path dir) throws Exception {
    localCluster(Map.of(), 60, "stop", "--dir", dir.toString());
  }

  /** Runs {@code loadtest/bin/local-cluster.sh} with {@code args}, {@code env} added, within {@code seconds}. */
  private static Result localCluster(Map<String, String> env, int seconds, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", BIN.resolve("local-cluster.sh").toString()));
    command.addAll(List.of(args));
    return exec(DIR, env, seconds, command.toArray(String[]::new));
  }

  private static void suite(String file) throws Exception {
    suite(file, urls, Map.of());
  }

  private static void suite(String file, String nodeUrls, Map<String, String> extraEnv) throws Exception {
    Path screenshots = TARGET.resolve("screenshots");
    Map<String, String> env = new HashMap<>(extraEnv);
    env.putAll(Map.of("SIGNALING_URLS", nodeUrls, "SCREENSHOT_DIR", screenshots.toString(), "CHROMIUM_PATH",
        CHROMIUM));
    Result r = exec(DIR, env, 600, "node", "--test", "--test-concurrency=1", "--test-reporter=spec", "tests/" + file);
    Files.writeString(TARGET.resolve(file.replace(".mjs", ".txt")), r.output());
    String failed = r.output().lines().filter(l -> l.trim().startsWith("✖")).collect(Collectors.joining("\n"));
    assertThat(r.status()).as("browser suite %s failed (screenshots in %s):%n%s%n%n%s", file, screenshots, failed,
        r.output()).isZero();
    assertThat(r.output()).containsPattern("(?m)^\\S* ?fail 0$").containsPattern("(?m)^\\S* ?pass [1-9]");
  }

  private static void installPackages() throws Exception {
    Path lock = DIR.resolve("package-lock.json");
    Path installed = DIR.resolve("node_modules/.package-lock.json");
    if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
      return;
    }
    Result r = exec(DIR, Map.of(), 600, "npm", "ci", "--no-audit", "--no-fund");
    assertThat(r.status()).as("npm ci: %s", r.output()).isZero();
  }

  private record Result(int status, String output) { }

  private static final Map<String, String> SHORT_WARMUP = Map.of("SIGNALING_WARMUP_CALLS", "200",
      "SIGNALING_WARMUP_SECONDS", "30");

  private static Result exec(Path dir, Map<String, String> env, int timeoutSeconds, String... command) throws Exception {
    Files.createDirectories(TARGET);
    Path log = Files.createTempFile(TARGET, "exec", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // the suites' nodes run a short warm-up (the path a real start takes, and readiness after it), not the default
    // 6,000 calls each: a browser call needs no JIT-warm node, and ten nodes' full warm-ups are minutes of CI
    builder.environment().putAll(SHORT_WARMUP);
    builder.environment().putAll(env);
    builder.environment().put("NODE_JAR", System.getProperty("signaling.node.jar"));
    builder.environment().put("LOADTEST_JAR", System.getProperty("loadtest.jar"));
    builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = builder.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s: "
          + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  private static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The first of {@code count} consecutive free loopback ports. */
  private static int freeRun(int count) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      // below the ephemeral port range (32768 and up), where no outgoing connection takes a port meanwhile
      int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      boolean free = true;
      for (int i = 0; i < count && free; i++) {
        try (ServerSocket s = new ServerSocket(base + i, 50, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no run of " + count + " free ports");
  }
}
