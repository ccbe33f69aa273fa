package io.signaling.node.room;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The events a change of a room produces for the application backend, as a pure function of the room before and
 * after the change: the cluster calls it inside the entry processor that makes the change, so an event exists
 * exactly when its change does, once, and is kept (and backed up) with the room's entry.
 *
 * <p>A room that has peers but no life (it began before webhooks were active cluster-wide) is <em>adopted</em> at its
 * next change where lives start: its events begin with {@code room_started} ({@code "adopted": true}), a
 * {@code peer_joined} for each peer it already has and {@code call_started} if it is a pair, then the change's own.
 *
 * <p>Order within one change: {@code room_started}, {@code peer_resumed}, {@code call_ended}, {@code peer_left},
 * {@code peer_joined}, {@code call_started}, {@code room_finished}. A held slot (resume) is not a leave: it keeps
 * its place in the call and produces nothing; a resume produces {@code peer_resumed}.
 */
public final class RoomEvents {

  public static final String ROOM_STARTED = "room_started";
  public static final String PEER_JOINED = "peer_joined";
  public static final String PEER_RESUMED = "peer_resumed";
  public static final String CALL_STARTED = "call_started";
  public static final String CALL_ENDED = "call_ended";
  public static final String PEER_LEFT = "peer_left";
  public static final String ROOM_FINISHED = "room_finished";

  /** Rooms of a node's warm-up: never any event. */
  public static final String WARMUP_PREFIX = "warmup-";

  private RoomEvents() {
  }

  /** The external id of a peer's socket: its node and its session ({@code <node>.<session>}). */
  public static String sessionId(PeerRef peer) {
    return peer.node() + "." + peer.session();
  }

  /**
   * {@code after} with the events of the change from {@code before} (null: no entry) to {@code after}.
   *
   * @param reason why peers that are gone left (a leave's, an eviction's, a purge's)
   * @param nowMillis the change's time (fixed by the caller, so a backup computing the same change agrees)
   * @param newSid gives a new life's id when the room starts or is adopted; null when no life may start here (events
   *     off or not active cluster-wide; warm-up rooms never start one): a room already in a life goes on with it
   * @param store false when the node's backlog is full: the events are numbered but not kept (given up)
   * @return {@code after} with its life updated; the number of events is {@link #produced}
   */
  public static Room apply(String streamId, Room before, Room after, LeaveReason reason, long nowMillis,
      Supplier<String> newSid, boolean store) {
    List<PeerRef> was = before == null ? List.of() : before.peers();
    List<PeerRef> is = after.peers();
    RoomLife life = after.life() != null ? after.life() : before == null ? null : before.life();
    String sid = life == null ? null : life.sid();
    long seq = life == null ? 0 : life.seq();
    long pairedAt = life == null ? 0 : life.pairedAt();
    if (was.isEmpty() && is.isEmpty()) {
      return after;
    }
    List<String> events = new ArrayList<>(4);
    Json json = new Json(streamId, nowMillis);
    if (was.isEmpty() || sid == null) {
      if (newSid == null || streamId.startsWith(WARMUP_PREFIX)) {
        // no life starts here (events off, or not yet active cluster-wide; a warm-up room)
        return life == null ? after : after.withLife(life);
      }
      sid = newSid.get();
      seq = 0;
      pairedAt = 0;
      if (was.isEmpty()) {
        events.add(json.event(sid, ++seq, ROOM_STARTED).end());
      } else {
        // adoption: a room that began without a life (before webhooks were active cluster-wide, or on a node
        // without them) gets one now, as if it had started now with the peers it has
        events.add(json.event(sid, ++seq, ROOM_STARTED).bool("adopted", true).end());
        for (PeerRef p : was) {
          events.add(json.event(sid, ++seq, PEER_JOINED).peer("peer", p).end());
        }
        if (was.size() == Room.CAPACITY) {
          events.add(json.event(sid, ++seq, CALL_STARTED).peers(was).end());
          pairedAt = nowMillis;
        }
      }
    }
    List<PeerRef> gone = new ArrayList<>();
    for (PeerRef p : was) {
      if (!contains(is, p)) {
        gone.add(p);
      }
    }
    List<PeerRef> came = new ArrayList<>();
    for (PeerRef p : is) {
      if (!contains(was, p)) {
        came.add(p);
      }
    }
    for (PeerRef p : new ArrayList<>(came)) {
      for (PeerRef g : gone) {
        if (g.sameSlot(p)) {
          events.add(json.event(sid, ++seq, PEER_RESUMED).peer("peer", p).peer("replaced", g).end());
          gone.remove(g);
          came.remove(p);
          break;
        }
      }
    }
    boolean pairedBefore = was.size() == Room.CAPACITY;
    boolean pairedAfter = is.size() == Room.CAPACITY;
    if (pairedBefore && (!pairedAfter || !gone.isEmpty())) {
      events.add(json.event(sid, ++seq, CALL_ENDED).peers(was).number("durationMs", Math.max(0, nowMillis - pairedAt))
          .string("reason", reason.wire()).end());
      pairedAt = 0;
    }
    for (PeerRef g : gone) {
      events.add(json.event(sid, ++seq, PEER_LEFT).peer("peer", g).string("reason", reason.wire()).end());
    }
    for (PeerRef c : came) {
      events.add(json.event(sid, ++seq, PEER_JOINED).peer("peer", c).end());
    }
    if (pairedAfter && (!pairedBefore || !gone.isEmpty())) {
      events.add(json.event(sid, ++seq, CALL_STARTED).peers(is).end());
      pairedAt = nowMillis;
    }
    if (is.isEmpty()) {
      events.add(json.event(sid, ++seq, ROOM_FINISHED).end());
    }
    List<RoomEvent> outbox = new ArrayList<>(life == null ? List.of() : life.outbox());
    long ordinal = life == null ? 0 : life.nextOrdinal();
    if (store) {
      for (String e : events) {
        outbox.add(new RoomEvent(++ordinal, nowMillis, e));
      }
    }
    RoomLife next = new RoomLife(is.isEmpty() ? null : sid, is.isEmpty() ? 0 : seq, pairedAt, ordinal, outbox,
        life == null ? List.of() : life.cursors());
    return after.withLife(next);
  }

  /**
   * {@code room} (with peers, without a life) adopted: a new life whose first events say what the room already
   * is ({@code room_started} marked {@code "adopted": true}, a {@code peer_joined} for each peer, {@code call_started}
   * when it is a pair), all at {@code nowMillis}. The same room when it has a life, no peer, or is a warm-up room.
   */
  public static Room adopt(String streamId, Room room, long nowMillis, Supplier<String> newSid, boolean store) {
    if (room == null || room.isEmpty() || (room.life() != null && room.life().sid() != null)) {
      return room;
    }
    return apply(streamId, room, room, LeaveReason.LEAVE, nowMillis, newSid, store);
  }

  /** How many events the change from {@code before} to {@code after} (as returned by {@link #apply}) stored. */
  public static int produced(Room before, Room after) {
    long from = before == null || before.life() == null ? 0 : before.life().nextOrdinal();
    long to = after == null || after.life() == null ? from : after.life().nextOrdinal();
    return (int) Math.max(0, to - from);
  }

  private static boolean contains(List<PeerRef> peers, PeerRef p) {
    for (PeerRef q : peers) {
      if (q.sameSocket(p)) {
        return true;
      }
    }
    return false;
  }

  /** A hand-written JSON object: the names are fixed and the strings escaped. */
  private static final class Json {
    private final String streamId;
    private final long createdAt;
    private StringBuilder b;

    Json(String streamId, long createdAt) {
      this.streamId = streamId;
      this.createdAt = createdAt;
    }

    Json event(String sid, long seq, String event) {
      b = new StringBuilder(256);
      b.append('{');
      string("id", sid + "-" + seq);
      string("event", event);
      string("streamId", streamId);
      string("roomSid", sid);
      number("seq", seq);
      number("createdAt", createdAt);
      return this;
    }

    Json string(String name, String value) {
      name(name);
      quote(b, value);
      return this;
    }

    Json bool(String name, boolean value) {
      name(name);
      b.append(value);
      return this;
    }

    Json number(String name, long value) {
      name(name);
      b.append(value);
      return this;
    }

    Json peer(String name, PeerRef p) {
      name(name);
      peerObject(p);
      return this;
    }

    Json peers(List<PeerRef> peers) {
      name("peers");
      b.append('[');
      for (int i = 0; i < peers.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        peerObject(peers.get(i));
      }
      b.append(']');
      return this;
    }

    private void peerObject(PeerRef p) {
      b.append("{\"sessionId\":");
      quote(b, sessionId(p));
      // the resume id is a bearer secret the cluster never stores (only its digest): not reported
      b.append(",\"peerId\":null,\"node\":");
      quote(b, p.node());
      b.append(",\"mode\":\"").append(p.playOnly() ? "play" : "both").append('"');
      b.append(",\"resumable\":").append(p.resumable());
      b.append('}');
    }

    private void name(String name) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append('"').append(name).append("\":");
    }

    String end() {
      return b.append('}').toString();
    }
  }

  /** {@code value} as a JSON string (null as {@code null}). */
  static void quote(StringBuilder b, String value) {
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
