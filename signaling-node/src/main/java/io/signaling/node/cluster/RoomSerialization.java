package io.signaling.node.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.nio.serialization.StreamSerializer;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Hazelcast wiring of the room directory: the map's configuration and compact binary serializers for the
 * pure room types and the entry processors, so no Java serialization crosses the cluster.
 */
public final class RoomSerialization {

  public static final String ROOMS_MAP = "signaling.rooms";
  static final int FACTORY_ID = 0x5167;
  // ids 1 to 7 were the records before they were versioned: new ids, so that an unversioned node fails to
  // read them instead of misreading them. From here on a record keeps its id and evolves by the rule in
  // docs/ARCHITECTURE.md ("Wire formats")
  static final int JOIN_PROCESSOR = 11;
  static final int LEAVE_PROCESSOR = 12;
  static final int PURGE_NODE_PROCESSOR = 13;
  static final int SET_ROOM_PROCESSOR = 14;
  static final int WITHOUT_NODE_PROCESSOR = 15;
  /** Added with resume: only nodes that know it send it (see "Wire formats" in docs/ARCHITECTURE.md). */
  static final int HOLD_PROCESSOR = 16;
  /** Added with webhooks: sent only by a node that delivers events, to its own partitions. */
  static final int ACKNOWLEDGE_PROCESSOR = 17;
  /**
   * Added with the webhook gate: sent only while every member advertises {@link ClusterFeatures#ROOM_LIVES}, so
   * every member can read it.
   */
  static final int ADOPT_PROCESSOR = 18;
  /** The Hazelcast member attribute in which Vert.x stores its node id. */
  public static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  /** 0x5100 to 0x5103 were the unversioned records. */
  static final int ROOM_TYPE = 0x5110;
  static final int JOIN_DECISION_TYPE = 0x5111;
  static final int LEAVE_DECISION_TYPE = 0x5112;

  private RoomSerialization() {
  }

  /**
   * Adds the rooms map and the serializers to a member configuration.
   *
   * @param roomMaxIdleSeconds a room entry nobody joined or left for this long is dropped (its lifetime)
   */
  public static void configure(Config config, int roomMaxIdleSeconds) {
    configure(config, roomMaxIdleSeconds, false);
  }

  /**
   * @param syncBackup one synchronous backup instead of an asynchronous one (webhooks: the events of a change are
   *     on two members before the change is answered)
   */
  public static void configure(Config config, int roomMaxIdleSeconds, boolean syncBackup) {
    config.addMapConfig(new MapConfig(ROOMS_MAP)
        .setMaxIdleSeconds(roomMaxIdleSeconds)
        .setBackupCount(syncBackup ? 1 : 0)
        .setAsyncBackupCount(syncBackup ? 0 : 1)
        .setStatisticsEnabled(false)
        .setPerEntryStatsEnabled(false));
    config.getSerializationConfig()
        .addDataSerializableFactory(FACTORY_ID, RoomSerialization::create)
        .addSerializerConfig(new SerializerConfig().setTypeClass(Room.class).setImplementation(new RoomSerializer()))
        .addSerializerConfig(new SerializerConfig().setTypeClass(JoinDecision.class)
            .setImplementation(new JoinDecisionSerializer()))
        .addSerializerConfig(new SerializerConfig().setTypeClass(LeaveDecision.class)
            .setImplementation(new LeaveDecisionSerializer()));
  }

  private static IdentifiedDataSerializable create(int classId) {
    switch (classId) {
      case JOIN_PROCESSOR: return new JoinProcessor();
      case LEAVE_PROCESSOR: return new LeaveProcessor();
      case PURGE_NODE_PROCESSOR: return new PurgeNodeProcessor();
      case SET_ROOM_PROCESSOR: return new SetRoomProcessor<>();
      case WITHOUT_NODE_PROCESSOR: return new WithoutNodeProcessor();
      case HOLD_PROCESSOR: return new HoldProcessor();
      case ACKNOWLEDGE_PROCESSOR: return new AcknowledgeProcessor();
      case ADOPT_PROCESSOR: return new AdoptProcessor();
      default: return null;
    }
  }

  /** Writes a versioned record: the format, then the body as one length-prefixed byte array. */
  static void write(ObjectDataOutput out, WireBody.Writer body) throws IOException {
    out.writeByte(WireBody.FORMAT);
    out.writeByteArray(body.toBytes());
  }

  /**
   * Reads a versioned record's framing; the caller reads the fields it knows from the body and ignores what
   * follows them. A format this release does not know is refused (written by a release that changed the
   * record incompatibly, which the rule in docs/ARCHITECTURE.md allows only after every node reads it).
   */
  static WireBody.Reader read(ObjectDataInput in, String what) throws IOException {
    int format = in.readByte();
    byte[] body = in.readByteArray();
    if (format != WireBody.FORMAT) {
      throw new IOException("unknown " + what + " record format " + format + " (this release reads "
          + WireBody.FORMAT + ")");
    }
    return new WireBody.Reader(body);
  }

  /** Wire codes of the join outcomes: explicit, never ordinals. */
  static int outcomeCode(JoinDecision.Outcome outcome) {
    switch (outcome) {
      case ALONE: return 1;
      case PAIRED: return 2;
      case ALREADY_MEMBER: return 3;
      case FULL: return 4;
      case RESUMED: return 5;
      default: throw new IllegalArgumentException("no wire code for " + outcome);
    }
  }

  static JoinDecision.Outcome outcome(int code) throws IOException {
    switch (code) {
      case 1: return JoinDecision.Outcome.ALONE;
      case 2: return JoinDecision.Outcome.PAIRED;
      case 3: return JoinDecision.Outcome.ALREADY_MEMBER;
      case 4: return JoinDecision.Outcome.FULL;
      case 5: return JoinDecision.Outcome.RESUMED;
      default: throw new IOException("unknown join outcome " + code + " (from a newer release?)");
    }
  }

  /**
   * A room's slot block and, when it has a life (webhooks), the life block after it (the slot block is then
   * always written, so that a reader of an earlier release skips the life as trailing bytes).
   */
  static WireBody.Writer withLife(WireBody.Writer body, Room room) {
    if (room == null || room.life() == null) {
      return body.slots(false);
    }
    return body.slots(true).life(room.life());
  }

  /** {@code room} with the life block read after the slot block, if any. */
  static Room withLife(WireBody.Reader body, Room room) {
    if (room == null) {
      return null;
    }
    return room.withLife(body.life());
  }

  static final class RoomSerializer implements StreamSerializer<Room> {
    @Override
    public int getTypeId() {
      return ROOM_TYPE;
    }

    @Override
    public void write(ObjectDataOutput out, Room room) throws IOException {
      RoomSerialization.write(out, withLife(new WireBody.Writer().room(room), room));
    }

    @Override
    public Room read(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "room");
      Room room = body.room();
      room = body.slots().slotted(room);
      return withLife(body, room);
    }
  }

  static final class JoinDecisionSerializer implements StreamSerializer<JoinDecision> {
    @Override
    public int getTypeId() {
      return JOIN_DECISION_TYPE;
    }

    @Override
    public void write(ObjectDataOutput out, JoinDecision d) throws IOException {
      WireBody.Writer body = new WireBody.Writer().u8(outcomeCode(d.outcome())).room(d.room())
          .peer(d.partner()).peer(d.offerer());
      // appended with resume: the replaced slot, then the slot block of every peer above
      if (d.replaced() != null || body.hasSlots()) {
        body.peer(d.replaced()).slots(true);
      }
      RoomSerialization.write(out, body);
    }

    @Override
    public JoinDecision read(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "join decision");
      JoinDecision.Outcome outcome = outcome(body.u8());
      Room room = body.room();
      PeerRef partner = body.peer();
      PeerRef offerer = body.peer();
      PeerRef replaced = body.more() ? body.peer() : null;
      body.slots();
      return new JoinDecision(outcome, body.slotted(room), body.slotted(partner), body.slotted(offerer),
          body.slotted(replaced));
    }
  }

  static final class LeaveDecisionSerializer implements StreamSerializer<LeaveDecision> {
    @Override
    public int getTypeId() {
      return LEAVE_DECISION_TYPE;
    }

    @Override
    public void write(ObjectDataOutput out, LeaveDecision d) throws IOException {
      RoomSerialization.write(out, new WireBody.Writer().bool(d.removed()).peer(d.remaining()).room(d.room())
          .slots(false));
    }

    @Override
    public LeaveDecision read(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "leave decision");
      boolean removed = body.bool();
      PeerRef remaining = body.peer();
      Room room = body.room();
      body.slots();
      return new LeaveDecision(removed, body.slotted(remaining), body.slotted(room));
    }
  }
}
