package io.signaling.node.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import com.hazelcast.query.Predicate;
import io.signaling.node.Backend;
import io.signaling.node.backend.WebhookMetrics;
import io.signaling.node.backend.WebhookSender;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvent;
import io.signaling.node.room.RoomLife;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the events kept in the room entries of the partitions this node owns (the outbox): for each room and
 * each receiver, one event at a time, oldest first; the next only after the previous was acknowledged (a 2xx) or
 * given up (its retry window passed). Rooms and receivers are independent. Delivered events move the receiver's
 * cursor in the entry ({@link AcknowledgeProcessor}), which the entry's backup replicates; a node that takes
 * over a partition (a migration, a member lost) finds the entries with events by a scan of what it owns and goes
 * on from their cursors. So an event is delivered at least once, in order per room life, whichever node dies.
 *
 * <p>The processor that stores events hands them, with the receivers' cursors, to this node (it runs on the
 * partition's owner, {@link OutboxHooks}), so delivering needs no read of the entry; and the cursor is written
 * once a run of events is delivered (when nothing more is waiting), not after each one. A node lost in the
 * middle of a run leaves the cursor before the run: its successor sends the run's delivered events again, which
 * is the duplicate around a failure that at-least-once allows.
 *
 * <p>Why one class of this length: the delivery steps of a room and receiver (pump, load, send, acknowledge) and
 * the hooks, scans and gate that feed them share one context, the sender, the metrics, the backlog and the
 * per-receiver count of events given up; split apart, each piece would take all of them and the state machine would
 * be read across files. The adoption of lifeless rooms when the gate opens, which shares none of it, is
 * {@link RoomAdoption}.
 */
public final class WebhookDispatcher implements OutboxHooks {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
  private static final String EVENT_FIELD = "\"event\":\"";
  /** A safety net next to the scans on migrations and member losses. */
  static final long SCAN_PERIOD_MILLIS = 10_000;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final IMap<String, Room> rooms;
  private final Backend settings;
  private final WebhookSender sender;
  private final Executor blocking;
  private final String nodeId;
  private final RoomAdoption adoption;
  private WebhookMetrics metrics = WebhookMetrics.NOOP;
  private final AtomicLong backlog = new AtomicLong();
  /** Per receiver: events given up since its last delivery, announced in the next one ({@code numDropped}). */
  private final AtomicLongArray unannounced;
  private final Map<String, Worker> workers = new ConcurrentHashMap<>();
  /** The gate: every member keeps room lives ({@link ClusterFeatures#ROOM_LIVES}). */
  private volatile boolean active;
  private volatile boolean closed;
  private UUID migrationListener;
  private UUID membershipListener;
  private long scanTimer = -1;

  public WebhookDispatcher(Vertx vertx, HazelcastInstance hazelcast, Backend settings,
      WebhookSender sender, Executor blocking, String nodeId) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = hazelcast;
    this.rooms = hazelcast.getMap(RoomSerialization.ROOMS_MAP);
    this.settings = settings;
    this.sender = sender;
    this.blocking = blocking;
    this.nodeId = nodeId;
    this.unannounced = new AtomicLongArray(sender.receivers());
    this.adoption = new RoomAdoption(rooms, blocking, nodeId, () -> active && !closed);
  }

  public WebhookDispatcher withMetrics(WebhookMetrics metrics) {
    this.metrics = metrics;
    return this;
  }

  /** Events undelivered on this node's partitions. */
  public long backlog() {
    return Math.max(0, backlog.get());
  }

  /** Seconds since the oldest event this node is trying to deliver was created (0: none). */
  public double oldestUndeliveredSeconds() {
    long oldest = Long.MAX_VALUE;
    for (Worker w : workers.values()) {
      long c = w.headCreatedAt;
      if (c > 0) {
        oldest = Math.min(oldest, c);
      }
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
  }

  /**
   * True while lives start: every member keeps room lives. False while a member of an earlier release is present
   * (its partitions would drop them): no room starts a life, and events start when the last such member leaves.
   */
  public boolean active() {
    return active;
  }

  /** Makes the room processors on this member produce events, and starts delivering. */
  public void start() {
    gate(hazelcast.getCluster().getMembers(), "start");
    hazelcast.getUserContext().put(USER_CONTEXT_KEY, this);
    migrationListener = hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {
      }

      @Override
      public void migrationFinished(MigrationState state) {
        scan("migration");
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
      }

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {
      }
    });
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        gate(event.getMembers(), "member joined");
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        gate(event.getMembers(), "member left");
        // the departed member's partitions are promoted on the survivors: look for what is ours now
        vertx.setTimer(1000, t -> scan("member lost"));
        vertx.setTimer(5000, t -> scan("member lost"));
      }
    });
    scanTimer = vertx.setPeriodic(SCAN_PERIOD_MILLIS, t -> scan(null));
    scan("start");
    if (active) {
      adoption.adoptLifeless("start");
    }
  }

  /**
   * Opens or closes the gate for {@code members}, logging once per change: closed while any member lacks
   * {@link ClusterFeatures#ROOM_LIVES}; on opening, the lifeless rooms of this node's partitions are adopted.
   */
  private synchronized void gate(Set<Member> members, String why) {
    List<String> older = ClusterFeatures.lacking(members, ClusterFeatures.ROOM_LIVES);
    boolean open = older.isEmpty();
    boolean decided = gateDecided;
    gateDecided = true;
    if (decided && open == active) {
      return;
    }
    active = open;
    if (!open) {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] webhooks wait: {} of {} member(s) run an earlier"
          + " release that cannot keep a room's life ({}); no room starts a life until the last of them leaves ({})",
          nodeId, older.size(), members.size(), String.join(", ", older), why);
    } else if (decided) {
      LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] webhooks active: every member keeps room lives ({});"
          + " adopting the rooms of this node's partitions that have none", nodeId, why);
      adoption.adoptLifeless(why);
    }
  }

  /** Whether the gate was decided once (the first decision is logged only when it waits). */
  private boolean gateDecided;

  // ------------------------------------------------------------------ hooks (on the partition thread)

  @Override
  public boolean admit(int events) {
    return backlog.get() + events <= settings.webhookMaxBacklog();
  }

  @Override
  public void stored(String key, RoomLife life, int events) {
    backlog.addAndGet(events);
    for (int r = 0; r < sender.receivers(); r++) {
      schedule(key, r, life);
    }
  }

  @Override
  public void dropped(int events) {
    metrics.dropped("backlog_full", events);
    for (int r = 0; r < unannounced.length(); r++) {
      unannounced.addAndGet(r, events);
    }
    LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] webhook backlog full ({} events): {} new event(s) given up",
        nodeId, settings.webhookMaxBacklog(), events);
  }

  @Override
  public void removed(int events) {
    backlog.addAndGet(-events);
  }

  // ------------------------------------------------------------------ scans

  /** Entries of this member's partitions that have events to deliver. */
  static final class HasUndelivered implements Predicate<String, Room> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, Room> entry) {
      Room r = entry.getValue();
      return r != null && r.hasUndelivered();
    }
  }

  private void scan(String why) {
    if (closed) {
      return;
    }
    blocking.execute(() -> {
      try {
        Set<String> keys = rooms.localKeySet(new HasUndelivered());
        long total = 0;
        for (Room r : rooms.getAll(keys).values()) {
          if (r != null && r.life() != null) {
            total += r.life().outbox().size();
          }
        }
        backlog.set(total);
        for (String key : keys) {
          for (int r = 0; r < sender.receivers(); r++) {
            schedule(key, r, null);
          }
        }
        if (why != null && !keys.isEmpty()) {
          LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] webhooks: {} room(s) with events to deliver here ({})",
              nodeId, keys.size(), why);
        }
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] webhooks: scan failed: {}", nodeId, e.toString());
        }
      }
    });
  }

  // ------------------------------------------------------------------ one room, one receiver

  /**
   * One room's deliveries to one receiver. Offers (the events a change stored, with the receiver's cursor) arrive
   * on the partition's thread into {@code offered}; everything else runs on the dispatcher's context, one step at
   * a time ({@code running}).
   */
  private final class Worker {
    final String id;
    final String key;
    final int receiver;
    // guarded by this
    boolean running;
    boolean dirty;
    boolean finished;
    /** The entry must be read before anything is sent: a scan found it, or what was offered does not follow on. */
    boolean stale;
    boolean offeredAny;
    final TreeMap<Long, RoomEvent> offered = new TreeMap<>();
    long offeredCursor = -1;
    // on the context only
    final TreeMap<Long, RoomEvent> queue = new TreeMap<>();
    /** The last event delivered or given up, and the cursor as written in the entry. */
    long sent = -1;
    long persisted = -1;
    RoomEvent lastSent;
    int attempts;
    volatile long headCreatedAt;

    Worker(String id, String key, int receiver) {
      this.id = id;
      this.key = key;
      this.receiver = receiver;
    }

    /** On the partition's thread: what the entry holds for this receiver after a change. */
    synchronized void offer(RoomLife life) {
      long cursor = life.cursor(receiver);
      offeredCursor = offeredAny ? Math.min(offeredCursor, cursor) : cursor;
      offeredAny = true;
      for (RoomEvent e : life.outbox()) {
        if (e.ordinal() > cursor) {
          RoomEvent had = offered.putIfAbsent(e.ordinal(), e);
          if (had != null && !had.json().equals(e.json())) {
            stale = true; // the entry was removed and made anew: its events are numbered from 1 again
          }
        }
      }
    }
  }

  private void schedule(String key, int receiver, RoomLife life) {
    if (closed) {
      return;
    }
    String id = receiver + "\u0000" + key;
    while (true) {
      Worker w = workers.computeIfAbsent(id, k -> new Worker(k, key, receiver));
      synchronized (w) {
        if (w.finished) {
          continue;
        }
        if (life != null) {
          w.offer(life);
        } else if (w.sent < 0 && !w.offeredAny) {
          w.stale = true; // a scan found the entry: read it
        }
        if (w.running) {
          w.dirty = true;
          return;
        }
        w.running = true;
      }
      context.runOnContext(v -> pump(w));
      return;
    }
  }

  /** Ends the worker unless something was offered or scheduled meanwhile (then it goes on). */
  private boolean finish(Worker w) {
    synchronized (w) {
      if ((w.dirty || w.offeredAny || w.stale) && !closed) {
        w.dirty = false;
        return false;
      }
      w.finished = true;
      w.headCreatedAt = 0;
      workers.remove(w.id, w);
      return true;
    }
  }

  private boolean owned(String key) {
    try {
      return hazelcast.getPartitionService().getPartition(key).getOwner().localMember();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The next step: take what was offered, then send the next event, write the cursor, read the entry, or end. */
  private void pump(Worker w) {
    if (closed || !owned(w.key)) {
      finishNow(w);
      return;
    }
    boolean stale;
    synchronized (w) {
      stale = w.stale;
      if (w.offeredAny) {
        if (w.sent < 0) {
          w.sent = w.offeredCursor;
          w.persisted = w.offeredCursor;
        }
        for (RoomEvent e : w.offered.values()) {
          if (e.ordinal() > w.sent) {
            RoomEvent had = w.queue.putIfAbsent(e.ordinal(), e);
            stale |= had != null && !had.json().equals(e.json());
          } else if (w.lastSent != null && e.ordinal() == w.lastSent.ordinal()
              && !e.json().equals(w.lastSent.json())) {
            stale = true;
          }
        }
        w.offered.clear();
        w.offeredAny = false;
        w.offeredCursor = -1;
      }
      w.stale = false;
      w.dirty = false;
    }
    if (stale) {
      load(w);
      return;
    }
    Map.Entry<Long, RoomEvent> head = w.queue.firstEntry();
    while (head != null && head.getKey() <= w.sent) {
      w.queue.pollFirstEntry();
      head = w.queue.firstEntry();
    }
    if (head != null) {
      if (head.getKey() == w.sent + 1) {
        send(w, head.getValue());
      } else {
        load(w); // a gap: the entry knows what lies between
      }
      return;
    }
    if (w.sent > w.persisted) {
      acknowledge(w, w.sent);
      return;
    }
    if (!finish(w)) {
      pump(w);
    }
  }

  /** Reads the entry: the receiver's cursor and its events after it (a scan, a gap, a new entry). */
  private void load(Worker w) {
    Future.fromCompletionStage(rooms.getAsync(w.key), context).onComplete(ar -> {
      if (ar.failed()) {
        synchronized (w) {
          w.stale = true;
        }
        retryLater(w, 1000);
        return;
      }
      Room room = ar.result();
      w.queue.clear();
      w.lastSent = null;
      if (room == null || room.life() == null) {
        w.sent = -1;
        w.persisted = -1;
      } else {
        long cursor = room.life().cursor(w.receiver);
        w.sent = cursor;
        w.persisted = cursor;
        for (RoomEvent e : room.life().outbox()) {
          if (e.ordinal() > cursor) {
            w.queue.put(e.ordinal(), e);
          }
        }
      }
      if (room == null || room.life() == null) {
        if (!finish(w)) {
          pump(w);
        }
      } else {
        pump(w);
      }
    });
  }

  /** Sends {@code next}, the receiver's first event not delivered. */
  private void send(Worker w, RoomEvent next) {
    w.headCreatedAt = next.createdAt();
    String event = eventName(next.json());
    if (event != null && !settings.sends(event)) {
      metrics.delivery("skipped");
      sent(w, next);
      return;
    }
    long announced = unannounced.get(w.receiver);
    String body = announced > 0 ? withDropped(next.json(), announced) : next.json();
    sender.post(w.receiver, body).onComplete(sent -> {
      String outcome = sent.succeeded() ? sent.result() : "error";
      metrics.delivery(outcome);
      if (WebhookSender.DELIVERED.equals(outcome)) {
        w.attempts = 0;
        if (announced > 0) {
          unannounced.addAndGet(w.receiver, -announced);
        }
        sent(w, next);
        return;
      }
      long age = System.currentTimeMillis() - next.createdAt();
      if (age > settings.webhookRetrySeconds() * 1000L) {
        metrics.dropped("retry_window", 1);
        unannounced.incrementAndGet(w.receiver);
        LOG.atWarn().addKeyValue("node", nodeId).log("[node: {}] [room: {}] webhook event {} given up for {} after"
            + " {} attempt(s) over {} s (last: {})", nodeId, w.key, eventId(next.json()), sender.url(w.receiver),
            w.attempts + 1, age / 1000, outcome);
        w.attempts = 0;
        sent(w, next);
        return;
      }
      w.attempts++;
      long backoff = Math.min(settings.webhookMaxBackoffMillis(), 1000L << Math.min(16, w.attempts - 1));
      retryLater(w, backoff);
    });
  }

  /** {@code event} was delivered or given up: on to the next (the cursor is written when the run ends). */
  private void sent(Worker w, RoomEvent event) {
    w.sent = event.ordinal();
    w.lastSent = event;
    w.queue.remove(event.ordinal());
    w.headCreatedAt = 0;
    pump(w);
  }

  /** Writes the receiver's cursor in the entry: every event up to {@code ordinal} is delivered or given up. */
  private void acknowledge(Worker w, long ordinal) {
    Future.fromCompletionStage(rooms.submitToKey(w.key,
            new AcknowledgeProcessor(w.receiver, ordinal, sender.receivers())), context)
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.atInfo().addKeyValue("node", nodeId).log("[node: {}] [room: {}] webhook acknowledgement failed, again"
                + " shortly: {}", nodeId, w.key, ar.cause().toString());
            retryLater(w, 1000);
            return;
          }
          String answer = ar.result();
          if (AcknowledgeProcessor.REMOVED.equals(answer)) {
            // the room is gone with its last event: whatever was offered since belongs to a new entry
            w.queue.clear();
            w.lastSent = null;
            w.sent = -1;
            w.persisted = -1;
          } else {
            w.persisted = Math.max(w.persisted, ordinal);
            RoomEvent next = AcknowledgeProcessor.decodeNext(answer);
            if (next != null && next.ordinal() > w.sent) {
              w.queue.putIfAbsent(next.ordinal(), next); // stored before this node had the entry's offers
            }
          }
          pump(w);
        });
  }

  private void retryLater(Worker w, long millis) {
    vertx.setTimer(millis, t -> context.runOnContext(v -> pump(w)));
  }

  private void finishNow(Worker w) {
    synchronized (w) {
      w.finished = true;
      w.headCreatedAt = 0;
      workers.remove(w.id, w);
    }
  }

  private static String eventName(String json) {
    int i = json.indexOf(EVENT_FIELD);
    if (i < 0) {
      return null;
    }
    int from = i + EVENT_FIELD.length();
    int to = json.indexOf('"', from);
    return to < 0 ? null : json.substring(from, to);
  }

  private static String eventId(String json) {
    int i = json.indexOf("\"id\":\"");
    return i < 0 ? "?" : json.substring(i + 6, json.indexOf('"', i + 6));
  }

  /** The body with {@code "numDropped"}: events given up for this receiver since its last delivery. */
  static String withDropped(String json, long dropped) {
    return json.substring(0, json.length() - 1) + ",\"numDropped\":" + dropped + "}";
  }

}
