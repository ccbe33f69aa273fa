package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One node's readings at one moment during a {@code hostile} run (-1 where unknown): its open files (from
 * {@code /proc}, when its pid is known) and its connection-layer metrics (from its management port).
 */
record HostileReading(long files, double tcp, double pending, double websockets, double refusedAddress,
    double refusedHandshakes, double timeoutsHandshake, double timeoutsKeepalive) {

  static final HostileReading UNKNOWN = new HostileReading(-1, -1, -1, -1, -1, -1, -1, -1);

  JsonObject toJson() {
    return new JsonObject().put("openFiles", files).put("tcpConnections", tcp).put("handshakesPending", pending)
        .put("webSockets", websockets).put("refusedAddress", refusedAddress)
        .put("refusedHandshakes", refusedHandshakes).put("timeoutsHandshake", timeoutsHandshake)
        .put("timeoutsKeepalive", timeoutsKeepalive);
  }

  /** Reads the node of process {@code pid} (0: unknown) whose management port is {@code managementBase} (or null). */
  static HostileReading take(long pid, String managementBase) {
    long files = pid > 0 ? openFiles(pid) : -1;
    if (managementBase == null) {
      return new HostileReading(files, -1, -1, -1, -1, -1, -1, -1);
    }
    try {
      String m = NodeProbe.get(managementBase + "/metrics");
      return new HostileReading(files, NodeProbe.value(m, "signaling_tcp_connections"),
          NodeProbe.value(m, "signaling_handshakes_pending"), NodeProbe.value(m, "signaling_connections"),
          NodeProbe.labelled(m, "signaling_connections_refused_total", "reason", "address"),
          NodeProbe.labelled(m, "signaling_connections_refused_total", "reason", "handshakes"),
          NodeProbe.labelled(m, "signaling_connection_timeouts_total", "deadline", "handshake"),
          NodeProbe.labelled(m, "signaling_connection_timeouts_total", "deadline", "keepalive"));
    } catch (IOException e) {
      return new HostileReading(files, -1, -1, -1, -1, -1, -1, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HostileReading(files, -1, -1, -1, -1, -1, -1, -1);
    }
  }

  /** The number of open files of a process on this machine, or -1 when it cannot be read. */
  static long openFiles(long pid) {
    try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return files.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** A counter's growth from {@code before} to {@code after}, -1 when either is unknown. */
  static double delta(double before, double after) {
    return before < 0 || after < 0 ? -1 : after - before;
  }

  /** The readings of every node, for the console. */
  static String describe(List<HostileReading> readings) {
    List<String> parts = new ArrayList<>();
    for (HostileReading r : readings) {
      parts.add(String.format(Locale.ROOT, "files %s tcp %s pending %s refused %s timeouts %s",
          r.files() < 0 ? "?" : String.format(Locale.ROOT, "%,d", r.files()), num(r.tcp()), num(r.pending()),
          num(r.refusedAddress() < 0 ? -1 : r.refusedAddress() + Math.max(0, r.refusedHandshakes())),
          num(r.timeoutsHandshake())));
    }
    return String.join(" ; ", parts);
  }

  private static String num(double v) {
    return v < 0 ? "?" : String.format(Locale.ROOT, "%,.0f", v);
  }

  /** Each node's highest open files, TCP connections and pending handshakes over a run's readings. */
  static final class Peaks {

    final long[] files;
    final double[] tcp;
    final double[] pending;

    Peaks(List<HostileReading> first) {
      int n = first.size();
      files = new long[n];
      tcp = new double[n];
      pending = new double[n];
      for (int i = 0; i < n; i++) {
        files[i] = first.get(i).files();
        tcp[i] = first.get(i).tcp();
        pending[i] = first.get(i).pending();
      }
    }

    void update(List<HostileReading> now) {
      for (int i = 0; i < files.length; i++) {
        files[i] = Math.max(files[i], now.get(i).files());
        tcp[i] = Math.max(tcp[i], now.get(i).tcp());
        pending[i] = Math.max(pending[i], now.get(i).pending());
      }
    }
  }
}
