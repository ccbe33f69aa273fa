package io.signaling.node.cluster;

import io.signaling.node.room.PeerRef;

/**
 * What one node's event loop tells another's about a socket it owns. Every envelope carries its room's
 * {@code streamId}: the routing key that, with the room directory, addresses it.
 *
 * @param kind what it is
 * @param target the receiving socket's session id within the target inbox
 * @param streamId the room
 * @param peer RELAY: the sender; PAIRED: the new partner; PARTNER_LEFT: the peer that left
 * @param start PAIRED: the receiver is the offerer and gets {@code start}
 * @param text RELAY: the frame to write to the target socket, else null
 * @param version PAIRED: the room's version after the pairing; PARTNER_LEFT: after the leave (or, when the
 *     leaver could not learn it, the newest the leaver had seen). A notice older than what the target has seen
 *     (a retried duplicate, or one overtaken by later changes such as a leave and a rejoin) is ignored
 */
public record Envelope(Kind kind, long target, String streamId, PeerRef peer, boolean start, String text,
    long version) {

  public enum Kind {
    /** A takeConfiguration, takeCandidate or peerMessageCommand for the partner. */
    RELAY,
    /** The target's room is now full: its partner is {@code peer}. */
    PAIRED,
    /** {@code peer} left the target's room: the target gets {@code stop}. */
    PARTNER_LEFT
  }

  public static Envelope relay(PeerRef sender, PeerRef to, String streamId, String text) {
    return new Envelope(Kind.RELAY, to.session(), streamId, sender, false, text, 0);
  }

  public static Envelope paired(PeerRef partner, PeerRef to, String streamId, boolean start, long version) {
    return new Envelope(Kind.PAIRED, to.session(), streamId, partner, start, null, version);
  }

  public static Envelope partnerLeft(PeerRef departed, PeerRef to, String streamId, long version) {
    return new Envelope(Kind.PARTNER_LEFT, to.session(), streamId, departed, false, null, version);
  }
}
