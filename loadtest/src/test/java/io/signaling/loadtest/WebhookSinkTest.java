package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.backend.WebhookSignature;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-sink";

  @Test
  void aSignatureMadeByTheNode_isVerified_andATamperedBodyOrAnOldTimestampIsNot() throws Exception {
    // GIVEN a body signed as a node signs it
    String body = "{\"id\":\"s-1\",\"event\":\"room_started\",\"roomSid\":\"s\",\"seq\":1}";
    long now = System.currentTimeMillis() / 1000;
    String sig = new WebhookSignature(SECRET).sign(now, body);
    byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
    // THEN the sink verifies it, and refuses a changed body, another timestamp, or a replay from 10 minutes ago
    assertThat(WebhookSink.verified(key, Long.toString(now), sig, body.getBytes(StandardCharsets.UTF_8), now)).isTrue();
    assertThat(WebhookSink.verified(key, Long.toString(now), sig, (body + " ").getBytes(StandardCharsets.UTF_8), now))
        .isFalse();
    assertThat(WebhookSink.verified(key, Long.toString(now + 1), sig, body.getBytes(StandardCharsets.UTF_8), now))
        .isFalse();
    String old = new WebhookSignature(SECRET).sign(now - 600, body);
    assertThat(WebhookSink.verified(key, Long.toString(now - 600), old, body.getBytes(StandardCharsets.UTF_8), now))
        .isFalse();
  }

  @Test
  void order_isCheckedPerLife_andDuplicatesAreCountedNotJudged() {
    WebhookSink.Stats stats = new WebhookSink.Stats();
    assertThat(stats.accept(event("a", 1))).isNull();
    assertThat(stats.accept(event("b", 1))).isNull();
    assertThat(stats.accept(event("a", 2))).isNull();
    assertThat(stats.accept(event("a", 2))).isNull();
    assertThat(stats.accept(event("b", 3))).contains("seq 3 where 2 was due");
    assertThat(stats.duplicates).isEqualTo(1);
    assertThat(stats.lives).isEqualTo(2);
    assertThat(stats.orderViolations).isEqualTo(1);
  }

  private static JsonObject event(String sid, long seq) {
    return new JsonObject().put("id", sid + "-" + seq).put("roomSid", sid).put("seq", seq).put("event", "peer_joined")
        .put("streamId", "r-" + sid).put("createdAt", System.currentTimeMillis());
  }
}
