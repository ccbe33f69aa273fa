package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code summarize}: reads every {@code result.json} under a suite directory (one sub-directory per run, named
 * {@code <setup>-<scenario>}, e.g. {@code 2-nodes-throughput} or {@code baseline-throughput}) and writes a
 * Markdown table, with the relay capacity of each setup as a percentage of one node and of the baseline.
 */
@Command(name = "summarize", mixinStandardHelpOptions = true,
    description = "Summarize a benchmark suite's results as a Markdown table.")
final class Summarize implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "The suite's result directory.")
  Path dir;

  @Option(names = "--write", description = "Also write the table to DIR/SUMMARY.md.")
  boolean write;

  @Override
  public Integer call() throws Exception {
    List<Path> results;
    try (Stream<Path> files = Files.walk(dir, 2)) {
      results = files.filter(p -> p.getFileName().toString().equals("result.json")).sorted().toList();
    }
    Double oneNode = null;
    Double baseline = null;
    List<JsonObject> runs = new ArrayList<>();
    for (Path p : results) {
      JsonObject r = new JsonObject(Files.readString(p)).put("run", p.getParent().getFileName().toString());
      runs.add(r);
      if (r.getString("scenario").equals("throughput")) {
        double achieved = r.getJsonObject("rate").getDouble("achieved");
        if (r.getString("run").startsWith("1-node")) {
          oneNode = achieved;
        } else if (r.getString("run").startsWith("baseline")) {
          baseline = achieved;
        }
      }
    }
    StringBuilder b = new StringBuilder();
    b.append("| run | achieved (target) /s | p50 ms | p99 ms | p99.9 ms | errors | lost | note |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (JsonObject r : runs) {
      String scenario = r.getString("scenario");
      if (scenario.equals("connections")) {
        JsonObject m = r.getJsonObject("memory");
        b.append(String.format(Locale.ROOT, "| %s | %,d sockets open | — | connect p99 %.1f | — | %d failed | — | "
                + "heap+direct %,d B/conn, RSS %,d B/conn, heap max %,d MiB |%n", r.getString("run"), r.getInteger("opened"),
            r.getJsonObject("latencyMs").getJsonObject("connect").getDouble("p99"), r.getInteger("failed"),
            m.getLong("heapPlusDirectPerConnectionBytes"), m.getLong("rssGrowthPerConnectionBytes"),
            m.getLong("nodeHeapMaxBytes") / (1024 * 1024)));
        continue;
      }
      String key = switch (scenario) {
        case "pairs", "churn" -> "pairing";
        default -> "relay.takeCandidate";
      };
      JsonObject lat = r.getJsonObject("latencyMs").getJsonObject(key, new JsonObject());
      JsonObject rate = r.getJsonObject("rate");
      double achieved = rate.getDouble("achieved");
      String note = key;
      if (scenario.equals("throughput")) {
        note = "relayed/s";
        if (oneNode != null && !r.getString("run").startsWith("1-node")) {
          note += String.format(Locale.ROOT, "; %.0f%% of 1 node", 100 * achieved / oneNode);
        }
        if (baseline != null && !r.getString("run").startsWith("baseline")) {
          note += String.format(Locale.ROOT, "; %.0f%% of baseline", 100 * achieved / baseline);
        }
      } else if (scenario.equals("churn")) {
        note += "; setup p99 " + r.getJsonObject("latencyMs").getJsonObject("setup", new JsonObject()).getValue("p99") + " ms";
      }
      if (scenario.equals("pairs")) {
        note += "; relay p99 " + r.getJsonObject("latencyMs").getJsonObject("relay.takeCandidate", new JsonObject())
            .getValue("p99", "—") + " ms";
      }
      JsonObject generator = r.getJsonObject("generator");
      if (generator != null) {
        note += "; send lag p99 " + generator.getJsonObject("sendLagMs").getValue("p99") + " ms";
      }
      JsonObject workers = r.getJsonObject("workers");
      if (workers != null) {
        double worst = 0;
        for (int i = 0; i < workers.getJsonArray("perWorker").size(); i++) {
          worst = Math.max(worst, workers.getJsonArray("perWorker").getJsonObject(i).getJsonObject("sendLagMs")
              .getDouble("p99"));
        }
        note += String.format(Locale.ROOT, "; %d worker(s), worst worker's send lag p99 %.1f ms",
            workers.getInteger("count"), worst);
      }
      long errors = 0;
      for (String k : r.getJsonObject("errors").fieldNames()) {
        errors += r.getJsonObject("errors").getLong(k);
      }
      b.append(String.format(Locale.ROOT, "| %s | %,.0f (%s) | %s | %s | %s | %d | %d | %s |%n", r.getString("run"),
          achieved, rate.getDouble("target") > 0 ? String.format(Locale.ROOT, "%,.0f", rate.getDouble("target")) : "max",
          lat.getValue("p50", "—"), lat.getValue("p99", "—"), lat.getValue("p999", "—"), errors,
          r.getLong("lostMessages"), note));
    }
    System.out.print(b);
    if (write) {
      Files.writeString(dir.resolve("SUMMARY.md"), b.toString());
    }
    return 0;
  }
}
