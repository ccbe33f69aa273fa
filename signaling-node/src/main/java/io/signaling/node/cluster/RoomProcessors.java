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
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvents;
import io.signaling.node.room.RoomLife;
import io.signaling.node.room.RoomRules;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Entry processors applying {@link RoomRules} to one room's entry on the partition that owns it: Hazelcast
 * runs them one at a time per key, which makes every join and leave atomic across the cluster.
 *
 * <p>Backups. A backup processor runs on the backup replica and must leave it exactly as the primary left it,
 * for every key. Hazelcast 5.6 asks the primary's instance for {@code getBackupProcessor()} after running it:
 * for {@code submitToKey} (one instance per call) the backup is applied to that key; for
 * {@code executeOnEntries} one instance per member is shared by all its partition operations (on their
 * partition threads), asked once per partition, and the backup is applied to <em>every</em> entry of that
 * partition's backup. So: a per-key change is replayed as {@link SetRoom}, which names its key and touches no
 * other; a partition-wide change ({@link PurgeNode}) has a stateless backup ({@link WithoutNode}) that computes
 * the primary's result from the entry and fields fixed before the operation began.
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

  /** A new room life's id: random, not a secret. */
  private static final Supplier<String> NEW_SID = () -> {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new UUID(r.nextLong(), r.nextLong()).toString();
  };

  /**
   * {@code after} (the change of room {@code key} from {@code before}) with its events ({@link RoomEvents}): a
   * room starts a life only on a node with webhooks on; events that the node's backlog has no room for are
   * numbered and given up. The same room when nothing changed.
   */
  static Room withEvents(String key, Room before, Room after, LeaveReason reason, long now, OutboxHooks hooks) {
    if (after == before || after == null) {
      return after;
    }
    boolean hadLife = before != null && before.life() != null;
    if (hooks == null && !hadLife) {
      return after;
    }
    Supplier<String> sid = hooks == null ? null : NEW_SID;
    Room evented = RoomEvents.apply(key, before, after, reason, now, sid, true);
    int n = RoomEvents.produced(before, evented);
    if (n > 0 && hooks != null && !hooks.admit(n)) {
      hooks.dropped(n);
      evented = RoomEvents.apply(key, before, after, reason, now, sid, false);
    }
    return evented;
  }

  /**
   * Tells the owner's hooks about the events stored by the change from {@code before} to {@code after}, with the
   * room's life as stored (its outbox and cursors), so that the deliverer needs no read of the entry.
   */
  static void announce(String key, Room before, Room after, OutboxHooks hooks) {
    if (hooks != null && after != null && after.life() != null) {
      int n = RoomEvents.produced(before, after);
      if (n > 0) {
        hooks.stored(key, after.life(), n);
      }
    }
  }

  /**
   * The room without peers of nodes that are no longer members (entries outlive owners only until here); a
   * resumable peer's slot is held for {@code resumeMillis} instead, as the purge would have done.
   */
  static Room withoutStalePeers(Room room, HazelcastInstance hazelcast, long nowMillis, long resumeMillis) {
    if (room == null || room.isEmpty() || hazelcast == null) {
      return room;
    }
    Set<String> live = liveNodes(hazelcast);
    Room kept = room;
    for (PeerRef p : room.peers()) {
      if (!p.held() && !live.contains(p.node())) {
        kept = RoomRules.withoutNode(kept, p.node(), nowMillis, resumeMillis > 0 ? nowMillis + resumeMillis : 0);
      }
    }
    return kept;
  }

  static final class Join implements EntryProcessor<String, Room, JoinDecision>, IdentifiedDataSerializable,
      HazelcastInstanceAware {
    private PeerRef joiner;
    /** How long the slot of a resumable peer found on a departed node is held (0: not at all). */
    private long resumeMillis;
    private transient HazelcastInstance hazelcast;
    /** The change to replay on the backup (one instance per submitToKey), or null when nothing changed. */
    private transient SetRoom<JoinDecision> backup;

    Join() {
    }

    Join(PeerRef joiner) {
      this(joiner, 0);
    }

    Join(PeerRef joiner, long resumeMillis) {
      this.joiner = joiner;
      this.resumeMillis = resumeMillis;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hazelcast = hazelcastInstance;
    }

    @Override
    public JoinDecision process(Map.Entry<String, Room> entry) {
      Room current = entry.getValue();
      String key = entry.getKey();
      long now = System.currentTimeMillis();
      OutboxHooks hooks = OutboxHooks.of(hazelcast);
      // each step's events with its own reason: peers of departed nodes, held slots past their time, the join
      Room live = withEvents(key, current, withoutStalePeers(current, hazelcast, now, resumeMillis),
          LeaveReason.NODE_LOST, now, hooks);
      Room base = live == null ? Room.EMPTY : live;
      Room unexpired = withEvents(key, live, RoomRules.withoutExpired(base, now), LeaveReason.EXPIRED, now, hooks);
      JoinDecision decision = RoomRules.join(unexpired, joiner, now);
      Room after = withEvents(key, unexpired, decision.room(), LeaveReason.EXPIRED, now, hooks);
      // the rules return the room they were given when they change nothing (held slots past their time dropped)
      if (after != (current == null ? Room.EMPTY : current)) {
        entry.setValue(after.stored());
        backup = new SetRoom<>(key, after);
        announce(key, current, after, hooks);
        decision = new JoinDecision(decision.outcome(), after, decision.partner(), decision.offerer(),
            decision.replaced());
      }
      return decision;
    }

    @Override
    public EntryProcessor<String, Room, JoinDecision> getBackupProcessor() {
      return backup;
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
      WireBody.Writer body = new WireBody.Writer().peer(joiner);
      // appended with resume: the joiner's slot fields, then the hold time
      if (body.hasSlots() || resumeMillis != 0) {
        body.slots(true).i64(resumeMillis);
      }
      RoomSerialization.write(out, body);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "join");
      joiner = body.peer();
      joiner = body.slots().slotted(joiner);
      resumeMillis = body.more() ? body.i64() : 0;
    }
  }

  /**
   * The backup of one key's change: writes the room the primary decided, so that primary and backup never
   * diverge (the primary's decision depends on the clock and on cluster membership, which a backup must not
   * re-read). It names its key and leaves every other entry alone, however it is applied.
   */
  static final class SetRoom<R> implements EntryProcessor<String, Room, R>, IdentifiedDataSerializable {
    private String key;
    private Room room;

    SetRoom() {
    }

    SetRoom(String key, Room room) {
      this.key = key;
      this.room = room;
    }

    @Override
    public R process(Map.Entry<String, Room> entry) {
      if (key.equals(entry.getKey())) {
        entry.setValue(room == null ? null : room.stored());
      }
      return null;
    }

    @Override
    public EntryProcessor<String, Room, R> getBackupProcessor() {
      return null;
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
      RoomSerialization.write(out, RoomSerialization.withLife(new WireBody.Writer().string(key).room(room), room));
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "set-room");
      key = body.string();
      room = body.room();
      room = body.slots().slotted(room);
      room = RoomSerialization.withLife(body, room);
    }
  }

  static final class Leave implements EntryProcessor<String, Room, LeaveDecision>, IdentifiedDataSerializable,
      HazelcastInstanceAware {
    private PeerRef leaver;
    /** When set, the leaver is removed only if this peer is in the room too (an eviction by its partner). */
    private PeerRef onlyWith;
    /** Why (appended with webhooks; null from an earlier release: a leave, or an eviction as a lost node). */
    private LeaveReason reason;
    /** How long a resumable slot of a departed node found here is held (appended with the reason). */
    private long resumeMillis;
    private transient HazelcastInstance hazelcast;
    /** The change to replay on the backup (one instance per submitToKey), or null when nothing changed. */
    private transient SetRoom<LeaveDecision> backup;

    Leave() {
    }

    Leave(PeerRef leaver, PeerRef onlyWith) {
      this(leaver, onlyWith, null);
    }

    Leave(PeerRef leaver, PeerRef onlyWith, LeaveReason reason) {
      this(leaver, onlyWith, reason, 0);
    }

    Leave(PeerRef leaver, PeerRef onlyWith, LeaveReason reason, long resumeMillis) {
      this.leaver = leaver;
      this.onlyWith = onlyWith;
      this.reason = reason;
      this.resumeMillis = resumeMillis;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hazelcast = hazelcastInstance;
    }

    @Override
    public LeaveDecision process(Map.Entry<String, Room> entry) {
      Room room = entry.getValue();
      if (onlyWith != null && (room == null || !room.contains(onlyWith))) {
        return LeaveDecision.NOT_MEMBER;
      }
      long now = System.currentTimeMillis();
      OutboxHooks hooks = OutboxHooks.of(hazelcast);
      Room before = room;
      if (room != null && room.life() != null) {
        // in a life, peers of departed nodes leave first, as node_lost (whichever decision meets them first
        // reports them: the purge, a join, or this leave), so the call's end is reported as the node loss it was
        room = withEvents(entry.getKey(), room, withoutStalePeers(room, hazelcast, now, resumeMillis),
            LeaveReason.NODE_LOST, now, hooks);
      }
      LeaveDecision decision = RoomRules.leave(room, leaver, now);
      if (!decision.removed() && room != before) {
        entry.setValue(room.stored());
        backup = new SetRoom<>(entry.getKey(), room);
        announce(entry.getKey(), before, room, hooks);
      }
      if (decision.removed()) {
        LeaveReason why = reason != null ? reason : onlyWith == null ? LeaveReason.LEAVE : LeaveReason.NODE_LOST;
        Room after = withEvents(entry.getKey(), room, decision.room(), why, now, hooks);
        entry.setValue(after.stored());
        backup = new SetRoom<>(entry.getKey(), after);
        announce(entry.getKey(), before, after, hooks);
        decision = new LeaveDecision(true, decision.remaining(), after);
      }
      return decision;
    }

    @Override
    public EntryProcessor<String, Room, LeaveDecision> getBackupProcessor() {
      return backup;
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
      WireBody.Writer body = new WireBody.Writer().peer(leaver).peer(onlyWith);
      // appended with webhooks: the reason, after the slot block
      if (reason != null) {
        body.slots(true).u8(reason.code()).i64(resumeMillis);
      } else {
        body.slots(false);
      }
      RoomSerialization.write(out, body);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "leave");
      leaver = body.peer();
      onlyWith = body.peer();
      body.slots();
      leaver = body.slotted(leaver);
      onlyWith = body.slotted(onlyWith);
      reason = body.more() ? LeaveReason.of(body.u8()) : null;
      resumeMillis = body.more() ? body.i64() : 0;
    }
  }

  /**
   * A resumable peer's socket closed without a leave: its slot is held for {@code resumeMillis}
   * ({@link RoomRules#hold}). Added with resume (class id 16): a node sends it only when every node knows it.
   */
  static final class Hold implements EntryProcessor<String, Room, LeaveDecision>, IdentifiedDataSerializable {
    private PeerRef peer;
    private long resumeMillis;
    /** The change to replay on the backup (one instance per submitToKey), or null when nothing changed. */
    private transient SetRoom<LeaveDecision> backup;

    Hold() {
    }

    Hold(PeerRef peer, long resumeMillis) {
      this.peer = peer;
      this.resumeMillis = resumeMillis;
    }

    @Override
    public LeaveDecision process(Map.Entry<String, Room> entry) {
      long now = System.currentTimeMillis();
      LeaveDecision decision = RoomRules.hold(entry.getValue(), peer, now + resumeMillis, now);
      if (decision.removed()) {
        entry.setValue(decision.room());
        backup = new SetRoom<>(entry.getKey(), decision.room());
      }
      return decision;
    }

    @Override
    public EntryProcessor<String, Room, LeaveDecision> getBackupProcessor() {
      return backup;
    }

    @Override
    public int getFactoryId() {
      return RoomSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RoomSerialization.HOLD_PROCESSOR;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      RoomSerialization.write(out, new WireBody.Writer().peer(peer).slots(true).i64(resumeMillis));
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "hold");
      peer = body.peer();
      peer = body.slots().slotted(peer);
      resumeMillis = body.i64();
    }
  }

  /**
   * Removes a departed node's peers from every room ({@code executeOnEntries}); returns TRUE for a room it
   * changed, else null (nothing is returned). Its result for an entry depends only on the entry, the node and
   * the time fixed when the purge was created, and on one membership check made once per instance: so its
   * backup ({@link WithoutNode}), applied to every entry of a backup partition, computes exactly what the
   * primary did.
   */
  static final class PurgeNode implements EntryProcessor<String, Room, Boolean>, IdentifiedDataSerializable,
      HazelcastInstanceAware {
    private String node;
    private long atMillis;
    /** The node's resumable slots are held until {@code atMillis + resumeMillis} (0: removed, as before resume). */
    private long resumeMillis;
    private transient volatile HazelcastInstance hazelcast;
    /** Decided once per instance (one per member, shared by its partition threads): purge, or do nothing. */
    private transient volatile Boolean departed;

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hazelcast = hazelcastInstance;
    }

    PurgeNode() {
    }

    PurgeNode(String node) {
      this(node, System.currentTimeMillis());
    }

    PurgeNode(String node, long atMillis) {
      this(node, atMillis, 0);
    }

    PurgeNode(String node, long atMillis, long resumeMillis) {
      this.node = node;
      this.atMillis = atMillis;
      this.resumeMillis = resumeMillis;
    }

    /**
     * Conditional: a purge that runs late (say, on a member that was itself cut off and has come back) must not
     * remove peers of a node that is a member again. Checked once, so every partition and its backup agree.
     */
    private boolean departed() {
      Boolean d = departed;
      if (d == null) {
        synchronized (this) {
          if (departed == null) {
            HazelcastInstance hz = hazelcast;
            departed = hz == null || !liveNodes(hz).contains(node);
          }
          d = departed;
        }
      }
      return d;
    }

    @Override
    public Boolean process(Map.Entry<String, Room> entry) {
      if (!departed()) {
        return null;
      }
      Room before = entry.getValue();
      if (!WithoutNode.apply(entry, node, atMillis, resumeMillis)) {
        return null;
      }
      announce(entry.getKey(), before, entry.getValue(), OutboxHooks.of(hazelcast));
      return Boolean.TRUE;
    }

    @Override
    public EntryProcessor<String, Room, Boolean> getBackupProcessor() {
      return departed() ? new WithoutNode(node, atMillis, resumeMillis) : null;
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
      writeRemoval(out, node, atMillis, resumeMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "purge");
      node = body.string();
      atMillis = body.i64();
      resumeMillis = readResumeMillis(body);
    }
  }

  /**
   * The backup of {@link PurgeNode}: stateless and deterministic. Applied to every entry of a backup partition,
   * it changes exactly the rooms the primary changed (those holding the node's peers), to the same room and
   * version, and leaves every other entry alone.
   */
  static final class WithoutNode implements EntryProcessor<String, Room, Boolean>, IdentifiedDataSerializable {
    private String node;
    private long atMillis;
    private long resumeMillis;

    WithoutNode() {
    }

    WithoutNode(String node, long atMillis) {
      this(node, atMillis, 0);
    }

    WithoutNode(String node, long atMillis, long resumeMillis) {
      this.node = node;
      this.atMillis = atMillis;
      this.resumeMillis = resumeMillis;
    }

    /**
     * Removes {@code node}'s peers from the entry's room as changed at {@code atMillis}, holding resumable slots
     * until {@code atMillis + resumeMillis}; true if it changed.
     */
    static boolean apply(Map.Entry<String, Room> entry, String node, long atMillis, long resumeMillis) {
      Room room = entry.getValue();
      if (room == null) {
        return false;
      }
      Room after = RoomRules.withoutNode(room, node, atMillis, resumeMillis > 0 ? atMillis + resumeMillis : 0);
      if (after == room) {
        return false;
      }
      // a room already in a life gets its node_lost events; deterministic (no new life, the purge's time), so
      // the backup computes the same events with the same ids
      if (room.life() != null) {
        after = RoomEvents.apply(entry.getKey(), room, after, LeaveReason.NODE_LOST, atMillis, null, true);
      }
      entry.setValue(after.stored());
      return true;
    }

    @Override
    public Boolean process(Map.Entry<String, Room> entry) {
      apply(entry, node, atMillis, resumeMillis);
      return null;
    }

    @Override
    public EntryProcessor<String, Room, Boolean> getBackupProcessor() {
      return null;
    }

    @Override
    public int getFactoryId() {
      return RoomSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RoomSerialization.WITHOUT_NODE_PROCESSOR;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      writeRemoval(out, node, atMillis, resumeMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "purge");
      node = body.string();
      atMillis = body.i64();
      resumeMillis = readResumeMillis(body);
    }
  }

  /**
   * A receiver has the events of a room's outbox up to an ordinal (delivered, or given up after the retry
   * window): its cursor moves, and events every receiver has leave the outbox; an entry with neither peers nor
   * events left is removed. Returns the receiver's next event ({@link #encodeNext}), or null when it has none, so
   * that the deliverer needs no read of its own. Added with webhooks (class id 17): only the delivering node sends
   * it, to its own partition.
   */
  static final class Acknowledge implements EntryProcessor<String, Room, String>, IdentifiedDataSerializable,
      HazelcastInstanceAware {
    private int receiver;
    private long ordinal;
    private int receivers;
    private transient HazelcastInstance hazelcast;
    private transient SetRoom<String> backup;

    Acknowledge() {
    }

    Acknowledge(int receiver, long ordinal, int receivers) {
      this.receiver = receiver;
      this.ordinal = ordinal;
      this.receivers = receivers;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.hazelcast = hazelcastInstance;
    }

    @Override
    public String process(Map.Entry<String, Room> entry) {
      Room room = entry.getValue();
      if (room == null || room.life() == null) {
        return null;
      }
      RoomLife life = room.life().acknowledged(receiver, ordinal, receivers);
      if (life == room.life()) {
        return encodeNext(life.next(receiver));
      }
      Room after = room.withLife(life);
      Room stored = after.stored();
      entry.setValue(stored);
      backup = new SetRoom<>(entry.getKey(), after);
      int removed = room.life().outbox().size() - life.outbox().size();
      OutboxHooks hooks = OutboxHooks.of(hazelcast);
      if (hooks != null && removed > 0) {
        hooks.removed(removed);
      }
      return stored == null ? REMOVED : encodeNext(life.next(receiver));
    }

    /** The answer when the acknowledgement removed the entry (its room is empty and every event delivered). */
    static final String REMOVED = "removed";

    /** An event as the acknowledgement's answer: {@code <ordinal>:<createdAt>:<json>}, or null. */
    static String encodeNext(io.signaling.node.room.RoomEvent e) {
      return e == null ? null : e.ordinal() + ":" + e.createdAt() + ":" + e.json();
    }

    static io.signaling.node.room.RoomEvent decodeNext(String text) {
      if (text == null) {
        return null;
      }
      int a = text.indexOf(':');
      int b = text.indexOf(':', a + 1);
      return new io.signaling.node.room.RoomEvent(Long.parseLong(text.substring(0, a)),
          Long.parseLong(text.substring(a + 1, b)), text.substring(b + 1));
    }

    @Override
    public EntryProcessor<String, Room, String> getBackupProcessor() {
      return backup;
    }

    @Override
    public int getFactoryId() {
      return RoomSerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return RoomSerialization.ACKNOWLEDGE_PROCESSOR;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      RoomSerialization.write(out, new WireBody.Writer().u8(receiver).i64(ordinal).u8(receivers));
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      WireBody.Reader body = RoomSerialization.read(in, "acknowledge");
      receiver = body.u8();
      ordinal = body.i64();
      receivers = body.u8();
    }
  }

  /**
   * The body {@link PurgeNode} and its backup {@link WithoutNode} share: the departed node, the time of the
   * change, and (appended, only when set) the resume window.
   */
  private static void writeRemoval(ObjectDataOutput out, String node, long atMillis, long resumeMillis)
      throws IOException {
    WireBody.Writer body = new WireBody.Writer().string(node).i64(atMillis);
    if (resumeMillis != 0) {
      body.i64(resumeMillis);
    }
    RoomSerialization.write(out, body);
  }

  /** The resume window of a removal's body: 0 when the body was written without one. */
  private static long readResumeMillis(WireBody.Reader body) {
    return body.more() ? body.i64() : 0;
  }
}
