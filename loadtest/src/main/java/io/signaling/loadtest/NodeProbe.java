package io.signaling.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reads a node's state from its {@code /metrics} (Prometheus text) and {@code /health/ready}, on its management
 * port; for a node process
 * on this machine (its pid given) also forces a full GC with {@code jcmd} and reads its resident set size from
 * {@code /proc}, so memory figures are live data rather than garbage.
 */
final class NodeProbe {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private NodeProbe() {
  }

  /** A node's memory and connections at one moment (bytes; -1 when unknown). */
  record Memory(long heapUsed, long heapMax, long directUsed, long rss, long connections) {

    /** @param managementBase where the node serves /metrics: {@code http://host:managementPort} */
    static Memory read(String managementBase, long pid) throws IOException, InterruptedException {
      if (pid > 0) {
        gc(pid);
      }
      String metrics = get(managementBase + "/metrics");
      long rss = pid > 0 ? rssOf(pid) : (long) value(metrics, "signaling_process_resident_memory_bytes");
      return new Memory((long) value(metrics, "signaling_jvm_heap_used_bytes"),
          (long) value(metrics, "signaling_jvm_heap_max_bytes"),
          (long) value(metrics, "signaling_direct_memory_used_bytes"), rss,
          (long) value(metrics, "signaling_connections"));
    }
  }

  static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " answered " + r.statusCode());
    }
    return r.body();
  }

  /** The sum of the samples of a metric (all label sets), or -1 when the metric is absent. */
  static double value(String prometheusText, String metric) {
    double sum = 0;
    boolean found = false;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(metric)) {
        continue;
      }
      int end = metric.length();
      if (line.length() > end && line.charAt(end) != ' ' && line.charAt(end) != '{') {
        continue;
      }
      String number = line.substring(line.lastIndexOf(' ') + 1);
      try {
        double v = Double.parseDouble(number);
        if (!Double.isNaN(v)) {
          sum += v;
          found = true;
        }
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return found ? sum : -1;
  }

  /**
   * The sum of the samples of a metric whose label {@code label} is {@code value}, 0 when the metric is present
   * without that label value (a counter not yet incremented may be absent), or -1 when the metric is absent.
   */
  static double labelled(String prometheusText, String metric, String label, String value) {
    String wanted = label + "=\"" + value + "\"";
    double sum = 0;
    boolean present = false;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith("# TYPE " + metric + " ") || line.startsWith("# TYPE " + metric.replaceAll("_total$", "") + " ")) {
        present = true;
        continue;
      }
      if (line.startsWith("#") || !line.startsWith(metric + "{")) {
        continue;
      }
      present = true;
      int close = line.indexOf('}');
      if (close < 0 || !line.substring(metric.length() + 1, close).matches("(.*,)?" + java.util.regex.Pattern.quote(wanted)
          + "(,.*)?")) {
        continue;
      }
      try {
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (!Double.isNaN(v)) {
          sum += v;
        }
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return present ? sum : -1;
  }

  static void gc(long pid) throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    for (int i = 0; i < 2; i++) {
      Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("jcmd " + pid + " GC.run did not finish");
      }
    }
  }

  static long rssOf(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
