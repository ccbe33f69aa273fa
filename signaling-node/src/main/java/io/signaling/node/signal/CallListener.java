package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import java.util.List;

/**
 * The life of a socket's calls as its event loop sees it: the one place where its events happen, for whatever
 * follows them on this node (the drain, the metrics, and next to them any node-local feature that reacts to calls;
 * the application backend's webhooks are born in the room directory, once per cluster, with the same reasons). Every method runs on the socket's event loop, after the client was
 * told what the event means for it; a listener must not block, and its failures are logged and do not reach the
 * signaling (see {@link #all}).
 *
 * <p>Reasons are the {@link LeaveReason}s the room directory records and the application backend's webhooks report
 * ({@code leave}, {@code closed}, {@code expired}, {@code node_lost}, {@code removed}).
 *
 * <p>Each event names the room and the socket it happened to ({@code self}: node, inbox and session id; its
 * {@link PeerRef#resumable()} tells whether it opted in to resume). A call between sockets of two nodes is seen on
 * both: each node reports its own socket's side.
 */
public interface CallListener {

  /** {@code self} is in {@code streamId} now (alone, paired, or resuming its slot). */
  default void joined(String streamId, PeerRef self) {
  }

  /** {@code self} has a partner in {@code streamId}: a new pairing, or its own slot resumed with one. */
  default void paired(String streamId, PeerRef self, PeerRef partner) {
  }

  /** {@code self}'s call in {@code streamId} ended (it was told {@code stop}, or it left); it may stay in the room. */
  default void ended(String streamId, PeerRef self, LeaveReason reason) {
  }

  /** {@code self} is no longer in {@code streamId}. A resumable socket whose slot is held is not reported here. */
  default void left(String streamId, PeerRef self, LeaveReason reason) {
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
