package io.signaling.node.cluster;

import io.signaling.node.room.Room;
import java.util.Map;

/**
 * The backup of one key's change: writes the room the primary decided, so that primary and backup never
 * diverge (the primary's decision depends on the clock and on cluster membership, which a backup must not
 * re-read). It names its key and leaves every other entry alone, however it is applied; it has no backup of its
 * own. Class id 14.
 *
 * @param <R> what the processor it backs answers (a backup's answer is null)
 */
final class SetRoomProcessor<R> extends RoomProcessor<R> {
  private String key;
  private Room room;

  SetRoomProcessor() {
    super(RoomSerialization.SET_ROOM_PROCESSOR, "set-room");
  }

  SetRoomProcessor(String key, Room room) {
    this();
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
  void writeBody(WireBody.Writer body) {
    RoomSerialization.withLife(body.string(key).room(room), room);
  }

  @Override
  void readBody(WireBody.Reader body) {
    key = body.string();
    room = body.room();
    room = body.slots().slotted(room);
    room = RoomSerialization.withLife(body, room);
  }
}
