package io.signaling.loadtest;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The scenarios whose command is only their options: {@code pairs}, {@code churn}, {@code soak}, {@code throughput}. */
final class ScenarioCommands {

  private ScenarioCommands() {
  }

  @Command(name = "pairs", mixinStandardHelpOptions = true,
      description = "Full calls on new sockets at a paced rate: connect, join, join, start, offer, answer, "
          + "candidates each way, hold, leave.")
  static final class Pairs implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin CommonOptions common;
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
    @Mixin CommonOptions common;
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
    @Mixin CommonOptions common;
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
    @Mixin CommonOptions common;
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
}
