package io.signaling.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.internal.nio.BufferObjectDataInput;
import com.hazelcast.internal.nio.BufferObjectDataOutput;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvent;
import io.signaling.node.room.RoomLife;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of every record that crosses the cluster (envelopes and their batches on the event bus; rooms,
 * decisions and entry processors in Hazelcast), in wire format 1: this release writes exactly these bytes and
 * reads them back, and it reads what a later release may write under the rule of docs/ARCHITECTURE.md
 * ("Wire formats": fields appended at the end of a body, unknown kinds). A change to a golden file is a change
 * of the wire: it needs the rule's care, never a regenerated file. Files: src/test/resources/wire/v1/; written
 * only with {@code -Dwire.golden.write=true} (for a record that is new).
 */
class WireFormatGoldenTest {

  private static final Path GOLDEN = Path.of("src", "test", "resources", "wire", "v1");
  private static final PeerRef A = new PeerRef("5c7a0a52-node-a", "signaling.inbox.5c7a0a52-node-a.1", 7, false);
  private static final PeerRef B = new PeerRef("9e1f33b0-node-b", "signaling.inbox.9e1f33b0-node-b.2", 9, true);
  private static final Room WAITING = new Room(List.of(A), 1_764_600_000_000_001L);
  private static final Room PAIRED = new Room(List.of(A, B), 1_764_600_000_000_002L);
  /** Added with resume: a resumable peer, and its slot held. */
  private static final PeerRef C = new PeerRef("5c7a0a52-node-a", "signaling.inbox.5c7a0a52-node-a.1", 8, false,
      "rk-Zm9vYmFy", 0);
  private static final PeerRef C_HELD = C.heldUntil(1_764_600_030_000L);
  private static final Room HELD = new Room(List.of(C_HELD, B), 1_764_600_000_000_003L);
  private static final Room RESUMED = new Room(List.of(C, B), 1_764_600_000_000_004L);
  /** Added with webhooks: a room in a life, with an event not yet delivered and a receiver's cursor. */
  private static final RoomLife LIFE = new RoomLife("0f8e2b7c-1d2e-4f60-8a9b-0c1d2e3f4a5b", 4, 1_764_600_000_500L, 4,
      List.of(new RoomEvent(4, 1_764_600_000_500L, "{\"id\":\"0f8e2b7c-1d2e-4f60-8a9b-0c1d2e3f4a5b-4\",\"event\":\"call_started\"}")),
      List.of(3L));
  private static final Room PAIRED_IN_LIFE = PAIRED.withLife(LIFE);
  private static final Room FINISHED_UNDELIVERED = new Room(List.of(), 1_764_600_000_000_005L,
      new RoomLife(null, 0, 0, 4, LIFE.outbox(), List.of()));

  private final InternalSerializationService hazelcast;

  WireFormatGoldenTest() {
    Config config = new Config();
    RoomSerialization.configure(config, 3600);
    hazelcast = new DefaultSerializationServiceBuilder().setConfig(config.getSerializationConfig()).build();
  }

  private static Map<String, Envelope> envelopes() {
    Map<String, Envelope> m = new LinkedHashMap<>();
    m.put("envelope-relay", Envelope.relay(A, B, "room-1", "{\"command\":\"takeCandidate\",\"candidate\":\"ü€\"}"));
    m.put("envelope-paired", Envelope.paired(A, B, "room-2", true, PAIRED.version()));
    m.put("envelope-partner-left", Envelope.partnerLeft(B, A, "room-3", WAITING.version()));
    return m;
  }

  private static Map<String, Object> hazelcastRecords() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("room-waiting", WAITING);
    m.put("room-paired", PAIRED);
    m.put("join-decision-alone", new JoinDecision(JoinDecision.Outcome.ALONE, WAITING, null, null));
    m.put("join-decision-paired", new JoinDecision(JoinDecision.Outcome.PAIRED, PAIRED, A, A));
    m.put("join-decision-already-member", new JoinDecision(JoinDecision.Outcome.ALREADY_MEMBER, PAIRED, B, null));
    m.put("join-decision-full", new JoinDecision(JoinDecision.Outcome.FULL, PAIRED, null, null));
    m.put("leave-decision-removed", new LeaveDecision(true, A, WAITING));
    m.put("leave-decision-not-member", LeaveDecision.NOT_MEMBER);
    m.put("room-held", HELD);
    m.put("join-decision-resumed", new JoinDecision(JoinDecision.Outcome.RESUMED, RESUMED, B, null, C_HELD));
    m.put("join-decision-paired-resumable", new JoinDecision(JoinDecision.Outcome.PAIRED, RESUMED, C, C));
    m.put("leave-decision-held", new LeaveDecision(true, B, HELD));
    m.put("room-life", PAIRED_IN_LIFE);
    m.put("room-finished-undelivered", FINISHED_UNDELIVERED);
    return m;
  }

  private static Map<String, Supplier<Object>> processors() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("processor-join", () -> new JoinProcessor(B));
    m.put("processor-leave", () -> new LeaveProcessor(B, null));
    m.put("processor-evict", () -> new LeaveProcessor(B, A));
    m.put("processor-set-room", () -> new SetRoomProcessor<>("room-2", PAIRED));
    m.put("processor-set-room-empty", () -> new SetRoomProcessor<>("room-2", null));
    m.put("processor-purge-node", () -> new PurgeNodeProcessor(B.node(), 1_764_600_000_123L));
    m.put("processor-without-node", () -> new WithoutNodeProcessor(B.node(), 1_764_600_000_123L));
    m.put("processor-join-resumable", () -> new JoinProcessor(C, 30_000));
    m.put("processor-hold", () -> new HoldProcessor(C, 30_000));
    m.put("processor-set-room-held", () -> new SetRoomProcessor<>("room-4", HELD));
    m.put("processor-purge-node-resume", () -> new PurgeNodeProcessor(B.node(), 1_764_600_000_123L, 30_000));
    m.put("processor-without-node-resume", () -> new WithoutNodeProcessor(B.node(), 1_764_600_000_123L, 30_000));
    m.put("processor-leave-reason", () -> new LeaveProcessor(B, null, LeaveReason.REMOVED, 30_000));
    m.put("processor-evict-reason", () -> new LeaveProcessor(B, A, LeaveReason.EXPIRED));
    m.put("processor-set-room-life", () -> new SetRoomProcessor<>("room-5", PAIRED_IN_LIFE));
    m.put("processor-acknowledge", () -> new AcknowledgeProcessor(1, 4, 2));
    m.put("processor-adopt", AdoptProcessor::new);
    return m;
  }

  private static byte[] golden(String name, byte[] actual) throws IOException {
    Path file = GOLDEN.resolve(name + ".hex");
    if (Boolean.getBoolean("wire.golden.write") && !Files.exists(file)) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, HexFormat.of().formatHex(actual) + "\n");
    }
    assertThat(file).as("golden file for " + name).exists();
    return HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).trim());
  }

  private static byte[] bytes(Buffer b) {
    return b.getBytes();
  }

  @Test
  void envelopes_areWrittenAsTheGoldenBytes_andReadBack() throws IOException {
    for (Map.Entry<String, Envelope> e : envelopes().entrySet()) {
      Buffer wire = Buffer.buffer();
      new EnvelopeCodec().encodeToWire(wire, e.getValue());
      byte[] golden = golden(e.getKey(), bytes(wire));
      assertThat(HexFormat.of().formatHex(bytes(wire))).as(e.getKey()).isEqualTo(HexFormat.of().formatHex(golden));
      assertThat(new EnvelopeCodec().decodeFromWire(0, Buffer.buffer(golden))).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void aBatch_isWrittenAsTheGoldenBytes_andReadBack() throws IOException {
    EnvelopeBatch batch = new EnvelopeBatch(List.copyOf(envelopes().values()));
    Buffer wire = Buffer.buffer();
    new EnvelopeBatchCodec().encodeToWire(wire, batch);
    byte[] golden = golden("envelope-batch", bytes(wire));
    assertThat(HexFormat.of().formatHex(bytes(wire))).isEqualTo(HexFormat.of().formatHex(golden));
    assertThat(new EnvelopeBatchCodec().decodeFromWire(0, Buffer.buffer(golden)).envelopes())
        .containsExactlyElementsOf(batch.envelopes());
  }

  @Test
  void hazelcastRecords_areWrittenAsTheGoldenBytes_andReadBack() throws IOException {
    for (Map.Entry<String, Object> e : hazelcastRecords().entrySet()) {
      byte[] actual = hazelcast.toData(e.getValue()).toByteArray();
      byte[] golden = golden(e.getKey(), actual);
      assertThat(HexFormat.of().formatHex(actual)).as(e.getKey()).isEqualTo(HexFormat.of().formatHex(golden));
      Object read = hazelcast.toObject(new HeapData(golden));
      assertThat(read).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void entryProcessors_areWrittenAsTheGoldenBytes_andReadBackToTheSameBytes() throws IOException {
    for (Map.Entry<String, Supplier<Object>> e : processors().entrySet()) {
      byte[] actual = hazelcast.toData(e.getValue().get()).toByteArray();
      byte[] golden = golden(e.getKey(), actual);
      assertThat(HexFormat.of().formatHex(actual)).as(e.getKey()).isEqualTo(HexFormat.of().formatHex(golden));
      Object read = hazelcast.toObject(new HeapData(golden));
      assertThat(read.getClass()).isEqualTo(e.getValue().get().getClass());
      assertThat(HexFormat.of().formatHex(hazelcast.toData(read).toByteArray())).as(e.getKey())
          .isEqualTo(HexFormat.of().formatHex(golden));
    }
  }

  // ------------------------------------------------------------------ what the next release may write

  /**
   * The golden envelope with {@code extra} appended to its body, as a later release adding a field writes it:
   * after the fields appended with resume (no resume key, not held), which a later release writes first.
   */
  private static Buffer withTrailingField(byte[] golden, byte[] extra) {
    Buffer b = Buffer.buffer(golden).appendInt(-1).appendLong(0).appendBytes(extra);
    extra = new byte[extra.length + 12];
    b.setInt(1, b.getInt(1) + extra.length);
    return b;
  }

  @Test
  void anEnvelopeWithFieldsAddedByALaterRelease_isReadAsToday_andTheNextEnvelopeIsNotDisturbed() throws IOException {
    byte[] extra = {0x7f, 0, 0, 0, 3, 'n', 'e', 'w'};
    for (Map.Entry<String, Envelope> e : envelopes().entrySet()) {
      Buffer wire = Buffer.buffer();
      new EnvelopeCodec().encodeToWire(wire, e.getValue());
      Buffer next = withTrailingField(golden(e.getKey(), bytes(wire)), extra);
      // and a second envelope right after it, as in a batch
      new EnvelopeCodec().encodeToWire(next, e.getValue());
      int[] at = {0};
      assertThat(EnvelopeCodec.read(next, at)).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(EnvelopeCodec.read(next, at)).as(e.getKey() + ", the one after").isEqualTo(e.getValue());
      assertThat(at[0]).isEqualTo(next.length());
    }
  }

  @Test
  void anEnvelopeOfAKindOrFormatThisReleaseDoesNotKnow_isReadAsUnknown_andSkipped() {
    Buffer wire = Buffer.buffer();
    new EnvelopeCodec().encodeToWire(wire, Envelope.partnerLeft(B, A, "room-3", 5));
    Buffer newKind = wire.copy();
    newKind.setByte(5, (byte) 42);
    Buffer newFormat = wire.copy();
    newFormat.setByte(0, (byte) 2);
    for (Buffer b : List.of(newKind, newFormat)) {
      Buffer twice = b.copy();
      new EnvelopeCodec().encodeToWire(twice, Envelope.relay(A, B, "r", "after"));
      int[] at = {0};
      assertThat(EnvelopeCodec.read(twice, at).kind()).isEqualTo(Envelope.Kind.UNKNOWN);
      assertThat(EnvelopeCodec.read(twice, at)).isEqualTo(Envelope.relay(A, B, "r", "after"));
    }
  }

  @Test
  void hazelcastRecordsWithFieldsAddedByALaterRelease_areReadAsToday() throws IOException {
    // GIVEN a room and a join decision as a later release writes them: the same fields (those of format 1 as
    // first released, then those appended with resume: the replaced slot and the slot block, and with webhooks:
    // the life block), then new ones
    byte[] roomBody = new WireBody.Writer().room(PAIRED).slots(true).life(LIFE).u8(9).string("a later field")
        .toBytes();
    byte[] decisionBody = new WireBody.Writer().u8(2).room(PAIRED).peer(A).peer(A).peer(null).slots(true).i64(77)
        .toBytes();
    // WHEN this release reads them
    Room room = new RoomSerialization.RoomSerializer().read(framed(1, roomBody));
    JoinDecision decision = new RoomSerialization.JoinDecisionSerializer().read(framed(1, decisionBody));
    // THEN it reads what it knows and ignores the rest
    assertThat(room).isEqualTo(PAIRED_IN_LIFE);
    assertThat(decision).isEqualTo(new JoinDecision(JoinDecision.Outcome.PAIRED, PAIRED, A, A));
  }

  @Test
  void aRoomInALife_isReadByAReleaseBeforeWebhooks_asTheRoomWithoutIt() throws IOException {
    // GIVEN a room in a life, as this release writes it
    BufferObjectDataOutput out = hazelcast.createObjectDataOutput();
    new RoomSerialization.RoomSerializer().write(out, PAIRED_IN_LIFE);
    BufferObjectDataInput in = hazelcast.createObjectDataInput(out.toByteArray());
    // WHEN a release before webhooks reads it (the room, then the slot block, ignoring the rest)
    WireBody.Reader body = RoomSerialization.read(in, "room");
    Room room = body.room();
    room = body.slots().slotted(room);
    // THEN it has the room as it knows it
    assertThat(room).isEqualTo(PAIRED);
  }

  @Test
  void aHazelcastRecordOfAFormatOrOutcomeThisReleaseDoesNotKnow_isRefusedWithAClearError() {
    byte[] roomBody = new WireBody.Writer().room(PAIRED).toBytes();
    assertThatThrownBy(() -> new RoomSerialization.RoomSerializer().read(framed(2, roomBody)))
        .isInstanceOf(IOException.class).hasMessageContaining("format 2");
    byte[] decisionBody = new WireBody.Writer().u8(9).room(PAIRED).peer(A).peer(A).toBytes();
    assertThatThrownBy(() -> new RoomSerialization.JoinDecisionSerializer().read(framed(1, decisionBody)))
        .isInstanceOf(IOException.class).hasMessageContaining("unknown join outcome 9");
  }

  private BufferObjectDataInput framed(int format, byte[] body) throws IOException {
    BufferObjectDataOutput out = hazelcast.createObjectDataOutput();
    out.writeByte(format);
    out.writeByteArray(body);
    return hazelcast.createObjectDataInput(out.toByteArray());
  }
}
