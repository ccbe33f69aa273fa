package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.room.PeerRef;
import org.junit.jupiter.api.Test;

/** The rules for the notices about one room link: stale notices change nothing. */
class RoomLinkTest {

  private static final PeerRef SELF = new PeerRef("n1", "i1", 1, false);
  private static final PeerRef B = new PeerRef("n2", "i2", 2, false);
  private static final PeerRef C = new PeerRef("n3", "i3", 3, false);

  @Test
  void aPairing_isNewThenTheSame_andAnOlderOneIsIgnored() {
    RoomLink link = new RoomLink(SELF, null, 10);
    assertThat(link.paired(B, 11)).isEqualTo(RoomLink.Paired.NEW_PARTNER);
    assertThat(link.partner).isEqualTo(B);
    assertThat(link.paired(B, 12)).isEqualTo(RoomLink.Paired.SAME_PARTNER);
    assertThat(link.paired(C, 12)).as("a retried duplicate").isEqualTo(RoomLink.Paired.IGNORED);
    assertThat(link.paired(C, 5)).as("overtaken").isEqualTo(RoomLink.Paired.IGNORED);
    assertThat(link.partner).isEqualTo(B);
    assertThat(link.paired(C, 13)).isEqualTo(RoomLink.Paired.REPLACED_PARTNER);
    assertThat(link.partner).isEqualTo(C);
  }

  @Test
  void aPartnerLeft_endsTheCall_unlessItIsStaleOrAboutSomeoneElse() {
    RoomLink link = new RoomLink(SELF, B, 20);
    assertThat(link.partnerLeft(B, 19)).as("a late retry of an earlier leave").isFalse();
    assertThat(link.partnerLeft(C, 21)).as("not the partner").isFalse();
    assertThat(link.inCall()).isTrue();
    assertThat(link.partnerLeft(B, 21)).isTrue();
    assertThat(link.inCall()).isFalse();
    assertThat(link.version).isEqualTo(21);
  }

  @Test
  void relays_comeOnlyFromThePartner_andALostPartnerEndsTheCall() {
    RoomLink link = new RoomLink(SELF, B, 1);
    assertThat(link.acceptsRelayFrom(B)).isTrue();
    assertThat(link.acceptsRelayFrom(C)).isFalse();
    assertThat(link.partnerLost(C)).isFalse();
    assertThat(link.partnerLost(B)).isTrue();
    assertThat(link.acceptsRelayFrom(B)).isFalse();
    assertThat(link.partnerLost(B)).as("once").isFalse();
  }

  private static final PeerRef P = new PeerRef("n2", "i2", 2, false, "key-p", 0);
  private static final PeerRef P_RESUMED = new PeerRef("n3", "i3", 7, false, "key-p", 0);

  @Test
  void aResumedSocket_getsTheStartOwedToItsSlotOnce_andOnlyAtTheVersionItResumedAt() {
    // GIVEN a socket that took its slot back at version 40, paired with B
    RoomLink link = new RoomLink(SELF, B, 40);
    link.resumedAt = 40;
    // THEN a PAIRED notice with start at that version from B is the start owed to it, once
    assertThat(link.takeStartOwed(C, 40, true)).as("not from its partner").isFalse();
    assertThat(link.takeStartOwed(B, 39, true)).as("another version").isFalse();
    assertThat(link.takeStartOwed(B, 40, false)).as("no start").isFalse();
    assertThat(link.takeStartOwed(B, 40, true)).isTrue();
    assertThat(link.takeStartOwed(B, 40, true)).as("a retried duplicate").isFalse();
    // AND a socket that did not resume is owed nothing
    assertThat(new RoomLink(SELF, B, 40).takeStartOwed(B, 40, true)).isFalse();
  }

  @Test
  void aSocketThatNeverHeardOfItsPairing_isPairedByItsPartnersResume_andOffersUnlessPlayOnly() {
    // GIVEN a socket alone in its room as far as it knows (the PAIRED notice was lost with its partner's node)
    RoomLink link = new RoomLink(SELF, null, 50);
    // THEN a stale resume notice, or one from a peer that did not opt in, changes nothing
    assertThat(link.pairedByResume(P_RESUMED, 50)).isFalse();
    assertThat(link.pairedByResume(C, 51)).isFalse();
    // WHEN the partner's peer resumes
    assertThat(link.pairedByResume(P_RESUMED, 51)).isTrue();
    // THEN it is the partner, and this socket (first in the room) offers
    assertThat(link.partner).isEqualTo(P_RESUMED);
    assertThat(link.offers()).isTrue();
    assertThat(link.pairedByResume(P_RESUMED, 52)).as("already paired").isFalse();
    // AND a play-only first peer leaves the offer to the resumed one
    RoomLink playOnly = new RoomLink(new PeerRef("n1", "i1", 1, true), null, 50);
    assertThat(playOnly.pairedByResume(P_RESUMED, 51)).isTrue();
    assertThat(playOnly.offers()).isFalse();
  }

  @Test
  void aResumeOfTheHeldPartner_endsTheHold_andHandsOverWhatWasKeptInOrder() {
    RoomLink link = new RoomLink(SELF, P, 60);
    link.startUnconfirmed = true;
    assertThat(link.holdPartner(P)).isTrue();
    assertThat(link.keepReturned("r1", 10, 1000)).isTrue();
    assertThat(link.keep("k1", 10, 1000)).isTrue();
    assertThat(link.partnerResumed(P_RESUMED, 60)).as("stale").isNull();
    assertThat(link.partnerResumed(P_RESUMED, 61)).containsExactly("r1", "k1");
    assertThat(link.partnerHeld()).isFalse();
    assertThat(link.partner).isEqualTo(P_RESUMED);
    assertThat(link.startUnconfirmed).isFalse();
  }
}
