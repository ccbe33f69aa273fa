package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cost-table}: the {@code cost.json} files under the given directories side by side, one row per target, with
 * the first round against the warm figures and the ratios to the PeerJS row (when there is one).
 */
@Command(name = "cost-table", mixinStandardHelpOptions = true,
    description = "Puts the cost runs (cost.json) found under the given directories in one Markdown table, with "
        + "first-round/warm ratios and ratios to the PeerJS baseline.")
final class CostTable implements Callable<Integer> {

  @Parameters(paramLabel = "DIR", arity = "1..*", description = "Directories searched for cost.json.")
  List<Path> dirs;

  @Option(names = "--write", paramLabel = "FILE", description = "Also write the table to this file.")
  Path write;

  @Override
  public Integer call() throws IOException {
    List<JsonObject> rows = new ArrayList<>();
    for (Path dir : dirs) {
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(f -> f.getFileName().toString().equals("cost.json")).sorted().toList();
      }
      for (Path f : files) {
        rows.add(new JsonObject(Files.readString(f, StandardCharsets.UTF_8)));
      }
    }
    if (rows.isEmpty()) {
      System.err.println("no cost.json under " + dirs);
      return 1;
    }
    rows.sort(Comparator.comparingInt((JsonObject r) -> "peerjs".equals(r.getString("protocol")) ? 0 : 1)
        .thenComparingInt(r -> r.getInteger("nodes", 0)));
    String table = table(rows);
    PrintStream out = System.out;
    out.print(table);
    if (write != null) {
      Files.writeString(write, table, StandardCharsets.UTF_8);
    }
    return 0;
  }

  /** The table: one row per cost run, PeerJS (if any) as the baseline of the ratio columns. */
  static String table(List<JsonObject> rows) {
    JsonObject base = rows.stream().filter(r -> "peerjs".equals(r.getString("protocol"))).findFirst().orElse(null);
    StringBuilder b = new StringBuilder();
    b.append("| server | CPU ms per call, first round (fresh process) | CPU ms per call, warm | first / warm | "
        + "relay p99 first (ms) | relay p99 warm (ms) | first / warm | relayed msg/s warm | pairing p99 warm (ms) | "
        + "CPU µs per relayed msg, warm | KiB per idle socket |");
    if (base != null) {
      b.append(" warm CPU/call × PeerJS | msg/s × PeerJS | relay p99 × PeerJS |");
    }
    b.append('\n');
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    if (base != null) {
      b.append("---:|---:|---:|");
    }
    b.append('\n');
    for (JsonObject r : rows) {
      JsonObject first = r.getJsonObject("first", new JsonObject());
      JsonObject warm = r.getJsonObject("warm", new JsonObject());
      JsonObject idle = r.getJsonObject("idleSockets");
      String name = r.getString("label", "?") + (Boolean.TRUE.equals(r.getBoolean("crossNode")) ? " (cross-node)" : "");
      b.append("| ").append(name)
          .append(" | ").append(f(first.getDouble("cpuMsPerCall"), "%.3f"))
          .append(" | ").append(f(warm.getDouble("cpuMsPerCall"), "%.3f"))
          .append(" | ").append(ratio(first.getDouble("cpuMsPerCall"), warm.getDouble("cpuMsPerCall")))
          .append(" | ").append(f(first.getDouble("relayP99Ms"), "%.2f"))
          .append(" | ").append(f(warm.getDouble("relayP99Ms"), "%.2f"))
          .append(" | ").append(ratio(first.getDouble("relayP99Ms"), warm.getDouble("relayP99Ms")))
          .append(" | ").append(f(warm.getDouble("relayedPerSecond"), "%,.0f"))
          .append(" | ").append(f(warm.getDouble("pairingP99Ms"), "%.2f"))
          .append(" | ").append(f(warm.getDouble("cpuUsPerRelayedMessage"), "%.1f"))
          .append(" | ").append(idle == null ? "-" : f(idle.getDouble("kibPerSocket"), "%.2f"))
          .append(" |");
      if (base != null) {
        JsonObject bw = base.getJsonObject("warm", new JsonObject());
        b.append(' ').append(ratio(warm.getDouble("cpuMsPerCall"), bw.getDouble("cpuMsPerCall")))
            .append(" | ").append(ratio(warm.getDouble("relayedPerSecond"), bw.getDouble("relayedPerSecond")))
            .append(" | ").append(ratio(warm.getDouble("relayP99Ms"), bw.getDouble("relayP99Ms")))
            .append(" |");
      }
      b.append('\n');
    }
    List<Double> multi = rows.stream().filter(r -> !"peerjs".equals(r.getString("protocol"))
            && r.getInteger("nodes", 0) >= 2)
        .map(r -> r.getJsonObject("warm", new JsonObject()).getDouble("cpuMsPerCall"))
        .filter(v -> v != null && v > 0).toList();
    if (multi.size() >= 2) {
      double min = multi.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double max = multi.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      double mean = multi.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      b.append(String.format(Locale.ROOT, "%nWarm CPU per call over the rows of 2 or more nodes: %.3f to %.3f ms "
          + "(%+.0f %% / %+.0f %% of their mean %.3f ms).%n", min, max, 100 * (min / mean - 1), 100 * (max / mean - 1),
          mean));
    }
    JsonObject any = rows.get(0);
    b.append(String.format(Locale.ROOT, "%nRounds of %,d calls, %d in flight, %d candidates each way, %d-byte SDPs; "
            + "warm = %d rounds after %,d warm-up calls; CPU = utime+stime of the server processes.%n",
        any.getInteger("callsPerRound", 0), any.getInteger("inFlight", 0), any.getInteger("candidatesEachWay", 0),
        any.getInteger("sdpBytes", 0), warmRounds(any), any.getLong("warmupCalls", 0L)));
    return b.toString();
  }

  private static long warmRounds(JsonObject r) {
    return r.getJsonArray("rounds", new io.vertx.core.json.JsonArray()).stream()
        .filter(o -> o instanceof JsonObject j && "warm".equals(j.getString("kind"))).count();
  }

  static String f(Double v, String format) {
    return v == null ? "-" : String.format(Locale.ROOT, format, v);
  }

  static String ratio(Double a, Double b) {
    return a == null || b == null || b == 0 ? "-" : String.format(Locale.ROOT, "%.2f×", a / b);
  }
}
