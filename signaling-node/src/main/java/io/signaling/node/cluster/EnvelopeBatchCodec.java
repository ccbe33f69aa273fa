package io.signaling.node.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of an {@link EnvelopeBatch}: the format byte, a count, then each envelope as {@link EnvelopeCodec}
 * writes it (each a versioned record of its own).
 */
public final class EnvelopeBatchCodec implements MessageCodec<EnvelopeBatch, EnvelopeBatch> {

  public static final String NAME = "signaling-envelope-batch";

  @Override
  public void encodeToWire(Buffer buffer, EnvelopeBatch batch) {
    buffer.appendByte((byte) WireBody.FORMAT);
    buffer.appendInt(batch.envelopes().size());
    for (Envelope e : batch.envelopes()) {
      EnvelopeCodec.write(buffer, e);
    }
  }

  @Override
  public EnvelopeBatch decodeFromWire(int pos, Buffer buffer) {
    int format = buffer.getByte(pos);
    if (format != WireBody.FORMAT) {
      // a batch framed by a release this one cannot read: nothing in it is understood
      return new EnvelopeBatch(List.of());
    }
    int count = buffer.getInt(pos + 1);
    int[] at = {pos + 5};
    List<Envelope> envelopes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      envelopes.add(EnvelopeCodec.read(buffer, at));
    }
    return new EnvelopeBatch(envelopes);
  }

  @Override
  public EnvelopeBatch transform(EnvelopeBatch batch) {
    return batch;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
