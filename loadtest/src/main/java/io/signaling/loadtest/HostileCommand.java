package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
 * 20,000 files), at most 600 s of hold. This class is the command's options and their validation ({@link Plan});
 * the attack is {@link HostileRun} (its modes {@link HostileMode}), the report {@link HostileReport}.
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
    HostileRun.Outcome run = new HostileRun(plan, console).execute();
    Path dir = out != null ? out : Path.of("loadtest-results", "hostile-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    boolean passed = new HostileReport(plan, console).write(run, dir);
    return passed || allowErrors ? 0 : 1;
  }
}
