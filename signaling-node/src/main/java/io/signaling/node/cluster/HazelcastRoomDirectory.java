package io.signaling.node.cluster;

import com.hazelcast.map.IMap;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** The room directory as a Hazelcast map updated only by entry processors. */
public final class HazelcastRoomDirectory implements RoomDirectory {

  private final IMap<String, Room> rooms;
  private final Executor blocking;
  private final long resumeMillis;

  /**
   * @param rooms the rooms map
   * @param blocking where the few blocking whole-map operations run (never an event loop)
   */
  public HazelcastRoomDirectory(IMap<String, Room> rooms, Executor blocking) {
    this(rooms, blocking, 0);
  }

  /**
   * @param resumeMillis how long a resumable peer's slot is held after its socket or its node is gone (0: never)
   */
  public HazelcastRoomDirectory(IMap<String, Room> rooms, Executor blocking, long resumeMillis) {
    this.rooms = Objects.requireNonNull(rooms);
    this.blocking = Objects.requireNonNull(blocking);
    this.resumeMillis = resumeMillis;
  }

  @Override
  public CompletionStage<JoinDecision> join(String streamId, PeerRef joiner) {
    return rooms.submitToKey(streamId, new JoinProcessor(joiner, resumeMillis));
  }

  @Override
  public CompletionStage<LeaveDecision> leave(String streamId, PeerRef leaver) {
    return rooms.submitToKey(streamId, new LeaveProcessor(leaver, null));
  }

  @Override
  public CompletionStage<LeaveDecision> evict(String streamId, PeerRef partner, PeerRef evictor) {
    return rooms.submitToKey(streamId, new LeaveProcessor(partner, evictor));
  }

  @Override
  public CompletionStage<LeaveDecision> leave(String streamId, PeerRef leaver, LeaveReason reason) {
    return rooms.submitToKey(streamId, new LeaveProcessor(leaver, null, reason, resumeMillis));
  }

  @Override
  public CompletionStage<LeaveDecision> evict(String streamId, PeerRef partner, PeerRef evictor,
      LeaveReason reason) {
    return rooms.submitToKey(streamId, new LeaveProcessor(partner, evictor, reason, resumeMillis));
  }

  @Override
  public CompletionStage<LeaveDecision> hold(String streamId, PeerRef peer) {
    if (resumeMillis <= 0) {
      return CompletableFuture.completedFuture(LeaveDecision.NOT_MEMBER);
    }
    return rooms.submitToKey(streamId, new HoldProcessor(peer, resumeMillis));
  }

  @Override
  public CompletionStage<Room> room(String streamId) {
    return rooms.getAsync(streamId).thenApply(r -> r == null ? Room.EMPTY : r);
  }

  @Override
  public CompletionStage<Integer> purgeNode(String node) {
    return CompletableFuture.supplyAsync(() -> {
      Map<String, Boolean> changed = rooms.executeOnEntries(
          new PurgeNodeProcessor(node, System.currentTimeMillis(), resumeMillis));
      return (int) changed.values().stream().filter(Boolean.TRUE::equals).count();
    }, blocking);
  }
}
