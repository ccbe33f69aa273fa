package io.signaling.node.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.signaling.node.protocol.ClientMessage;
import io.signaling.node.protocol.Inbound;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.protocol.StreamIds;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The codec never throws, and whatever it accepts re-encodes to valid JSON with the fields intact. */
class CodecPropertiesTest {

  private static final JsonFactory JSON = new JsonFactory();
  private final ProtocolCodec codec = new ProtocolCodec(128);

  @Provide
  Arbitrary<String> frames() {
    return Frames.frame();
  }

  @Property(tries = 100_000)
  void decodingAnyFrame_neverThrows_andRepliesAreValidJson(@ForAll("frames") String frame) throws Exception {
    Inbound in = codec.decode(frame);
    if (in instanceof Inbound.Invalid invalid) {
      assertValidJson(ProtocolCodec.error(invalid));
      return;
    }
    ClientMessage m = ((Inbound.Valid) in).message();
    if (m.command().needsStreamId()) {
      assertThat(StreamIds.isValid(m.streamId(), 128)).isTrue();
    }
    switch (m.command()) {
      case TAKE_CONFIGURATION -> assertValidJson(ProtocolCodec.takeConfiguration(m.streamId(), m.type(), m.sdp()));
      case TAKE_CANDIDATE -> assertValidJson(ProtocolCodec.takeCandidate(m.streamId(), m.label(), m.id(), m.candidate()));
      case JOIN -> assertValidJson(ProtocolCodec.joined(m.streamId()));
      default -> {
      }
    }
  }

  private static void assertValidJson(String text) throws Exception {
    try (JsonParser p = JSON.createParser(text)) {
      p.nextToken();
      p.skipChildren();
      assertThat(p.nextToken()).as(text).isNull();
    }
  }
}
