package io.signaling.node.signal;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sockets of one event loop: those open now, and (resume) those recently gone whose slot may be held, for the
 * window: a relay that still reaches a gone socket is sent back to its sender, which keeps it for the peer's next
 * socket. A gone socket is forgotten when the window has passed, whatever became of its hold.
 */
final class Sessions {

  private final Vertx vertx;
  private final long forgetAfterMillis;
  private final Map<Long, Session> open = new HashMap<>();
  private final Map<Long, Session> gone = new HashMap<>();

  Sessions(Vertx vertx, int resumeSeconds) {
    this.vertx = vertx;
    this.forgetAfterMillis = Math.max(1, resumeSeconds * 1000L);
  }

  void add(Session s) {
    open.put(s.id, s);
  }

  /** The open (or closed, with its close not yet processed) socket with this id, or null. */
  Session get(long id) {
    return open.get(id);
  }

  void remove(Session s) {
    open.remove(s.id);
  }

  /** The open sockets; a live view (copy before changing the sockets' set while iterating). */
  Collection<Session> all() {
    return open.values();
  }

  /** A copy of the open sockets, safe to iterate while sockets come and go. */
  List<Session> snapshot() {
    return new ArrayList<>(open.values());
  }

  int count() {
    return open.size();
  }

  /** {@code s} went (or was superseded) with a slot that may be held: kept for the window, then forgotten. */
  void markGone(Session s) {
    if (s.gone) {
      return;
    }
    s.gone = true;
    gone.put(s.id, s);
    vertx.setTimer(forgetAfterMillis, t -> gone.remove(s.id));
  }

  /** A recently gone socket with this id, or null. */
  Session gone(long id) {
    return gone.get(id);
  }

  boolean isGone(long id) {
    return gone.containsKey(id);
  }

  int goneCount() {
    return gone.size();
  }
}
