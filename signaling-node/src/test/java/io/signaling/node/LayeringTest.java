package io.signaling.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every package of the node and what it may not import: the protocol and room layers stay pure Java; only
 * {@code cluster} touches Hazelcast; only {@code transport} and {@code ops} serve HTTP ({@code warmup} is a client of
 * the node's own endpoint). A new package needs a
 * rule here, or this test fails.
 */
class LayeringTest {

  private static final Path ROOT = Path.of("src/main/java/io/signaling/node");
  private static final List<String> HAZELCAST = List.of("import com.hazelcast", "import io.vertx.spi.cluster.hazelcast");
  private static final List<String> HTTP = List.of("import io.vertx.core.http", "import io.vertx.ext.web");
  private static final List<String> FRAMEWORKS = List.of("import io.vertx", "import com.hazelcast", "import io.netty",
      "import io.signaling.node.cluster", "import io.signaling.node.transport", "import io.signaling.node.signal",
      "import io.signaling.node.ops");

  /** Package (relative to io.signaling.node; "" for the root) → import prefixes it must not use. */
  private static final Map<String, List<String>> FORBIDDEN = Map.of(
      "protocol", FRAMEWORKS,
      "room", FRAMEWORKS,
      "signal", concat(HAZELCAST, HTTP, List.of("import io.netty", "import io.signaling.node.transport")),
      "cluster", concat(HTTP, List.of("import io.signaling.node.transport", "import io.signaling.node.signal")),
      "transport", HAZELCAST,
      "ops", concat(HAZELCAST, List.of("import io.signaling.node.transport", "import io.signaling.node.signal")),
      "security", concat(HAZELCAST, HTTP),
      // the application backend's Vert.x side (webhook client, admin routes): the cluster is behind AdminRooms
      "backend", concat(HAZELCAST, List.of("import io.signaling.node.transport", "import io.signaling.node.signal",
          "import io.signaling.node.cluster")),
      // a client of the node's own endpoint and of the event bus: no server, no Hazelcast, no internals
      "warmup", concat(HAZELCAST, List.of("import io.vertx.ext.web", "import io.signaling.node.transport",
          "import io.signaling.node.cluster", "import io.signaling.node.ops")),
      "", HAZELCAST);

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    return Stream.of(lists).flatMap(List::stream).toList();
  }

  static Stream<String> packages() {
    return FORBIDDEN.keySet().stream().sorted();
  }

  @Test
  void everyPackage_hasARule() throws IOException {
    Set<String> found = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files.filter(f -> f.toString().endsWith(".java"))
          .forEach(f -> found.add(ROOT.relativize(f.getParent() == null ? ROOT : f.getParent()).toString()));
    }
    assertThat(found).isEqualTo(new TreeSet<>(FORBIDDEN.keySet()));
  }

  @ParameterizedTest
  @MethodSource("packages")
  void aPackage_importsNothingItsLayerMayNot(String pkg) throws IOException {
    Path dir = pkg.isEmpty() ? ROOT : ROOT.resolve(pkg);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sources = files.filter(f -> f.toString().endsWith(".java")).toList();
      assertThat(sources).isNotEmpty();
      for (Path source : sources) {
        for (String line : Files.readAllLines(source)) {
          assertThat(FORBIDDEN.get(pkg)).as(source + ": " + line).noneMatch(line::startsWith);
        }
      }
    }
  }
}
