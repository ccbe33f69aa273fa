package io.signaling.node.security;

import io.signaling.node.Turn;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.signal.IceServerConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived TURN credentials in the TURN REST API scheme (draft-uberti-behave-turn-rest), which coturn checks
 * with {@code use-auth-secret}: the username is {@code <expiry unix seconds>:<id>}, the password
 * {@code base64(HMAC-SHA1(secret, username))}. The id is random and opaque: it names no user, room or stream, and
 * only lets the TURN server's logs tell one connection's allocations from another's.
 */
public final class TurnCredentials {

  /** One issued credential, in the TURN REST API's response shape. */
  public record Grant(String username, String password, long ttlSeconds, List<String> uris) {

    @Override
    public String toString() {
      return "Grant[username=" + username + ", password=<redacted>, ttlSeconds=" + ttlSeconds + ", uris=" + uris + "]";
    }
  }

  private static final String HMAC = "HmacSHA1";
  private static final int ID_BYTES = 12;

  private final List<String> uris;
  private final SecretKeySpec key;
  private final long lifetimeSeconds;
  private final Clock clock;
  private final SecureRandom random;

  public TurnCredentials(List<String> uris, String signingSecret, long lifetimeSeconds, Clock clock,
      SecureRandom random) {
    if (uris.isEmpty() || signingSecret.isEmpty() || lifetimeSeconds <= 0) {
      throw new IllegalArgumentException("TURN credentials need URIs, a secret and a positive lifetime");
    }
    this.uris = List.copyOf(uris);
    this.key = new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), HMAC);
    this.lifetimeSeconds = lifetimeSeconds;
    this.clock = clock;
    this.random = random;
  }

  /** Credentials for the settings, signed with the first secret, on the system clock. */
  public static TurnCredentials from(Turn turn) {
    return new TurnCredentials(turn.uris(), turn.signingSecret(), turn.lifetimeSeconds(), Clock.systemUTC(),
        new SecureRandom());
  }

  /** A new opaque id (16 characters of base64url from 96 random bits): one per connection. */
  public String newId() {
    byte[] bytes = new byte[ID_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A credential for {@code id}, valid for the lifetime from now. */
  public Grant issue(String id) {
    long expiry = clock.instant().getEpochSecond() + lifetimeSeconds;
    String username = expiry + ":" + id;
    return new Grant(username, sign(key, username), lifetimeSeconds, uris);
  }

  /** The URI the Ant Media SDKs are given in {@code iceServerConfig}: the first. */
  public String sdkUri() {
    return uris.get(0);
  }

  private static String sign(SecretKeySpec key, String username) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA1 is not available", e);
    }
  }

  /** {@code base64(HMAC-SHA1(secret, username))}: the password a TURN server with this secret expects. */
  public static String password(String secret, String username) {
    return sign(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC), username);
  }

  /**
   * {@code getIceServerConfig}'s answers: the first URI with a credential issued when asked, so that its lifetime
   * runs from the request. Without credentials (see {@link IceServerConfig#answer}) every field is empty, and the
   * SDK keeps its own ICE servers until it is sent credentials.
   */
  public IceServerConfig asIceServerConfig() {
    String without = ProtocolCodec.iceServerConfig("", "", "");
    return new IceServerConfig() {
      @Override
      public String newConnectionId() {
        return newId();
      }

      @Override
      public String answer(String connectionId, boolean withCredentials) {
        if (!withCredentials) {
          return without;
        }
        Grant grant = issue(connectionId);
        return ProtocolCodec.iceServerConfig(sdkUri(), grant.username(), grant.password());
      }

      @Override
      public boolean issuesCredentials() {
        return true;
      }
    };
  }
}
