package io.signaling.node.signal;

import io.signaling.node.cluster.Courier;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.room.PeerRef;
import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * Envelopes to a socket of any node: handed to this event loop's own inbox at once when the socket is here,
 * else to the courier (which batches them per inbox and keeps their order).
 */
final class Outbound {

  private final String node;
  private final String inbox;
  private final Courier courier;
  private final Consumer<Envelope> local;

  /** @param local this loop's own inbox: handles an envelope at once, as if it had come through the bus */
  Outbound(String node, String inbox, Courier courier, Consumer<Envelope> local) {
    this.node = node;
    this.inbox = inbox;
    this.courier = courier;
    this.local = local;
  }

  /** A notice, acknowledged: fails when the target's inbox could not be reached (after the courier's retries). */
  Future<Void> deliver(PeerRef to, Envelope envelope) {
    if (to.inbox().equals(inbox)) {
      local.accept(envelope);
      return Future.succeededFuture();
    }
    return courier.deliver(to.inbox(), envelope, to.node().equals(node));
  }

  /** A relay: sent once, not acknowledged. */
  void send(PeerRef to, Envelope envelope) {
    send(to.inbox(), to.node(), envelope);
  }

  void send(String toInbox, String toNode, Envelope envelope) {
    if (toInbox.equals(inbox)) {
      local.accept(envelope);
    } else {
      courier.send(toInbox, envelope, toNode.equals(node));
    }
  }
}
