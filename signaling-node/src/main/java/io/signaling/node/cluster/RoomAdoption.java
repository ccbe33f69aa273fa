package io.signaling.node.cluster;

import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the webhook gate opens (the last member of an earlier release left), gives a life to the rooms of this
 * node's partitions that have peers and none ({@link AdoptProcessor}), a few at a time, so that a call that began
 * before the gate opened is reported from now on rather than from its next change. A room a change adopts first,
 * or that moves to another owner meanwhile, is left to that change or owner.
 */
final class RoomAdoption {

  private static final Logger LOG = LoggerFactory.getLogger(RoomAdoption.class);
  /** Adoptions in flight at once. */
  private static final int ADOPT_BATCH = 64;

  private final IMap<String, Room> rooms;
  private final Executor blocking;
  private final String nodeId;
  /** Whether adopting should go on: the gate is open and the dispatcher not closed. */
  private final BooleanSupplier going;

  RoomAdoption(IMap<String, Room> rooms, Executor blocking, String nodeId, BooleanSupplier going) {
    this.rooms = rooms;
    this.blocking = blocking;
    this.nodeId = nodeId;
    this.going = going;
  }

  /** Rooms of this node's partitions that have peers and no life. */
  static final class Lifeless implements Predicate<String, Room> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, Room> entry) {
      Room r = entry.getValue();
      return r != null && !r.isEmpty() && r.life() == null && !entry.getKey().startsWith(RoomEvents.WARMUP_PREFIX);
    }
  }

  /** Adopts the lifeless rooms of this node's partitions; {@code why} is logged with the outcome. */
  void adoptLifeless(String why) {
    if (!going.getAsBoolean()) {
      return;
    }
    blocking.execute(() -> {
      try {
        List<String> keys = new ArrayList<>(rooms.localKeySet(new Lifeless()));
        adoptFrom(keys, 0, new AtomicInteger(), why);
      } catch (RuntimeException e) {
        if (going.getAsBoolean()) {
          LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] webhooks: adoption scan failed ({}); rooms are"
              + " adopted at their next change", nodeId, e.toString());
        }
      }
    });
  }

  /** Adopts {@code keys} from {@code from} on, {@link #ADOPT_BATCH} at a time, without blocking a thread. */
  private void adoptFrom(List<String> keys, int from, AtomicInteger adopted, String why) {
    if (from >= keys.size() || !going.getAsBoolean()) {
      if (!keys.isEmpty()) {
        LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] webhooks: adopted {} of {} room(s) without a life"
            + " ({})", nodeId, adopted.get(), keys.size(), why);
      }
      return;
    }
    List<CompletableFuture<Boolean>> batch = new ArrayList<>();
    for (String key : keys.subList(from, Math.min(keys.size(), from + ADOPT_BATCH))) {
      batch.add(rooms.submitToKey(key, new AdoptProcessor()).toCompletableFuture()
          .handle((done, failure) -> {
            if (failure != null) {
              LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] [room: {}] webhooks: adoption failed ({}); the"
                  + " room is adopted at its next change", nodeId, key, failure.toString());
              return false;
            }
            return Boolean.TRUE.equals(done);
          }));
    }
    CompletableFuture.allOf(batch.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
      batch.forEach(f -> {
        if (Boolean.TRUE.equals(f.getNow(false))) {
          adopted.incrementAndGet();
        }
      });
      adoptFrom(keys, from + ADOPT_BATCH, adopted, why);
    });
  }
}
