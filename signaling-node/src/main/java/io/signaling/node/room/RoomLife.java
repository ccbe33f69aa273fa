package io.signaling.node.room;

import java.util.ArrayList;
import java.util.List;

/**
 * A room's life as the application backend sees it, kept in the room's entry so that its backup replicates it.
 *
 * @param sid the life's id ({@code roomSid}): from {@code room_started} to {@code room_finished}; null once the
 *     life is finished while events remain to deliver
 * @param seq the last sequence number given to an event of this life
 * @param pairedAt when the current pair started ({@code call_started}), 0 while there is none
 * @param nextOrdinal the ordinal of the next event stored in the outbox
 * @param outbox the events not yet delivered to every receiver, oldest first
 * @param cursors for each receiver (by its place in the configured list), the ordinal of the last event it has
 *     (delivered or given up); a missing entry is 0
 */
public record RoomLife(String sid, long seq, long pairedAt, long nextOrdinal, List<RoomEvent> outbox,
    List<Long> cursors) {

  public RoomLife {
    outbox = List.copyOf(outbox);
    cursors = List.copyOf(cursors);
  }

  /** The cursor of receiver {@code receiver}. */
  public long cursor(int receiver) {
    return receiver < cursors.size() ? cursors.get(receiver) : 0;
  }

  /** The first event receiver {@code receiver} does not have yet, or null. */
  public RoomEvent next(int receiver) {
    long c = cursor(receiver);
    for (RoomEvent e : outbox) {
      if (e.ordinal() > c) {
        return e;
      }
    }
    return null;
  }

  /**
   * Receiver {@code receiver} has every event up to {@code ordinal} (delivered, or given up); the events every one
   * of the {@code receivers} has are dropped from the outbox.
   */
  public RoomLife acknowledged(int receiver, long ordinal, int receivers) {
    List<Long> c = new ArrayList<>(cursors);
    while (c.size() <= receiver) {
      c.add(0L);
    }
    if (c.get(receiver) >= ordinal) {
      return this;
    }
    c.set(receiver, ordinal);
    long done = Long.MAX_VALUE;
    for (int i = 0; i < Math.max(1, receivers); i++) {
      done = Math.min(done, i < c.size() ? c.get(i) : 0);
    }
    List<RoomEvent> kept = new ArrayList<>(outbox.size());
    for (RoomEvent e : outbox) {
      if (e.ordinal() > done) {
        kept.add(e);
      }
    }
    return new RoomLife(sid, seq, pairedAt, nextOrdinal, kept, c);
  }
}
