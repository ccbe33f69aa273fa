package io.signaling.node.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomRules;
import java.io.IOException;
import java.util.Map;

/**
 * An entry processor applying {@link RoomRules} to one room's entry on the partition that owns it: Hazelcast runs
 * them one at a time per key, which makes every join and leave atomic across the cluster. This base holds what
 * every one of them shares: the factory and its class id ({@link RoomSerialization}), the versioned record it
 * crosses the cluster as ({@link RoomSerialization#write}, {@link RoomSerialization#read}: each processor writes
 * and reads only its body's fields), the member it runs on (for its {@link OutboxHooks} and its membership), and
 * the backup of a per-key change.
 *
 * <p>Backups. A backup processor runs on the backup replica and must leave it exactly as the primary left it,
 * for every key. Hazelcast 5.6 asks the primary's instance for {@code getBackupProcessor()} after running it:
 * for {@code submitToKey} (one instance per call) the backup is applied to that key; for
 * {@code executeOnEntries} one instance per member is shared by all its partition operations (on their
 * partition threads), asked once per partition, and the backup is applied to <em>every</em> entry of that
 * partition's backup. So: a per-key change is replayed as {@link SetRoomProcessor} ({@link #store},
 * {@link #replicate}), which names its key and touches no other; a partition-wide change
 * ({@link PurgeNodeProcessor}) has a stateless backup ({@link WithoutNodeProcessor}) that computes the primary's
 * result from the entry and fields fixed before the operation began.
 *
 * @param <R> what the processor answers
 */
abstract class RoomProcessor<R> implements EntryProcessor<String, Room, R>, IdentifiedDataSerializable,
    HazelcastInstanceAware {

  private final int classId;
  /** What the record is called in a read error ("join", ...). */
  private final String record;
  /** The member this instance runs on (null before Hazelcast sets it, and in a bare serialization service). */
  private transient volatile HazelcastInstance hazelcast;
  /** The change to replay on the backup (one instance per submitToKey), or null when nothing changed. */
  private transient SetRoomProcessor<R> backup;

  /**
   * @param classId the processor's id in {@link RoomSerialization}'s factory: part of the wire
   * @param record what the record is called in a read error
   */
  RoomProcessor(int classId, String record) {
    this.classId = classId;
    this.record = record;
  }

  @Override
  public final int getFactoryId() {
    return RoomSerialization.FACTORY_ID;
  }

  @Override
  public final int getClassId() {
    return classId;
  }

  @Override
  public final void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.hazelcast = hazelcastInstance;
  }

  /** The member this instance runs on, or null. */
  final HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /** The hooks of the member this instance runs on, or null (webhooks off, or no member). */
  final OutboxHooks hooks() {
    return OutboxHooks.of(hazelcast);
  }

  @Override
  public final void writeData(ObjectDataOutput out) throws IOException {
    WireBody.Writer body = new WireBody.Writer();
    writeBody(body);
    RoomSerialization.write(out, body);
  }

  @Override
  public final void readData(ObjectDataInput in) throws IOException {
    readBody(RoomSerialization.read(in, record));
  }

  /** Writes the processor's fields to its body, in their wire order (a field added later goes last). */
  abstract void writeBody(WireBody.Writer body);

  /** Reads the processor's fields from its body, with defaults for those a body of an earlier release lacks. */
  abstract void readBody(WireBody.Reader body);

  @Override
  public EntryProcessor<String, Room, R> getBackupProcessor() {
    return backup;
  }

  /**
   * Writes {@code after}, the room as a change of {@code before} left it (its events included), to the entry (no
   * entry when it has neither peers nor undelivered events), tells the owner's hooks about the events it stored,
   * and makes the backup replay exactly that write.
   */
  final void store(Map.Entry<String, Room> entry, Room before, Room after, OutboxHooks hooks) {
    entry.setValue(after.stored());
    RoomChanges.announce(entry.getKey(), before, after, hooks);
    replicate(entry.getKey(), after);
  }

  /** Makes the backup write {@code room} (null: no entry) to {@code key}, as the primary did. */
  final void replicate(String key, Room room) {
    backup = new SetRoomProcessor<>(key, room);
  }
}
