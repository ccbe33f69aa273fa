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
    try {
      Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
      Histogram sized = new Histogram(Stats.MAX_TRACKABLE_NANOS, 3);
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
