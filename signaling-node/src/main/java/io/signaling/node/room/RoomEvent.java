package io.signaling.node.room;

/**
 * One event of a room for the application backend, kept with the room's entry until every receiver has it.
 *
 * @param ordinal its place in the entry's outbox (rises across the lives the entry sees; receivers' cursors count
 *     in it)
 * @param createdAt epoch milliseconds
 * @param json the body as sent ({@code {"id","event","streamId","roomSid","seq","createdAt",...}})
 */
public record RoomEvent(long ordinal, long createdAt, String json) {
}
