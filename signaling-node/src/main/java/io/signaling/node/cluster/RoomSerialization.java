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
  static final int JOIN_PROCESSOR = 1;
  static final int LEAVE_PROCESSOR = 2;
  // 3 and 4 were PurgeNode and SetRoom before they changed form: new ids, so that a node of an older version
  // fails to read them instead of misreading them
  static final int PURGE_NODE_PROCESSOR = 5;
  static final int SET_ROOM_PROCESSOR = 6;
  static final int WITHOUT_NODE_PROCESSOR = 7;
  /** The Hazelcast member attribute in which Vert.x stores its node id. */
  public static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  private static final int ROOM_TYPE = 0x5100;
  private static final int JOIN_DECISION_TYPE = 0x5101;
  /** 0x5102 was the leave decision without its room. */
  private static final int LEAVE_DECISION_TYPE = 0x5103;

  private RoomSerialization() {
  }

  /**
   * Adds the rooms map and the serializers to a member configuration.
   *
   * @param roomMaxIdleSeconds a room entry nobody joined or left for this long is dropped (its lifetime)
   */
  public static void configure(Config config, int roomMaxIdleSeconds) {
    config.addMapConfig(new MapConfig(ROOMS_MAP)
        .setMaxIdleSeconds(roomMaxIdleSeconds)
        .setBackupCount(0)
        .setAsyncBackupCount(1)
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
      case JOIN_PROCESSOR: return new RoomProcessors.Join();
      case LEAVE_PROCESSOR: return new RoomProcessors.Leave();
      case PURGE_NODE_PROCESSOR: return new RoomProcessors.PurgeNode();
      case SET_ROOM_PROCESSOR: return new RoomProcessors.SetRoom<>();
      case WITHOUT_NODE_PROCESSOR: return new RoomProcessors.WithoutNode();
      default: return null;
    }
  }

  static void writePeer(ObjectDataOutput out, PeerRef peer) throws IOException {
    out.writeBoolean(peer != null);
    if (peer != null) {
      out.writeString(peer.node());
      out.writeString(peer.inbox());
      out.writeLong(peer.session());
      out.writeBoolean(peer.playOnly());
    }
  }

  static PeerRef readPeer(ObjectDataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new PeerRef(in.readString(), in.readString(), in.readLong(), in.readBoolean());
  }

  static void writeRoom(ObjectDataOutput out, Room room) throws IOException {
    out.writeLong(room.version());
    out.writeByte(room.peers().size());
    for (PeerRef p : room.peers()) {
      writePeer(out, p);
    }
  }

  static Room readRoom(ObjectDataInput in) throws IOException {
    long version = in.readLong();
    int n = in.readByte();
    List<PeerRef> peers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      peers.add(readPeer(in));
    }
    return new Room(peers, version);
  }

  static final class RoomSerializer implements StreamSerializer<Room> {
    @Override
    public int getTypeId() {
      return ROOM_TYPE;
    }

    @Override
    public void write(ObjectDataOutput out, Room room) throws IOException {
      writeRoom(out, room);
    }

    @Override
    public Room read(ObjectDataInput in) throws IOException {
      return readRoom(in);
    }
  }

  static final class JoinDecisionSerializer implements StreamSerializer<JoinDecision> {
    @Override
    public int getTypeId() {
      return JOIN_DECISION_TYPE;
    }

    @Override
    public void write(ObjectDataOutput out, JoinDecision d) throws IOException {
      out.writeByte(d.outcome().ordinal());
      writeRoom(out, d.room());
      writePeer(out, d.partner());
      writePeer(out, d.offerer());
    }

    @Override
    public JoinDecision read(ObjectDataInput in) throws IOException {
      JoinDecision.Outcome outcome = JoinDecision.Outcome.values()[in.readByte()];
      return new JoinDecision(outcome, readRoom(in), readPeer(in), readPeer(in));
    }
  }

  static final class LeaveDecisionSerializer implements StreamSerializer<LeaveDecision> {
    @Override
    public int getTypeId() {
      return LEAVE_DECISION_TYPE;
    }

    @Override
    public void write(ObjectDataOutput out, LeaveDecision d) throws IOException {
      out.writeBoolean(d.removed());
      writePeer(out, d.remaining());
      out.writeBoolean(d.room() != null);
      if (d.room() != null) {
        writeRoom(out, d.room());
      }
    }

    @Override
    public LeaveDecision read(ObjectDataInput in) throws IOException {
      return new LeaveDecision(in.readBoolean(), readPeer(in), in.readBoolean() ? readRoom(in) : null);
    }
  }
}
