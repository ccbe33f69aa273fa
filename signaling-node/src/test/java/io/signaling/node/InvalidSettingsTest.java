package io.signaling.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.config.Setting;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every setting given a value it does not accept, by environment variable and by flag: one line naming the setting,
 * no stack trace, exit status 1 (through the entry point's own configuration step, in this JVM).
 */
class InvalidSettingsTest {

  /** Values at least one of which each setting refuses; a setting that takes any text is listed below. */
  private static final List<String> CANDIDATES = List.of("not a value!", "-5", "99999999999", "x");

  /** Settings whose value is free text by nature: any text is a valid value. */
  private static final Set<String> FREE_TEXT = Set.of(NodeSettings.TURN_USERNAME.env(),
      NodeSettings.TURN_CREDENTIAL.env());

  private record Outcome(int exitStatus, String out, String err) {
  }

  private static Outcome configure(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Main.Invocation invocation = Main.configure(env, args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(invocation.startsNode() ? -1 : invocation.exitStatus(), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static void assertRefusedInOneLine(Outcome outcome, Setting<?> setting, String value) {
    assertThat(outcome.exitStatus()).as(setting.env() + "=" + value).isEqualTo(1);
    assertThat(outcome.err().lines().toList()).as(setting.env() + "=" + value + ": " + outcome.err()).hasSize(1);
    String line = outcome.err().strip();
    assertThat(line).startsWith("signaling-node: configuration error: ").contains(setting.env())
        .doesNotContain("Exception").doesNotContain("\tat ");
    if (setting.isSecret()) {
      assertThat(line).as("a secret's value is never printed").doesNotContain(value);
    }
  }

  @Test
  void everySetting_withAValueItRefuses_getsOneLineNamingIt_andExitStatus1() {
    Set<String> acceptedEverything = new TreeSet<>();
    List<String> checked = new ArrayList<>();
    for (Setting<?> setting : NodeSettings.ALL) {
      String refused = null;
      for (String candidate : CANDIDATES) {
        // GIVEN only this setting, with a candidate value, in the environment
        Outcome outcome = configure(Map.of(setting.env(), candidate));
        if (outcome.exitStatus() != -1) {
          refused = candidate;
          // THEN one line naming it, exit status 1
          assertRefusedInOneLine(outcome, setting, candidate);
          // AND the same as a flag
          assertRefusedInOneLine(configure(Map.of(), setting.flag() + "=" + candidate), setting, candidate);
          break;
        }
      }
      if (refused == null) {
        acceptedEverything.add(setting.env());
      } else {
        checked.add(setting.env());
      }
    }
    assertThat(acceptedEverything).as("settings that took every candidate value: validate them, or list them as "
        + "free text").isEqualTo(new TreeSet<>(FREE_TEXT));
    assertThat(checked).hasSize(NodeSettings.ALL.size() - FREE_TEXT.size());
  }

  @ParameterizedTest
  @CsvSource({
      "SIGNALING_LOG_LEVEL, verbose",
      "SIGNALING_LOG_FORMAT, xml",
      "SIGNALING_LOG_LEVEL, info2",
  })
  void theLogSettings_readByTheLoggingConfiguration_areRefusedTheSameWay(String env, String value) {
    Setting<?> setting = NodeSettings.ALL.stream().filter(s -> s.env().equals(env)).findFirst().orElseThrow();
    assertRefusedInOneLine(configure(Map.of(env, value)), setting, value);
    assertRefusedInOneLine(configure(Map.of(), setting.flag(), value), setting, value);
  }

  @Test
  void settingsThatConflict_unknownFlags_andFlagsWithoutAValue_getOneLine_andExitStatus1() {
    // GIVEN the same port for clients and management
    Outcome samePorts = configure(Map.of(), "--http-port", "5080", "--management-port", "5080");
    assertThat(samePorts.exitStatus()).isEqualTo(1);
    assertThat(samePorts.err().lines().toList()).hasSize(1);
    assertThat(samePorts.err()).contains("SIGNALING_MANAGEMENT_PORT");
    // GIVEN a certificate without its key
    Outcome certOnly = configure(Map.of("SIGNALING_TLS_CERT_FILE", "pom.xml"));
    assertThat(certOnly.exitStatus()).isEqualTo(1);
    assertThat(certOnly.err()).contains("SIGNALING_TLS_KEY_FILE").doesNotContain("Exception");
    // GIVEN a flag nobody knows, and a flag without its value
    Outcome unknown = configure(Map.of(), "--http-prot", "5080");
    assertThat(unknown.exitStatus()).isEqualTo(1);
    assertThat(unknown.err().lines().toList()).hasSize(1);
    assertThat(unknown.err()).contains("--http-prot");
    Outcome noValue = configure(Map.of(), "--http-port");
    assertThat(noValue.exitStatus()).isEqualTo(1);
    assertThat(noValue.err().lines().toList()).hasSize(1);
  }

  @Test
  void validSettings_startANode_helpAndVersion_exit0() {
    assertThat(configure(Map.of("SIGNALING_LOG_LEVEL", "DEBUG"), "--log-format", "json").exitStatus()).isEqualTo(-1);
    assertThat(configure(Map.of("SIGNALING_CLUSTER_MEMBERS", "127.0.0.1:5701, [::1]:5702,node-a,10.0.0.1-3",
        "SIGNALING_ALLOWED_ORIGINS", "https://app.example.com,http://localhost:8080",
        "SIGNALING_CLUSTER_K8S_NAMESPACE", "signaling")).exitStatus()).isEqualTo(-1);
    Outcome version = configure(Map.of(), "--version");
    assertThat(version.exitStatus()).isZero();
    assertThat(version.out().strip()).matches("signaling-node [0-9]+\\.[0-9]+\\.[0-9]+.*");
    Outcome help = configure(Map.of(), "--help");
    assertThat(help.exitStatus()).isZero();
    assertThat(help.out()).contains("--version").contains("--warmup-calls");
  }
}
