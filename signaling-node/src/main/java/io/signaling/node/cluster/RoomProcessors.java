package io.signaling.node.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomRules;
import java.io.IOException;
import java.util.Map;

/**
 * Entry processors applying {@link RoomRules} to one room's entry on the partition that owns it: Hazelcast
 * runs them one at a time per key, which makes every join and leave atomic across the cluster.
 */
final class RoomProcessors {

  private RoomProcessors() {
  }

  static final class Join implements EntryProcessor<String, Room, JoinDecision>, IdentifiedDataSerializable {
    private PeerRef joiner;

    Join() {
    }

    Join(PeerRef joiner) {
      this.joiner = joiner;
    }

    @Override
    public JoinDecision process(Map.Entry<String, Room> entry) {
      JoinDecision decision = RoomRules.join(entry.getValue(), joiner);
      if (decision.outcome() == JoinDecision.Outcome.ALONE || decision.outcome() == JoinDecision.Outcome.PAIRED) {
        entry.setValue(decision.room());
      }
      return decision;
    }

    @Override
    public int getFactoryId() {
      return RoomSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RoomSerialization.JOIN_PROCESSOR;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      RoomSerialization.writePeer(out, joiner);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      joiner = RoomSerialization.readPeer(in);
    }
  }

  static final class Leave implements EntryProcessor<String, Room, LeaveDecision>, IdentifiedDataSerializable {
    private PeerRef leaver;

    Leave() {
    }

    Leave(PeerRef leaver) {
      this.leaver = leaver;
    }

    @Override
    public LeaveDecision process(Map.Entry<String, Room> entry) {
      Room room = entry.getValue();
      LeaveDecision decision = RoomRules.leave(room, leaver);
      if (decision.removed()) {
        Room after = RoomRules.without(room, leaver);
        entry.setValue(after.isEmpty() ? null : after);
      }
      return decision;
    }

    @Override
    public int getFactoryId() {
      return RoomSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RoomSerialization.LEAVE_PROCESSOR;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      RoomSerialization.writePeer(out, leaver);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      leaver = RoomSerialization.readPeer(in);
    }
  }

  /** Removes a departed node's peers; returns TRUE for a room it changed, else null (nothing is returned). */
  static final class PurgeNode implements EntryProcessor<String, Room, Boolean>, IdentifiedDataSerializable {
    private String node;

    PurgeNode() {
    }

    PurgeNode(String node) {
      this.node = node;
    }

    @Override
    public Boolean process(Map.Entry<String, Room> entry) {
      Room room = entry.getValue();
      if (room == null) {
        return null;
      }
      Room after = RoomRules.withoutNode(room, node);
      if (after.peers().size() == room.peers().size()) {
        return null;
      }
      entry.setValue(after.isEmpty() ? null : after);
      return Boolean.TRUE;
    }

    @Override
    public int getFactoryId() {
      return RoomSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RoomSerialization.PURGE_NODE_PROCESSOR;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
    }
  }
}
