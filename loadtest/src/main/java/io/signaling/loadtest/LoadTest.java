package io.signaling.loadtest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The load harness's command line. Exit codes: 0 the run passed, 1 the run had errors or lost messages (unless
 * {@code --allow-errors}), 2 invalid parameters.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, version = "loadtest 0.1.0",
    description = "Drives the signaling protocol against the node URLs given (and only those) and reports "
        + "latencies from HdrHistograms measured from intended send times.",
    subcommands = {LoadTest.Pairs.class, LoadTest.Churn.class, LoadTest.Soak.class, LoadTest.Throughput.class,
        LoadTest.Scale.class, CostCommand.class, WebhookSink.class, CostTable.class, ConnectionsCommand.class, HostileCommand.class, BaselineRelay.class, AwaitNodes.class,
        Summarize.class, WorkerCommand.class},
    footer = {"", "Exit status: 0 passed, 1 errors or lost messages, 2 invalid parameters."})
public final class LoadTest implements Runnable {

  @Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(System.out, args));
  }

  /** Runs the command line; returns the exit status. */
  public static int execute(PrintStream out, String... args) {
    CommandLine cli = new CommandLine(new LoadTest());
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a scenario (see --help)");
  }

  /** Options shared by every scenario. */
  static final class Common {

    @Spec(Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-t", "--target"}, required = true, split = ",", paramLabel = "URL",
        description = "Node WebSocket URLs, e.g. ws://127.0.0.1:5080/WebRTCAppEE/websocket (repeat or comma-separate).")
    List<String> targets;

    @Option(names = "--expand-dns", description = "Use every address a target's host name resolves to as a target of its own (e.g. a headless Service: one per pod).")
    boolean expandDns;

    @Option(names = "--same-node", description = "Put both peers of a room on the same node (default: different nodes).")
    boolean sameNode;

    @Option(names = "--threads", defaultValue = "0", description = "Event loops of the load generator (0: one per core, at most 4).")
    int threads;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
        description = "Report directory (default: loadtest-results/<scenario>-<time>).")
    Path out;

    @Option(names = "--insecure", description = "Accept any TLS certificate (wss:// test setups).")
    boolean insecure;

    @Option(names = "--allow-errors", description = "Exit 0 even when the run had errors or lost messages.")
    boolean allowErrors;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "SECONDS",
        description = "Run the same scenario this long first and discard its figures (warms both JIT compilers).")
    double warmup;

    @Option(names = "--server-pids", split = ",", paramLabel = "PID",
        description = "Server processes on this machine (repeat or comma-separate) whose CPU time, read from /proc "
            + "around the measured run, the report gives per call and per relayed message.")
    List<String> serverPids;

    @Option(names = "--server-pids-from", paramLabel = "DIR",
        description = "As --server-pids, from the node-*.pid files of a local cluster's directory (the --dir of "
            + "local-cluster.sh, by default loadtest/target/local-cluster).")
    Path serverPidsFrom;

    @Option(names = "--grace", defaultValue = "15", paramLabel = "SECONDS",
        description = "How long after the planned end unfinished work may still complete (default ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--workers", defaultValue = "0", paramLabel = "N",
        description = "Run distributed: this process coordinates N worker processes, each driving 1/N of the "
            + "schedule (and its own slice of the targets when there are enough), and merges their histograms "
            + "into one report (0: run here, in this process; default ${DEFAULT-VALUE}). The workers are started "
            + "on this machine unless --external-workers.")
    int workers;

    @Option(names = "--external-workers", description = "Do not start the workers: wait for N of them to register "
        + "(loadtest worker --coordinator http://HOST:PORT), e.g. the pods of a Kubernetes Indexed Job.")
    boolean externalWorkers;

    @Option(names = "--coordinator-port", defaultValue = "0", paramLabel = "PORT",
        description = "Port the coordinator listens on for its workers (0: any free port; default ${DEFAULT-VALUE}).")
    int coordinatorPort;

    @Option(names = "--worker-timeout", defaultValue = "300", paramLabel = "SECONDS",
        description = "How long the coordinator waits for every worker to register and prepare (default ${DEFAULT-VALUE}).")
    int workerTimeout;

    @Option(names = "--worker-link", hidden = true, description = "Set by `worker`: run as this coordinator's worker.")
    String workerLink;

    @Option(names = "--worker-index", hidden = true, defaultValue = "0")
    int workerIndex;

    @Option(names = "--worker-count", hidden = true, defaultValue = "1")
    int workerCount;

    /**
     * Options not passed on to the workers as given (true: the option takes a value): the coordinator's own, and
     * the targets and lanes, which the workers get as the coordinator resolved them (one list, in one order, for
     * all: a headless Service's addresses may come back in another order on every pod).
     */
    private static final Map<String, Boolean> COORDINATOR_ONLY = Map.ofEntries(Map.entry("--workers", true),
        Map.entry("--external-workers", false), Map.entry("--coordinator-port", true),
        Map.entry("--worker-timeout", true), Map.entry("-o", true), Map.entry("--out", true),
        Map.entry("--server-pids", true), Map.entry("--server-pids-from", true), Map.entry("--threads", true),
        Map.entry("-t", true), Map.entry("--target", true), Map.entry("--expand-dns", false));

    PrintStream console() {
      return System.out;
    }

    Harness.Options options(PrintStream console) {
      List<Target> parsed;
      try {
        parsed = Target.parse(targets);
        if (expandDns) {
          parsed = Target.expandDns(parsed);
          console.printf("targets: %s%n", parsed.stream().map(Target::label).toList());
        }
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      int cores = Runtime.getRuntime().availableProcessors();
      int lanes = threads == 0 ? Math.min(4, cores) : Params.range(spec, "--threads", threads, 1, 64, console);
      int grace = Params.range(spec, "--grace", graceSeconds, 1, 600, console);
      return new Harness.Options(parsed, !sameNode, lanes, grace * 1000L, insecure, console, serverCpu());
    }

    /** The server processes given, or null when none were. */
    ServerCpu serverCpu() {
      try {
        List<Long> pids = new java.util.ArrayList<>(ServerCpu.parsePids(serverPids));
        if (serverPidsFrom != null) {
          pids.addAll(ServerCpu.pidsFromDir(serverPidsFrom));
        }
        if (pids.isEmpty()) {
          return null;
        }
        ServerCpu cpu = new ServerCpu(pids);
        cpu.check();
        return cpu;
      } catch (IllegalArgumentException | java.io.IOException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--server-pids: " + e.getMessage());
      }
    }

    Path outDir(String scenario) {
      if (out != null) {
        return out;
      }
      String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
      return Path.of("loadtest-results", scenario + "-" + stamp);
    }

    /**
     * Runs the scenario built for a duration: first a warm-up of {@code --warmup} seconds (figures discarded),
     * then the measured run; writes the reports and returns the exit status.
     */
    int run(java.util.function.DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
        PrintStream console) throws Exception {
      return run(scenario, seconds, extraSeconds, console, null);
    }

    /** As above; {@code driver} (if not null) runs its scale events during the measured run, not the warm-up. */
    int run(java.util.function.DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
        PrintStream console, ScaleEvents driver) throws Exception {
      if (workerLink != null) {
        return runAsWorker(scenario, seconds, extraSeconds, console, driver);
      }
      if (workers < 0) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--workers must be 0 (run in this process) or more (was " + workers + ")");
      }
      if (workers > 0) {
        return coordinate(scenario, seconds, extraSeconds, console, (ScaleDriver) driver);
      }
      Harness.Options options = options(console);
      double w = Params.range(spec, "--warmup", warmup, 0, 3_600, console);
      if (w > 0) {
        console.printf(Locale.ROOT, "warm-up: %.0f s, figures discarded%n", w);
        Harness.run(scenario.apply(w), options, w + extraSeconds);
        console.println("warm-up done; measuring");
      }
      return finish(Harness.run(scenario.apply(seconds), options, seconds + extraSeconds, driver), console);
    }

    /** This process coordinates {@code --workers} workers and reports their merged figures. */
    private int coordinate(java.util.function.DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
        PrintStream console, ScaleDriver driver) throws Exception {
      int n = Params.range(spec, "--workers", workers, 1, 1_000, console);
      int port = Params.range(spec, "--coordinator-port", coordinatorPort, 0, 65_535, console);
      int timeout = Params.range(spec, "--worker-timeout", workerTimeout, 1, 86_400, console);
      Harness.Options options = options(console);
      if (serverPids != null || serverPidsFrom != null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--server-pids: not with --workers (the workers' machines need not see the servers' processes)");
      }
      if (driver != null) {
        // the workers' targets are the driver's, in its order: a target's index names it on every side
        options = new Harness.Options(driver.targets().all(), options.crossNode(), options.threads(),
            options.graceMillis(), options.insecure(), console, options.serverCpu(), options.share(), options.gate());
      }
      List<String> args = workerArgs(spec.commandLine().getParseResult().originalArgs(), spec.name(), options.threads(),
          options.targets());
      Scenario meta = scenario.apply(seconds);
      boolean sliced = Share.sliced(options.targets().size(), n, options.crossNode());
      Path out = outDir(meta.name());
      try (Coordinator coordinator = new Coordinator(meta, n, args, console)) {
        if (driver != null) {
          coordinator.scale(driver); // the events happen here; the workers follow them
        }
        // workers started here reach it on loopback; external ones from other machines
        int actual = coordinator.listen(port, externalWorkers ? "0.0.0.0" : "127.0.0.1");
        console.printf(Locale.ROOT, "coordinator listening on port %d for %d worker(s), %d lane(s) each; %s%n", actual,
            n, options.threads(), sliced ? "each worker drives its own slice of the targets"
                : "every worker drives every target (fewer targets than workers need for slices)");
        if (!externalWorkers) {
          coordinator.spawn(actual, out.resolve("workers"));
        }
        double w = Params.range(spec, "--warmup", warmup, 0, 3_600, console);
        long runMillis = (long) ((w + seconds + extraSeconds) * 1000) + options.graceMillis() + 60_000;
        String failed = coordinator.await(timeout * 1000L, runMillis);
        if (failed != null) {
          console.println("FAILED: " + failed + "; no run");
          return 1;
        }
        return finish(coordinator.merge(options, meta.parameters(), options.targets(), sliced), console);
      }
    }

    /** The scenario's own arguments from the command line, without the coordinator's, with the lanes fixed. */
    static List<String> workerArgs(List<String> original, String scenario, int lanes, List<Target> targets) {
      List<String> args = new java.util.ArrayList<>();
      int from = original.indexOf(scenario);
      for (int i = from + 1; i < original.size(); i++) {
        String a = original.get(i);
        String name = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        Boolean takesValue = COORDINATOR_ONLY.get(name);
        if (takesValue == null) {
          args.add(a);
        } else if (takesValue && !a.contains("=")) {
          i++;
        }
      }
      args.add(0, scenario);
      args.add("--target");
      args.add(String.join(",", targets.stream().map(t -> t.uri().toString()).toList()));
      args.add("--threads");
      args.add(Integer.toString(lanes));
      return args;
    }

    /** This process is worker {@code --worker-index}: its share of the run, its figures to the coordinator. */
    private int runAsWorker(java.util.function.DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
        PrintStream console, ScaleEvents driver) throws Exception {
      Share share = new Share(workerIndex, workerCount);
      Harness.Options local = options(console).withShare(share, null);
      double w = Params.range(spec, "--warmup", warmup, 0, 3_600, console);
      if (w > 0) {
        console.printf(Locale.ROOT, "warm-up: %.0f s, figures discarded%n", w);
        Harness.run(scenario.apply(w), local, w + extraSeconds);
      }
      try (WorkerLink link = WorkerLink.registered(java.net.URI.create(workerLink), workerIndex)) {
        RunResult r;
        try {
          r = Harness.run(scenario.apply(seconds), local.withShare(share, link), seconds + extraSeconds, driver);
        } catch (IllegalStateException e) {
          console.println("FAILED: " + e.getMessage());
          return 1;
        }
        console.print(Report.table(r));
        link.deliver(WorkerLink.result(r));
        console.println("figures delivered to the coordinator");
        return 0;
      }
    }

    int finish(RunResult result, PrintStream console) throws Exception {
      Report.write(result, outDir(result.scenario()), console);
      return result.passed() || allowErrors ? 0 : 1;
    }
  }

  @Command(name = "pairs", mixinStandardHelpOptions = true,
      description = "Full calls on new sockets at a paced rate: connect, join, join, start, offer, answer, "
          + "candidates each way, hold, leave.")
  static final class Pairs implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;
    @Option(names = "--rate", defaultValue = "50", description = "Calls started per second (default ${DEFAULT-VALUE}).")
    double rate;
    @Option(names = "--duration", defaultValue = "30", paramLabel = "SECONDS", description = "Seconds of calls started (default ${DEFAULT-VALUE}).")
    double duration;
    @Mixin CallOptions calls;
    @Mixin CallOptions.Hold hold;
    @Option(names = "--max-in-flight", defaultValue = "20000", description = "Calls at once before new ones are refused as harness errors (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Override
    public Integer call() throws Exception {
      PrintStream console = common.console();
      double r = Params.range(spec, "--rate", rate, 0.1, 20_000, console);
      double d = Params.range(spec, "--duration", duration, 1, 86_400, console);
      CallModel model = calls.model(Protocol.AMS, CallOptions.DEFAULT_CANDIDATES, hold.millis(1000, console), console);
      int cap = Params.range(spec, "--max-in-flight", maxInFlight, 1, 1_000_000, console);
      return common.run(seconds -> new PairsScenario(r, seconds, model, cap), d,
          model.holdMillis() / 1000.0 + model.deadlineMillis() / 1000.0, console);
    }
  }

  @Command(name = "churn", mixinStandardHelpOptions = true,
      description = "Sustained call setups per second (join, join, offer, answer, candidates, leave) on a pool "
          + "of connected socket pairs.")
  static final class Churn implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;
    @Option(names = "--rate", defaultValue = "100", description = "Call setups per second (default ${DEFAULT-VALUE}).")
    double rate;
    @Option(names = "--duration", defaultValue = "60", paramLabel = "SECONDS", description = "Seconds of setups (default ${DEFAULT-VALUE}).")
    double duration;
    @Mixin CallOptions calls;
    @Option(names = "--pool", defaultValue = "0", description = "Connected socket pairs reused by the setups (0: a quarter of the rate, at least 16).")
    int pool;

    @Override
    public Integer call() throws Exception {
      PrintStream console = common.console();
      double r = Params.range(spec, "--rate", rate, 0.1, 50_000, console);
      double d = Params.range(spec, "--duration", duration, 1, 86_400, console);
      int pairs = pool == 0 ? (int) Math.max(16, Math.ceil(r / 4)) : Params.range(spec, "--pool", pool, 1, 50_000, console);
      CallModel model = calls.model(Protocol.AMS, CallOptions.DEFAULT_CANDIDATES, 0, console);
      return common.run(seconds -> new ChurnScenario(r, seconds, model, pairs), d,
          model.deadlineMillis() / 1000.0, console);
    }
  }

  @Command(name = "soak", mixinStandardHelpOptions = true,
      description = "A fixed population of paired peers held for a long time, relaying candidates at a paced rate.")
  static final class Soak implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;
    @Option(names = "--pairs", defaultValue = "100", description = "Paired peers held (default ${DEFAULT-VALUE}).")
    int pairs;
    @Option(names = "--message-rate", defaultValue = "1000", description = "Relayed messages per second over all pairs (default ${DEFAULT-VALUE}).")
    double messageRate;
    @Option(names = "--duration", defaultValue = "300", paramLabel = "SECONDS", description = "Seconds held (default ${DEFAULT-VALUE}).")
    double duration;
    @Mixin CallOptions.ConnectRate connectRate;
    @Option(names = "--ping-interval", defaultValue = "10000", paramLabel = "MILLIS", description = "Protocol ping from every peer (0: none; default ${DEFAULT-VALUE}).")
    long ping;

    @Override
    public Integer call() throws Exception {
      PrintStream console = common.console();
      double d = Params.range(spec, "--duration", duration, 1, 7 * 86_400, console);
      int p = Params.range(spec, "--pairs", pairs, 1, 500_000, console);
      double mr = Params.range(spec, "--message-rate", messageRate, 0.1, 1_000_000, console);
      double cr = connectRate.perSecond(console);
      long pi = ping == 0 ? 0 : Params.range(spec, "--ping-interval", ping, 100, 3_600_000L, console);
      return common.run(seconds -> SoakScenario.soak(p, mr, seconds, cr, pi), d, 0, console);
    }
  }

  @Command(name = "throughput", mixinStandardHelpOptions = true,
      description = "Capacity: paired peers keep a window of relayed messages in flight each way, as fast as the "
          + "target relays them (closed loop: the latency is queueing, not a service figure).")
  static final class Throughput implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;
    @Option(names = "--pairs", defaultValue = "50", description = "Paired peers (default ${DEFAULT-VALUE}).")
    int pairs;
    @Option(names = "--window", defaultValue = "8", description = "Messages in flight each way per pair (default ${DEFAULT-VALUE}).")
    int window;
    @Option(names = "--duration", defaultValue = "20", paramLabel = "SECONDS", description = "Seconds measured (default ${DEFAULT-VALUE}).")
    double duration;
    @Mixin CallOptions.ConnectRate connectRate;

    @Override
    public Integer call() throws Exception {
      PrintStream console = common.console();
      double d = Params.range(spec, "--duration", duration, 1, 86_400, console);
      int p = Params.range(spec, "--pairs", pairs, 1, 100_000, console);
      int w = Params.range(spec, "--window", window, 1, 1_000, console);
      double cr = connectRate.perSecond(console);
      return common.run(seconds -> SoakScenario.throughput(p, w, seconds, cr), d, 0, console);
    }
  }

  @Command(name = "scale", mixinStandardHelpOptions = true,
      description = "Scale events during a run: a soak of held calls plus a stream of new calls while nodes are "
          + "started and drained with the local cluster script; relay and pairing latency reported per phase "
          + "(steady, scale-up, scaled, drain, after). New calls go to the nodes that are ready now; a setup a "
          + "draining node turns away (upgrade 503, temporarilyUnavailable, server_will_stop) is retried on "
          + "another node and counted as a retry, not an error.")
  static final class Scale implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Common common;
    @Option(names = "--events", required = true, paramLabel = "SECONDS:start|drain,...",
        description = "Scale events, seconds after the measured run starts, e.g. 30:start,60:drain (start: one "
            + "more node; drain: SIGTERM to the newest node this run started, which exits when its calls ended).")
    String events;
    @Option(names = "--cluster-dir", paramLabel = "DIR", description = "The local cluster's directory (the --dir "
        + "given to local-cluster.sh start; default loadtest/target/local-cluster).")
    java.nio.file.Path clusterDir;
    @Option(names = "--cluster-script", paramLabel = "FILE", description = "The local cluster script (default "
        + "loadtest/bin/local-cluster.sh).")
    java.nio.file.Path clusterScript;
    @Option(names = "--duration", defaultValue = "90", paramLabel = "SECONDS", description = "Seconds of the measured run (default ${DEFAULT-VALUE}); a scale event still in progress near its end extends it until the event is done, then 5 s more.")
    double duration;
    @Option(names = "--settle", defaultValue = "5", paramLabel = "SECONDS", description = "How long after a started node is ready its scale-up phase lasts (default ${DEFAULT-VALUE}).")
    double settle;
    @Option(names = "--drain-timeout", defaultValue = "60", paramLabel = "SECONDS", description = "How long to wait for a drained node to exit (default ${DEFAULT-VALUE}).")
    int drainTimeout;
    @Option(names = "--pairs", defaultValue = "200", description = "Paired peers held for the whole run on the nodes it starts with (default ${DEFAULT-VALUE}).")
    int pairs;
    @Option(names = "--message-rate", defaultValue = "2000", description = "Relayed messages per second over the held pairs (default ${DEFAULT-VALUE}).")
    double messageRate;
    @Option(names = "--call-rate", defaultValue = "20", description = "New calls per second, each on two new sockets (default ${DEFAULT-VALUE}).")
    double callRate;
    @Option(names = "--fill-rooms", defaultValue = "0", paramLabel = "N", description = "Before the run, fill the "
        + "room directory with N rooms of one peer each, held to the end (0: none; default ${DEFAULT-VALUE}). The "
        + "nodes need --max-rooms-per-connection at least --fill-rooms-per-socket.")
    long fillRooms;
    @Option(names = "--fill-rooms-per-socket", defaultValue = "128", paramLabel = "K", description = "Distinct "
        + "rooms each fill socket joins; ceil(N/K) sockets, spread over the targets (default ${DEFAULT-VALUE}).")
    int fillRoomsPerSocket;
    @Option(names = "--fill-in-flight", defaultValue = "512", paramLabel = "J", description = "Fill joins in flight "
        + "at once, over all lanes: the fill's pace (default ${DEFAULT-VALUE}).")
    int fillInFlight;
    @Option(names = "--fill-ping-interval", defaultValue = "10000", paramLabel = "MILLIS", description = "Protocol "
        + "ping from every held fill socket, below the node's idle timeout (0: none; default ${DEFAULT-VALUE}).")
    long fillPing;
    @Mixin CallOptions calls;
    @Mixin CallOptions.Hold hold;
    @Mixin CallOptions.ConnectRate connectRate;

    @Override
    public Integer call() throws Exception {
      PrintStream console = common.console();
      double d = Params.range(spec, "--duration", duration, 1, 86_400, console);
      long fr = Params.range(spec, "--fill-rooms", fillRooms, 0, 20_000_000L, console);
      int fk = Params.range(spec, "--fill-rooms-per-socket", fillRoomsPerSocket, 1, 100_000, console);
      int fj = Params.range(spec, "--fill-in-flight", fillInFlight, 1, 100_000, console);
      long fp = fillPing == 0 ? 0 : Params.range(spec, "--fill-ping-interval", fillPing, 100, 3_600_000L, console);
      List<ScaleEvent> plan;
      try {
        plan = ScaleEvent.parse(events, d);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      double st = Params.range(spec, "--settle", settle, 0, 600, console);
      int dt = Params.range(spec, "--drain-timeout", drainTimeout, 1, 3_600, console);
      int p = Params.range(spec, "--pairs", pairs, 1, 500_000, console);
      double mr = Params.range(spec, "--message-rate", messageRate, 0.1, 1_000_000, console);
      double cr = Params.range(spec, "--call-rate", callRate, 0.1, 5_000, console);
      CallModel model = calls.model(Protocol.AMS, 4, hold.millis(2000, console), console);
      double conn = connectRate.perSecond(console);
      java.nio.file.Path script = clusterScript != null ? clusterScript : java.nio.file.Path.of("loadtest", "bin", "local-cluster.sh");
      java.nio.file.Path dir = clusterDir != null ? clusterDir : java.nio.file.Path.of("loadtest", "target", "local-cluster");
      boolean worker = common.workerLink != null; // a worker follows its coordinator's events
      if (!worker && !java.nio.file.Files.isRegularFile(script)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "cluster script not found: " + script
            + " (give --cluster-script)");
      }
      List<Target> initial = common.options(console).targets();
      TargetSet measured = new TargetSet(initial);
      // an event still in progress at the planned end extends the measured run (the driver's; a worker's follows
      // its coordinator's phases and ends on its own schedule)
      RunExtension extension = worker ? null : new RunExtension();
      ScaleEvents driver = worker
          ? new ScaleFollower(WorkerLink.registered(java.net.URI.create(common.workerLink), common.workerIndex),
              measured, console)
          : new ScaleDriver(plan, script, dir, measured, st, dt, console, d, extension);
      java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
      extra.put("events", plan.toString());
      extra.put("settleSeconds", st);
      // the measured run places its calls over the live target set; a warm-up over a set of its own, no events
      // (and no fill: the directory is filled once, for the measured run)
      boolean[] warm = {common.warmup > 0};
      return common.run(seconds -> {
        boolean warming = warm[0];
        TargetSet set = warming ? new TargetSet(initial) : measured;
        RunExtension extended = warming ? null : extension;
        warm[0] = false;
        RoomFill fill = fr == 0 || warming ? null : new RoomFill(fr, fk, fj, fp, console);
        return new ScaleScenario(SoakScenario.soak(p, mr, seconds, conn, 0, extended), set, cr, seconds, model, extra,
            extended, fill);
      }, d, model.holdMillis() / 1000.0 + model.deadlineMillis() / 1000.0, console, driver);
    }
  }
}
