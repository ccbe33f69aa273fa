package io.signaling.node.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.signaling.config.ConfigException;
import io.signaling.node.Security;
import io.signaling.node.signal.JoinAuthorizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Join tokens as signed JWTs (nimbus-jose-jwt): HS256 with a shared secret and/or RS256 with a public key
 * (PEM) or a JWKS file. A token must be signed by a configured key, carry an {@code exp} in the future and a
 * {@code streamId} claim equal to the room joined. {@code exp} and {@code nbf} are checked with a leeway
 * (SIGNALING_JWT_LEEWAY_SECONDS); with a maximum lifetime (SIGNALING_JWT_MAX_LIFETIME_SECONDS) a token must carry
 * {@code iat} and {@code exp - iat} may not exceed it. A token is not used up: it admits any number of joins, on any
 * number of sockets, until it expires. Tokens longer than {@value #MAX_TOKEN_CHARS} characters are refused unread.
 */
public final class JwtJoinAuthorizer implements JoinAuthorizer {

  public static final String STREAM_ID_CLAIM = "streamId";
  /** Longer tokens are refused before they are parsed. */
  public static final int MAX_TOKEN_CHARS = 8192;

  private final List<DefaultJWTProcessor<SecurityContext>> processors;

  private JwtJoinAuthorizer(List<DefaultJWTProcessor<SecurityContext>> processors) {
    this.processors = processors;
  }

  /** The authorizer for the settings: {@link JoinAuthorizer#OPEN} when no key is configured. */
  public static JoinAuthorizer from(Security security) {
    if (!security.tokensRequired()) {
      return JoinAuthorizer.OPEN;
    }
    List<DefaultJWTProcessor<SecurityContext>> processors = new ArrayList<>();
    if (!security.jwtSecret().isEmpty()) {
      processors.add(processor(new ImmutableSecret<>(security.jwtSecret().getBytes(StandardCharsets.UTF_8)),
          JWSAlgorithm.HS256, security));
    }
    List<com.nimbusds.jose.jwk.JWK> rsaKeys = new ArrayList<>();
    if (!security.jwtPublicKeyFile().isEmpty()) {
      try {
        rsaKeys.add(new RSAKey.Builder(readPublicKey(Path.of(security.jwtPublicKeyFile()))).build());
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new ConfigException("SIGNALING_JWT_PUBLIC_KEY_FILE: not a PEM RSA public key: " + e.getMessage());
      }
    }
    if (!security.jwtJwksFile().isEmpty()) {
      try {
        rsaKeys.addAll(JWKSet.load(Path.of(security.jwtJwksFile()).toFile()).getKeys());
      } catch (IOException | ParseException e) {
        throw new ConfigException("SIGNALING_JWT_JWKS_FILE: not a JWK set: " + e.getMessage());
      }
    }
    if (!rsaKeys.isEmpty()) {
      processors.add(processor(new ImmutableJWKSet<>(new JWKSet(rsaKeys)), JWSAlgorithm.RS256, security));
    }
    return new JwtJoinAuthorizer(List.copyOf(processors));
  }

  /** Reads a PEM "PUBLIC KEY" (X.509 SubjectPublicKeyInfo) with the JDK's own parser. */
  static RSAPublicKey readPublicKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file);
    int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = pem.indexOf("-----END PUBLIC KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException("no -----BEGIN PUBLIC KEY----- block");
    }
    String body = pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
  }

  private static DefaultJWTProcessor<SecurityContext> processor(JWKSource<SecurityContext> keys,
      JWSAlgorithm algorithm, Security security) {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithm, keys));
    p.setJWTClaimsSetVerifier(new ClaimsVerifier(security.jwtLeewaySeconds(), security.jwtMaxLifetimeSeconds()));
    return p;
  }

  /** exp and streamId required; exp and nbf with the leeway; with a maximum lifetime, iat required and bounded. */
  private static final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final long maxLifetimeMillis;

    ClaimsVerifier(int leewaySeconds, int maxLifetimeSeconds) {
      super(null, maxLifetimeSeconds > 0 ? Set.of("exp", "iat", STREAM_ID_CLAIM) : Set.of("exp", STREAM_ID_CLAIM));
      setMaxClockSkew(leewaySeconds);
      this.maxLifetimeMillis = maxLifetimeSeconds * 1000L;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
      super.verify(claims, context);
      if (maxLifetimeMillis > 0
          && claims.getExpirationTime().getTime() - claims.getIssueTime().getTime() > maxLifetimeMillis) {
        throw new BadJWTException("token lifetime (exp - iat) over the maximum");
      }
    }
  }

  @Override
  public boolean mayJoin(String streamId, String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      return false;
    }
    for (DefaultJWTProcessor<SecurityContext> p : processors) {
      try {
        JWTClaimsSet claims = p.process(token, null);
        if (streamId.equals(claims.getStringClaim(STREAM_ID_CLAIM))) {
          return true;
        }
      } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
        // not valid for this key type: try the next one
      }
    }
    return false;
  }

  /**
   * The token's {@code sub} claim, or, for a token without one, its {@code streamId} claim (a resume peer id is
   * bound to it); null for a token that is not valid.
   */
  @Override
  public String subject(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      return null;
    }
    for (DefaultJWTProcessor<SecurityContext> p : processors) {
      try {
        JWTClaimsSet claims = p.process(token, null);
        return claims.getSubject() != null ? "sub:" + claims.getSubject()
            : "stream:" + claims.getStringClaim(STREAM_ID_CLAIM);
      } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
        // not valid for this key type: try the next one
      }
    }
    return null;
  }
}
