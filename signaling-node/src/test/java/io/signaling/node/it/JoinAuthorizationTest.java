package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.signaling.node.Security;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Join tokens (HS256, RS256 from a PEM key and from a JWKS file) and the Origin allow-list, on a 2-node cluster. */
class JoinAuthorizationTest {

  private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";
  private static final String ORIGIN = "https://app.example.test";
  private static final String STATIC_TURN_URI = "turn:127.0.0.1:3478";
  private static final String STATIC_TURN_USERNAME = "static-turn-user";
  private static final String STATIC_TURN_CREDENTIAL = "static-turn-credential";
  @TempDir
  static Path keys;
  private static KeyPair pemPair;
  private static KeyPair jwksPair;
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    pemPair = gen.generateKeyPair();
    jwksPair = gen.generateKeyPair();
    Path pem = keys.resolve("public.pem");
    Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pemPair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    Path jwks = keys.resolve("keys.jwks");
    Files.writeString(jwks, new JWKSet(new RSAKey.Builder((RSAPublicKey) jwksPair.getPublic()).keyID("k1").build())
        .toString());
    cluster = TestCluster.start(2, s -> s.withSecurity(new Security(SECRET, pem.toString(),
        jwks.toString(), List.of(ORIGIN), "", ""))
        .withIceServer(STATIC_TURN_URI, STATIC_TURN_USERNAME, STATIC_TURN_CREDENTIAL));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String token(JWSSigner signer, JWSAlgorithm alg, String streamId, long expiresInSeconds)
      throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("streamId", streamId).claim("type", "play")
        .expirationTime(new Date(System.currentTimeMillis() + expiresInSeconds * 1000)).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String hs256(String streamId, long expiresInSeconds) throws Exception {
    return token(new MACSigner(SECRET), JWSAlgorithm.HS256, streamId, expiresInSeconds);
  }

  private static TestPeer connect(String name, int node, String query) {
    return TestPeer.connect(name, cluster.url(node) + query, ORIGIN);
  }

  private static void joinWithToken(TestPeer p, String room, String token) {
    p.send(new JsonObject().put("command", "join").put("streamId", room).put("mode", "both").put("token", token));
  }

  @Test
  void validTokens_inTheJoinMessageOrTheUrl_admitTheJoin_andThePairWorks() throws Exception {
    String room = "auth-" + System.nanoTime();
    try (TestPeer a = connect("A", 0, "");
         TestPeer b = connect("B", 1, "?target=origin&token=" + hs256(room, 60))) {
      joinWithToken(a, room, token(new RSASSASigner((RSAPrivateKey) pemPair.getPrivate()), JWSAlgorithm.RS256, room, 60));
      a.expectNotification("joined", room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
    }
  }

  @Test
  void staticTurnCredentials_areWithheldUntilAnAuthorisedJoin_thenSentBeforeJoined() throws Exception {
    String room = "ice-" + System.nanoTime();
    try (TestPeer a = connect("A", 0, "")) {
      // GIVEN join tokens required and a static TURN username and credential (SIGNALING_TURN_USERNAME, _CREDENTIAL)
      // WHEN a socket nobody authorised asks for its ICE servers
      a.send(new JsonObject().put("command", "getIceServerConfig"));
      // THEN all three fields are empty: no credential goes to an unauthorised socket
      JsonObject before = a.expect("iceServerConfig", null);
      assertThat(before.getString("stunServerUri")).isEmpty();
      assertThat(before.getString("turnServerUsername")).isEmpty();
      assertThat(before.getString("turnServerCredential")).isEmpty();
      // AND a refused join hands out nothing either
      joinWithToken(a, room, hs256("another-room", 60));
      a.expectError("unauthorized_access", room);

      // WHEN it joins with a valid token
      joinWithToken(a, room, hs256(room, 60));
      // THEN the configured server and credential come first, then joined
      JsonObject granted = a.next();
      assertThat(granted.getString("command")).isEqualTo("iceServerConfig");
      assertThat(granted.getString("stunServerUri")).isEqualTo(STATIC_TURN_URI);
      assertThat(granted.getString("turnServerUsername")).isEqualTo(STATIC_TURN_USERNAME);
      assertThat(granted.getString("turnServerCredential")).isEqualTo(STATIC_TURN_CREDENTIAL);
      a.expectNotification("joined", room);
    }
  }

  @Test
  void aTokenFromTheJwksFile_isAccepted() throws Exception {
    String room = "jwks-" + System.nanoTime();
    try (TestPeer a = connect("A", 0, "")) {
      joinWithToken(a, room, token(new RSASSASigner((RSAPrivateKey) jwksPair.getPrivate()), JWSAlgorithm.RS256, room, 60));
      a.expectNotification("joined", room);
    }
  }

  @Test
  void missingExpiredMismatchedOrForgedTokens_getUnauthorizedAccess_andNoJoin() throws Exception {
    String room = "denied-" + System.nanoTime();
    KeyPair stranger = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    try (TestPeer a = connect("A", 0, ""); TestPeer b = connect("B", 1, "")) {
      a.join(room);
      a.expectError("unauthorized_access", room);
      joinWithToken(a, room, hs256(room, -120));
      a.expectError("unauthorized_access", room);
      joinWithToken(a, room, hs256("another-room", 60));
      a.expectError("unauthorized_access", room);
      joinWithToken(a, room, token(new MACSigner("a-different-secret-that-is-long-enough!"), JWSAlgorithm.HS256, room, 60));
      a.expectError("unauthorized_access", room);
      joinWithToken(a, room, token(new RSASSASigner((RSAPrivateKey) stranger.getPrivate()), JWSAlgorithm.RS256, room, 60));
      a.expectError("unauthorized_access", room);
      joinWithToken(a, room, "not.a.jwt");
      a.expectError("unauthorized_access", room);
      // THEN the room is still empty: a valid joiner is alone in it
      joinWithToken(b, room, hs256(room, 60));
      b.expectNotification("joined", room);
      b.expectNothingFromItsNode();
      a.expectNothingFromItsNode();
    }
  }

  @Test
  void anOriginNotOnTheAllowList_isRefusedAtTheHandshake() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try {
      http.newWebSocketBuilder().header("Origin", "https://evil.example.test")
          .buildAsync(URI.create(cluster.url(0)), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
      throw new AssertionError("handshake should have been refused");
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
      assertThat(((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403);
    }
  }
}
