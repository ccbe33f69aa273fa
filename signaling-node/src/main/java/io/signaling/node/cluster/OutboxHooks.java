package io.signaling.node.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.signaling.node.room.RoomLife;

/**
 * What the room processors tell the node they run on (the partition's owner) about the events they store:
 * kept in the member's user context, absent when the node sends no webhooks (then no room starts a life).
 * Backups never call it: only the primary's processor does.
 */
interface OutboxHooks {

  String USER_CONTEXT_KEY = "signaling.webhooks";

  /** True while the node's backlog has room for {@code events} more. */
  boolean admit(int events);

  /**
   * {@code events} new events were stored in room {@code key}'s entry, on this node's partition; {@code life} is the
   * life as stored (the outbox, every receiver's cursor).
   */
  void stored(String key, RoomLife life, int events);

  /** {@code events} events were given up before they were stored (the backlog was full). */
  void dropped(int events);

  /** {@code events} events left an outbox on this node (every receiver has them). */
  void removed(int events);

  /** The hooks of the member {@code hazelcast}, or null (webhooks off, or no member). */
  static OutboxHooks of(HazelcastInstance hazelcast) {
    if (hazelcast == null) {
      return null;
    }
    Object hooks = hazelcast.getUserContext().get(USER_CONTEXT_KEY);
    return hooks instanceof OutboxHooks h ? h : null;
  }
}
