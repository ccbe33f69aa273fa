package io.signaling.node.signal;

import io.signaling.node.cluster.Envelope;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client connection and the rooms it is in. Confined to its event loop: no locking. Commands run one
 * after another ({@link #tail}), so a leave never overtakes the join before it.
 */
final class Session {

  final long id;
  final ClientSocket socket;
  final TokenBucket bucket;
  final String urlToken;
  /** Resume: the peer id the socket connected with (opt-in), or null; never logged. */
  final String peerId;
  /**
   * Resume: the key of each room the socket joined with a peer id (a digest of the peer id and of the subject of
   * the token that authorised that join), kept after its socket is gone so relays returned for it name its slot.
   */
  private final Map<String, String> resumeKeys = new HashMap<>(2);
  /** What the connection may still send, in bytes. */
  final ByteBudget bytes;
  /** Resume: a newer socket of the same peer took over; this one gets nothing more. */
  boolean superseded;
  long lastSeenNanos;
  int violations;
  final Map<String, RoomLink> rooms = new LinkedHashMap<>();
  /** Rooms with a join in flight, and the notices that arrived for them before the join's answer. */
  final Map<String, List<Envelope>> joining = new HashMap<>();
  /** Leaves in flight: the socket is answered {@code leaved} when the directory has decided. */
  int leaving;
  Future<Void> tail = Future.succeededFuture();
  boolean closed;
  /** The server asked the socket to close; further messages are ignored. */
  boolean closing;
  /** The opaque id of this connection's TURN credentials, once it asked for them. */
  String iceId;
  /** The connection sent {@code getIceServerConfig}. */
  boolean askedIce;
  /** Join tokens are required and a join of this connection was authorised: it may have TURN credentials. */
  boolean iceGranted;
  /** A drain let the socket go: told {@code server_will_stop}, its rooms left, closed. */
  boolean released;

  Session(long id, ClientSocket socket, TokenBucket bucket, ByteBudget bytes, String urlToken, String peerId,
      long nowNanos) {
    this.id = id;
    this.socket = socket;
    this.bucket = bucket;
    this.bytes = bytes;
    this.urlToken = urlToken;
    this.peerId = peerId;
    this.lastSeenNanos = nowNanos;
  }

  /** Opted in to resume (with a peer id). */
  boolean resumable() {
    return peerId != null;
  }

  void rememberResumeKey(String streamId, String key) {
    if (key != null) {
      resumeKeys.put(streamId, key);
    }
  }

  void forgetResumeKey(String streamId) {
    resumeKeys.remove(streamId);
  }

  /** The resume key the socket had in the room, or null. */
  String resumeKey(String streamId) {
    return resumeKeys.get(streamId);
  }

  void close(short code, String reason) {
    if (!closing && !closed) {
      closing = true;
      socket.close(code, reason);
    }
  }

  void send(String text) {
    if (!closed && !superseded) {
      socket.send(text);
    }
  }

  void holdWhileJoining(String streamId, Envelope envelope) {
    joining.computeIfAbsent(streamId, k -> new ArrayList<>()).add(envelope);
  }
}
