package io.signaling.node.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoomRulesTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final PeerRef P1 = new PeerRef("n1", "inbox.n1.1", 1, false);
  private static final PeerRef P2 = new PeerRef("n2", "inbox.n2.1", 2, false);
  private static final PeerRef P3 = new PeerRef("n1", "inbox.n1.2", 3, false);

  private static PeerRef playOnly(PeerRef p) {
    return new PeerRef(p.node(), p.inbox(), p.session(), true);
  }

  @Test
  void emptyRoom_join_leavesTheJoinerAlone() {
    JoinDecision d = RoomRules.join(null, P1, NOW);
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.ALONE);
    assertThat(d.room().peers()).containsExactly(P1);
    assertThat(d.partner()).isNull();
  }

  @Test
  void secondJoiner_pairs_andTheFirstJoinerOffers() {
    JoinDecision d = RoomRules.join(new Room(List.of(P1)), P2, NOW);
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.PAIRED);
    assertThat(d.room().peers()).containsExactly(P1, P2);
    assertThat(d.partner()).isEqualTo(P1);
    assertThat(d.offerer()).isEqualTo(P1);
  }

  @Test
  void playOnlyFirstJoiner_doesNotOffer_whenTheSecondCan() {
    JoinDecision d = RoomRules.join(new Room(List.of(playOnly(P1))), P2, NOW);
    assertThat(d.offerer()).isEqualTo(P2);
  }

  @Test
  void bothPlayOnly_theFirstJoinerOffers() {
    JoinDecision d = RoomRules.join(new Room(List.of(playOnly(P1))), playOnly(P2), NOW);
    assertThat(d.offerer()).isEqualTo(playOnly(P1));
  }

  @Test
  void playOnlySecondJoiner_letsTheFirstOffer() {
    JoinDecision d = RoomRules.join(new Room(List.of(P1)), playOnly(P2), NOW);
    assertThat(d.offerer()).isEqualTo(P1);
  }

  @Test
  void rejoin_bySameSocket_isAlreadyMember_evenInAnotherMode() {
    Room room = new Room(List.of(P1, P2));
    JoinDecision d = RoomRules.join(room, playOnly(P2), NOW);
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.ALREADY_MEMBER);
    assertThat(d.room()).isEqualTo(room);
    assertThat(d.partner()).isEqualTo(P1);
  }

  @Test
  void thirdJoiner_findsTheRoomFull() {
    JoinDecision d = RoomRules.join(new Room(List.of(P1, P2)), P3, NOW);
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.FULL);
    assertThat(d.room().peers()).containsExactly(P1, P2);
  }

  @Test
  void leave_ofAPairedPeer_namesTheRemainingOne() {
    Room room = new Room(List.of(P1, P2));
    LeaveDecision d = RoomRules.leave(room, P1, NOW);
    assertThat(d.removed()).isTrue();
    assertThat(d.remaining()).isEqualTo(P2);
    assertThat(d.room()).isEqualTo(RoomRules.without(room, P1, NOW));
    assertThat(d.room().peers()).containsExactly(P2);
    assertThat(d.room().version()).isGreaterThan(room.version());
  }

  @Test
  void leave_byANonMember_changesNothing() {
    assertThat(RoomRules.leave(new Room(List.of(P1, P2)), P3, NOW)).isEqualTo(LeaveDecision.NOT_MEMBER);
    assertThat(RoomRules.leave(null, P3, NOW)).isEqualTo(LeaveDecision.NOT_MEMBER);
  }

  @Test
  void afterALeave_theRemainingPeerIsTheFirstJoiner_andOffersToTheNext() {
    Room after = RoomRules.without(new Room(List.of(P1, P2)), P1, NOW);
    JoinDecision d = RoomRules.join(after, P3, NOW);
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.PAIRED);
    assertThat(d.offerer()).isEqualTo(P2);
  }

  @Test
  void everyChange_raisesTheVersion_evenAfterTheRoomWasEmptied() {
    JoinDecision first = RoomRules.join(null, P1, NOW);
    JoinDecision second = RoomRules.join(first.room(), P2, NOW);
    assertThat(second.room().version()).isGreaterThan(first.room().version());
    Room left = RoomRules.without(second.room(), P1, NOW);
    assertThat(left.version()).isGreaterThan(second.room().version());
    // a room created again later starts above every version handed out before
    JoinDecision again = RoomRules.join(null, P3, NOW + 1);
    assertThat(again.room().version()).isGreaterThan(left.version());
  }

  @Test
  void withoutNode_dropsEveryPeerOfThatNode() {
    assertThat(RoomRules.withoutNode(new Room(List.of(P1, P2)), "n1", NOW).peers()).containsExactly(P2);
    assertThat(RoomRules.withoutNode(new Room(List.of(P1, P3)), "n1", NOW).isEmpty()).isTrue();
  }
}
