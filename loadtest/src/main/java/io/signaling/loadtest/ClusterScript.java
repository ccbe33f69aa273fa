package io.signaling.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local cluster script ({@code local-cluster.sh}) as a run's scale events use it: {@code add} (one more node,
 * its URL printed) and {@code drain --port P --wait S}, each bounded by its own timeout and cut off when the run
 * stops. A script cut off is stopped with every process it started except its nodes (the wait for readiness, the
 * progress watcher).
 *
 * <p>It remembers the nodes its {@code add}s launched (the {@code node-K.pid} files that appeared while one ran:
 * the script writes them as it launches a node, before the node is ready), and {@link #stopLaunched} stops every
 * one of them still running when the run ends, as {@code local-cluster.sh stop} does: a drain
 * ({@link #STOP_DRAIN_SECONDS} for its calls to end), then a second SIGTERM (which ends them), then SIGKILL
 * after {@link #STOP_KILL_SECONDS}. So a run leaves the cluster as it found it, whether a node it started was not
 * drained by an event, its drain timed out, its {@code add} failed, or the run stopped while it was being added.
 */
final class ClusterScript {

  /** What a run of the script gave: its exit status (-1: it did not finish) and its output. */
  record Outcome(int status, String output) {

    String lastLine() {
      List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
    }

    String summary() {
      return "status " + status + ": " + lastLine();
    }
  }

  /** How long a node left running at the end of a run may drain before its calls are ended (as the script's stop). */
  static final int STOP_DRAIN_SECONDS = 10;
  /** How long after the second SIGTERM a node left running is killed (as the script's stop). */
  static final int STOP_KILL_SECONDS = 30;

  private static final long POLL_MILLIS = 250;
  private static final Pattern PID_FILE = Pattern.compile("node-(\\d+)\\.pid");

  private final Path script;
  private final Path dir;
  private final PrintStream console;
  /** The numbers K of the nodes this script's adds launched. */
  private final Set<Integer> launched = ConcurrentHashMap.newKeySet();

  ClusterScript(Path script, Path dir, PrintStream console) {
    this.script = script;
    this.dir = dir;
    this.console = console;
  }

  Path dir() {
    return dir;
  }

  /**
   * {@code add}: one more node; its URL is the output's last line. Cut off when {@code stop} says so, or after
   * {@code timeoutSeconds}; {@code whileWaiting} runs every {@value #POLL_MILLIS} ms meanwhile.
   */
  Outcome add(int timeoutSeconds, BooleanSupplier stop, Runnable whileWaiting) throws InterruptedException {
    Set<Integer> before = nodes();
    try {
      return exec(timeoutSeconds, stop, whileWaiting, before, "add", "--dir", dir.toString());
    } finally {
      Set<Integer> added = nodes();
      added.removeAll(before);
      launched.addAll(added);
    }
  }

  /** {@code drain}: SIGTERM to the node serving {@code port}, then waits up to {@code waitSeconds} for its exit. */
  Outcome drain(int port, int waitSeconds, int timeoutSeconds, BooleanSupplier stop, Runnable whileWaiting)
      throws InterruptedException {
    return exec(timeoutSeconds, stop, whileWaiting, null, "drain", "--dir", dir.toString(), "--port",
        Integer.toString(port), "--wait", Integer.toString(waitSeconds));
  }

  /** Stops every node this script's adds launched that is still running (see the class comment); newest first. */
  void stopLaunched() throws InterruptedException {
    List<Integer> nodes = new ArrayList<>(launched);
    nodes.sort(Comparator.reverseOrder());
    for (int k : nodes) {
      Optional<ProcessHandle> node = pidOf(k).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
      if (node.isEmpty()) {
        continue;
      }
      long pid = node.get().pid();
      console.printf(Locale.ROOT, "scale: node %d (pid %d), started by this run, is still running: stopping it%n", k,
          pid);
      Optional<String> port = read(dir.resolve("node-" + k + ".port"));
      if (port.isPresent()) {
        Outcome o = exec(STOP_DRAIN_SECONDS + 30, () -> false, () -> { }, null, "drain", "--dir", dir.toString(),
            "--port", port.get(), "--wait", Integer.toString(STOP_DRAIN_SECONDS));
        if (o.status() == 0) {
          launched.remove(k);
          continue;
        }
      }
      node.get().destroy(); // a draining node ends its calls on a second SIGTERM, then exits
      if (!exited(node.get(), STOP_KILL_SECONDS)) {
        node.get().destroyForcibly();
        exited(node.get(), 10);
      }
      for (String suffix : List.of(".pid", ".port", ".mport")) {
        try {
          Files.deleteIfExists(dir.resolve("node-" + k + suffix));
        } catch (IOException e) {
          // a stale file of a node that is gone: the script's stop and urls skip it
        }
      }
      launched.remove(k);
    }
  }

  private static boolean exited(ProcessHandle p, int seconds) throws InterruptedException {
    try {
      p.onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return !p.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !p.isAlive();
    }
  }

  /** The numbers K of the script's nodes that have a pid file now. */
  private Set<Integer> nodes() {
    Set<Integer> nodes = new HashSet<>();
    try (var files = Files.list(dir)) {
      files.forEach(f -> {
        Matcher m = PID_FILE.matcher(f.getFileName().toString());
        if (m.matches()) {
          nodes.add(Integer.parseInt(m.group(1)));
        }
      });
    } catch (IOException e) {
      // no cluster directory (yet): no nodes
    }
    return nodes;
  }

  private Optional<Long> pidOf(int k) {
    try {
      return read(dir.resolve("node-" + k + ".pid")).map(Long::parseLong);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> read(Path file) {
    try {
      String s = Files.readString(file).trim();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Runs the script with {@code args}; one cut off is stopped with what it started, except the nodes that
   * appeared since {@code nodesBefore} (null: it launches none).
   */
  private Outcome exec(int timeoutSeconds, BooleanSupplier stop, Runnable whileWaiting, Set<Integer> nodesBefore,
      String... args) throws InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    Path log = null;
    try {
      log = Files.createTempFile("scale-event", ".log");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      boolean exited = false;
      try {
        while (!stop.getAsBoolean() && !(exited = p.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS))
            && System.nanoTime() - deadline < 0) {
          whileWaiting.run();
        }
      } finally {
        if (!exited) {
          cutOff(p, nodesBefore);
        }
      }
      if (!exited) {
        return new Outcome(-1, stop.getAsBoolean() ? "cut off: the run was stopped before it finished"
            : "did not finish in " + timeoutSeconds + " s");
      }
      return new Outcome(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Outcome(-1, e.toString());
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException e) {
          // a temporary file left behind
        }
      }
    }
  }

  /**
   * Stops a script that did not finish, and every process it started but the nodes it launched (they are
   * {@link #stopLaunched stopped} when the run ends): the script first, so that it starts nothing more.
   */
  private void cutOff(Process p, Set<Integer> nodesBefore) throws InterruptedException {
    List<ProcessHandle> started = p.descendants().toList();
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
    Set<Long> nodePids = new HashSet<>();
    if (nodesBefore != null) {
      Set<Integer> added = nodes();
      added.removeAll(nodesBefore);
      added.forEach(k -> pidOf(k).ifPresent(nodePids::add));
    }
    for (ProcessHandle h : started) {
      if (!nodePids.contains(h.pid())) {
        h.destroyForcibly();
      }
    }
  }
}
