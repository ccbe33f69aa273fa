package io.signaling.loadtest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options shared by every scenario (a picocli mixin), and the run they ask for: in this process, as the
 * coordinator of {@code --workers} workers, or as one of them ({@link DistributedRun}).
 */
final class CommonOptions {

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
      List<Long> pids = new ArrayList<>(ServerCpu.parsePids(serverPids));
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
  int run(DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
      PrintStream console) throws Exception {
    return run(scenario, seconds, extraSeconds, console, null);
  }

  /** As above; {@code driver} (if not null) runs its scale events during the measured run, not the warm-up. */
  int run(DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
      PrintStream console, ScaleEvents driver) throws Exception {
    if (workerLink != null) {
      return new DistributedRun(this).asWorker(scenario, seconds, extraSeconds, console, driver);
    }
    if (workers < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--workers must be 0 (run in this process) or more (was " + workers + ")");
    }
    if (workers > 0) {
      return new DistributedRun(this).coordinate(scenario, seconds, extraSeconds, console, (ScaleDriver) driver);
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

  int finish(RunResult result, PrintStream console) throws Exception {
    Report.write(result, outDir(result.scenario()), console);
    return result.passed() || allowErrors ? 0 : 1;
  }
}
