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
  void relays_comeOnlyFromThePartner_andALostPartnerOrNodeEndsTheCall() {
    RoomLink link = new RoomLink(SELF, B, 1);
    assertThat(link.acceptsRelayFrom(B)).isTrue();
    assertThat(link.acceptsRelayFrom(C)).isFalse();
    assertThat(link.partnerNodeLeft("n3", false)).isFalse();
    assertThat(link.partnerLost(C)).isFalse();
    assertThat(link.partnerNodeLeft("n2", false)).isTrue();
    assertThat(link.acceptsRelayFrom(B)).isFalse();
    link.partner = C;
    assertThat(link.partnerLost(C)).isTrue();
  }
}
