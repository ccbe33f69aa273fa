package io.signaling.node.signal;

import io.signaling.node.cluster.Envelope;
import io.signaling.node.cluster.EnvelopeBatch;
import io.signaling.node.room.PeerRef;
import io.vertx.core.eventbus.Message;
import java.util.List;

/**
 * This event loop's inbox: envelopes from any node (this one included), each handed to the socket it is for:
 * relays written to it, notices about its partner to {@link Calls}, a takeover of its slot or its removal by the
 * admin API to {@link Memberships}.
 * A relay for a socket that is gone with its slot held goes back to its sender, which keeps it.
 */
final class Envelopes {

  private final String node;
  private final String inbox;
  private final Sessions sessions;
  private final Calls calls;
  private final Memberships memberships;
  private final Outbound outbound;

  Envelopes(String node, String inbox, Sessions sessions, Calls calls, Memberships memberships, Outbound outbound) {
    this.node = node;
    this.inbox = inbox;
    this.sessions = sessions;
    this.calls = calls;
    this.memberships = memberships;
    this.outbound = outbound;
  }

  /** The inbox consumer: an envelope (or a batch) from this or another node. Notices are acknowledged. */
  void onMessage(Message<Object> message) {
    if (message.body() instanceof EnvelopeBatch batch) {
      for (Envelope e : batch.envelopes()) {
        onEnvelope(e);
      }
    } else {
      onEnvelope((Envelope) message.body());
    }
    if (message.replyAddress() != null) {
      message.reply(null);
    }
  }

  void onEnvelope(Envelope e) {
    if (e.kind() == Envelope.Kind.UNKNOWN) {
      // from a later release, during a rolling update: what it asks is not known here
      return;
    }
    Session s = sessions.get(e.target());
    if (s == null || s.closed) {
      Session g = s != null ? s : sessions.gone(e.target());
      if (g != null && g.resumable() && e.kind() == Envelope.Kind.RELAY) {
        returnRelay(g, e);
      }
      return;
    }
    String streamId = e.streamId();
    RoomLink link = s.rooms.get(streamId);
    if (link == null) {
      if (e.kind() == Envelope.Kind.RELAY && s.resumable() && sessions.isGone(s.id)) {
        // its slot here is held (a drain let it go, and it is not closed yet), or was taken over by a newer
        // socket whose notice has not reached the sender yet: the sender keeps it for the peer's new socket
        returnRelay(s, e);
        return;
      }
      List<Envelope> early = s.joining.get(streamId);
      if (early != null) {
        early.add(e);
      }
      return;
    }
    switch (e.kind()) {
      case RELAY:
        if (link.acceptsRelayFrom(e.peer())) {
          s.send(e.text());
        }
        break;
      case PAIRED:
        calls.onPaired(s, streamId, link, e);
        break;
      case PARTNER_LEFT:
        calls.onPartnerLeft(s, streamId, link, e);
        break;
      case HELD:
        calls.onHeld(s, streamId, link, e);
        break;
      case RETURNED:
        calls.onReturned(s, streamId, link, e);
        break;
      case RESUMED:
        calls.onResumed(s, streamId, link, e);
        break;
      case REMOVED:
        memberships.removed(s, streamId, link);
        break;
      case SUPERSEDED:
        memberships.superseded(s, streamId, link);
        break;
      default:
        throw new IllegalStateException("unhandled envelope " + e.kind());
    }
  }

  /** A relay reached a socket of this loop that is gone with a held slot: back to its sender, which keeps it. */
  private void returnRelay(Session g, Envelope e) {
    PeerRef self = new PeerRef(node, inbox, g.id, false, g.resumeKey(e.streamId()), 0);
    outbound.send(e.peer(), Envelope.returned(self, e.peer(), e.streamId(), e.text()));
  }
}
