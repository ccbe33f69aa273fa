package io.signaling.node.cluster;

import io.signaling.node.room.PeerRef;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;

/**
 * A small explicit binary codec for {@link Envelope}: no JSON between nodes, the frame text as UTF-8, every
 * envelope a versioned record (see {@link #write}).
 */
public final class EnvelopeCodec implements MessageCodec<Envelope, Envelope> {

  public static final String NAME = "signaling-envelope";

  @Override
  public void encodeToWire(Buffer buffer, Envelope e) {
    write(buffer, e);
  }

  /**
   * Writes one envelope as a versioned record: the format byte, the body's length, then the body (kind code,
   * target, streamId, the peer, flags, version, text). Fields are only ever added at the end of the body.
   */
  static void write(Buffer buffer, Envelope e) {
    buffer.appendByte((byte) WireBody.FORMAT);
    int lengthAt = buffer.length();
    buffer.appendInt(0);
    int bodyAt = buffer.length();
    buffer.appendByte((byte) e.kind().code());
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
    // appended with resume, only when not the defaults: the peer's resume key (-1: none) and held-until time
    if (p.resumeKey() != null || p.heldUntil() != 0) {
      if (p.resumeKey() == null) {
        buffer.appendInt(-1);
      } else {
        writeString(buffer, p.resumeKey());
      }
      buffer.appendLong(p.heldUntil());
    }
    buffer.setInt(lengthAt, buffer.length() - bodyAt);
  }

  @Override
  public Envelope decodeFromWire(int pos, Buffer buffer) {
    return read(buffer, new int[] {pos});
  }

  /**
   * Reads one envelope at {@code at[0]}, advancing it past the envelope's whole body (fields a later release
   * appended are skipped). An envelope of a format or kind this release does not know is read as
   * {@link Envelope.Kind#UNKNOWN}, which the receiver ignores.
   */
  static Envelope read(Buffer buffer, int[] at) {
    int format = buffer.getByte(at[0]++);
    int length = buffer.getInt(at[0]);
    at[0] += 4;
    int end = at[0] + length;
    if (format != WireBody.FORMAT) {
      at[0] = end;
      return Envelope.unknown();
    }
    Envelope.Kind kind = Envelope.Kind.of(buffer.getByte(at[0]++));
    if (kind == Envelope.Kind.UNKNOWN) {
      at[0] = end;
      return Envelope.unknown();
    }
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
    String resumeKey = null;
    long heldUntil = 0;
    if (at[0] + 12 <= end && buffer.getInt(at[0]) <= end - at[0] - 12) {
      resumeKey = readString(buffer, at);
      heldUntil = buffer.getLong(at[0]);
      at[0] += 8;
    }
    at[0] = end;
    return new Envelope(kind, target, streamId, new PeerRef(node, inbox, session, (flags & 1) != 0, resumeKey,
        heldUntil), (flags & 2) != 0, text, version);
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
