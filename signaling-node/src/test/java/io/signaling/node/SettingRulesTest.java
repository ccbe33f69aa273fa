package io.signaling.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signaling.config.ConfigException;
import io.signaling.config.SettingsSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checking parsers of the node's settings: what they accept, and the exact messages they refuse with. */
class SettingRulesTest {

  private static NodeSettings with(String env, String value) {
    return NodeSettings.from(SettingsSource.of(Map.of(env, value)));
  }

  @Test
  void patternChecks_acceptGoodValues_andRefuseOthersWithTheirMessage() {
    // GIVEN values of the right shape, THEN they are read as given
    assertThat(with("SIGNALING_APP_NAMES", "live,Web_RTC.app-1").appNames()).containsExactly("live", "Web_RTC.app-1");
    assertThat(with("SIGNALING_ALLOWED_ORIGINS", "https://app.example.com:8443").security().allowedOrigins())
        .containsExactly("https://app.example.com:8443");
    assertThat(SettingRules.turnUri("turns:turn.example.com:5349?transport=tcp"))
        .isEqualTo("turns:turn.example.com:5349?transport=tcp");

    // WHEN values of another shape are given, THEN each is refused with its own message
    assertThatThrownBy(() -> SettingRules.appName("live/app")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("application names may only contain letters, digits, '_', '.' and '-'");
    assertThatThrownBy(() -> SettingRules.origin("https://app.example.com/path"))
        .hasMessage("'https://app.example.com/path' is not an Origin: scheme://host[:port], e.g. "
            + "https://app.example.com (no path)");
    assertThatThrownBy(() -> SettingRules.turnUri("stun:stun.example.com"))
        .hasMessage("'stun:stun.example.com' is not a TURN URI: turn:host[:port] or turns:host[:port], "
            + "optionally with ?transport=udp or ?transport=tcp");
  }

  @Test
  void secretChecks_neverShowTheSecret() {
    // GIVEN secrets that are too short, WHEN they are read, THEN the message says so without their text
    assertThatThrownBy(() -> SettingRules.secret32("short-secret", "an HS256 secret"))
        .hasMessage("an HS256 secret needs at least 32 bytes");
    assertThatThrownBy(() -> SettingRules.turnSecrets("0123456789abcdef,tiny"))
        .hasMessage("each TURN secret needs at least 16 bytes");
    // THEN an empty secret is no secret (the feature is off), and long enough ones are kept
    assertThat(SettingRules.secret32("", "an admin token")).isEmpty();
    assertThat(SettingRules.turnSecrets("0123456789abcdef,fedcba9876543210"))
        .isEqualTo(List.of("0123456789abcdef", "fedcba9876543210"));
  }

  @Test
  void webhookAndIceChecks_refuseWithTheirMessage() {
    assertThat(with("SIGNALING_WEBHOOK_EVENTS", "call_started,peer_left").backend().webhookEvents())
        .containsExactly("call_started", "peer_left");
    assertThatThrownBy(() -> SettingRules.webhookEvent("call_paused")).hasMessage("'call_paused' is not an event");
    assertThatThrownBy(() -> SettingRules.webhookUrl("https://user@hooks.example.com/in"))
        .hasMessage("'https://user@hooks.example.com/in' is not an http:// or https:// URL with a host (and no "
            + "user info)");
    assertThatThrownBy(() -> SettingRules.iceUri("udp:stun.example.com")).isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 'udp:stun.example.com' for SIGNALING_STUN_SERVER_URI: must start with stun:, "
            + "turn: or turns: (the SDK ignores anything else)");
    assertThatThrownBy(() -> SettingRules.readableFile("/nonexistent/key.pem")).hasMessage("no readable file there");
  }
}
