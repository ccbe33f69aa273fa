package io.signaling.node.cluster;

import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvent;
import io.signaling.node.room.RoomLife;
import java.util.Map;

/**
 * A receiver has the events of a room's outbox up to an ordinal (delivered, or given up after the retry
 * window): its cursor moves, and events every receiver has leave the outbox; an entry with neither peers nor
 * events left is removed. Returns the receiver's next event ({@link #encodeNext}), or null when it has none, so
 * that the deliverer needs no read of its own. Added with webhooks (class id 17): only the delivering node sends
 * it, to its own partition.
 */
final class AcknowledgeProcessor extends RoomProcessor<String> {
  /** The answer when the acknowledgement removed the entry (its room is empty and every event delivered). */
  static final String REMOVED = "removed";

  private int receiver;
  private long ordinal;
  private int receivers;

  AcknowledgeProcessor() {
    super(RoomSerialization.ACKNOWLEDGE_PROCESSOR, "acknowledge");
  }

  AcknowledgeProcessor(int receiver, long ordinal, int receivers) {
    this();
    this.receiver = receiver;
    this.ordinal = ordinal;
    this.receivers = receivers;
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
    replicate(entry.getKey(), after);
    int removed = room.life().outbox().size() - life.outbox().size();
    OutboxHooks hooks = hooks();
    if (hooks != null && removed > 0) {
      hooks.removed(removed);
    }
    return stored == null ? REMOVED : encodeNext(life.next(receiver));
  }

  /** An event as the acknowledgement's answer: {@code <ordinal>:<createdAt>:<json>}, or null. */
  static String encodeNext(RoomEvent e) {
    return e == null ? null : e.ordinal() + ":" + e.createdAt() + ":" + e.json();
  }

  static RoomEvent decodeNext(String text) {
    if (text == null) {
      return null;
    }
    int a = text.indexOf(':');
    int b = text.indexOf(':', a + 1);
    return new RoomEvent(Long.parseLong(text.substring(0, a)), Long.parseLong(text.substring(a + 1, b)),
        text.substring(b + 1));
  }

  @Override
  void writeBody(WireBody.Writer body) {
    body.u8(receiver).i64(ordinal).u8(receivers);
  }

  @Override
  void readBody(WireBody.Reader body) {
    receiver = body.u8();
    ordinal = body.i64();
    receivers = body.u8();
  }
}
