package io.signaling.node.room;

import java.util.concurrent.CompletionStage;

/**
 * Cluster-wide room membership, keyed by streamId. Every operation is atomic on its room: two joins
 * racing on different nodes are decided one after the other.
 */
public interface RoomDirectory {

  CompletionStage<JoinDecision> join(String streamId, PeerRef joiner);

  CompletionStage<LeaveDecision> leave(String streamId, PeerRef leaver);

  /** The room as the cluster has it now (empty when there is none). */
  CompletionStage<Room> room(String streamId);

  /** Removes every peer of a node that left the cluster; completes with the number of rooms changed. */
  CompletionStage<Integer> purgeNode(String node);
}
