package io.signaling.node.room;

import java.util.concurrent.CompletionStage;

/**
 * Cluster-wide room membership, keyed by streamId. Every operation is atomic on its room: two joins
 * racing on different nodes are decided one after the other.
 */
public interface RoomDirectory {

  CompletionStage<JoinDecision> join(String streamId, PeerRef joiner);

  CompletionStage<LeaveDecision> leave(String streamId, PeerRef leaver);

  /**
   * Removes {@code partner}, found unreachable by {@code evictor}, but only while both are still in the room:
   * a peer acting on an old view (say, after it was cut off) never removes a partner from a room that has
   * moved on.
   */
  CompletionStage<LeaveDecision> evict(String streamId, PeerRef partner, PeerRef evictor);

  /** A leave for {@code reason} (what the application backend's events report). */
  default CompletionStage<LeaveDecision> leave(String streamId, PeerRef leaver, LeaveReason reason) {
    return leave(streamId, leaver);
  }

  /** An eviction for {@code reason} (what the application backend's events report). */
  default CompletionStage<LeaveDecision> evict(String streamId, PeerRef partner, PeerRef evictor,
      LeaveReason reason) {
    return evict(streamId, partner, evictor);
  }

  /**
   * {@code peer}'s socket closed without a leave: when it opted in to resume, its slot is held (see
   * {@link RoomRules#hold}); the decision's {@code remaining} is the partner. A directory without held slots
   * answers {@link LeaveDecision#NOT_MEMBER}, and the caller leaves instead.
   */
  default CompletionStage<LeaveDecision> hold(String streamId, PeerRef peer) {
    return java.util.concurrent.CompletableFuture.completedFuture(LeaveDecision.NOT_MEMBER);
  }

  /** The room as the cluster has it now (empty when there is none). */
  CompletionStage<Room> room(String streamId);

  /** Removes every peer of a node that left the cluster; completes with the number of rooms changed. */
  CompletionStage<Integer> purgeNode(String node);
}
