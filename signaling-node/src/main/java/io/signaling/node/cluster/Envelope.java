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

  /** What an envelope is, with its wire code (explicit, never an ordinal: codes are never reused). */
  public enum Kind {
    /** A takeConfiguration, takeCandidate or peerMessageCommand for the partner. */
    RELAY(1),
    /** The target's room is now full: its partner is {@code peer}. */
    PAIRED(2),
    /** {@code peer} left the target's room: the target gets {@code stop}. */
    PARTNER_LEFT(3),
    /** Resume: {@code peer}'s socket is gone and its slot held; the target keeps what it relays for it. */
    HELD(4),
    /** Resume: a relay ({@code text}) that reached {@code peer}'s node after its socket had gone, sent back. */
    RETURNED(5),
    /** Resume: the target's partner is now {@code peer} (the same peer on a new socket): held relays go to it. */
    RESUMED(6),
    /** Resume: the target socket's slot was taken over by a newer socket of the same peer ({@code peer}). */
    SUPERSEDED(7),
    /** Admin API: the target socket was removed from the room: it gets {@code stop} and is out of it. */
    REMOVED(8),
    /** A kind (or format) from a later release that this one does not know: ignored. Never written. */
    UNKNOWN(0);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static Kind of(int code) {
      for (Kind k : values()) {
        if (k.code == code && k != UNKNOWN) {
          return k;
        }
      }
      return UNKNOWN;
    }
  }

  private static final PeerRef NOBODY = new PeerRef("", "", 0, false);

  /** What a reader makes of an envelope it cannot understand (see {@link Kind#UNKNOWN}). */
  public static Envelope unknown() {
    return new Envelope(Kind.UNKNOWN, -1, null, NOBODY, false, null, 0);
  }

  public static Envelope relay(PeerRef sender, PeerRef to, String streamId, String text) {
    return new Envelope(Kind.RELAY, to.session(), streamId, sender, false, text, 0);
  }

  public static Envelope paired(PeerRef partner, PeerRef to, String streamId, boolean start, long version) {
    return new Envelope(Kind.PAIRED, to.session(), streamId, partner, start, null, version);
  }

  public static Envelope held(PeerRef held, PeerRef to, String streamId, long version) {
    return new Envelope(Kind.HELD, to.session(), streamId, held, false, null, version);
  }

  public static Envelope returned(PeerRef held, PeerRef to, String streamId, String text) {
    return new Envelope(Kind.RETURNED, to.session(), streamId, held, false, text, 0);
  }

  public static Envelope resumed(PeerRef resumer, PeerRef to, String streamId, long version) {
    return new Envelope(Kind.RESUMED, to.session(), streamId, resumer, false, null, version);
  }

  public static Envelope superseded(PeerRef newer, PeerRef older, String streamId, long version) {
    return new Envelope(Kind.SUPERSEDED, older.session(), streamId, newer, false, null, version);
  }

  public static Envelope removed(PeerRef to, String streamId, long version) {
    return new Envelope(Kind.REMOVED, to.session(), streamId, to, false, null, version);
  }

  public static Envelope partnerLeft(PeerRef departed, PeerRef to, String streamId, long version) {
    return new Envelope(Kind.PARTNER_LEFT, to.session(), streamId, departed, false, null, version);
  }
}
