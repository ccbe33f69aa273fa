package io.signaling.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Turn;
import io.signaling.node.security.TurnCredentials;
import io.signaling.node.support.Await;
import io.signaling.node.support.Coturn;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.signaling.node.support.TurnClient;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credentials a node hands out, checked by a real coturn on loopback ({@code use-auth-secret}, holding two
 * secrets as during a rotation): they allocate a relay; expired, wrongly signed or tampered ones are refused, and an
 * allocation cannot be refreshed past its credential's expiry.
 */
class TurnServerIT {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CURRENT = secret();
  private static final String PREVIOUS = secret();
  private static final int LIFETIME = 3600;
  @TempDir
  static Path dir;
  private static Coturn coturn;
  private static TestCluster cluster;
  private static String turnUri;

  private static String secret() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @BeforeAll
  static void start() throws Exception {
    // GIVEN coturn accepting the previous and the current secret, and a node signing with the current one
    coturn = Coturn.start(dir, List.of(PREVIOUS, CURRENT));
    turnUri = "turn:127.0.0.1:" + coturn.port();
    cluster = TestCluster.start(1, s -> s.withTurn(new Turn(List.of(turnUri, turnUri + "?transport=tcp"),
        List.of(CURRENT, PREVIOUS), LIFETIME)));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (coturn != null) {
      coturn.close();
    }
  }

  private static TurnClient client() throws Exception {
    return new TurnClient(coturn.address());
  }

  private static void assertExpiresInALifetime(String username) {
    long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
    long now = Instant.now().getEpochSecond();
    assertThat(expiry).isBetween(now + LIFETIME - 60, now + LIFETIME + 1);
  }

  @Test
  void getIceServerConfig_credentials_allocateARelay_oneOpaqueIdPerConnection() throws Exception {
    try (TestPeer a = cluster.connect("a", 0); TestPeer b = cluster.connect("b", 0)) {
      // WHEN a connection asks for its ICE servers (as the SDK does on connect)
      a.send(new JsonObject().put("command", "getIceServerConfig"));
      JsonObject ice = a.expect("iceServerConfig", null);

      // THEN it gets the first TURN URI and a credential <expiry>:<opaque id> valid for the lifetime
      assertThat(ice.getString("stunServerUri")).isEqualTo(turnUri);
      String username = ice.getString("turnServerUsername");
      assertThat(username).matches("[0-9]{10}:[A-Za-z0-9_-]{16}");
      assertExpiresInALifetime(username);
      assertThat(ice.getString("turnServerCredential")).isEqualTo(TurnCredentials.password(CURRENT, username));

      // AND coturn allocates a relay with it
      try (TurnClient turn = client()) {
        TurnClient.Response r = turn.allocate(username, ice.getString("turnServerCredential"));
        assertThat(r.success()).as("allocate: error %s; coturn log:%n%s", r.errorCode(), coturn.log()).isTrue();
        assertThat(r.relayedAddress()).startsWith("127.0.0.1:61");
      }

      // AND the same connection keeps its id, another connection gets another
      a.send(new JsonObject().put("command", "getIceServerConfig"));
      String again = a.expect("iceServerConfig", null).getString("turnServerUsername");
      b.send(new JsonObject().put("command", "getIceServerConfig"));
      String other = b.expect("iceServerConfig", null).getString("turnServerUsername");
      assertThat(id(again)).isEqualTo(id(username));
      assertThat(id(other)).isNotEqualTo(id(username));
    }
  }

  private static String id(String username) {
    return username.substring(username.indexOf(':') + 1);
  }

  @Test
  void httpEndpoint_answersTheTurnRestApiShape_andItsCredentialAllocates() throws Exception {
    // WHEN an app asks the client port for credentials (no join tokens configured: open, like getIceServerConfig)
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        cluster.url(0).replace("ws://", "http://").replace("/websocket", "/turn-credentials?service=turn")))
        .header("Origin", "https://app.example.test").build(), HttpResponse.BodyHandlers.ofString());

    // THEN it gets username, password, ttl and uris, not to be cached, readable by the page
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("username", "password", "ttl", "uris");
    assertThat(body.getLong("ttl")).isEqualTo(LIFETIME);
    assertThat(body.getJsonArray("uris").getList()).containsExactly(turnUri, turnUri + "?transport=tcp");
    assertExpiresInALifetime(body.getString("username"));

    // AND coturn allocates a relay with it
    try (TurnClient turn = client()) {
      TurnClient.Response r = turn.allocate(body.getString("username"), body.getString("password"));
      assertThat(r.success()).as("allocate: error %s; coturn log:%n%s", r.errorCode(), coturn.log()).isTrue();
    }
  }

  @Test
  void aCredentialSignedWithTheOtherListedSecret_isAccepted_soSecretsRotateWithoutDowntime() throws Exception {
    TurnCredentials.Grant grant = new TurnCredentials(List.of(turnUri), PREVIOUS, LIFETIME, Clock.systemUTC(), RANDOM)
        .issue("rotation");
    try (TurnClient turn = client()) {
      assertThat(turn.allocate(grant.username(), grant.password()).success()).as(coturn.log()).isTrue();
    }
  }

  @Test
  void wronglySignedOrTamperedCredentials_areRefused() throws Exception {
    // GIVEN a credential signed with a secret coturn does not hold, and a good one whose username was changed
    TurnCredentials.Grant foreign = new TurnCredentials(List.of(turnUri), secret(), LIFETIME, Clock.systemUTC(), RANDOM)
        .issue("foreign");
    TurnCredentials.Grant good = new TurnCredentials(List.of(turnUri), CURRENT, LIFETIME, Clock.systemUTC(), RANDOM)
        .issue("tampered");
    String longer = (Long.parseLong(good.username().split(":")[0]) + 86_400) + ":tampered";

    // WHEN each tries to allocate, THEN coturn answers 401
    try (TurnClient turn = client()) {
      assertThat(turn.allocate(foreign.username(), foreign.password()).errorCode()).isEqualTo(401);
    }
    try (TurnClient turn = client()) {
      assertThat(turn.allocate(longer, good.password()).errorCode()).isEqualTo(401);
    }
  }

  @Test
  void anExpiredCredential_isRefused() throws Exception {
    // GIVEN a credential issued two lifetimes ago: it expired an hour ago
    Clock past = Clock.fixed(Instant.now().minusSeconds(2L * LIFETIME), java.time.ZoneOffset.UTC);
    TurnCredentials.Grant expired = new TurnCredentials(List.of(turnUri), CURRENT, LIFETIME, past, RANDOM).issue("old");

    // WHEN it tries to allocate, THEN coturn answers 401
    try (TurnClient turn = client()) {
      TurnClient.Response r = turn.allocate(expired.username(), expired.password());
      assertThat(r.success()).isFalse();
      assertThat(r.errorCode()).isEqualTo(401);
    }
  }

  @Test
  void theLifetimeBoundsWhenACallMayStart_notHowLongItLasts() throws Exception {
    // GIVEN an allocation made with a credential that expires 2 s from now
    Clock soon = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(2 - 600));
    TurnCredentials.Grant grant = new TurnCredentials(List.of(turnUri), CURRENT, 600, soon, RANDOM).issue("short");
    long expiry = Long.parseLong(grant.username().split(":")[0]);
    try (TurnClient inCall = client(); TurnClient late = client()) {
      assertThat(inCall.allocate(grant.username(), grant.password()).success()).as(coturn.log()).isTrue();

      // WHEN the credential has expired: the wall clock is 3 s past its expiry (coturn reads a clock it
      // updates once a second, which lags further on a busy machine)
      Await.until(Duration.ofSeconds(20), "the clock passes the credential's expiry with margin",
          () -> Instant.now().getEpochSecond() > expiry + 3);

      // THEN the allocation made before still refreshes: a relayed call outlasts its credential
      TurnClient.Response refreshed = inCall.refresh(grant.username(), grant.password(), 600);
      assertThat(refreshed.success()).as("refresh: error %s", refreshed.errorCode()).isTrue();
      // AND a new allocation with it (a new call, an ICE restart) is refused
      assertThat(late.allocate(grant.username(), grant.password()).errorCode()).isEqualTo(401);
    }
  }
}
