package io.signaling.node.cluster;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvents;
import io.signaling.node.room.RoomRules;
import java.util.Map;

/**
 * The backup of {@link PurgeNodeProcessor}, and what the purge does to each entry: stateless and deterministic.
 * Applied to every entry of a backup partition, it changes exactly the rooms the primary changed (those holding
 * the node's peers), to the same room and version, and leaves every other entry alone. Class id 15; its body is
 * the purge's: the departed node, the time of the change, and (appended, only when set) the resume window.
 */
final class WithoutNodeProcessor extends RoomProcessor<Boolean> {
  private String node;
  private long atMillis;
  /** The node's resumable slots are held until {@code atMillis + resumeMillis} (0: removed, as before resume). */
  private long resumeMillis;

  WithoutNodeProcessor() {
    super(RoomSerialization.WITHOUT_NODE_PROCESSOR, "purge");
  }

  WithoutNodeProcessor(String node, long atMillis) {
    this(node, atMillis, 0);
  }

  WithoutNodeProcessor(String node, long atMillis, long resumeMillis) {
    this();
    this.node = node;
    this.atMillis = atMillis;
    this.resumeMillis = resumeMillis;
  }

  /** The departed node whose peers this removes. */
  String node() {
    return node;
  }

  /**
   * Removes the node's peers from the entry's room as changed at {@code atMillis}, holding resumable slots
   * until {@code atMillis + resumeMillis}; true if it changed.
   */
  boolean apply(Map.Entry<String, Room> entry) {
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
    apply(entry);
    return null;
  }

  @Override
  void writeBody(WireBody.Writer body) {
    body.string(node).i64(atMillis);
    if (resumeMillis != 0) {
      body.i64(resumeMillis);
    }
  }

  @Override
  void readBody(WireBody.Reader body) {
    node = body.string();
    atMillis = body.i64();
    resumeMillis = body.more() ? body.i64() : 0;
  }
}
