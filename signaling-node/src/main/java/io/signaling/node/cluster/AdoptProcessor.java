package io.signaling.node.cluster;

import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvents;
import java.util.Map;

/**
 * Gives a room that has peers but no life (it began before webhooks were active cluster-wide) its life now
 * ({@link RoomEvents#adopt}): run by the partition's owner on the lifeless rooms it owns when the webhook gate
 * opens. Returns TRUE when it adopted the room. Does nothing where lives may not start (the owner has no webhooks,
 * or the gate is closed again), or for a room that has a life already (a change adopted it first). Added with the
 * gate (class id 18): sent only while every member knows it. Its body is empty.
 */
final class AdoptProcessor extends RoomProcessor<Boolean> {

  AdoptProcessor() {
    super(RoomSerialization.ADOPT_PROCESSOR, "adopt");
  }

  @Override
  public Boolean process(Map.Entry<String, Room> entry) {
    Room room = entry.getValue();
    OutboxHooks hooks = hooks();
    if (room == null || room.isEmpty() || room.life() != null || hooks == null || !hooks.active()) {
      return Boolean.FALSE;
    }
    long now = System.currentTimeMillis();
    Room after = RoomChanges.admitted(room,
        keep -> RoomEvents.adopt(entry.getKey(), room, now, RoomChanges.NEW_SID, keep), hooks);
    if (after == room) {
      return Boolean.FALSE; // a warm-up room
    }
    store(entry, room, after, hooks);
    return Boolean.TRUE;
  }

  @Override
  void writeBody(WireBody.Writer body) {
    // no field
  }

  @Override
  void readBody(WireBody.Reader body) {
    // no field
  }
}
