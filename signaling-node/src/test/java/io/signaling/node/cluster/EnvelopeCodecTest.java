package io.signaling.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.room.PeerRef;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

  private final PeerRef a = new PeerRef("node-a", "signaling.inbox.node-a.1", 7, false);
  private final PeerRef b = new PeerRef("node-b", "signaling.inbox.node-b.2", 9, true);

  @Test
  void every_kind_of_envelope_survives_the_wire() {
    for (Envelope e : List.of(Envelope.relay(a, b, "room-1", "{\"command\":\"takeCandidate\",\"candidate\":\"ü€\"}"),
        Envelope.paired(a, b, "room-2", true, 42), Envelope.partnerLeft(b, a, "room-3", 43))) {
      Buffer wire = Buffer.buffer().appendString("prefix");
      new EnvelopeCodec().encodeToWire(wire, e);
      assertThat(new EnvelopeCodec().decodeFromWire(6, wire)).isEqualTo(e);
    }
  }

  @Test
  void a_batch_keeps_every_envelope_in_its_order() {
    // GIVEN relays with texts of varied size, a notice with no text among them
    List<Envelope> envelopes = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      envelopes.add(Envelope.relay(a, b, "room", "x".repeat(i * 37) + i));
    }
    envelopes.add(Envelope.partnerLeft(a, b, "room", 7));
    EnvelopeBatch batch = new EnvelopeBatch(envelopes);

    // WHEN it is written after other data and read back
    Buffer wire = Buffer.buffer().appendInt(123);
    new EnvelopeBatchCodec().encodeToWire(wire, batch);
    EnvelopeBatch read = new EnvelopeBatchCodec().decodeFromWire(4, wire);

    // THEN nothing is lost, changed or reordered
    assertThat(read.envelopes()).containsExactlyElementsOf(envelopes);
  }
}
