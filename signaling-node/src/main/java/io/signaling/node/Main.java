package io.signaling.node;

import io.signaling.cluster.config.ClusterFactory;
import io.signaling.config.ConfigException;
import io.signaling.config.SettingsSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Reads like the script it is: settings, log them, shutdown hook, start; or exit 1 with the reason. */
public final class Main {

  static {
    ClusterFactory.ensureAsyncParallelism();
  }

  private Main() {
  }

  public static void main(String[] args) {
    if (SettingsSource.wantsHelp(args)) {
      SettingsSource.commandLine("signaling-node", NodeSettings.ALL).usage(System.out);
      return;
    }
    NodeSettings settings;
    SettingsSource source;
    try {
      source = SettingsSource.fromEnvAndArgs(System.getenv(), args, NodeSettings.ALL);
      settings = NodeSettings.from(source);
    } catch (ConfigException e) {
      System.err.println("signaling-node: configuration error: " + e.getMessage());
      System.exit(1);
      return;
    }
    // the logging configuration reads these; set them before the first logger exists
    System.setProperty(NodeSettings.LOG_FORMAT.env(), source.get(NodeSettings.LOG_FORMAT));
    System.setProperty(NodeSettings.LOG_LEVEL.env(), source.get(NodeSettings.LOG_LEVEL));
    Logger log = LoggerFactory.getLogger(Main.class);
    log.info("Starting signaling node with {}", String.join(" ", source.describe(NodeSettings.ALL)));

    SignalingNode node;
    try {
      node = SignalingNode.start(settings).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.error("Node failed to start: {}", cause.toString(), cause);
      System.exit(1);
      return;
    }
    // SIGTERM / SIGINT: the first drains (calls in progress go on until they end or the drain deadline
    // passes), the second ends the calls still held at once; the process exits when the node has stopped,
    // with the status a JVM killed by that signal reports (128 + signal number)
    AtomicInteger signals = new AtomicInteger();
    SignalHandler onSignal = signal -> {
      if (signals.incrementAndGet() == 1) {
        log.info("[node: {}] SIG{}: draining; send it again to end the calls still in progress", node.nodeId(),
            signal.getName());
        node.shutdown().onComplete(ar -> System.exit(128 + signal.getNumber()));
      } else {
        log.warn("[node: {}] SIG{} again: ending the calls still in progress", node.nodeId(), signal.getName());
        node.shutdown();
      }
    };
    Signal.handle(new Signal("TERM"), onSignal);
    Signal.handle(new Signal("INT"), onSignal);
  }
}
