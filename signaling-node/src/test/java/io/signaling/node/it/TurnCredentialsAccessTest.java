package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.signaling.node.Security;
import io.signaling.node.Turn;
import io.signaling.node.security.TurnCredentials;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With join tokens required, TURN credentials go only where a join would: over the WebSocket once a join of the
 * connection was authorised, over HTTP for a token that would let the caller join the room it names.
 */
class TurnCredentialsAccessTest {

  private static final String JWT_SECRET = "a-shared-secret-of-at-least-32-bytes!!";
  private static final String TURN_SECRET = "turn-secret-for-this-test-0123";
  private static final String ORIGIN = "https://app.example.test";
  private static final String TURN_URI = "turn:127.0.0.1:3478";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, s -> s
        .withSecurity(new Security(JWT_SECRET, "", "", List.of(ORIGIN), "", ""))
        .withTurn(new Turn(List.of(TURN_URI), List.of(TURN_SECRET), 3600)));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String token(String streamId, long expiresInSeconds) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .claim("streamId", streamId).expirationTime(new Date(System.currentTimeMillis() + expiresInSeconds * 1000))
        .build());
    jwt.sign(new MACSigner(JWT_SECRET));
    return jwt.serialize();
  }

  private static JsonObject join(String streamId, String token) {
    JsonObject join = new JsonObject().put("command", "join").put("streamId", streamId).put("mode", "both");
    return token == null ? join : join.put("token", token);
  }

  private static HttpResponse<String> get(String query, String authorization, String origin) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.url(0).replace("ws://", "http://")
        .replace("/websocket", "/turn-credentials" + query)));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void overTheWebSocket_credentialsComeWithTheFirstAuthorisedJoin_beforeJoined() throws Exception {
    try (TestPeer a = TestPeer.connect("a", cluster.url(0), ORIGIN)) {
      // WHEN the connection asks for its ICE servers before any join
      a.send(new JsonObject().put("command", "getIceServerConfig"));
      // THEN it is answered, with no TURN server and no credential
      JsonObject first = a.expect("iceServerConfig", null);
      assertThat(first.getString("stunServerUri")).isEmpty();
      assertThat(first.getString("turnServerUsername")).isEmpty();
      assertThat(first.getString("turnServerCredential")).isEmpty();

      // WHEN it joins with a token that is not valid for the room, THEN it is refused and gets no credential
      a.send(join("turn-room", token("another-room", 60)));
      a.expectError("unauthorized_access", "turn-room");

      // WHEN it joins with a valid token
      a.send(join("turn-room", token("turn-room", 60)));
      // THEN the credentials come first, then joined
      JsonObject granted = a.next();
      assertThat(granted.getString("command")).isEqualTo("iceServerConfig");
      assertThat(granted.getString("stunServerUri")).isEqualTo(TURN_URI);
      String username = granted.getString("turnServerUsername");
      assertThat(username).matches("[0-9]{10}:[A-Za-z0-9_-]{16}");
      assertThat(granted.getString("turnServerCredential")).isEqualTo(TurnCredentials.password(TURN_SECRET, username));
      a.expectNotification("joined", "turn-room");

      // AND a later request is answered with credentials for the same connection id
      a.send(new JsonObject().put("command", "getIceServerConfig"));
      String later = a.expect("iceServerConfig", null).getString("turnServerUsername");
      assertThat(later.substring(later.indexOf(':'))).isEqualTo(username.substring(username.indexOf(':')));
    }
  }

  @Test
  void aConnectionThatNeverAsked_isNotSentCredentials_onJoin() throws Exception {
    // an app with its own iceServers never asks: its configuration must not be replaced
    try (TestPeer a = TestPeer.connect("a", cluster.url(0), ORIGIN)) {
      a.send(join("own-ice", token("own-ice", 60)));
      assertThat(a.next().getString("command")).isEqualTo("notification");
    }
  }

  @Test
  void overHttp_aTokenForTheNamedRoom_isNeeded() throws Exception {
    String room = "http-room";
    // WHEN asked without a token, with a token for another room, with an expired one, or without a room
    // THEN 401
    assertThat(get("?streamId=" + room, null, ORIGIN).statusCode()).isEqualTo(401);
    assertThat(get("?streamId=" + room, "Bearer " + token("other", 60), ORIGIN).statusCode()).isEqualTo(401);
    assertThat(get("?streamId=" + room, "Bearer " + token(room, -120), ORIGIN).statusCode()).isEqualTo(401);
    assertThat(get("", "Bearer " + token(room, 60), ORIGIN).statusCode()).isEqualTo(401);

    // WHEN asked with a valid token (header or query), THEN a credential
    HttpResponse<String> ok = get("?streamId=" + room, "Bearer " + token(room, 60), ORIGIN);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    JsonObject body = new JsonObject(ok.body());
    assertThat(body.getString("password")).isEqualTo(TurnCredentials.password(TURN_SECRET, body.getString("username")));
    assertThat(get("?streamId=" + room + "&token=" + token(room, 60), null, ORIGIN).statusCode()).isEqualTo(200);

    // AND another Origin is refused, and so is a request without one, as the WebSocket refuses it with an Origin
    // list set; a preflight from the allowed one is answered
    assertThat(get("?streamId=" + room, "Bearer " + token(room, 60), "https://evil.example.test").statusCode())
        .isEqualTo(403);
    assertThat(get("?streamId=" + room, "Bearer " + token(room, 60), null).statusCode()).isEqualTo(403);
    HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.url(0)
            .replace("ws://", "http://").replace("/websocket", "/turn-credentials")))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ORIGIN)
        .header("Access-Control-Request-Headers", "authorization").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("Authorization");
  }
}
