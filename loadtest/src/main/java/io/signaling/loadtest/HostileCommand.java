package io.signaling.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hostile}: the connection-layer attack of a client that never finishes its handshake, against nodes on
 * this machine only. TCP connections arrive at a steady rate from several 127.0.0.x source addresses and either
 * never send a byte ({@code silent}) or send the start of a WebSocket upgrade and then one header byte at a time
 * ({@code slowloris}). The harness keeps every connection until the node closes it, or at most {@code --hold}
 * seconds; meanwhile it samples, once per {@code --sample-interval}, the node's open files ({@code /proc/<pid>/fd},
 * when its pid is given) and its connection-layer metrics from the management port. A connection the node still
 * holds after {@code --hold} fails the run, as does one closed later than {@code --deadline} plus
 * {@code --margin} when a deadline is given. Bounded: at most 19,000 connections (a process here holds at most
 * 20,000 files), at most 600 s of hold.
 */
@Command(name = "hostile", mixinStandardHelpOptions = true,
    description = "Open TCP connections that never finish their handshake (silent or slowloris), from several "
        + "loopback addresses at a steady rate, against nodes on this machine; report how long the node held "
        + "them and its open files and connection metrics over time.")
final class HostileCommand implements Callable<Integer> {

  /** The hostile client's behaviour once connected. */
  enum Mode {
    /** Connects and never sends a byte. */
    SILENT,
    /** Sends a partial upgrade request, then one header byte every {@code --byte-interval}, never the end. */
    SLOWLORIS
  }

  /** The most connections one run opens: a process here may hold at most 20,000 open files. */
  static final int MAX_COUNT = 19_000;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-t", "--target"}, required = true, split = ",", paramLabel = "URL",
      description = "Node WebSocket URLs on this machine (loopback only); connections are spread over them.")
  List<String> targets;

  @Option(names = "--count", defaultValue = "1000",
      description = "Connections to open in all, at most " + MAX_COUNT + " (default ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--rate", defaultValue = "500", description = "Connections opened per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--bind", split = ",", defaultValue = "127.0.0.2-127.0.0.9", paramLabel = "ADDRESS",
      description = "Loopback source addresses, used in turn (ranges on the last number; default ${DEFAULT-VALUE}).")
  List<String> bind;

  @Option(names = "--mode", defaultValue = "silent",
      description = "silent (never send a byte) or slowloris (a partial upgrade, then a header byte at a time); "
          + "default ${DEFAULT-VALUE}.")
  Mode mode;

  @Option(names = "--byte-interval", defaultValue = "1000", paramLabel = "MILLIS",
      description = "slowloris: time between header bytes (default ${DEFAULT-VALUE}).")
  long byteInterval;

  @Option(names = "--hold", defaultValue = "30", paramLabel = "SECONDS",
      description = "The longest the harness keeps a connection; one the node still holds then is closed by the "
          + "harness and fails the run (default ${DEFAULT-VALUE}).")
  int hold;

  @Option(names = "--deadline", defaultValue = "0", paramLabel = "SECONDS",
      description = "The node's handshake deadline: a connection it closes later than this plus --margin fails "
          + "the run (0: not checked; default ${DEFAULT-VALUE}).")
  int deadline;

  @Option(names = "--margin", defaultValue = "5", paramLabel = "SECONDS",
      description = "Allowance beyond --deadline (default ${DEFAULT-VALUE}).")
  int margin;

  @Option(names = {"-m", "--management"}, split = ",", paramLabel = "URL",
      description = "The nodes' management URLs (http://host:port), one per target in the same order; default: each "
          + "target's host on port " + Target.DEFAULT_MANAGEMENT_PORT + ".")
  List<String> management;

  @Option(names = "--no-metrics", description = "Do not read the nodes' metrics.")
  boolean noMetrics;

  @Option(names = "--node-pid", split = ",", paramLabel = "PID",
      description = "Pids of the node processes, one per target in the same order: their open files are counted "
          + "from /proc.")
  List<Long> nodePids;

  @Option(names = "--sample-interval", defaultValue = "1000", paramLabel = "MILLIS",
      description = "Time between readings of the nodes' open files and metrics (default ${DEFAULT-VALUE}).")
  long sampleInterval;

  @Option(names = "--settle", defaultValue = "5", paramLabel = "SECONDS",
      description = "Readings go on this long after the last hostile connection is gone (default ${DEFAULT-VALUE}).")
  int settle;

  @Option(names = "--connect-timeout", defaultValue = "10000", paramLabel = "MILLIS",
      description = "A TCP connect not done by then counts as failed (default ${DEFAULT-VALUE}).")
  int connectTimeout;

  @Option(names = "--threads", defaultValue = "2", description = "Event loops of the attacker (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Report directory (default: loadtest-results/hostile-<time>).")
  Path out;

  @Option(names = "--allow-errors", description = "Exit 0 even when a connection outlived --hold or the deadline.")
  boolean allowErrors;

  /** The run's validated parameters. */
  record Plan(List<Target> targets, List<String> managementBases, List<Long> pids, List<String> sources, int count,
      double rate, Mode mode, long byteIntervalMillis, int holdSeconds, int deadlineSeconds, int marginSeconds,
      long sampleMillis, int settleSeconds, int connectTimeoutMillis, int threads) {

    /** The longest the whole run may take: the arrivals, a connect timeout, the hold, the settling, a margin. */
    long boundSeconds() {
      return (long) Math.ceil(count / rate) + connectTimeoutMillis / 1000 + holdSeconds + settleSeconds + 30;
    }

    JsonObject toJson() {
      return new JsonObject().put("count", count).put("rate", rate).put("mode", mode.name().toLowerCase(Locale.ROOT))
          .put("sourceAddresses", sources).put("byteIntervalMillis", byteIntervalMillis).put("holdSeconds", holdSeconds)
          .put("deadlineSeconds", deadlineSeconds).put("marginSeconds", marginSeconds).put("sampleMillis", sampleMillis)
          .put("settleSeconds", settleSeconds).put("connectTimeoutMillis", connectTimeoutMillis)
          .put("nodePids", pids);
    }
  }

  /** Validates the options: out-of-range values are refused or clamped, and every address must be loopback. */
  Plan plan(PrintStream console) {
    List<Target> parsed;
    List<String> bases;
    List<String> sources;
    try {
      parsed = Target.parse(targets);
      for (Target t : parsed) {
        requireLoopback("target", t.uri().getHost());
      }
      bases = noMetrics ? List.of() : Target.managementBases(parsed, management);
      for (String b : bases) {
        requireLoopback("management URL", URI.create(b).getHost());
      }
      sources = ConnectionsCommand.expand(bind);
      for (String s : sources) {
        requireLoopback("source address", s);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    List<Long> pids = nodePids == null ? List.of() : List.copyOf(nodePids);
    if (!pids.isEmpty() && pids.size() != parsed.size()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "give one --node-pid per target (" + parsed.size() + "), got " + pids.size());
    }
    for (long pid : pids) {
      if (pid <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--node-pid must be positive (was " + pid + ")");
      }
    }
    int n = Params.range(spec, "--count", count, 1, MAX_COUNT, console);
    double r = Params.range(spec, "--rate", rate, 1, 20_000, console);
    long interval = Params.range(spec, "--byte-interval", byteInterval, 10, 60_000L, console);
    int h = Params.range(spec, "--hold", hold, 1, 600, console);
    int d = Params.range(spec, "--deadline", deadline, 0, 600, console);
    int m = Params.range(spec, "--margin", margin, 0, 600, console);
    long sample = Params.range(spec, "--sample-interval", sampleInterval, 100, 60_000L, console);
    int s = Params.range(spec, "--settle", settle, 0, 600, console);
    int ct = Params.range(spec, "--connect-timeout", connectTimeout, 100, 120_000, console);
    int loops = Params.range(spec, "--threads", threads, 1, 16, console);
    if (d > 0 && d + m > h) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--hold (" + h + " s) must be at least --deadline plus --margin (" + (d + m) + " s)");
    }
    return new Plan(parsed, bases, pids, sources, n, r, mode, interval, h, d, m, sample, s, ct, loops);
  }

  private static void requireLoopback(String what, String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(what + " has no host");
    }
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve " + what + " " + host);
    }
    for (InetAddress a : addresses) {
      if (!a.isLoopbackAddress()) {
        throw new IllegalArgumentException(what + " must be a loopback address (this command attacks nodes on this "
            + "machine only): " + host);
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    Plan plan = plan(console);
    return new Run(plan, console).execute();
  }

  /** One node's readings at one moment (-1 where unknown). */
  record Reading(long files, double tcp, double pending, double websockets, double refusedAddress,
      double refusedHandshakes, double timeoutsHandshake, double timeoutsKeepalive) {

    static final Reading UNKNOWN = new Reading(-1, -1, -1, -1, -1, -1, -1, -1);

    JsonObject toJson() {
      return new JsonObject().put("openFiles", files).put("tcpConnections", tcp).put("handshakesPending", pending)
          .put("webSockets", websockets).put("refusedAddress", refusedAddress)
          .put("refusedHandshakes", refusedHandshakes).put("timeoutsHandshake", timeoutsHandshake)
          .put("timeoutsKeepalive", timeoutsKeepalive);
    }

    static Reading take(long pid, String managementBase) {
      long files = pid > 0 ? openFiles(pid) : -1;
      if (managementBase == null) {
        return new Reading(files, -1, -1, -1, -1, -1, -1, -1);
      }
      try {
        String m = NodeProbe.get(managementBase + "/metrics");
        return new Reading(files, NodeProbe.value(m, "signaling_tcp_connections"),
            NodeProbe.value(m, "signaling_handshakes_pending"), NodeProbe.value(m, "signaling_connections"),
            NodeProbe.labelled(m, "signaling_connections_refused_total", "reason", "address"),
            NodeProbe.labelled(m, "signaling_connections_refused_total", "reason", "handshakes"),
            NodeProbe.labelled(m, "signaling_connection_timeouts_total", "deadline", "handshake"),
            NodeProbe.labelled(m, "signaling_connection_timeouts_total", "deadline", "keepalive"));
      } catch (IOException e) {
        return new Reading(files, -1, -1, -1, -1, -1, -1, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Reading(files, -1, -1, -1, -1, -1, -1, -1);
      }
    }
  }

  /** The number of open files of a process on this machine, or -1 when it cannot be read. */
  static long openFiles(long pid) {
    try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return files.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** One run of the attack. */
  private final class Run {

    private final Plan plan;
    private final PrintStream console;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger attempted = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger settled = new AtomicInteger();
    private final AtomicInteger closedByNode = new AtomicInteger();
    private final AtomicInteger closedWithinOneSecond = new AtomicInteger();
    private final AtomicInteger outlived = new AtomicInteger();
    private final AtomicInteger late = new AtomicInteger();
    private final Histogram lifetime = new Histogram(TimeUnit.SECONDS.toNanos(3_600), 3);
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private volatile boolean closing;

    Run(Plan plan, PrintStream console) {
      this.plan = plan;
      this.console = console;
    }

    int execute() throws Exception {
      Instant startedAt = Instant.now();
      int nodes = plan.targets().size();
      List<Reading> before = readAll();
      console.printf(Locale.ROOT, "hostile: %,d %s connections at %,.0f/s from %d addresses to %s; before: %s%n",
          plan.count(), plan.mode().name().toLowerCase(Locale.ROOT), plan.rate(), plan.sources().size(),
          plan.targets().stream().map(Target::label).toList(), describe(before));
      List<JsonObject> timeline = new ArrayList<>();
      long[] peakFiles = new long[nodes];
      double[] peakTcp = new double[nodes];
      double[] peakPending = new double[nodes];
      for (int i = 0; i < nodes; i++) {
        peakFiles[i] = before.get(i).files();
        peakTcp[i] = before.get(i).tcp();
        peakPending[i] = before.get(i).pending();
      }
      timeline.add(row(0, before));

      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(plan.threads()));
      List<NetClient> clients = new ArrayList<>();
      for (String source : plan.sources()) {
        clients.add(vertx.createNetClient(new NetClientOptions().setLocalAddress(source)
            .setConnectTimeout(plan.connectTimeoutMillis()).setReuseAddress(true)));
      }
      long start = System.nanoTime();
      long bound = start + TimeUnit.SECONDS.toNanos(plan.boundSeconds());
      try {
        launch(vertx, clients, start);
        long doneAt = 0;
        for (int tick = 1; ; tick++) {
          long next = start + TimeUnit.MILLISECONDS.toNanos(plan.sampleMillis() * tick);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          List<Reading> now = readAll();
          double t = (System.nanoTime() - start) / 1e9;
          timeline.add(row(t, now));
          for (int i = 0; i < nodes; i++) {
            peakFiles[i] = Math.max(peakFiles[i], now.get(i).files());
            peakTcp[i] = Math.max(peakTcp[i], now.get(i).tcp());
            peakPending[i] = Math.max(peakPending[i], now.get(i).pending());
          }
          console.printf(Locale.ROOT, "[%6.1fs] %,d opened, %,d held, %,d closed by the node, %,d failed | %s%n", t,
              opened.get(), open.size(), closedByNode.get(), failed.get(), describe(now));
          boolean attackOver = settled.get() == plan.count() && open.isEmpty();
          if (attackOver && doneAt == 0) {
            doneAt = System.nanoTime();
            console.printf(Locale.ROOT, "hostile: every connection gone after %.1f s; readings go on for %d s%n", t,
                plan.settleSeconds());
          }
          if (doneAt != 0 && System.nanoTime() - doneAt >= TimeUnit.SECONDS.toNanos(plan.settleSeconds())
              - TimeUnit.MILLISECONDS.toNanos(plan.sampleMillis()) / 2) {
            break;
          }
          if (System.nanoTime() - bound > 0) {
            console.println("hostile: the run's time bound passed; closing what is left");
            break;
          }
        }
      } finally {
        closing = true;
        for (NetSocket s : open) {
          s.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      List<Reading> after = readAll();
      return report(startedAt, before, after, peakFiles, peakTcp, peakPending, timeline);
    }

    private void launch(Vertx vertx, List<NetClient> clients, long start) {
      int lanes = plan.threads();
      byte[] prefix = ("GET " + plan.targets().get(0).path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII);
      for (int k = 0; k < lanes; k++) {
        int lane = k;
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
          Pacer pacer = new Pacer(start, plan.rate(), plan.count(), lane, lanes);
          Set<NetSocket> slow = ConcurrentHashMap.newKeySet();
          Pacer.drive(vertx, pacer, (i, intended) -> connect(vertx, clients, i, prefix, slow));
          if (plan.mode() == Mode.SLOWLORIS) {
            Buffer one = Buffer.buffer("a");
            vertx.setPeriodic(plan.byteIntervalMillis(), id -> {
              if (closing) {
                vertx.cancelTimer(id);
                return;
              }
              for (NetSocket s : slow) {
                s.write(one);
              }
            });
          }
        });
      }
    }

    private void connect(Vertx vertx, List<NetClient> clients, long index, byte[] prefix, Set<NetSocket> slow) {
      Target target = plan.targets().get((int) (index % plan.targets().size()));
      NetClient client = clients.get((int) (index % clients.size()));
      attempted.incrementAndGet();
      client.connect(target.port(), target.uri().getHost()).onComplete(ar -> {
        settled.incrementAndGet();
        if (ar.failed()) {
          failed.incrementAndGet();
          String reason = ar.cause().getClass().getSimpleName();
          failures.merge(reason, 1, Integer::sum);
          return;
        }
        NetSocket socket = ar.result();
        long openedAt = System.nanoTime();
        opened.incrementAndGet();
        open.add(socket);
        boolean[] ours = {false};
        long holdTimer = vertx.setTimer(TimeUnit.SECONDS.toMillis(plan.holdSeconds()), t -> {
          if (open.contains(socket)) {
            ours[0] = true;
            outlived.incrementAndGet();
            socket.close();
          }
        });
        socket.handler(data -> { });
        socket.exceptionHandler(e -> { });
        socket.closeHandler(v -> {
          open.remove(socket);
          slow.remove(socket);
          vertx.cancelTimer(holdTimer);
          if (ours[0] || closing) {
            return;
          }
          long lived = System.nanoTime() - openedAt;
          closedByNode.incrementAndGet();
          if (lived < TimeUnit.SECONDS.toNanos(1)) {
            closedWithinOneSecond.incrementAndGet();
          }
          if (plan.deadlineSeconds() > 0
              && lived > TimeUnit.SECONDS.toNanos(plan.deadlineSeconds() + plan.marginSeconds())) {
            late.incrementAndGet();
          }
          synchronized (lifetime) {
            lifetime.recordValue(Math.min(lived, lifetime.getHighestTrackableValue()));
          }
        });
        if (plan.mode() == Mode.SLOWLORIS) {
          socket.write(Buffer.buffer(prefix));
          slow.add(socket);
        }
      });
    }

    private List<Reading> readAll() {
      List<Reading> readings = new ArrayList<>();
      for (int i = 0; i < plan.targets().size(); i++) {
        long pid = plan.pids().isEmpty() ? 0 : plan.pids().get(i);
        String base = plan.managementBases().isEmpty() ? null : plan.managementBases().get(i);
        readings.add(pid <= 0 && base == null ? Reading.UNKNOWN : Reading.take(pid, base));
      }
      return readings;
    }

    private JsonObject row(double seconds, List<Reading> readings) {
      JsonArray nodes = new JsonArray();
      readings.forEach(r -> nodes.add(r.toJson()));
      return new JsonObject().put("seconds", RunResult.round(seconds)).put("opened", opened.get())
          .put("held", open.size()).put("closedByNode", closedByNode.get()).put("failed", failed.get())
          .put("nodes", nodes);
    }

    private int report(Instant startedAt, List<Reading> before, List<Reading> after, long[] peakFiles,
        double[] peakTcp, double[] peakPending, List<JsonObject> timeline) throws IOException {
      Histogram life;
      synchronized (lifetime) {
        life = lifetime.copy();
      }
      boolean passed = opened.get() > 0 && outlived.get() == 0 && late.get() == 0;
      JsonArray nodes = new JsonArray();
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "hostile (%s) against %s, %,d connections at %,.0f/s from %d addresses%n",
          plan.mode().name().toLowerCase(Locale.ROOT), plan.targets().stream().map(Target::label).toList(),
          plan.count(), plan.rate(), plan.sources().size()));
      s.append(String.format(Locale.ROOT, "opened %,d, connect failed %,d %s, closed by the node %,d (%,d within 1 s), "
              + "outlived the %d s hold %,d%s%n", opened.get(), failed.get(), failures, closedByNode.get(),
          closedWithinOneSecond.get(), plan.holdSeconds(), outlived.get(),
          plan.deadlineSeconds() > 0 ? String.format(Locale.ROOT, ", later than the %d s deadline + %d s %,d",
              plan.deadlineSeconds(), plan.marginSeconds(), late.get()) : ""));
      s.append(String.format(Locale.ROOT, "held by the node (connect to close) s: p50 %.2f p90 %.2f p99 %.2f max %.2f%n",
          life.getValueAtPercentile(50) / 1e9, life.getValueAtPercentile(90) / 1e9,
          life.getValueAtPercentile(99) / 1e9, life.getMaxValue() / 1e9));
      for (int i = 0; i < plan.targets().size(); i++) {
        Reading b = before.get(i);
        Reading a = after.get(i);
        JsonObject node = new JsonObject().put("target", plan.targets().get(i).label())
            .put("pid", plan.pids().isEmpty() ? null : plan.pids().get(i)).put("before", b.toJson())
            .put("after", a.toJson()).put("peakOpenFiles", peakFiles[i]).put("peakTcpConnections", peakTcp[i])
            .put("peakHandshakesPending", peakPending[i])
            .put("delta", new JsonObject().put("refusedAddress", delta(b.refusedAddress(), a.refusedAddress()))
                .put("refusedHandshakes", delta(b.refusedHandshakes(), a.refusedHandshakes()))
                .put("timeoutsHandshake", delta(b.timeoutsHandshake(), a.timeoutsHandshake()))
                .put("timeoutsKeepalive", delta(b.timeoutsKeepalive(), a.timeoutsKeepalive())));
        nodes.add(node);
        s.append(String.format(Locale.ROOT, "node %s: open files %,d before, peak %,d, %,d after; tcp peak %,.0f, "
                + "pending handshakes peak %,.0f; refused address %,.0f, handshakes %,.0f; handshake timeouts %,.0f%n",
            plan.targets().get(i).label(), b.files(), peakFiles[i], a.files(), peakTcp[i], peakPending[i],
            delta(b.refusedAddress(), a.refusedAddress()), delta(b.refusedHandshakes(), a.refusedHandshakes()),
            delta(b.timeoutsHandshake(), a.timeoutsHandshake())));
      }
      s.append(passed ? "PASSED\n" : opened.get() == 0 ? "FAILED: no connection opened\n"
          : "FAILED: the node held connections past the bound\n");
      console.print(s);

      JsonArray rows = new JsonArray();
      timeline.forEach(rows::add);
      JsonObject json = new JsonObject().put("scenario", "hostile").put("startedAt", startedAt.toString())
          .put("passed", passed).put("targets", plan.targets().stream().map(t -> t.uri().toString()).toList())
          .put("parameters", plan.toJson()).put("attempted", attempted.get()).put("opened", opened.get())
          .put("connectFailed", failed.get()).put("connectFailures", new JsonObject(new LinkedHashMap<>(failures)))
          .put("closedByNode", closedByNode.get()).put("closedByNodeWithinOneSecond", closedWithinOneSecond.get())
          .put("outlivedHold", outlived.get()).put("closedLate", late.get())
          .put("heldByNodeMs", RunResult.summary(life)).put("nodes", nodes).put("timeline", rows);
      Path dir = out != null ? out : Path.of("loadtest-results", "hostile-"
          + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("summary.txt"), s.toString());
      Files.writeString(dir.resolve("result.json"), json.encodePrettily());
      Files.writeString(dir.resolve("timeline.csv"), csv(timeline));
      Files.writeString(dir.resolve("report.html"), html(s.toString(), passed, timeline));
      console.printf("reports written to %s%n", dir.toAbsolutePath().normalize());
      return passed || allowErrors ? 0 : 1;
    }

    private String csv(List<JsonObject> timeline) {
      StringBuilder b = new StringBuilder("seconds,opened,held,closedByNode,failed");
      for (int i = 0; i < plan.targets().size(); i++) {
        b.append(String.format(Locale.ROOT, ",node%1$d.openFiles,node%1$d.tcp,node%1$d.pending,node%1$d.webSockets,"
            + "node%1$d.refusedAddress,node%1$d.refusedHandshakes,node%1$d.timeoutsHandshake", i + 1));
      }
      b.append('\n');
      for (JsonObject r : timeline) {
        b.append(r.getDouble("seconds")).append(',').append(r.getInteger("opened")).append(',')
            .append(r.getInteger("held")).append(',').append(r.getInteger("closedByNode")).append(',')
            .append(r.getInteger("failed"));
        for (Object o : r.getJsonArray("nodes")) {
          JsonObject n = (JsonObject) o;
          for (String f : List.of("openFiles", "tcpConnections", "handshakesPending", "webSockets", "refusedAddress",
              "refusedHandshakes", "timeoutsHandshake")) {
            b.append(',').append(fmt(n.getValue(f)));
          }
        }
        b.append('\n');
      }
      return b.toString();
    }

    private String html(String summary, boolean passed, List<JsonObject> timeline) {
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      List<double[]> held = new ArrayList<>();
      for (JsonObject r : timeline) {
        double t = r.getDouble("seconds");
        held.add(new double[] {t, r.getInteger("held")});
        JsonArray ns = r.getJsonArray("nodes");
        for (int i = 0; i < ns.size(); i++) {
          JsonObject n = ns.getJsonObject(i);
          String label = plan.targets().get(i).label();
          if (n.getLong("openFiles") >= 0) {
            series.computeIfAbsent("open files " + label, k -> new ArrayList<>()).add(new double[] {t,
                n.getLong("openFiles")});
          }
          if (n.getDouble("handshakesPending") >= 0) {
            series.computeIfAbsent("pending " + label, k -> new ArrayList<>()).add(new double[] {t,
                n.getDouble("handshakesPending")});
          }
        }
      }
      series.put("held by the attacker", held);
      return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hostile</title></head>"
          + "<body style=\"font:14px system-ui,sans-serif;margin:24px\"><h1>hostile — " + (passed ? "passed" : "failed")
          + "</h1><pre>" + Html.esc(summary) + "</pre><h2>Over time</h2>"
          + Html.chart(series, "seconds", "count", null, null) + "</body></html>\n";
    }
  }

  private static String fmt(Object v) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return Long.toString(n.longValue());
    }
    return String.valueOf(v);
  }

  private static double delta(double before, double after) {
    return before < 0 || after < 0 ? -1 : after - before;
  }

  private static String describe(List<Reading> readings) {
    List<String> parts = new ArrayList<>();
    for (Reading r : readings) {
      parts.add(String.format(Locale.ROOT, "files %s tcp %s pending %s refused %s timeouts %s",
          r.files() < 0 ? "?" : String.format(Locale.ROOT, "%,d", r.files()), num(r.tcp()), num(r.pending()),
          num(r.refusedAddress() < 0 ? -1 : r.refusedAddress() + Math.max(0, r.refusedHandshakes())),
          num(r.timeoutsHandshake())));
    }
    return String.join(" ; ", parts);
  }

  private static String num(double v) {
    return v < 0 ? "?" : String.format(Locale.ROOT, "%,.0f", v);
  }
}
