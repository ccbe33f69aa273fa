package io.signaling.node.cluster;

import io.signaling.node.room.PeerRef;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;

/** A small explicit binary codec for {@link Envelope}: no JSON between nodes, the frame text as UTF-8. */
public final class EnvelopeCodec implements MessageCodec<Envelope, Envelope> {

  public static final String NAME = "signaling-envelope";

  @Override
  public void encodeToWire(Buffer buffer, Envelope e) {
    write(buffer, e);
  }

  static void write(Buffer buffer, Envelope e) {
    buffer.appendByte((byte) e.kind().ordinal());
    buffer.appendLong(e.target());
    writeString(buffer, e.streamId());
    PeerRef p = e.peer();
    writeString(buffer, p.node());
    writeString(buffer, p.inbox());
    buffer.appendLong(p.session());
    buffer.appendByte((byte) ((p.playOnly() ? 1 : 0) | (e.start() ? 2 : 0)));
    buffer.appendLong(e.version());
    if (e.text() == null) {
      buffer.appendInt(-1);
    } else {
      writeString(buffer, e.text());
    }
  }

  @Override
  public Envelope decodeFromWire(int pos, Buffer buffer) {
    return read(buffer, new int[] {pos});
  }

  /** Reads one envelope at {@code at[0]}, advancing it past the envelope. */
  static Envelope read(Buffer buffer, int[] at) {
    Envelope.Kind kind = Envelope.Kind.values()[buffer.getByte(at[0]++)];
    long target = buffer.getLong(at[0]);
    at[0] += 8;
    String streamId = readString(buffer, at);
    String node = readString(buffer, at);
    String inbox = readString(buffer, at);
    long session = buffer.getLong(at[0]);
    at[0] += 8;
    byte flags = buffer.getByte(at[0]++);
    long version = buffer.getLong(at[0]);
    at[0] += 8;
    String text = readString(buffer, at);
    return new Envelope(kind, target, streamId, new PeerRef(node, inbox, session, (flags & 1) != 0),
        (flags & 2) != 0, text, version);
  }

  private static void writeString(Buffer buffer, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length);
    buffer.appendBytes(bytes);
  }

  private static String readString(Buffer buffer, int[] at) {
    int length = buffer.getInt(at[0]);
    at[0] += 4;
    if (length < 0) {
      return null;
    }
    String s = buffer.getString(at[0], at[0] + length, "UTF-8");
    at[0] += length;
    return s;
  }

  @Override
  public Envelope transform(Envelope envelope) {
    return envelope;
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
