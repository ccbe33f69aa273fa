package io.signaling.node.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolCodecTest {

  private final ProtocolCodec codec = new ProtocolCodec(16);

  private ClientMessage valid(String text) {
    Inbound in = codec.decode(text);
    assertThat(in).as(text).isInstanceOf(Inbound.Valid.class);
    return ((Inbound.Valid) in).message();
  }

  private Inbound.Invalid invalid(String text) {
    Inbound in = codec.decode(text);
    assertThat(in).as(text).isInstanceOf(Inbound.Invalid.class);
    return (Inbound.Invalid) in;
  }

  @Test
  void join_fromTheJsSdk_isDecoded_unknownFieldsIgnored() {
    ClientMessage m = valid("{\"command\":\"join\",\"streamId\":\"room1\",\"multiPeer\":false,\"mode\":\"both\","
        + "\"extra\":{\"nested\":[1,2,{\"x\":null}]}}");
    assertThat(m.command()).isEqualTo(Command.JOIN);
    assertThat(m.streamId()).isEqualTo("room1");
    assertThat(m.playOnly()).isFalse();
    assertThat(m.token()).isNull();
  }

  @ParameterizedTest
  @CsvSource({"play,true", "both,false", "play or both,false", "PLAY,false"})
  void join_mode_isPlayOnlyExactlyForPlay(String mode, boolean playOnly) {
    assertThat(valid("{\"command\":\"join\",\"streamId\":\"r\",\"mode\":\"" + mode + "\"}").playOnly())
        .isEqualTo(playOnly);
  }

  @Test
  void join_token_isRead() {
    assertThat(valid("{\"command\":\"join\",\"streamId\":\"r\",\"token\":\"abc\"}").token()).isEqualTo("abc");
  }

  @Test
  void takeCandidate_keepsTheLabelNumberTextExactly() {
    ClientMessage m = valid("{\"command\":\"takeCandidate\",\"streamId\":\"r\",\"label\":1,\"id\":\"audio\",\"candidate\":\"\"}");
    assertThat(m.label()).isEqualTo("1");
    assertThat(m.id()).isEqualTo("audio");
    assertThat(m.candidate()).isEmpty();
    assertThat(ProtocolCodec.takeCandidate("r", m.label(), m.id(), m.candidate()))
        .isEqualTo("{\"command\":\"takeCandidate\",\"streamId\":\"r\",\"label\":1,\"id\":\"audio\",\"candidate\":\"\"}");
  }

  @Test
  void takeConfiguration_encodesTheSdpEscaped_andAddsIdMapping() {
    String out = ProtocolCodec.takeConfiguration("r", "offer", "v=0\r\n\"q\"\\\u0001");
    assertThat(out).isEqualTo("{\"command\":\"takeConfiguration\",\"streamId\":\"r\",\"type\":\"offer\","
        + "\"sdp\":\"v=0\\r\\n\\\"q\\\"\\\\\\u0001\",\"idMapping\":{}}");
  }

  @Test
  void relays_carryTheSdpAndCandidateLiteralsAsReceived_sameBytesAsQuotingForTheJsSdksEscapes() {
    String offer = "{\"command\":\"takeConfiguration\",\"streamId\":\"r\",\"type\":\"offer\","
        + "\"sdp\":\"v=0\\r\\na=x:\\\"q\\\"\\\\ \u00e9\"}";
    ClientMessage m = valid(offer);
    assertThat(ProtocolCodec.takeConfiguration(m)).isEqualTo(ProtocolCodec.takeConfiguration("r", "offer", m.sdp()));
    String candidate = "{\"command\":\"takeCandidate\",\"streamId\":\"r\",\"label\":0,\"id\":\"0\","
        + "\"candidate\" : \"candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host\" }";
    ClientMessage c = valid(candidate);
    assertThat(ProtocolCodec.takeCandidate(c))
        .isEqualTo(ProtocolCodec.takeCandidate("r", c.label(), c.id(), c.candidate()));
  }

  @Test
  void relays_keepOtherEscapesAsTheClientWroteThem() {
    ClientMessage m = valid("{\"command\":\"takeConfiguration\",\"streamId\":\"r\",\"type\":\"answer\","
        + "\"sdp\":\"a\\/b\\u0041\"}");
    assertThat(m.sdp()).isEqualTo("a/bA");
    assertThat(ProtocolCodec.takeConfiguration(m)).isEqualTo("{\"command\":\"takeConfiguration\",\"streamId\":\"r\","
        + "\"type\":\"answer\",\"sdp\":\"a\\/b\\u0041\",\"idMapping\":{}}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"command\":\"ping\"}", "{\"command\":\"getIceServerConfig\"}",
      "{\"command\":\"ping\",\"streamId\":\"bad name\"}"})
  void pingAndIce_needNoStreamId(String text) {
    assertThat(valid(text).streamId()).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{not json|malformedMessage",
      "[]|malformedMessage",
      "\"text\"|malformedMessage",
      "{}{}|malformedMessage",
      "{\"command\":\"join\",\"command\":\"join\",\"streamId\":\"r\"}|malformedMessage",
      "''|malformedMessage",
      "{\"streamId\":\"r\"}|noCommandSpecified",
      "{\"command\":null}|noCommandSpecified",
      "{\"command\":5}|invalidField",
      "{\"command\":\"publish\",\"streamId\":\"r\"}|unknownCommand",
      "{\"command\":\"join\"}|noStreamNameSpecified",
      "{\"command\":\"join\",\"streamId\":null}|noStreamNameSpecified",
      "{\"command\":\"join\",\"streamId\":\"\"}|noStreamNameSpecified",
      "{\"command\":\"join\",\"streamId\":\"a b\"}|invalidStreamName",
      "{\"command\":\"join\",\"streamId\":\"r/../x\"}|invalidStreamName",
      "{\"command\":\"join\",\"streamId\":\"12345678901234567\"}|invalidStreamName",
      "{\"command\":\"join\",\"streamId\":[\"r\"]}|invalidStreamName",
      "{\"command\":\"takeCandidate\",\"streamId\":\"r\",\"label\":\"0\",\"id\":\"0\",\"candidate\":\"\"}|invalidField",
      "{\"command\":\"takeCandidate\",\"streamId\":\"r\",\"label\":0,\"id\":0,\"candidate\":\"\"}|invalidField",
      "{\"command\":\"takeCandidate\",\"streamId\":\"r\",\"label\":0,\"id\":\"0\"}|invalidField",
      "{\"command\":\"takeConfiguration\",\"streamId\":\"r\",\"type\":\"offer\"}|invalidField",
      "{\"command\":\"takeConfiguration\",\"streamId\":\"r\",\"type\":{},\"sdp\":\"v=0\"}|invalidField",
  })
  void badInput_getsItsDefinition(String text, String definition) {
    assertThat(invalid(text).definition().wire()).isEqualTo(definition);
  }

  @Test
  void invalidField_namesTheField() {
    Inbound.Invalid in = invalid("{\"command\":\"takeCandidate\",\"streamId\":\"r\",\"label\":{},\"id\":\"0\",\"candidate\":\"\"}");
    assertThat(in.field()).isEqualTo("label");
    assertThat(in.streamId()).isEqualTo("r");
    assertThat(ProtocolCodec.error(in))
        .isEqualTo("{\"command\":\"error\",\"definition\":\"invalidField\",\"streamId\":\"r\",\"field\":\"label\"}");
  }

  @Test
  void deeplyNestedUnknownField_isMalformed_notAStackOverflow() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThat(invalid("{\"command\":\"ping\",\"x\":" + deep + "}").definition())
        .isEqualTo(ErrorDefinition.MALFORMED_MESSAGE);
  }

  @Test
  void replies_matchTheAmsWireFormat() {
    assertThat(ProtocolCodec.joined("r")).isEqualTo("{\"command\":\"notification\",\"definition\":\"joined\",\"streamId\":\"r\"}");
    assertThat(ProtocolCodec.leaved("r")).isEqualTo("{\"command\":\"notification\",\"definition\":\"leaved\",\"streamId\":\"r\"}");
    assertThat(ProtocolCodec.start("r")).isEqualTo("{\"command\":\"start\",\"streamId\":\"r\"}");
    assertThat(ProtocolCodec.stop("r")).isEqualTo("{\"command\":\"stop\",\"streamId\":\"r\"}");
    assertThat(ProtocolCodec.error(ErrorDefinition.NO_SPACE_FOR_NEW_PEER, "r"))
        .isEqualTo("{\"command\":\"error\",\"definition\":\"NoSpaceForNewPeer\",\"streamId\":\"r\"}");
    assertThat(ProtocolCodec.iceServerConfig("stun:h:1", "u\"", ""))
        .isEqualTo("{\"command\":\"iceServerConfig\",\"stunServerUri\":\"stun:h:1\",\"turnServerUsername\":\"u\\\"\","
            + "\"turnServerCredential\":\"\"}");
  }

  @Test
  void amsErrorDefinitions_areByteForByte() {
    assertThat(ErrorDefinition.NO_STREAM_NAME_SPECIFIED.wire()).isEqualTo("noStreamNameSpecified");
    assertThat(ErrorDefinition.INVALID_STREAM_NAME.wire()).isEqualTo("invalidStreamName");
    assertThat(ErrorDefinition.NO_SPACE_FOR_NEW_PEER.wire()).isEqualTo("NoSpaceForNewPeer");
    assertThat(ErrorDefinition.NO_PEER_ASSOCIATED_BEFORE.wire()).isEqualTo("no_peer_associated_before");
    assertThat(ErrorDefinition.UNAUTHORIZED_ACCESS.wire()).isEqualTo("unauthorized_access");
  }
}
