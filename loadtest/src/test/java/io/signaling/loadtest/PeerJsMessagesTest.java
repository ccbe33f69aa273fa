package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class PeerJsMessagesTest {

  private final PeerJsMessages messages = new PeerJsMessages(5000);

  /** What the PeerJS server relays: the client's message with {@code src} added (and {@code dst} kept). */
  private static String relayed(String sent, String src) {
    JsonObject m = new JsonObject(sent);
    return new JsonObject().put("type", m.getString("type")).put("src", src).put("dst", m.getString("dst"))
        .put("payload", m.getJsonObject("payload")).encode();
  }

  @Test
  void messages_are_shaped_as_the_peerjs_client_sends_them() {
    JsonObject offer = new JsonObject(messages.offer("call-1b", "call-1", 42));
    assertThat(offer.getString("type")).isEqualTo("OFFER");
    assertThat(offer.getString("dst")).isEqualTo("call-1b");
    JsonObject payload = offer.getJsonObject("payload");
    assertThat(payload.getString("type")).isEqualTo("media");
    assertThat(payload.getString("connectionId")).isEqualTo("call-1");
    assertThat(payload.getJsonObject("sdp").getString("type")).isEqualTo("offer");
    assertThat(payload.getJsonObject("sdp").getString("sdp")).startsWith("v=0\r\n").hasSizeBetween(4900, 5200);
    JsonObject candidate = new JsonObject(PeerJsMessages.candidate("call-1a", "call-1", 3, 42));
    assertThat(candidate.getString("type")).isEqualTo("CANDIDATE");
    assertThat(candidate.getJsonObject("payload").getJsonObject("candidate").getString("candidate"))
        .startsWith("candidate:1000003 1 udp");
    assertThat(candidate.getJsonObject("payload").getJsonObject("candidate").getInteger("sdpMLineIndex")).isZero();
    assertThat(new JsonObject(PeerJsMessages.heartbeat()).getString("type")).isEqualTo("HEARTBEAT");
  }

  @Test
  void a_relayed_message_gives_its_type_the_call_and_its_intended_send_time() {
    long t = 987_654_321_000L;
    Reply offer = PeerJsMessages.parse(relayed(messages.offer("c-1b", "c-1", t), "c-1a"));
    assertThat(offer.command()).isEqualTo("OFFER");
    assertThat(offer.streamId()).isEqualTo("c-1");
    assertThat(Messages.intendedNanos(offer)).isEqualTo(t);
    Reply answer = PeerJsMessages.parse(relayed(messages.answer("c-1a", "c-1", t + 1), "c-1b"));
    assertThat(answer.command()).isEqualTo("ANSWER");
    assertThat(Messages.intendedNanos(answer)).isEqualTo(t + 1);
    Reply candidate = PeerJsMessages.parse(relayed(PeerJsMessages.candidate("c-1a", "c-1", 9, t + 2), "c-1b"));
    assertThat(candidate.command()).isEqualTo("CANDIDATE");
    assertThat(candidate.streamId()).isEqualTo("c-1");
    assertThat(Messages.intendedNanos(candidate)).isEqualTo(t + 2);
  }

  @Test
  void the_servers_own_messages_are_read_and_its_errors_are_errors() {
    assertThat(PeerJsMessages.parse("{\"type\":\"OPEN\"}").command()).isEqualTo("OPEN");
    Reply error = PeerJsMessages.parse("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}");
    assertThat(error.isError()).isTrue();
    assertThat(error.definition()).isEqualTo("Invalid key provided");
    assertThat(PeerJsMessages.parse("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}").isError()).isTrue();
    assertThat(PeerJsMessages.parse("{\"type\":\"OPEN\"}").isError()).isFalse();
  }

  @Test
  void a_peerjs_call_has_our_call_s_messages_minus_join_start_and_leave() {
    assertThat(Protocol.PEERJS.expectedMessages(10)).isEqualTo(22);
    assertThat(Protocol.PEERJS.sentMessages(10)).isEqualTo(22);
    assertThat(Protocol.AMS.expectedMessages(10)).isEqualTo(28);
    assertThat(Protocol.AMS.sentMessages(10)).isEqualTo(26);
  }

  @Test
  void a_peerjs_peer_connects_with_the_key_its_id_and_a_token() {
    Target t = Target.parse(java.util.List.of("ws://127.0.0.1:9/peerjs")).get(0);
    String uri = Protocol.PEERJS.connectOptions(t, "c-1a").getURI();
    assertThat(uri).startsWith("/peerjs?key=peerjs&id=c-1a&token=");
    assertThat(Protocol.AMS.connectOptions(t, "c-1a").getURI()).isEqualTo("/peerjs");
  }
}
