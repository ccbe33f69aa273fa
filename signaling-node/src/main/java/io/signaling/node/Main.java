package io.signaling.node;

import io.signaling.cluster.config.ClusterFactory;
import io.signaling.config.SettingsSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Reads like the script it is: settings (or exit 1 with the reason in one line), log them, stop signals handled from
 * here on, start; a start that fails exits 1 with its cause in one line.
 */
public final class Main {

  static {
    ClusterFactory.ensureAsyncParallelism();
  }

  /** The exit status of a node that could not start, or was started with settings it cannot use. */
  static final int FAILED = 1;

  private Main() {
  }

  /**
   * What the command line and the environment ask for: a node with these settings, or an exit with this status
   * (after {@code --help}, {@code --version}, or a setting with an invalid value).
   */
  record Invocation(NodeSettings settings, SettingsSource source, int exitStatus) {
    boolean startsNode() {
      return settings != null;
    }
  }

  public static void main(String[] args) {
    Invocation invocation = configure(System.getenv(), args, System.out, System.err);
    if (!invocation.startsNode()) {
      System.exit(invocation.exitStatus());
      return;
    }
    SettingsSource source = invocation.source();
    // the logging configuration reads these; set them before the first logger exists
    System.setProperty(NodeSettings.LOG_FORMAT.env(), source.get(NodeSettings.LOG_FORMAT));
    System.setProperty(NodeSettings.LOG_LEVEL.env(), source.get(NodeSettings.LOG_LEVEL));
    Logger log = LoggerFactory.getLogger(Main.class);
    log.info("Starting signaling node {} with {}", version(), settingsLine(source.describeChanged(NodeSettings.ALL)));
    if (log.isDebugEnabled()) {
      log.debug("Every setting: {}", String.join(" ", source.describe(NodeSettings.ALL)));
    }
    Lifecycle lifecycle = new Lifecycle();
    AtomicInteger stopSignal = handleStopSignals(lifecycle, log);
    try {
      SignalingNode.start(invocation.settings(), new io.signaling.node.ops.MicrometerSignalingMetrics(), lifecycle)
          .toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (lifecycle.stopRequested()) {
        // a stop signal came during the start-up: exit as the signal's handler does once that is undone
        lifecycle.stopped().toCompletionStage().toCompletableFuture().join();
        System.exit(128 + stopSignal.get());
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.error("signaling-node: cannot start: {}", cause instanceof StartupException ? cause.getMessage()
          : SignalingNode.reason(cause));
      log.debug("Start-up failure", cause);
      System.exit(FAILED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(FAILED);
    }
  }

  /**
   * SIGTERM / SIGINT, from the first second: the first drains (calls in progress go on until they end or the drain
   * deadline passes; during the start-up, a node that does not serve yet leaves the cluster, one that warms up
   * drains), the second ends the calls still held at once; the process exits when the node has stopped, with the
   * status a JVM killed by that signal reports (128 + signal number). Returns the number of the first signal (0 until
   * then).
   */
  private static AtomicInteger handleStopSignals(Lifecycle lifecycle, Logger log) {
    AtomicInteger signals = new AtomicInteger();
    AtomicInteger first = new AtomicInteger();
    SignalHandler onSignal = signal -> {
      if (signals.incrementAndGet() == 1) {
        first.set(signal.getNumber());
        log.info("SIG{}: stopping (a drain when the node serves); send it again to end the calls still in progress",
            signal.getName());
        lifecycle.stop().onComplete(ar -> System.exit(128 + signal.getNumber()));
      } else {
        log.warn("SIG{} again: ending the calls still in progress", signal.getName());
        lifecycle.stop();
      }
    };
    Signal.handle(new Signal("TERM"), onSignal);
    Signal.handle(new Signal("INT"), onSignal);
    return first;
  }

  /**
   * Reads the settings; prints help, the version, or the reason a setting is invalid (one line on {@code err}, no
   * stack trace) and says which exit status to end with, or hands back the settings to start a node with.
   */
  static Invocation configure(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
    if (SettingsSource.wantsHelp(args)) {
      SettingsSource.commandLine("signaling-node", NodeSettings.ALL).usage(out);
      return new Invocation(null, null, 0);
    }
    if (wantsVersion(args)) {
      out.println("signaling-node " + version());
      return new Invocation(null, null, 0);
    }
    try {
      SettingsSource source = SettingsSource.fromEnvAndArgs(env, args, NodeSettings.ALL);
      NodeSettings settings = NodeSettings.from(source);
      // read by the logging configuration, not by NodeSettings: checked here all the same
      source.get(NodeSettings.LOG_FORMAT);
      source.get(NodeSettings.LOG_LEVEL);
      return new Invocation(settings, source, 0);
    } catch (RuntimeException e) {
      // ConfigException names the setting and what it accepts; anything else is reported the same way
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      err.println("signaling-node: configuration error: " + message.replace('\n', ' '));
      return new Invocation(null, null, FAILED);
    }
  }

  private static boolean wantsVersion(String[] args) {
    for (String a : args) {
      if (a.equals("--version") || a.equals("-V")) {
        return true;
      }
    }
    return false;
  }

  /** The version this node was built as (the Maven project version). */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  private static String settingsLine(java.util.List<String> changed) {
    return changed.isEmpty() ? "the default settings" : "settings other than the defaults: " + String.join(" ", changed);
  }
}
