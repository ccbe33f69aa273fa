package io.signaling.node.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.query.Predicates;
import io.signaling.node.backend.AdminRooms;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvents;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's view of the cluster. Rooms are listed partition by partition (one partition's entries at a time,
 * sorted by streamId; the cursor names the partition and the last streamId), so no page loads the whole map.
 * Removals are leaves with the reason {@code removed} on the room's partition (the events follow from them), then
 * notices to the sockets' inboxes: {@code REMOVED} for a removed peer, {@code PARTNER_LEFT} for a partner that stays.
 * Node statistics are asked of each member at {@code signaling.admin.<nodeId>}.
 */
public final class ClusterAdmin implements AdminRooms {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterAdmin.class);
  static final String NODE_ADDRESS = "signaling.admin.";
  static final long NODE_TIMEOUT_MILLIS = 2000;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final IMap<String, Room> rooms;
  private final Executor blocking;
  private final Courier courier;
  private final String nodeId;
  private final Supplier<JsonObject> localStats;
  private final long resumeMillis;
  /** For each partition, a key that falls in it (to address it with a partition predicate). */
  private volatile String[] partitionKeys;
  private MessageConsumer<Object> consumer;

  public ClusterAdmin(Vertx vertx, HazelcastInstance hazelcast, Executor blocking, String nodeId,
      int sendTimeoutMillis, int sendAttempts, long resumeMillis, Supplier<JsonObject> localStats) {
    this.resumeMillis = resumeMillis;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = hazelcast;
    this.rooms = hazelcast.getMap(RoomSerialization.ROOMS_MAP);
    this.blocking = blocking;
    this.nodeId = nodeId;
    this.localStats = localStats;
    this.courier = new Courier(vertx, context, sendTimeoutMillis, sendAttempts, Courier.Listener.NONE);
  }

  /** Answers other members' requests for this node's statistics. */
  public Future<Void> start() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      consumer = vertx.eventBus().consumer(NODE_ADDRESS + nodeId, m -> m.reply(localStats.get()));
      consumer.completion().onComplete(done);
    });
    return done.future();
  }

  public Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  // ------------------------------------------------------------------ listing

  private String[] partitionKeys() {
    String[] keys = partitionKeys;
    if (keys == null) {
      PartitionService ps = hazelcast.getPartitionService();
      int count = ps.getPartitions().size();
      keys = new String[count];
      int found = 0;
      for (int i = 0; found < count && i < 10_000_000; i++) {
        String k = "p" + i;
        int p = ps.getPartition(k).getPartitionId();
        if (keys[p] == null) {
          keys[p] = k;
          found++;
        }
      }
      partitionKeys = keys;
    }
    return keys;
  }

  @Override
  public Future<Page> rooms(int limit, String cursor) {
    int startPartition;
    String after;
    try {
      if (cursor == null || cursor.isEmpty()) {
        startPartition = 0;
        after = null;
      } else {
        String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        startPartition = Integer.parseInt(decoded.substring(0, colon));
        after = decoded.substring(colon + 1);
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("bad cursor"));
    }
    Promise<Page> page = Promise.promise();
    blocking.execute(() -> {
      try {
        String[] keys = partitionKeys();
        if (startPartition < 0 || startPartition >= keys.length) {
          page.fail(new IllegalArgumentException("bad cursor"));
          return;
        }
        List<Listed> listed = new ArrayList<>(limit);
        String next = null;
        int lastPartition = startPartition;
        for (int p = startPartition; p < keys.length && next == null; p++) {
          TreeMap<String, Room> sorted = new TreeMap<>();
          for (Map.Entry<String, Room> e : rooms.entrySet(Predicates.partitionPredicate(keys[p],
              Predicates.alwaysTrue()))) {
            if (e.getValue() != null && !e.getValue().isEmpty() && !e.getKey().startsWith(RoomEvents.WARMUP_PREFIX)) {
              sorted.put(e.getKey(), e.getValue());
            }
          }
          Map<String, Room> rest = p == startPartition && after != null ? sorted.tailMap(after, false) : sorted;
          for (Map.Entry<String, Room> e : rest.entrySet()) {
            if (listed.size() == limit) {
              // the cursor names the partition of the last room listed, which may be an earlier one
              next = cursor(lastPartition, listed.get(listed.size() - 1).streamId());
              break;
            }
            listed.add(new Listed(e.getKey(), e.getValue()));
            lastPartition = p;
          }
        }
        page.complete(new Page(listed, next));
      } catch (RuntimeException e) {
        page.fail(e);
      }
    });
    return page.future();
  }

  private static String cursor(int partition, String lastKey) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((partition + ":" + lastKey).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Future<Room> room(String streamId) {
    return Future.fromCompletionStage(rooms.getAsync(streamId), context)
        .map(r -> r == null || r.isEmpty() ? null : r);
  }

  // ------------------------------------------------------------------ removals

  @Override
  public Future<Boolean> deleteRoom(String streamId) {
    return room(streamId).compose(room -> {
      if (room == null) {
        return Future.succeededFuture(false);
      }
      Future<Boolean> chain = Future.succeededFuture(false);
      for (PeerRef p : room.peers()) {
        chain = chain.compose(any -> remove(streamId, p, false).map(removed -> any || removed));
      }
      return chain;
    });
  }

  @Override
  public Future<Boolean> removePeer(String streamId, String sessionId) {
    return room(streamId).compose(room -> {
      if (room == null) {
        return Future.succeededFuture(false);
      }
      for (PeerRef p : room.peers()) {
        if (RoomEvents.sessionId(p).equals(sessionId)) {
          return remove(streamId, p, true);
        }
      }
      return Future.succeededFuture(false);
    });
  }

  /** Takes {@code peer} out of the room, then tells it {@code stop} (and its partner, when {@code tellPartner}). */
  private Future<Boolean> remove(String streamId, PeerRef peer, boolean tellPartner) {
    return Future.fromCompletionStage(rooms.submitToKey(streamId,
        new LeaveProcessor(peer, null, LeaveReason.REMOVED, resumeMillis)), context).map(d -> {
          if (!d.removed()) {
            return false;
          }
          long version = d.room().version();
          if (!peer.held()) {
            notify(peer, Envelope.removed(peer, streamId, version), streamId);
          }
          PeerRef partner = d.remaining();
          if (tellPartner && partner != null && !partner.held()) {
            notify(partner, Envelope.partnerLeft(peer, partner, streamId, version), streamId);
          }
          return true;
        });
  }

  private void notify(PeerRef to, Envelope envelope, String streamId) {
    context.runOnContext(v -> courier.deliver(to.inbox(), envelope, to.node().equals(nodeId)).onFailure(e ->
        LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] [room: {}] could not tell {} it was removed: {}",
            nodeId, streamId, to, e.toString())));
  }

  // ------------------------------------------------------------------ nodes

  @Override
  public Future<List<JsonObject>> nodes() {
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (com.hazelcast.cluster.Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(RoomSerialization.NODE_ID_ATTRIBUTE);
      if (id == null) {
        continue;
      }
      if (id.equals(nodeId)) {
        answers.add(Future.succeededFuture(localStats.get().put("address", String.valueOf(m.getAddress()))));
        continue;
      }
      answers.add(vertx.eventBus().request(NODE_ADDRESS + id, null,
              new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MILLIS))
          .map(reply -> ((JsonObject) reply.body()).copy().put("address", String.valueOf(m.getAddress())))
          .otherwise(e -> new JsonObject().put("node", id).put("address", String.valueOf(m.getAddress()))
              .put("reachable", false)));
    }
    return Future.all(answers).map(all -> {
      List<JsonObject> list = new ArrayList<>();
      for (Future<JsonObject> f : answers) {
        list.add(f.result());
      }
      return list;
    });
  }
}
