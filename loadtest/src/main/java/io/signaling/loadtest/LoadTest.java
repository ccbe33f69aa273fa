package io.signaling.loadtest;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * The load harness's command line: its scenarios ({@link ScenarioCommands}, {@link ScaleCommand}, ...), with
 * the options they share ({@link CommonOptions}). Exit codes: 0 the run passed, 1 the run had errors or lost
 * messages (unless {@code --allow-errors}), 2 invalid parameters.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, version = "loadtest 0.1.0",
    description = "Drives the signaling protocol against the node URLs given (and only those) and reports "
        + "latencies from HdrHistograms measured from intended send times.",
    subcommands = {ScenarioCommands.Pairs.class, ScenarioCommands.Churn.class, ScenarioCommands.Soak.class,
        ScenarioCommands.Throughput.class, ScaleCommand.class, CostCommand.class, WebhookSink.class, CostTable.class,
        ConnectionsCommand.class, HostileCommand.class, BaselineRelay.class, AwaitNodes.class, Summarize.class,
        WorkerCommand.class},
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
}
