package io.signaling.node.fuzz;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of hostile text frames: random text, broken JSON, and protocol-shaped objects with wrong parts. */
final class Frames {

  private Frames() {
  }

  private static final List<String> COMMANDS = List.of("join", "takeConfiguration", "takeCandidate",
      "peerMessageCommand", "leave", "stop", "ping", "getIceServerConfig", "publish", "play", "connectWithNewId",
      "", "JOIN", "pong");

  static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> scalar = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(Frames::quote),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.doubles().map(d -> d.isNaN() || d.isInfinite() ? "0.5" : String.valueOf(d)),
        Arbitraries.of("true", "false", "null", "-0", "1e309", "\"\\ud800\"", "\"\\u0000\""));
    if (depth <= 0) {
      return scalar;
    }
    Arbitrary<String> array = jsonValue(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object = Combinators.combine(Arbitraries.strings().ofMaxLength(8), jsonValue(depth - 1))
        .as((k, v) -> quote(k) + ":" + v).list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, scalar), net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(2, object));
  }

  static Arbitrary<String> field(String name, Arbitrary<String> value) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, Arbitraries.just("")),
        net.jqwik.api.Tuple.of(4, value.map(v -> quote(name) + ":" + v)));
  }

  static Arbitrary<String> streamId() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(1).ofMaxLength(12).map(Frames::quote),
        Arbitraries.strings().ofMaxLength(140).map(Frames::quote),
        jsonValue(1));
  }

  /** A protocol-shaped object: known and unknown fields with right and wrong types, in any order. */
  static Arbitrary<String> shapedMessage() {
    Arbitrary<String> command = Arbitraries.oneOf(Arbitraries.of(COMMANDS).map(Frames::quote), jsonValue(1));
    return Combinators.combine(
            field("command", command),
            field("streamId", streamId()),
            field("mode", Arbitraries.oneOf(Arbitraries.of("\"play\"", "\"both\"", "\"play or both\""), jsonValue(1))),
            field("label", Arbitraries.oneOf(Arbitraries.integers().between(0, 3).map(String::valueOf), jsonValue(1))),
            field("id", Arbitraries.oneOf(Arbitraries.of("\"0\"", "\"audio\""), jsonValue(1))),
            field("candidate", Arbitraries.oneOf(Arbitraries.of("\"\"", "\"candidate:1 1 udp 1 127.0.0.1 9 typ host\""),
                jsonValue(1))),
            field("sdp", Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(60).map(Frames::quote), jsonValue(1))),
            field(Arbitraries.strings().ofMaxLength(6).sample(), jsonValue(2)))
        .as((a, b, c, d, e, f, g, h) -> List.of(a, b, c, d, e, f, g, h))
        .flatMap(fields -> Arbitraries.shuffle(fields))
        .map(fields -> "{" + String.join(",", fields.stream().filter(x -> !x.isEmpty()).toList()) + "}");
  }

  /** Any frame text: mostly shaped messages, some truncated or corrupted, some plain noise. */
  static Arbitrary<String> frame() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, shapedMessage()),
        net.jqwik.api.Tuple.of(2, shapedMessage().flatMap(m -> Arbitraries.integers().between(0, m.length())
            .map(cut -> m.substring(0, cut)))),
        net.jqwik.api.Tuple.of(1, jsonValue(3)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(80)));
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
