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
      case TAKE_CONFIGURATION -> {
        String quoted = ProtocolCodec.takeConfiguration(m.streamId(), m.type(), m.sdp());
        assertValidJson(quoted);
        assertSameRelay(ProtocolCodec.takeConfiguration(m), quoted);
      }
      case TAKE_CANDIDATE -> {
        String quoted = ProtocolCodec.takeCandidate(m.streamId(), m.label(), m.id(), m.candidate());
        assertValidJson(quoted);
        assertSameRelay(ProtocolCodec.takeCandidate(m), quoted);
      }
      case JOIN -> assertValidJson(ProtocolCodec.joined(m.streamId()));
      default -> {
      }
    }
  }

  /** The relay built from the literals as received carries the same JSON value as the one quoted anew. */
  private void assertSameRelay(String fromLiterals, String quoted) throws Exception {
    assertValidJson(fromLiterals);
    ClientMessage a = ((Inbound.Valid) codec.decode(fromLiterals)).message();
    ClientMessage b = ((Inbound.Valid) codec.decode(quoted)).message();
    assertThat(a.sdp()).isEqualTo(b.sdp());
    assertThat(a.candidate()).isEqualTo(b.candidate());
    assertThat(a.id()).isEqualTo(b.id());
    assertThat(a.type()).isEqualTo(b.type());
    assertThat(a.label()).isEqualTo(b.label());
  }

  private static void assertValidJson(String text) throws Exception {
    try (JsonParser p = JSON.createParser(text)) {
      p.nextToken();
      p.skipChildren();
      assertThat(p.nextToken()).as(text).isNull();
    }
  }
}
