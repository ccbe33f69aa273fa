package io.signaling.node;

import io.signaling.config.ConfigException;
import java.util.List;

/**
 * Who may connect and join.
 *
 * @param jwtSecret HS256 shared secret for join tokens, or empty
 * @param jwtPublicKeyFile PEM file with the RS256 public key for join tokens, or empty
 * @param jwtJwksFile JWKS file with RS256 keys for join tokens, or empty
 * @param allowedOrigins WebSocket Origins allowed; empty: any
 * @param tlsCertFile PEM certificate chain for wss://, or empty
 * @param tlsKeyFile PEM private key for wss://, or empty
 * @param jwtLeewaySeconds clock skew allowed on a join token's {@code exp} and {@code nbf}
 * @param jwtMaxLifetimeSeconds longest {@code exp - iat} a join token may have (it must then carry {@code iat});
 *     0: no maximum
 */
public record Security(String jwtSecret, String jwtPublicKeyFile, String jwtJwksFile, List<String> allowedOrigins,
    String tlsCertFile, String tlsKeyFile, int jwtLeewaySeconds, int jwtMaxLifetimeSeconds) {

  /** With the default token leeway (60 s) and no maximum token lifetime. */
  public Security(String jwtSecret, String jwtPublicKeyFile, String jwtJwksFile, List<String> allowedOrigins,
      String tlsCertFile, String tlsKeyFile) {
    this(jwtSecret, jwtPublicKeyFile, jwtJwksFile, allowedOrigins, tlsCertFile, tlsKeyFile, 60, 0);
  }

  public Security withTokenRules(int leewaySeconds, int maxLifetimeSeconds) {
    return new Security(jwtSecret, jwtPublicKeyFile, jwtJwksFile, allowedOrigins, tlsCertFile, tlsKeyFile,
        leewaySeconds, maxLifetimeSeconds);
  }

  public Security {
    allowedOrigins = List.copyOf(allowedOrigins);
    if (tlsCertFile.isEmpty() != tlsKeyFile.isEmpty()) {
      throw new ConfigException(NodeSettings.TLS_CERT_FILE.env() + " and " + NodeSettings.TLS_KEY_FILE.env() + " must be set together");
    }
  }

  public boolean tokensRequired() {
    return !jwtSecret.isEmpty() || !jwtPublicKeyFile.isEmpty() || !jwtJwksFile.isEmpty();
  }

  public boolean tls() {
    return !tlsCertFile.isEmpty();
  }
}
