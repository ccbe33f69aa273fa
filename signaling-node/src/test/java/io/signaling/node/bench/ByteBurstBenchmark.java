package io.signaling.node.bench;

import io.signaling.node.ByteBudgets;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What a burst of large messages does to another call: two sockets of one address (127.0.0.1), in a process of
 * their own, pair in a room on node 0 of a 2-node cluster and send takeCandidate relays of 127 KB to each other as
 * fast as the node takes them ({@code messages} in all, 1,800 × 127 KB = 229 MB by default), while a well-behaved
 * pair (node 0 and node 1) measures its relay round trip. Runs twice in one process: with the byte budgets off (as before they existed)
 * and with the default budgets, each on a fresh cluster, and prints p50/p99/max of the round trip alone and over
 * the window that starts with the burst, the bytes the attackers got relayed, and how their sockets ended.
 *
 * <p>Run: {@code mvn -q -pl signaling-node test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt}
 * then {@code java -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 -cp
 * signaling-node/target/test-classes:signaling-node/target/classes:$(cat signaling-node/target/cp.txt)
 * io.signaling.node.bench.ByteBurstBenchmark 1800 1000 [both|before|after]} (each alone runs in a JVM of its own,
 * without the garbage of the other run).
 */
public final class ByteBurstBenchmark {

  private static final int MESSAGE_BYTES = 127 * 1024;
  /** Byte budgets so large that nothing is refused: the node as it was before byte budgets. */
  private static final ByteBudgets OFF = new ByteBudgets(1 << 30, 1 << 30, 0, 1 << 30);

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("attack")) {
      attack(args[1], Integer.parseInt(args[2]));
      return;
    }
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1800;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    String which = args.length > 2 ? args[2] : "both";
    if (!which.equals("after")) {
      System.out.println(run("byte budgets off (before)", OFF, messages, samples));
    }
    if (!which.equals("before")) {
      System.out.println(run("default byte budgets (after)", ByteBudgets.DEFAULTS, messages, samples));
    }
  }

  private static String run(String label, ByteBudgets budgets, int messages, int samples)
      throws Exception {
    try (TestCluster cluster = TestCluster.start(2, s -> s.withLimits(s.limits().withBytes(budgets)));
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      String room = "bystanders";
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      RoundTrips.measure(a, b, room, samples / 3, new long[2]);
      Histogram quiet = RoundTrips.measure(a, b, room, samples, new long[2]);

      // the attackers run in a process of their own: their sending does not share this JVM's threads
      Process attacker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ByteBurstBenchmark.class.getName(), "attack",
          cluster.url(0), String.valueOf(messages)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(attacker.getInputStream(), UTF_8));
      if (!"bursting".equals(out.readLine())) {
        throw new IllegalStateException("the attacker process did not start its burst");
      }
      long[] worst = new long[2];
      Histogram during = RoundTrips.measure(a, b, room, samples, worst);
      String outcome = out.readLine();
      attacker.waitFor(5, TimeUnit.MINUTES);
      return String.format("%s:%n  round trip alone:        p50 %.2f ms, p99 %.2f ms, max %.2f ms%n"
              + "  round trip, burst window: p50 %.2f ms, p99 %.2f ms, max %.2f ms at +%.1f s (ratio p99 %.1f)%n"
              + "  burst: %s",
          label, ms(quiet, 50), ms(quiet, 99), quiet.getMaxValue() / 1e6,
          ms(during, 50), ms(during, 99), during.getMaxValue() / 1e6, worst[1] / 1e9,
          (double) during.getValueAtPercentile(99) / quiet.getValueAtPercentile(99), outcome);
    }
  }

  /** The attacker process: two sockets pair in a room and send {@code messages} 127 KB relays between them. */
  private static void attack(String url, int messages) throws Exception {
    Attacker x = Attacker.connect(url);
    Attacker y = Attacker.connect(url);
    String attackRoom = "burst";
    x.send("{\"command\":\"join\",\"streamId\":\"" + attackRoom + "\",\"mode\":\"both\"}");
    Thread.sleep(200);
    y.send("{\"command\":\"join\",\"streamId\":\"" + attackRoom + "\",\"mode\":\"both\"}");
    Thread.sleep(500);
    String head = "{\"command\":\"takeCandidate\",\"streamId\":\"" + attackRoom
        + "\",\"label\":0,\"id\":\"0\",\"candidate\":\"";
    String big = head + "x".repeat(MESSAGE_BYTES - head.length() - 2) + "\"}";
    System.out.println("bursting");
    long started = System.nanoTime();
    CompletableFuture<Void> burst = CompletableFuture.allOf(
        CompletableFuture.runAsync(() -> x.burst(big, messages / 2)),
        CompletableFuture.runAsync(() -> y.burst(big, messages - messages / 2)));
    burst.get(5, TimeUnit.MINUTES);
    double seconds = (Math.max(x.finishedNanos.get(), y.finishedNanos.get()) - started) / 1e9;
    long sent = x.sent.get() + y.sent.get();
    // what the other attacker was relayed arrives shortly after the last send
    Thread.sleep(1000);
    System.out.printf("%d of %d messages sent (%.0f MB) in %.1f s; relayed to the other attacker %.1f MB; "
            + "attackers closed with %s and %s%n", sent, messages, sent * (double) MESSAGE_BYTES / 1e6, seconds,
        (x.receivedBytes.get() + y.receivedBytes.get()) / 1e6, x.closeCode(), y.closeCode());
    x.close();
    y.close();
    System.exit(0);
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1e6;
  }

  /** A raw WebSocket client that reads everything and keeps only counts (the relays are 127 KB each). */
  private static final class Attacker implements WebSocket.Listener {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private WebSocket ws;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong receivedBytes = new AtomicLong();
    final AtomicLong finishedNanos = new AtomicLong();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    static Attacker connect(String url) throws Exception {
      Attacker attacker = new Attacker();
      attacker.ws = HTTP.newWebSocketBuilder().buildAsync(URI.create(url), attacker).get(10, TimeUnit.SECONDS);
      return attacker;
    }

    void send(String text) {
      ws.sendText(text, true).join();
    }

    void burst(String message, int count) {
      try {
        for (int i = 0; i < count && !closed.isDone(); i++) {
          ws.sendText(message, true).join();
          sent.incrementAndGet();
        }
      } catch (RuntimeException closedMeanwhile) {
        // the node closed the socket
      }
      finishedNanos.set(System.nanoTime());
    }

    String closeCode() {
      return closed.isDone() ? String.valueOf(closed.join()) : "(still open)";
    }

    void close() {
      ws.abort();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      receivedBytes.addAndGet(data.length());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }
  }
}
