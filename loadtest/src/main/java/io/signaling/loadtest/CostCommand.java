package io.signaling.loadtest;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cost}: what a call costs the servers. Rounds of {@code --calls} full calls, {@code --in-flight} at once,
 * each on two new sockets; the server processes' CPU time (from /proc) is read around every round. The first
 * round (on a fresh process: the cold JVM) is reported on its own; then warm-up rounds until
 * {@code --warmup-calls} calls were made; then {@code --warm-rounds} warm rounds, merged into the warm figures.
 * Per round: CPU ms per call and µs per relayed message, relay p50/p99, relayed messages per second, pairing p99.
 * Optionally the resident memory per idle socket at the end. Writes {@code cost.json} and {@code cost.md}, and
 * the usual reports of the first and the warm rounds.
 */
@Command(name = "cost", mixinStandardHelpOptions = true,
    description = "Cost per call: rounds of full calls (closed loop, a fixed number in flight) with the server "
        + "processes' CPU time read around each round; the first round (a fresh process) reported apart from the "
        + "warm rounds (after the warm-up calls). Works in our protocol or the PeerJS server's (--protocol peerjs).")
final class CostCommand implements Callable<Integer> {

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin CommonOptions common;
  @Mixin CallOptions calls;
  @Mixin CallOptions.Hold hold;

  @Option(names = "--protocol", defaultValue = "ams", description = "ams (ours) or peerjs (the PeerJS server; a "
      + "target is then ws://host:port/peerjs) (default ${DEFAULT-VALUE}).")
  String protocol;
  @Option(names = "--calls", defaultValue = "3000", description = "Calls per round (default ${DEFAULT-VALUE}).")
  int callsPerRound;
  @Option(names = "--in-flight", defaultValue = "20", description = "Calls at once (default ${DEFAULT-VALUE}).")
  int inFlight;
  @Option(names = "--warmup-calls", defaultValue = "20000", description = "Calls made (the first round's "
      + "included) before the warm rounds (default ${DEFAULT-VALUE}).")
  long warmupCalls;
  @Option(names = "--warm-rounds", defaultValue = "3", description = "Warm rounds measured (default ${DEFAULT-VALUE}).")
  int warmRounds;
  @Option(names = "--label", description = "The target's name in the tables (default: PeerJS, or N node(s)).")
  String label;
  @Option(names = "--idle-sockets", defaultValue = "0", description = "At the end, open this many idle sockets and "
      + "report the servers' resident memory growth per socket (0: skip; default ${DEFAULT-VALUE}).")
  int idleSockets;
  @Option(names = "--client-warmup-calls", defaultValue = "6000", description = "Before the first round, calls (in "
      + "our protocol) against a relay in this process (the baseline relay, on loopback), so that the first round "
      + "measures a fresh server, not a fresh load client as well (0: none; default ${DEFAULT-VALUE}).")
  int clientWarmupCalls;
  @Option(names = "--round-timeout", defaultValue = "600", paramLabel = "SECONDS",
      description = "A round not done by then is cut off (default ${DEFAULT-VALUE}).")
  int roundTimeout;

  @Override
  public Integer call() throws Exception {
    PrintStream console = common.console();
    Protocol p;
    try {
      p = Protocol.valueOf(protocol.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--protocol must be ams or peerjs");
    }
    int n = Params.range(spec, "--calls", callsPerRound, 1, 1_000_000, console);
    int window = Params.range(spec, "--in-flight", inFlight, 1, 10_000, console);
    long warmup = Params.range(spec, "--warmup-calls", warmupCalls, 0, 100_000_000L, console);
    int warm = Params.range(spec, "--warm-rounds", warmRounds, 1, 1_000, console);
    int idle = Params.range(spec, "--idle-sockets", idleSockets, 0, 19_000, console);
    int timeout = Params.range(spec, "--round-timeout", roundTimeout, 10, 86_400, console);
    int clientWarmup = Params.range(spec, "--client-warmup-calls", clientWarmupCalls, 0, 1_000_000, console);
    CallModel model = calls.model(p, CallOptions.DEFAULT_CANDIDATES, hold.millis(0, console), console);
    Harness.Options given = common.options(console);
    String name = label != null ? label : p == Protocol.PEERJS ? "PeerJS"
        : given.targets().size() + (given.targets().size() == 1 ? " node" : " nodes");
    if (given.serverCpu() == null) {
      console.println("note: no --server-pids / --server-pids-from: no CPU figures");
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    Harness.Options options = new Harness.Options(given.targets(), given.crossNode(), given.threads(),
        given.graceMillis(), given.insecure(), quiet, given.serverCpu());
    List<CostRounds.Kind> plan = CostRounds.plan(n, warmup, warm);
    Path out = common.outDir("cost");
    Files.createDirectories(out);
    console.printf(Locale.ROOT, "cost of %s: %d round(s) of %,d calls, %d in flight, %s protocol, %s%n", name,
        plan.size(), n, window, p.name().toLowerCase(Locale.ROOT), given.crossNode() && given.targets().size() > 1
            ? "each peer's partner on another node" : "both peers on one node");
    if (clientWarmup > 0) {
      warmClient(clientWarmup, window, calls.model(Protocol.AMS, CallOptions.DEFAULT_CANDIDATES, hold.millis(0, console),
          console), given, timeout, console);
    }
    console.print(CostRounds.header());
    List<CostRounds.Round> rounds = new ArrayList<>();
    boolean passed = true;
    for (int k = 0; k < plan.size(); k++) {
      CostRounds.Kind kind = plan.get(k);
      RunResult r = Harness.run(new CostScenario(n, window, model, k + 1), options, timeout);
      CostRounds.Round round = CostRounds.Round.of(k + 1, kind, r);
      rounds.add(round);
      passed &= r.passed();
      console.print(CostRounds.line(round));
      if (kind != CostRounds.Kind.WARMUP) {
        Report.write(r, out.resolve(String.format(Locale.ROOT, "round-%02d-%s", k + 1, kind.label)), quiet);
      }
    }
    CostRounds.Round first = rounds.get(0);
    CostRounds.Round warmAll = CostRounds.merge(rounds.stream().filter(r -> r.kind() == CostRounds.Kind.WARM).toList());
    console.println("-- merged");
    console.print(CostRounds.line(first));
    console.print(CostRounds.line(warmAll));
    JsonObject memory = idle > 0 ? idleMemory(given, p, idle, console) : null;
    JsonObject json = new JsonObject().put("label", name).put("protocol", p.name().toLowerCase(Locale.ROOT))
        .put("nodes", given.targets().size()).put("crossNode", given.crossNode() && given.targets().size() > 1)
        .put("callsPerRound", n).put("inFlight", window).put("warmupCalls", warmup)
        .put("candidatesEachWay", model.candidates()).put("sdpBytes", model.sdpBytes())
        .put("pids", given.serverCpu() == null ? null : new JsonArray(List.copyOf(given.serverCpu().pids())))
        .put("first", first.toJson()).put("warm", warmAll.toJson()).put("passed", passed);
    JsonArray all = new JsonArray();
    rounds.forEach(r -> all.add(r.toJson()));
    json.put("rounds", all);
    if (memory != null) {
      json.put("idleSockets", memory);
    }
    Files.writeString(out.resolve("cost.json"), json.encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(out.resolve("cost.md"), CostTable.table(List.of(json)), StandardCharsets.UTF_8);
    console.print(CostTable.table(List.of(json)));
    console.printf("reports written to %s%n", out.toAbsolutePath().normalize());
    return passed || common.allowErrors ? 0 : 1;
  }

  /**
   * Makes {@code count} calls against a baseline relay started in this process on loopback, over as many targets as
   * the run has (all the relay), so that the harness's own code is compiled before the first measured round: the
   * first round's latencies are then the fresh server's, not the fresh client's as well. No server CPU is read.
   */
  private static void warmClient(int count, int window, CallModel model, Harness.Options given, int timeout,
      PrintStream console) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int port;
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      BaselineRelay.start(vertx, "127.0.0.1", port, 1).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < given.targets().size(); i++) {
        urls.add("ws://127.0.0.1:" + port + "/WebRTCAppEE/websocket");
      }
      Harness.Options relay = new Harness.Options(Target.parse(urls), given.crossNode(), given.threads(),
          given.graceMillis(), false, new PrintStream(OutputStream.nullOutputStream()), null);
      long started = System.nanoTime();
      RunResult r = Harness.run(new CostScenario(count, window, model, 0), relay, timeout);
      console.printf(Locale.ROOT, "load client warmed up: %,d calls against a relay in this process in %.1f s%s%n",
          count, (System.nanoTime() - started) / 1e9, r.passed() ? "" : " (with errors)");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Opens {@code count} idle sockets over the targets (in {@code protocol}; a ping every few seconds is not
   * needed for the few seconds they are held), waits 3 s, and reads the servers' resident memory growth.
   */
  private JsonObject idleMemory(Harness.Options options, Protocol protocol, int count, PrintStream console)
      throws Exception {
    ServerCpu cpu = options.serverCpu();
    if (cpu == null) {
      console.println("note: idle-socket memory needs --server-pids; skipped");
      return null;
    }
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000_000)
          .setConnectTimeout(30_000));
      Stats stats = new Stats(System.nanoTime());
      List<Peer> open = new ArrayList<>();
      ServerCpu.Sample before = cpu.sample();
      CompletableFuture<Void> opened = new CompletableFuture<>();
      String prefix = "i" + Long.toString(System.nanoTime(), 36) + "-";
      vertx.runOnContext(v -> {
        Pacer pacer = new Pacer(System.nanoTime(), 2_000, count, 0, 1);
        int[] settled = {0};
        Pacer.drive(vertx, pacer, (i, intended) -> {
          Target t = options.targets().get((int) (i % options.targets().size()));
          Peer.connect(client, t, stats, intended, false, protocol, prefix + i).onComplete(r -> {
            if (r.succeeded()) {
              open.add(r.result());
            }
            if (++settled[0] == count) {
              opened.complete(null);
            }
          });
        });
      });
      opened.get(120, TimeUnit.SECONDS);
      Thread.sleep(3_000);
      ServerCpu.Sample after = cpu.sample();
      Promise<Void> closed = Promise.promise();
      vertx.runOnContext(v -> {
        open.forEach(Peer::close);
        closed.complete();
      });
      closed.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      long delta = after.rssBytes() - before.rssBytes();
      double perSocket = open.isEmpty() ? Double.NaN : (double) delta / open.size();
      console.printf(Locale.ROOT, "idle sockets: %,d open; servers' resident memory %+.1f MiB = %s KiB per socket%n",
          open.size(), delta / 1048576.0, CostRounds.fmt(perSocket / 1024, "%.2f"));
      return new JsonObject().put("opened", open.size()).put("rssBeforeBytes", before.rssBytes())
          .put("rssAfterBytes", after.rssBytes()).put("kibPerSocket", CostRounds.num(perSocket / 1024));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
