package io.signaling.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class MessagesTest {

  private final Messages messages = new Messages(5000);

  @Test
  void relayed_messages_carry_their_intended_send_time_through_json() {
    long t = 123_456_789_012L;
    assertThat(Messages.intendedNanos(Reply.parse(messages.offer("room-1", t)))).isEqualTo(t);
    assertThat(Messages.intendedNanos(Reply.parse(messages.answer("room-1", t + 1)))).isEqualTo(t + 1);
    assertThat(Messages.intendedNanos(Reply.parse(Messages.candidate("room-1", 7, t + 2)))).isEqualTo(t + 2);
    assertThat(Messages.intendedNanos(Reply.parse(Messages.peerMessage("room-1", t + 3)))).isEqualTo(t + 3);
    assertThat(Messages.intendedNanos(Reply.parse(Messages.join("room-1")))).isEqualTo(-1);
  }

  @Test
  void the_offer_is_a_browser_shaped_sdp_of_the_size_asked_for() {
    JsonObject offer = new JsonObject(messages.offer("room-1", 1));
    String sdp = offer.getString("sdp");
    assertThat(offer.getString("command")).isEqualTo("takeConfiguration");
    assertThat(offer.getString("type")).isEqualTo("offer");
    assertThat(offer.getString("streamId")).isEqualTo("room-1");
    assertThat(sdp).startsWith("v=0\r\n").contains("m=audio ", "m=video ", "m=application ", "a=setup:actpass")
        .endsWith("\r\n");
    assertThat(sdp.length()).isBetween(4900, 5200);
    assertThat(new JsonObject(messages.answer("room-1", 1)).getString("sdp")).contains("a=setup:active");
  }

  @Test
  void protocol_messages_are_valid_json_with_the_fields_the_protocol_requires() {
    JsonObject candidate = new JsonObject(Messages.candidate("r", 3, 9));
    assertThat(candidate.getString("command")).isEqualTo("takeCandidate");
    assertThat(candidate.getInteger("label")).isZero();
    assertThat(candidate.getString("id")).isEqualTo("0");
    assertThat(candidate.getString("candidate")).startsWith("candidate:").contains(" typ host ");
    assertThat(new JsonObject(Messages.join("r")).getString("command")).isEqualTo("join");
    assertThat(new JsonObject(Messages.leave("r")).getString("command")).isEqualTo("leave");
    assertThat(new JsonObject(Messages.ping()).getString("command")).isEqualTo("ping");
  }

  @Test
  void escaping_round_trips_quotes_backslashes_and_control_characters() {
    String raw = "a\"b\\c\r\nd\te\u0001";
    assertThat(new JsonObject("{\"s\":\"" + Messages.escape(raw) + "\"}").getString("s")).isEqualTo(raw);
  }

  @Test
  void replies_are_read_for_what_the_harness_needs_whatever_else_they_hold() {
    Reply r = Reply.parse("{\"command\":\"notification\",\"extra\":{\"a\":[1,2]},\"definition\":\"joined\","
        + "\"streamId\":\"s1\",\"n\":5}");
    assertThat(r.kind()).isEqualTo("joined");
    assertThat(r.streamId()).isEqualTo("s1");
    assertThat(Reply.parse("{\"command\":\"error\",\"definition\":\"noStreamNameSpecified\"}").isError()).isTrue();
    assertThat(Reply.parse("{\"command\":\"start\",\"streamId\":\"x\"}").kind()).isEqualTo("start");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Reply.parse("[1]"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Reply.parse("{\"command\":"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
