package io.signaling.node.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's metrics as Prometheus reads them: {@code /metrics} on its management port, over HTTP/1.1 (as a scraper
 * asks; the JDK client's default h2c upgrade is not), with a bounded wait per scrape. One scrape is read by
 * series: a sample line's metric name with its labels, in any label order.
 */
public final class NodeMetrics {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample line: its metric name, its labels and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  private final String text;
  private final List<Sample> samples;

  private NodeMetrics(String text) {
    this.text = text;
    this.samples = text.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> parse(l.substring(0, l.lastIndexOf(' ')).trim(), number(l.substring(l.lastIndexOf(' ') + 1))))
        .toList();
  }

  /**
   * One scrape of {@code managementBase} ({@code http://host:port}); an answer other than 200 is an
   * {@link IOException}.
   */
  public static NodeMetrics scrape(String managementBase, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(managementBase + "/metrics"))
        .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(managementBase + "/metrics answered " + r.statusCode());
    }
    return new NodeMetrics(r.body());
  }

  /** An exposition already read, e.g. {@code "signaling_draining 0.0\n"}. */
  public static NodeMetrics of(String exposition) {
    return new NodeMetrics(exposition);
  }

  /**
   * The value of metric {@code name} (its first series when it has labels) at {@code managementBase}
   * ({@code http://host:port}), or empty when the node does not export it (yet).
   */
  public static OptionalDouble first(String managementBase, String name, Duration timeout)
      throws IOException, InterruptedException {
    return scrape(managementBase, timeout).first(name);
  }

  /** The exposition text as the node served it. */
  public String text() {
    return text;
  }

  /** The value of metric {@code name}'s first series, or empty when it is not there. */
  public OptionalDouble first(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).findFirst();
  }

  /**
   * The value of one series written as exposed, {@code name} or {@code name{label="value",...}} (labels in any
   * order, all of them), or empty when it is not there.
   */
  public OptionalDouble series(String series) {
    Sample wanted = parse(series, 0);
    return samples.stream().filter(s -> s.name().equals(wanted.name()) && s.labels().equals(wanted.labels()))
        .mapToDouble(Sample::value).findFirst();
  }

  /** The value of the first series of {@code name} that has all of {@code labels} (it may have more). */
  public OptionalDouble withLabels(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value).findFirst();
  }

  /** The sum over every series of {@code name}, whatever their labels; 0 when there is none. */
  public double sum(String name) {
    return values(name).stream().mapToDouble(Sample::value).sum();
  }

  /** Every series of {@code name}, in the order exposed. */
  public List<Sample> values(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** A sample value as the text format writes it ({@code +Inf}, {@code -Inf} and {@code NaN} included). */
  private static double number(String value) {
    return switch (value) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value);
    };
  }

  private static Sample parse(String series, double value) {
    int brace = series.indexOf('{');
    if (brace < 0) {
      return new Sample(series, Map.of(), value);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    Matcher m = LABEL.matcher(series.substring(brace + 1, series.lastIndexOf('}')));
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    return new Sample(series.substring(0, brace), Map.copyOf(labels), value);
  }
}
