package io.signaling.node.bench;

import io.signaling.node.support.Calls;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.ProcessCluster;
import io.signaling.node.support.TestPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * How long after a node freezes (SIGSTOP: its sockets stay open, nothing resets) its partners are told
 * {@code stop}, over repeated freezes, optionally while the load harness keeps the machine busy; and the
 * longest GC pause of the nodes meanwhile (the pause a failure timeout must tolerate without suspecting a
 * healthy member).
 *
 * <p>Three node processes (as {@link ProcessCluster} starts them: SerialGC, 256 MB heap, the collector a JVM
 * picks in a container with under 2 CPUs or 1792 MB) with the given failure timeout. Each round pairs A (node
 * 1) with B (the victim, node 2 or 3 in turn), freezes the victim, times A's {@code stop}, thaws it and waits
 * until it is back in the cluster and ready. With {@code soak}, a harness {@code soak} keeps node 1 (never
 * frozen) and the machine busy for the whole run.
 *
 * <p>Run (after {@code mvn -B -ntp -DskipTests package} and {@code mvn -q -pl signaling-node test-compile
 * dependency:build-classpath -Dmdep.outputFile=target/cp.txt}), from {@code signaling-node/}: {@code java -cp
 * target/test-classes:target/classes:$(cat target/cp.txt) io.signaling.node.bench.FreezeDetectionBenchmark
 * ROUNDS FAILURE_TIMEOUT_SECONDS [idle|soak] [MESSAGES_PER_SECOND]}.
 */
public final class FreezeDetectionBenchmark {

  private static final Pattern PAUSE = Pattern.compile("Pause.* (\\d+(?:\\.\\d+)?)ms$");

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int failureTimeout = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    boolean loaded = args.length > 2 && args[2].equals("soak");
    int rate = args.length > 3 ? Integer.parseInt(args[3]) : 4000;
    Path gcDir = Files.createDirectories(Path.of("target", "node-logs", "gc-" + System.currentTimeMillis()));
    Map<String, String> env = new HashMap<>();
    env.put("SIGNALING_CLUSTER_HEARTBEAT_SECONDS", "1");
    env.put("SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS", Integer.toString(failureTimeout));
    env.put("JAVA_TOOL_OPTIONS", "-Xlog:gc:file=" + gcDir.toAbsolutePath() + "/gc-%p.log");
    Histogram detection = new Histogram(60_000, 3);
    List<Long> samples = new ArrayList<>();
    Process soak = null;
    try (ProcessCluster cluster = ProcessCluster.start(3, env)) {
      if (loaded) {
        soak = startSoak(cluster, rate, rounds * 40);
      }
      for (int round = 0; round < rounds; round++) {
        NodeProcess victim = cluster.node(1 + round % 2);
        String room = "freeze-" + round;
        try (TestPeer a = cluster.connect("A" + round, 0); TestPeer b = TestPeer.connect("B" + round, victim.url())) {
          Calls.pair(a, b, room);
          long t0 = System.nanoTime();
          victim.signal("STOP");
          a.expect("stop", room);
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
          victim.signal("CONT");
          detection.recordValue(millis);
          samples.add(millis);
          System.out.printf(Locale.ROOT, "round %d: stop after %d ms%n", round + 1, millis);
        }
        // the next round starts on a whole, settled cluster: every node sees all three and is ready (not
        // merging)
        for (int i = 0; i < 3; i++) {
          cluster.node(i).awaitMembers(3, Duration.ofSeconds(60));
        }
        for (int i = 0; i < 3; i++) {
          cluster.node(i).awaitReady();
        }
      }
    } finally {
      if (soak != null) {
        soak.destroy();
        soak.waitFor(30, TimeUnit.SECONDS);
      }
    }
    double maxPause = maxGcPause(gcDir);
    System.out.printf(Locale.ROOT, "%s, failure timeout %d s, heartbeat 1 s, %d rounds: stop after ms: %s%n",
        loaded ? "loaded (harness soak " + rate + " msg/s)" : "idle", failureTimeout, rounds, samples);
    System.out.printf(Locale.ROOT, "min %d, p50 %d, p90 %d, p99 %d, max %d ms; longest GC pause of any node %.1f ms%n",
        detection.getMinValue(), detection.getValueAtPercentile(50), detection.getValueAtPercentile(90),
        detection.getValueAtPercentile(99), detection.getMaxValue(), maxPause);
  }

  /** A harness soak against node 1 only (it is never frozen), for the whole run. */
  private static Process startSoak(ProcessCluster cluster, int rate, int seconds) throws IOException {
    String jar = System.getProperty("loadtest.jar", "../loadtest/target/loadtest.jar");
    String url = cluster.node(0).url();
    Path out = Path.of("target", "freeze-soak");
    return new ProcessBuilder(NodeProcess.javaBinary(), "-jar", jar, "soak", "-t", url + "," + url, "--same-node",
        "--pairs", "200", "--message-rate", Integer.toString(rate), "--duration", Integer.toString(seconds),
        "--allow-errors", "--out", out.toString()).redirectErrorStream(true)
        .redirectOutput(Path.of("target", "freeze-soak.log").toFile()).start();
  }

  private static double maxGcPause(Path dir) throws IOException {
    double max = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f)) {
          Matcher m = PAUSE.matcher(line.trim());
          if (m.find()) {
            max = Math.max(max, Double.parseDouble(m.group(1)));
          }
        }
      }
    }
    return max;
  }
}
