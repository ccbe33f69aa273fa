package io.signaling.loadtest;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code worker}: one worker of a distributed run. Registers with the coordinator, which answers with its index
 * and the scenario to run, runs its share of that scenario (starting when the coordinator says so) and ships
 * its figures back. Exit status 0 once its figures were delivered (whether the run passed is the coordinator's
 * verdict), 1 when the coordinator could not be reached or called the run off.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run as one worker of a distributed run (see --workers on the scenarios).")
final class WorkerCommand implements Callable<Integer> {

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--coordinator", required = true, paramLabel = "URL",
      description = "The coordinator, e.g. http://signaling-loadtest-coordinator:7070.")
  String coordinator;

  @Option(names = "--index", defaultValue = "${env:JOB_COMPLETION_INDEX:--1}", paramLabel = "N",
      description = "The index to ask for (default: a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, else any free one).")
  int index;

  @Option(names = "--connect-timeout", defaultValue = "300", paramLabel = "SECONDS",
      description = "How long to keep trying to reach the coordinator (default ${DEFAULT-VALUE}).")
  int connectTimeout;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    URI uri;
    try {
      uri = URI.create(coordinator.endsWith("/") ? coordinator : coordinator + "/");
      if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http:// URL");
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--coordinator: " + e.getMessage());
    }
    int timeout = Params.range(spec, "--connect-timeout", connectTimeout, 1, 86_400, console);
    try (WorkerLink link = new WorkerLink(uri)) {
      WorkerLink.Assignment a;
      try {
        a = link.register(index, timeout * 1000L);
      } catch (java.io.IOException e) {
        console.println("FAILED: " + e.getMessage());
        return 1;
      }
      console.printf("worker %d of %d: %s%n", a.index(), a.count(), String.join(" ", a.args()));
      List<String> args = new ArrayList<>(a.args());
      args.addAll(List.of("--worker-link", uri.toString(), "--worker-index", Integer.toString(a.index()),
          "--worker-count", Integer.toString(a.count())));
      try {
        return LoadTest.execute(console, args.toArray(String[]::new));
      } catch (IllegalStateException e) {
        console.println("FAILED: " + e.getMessage());
        return 1;
      }
    }
  }
}
