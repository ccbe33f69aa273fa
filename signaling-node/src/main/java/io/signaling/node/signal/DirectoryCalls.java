package io.signaling.node.signal;

import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The room directory as this event loop calls it: every answer on the loop, and bounded (Hazelcast's own
 * invocation timeout is minutes, and a socket's commands wait for each other).
 */
final class DirectoryCalls {

  private final RoomDirectory directory;
  private final Context context;
  private final long timeoutMillis;

  DirectoryCalls(RoomDirectory directory, Context context, long timeoutMillis) {
    this.directory = directory;
    this.context = context;
    this.timeoutMillis = timeoutMillis;
  }

  private <T> Future<T> bounded(CompletionStage<T> call) {
    return Future.fromCompletionStage(call, context).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** A call that throws instead of returning a stage fails like one that failed. */
  private <T> Future<T> call(java.util.function.Supplier<CompletionStage<T>> call) {
    try {
      return bounded(call.get());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  Future<JoinDecision> join(String streamId, PeerRef joiner) {
    return call(() -> directory.join(streamId, joiner));
  }

  /** A leave for {@code reason} (the room's events for the application backend report it). */
  Future<LeaveDecision> leave(String streamId, PeerRef leaver, LeaveReason reason) {
    return call(() -> directory.leave(streamId, leaver, reason));
  }

  Future<LeaveDecision> hold(String streamId, PeerRef peer) {
    return call(() -> directory.hold(streamId, peer));
  }

  Future<LeaveDecision> evict(String streamId, PeerRef partner, PeerRef evictor, LeaveReason reason) {
    return call(() -> directory.evict(streamId, partner, evictor, reason));
  }

  Future<Room> room(String streamId) {
    return call(() -> directory.room(streamId));
  }
}
