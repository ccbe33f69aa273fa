package io.signaling.node.backend;

import io.signaling.node.room.Room;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What the admin API reads and changes in the cluster, from any node. */
public interface AdminRooms {

  /** One room as listed: its streamId and its entry. */
  record Listed(String streamId, Room room) {
  }

  /** A page of rooms and the cursor of the next page (null: this was the last). */
  record Page(List<Listed> rooms, String next) {
  }

  /** At most {@code limit} rooms after {@code cursor} (null: from the start); fails with IllegalArgumentException for a bad cursor. */
  Future<Page> rooms(int limit, String cursor);

  /** The room with peers, or null. */
  Future<Room> room(String streamId);

  /** Every peer of the room is out of it and told {@code stop}; false when the room has no peer. */
  Future<Boolean> deleteRoom(String streamId);

  /** The peer is out of the room and told {@code stop}, its partner told {@code stop} too; false when not there. */
  Future<Boolean> removePeer(String streamId, String sessionId);

  /** Every member: its node id, connections, rooms, and whether it is ready, warming or draining. */
  Future<List<JsonObject>> nodes();
}
