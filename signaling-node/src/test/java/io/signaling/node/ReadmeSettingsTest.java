package io.signaling.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The README's configuration table documents every setting the node reads, with its flag and default. */
class ReadmeSettingsTest {

  @Test
  void everySetting_hasAReadmeRow_withItsFlagAndDefault() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (Setting<?> s : NodeSettings.ALL) {
      Optional<String> row = readme.lines().filter(l -> l.startsWith("| `" + s.env() + "` |")).findFirst();
      assertThat(row).as("README row for " + s.env()).isPresent();
      assertThat(row.get()).contains("`" + s.flag() + "`");
      String shownDefault = s.defaultValue().isEmpty() ? "(unset)" : "`" + s.defaultValue() + "`";
      assertThat(row.get()).as(s.env() + " default").contains("| " + shownDefault + " |");
    }
  }
}
