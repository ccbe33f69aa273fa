package io.signaling.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.signaling.config.ConfigException;
import io.signaling.config.SettingsSource;
import io.signaling.node.NodeSettings;
import io.signaling.node.Security;
import io.signaling.node.signal.JoinAuthorizer;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The four token rules: the leeway on {@code exp} and {@code nbf} (a setting, 60 s by default), the optional
 * maximum lifetime ({@code exp - iat}), a token admitting any number of joins, and tokens over 8 KB refused unread.
 */
class JwtTokenRulesTest {

  private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";
  private static final String ROOM = "rules";

  private static JoinAuthorizer authorizer(int leewaySeconds, int maxLifetimeSeconds) {
    return JwtJoinAuthorizer.from(new Security(SECRET, "", "", List.of(), "", "")
        .withTokenRules(leewaySeconds, maxLifetimeSeconds));
  }

  /** A token for {@link #ROOM}; times in seconds from now, null: the claim is left out. */
  private static String token(Integer issuedAt, Integer notBefore, int expiresIn) throws Exception {
    long now = System.currentTimeMillis();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().claim("streamId", ROOM)
        .expirationTime(new Date(now + expiresIn * 1000L));
    if (issuedAt != null) {
      claims.issueTime(new Date(now + issuedAt * 1000L));
    }
    if (notBefore != null) {
      claims.notBeforeTime(new Date(now + notBefore * 1000L));
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }

  @Test
  void theLeeway_onExpAndNbf_isTheSetting() throws Exception {
    // GIVEN a leeway of 10 s
    JoinAuthorizer tokens = authorizer(10, 0);
    // THEN a token expired 5 s ago, or valid from 5 s on, is accepted, and one expired 30 s ago or valid from 30 s
    // on is refused
    assertThat(tokens.mayJoin(ROOM, token(null, null, -5))).isTrue();
    assertThat(tokens.mayJoin(ROOM, token(null, 5, 600))).isTrue();
    assertThat(tokens.mayJoin(ROOM, token(null, null, -30))).isFalse();
    assertThat(tokens.mayJoin(ROOM, token(null, 30, 600))).isFalse();
    // AND with no leeway, a token expired 5 s ago is refused
    assertThat(authorizer(0, 0).mayJoin(ROOM, token(null, null, -5))).isFalse();
  }

  @Test
  void theDefaultLeeway_is60Seconds() throws Exception {
    // GIVEN the settings' defaults
    Security defaults = NodeSettings.from(SettingsSource.of(Map.of("SIGNALING_JWT_SECRET", SECRET)))
        .security();
    assertThat(defaults.jwtLeewaySeconds()).isEqualTo(60);
    assertThat(defaults.jwtMaxLifetimeSeconds()).isZero();
    JoinAuthorizer tokens = JwtJoinAuthorizer.from(defaults);
    // THEN a token expired 30 s ago is accepted, one expired 120 s ago is not
    assertThat(tokens.mayJoin(ROOM, token(null, null, -30))).isTrue();
    assertThat(tokens.mayJoin(ROOM, token(null, null, -120))).isFalse();
  }

  @Test
  void aMaximumLifetime_refusesLongerTokens_andTokensWithoutIat() throws Exception {
    // GIVEN a maximum lifetime of 600 s
    JoinAuthorizer tokens = authorizer(60, 600);
    // THEN a token issued now for 300 s is accepted, and one issued now for a day is refused
    assertThat(tokens.mayJoin(ROOM, token(0, null, 300))).isTrue();
    assertThat(tokens.mayJoin(ROOM, token(0, null, 86_400))).isFalse();
    // AND one without iat is refused (its lifetime cannot be told)
    assertThat(tokens.mayJoin(ROOM, token(null, null, 300))).isFalse();
    // AND without a maximum, the day-long token is accepted
    assertThat(authorizer(60, 0).mayJoin(ROOM, token(0, null, 86_400))).isTrue();
  }

  @Test
  void aToken_admitsAnyNumberOfJoins_andOneOver8KB_isRefusedUnread() throws Exception {
    JoinAuthorizer tokens = authorizer(60, 0);
    String token = token(0, null, 300);
    for (int i = 0; i < 3; i++) {
      assertThat(tokens.mayJoin(ROOM, token)).isTrue();
    }
    String padded = token + "x".repeat(JwtJoinAuthorizer.MAX_TOKEN_CHARS);
    assertThat(tokens.mayJoin(ROOM, padded)).isFalse();
  }

  @Test
  void theSettings_areReadFromTheEnvironment_andInvalidValuesAreRefused() {
    Security read = NodeSettings.from(SettingsSource.of(Map.of("SIGNALING_JWT_SECRET", SECRET,
        "SIGNALING_JWT_LEEWAY_SECONDS", "5", "SIGNALING_JWT_MAX_LIFETIME_SECONDS", "3600"))).security();
    assertThat(read.jwtLeewaySeconds()).isEqualTo(5);
    assertThat(read.jwtMaxLifetimeSeconds()).isEqualTo(3600);
    assertThatThrownBy(() -> NodeSettings.from(SettingsSource.of(Map.of("SIGNALING_JWT_LEEWAY_SECONDS", "-1"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SIGNALING_JWT_LEEWAY_SECONDS");
    assertThatThrownBy(() -> NodeSettings.from(SettingsSource.of(Map.of("SIGNALING_JWT_MAX_LIFETIME_SECONDS", "x"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SIGNALING_JWT_MAX_LIFETIME_SECONDS");
  }
}
