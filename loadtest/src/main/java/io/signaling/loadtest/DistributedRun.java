package io.signaling.loadtest;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import picocli.CommandLine;

/**
 * A scenario run distributed ({@code --workers}): this process as the {@link Coordinator} of its workers, started
 * here or external, with their figures merged into one report; or as one worker ({@code worker}), its share of
 * the run, its figures shipped to the coordinator.
 */
final class DistributedRun {

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

  private final CommonOptions o;

  DistributedRun(CommonOptions options) {
    this.o = options;
  }

  /** This process coordinates {@code --workers} workers and reports their merged figures. */
  int coordinate(DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
      PrintStream console, ScaleDriver driver) throws Exception {
    int n = Params.range(o.spec, "--workers", o.workers, 1, 1_000, console);
    int port = Params.range(o.spec, "--coordinator-port", o.coordinatorPort, 0, 65_535, console);
    int timeout = Params.range(o.spec, "--worker-timeout", o.workerTimeout, 1, 86_400, console);
    Harness.Options options = o.options(console);
    if (o.serverPids != null || o.serverPidsFrom != null) {
      throw new CommandLine.ParameterException(o.spec.commandLine(),
          "--server-pids: not with --workers (the workers' machines need not see the servers' processes)");
    }
    if (driver != null) {
      // the workers' targets are the driver's, in its order: a target's index names it on every side
      options = new Harness.Options(driver.targets().all(), options.crossNode(), options.threads(),
          options.graceMillis(), options.insecure(), console, options.serverCpu(), options.share(), options.gate());
    }
    List<String> args = workerArgs(o.spec.commandLine().getParseResult().originalArgs(), o.spec.name(),
        options.threads(), options.targets());
    Scenario meta = scenario.apply(seconds);
    boolean sliced = Share.sliced(options.targets().size(), n, options.crossNode());
    Path out = o.outDir(meta.name());
    try (Coordinator coordinator = new Coordinator(meta, n, args, console)) {
      if (driver != null) {
        coordinator.scale(driver); // the events happen here; the workers follow them
      }
      // workers started here reach it on loopback; external ones from other machines
      int actual = coordinator.listen(port, o.externalWorkers ? "0.0.0.0" : "127.0.0.1");
      console.printf(Locale.ROOT, "coordinator listening on port %d for %d worker(s), %d lane(s) each; %s%n", actual,
          n, options.threads(), sliced ? "each worker drives its own slice of the targets"
              : "every worker drives every target (fewer targets than workers need for slices)");
      if (!o.externalWorkers) {
        coordinator.spawn(actual, out.resolve("workers"));
      }
      double w = Params.range(o.spec, "--warmup", o.warmup, 0, 3_600, console);
      long runMillis = (long) ((w + seconds + extraSeconds) * 1000) + options.graceMillis() + 60_000;
      String failed = coordinator.await(timeout * 1000L, runMillis);
      if (failed != null) {
        console.println("FAILED: " + failed + "; no run");
        return 1;
      }
      return o.finish(coordinator.merge(options, meta.parameters(), options.targets(), sliced), console);
    }
  }

  /** The scenario's own arguments from the command line, without the coordinator's, with the lanes fixed. */
  static List<String> workerArgs(List<String> original, String scenario, int lanes, List<Target> targets) {
    List<String> args = new ArrayList<>();
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
  int asWorker(DoubleFunction<Scenario> scenario, double seconds, double extraSeconds,
      PrintStream console, ScaleEvents driver) throws Exception {
    Share share = new Share(o.workerIndex, o.workerCount);
    Harness.Options local = o.options(console).withShare(share, null);
    double w = Params.range(o.spec, "--warmup", o.warmup, 0, 3_600, console);
    if (w > 0) {
      console.printf(Locale.ROOT, "warm-up: %.0f s, figures discarded%n", w);
      Harness.run(scenario.apply(w), local, w + extraSeconds);
    }
    try (WorkerLink link = WorkerLink.registered(URI.create(o.workerLink), o.workerIndex)) {
      Scenario measured = scenario.apply(seconds);
      RunResult r;
      try {
        r = Harness.run(measured, local.withShare(share, link), seconds + extraSeconds, driver);
      } catch (IllegalStateException e) {
        console.println("FAILED: " + e.getMessage());
        return 1;
      }
      console.print(Report.table(r));
      link.deliver(WorkerLink.result(r).mergeIn(measured.shipment()));
      console.println("figures delivered to the coordinator");
      return 0;
    }
  }
}
