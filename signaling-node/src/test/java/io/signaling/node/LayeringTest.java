package io.signaling.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The protocol and room layers stay pure Java: no Vert.x, no Hazelcast, no HTTP. */
class LayeringTest {

  @ParameterizedTest
  @ValueSource(strings = {"protocol", "room"})
  void pureLayers_importNoFrameworks(String pkg) throws IOException {
    Path dir = Path.of("src/main/java/io/signaling/node", pkg);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sources = files.filter(f -> f.toString().endsWith(".java")).toList();
      assertThat(sources).isNotEmpty();
      for (Path source : sources) {
        assertThat(Files.readAllLines(source))
            .as(source.toString())
            .noneMatch(line -> line.startsWith("import io.vertx") || line.startsWith("import com.hazelcast")
                || line.startsWith("import io.netty") || line.startsWith("import io.signaling.node.cluster")
                || line.startsWith("import io.signaling.node.transport"));
      }
    }
  }
}
