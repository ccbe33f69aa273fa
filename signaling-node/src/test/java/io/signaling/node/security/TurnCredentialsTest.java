package io.signaling.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signaling.config.ConfigException;
import io.signaling.config.SettingsSource;
import io.signaling.node.NodeSettings;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The TURN REST API credential formula, its expiry arithmetic on an injected clock, and the settings around it. */
class TurnCredentialsTest {

  private static final String SECRET = "rotate-me-0123456789abcdef";
  private static final Instant NOW = Instant.parse("2023-11-14T22:13:20Z"); // 1700000000

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now;

    ManualClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void password_isBase64OfHmacSha1_rfc2202Vector() {
    // RFC 2202, HMAC-SHA1 test case 2: key "Jefe" → effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
    assertThat(TurnCredentials.password("Jefe", "what do ya want for nothing?")).isEqualTo("7/zfauXrL6LSdBbV8YTfnCWafHk=");
  }

  @Test
  void password_ofATurnUsername_matchesAnIndependentImplementation() {
    // printf '%s' 1700086400:q7V0yXb2nK1mZ3pA | openssl dgst -sha1 -hmac rotate-me-0123456789abcdef -binary | base64
    assertThat(TurnCredentials.password(SECRET, "1700086400:q7V0yXb2nK1mZ3pA")).isEqualTo("WdusGOGG8n6ygv9aYrXZKvhutdQ=");
  }

  @Test
  void issue_expiresOneLifetimeAfterTheClock_andSignsWithTheSecret() {
    // GIVEN credentials with a 24 h lifetime on a clock at 1700000000
    ManualClock clock = new ManualClock(NOW);
    TurnCredentials turn = new TurnCredentials(List.of("turn:t.example:3478", "turns:t.example:5349"), SECRET,
        86_400, clock, new SecureRandom());

    // WHEN a credential is issued for an id
    TurnCredentials.Grant grant = turn.issue("q7V0yXb2nK1mZ3pA");

    // THEN the username is <now + lifetime>:<id> and the password the known vector
    assertThat(grant.username()).isEqualTo("1700086400:q7V0yXb2nK1mZ3pA");
    assertThat(grant.password()).isEqualTo("WdusGOGG8n6ygv9aYrXZKvhutdQ=");
    assertThat(grant.ttlSeconds()).isEqualTo(86_400);
    assertThat(grant.uris()).containsExactly("turn:t.example:3478", "turns:t.example:5349");
    assertThat(grant.toString()).doesNotContain(grant.password());

    // WHEN the clock moves on 90 minutes and 0.9 s, THEN a new credential expires that much later (whole seconds)
    clock.advance(Duration.ofMinutes(90).plusMillis(900));
    assertThat(turn.issue("x").username()).isEqualTo((1_700_086_400L + 5_400) + ":x");
  }

  @Test
  void ids_areRandomOpaqueAndSafeInAUsername() {
    TurnCredentials turn = new TurnCredentials(List.of("turn:h:3478"), SECRET, 600, Clock.systemUTC(),
        new SecureRandom());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = turn.newId();
      assertThat(id).matches("[A-Za-z0-9_-]{16}");
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void iceServerConfig_carriesTheFirstUriAndAFreshCredential_orNothingWithoutCredentials() {
    ManualClock clock = new ManualClock(NOW);
    TurnCredentials turn = new TurnCredentials(List.of("turn:127.0.0.1:3478?transport=tcp", "turn:h:3478"), SECRET,
        3600, clock, new SecureRandom());
    JsonObject with = new JsonObject(turn.asIceServerConfig().answer("abc", true));
    assertThat(with.getString("command")).isEqualTo("iceServerConfig");
    assertThat(with.getString("stunServerUri")).isEqualTo("turn:127.0.0.1:3478?transport=tcp");
    assertThat(with.getString("turnServerUsername")).isEqualTo("1700003600:abc");
    assertThat(with.getString("turnServerCredential")).isEqualTo(TurnCredentials.password(SECRET, "1700003600:abc"));
    JsonObject without = new JsonObject(turn.asIceServerConfig().answer("abc", false));
    assertThat(without.getString("stunServerUri")).isEmpty();
    assertThat(without.getString("turnServerUsername")).isEmpty();
    assertThat(without.getString("turnServerCredential")).isEmpty();
  }

  private static NodeSettings settings(Map<String, String> env) {
    return NodeSettings.from(SettingsSource.of(env));
  }

  @Test
  void settings_parseSeveralSecrets_signWithTheFirst_andNeverShowThem() {
    String other = "the-previous-secret-0123";
    SettingsSource source = SettingsSource.fromEnvAndArgs(Map.of("SIGNALING_TURN_URIS", "turn:t:3478,turns:t:5349"),
        new String[] {"--turn-secrets", SECRET + "," + other, "--turn-credential-lifetime-seconds", "3600"},
        NodeSettings.ALL);
    NodeSettings s = NodeSettings.from(source);
    assertThat(s.turn().enabled()).isTrue();
    assertThat(s.turn().signingSecret()).isEqualTo(SECRET);
    assertThat(s.turn().secrets()).containsExactly(SECRET, other);
    assertThat(s.turn().lifetimeSeconds()).isEqualTo(3600);
    String logged = String.join(" ", source.describe(NodeSettings.ALL));
    assertThat(logged).contains("SIGNALING_TURN_SECRETS=<redacted>").contains("SIGNALING_TURN_URIS=turn:t:3478,turns:t:5349")
        .doesNotContain(SECRET).doesNotContain(other);
    assertThat(s.toString()).doesNotContain(SECRET).doesNotContain(other);
  }

  @Test
  void settings_defaultLifetimeIsADay_andTurnIsOffByDefault() {
    NodeSettings s = settings(Map.of());
    assertThat(s.turn().enabled()).isFalse();
    assertThat(s.turn().lifetimeSeconds()).isEqualTo(86_400);
  }

  @Test
  void settings_refuseBadTurnInput_withoutShowingTheSecret() {
    String shortSecret = "short-secret";
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_URIS", "turn:t:3478", "SIGNALING_TURN_SECRETS",
        SECRET + "," + shortSecret)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SIGNALING_TURN_SECRETS")
        .hasMessageContaining("16 bytes").message().doesNotContain(shortSecret).doesNotContain(SECRET);
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_URIS", "turn:t:3478")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must be set together");
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_SECRETS", SECRET)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must be set together");
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_URIS", "turns:t:5349,turn:t:3478",
        "SIGNALING_TURN_SECRETS", SECRET))).isInstanceOf(ConfigException.class).hasMessageContaining("must start with turn:");
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_URIS", "http://t", "SIGNALING_TURN_SECRETS", SECRET)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a TURN URI");
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_URIS", "turn:t:3478", "SIGNALING_TURN_SECRETS", SECRET,
        "SIGNALING_STUN_SERVER_URI", "stun:s:3478"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot both be set");
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_URIS", "turn:t:3478", "SIGNALING_TURN_SECRETS", SECRET,
        "SIGNALING_TURN_CREDENTIAL", "static"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("SIGNALING_TURN_CREDENTIAL");
    assertThatThrownBy(() -> settings(Map.of("SIGNALING_TURN_CREDENTIAL_LIFETIME_SECONDS", "599")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("from 600 to 604800");
  }

  @Test
  void help_neverShowsASecret() {
    java.io.StringWriter out = new java.io.StringWriter();
    SettingsSource.commandLine("signaling-node", NodeSettings.ALL).usage(new java.io.PrintWriter(out, true));
    assertThat(out.toString()).contains("--turn-secrets").contains("never logged");
    // help has only defaults: the secrets have none
    assertThat(NodeSettings.TURN_SECRETS.defaultValue()).isEmpty();
    assertThat(NodeSettings.TURN_SECRETS.isSecret()).isTrue();
  }

  @Test
  void help_tellsToGiveSecretsInTheEnvironment_nextToEachSecret() {
    java.io.StringWriter out = new java.io.StringWriter();
    SettingsSource.commandLine("signaling-node", NodeSettings.ALL).usage(new java.io.PrintWriter(out, true));
    String help = out.toString().replaceAll("\\s+", " ");
    // GIVEN the help text THEN it says once why (ps shows flags), and next to every secret to prefer the environment
    assertThat(help).contains("Give secrets (marked 'secret') in the environment, not as flags");
    for (var secret : NodeSettings.ALL.stream().filter(io.signaling.config.Setting::isSecret).toList()) {
      int at = help.indexOf(secret.flag() + "=VALUE");
      assertThat(at).as(secret.flag()).isNotNegative();
      int end = help.indexOf(secret.env(), at);
      assertThat(help.substring(at, end)).as(secret.flag()).contains("Secret: prefer the environment");
    }
  }
}
