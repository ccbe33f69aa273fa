package io.signaling.node.support;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real coturn ({@code turnserver}, Debian's {@code coturn} package) on loopback for a test, checking TURN REST API
 * credentials ({@code use-auth-secret}) against the given secrets, relaying between loopback addresses (which coturn
 * refuses unless {@code allow-loopback-peers}) on ports 61000–61999, above the ephemeral range. Skips (fails under
 * {@code CI=true}) where coturn is not installed.
 */
public final class Coturn implements AutoCloseable {

  public static final String REALM = "signaling.test";
  private static final List<String> PATHS = List.of("/usr/bin/turnserver", "/usr/sbin/turnserver",
      "/usr/local/bin/turnserver");

  private final Process process;
  private final int port;
  private final Path log;

  private Coturn(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The turnserver binary, or null. */
  public static Path binary() {
    return PATHS.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
  }

  /** Requires coturn (see {@link Prerequisites}), starts it and waits until it answers a STUN Binding request. */
  public static Coturn start(Path dir, List<String> secrets) throws IOException, InterruptedException {
    Path binary = binary();
    Prerequisites.require(binary != null, "coturn (turnserver) is not installed (apt-get install coturn; "
        + ".ci/setup-turn.sh does it)");
    int port;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      port = probe.getLocalPort();
    }
    Files.createDirectories(dir);
    Path log = dir.resolve("coturn-" + port + ".log");
    List<String> command = new ArrayList<>(List.of(binary.toString(), "-n", "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1", "--listening-port=" + port, "--min-port=61000", "--max-port=61999",
        "--use-auth-secret", "--realm=" + REALM, "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls",
        "--no-tcp-relay", "--log-file=stdout", "--simple-log", "--no-stdout-log",
        "--pidfile=" + dir.resolve("coturn-" + port + ".pid"), "--userdb=" + dir.resolve("turndb-" + port)));
    for (String secret : secrets) {
      command.add("--static-auth-secret=" + secret);
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Coturn coturn = new Coturn(process, port, log);
    try (TurnClient probe = new TurnClient(coturn.address())) {
      Await.until(Duration.ofSeconds(20), "coturn answers a STUN Binding request on port " + port, () -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("coturn exited with " + process.exitValue() + ": " + coturn.log());
        }
        try {
          return probe.binding();
        } catch (IOException e) {
          return false;
        }
      });
    } catch (RuntimeException | Error e) {
      coturn.close();
      throw e;
    }
    return coturn;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  public int port() {
    return port;
  }

  /** coturn's log so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
