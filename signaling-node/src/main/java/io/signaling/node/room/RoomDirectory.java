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

  /** The room as the cluster has it now (empty when there is none). */
  CompletionStage<Room> room(String streamId);

  /** Removes every peer of a node that left the cluster; completes with the number of rooms changed. */
  CompletionStage<Integer> purgeNode(String node);
}
