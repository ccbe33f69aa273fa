package io.signaling.node.signal;

import io.signaling.node.room.PeerRef;
import java.util.List;
import java.util.Locale;

/**
 * The life of a socket's calls as its event loop sees it: the one place where its events happen, for whatever
 * follows them (the drain, the metrics, and next to them any feature that reacts to calls, such as webhooks to
 * the application's backend or an admin API). Every method runs on the socket's event loop, after the client was
 * told what the event means for it; a listener must not block, and its failures are logged and do not reach the
 * signaling (see {@link #all}).
 *
 * <p>Each event names the room and the socket it happened to ({@code self}: node, inbox and session id; its
 * {@link PeerRef#resumable()} tells whether it opted in to resume). A call between sockets of two nodes is seen on
 * both: each node reports its own socket's side.
 */
public interface CallListener {

  /** Why a call ended, or why a socket is no longer in a room. The wire names are lower case. */
  enum Reason {
    /** The client asked: a {@code leave} or {@code stop} from it, or from its partner. */
    LEAVE,
    /** The socket closed (or a drain closed it) without a leave, and its slot was not held. */
    CLOSED,
    /** A held slot's resume window passed (or what was kept for it overflowed) without a resume. */
    EXPIRED,
    /** The node of the other side left the cluster, or could not be reached, and its slot was not held. */
    NODE_LOST,
    /** The cluster no longer lists the socket or its partner in the room (after a merge), or it was taken out. */
    REMOVED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code self} is in {@code streamId} now (alone, paired, or resuming its slot). */
  default void joined(String streamId, PeerRef self) {
  }

  /** {@code self} has a partner in {@code streamId}: a new pairing, or its own slot resumed with one. */
  default void paired(String streamId, PeerRef self, PeerRef partner) {
  }

  /** {@code self}'s call in {@code streamId} ended (it was told {@code stop}, or it left); it may stay in the room. */
  default void ended(String streamId, PeerRef self, Reason reason) {
  }

  /** {@code self} is no longer in {@code streamId}. A resumable socket whose slot is held is not reported here. */
  default void left(String streamId, PeerRef self, Reason reason) {
  }

  /** {@code self}'s socket went and its slot in {@code streamId} is held for a resume. */
  default void held(String streamId, PeerRef self) {
  }

  /** A leave of {@code self} left {@code streamId} with no one in it (as the room directory decided). */
  default void roomEmpty(String streamId) {
  }

  /** Every listener in turn; one that throws is logged and the next still runs. */
  static CallListener all(List<CallListener> listeners) {
    return new CallEvents(List.copyOf(listeners));
  }
}
