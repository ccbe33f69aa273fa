package io.signaling.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code connections}: opens and holds many idle WebSockets to find the memory each costs a node and the
 * ceiling. The sockets can be spread over several client processes (each process has its own open-file
 * limit) and several 127.0.0.x source addresses. Memory is read from the node before and after (a full GC
 * first when the node's pid is given), and divided by the sockets opened.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
    description = "Open and hold idle WebSockets; report connect times and the node's memory per connection.")
final class ConnectionsCommand implements Callable<Integer> {

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-t", "--target"}, required = true, split = ",", paramLabel = "URL", description = "Node WebSocket URLs.")
  List<String> targets;

  @Option(names = "--count", defaultValue = "1000", description = "Sockets to open in all (default ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--connect-rate", defaultValue = "1000", description = "Sockets opened per second in all (default ${DEFAULT-VALUE}).")
  double connectRate;

  @Option(names = "--hold", defaultValue = "10", paramLabel = "SECONDS", description = "Seconds every socket is held once all are open (default ${DEFAULT-VALUE}).")
  int hold;

  @Option(names = "--bind", split = ",", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Local source addresses, e.g. 127.0.0.2-127.0.0.9 (ranges on the last number; default ${DEFAULT-VALUE}).")
  List<String> bind;

  @Option(names = "--processes", defaultValue = "1", description = "Client processes sharing the sockets (each has its own open-file limit).")
  int processes;

  @Option(names = "--ping-interval", defaultValue = "15000", paramLabel = "MILLIS", description = "Protocol ping from every socket (0: none; default ${DEFAULT-VALUE}).")
  long ping;

  @Option(names = {"-m", "--management"}, split = ",", paramLabel = "URL",
      description = "The nodes' management URLs (http://host:port), one per target in the same order; default: each "
          + "target's host on port " + Target.DEFAULT_MANAGEMENT_PORT + ".")
  List<String> management;

  @Option(names = "--node-pid", defaultValue = "0", description = "Pid of the (local) node: full GC before each memory reading, RSS from /proc.")
  long nodePid;

  @Option(names = "--threads", defaultValue = "2", description = "Event loops per client process (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Report directory (default: loadtest-results/connections-<time>).")
  Path out;

  @Option(names = "--allow-errors", description = "Exit 0 even when sockets failed or were closed.")
  boolean allowErrors;

  @Option(names = "--worker", hidden = true, description = "Run as one client process of a parent run.")
  boolean worker;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    List<Target> parsed;
    List<String> addresses;
    List<String> probeBases;
    try {
      parsed = Target.parse(targets);
      probeBases = Target.managementBases(parsed, management);
      addresses = expand(bind);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    int n = Params.range(spec, "--count", count, 1, 2_000_000, console);
    double rate = Params.range(spec, "--connect-rate", connectRate, 1, 100_000, console);
    int holdSeconds = Params.range(spec, "--hold", hold, 0, 86_400, console);
    int procs = Params.range(spec, "--processes", processes, 1, 64, console);
    int loops = Params.range(spec, "--threads", threads, 1, 64, console);
    long pingMillis = ping == 0 ? 0 : Params.range(spec, "--ping-interval", ping, 100, 3_600_000L, console);
    if (worker) {
      return runWorker(parsed, addresses, n, rate, pingMillis, loops, holdSeconds);
    }

    String probe = probeBases.get(0);
    Instant startedAt = Instant.now();
    NodeProbe.Memory before = NodeProbe.Memory.read(probe, nodePid);
    console.printf(Locale.ROOT, "connections: node before: %s%n", describe(before));
    Stats stats = new Stats(System.nanoTime());
    List<Process> children = new ArrayList<>();
    Vertx vertx = null;
    ConnectionWorker local = null;
    int opened = 0;
    int failed = 0;
    long openStart = System.nanoTime();
    long settleBound = TimeUnit.SECONDS.toNanos((long) (n / rate) + 120);
    if (procs == 1) {
      vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
      local = new ConnectionWorker(vertx, loops, parsed, addresses, n, rate, pingMillis, stats);
      local.open().toCompletionStage().toCompletableFuture().get(settleBound, TimeUnit.NANOSECONDS);
      opened = local.opened();
      failed = local.failed();
    } else {
      List<BufferedReader> outputs = new ArrayList<>();
      for (int k = 0; k < procs; k++) {
        int share = n / procs + (k < n % procs ? 1 : 0);
        List<String> mine = new ArrayList<>();
        for (int i = k; i < Math.max(addresses.size(), procs); i += procs) {
          mine.add(addresses.get(i % addresses.size()));
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-cp", System.getProperty("java.class.path"), LoadTest.class.getName(), "connections",
            "--worker", "--count", Integer.toString(share), "--connect-rate", Double.toString(rate / procs),
            "--ping-interval", Long.toString(pingMillis), "--threads", Integer.toString(loops),
            "--hold", Integer.toString(holdSeconds), "--bind", String.join(",", mine)));
        for (Target t : parsed) {
          command.add("--target");
          command.add(t.uri().toString());
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (BufferedReader r : outputs) {
        String line = awaitLine(r, "OPENED ");
        String[] parts = line.split(" ");
        opened += Integer.parseInt(parts[1]);
        failed += Integer.parseInt(parts[2]);
      }
      return holdAndClose(console, probe, before, opened, failed, n, holdSeconds, nodePid, startedAt, children,
          outputs, (System.nanoTime() - openStart) / 1e9);
    }
    long openedAfter = System.nanoTime() - openStart;
    console.printf(Locale.ROOT, "connections: %,d open, %,d failed in %.1f s%n", opened, failed, openedAfter / 1e9);
    NodeProbe.Memory after = NodeProbe.Memory.read(probe, nodePid);
    hold(console, probe, holdSeconds);
    int closed = local.closedByServer();
    local.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    stats.tick(System.nanoTime());
    return report(console, parsed, before, after, opened, failed, closed, n, stats.total("connect"), startedAt,
        openedAfter / 1e9);
  }

  private int holdAndClose(PrintStream console, String probe, NodeProbe.Memory before, int opened, int failed,
      int n, int holdSeconds, long pid, Instant startedAt, List<Process> children, List<BufferedReader> outputs,
      double openSeconds) throws Exception {
    console.printf(Locale.ROOT, "connections: %,d open, %,d failed over %d processes in %.1f s%n", opened, failed,
        children.size(), openSeconds);
    NodeProbe.Memory after = NodeProbe.Memory.read(probe, pid);
    hold(console, probe, holdSeconds);
    Histogram connect = new Histogram(Stats.MAX_TRACKABLE_NANOS, 3);
    int closed = 0;
    for (int k = 0; k < children.size(); k++) {
      Process p = children.get(k);
      try (Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
        w.write("CLOSE\n");
      }
      JsonObject result = new JsonObject(awaitLine(outputs.get(k), "RESULT ").substring("RESULT ".length()));
      closed += result.getInteger("closedByServer");
      connect.add(Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(result.getString("connect"))), Stats.MAX_TRACKABLE_NANOS));
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    return report(console, Target.parse(targets), before, after, opened, failed, closed, n, connect, startedAt,
        openSeconds);
  }

  private static String awaitLine(BufferedReader r, String prefix) throws IOException {
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
      System.out.println("  worker: " + line);
    }
    throw new IOException("a client process ended before reporting " + prefix.trim());
  }

  private static void hold(PrintStream console, String probe, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int second = 0;
    while (System.nanoTime() - end < 0) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      second++;
      try {
        double connections = NodeProbe.value(NodeProbe.get(probe + "/metrics"), "signaling_connections");
        console.printf(Locale.ROOT, "[%5ds] holding: node reports %,.0f connections%n", second, connections);
      } catch (IOException e) {
        console.printf(Locale.ROOT, "[%5ds] holding: node metrics unavailable (%s)%n", second, e.getMessage());
      }
    }
  }

  private int runWorker(List<Target> parsed, List<String> addresses, int n, double rate, long pingMillis, int loops,
      int holdSeconds) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    Stats stats = new Stats(System.nanoTime());
    ConnectionWorker w = new ConnectionWorker(vertx, loops, parsed, addresses, n, rate, pingMillis, stats);
    w.open().toCompletionStage().toCompletableFuture().get((long) (n / rate) + 120, TimeUnit.SECONDS);
    System.out.println("OPENED " + w.opened() + " " + w.failed());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Thread reader = new Thread(() -> {
      try {
        for (String line = in.readLine(); line != null && !line.equals("CLOSE"); line = in.readLine()) {
          // wait for the parent's word
        }
      } catch (IOException e) {
        // parent gone: close
      }
    });
    reader.setDaemon(true);
    reader.start();
    reader.join(TimeUnit.SECONDS.toMillis(holdSeconds + 600L));
    int closedByServer = w.closedByServer();
    w.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    stats.tick(System.nanoTime());
    Histogram connect = stats.total("connect");
    ByteBuffer buffer = ByteBuffer.allocate(connect.getNeededByteBufferCapacity());
    connect.encodeIntoCompressedByteBuffer(buffer);
    byte[] bytes = new byte[buffer.position()];
    buffer.flip();
    buffer.get(bytes);
    System.out.println("RESULT " + new JsonObject().put("opened", w.opened()).put("failed", w.failed())
        .put("closedByServer", closedByServer).put("connect", Base64.getEncoder().encodeToString(bytes)).encode());
    System.out.flush();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return 0;
  }

  private int report(PrintStream console, List<Target> parsed, NodeProbe.Memory before, NodeProbe.Memory after,
      int opened, int failed, int closed, int n, Histogram connect, Instant startedAt, double openSeconds)
      throws IOException {
    long heap = after.heapUsed() - before.heapUsed();
    long direct = before.directUsed() >= 0 && after.directUsed() >= 0 ? after.directUsed() - before.directUsed() : 0;
    long rss = after.rss() - before.rss();
    double perHeap = opened > 0 ? (double) heap / opened : 0;
    double perDirect = opened > 0 ? (double) direct / opened : 0;
    double perRss = opened > 0 && before.rss() > 0 ? (double) rss / opened : -1;
    boolean passed = opened == n && failed == 0 && closed == 0;
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("before", toJson(before));
    memory.put("after", toJson(after));
    memory.put("heapPerConnectionBytes", Math.round(perHeap));
    memory.put("directPerConnectionBytes", Math.round(perDirect));
    memory.put("heapPlusDirectPerConnectionBytes", Math.round(perHeap + perDirect));
    memory.put("rssGrowthPerConnectionBytes", Math.round(perRss));
    memory.put("gcBeforeReadings", nodePid > 0);
    long heapMax = after.heapMax();
    memory.put("nodeHeapMaxBytes", heapMax);
    if (perHeap + perDirect > 0 && heapMax > 0) {
      memory.put("connectionsTheHeapWouldHold", Math.round((heapMax - before.heapUsed()) / (perHeap + perDirect)));
    }
    JsonObject json = new JsonObject().put("scenario", "connections").put("startedAt", startedAt.toString())
        .put("passed", passed).put("targets", parsed.stream().map(t -> t.uri().toString()).toList())
        .put("parameters", new JsonObject().put("count", n).put("connectRate", connectRate).put("processes", processes)
            .put("sourceAddresses", expand(bind)).put("holdSeconds", hold).put("pingMillis", ping))
        .put("opened", opened).put("failed", failed).put("closedByServerWhileHeld", closed)
        .put("memory", new JsonObject(memory)).put("latencyMs", new JsonObject().put("connect", RunResult.summary(connect)));
    if (openSeconds > 0) {
      json.put("openSeconds", RunResult.round(openSeconds));
    }
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "connections against %s%n", parsed.get(0).label()));
    s.append(String.format(Locale.ROOT, "opened %,d of %,d, failed %,d, closed by the node while held %,d%n", opened,
        n, failed, closed));
    s.append(String.format(Locale.ROOT, "node before: %s%nnode after:  %s%n", describe(before), describe(after)));
    s.append(String.format(Locale.ROOT, "per connection: heap %,.0f B + direct %,.0f B = %,.0f B; RSS growth %s%s%n",
        perHeap, perDirect, perHeap + perDirect, perRss < 0 ? "unknown" : String.format(Locale.ROOT, "%,.0f B", perRss),
        nodePid > 0 ? " (after a full GC)" : " (no GC forced: give --node-pid for live-data figures)"));
    s.append(String.format(Locale.ROOT, "connect ms: p50 %.3f p99 %.3f max %.3f%n", connect.getValueAtPercentile(50) / 1e6,
        connect.getValueAtPercentile(99) / 1e6, connect.getMaxValue() / 1e6));
    s.append(passed ? "PASSED\n" : "FAILED: not every socket opened and stayed open\n");
    console.print(s);
    Path dir = out != null ? out : Path.of("loadtest-results", "connections-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    Files.createDirectories(dir.resolve("histograms"));
    Files.writeString(dir.resolve("summary.txt"), s.toString());
    Files.writeString(dir.resolve("result.json"), json.encodePrettily());
    try (PrintStream hdr = new PrintStream(Files.newOutputStream(dir.resolve("histograms/connect.hdr")), false,
        StandardCharsets.UTF_8)) {
      org.HdrHistogram.HistogramLogWriter writer = new org.HdrHistogram.HistogramLogWriter(hdr);
      writer.outputLogFormatVersion();
      writer.outputLegend();
      writer.outputIntervalHistogram(connect);
    }
    Map<String, List<double[]>> curve = new LinkedHashMap<>();
    List<double[]> points = new ArrayList<>();
    for (double p : new double[] {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100}) {
      points.add(new double[] {Math.log10(1 / Math.max(1e-4, 1 - p / 100)), connect.getValueAtPercentile(p) / 1e6});
    }
    curve.put("connect", points);
    Files.writeString(dir.resolve("report.html"), "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>connections</title></head><body style=\"font:14px system-ui,sans-serif;margin:24px\"><h1>connections — "
        + (passed ? "passed" : "failed") + "</h1><pre>" + Html.esc(s.toString()) + "</pre><h2>Connect time by percentile</h2>"
        + Html.chart(curve, "percentile", "ms", new double[] {0, 1, 2, 3, 4},
            new String[] {"0%", "90%", "99%", "99.9%", "99.99%"}) + "</body></html>\n");
    console.printf("reports written to %s%n", dir.toAbsolutePath().normalize());
    return passed || allowErrors ? 0 : 1;
  }

  private static JsonObject toJson(NodeProbe.Memory m) {
    return new JsonObject().put("heapUsedBytes", m.heapUsed()).put("heapMaxBytes", m.heapMax())
        .put("directUsedBytes", m.directUsed()).put("rssBytes", m.rss()).put("connections", m.connections());
  }

  private static String describe(NodeProbe.Memory m) {
    return String.format(Locale.ROOT, "%,d connections, heap %,d KiB of %,d KiB, direct %,d KiB, RSS %,d KiB",
        m.connections(), m.heapUsed() / 1024, m.heapMax() / 1024, m.directUsed() / 1024, m.rss() / 1024);
  }

  /** Expands {@code a.b.c.x-a.b.c.y} ranges (last number only). */
  static List<String> expand(List<String> specs) {
    List<String> out = new ArrayList<>();
    for (String spec : specs) {
      String s = spec.trim();
      int dash = s.indexOf('-');
      if (dash < 0) {
        out.add(s);
        continue;
      }
      String from = s.substring(0, dash);
      String to = s.substring(dash + 1);
      int dot = from.lastIndexOf('.');
      if (dot < 0 || !to.startsWith(from.substring(0, dot + 1))) {
        throw new IllegalArgumentException("address range must vary the last number only: " + s);
      }
      int a = Integer.parseInt(from.substring(dot + 1));
      int b = Integer.parseInt(to.substring(dot + 1));
      if (a > b || b > 255) {
        throw new IllegalArgumentException("bad address range: " + s);
      }
      for (int i = a; i <= b; i++) {
        out.add(from.substring(0, dot + 1) + i);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no source address");
    }
    return out;
  }
}
