package io.signaling.loadtest;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * How a worker's figures travel to its coordinator: histograms in HdrHistogram's compressed encoding (lossless,
 * base64 in JSON), counters as numbers. The coordinator adds the decoded histograms up ({@link Histogram#add}),
 * so the merged percentiles are those of every sample of every worker, never an average of percentiles.
 */
final class Shipment {

  private Shipment() {
  }

  static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    byte[] bytes = new byte[length];
    buffer.flip();
    buffer.get(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  static Histogram decode(String encoded) {
    return decode(encoded, 1);
  }

  /** Decodes into a histogram whose lowest discernible value is {@code lowest} (that of the one encoded). */
  static Histogram decode(String encoded, long lowest) {
    try {
      Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
      Histogram sized = new Histogram(lowest, Stats.MAX_TRACKABLE_NANOS, 3);
      sized.add(h);
      return sized;
    } catch (DataFormatException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an encoded histogram: " + e.getMessage(), e);
    }
  }

  static JsonObject encodeAll(Map<String, Histogram> histograms) {
    JsonObject out = new JsonObject();
    histograms.forEach((name, h) -> out.put(name, encode(h)));
    return out;
  }

  static Map<String, Histogram> decodeAll(JsonObject encoded) {
    Map<String, Histogram> out = new TreeMap<>();
    if (encoded != null) {
      for (String name : encoded.fieldNames()) {
        out.put(name, decode(encoded.getString(name)));
      }
    }
    return out;
  }

  /** A worker's phases (see {@link Phases}): each one's name, and its histograms, counters and errors. */
  static io.vertx.core.json.JsonArray encodePhases(java.util.List<Phases.Summary> phases) {
    io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
    for (Phases.Summary p : phases) {
      out.add(new JsonObject().put("name", p.name()).put("histograms", encodeAll(p.latencies()))
          .put("counters", new JsonObject(new java.util.LinkedHashMap<>(p.counters())))
          .put("errors", new JsonObject(new java.util.LinkedHashMap<>(p.errors()))));
    }
    return out;
  }

  /**
   * Adds the workers' phases to the coordinator's own ({@code phases}: its timeline, with what it counted
   * itself), phase by phase in order, histograms added up ({@link Histogram#add}) and counters summed. A
   * worker's phase that the coordinator does not have under the same name at the same place is refused.
   */
  static java.util.List<Phases.Summary> addPhases(java.util.List<Phases.Summary> phases,
      java.util.List<io.vertx.core.json.JsonArray> workers) {
    java.util.List<Phases.Summary> out = new java.util.ArrayList<>();
    for (int i = 0; i < phases.size(); i++) {
      Phases.Summary p = phases.get(i);
      Map<String, Histogram> latencies = new TreeMap<>();
      Map<String, Long> counters = new TreeMap<>(p.counters());
      Map<String, Long> errors = new TreeMap<>(p.errors());
      p.latencies().forEach((k, h) -> latencies.computeIfAbsent(k, x -> phaseHistogram()).add(h));
      for (io.vertx.core.json.JsonArray w : workers) {
        if (w == null || i >= w.size()) {
          continue;
        }
        JsonObject theirs = w.getJsonObject(i);
        if (!p.name().equals(theirs.getString("name"))) {
          throw new IllegalArgumentException("a worker's phase " + i + " is '" + theirs.getString("name")
              + "', the coordinator's '" + p.name() + "'");
        }
        JsonObject encoded = theirs.getJsonObject("histograms");
        if (encoded != null) {
          for (String name : encoded.fieldNames()) {
            latencies.computeIfAbsent(name, x -> phaseHistogram()).add(decode(encoded.getString(name), Phases.LOWEST_NANOS));
          }
        }
        addLongs(counters, longs(theirs.getJsonObject("counters")));
        addLongs(errors, longs(theirs.getJsonObject("errors")));
      }
      out.add(new Phases.Summary(p.name(), p.kind(), p.fromSeconds(), p.toSeconds(), new java.util.LinkedHashMap<>(latencies),
          counters, errors));
    }
    return out;
  }

  private static Histogram phaseHistogram() {
    return new Histogram(Phases.LOWEST_NANOS, Stats.MAX_TRACKABLE_NANOS, 3);
  }

  static Map<String, Long> longs(JsonObject o) {
    Map<String, Long> out = new TreeMap<>();
    if (o != null) {
      for (String k : o.fieldNames()) {
        out.put(k, o.getLong(k));
      }
    }
    return out;
  }

  /** Adds {@code add} into {@code into}, key by key. */
  static void addLongs(Map<String, Long> into, Map<String, Long> add) {
    add.forEach((k, v) -> into.merge(k, v, Long::sum));
  }

  /** Adds each histogram of {@code add} into the one of the same name in {@code into}. */
  static void addHistograms(Map<String, Histogram> into, Map<String, Histogram> add) {
    add.forEach((k, v) -> into.computeIfAbsent(k, x -> new Histogram(Stats.MAX_TRACKABLE_NANOS, 3)).add(v));
  }
}
