package io.signaling.node.signal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * The drain policy of one event loop, so that a scale-down or a rolling update ends no call: once the drain
 * starts, a socket in no call is released at once (told {@code server_will_stop}, its rooms left, closed
 * with 1001), and a socket in a call stays and keeps working until its last call ends (it leaves, its
 * partner leaves or is lost, or it closes), and is released then. The drain is done when every socket was
 * released or has closed. Confined to the event loop, like the sessions it looks at.
 */
final class CallDrain {

  private final Consumer<Session> release;
  private final Promise<Void> done = Promise.promise();
  private boolean active;
  /** Calls held open, as of the last change (read by metrics from any thread). */
  private volatile int held;

  /** @param release tells a socket the server will stop, leaves its rooms and closes it */
  CallDrain(Consumer<Session> release) {
    this.release = release;
  }

  boolean active() {
    return active;
  }

  /** Starts the drain (once); completes when no socket of {@code sessions} is held any more. */
  Future<Void> start(Collection<Session> sessions) {
    if (!active) {
      active = true;
      callsMayHaveEnded(sessions);
    }
    return done.future();
  }

  /** Something that can end calls happened to many sockets at once (a node left): one pass over them all. */
  void callsMayHaveEnded(Collection<Session> sessions) {
    if (!active) {
      return;
    }
    for (Session s : sessions.toArray(new Session[0])) {
      releaseUnlessHeld(s);
    }
    checkDone(sessions);
  }

  /** Something that can end a call happened to {@code s} (or {@code s} is null: a socket went away). */
  void callMayHaveEnded(Session s, Collection<Session> sessions) {
    if (!active) {
      return;
    }
    if (s != null) {
      releaseUnlessHeld(s);
    }
    checkDone(sessions);
  }

  /** Rooms with a partner, of sockets not yet released. */
  private static int heldCalls(Collection<Session> sessions) {
    int calls = 0;
    for (Session s : sessions) {
      if (!s.released && !s.closed) {
        for (RoomLink link : s.rooms.values()) {
          if (link.partner != null) {
            calls++;
          }
        }
      }
    }
    return calls;
  }

  /**
   * A socket is held while it is in a call, or while a join or a leave it sent is still being decided: a leave
   * is answered {@code leaved} before the socket is told {@code server_will_stop}.
   */
  static boolean inCall(Session s) {
    if (!s.joining.isEmpty() || s.leaving > 0) {
      return true;
    }
    for (RoomLink link : s.rooms.values()) {
      if (link.partner != null) {
        return true;
      }
    }
    return false;
  }

  private void releaseUnlessHeld(Session s) {
    if (!s.released && !s.closed && !inCall(s)) {
      s.released = true;
      release.accept(s);
    }
  }

  /** Calls held open by the drain on this loop (0 before the drain); safe to read from any thread. */
  int held() {
    return held;
  }

  private void checkDone(Collection<Session> sessions) {
    held = heldCalls(sessions);
    for (Session s : sessions) {
      if (!s.released && !s.closed) {
        return;
      }
    }
    done.tryComplete();
  }
}
