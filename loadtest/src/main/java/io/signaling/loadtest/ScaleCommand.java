package io.signaling.loadtest;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scale}: a soak plus new calls while scale events start and drain nodes ({@link ScaleScenario}). */
@Command(name = "scale", mixinStandardHelpOptions = true,
    description = "Scale events during a run: a soak of held calls plus a stream of new calls while nodes are "
        + "started and drained with the local cluster script; relay and pairing latency reported per phase "
        + "(steady, scale-up, scaled, drain, after). New calls go to the nodes that are ready now; a setup a "
        + "draining node turns away (upgrade 503, temporarilyUnavailable, server_will_stop) is retried on "
        + "another node and counted as a retry, not an error.")
final class ScaleCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin CommonOptions common;
  @Option(names = "--events", required = true, paramLabel = "SECONDS:start|drain,...",
      description = "Scale events, seconds after the measured run starts, e.g. 30:start,60:drain (start: one "
          + "more node; drain: SIGTERM to the newest node this run started, which exits when its calls ended). "
          + "A node the run started and did not drain is stopped when the run ends.")
  String events;
  @Option(names = "--cluster-dir", paramLabel = "DIR", description = "The local cluster's directory (the --dir "
      + "given to local-cluster.sh start; default loadtest/target/local-cluster).")
  Path clusterDir;
  @Option(names = "--cluster-script", paramLabel = "FILE", description = "The local cluster script (default "
      + "loadtest/bin/local-cluster.sh).")
  Path clusterScript;
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
    Path script = clusterScript != null ? clusterScript : Path.of("loadtest", "bin", "local-cluster.sh");
    Path dir = clusterDir != null ? clusterDir : Path.of("loadtest", "target", "local-cluster");
    boolean worker = common.workerLink != null; // a worker follows its coordinator's events
    if (!worker && !Files.isRegularFile(script)) {
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
    Map<String, Object> extra = new LinkedHashMap<>();
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
