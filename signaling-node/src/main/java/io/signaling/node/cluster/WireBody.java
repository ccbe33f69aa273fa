package io.signaling.node.cluster;

import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvent;
import io.signaling.node.room.RoomLife;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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
    /** Every peer written so far, in order (also those inside rooms): what {@link #slots} describes. */
    private final List<PeerRef> peers = new ArrayList<>(4);

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
        peers.add(peer);
      }
      return this;
    }

    /** True when a peer written so far has slot fields other than their defaults (no resume key, not held). */
    boolean hasSlots() {
      return peers.stream().anyMatch(p -> p.resumeKey() != null || p.heldUntil() != 0);
    }

    /**
     * The slot block, appended after a record's format-1 fields: the number of peers written so far, then for
     * each, in the order written, its resume key (null when it did not opt in) and its held-until time (0 when
     * attached). A record whose peers all have the defaults leaves it out unless {@code always} (when fields
     * follow it), so its bytes stay those of format 1 as first released.
     */
    Writer slots(boolean always) {
      if (always || hasSlots()) {
        u8(peers.size());
        for (PeerRef p : List.copyOf(peers)) {
          string(p.resumeKey()).i64(p.heldUntil());
        }
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

    /**
     * The life block (added with webhooks), appended after a room's slot block: the life's id, its last sequence
     * number, when its pair started, the next ordinal, the events not yet delivered (ordinal, time, body) and the
     * receivers' cursors.
     */
    Writer life(RoomLife life) {
      bool(life != null);
      if (life != null) {
        string(life.sid()).i64(life.seq()).i64(life.pairedAt()).i64(life.nextOrdinal());
        i32(life.outbox().size());
        for (RoomEvent e : life.outbox()) {
          i64(e.ordinal()).i64(e.createdAt()).string(e.json());
        }
        u8(life.cursors().size());
        life.cursors().forEach(this::i64);
      }
      return this;
    }

    Writer i32(int value) {
      try {
        out.writeInt(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    byte[] toBytes() {
      return bytes.toByteArray();
    }
  }

  static final class Reader {
    private final ByteBuffer in;
    /** Every peer read so far, in order, as read from the format-1 fields. */
    private final List<PeerRef> peers = new ArrayList<>(4);
    /** The peers as completed by the slot block, by identity of what {@link #peer()} returned. */
    private final Map<PeerRef, PeerRef> slotted = new IdentityHashMap<>();

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
      PeerRef p = new PeerRef(string(), string(), i64(), bool());
      peers.add(p);
      return p;
    }

    /** Reads the slot block ({@link Writer#slots}) when the body has one; without it every peer keeps the defaults. */
    Reader slots() {
      if (!more()) {
        return this;
      }
      int n = u8();
      for (int i = 0; i < n; i++) {
        String key = string();
        long heldUntil = i64();
        if (i < peers.size()) {
          PeerRef p = peers.get(i);
          slotted.put(p, new PeerRef(p.node(), p.inbox(), p.session(), p.playOnly(), key, heldUntil));
        }
      }
      return this;
    }

    /** {@code peer} (as returned by {@link #peer()}) with its slot fields, after {@link #slots()}. */
    PeerRef slotted(PeerRef peer) {
      return peer == null ? null : slotted.getOrDefault(peer, peer);
    }

    /** {@code room} (as returned by {@link #room()}) with its peers' slot fields, after {@link #slots()}. */
    Room slotted(Room room) {
      if (room == null || slotted.isEmpty()) {
        return room;
      }
      return new Room(room.peers().stream().map(this::slotted).toList(), room.version());
    }

    /** The life block ({@link Writer#life}), or null when the body ends before it. */
    RoomLife life() {
      if (!more() || !bool()) {
        return null;
      }
      String sid = string();
      long seq = i64();
      long pairedAt = i64();
      long nextOrdinal = i64();
      int n = in.getInt();
      List<RoomEvent> outbox = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        outbox.add(new RoomEvent(i64(), i64(), string()));
      }
      int c = u8();
      List<Long> cursors = new ArrayList<>(c);
      for (int i = 0; i < c; i++) {
        cursors.add(i64());
      }
      return new RoomLife(sid, seq, pairedAt, nextOrdinal, outbox, cursors);
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
