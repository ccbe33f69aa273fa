package io.signaling.node.cluster;

import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a versioned cluster record (see docs/ARCHITECTURE.md, "Wire formats"): a record is written as
 * its format number and the length of its body, then the body; a reader takes the fields it knows in order
 * and ignores whatever follows them, so a field added at the end by a later release is skipped by an earlier
 * one, and a reader meeting the end of the body before a field it knows takes that field's default.
 */
final class WireBody {

  /** The format of every record this release writes. Additive changes keep it; see the rule in the docs. */
  static final int FORMAT = 1;

  private WireBody() {
  }

  static final class Writer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    private final DataOutputStream out = new DataOutputStream(bytes);

    Writer u8(int value) {
      try {
        out.writeByte(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Writer bool(boolean value) {
      return u8(value ? 1 : 0);
    }

    Writer i64(long value) {
      try {
        out.writeLong(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    /** A string as its UTF-8 length (-1 for null) and bytes. */
    Writer string(String value) {
      try {
        if (value == null) {
          out.writeInt(-1);
        } else {
          byte[] b = value.getBytes(StandardCharsets.UTF_8);
          out.writeInt(b.length);
          out.write(b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    /** A peer: a presence flag, then node, inbox, session and play-only. */
    Writer peer(PeerRef peer) {
      bool(peer != null);
      if (peer != null) {
        string(peer.node()).string(peer.inbox()).i64(peer.session()).bool(peer.playOnly());
      }
      return this;
    }

    /** A room: a presence flag, then its version, its peer count and its peers. */
    Writer room(Room room) {
      bool(room != null);
      if (room != null) {
        i64(room.version()).u8(room.peers().size());
        room.peers().forEach(this::peer);
      }
      return this;
    }

    byte[] toBytes() {
      return bytes.toByteArray();
    }
  }

  static final class Reader {
    private final ByteBuffer in;

    Reader(byte[] body) {
      this.in = ByteBuffer.wrap(body);
    }

    /** True while the body has fields left: what a later release appended, or fields this one knows. */
    boolean more() {
      return in.hasRemaining();
    }

    int u8() {
      return in.get() & 0xff;
    }

    boolean bool() {
      return in.get() != 0;
    }

    long i64() {
      return in.getLong();
    }

    String string() {
      int length = in.getInt();
      if (length < 0) {
        return null;
      }
      byte[] b = new byte[length];
      in.get(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    PeerRef peer() {
      if (!bool()) {
        return null;
      }
      return new PeerRef(string(), string(), i64(), bool());
    }

    Room room() {
      if (!bool()) {
        return null;
      }
      long version = i64();
      int n = u8();
      List<PeerRef> peers = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        peers.add(peer());
      }
      return new Room(peers, version);
    }
  }
}
