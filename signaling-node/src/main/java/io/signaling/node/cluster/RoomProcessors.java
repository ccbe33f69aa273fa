package io.signaling.node.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Entry processors applying {@link RoomRules} to one room's entry on the partition that owns it: Hazelcast
 * runs them one at a time per key, which makes every join and leave atomic across the cluster.
 */
final class RoomProcessors {

  private RoomProcessors() {
  }

  /** The Vert.x node ids of the current members: peers of any other node are stale. */
  static Set<String> liveNodes(HazelcastInstance hazelcast) {
    Set<String> live = new HashSet<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String node = m.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE);
      if (node != null) {
        live.add(node);
      }
    }
    return live;
  }

  /** The room without peers of nodes that are no longer members (entries outlive owners only until here). */
  static Room withoutStalePeers(Room room, HazelcastInstance hazelcast) {
    if (room == null || room.isEmpty() || hazelcast == null) {
      return room;
    }
    Set<String> live = liveNodes(hazelcast);
    Room kept = room;
    for (PeerRef p : room.peers()) {
      if (!live.contains(p.node())) {
        kept = RoomRules.withoutNode(kept, p.node(), System.currentTimeMillis());
      }
    }
    return kept;
  }

  static final class Join implements EntryProcessor<String, Room, JoinDecision>, IdentifiedDataSerializable,
      HazelcastInstanceAware {
    private PeerRef joiner;
    private transient HazelcastInstance hazelcast;
    private transient Room after;

    Join() {
    }

    Join(PeerRef joiner) {
      this.joiner = joiner;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hazelcast = hazelcastInstance;
    }

    @Override
    public JoinDecision process(Map.Entry<String, Room> entry) {
      Room current = entry.getValue();
      Room live = withoutStalePeers(current, hazelcast);
      JoinDecision decision = RoomRules.join(live, joiner, System.currentTimeMillis());
      after = decision.room();
      if (decision.outcome() == JoinDecision.Outcome.ALONE || decision.outcome() == JoinDecision.Outcome.PAIRED
          || live != current) {
        entry.setValue(after.isEmpty() ? null : after);
      }
      return decision;
    }

    @Override
    public EntryProcessor<String, Room, JoinDecision> getBackupProcessor() {
      return new SetRoom<>(after);
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

  /**
   * The backup of a change: writes the room the primary decided, so that primary and backup never diverge
   * (the primary's decision depends on the clock and on cluster membership, which a backup must not re-read).
   */
  static final class SetRoom<R> implements EntryProcessor<String, Room, R>, IdentifiedDataSerializable {
    private Room room;

    SetRoom() {
    }

    SetRoom(Room room) {
      this.room = room;
    }

    @Override
    public R process(Map.Entry<String, Room> entry) {
      entry.setValue(room == null || room.isEmpty() ? null : room);
      return null;
    }

    @Override
    public EntryProcessor<String, Room, R> getBackupProcessor() {
      return this;
    }

    @Override
    public int getFactoryId() {
      return RoomSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RoomSerialization.SET_ROOM_PROCESSOR;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(room != null);
      if (room != null) {
        RoomSerialization.writeRoom(out, room);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      room = in.readBoolean() ? RoomSerialization.readRoom(in) : null;
    }
  }

  static final class Leave implements EntryProcessor<String, Room, LeaveDecision>, IdentifiedDataSerializable {
    private PeerRef leaver;
    /** When set, the leaver is removed only if this peer is in the room too (an eviction by its partner). */
    private PeerRef onlyWith;
    private transient Room after;
    private transient boolean changed;

    Leave() {
    }

    Leave(PeerRef leaver, PeerRef onlyWith) {
      this.leaver = leaver;
      this.onlyWith = onlyWith;
    }

    @Override
    public LeaveDecision process(Map.Entry<String, Room> entry) {
      Room room = entry.getValue();
      if (onlyWith != null && (room == null || !room.contains(onlyWith))) {
        return LeaveDecision.NOT_MEMBER;
      }
      LeaveDecision decision = RoomRules.leave(room, leaver);
      if (decision.removed()) {
        after = RoomRules.without(room, leaver, System.currentTimeMillis());
        changed = true;
        entry.setValue(after.isEmpty() ? null : after);
      }
      return decision;
    }

    @Override
    public EntryProcessor<String, Room, LeaveDecision> getBackupProcessor() {
      return changed ? new SetRoom<>(after) : null;
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
      RoomSerialization.writePeer(out, onlyWith);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      leaver = RoomSerialization.readPeer(in);
      onlyWith = RoomSerialization.readPeer(in);
    }
  }

  /** Removes a departed node's peers; returns TRUE for a room it changed, else null (nothing is returned). */
  static final class PurgeNode implements EntryProcessor<String, Room, Boolean>, IdentifiedDataSerializable,
      HazelcastInstanceAware {
    private String node;
    private transient Room after;
    private transient boolean changed;
    private transient HazelcastInstance hazelcast;

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hazelcast = hazelcastInstance;
    }

    PurgeNode() {
    }

    PurgeNode(String node) {
      this.node = node;
    }

    @Override
    public Boolean process(Map.Entry<String, Room> entry) {
      Room room = entry.getValue();
      // conditional: a purge that runs late (say, on a member that was itself cut off and has come back)
      // must not remove peers of a node that is a member again
      if (room == null || (hazelcast != null && liveNodes(hazelcast).contains(node))) {
        return null;
      }
      after = RoomRules.withoutNode(room, node, System.currentTimeMillis());
      if (after == room) {
        return null;
      }
      changed = true;
      entry.setValue(after.isEmpty() ? null : after);
      return Boolean.TRUE;
    }

    @Override
    public EntryProcessor<String, Room, Boolean> getBackupProcessor() {
      return changed ? new SetRoom<>(after) : null;
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
