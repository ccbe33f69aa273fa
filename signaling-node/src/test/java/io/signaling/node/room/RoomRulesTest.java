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

  // ------------------------------------------------------------------ held slots (resume)

  private static final PeerRef R1 = new PeerRef("n1", "inbox.n1.1", 11, false, "key-1", 0);
  private static final PeerRef R1_AGAIN = new PeerRef("n3", "inbox.n3.1", 31, false, "key-1", 0);

  @Test
  void resumableSocketGone_hold_keepsTheSlotHeld_andNamesThePartner() {
    // GIVEN a room with a resumable peer and its partner
    Room room = new Room(List.of(R1, P2), 5);
    // WHEN the resumable peer's socket goes
    LeaveDecision d = RoomRules.hold(room, R1, NOW + 30_000, NOW);
    // THEN its slot is held, in its place, and the partner keeps the call
    assertThat(d.removed()).isTrue();
    assertThat(d.remaining()).isEqualTo(P2);
    assertThat(d.room().peers()).containsExactly(R1.heldUntil(NOW + 30_000), P2);
    assertThat(d.room().version()).isGreaterThan(5);
  }

  @Test
  void notResumable_orNotAMember_orAlreadyHeld_hold_changesNothing() {
    Room room = new Room(List.of(P1, R1.heldUntil(NOW + 1)), 5);
    assertThat(RoomRules.hold(room, P1, NOW + 30_000, NOW)).isEqualTo(LeaveDecision.NOT_MEMBER);
    assertThat(RoomRules.hold(room, R1, NOW + 30_000, NOW)).isEqualTo(LeaveDecision.NOT_MEMBER);
    assertThat(RoomRules.hold(room, P3, NOW + 30_000, NOW)).isEqualTo(LeaveDecision.NOT_MEMBER);
    assertThat(RoomRules.hold(new Room(List.of(R1)), R1, NOW, NOW)).as("no window").isEqualTo(LeaveDecision.NOT_MEMBER);
  }

  @Test
  void joinWithTheSameKey_withinTheWindow_resumesTheSlot_withoutStart() {
    // GIVEN a held slot beside its partner
    Room room = new Room(List.of(R1.heldUntil(NOW + 30_000), P2), 5);
    // WHEN a new socket with the same key joins, on another node
    JoinDecision d = RoomRules.join(room, R1_AGAIN, NOW);
    // THEN it takes the slot in its place, attached; no offerer; the partner and the replaced slot are named
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.RESUMED);
    assertThat(d.room().peers()).containsExactly(R1_AGAIN, P2);
    assertThat(d.offerer()).isNull();
    assertThat(d.partner()).isEqualTo(P2);
    assertThat(d.replaced()).isEqualTo(R1.heldUntil(NOW + 30_000));
    assertThat(d.room().version()).isGreaterThan(5);
  }

  @Test
  void joinWithTheSameKey_whileTheOlderSocketIsAttached_theNewestWins() {
    JoinDecision d = RoomRules.join(new Room(List.of(P2, R1), 5), R1_AGAIN, NOW);
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.RESUMED);
    assertThat(d.room().peers()).containsExactly(P2, R1_AGAIN);
    assertThat(d.replaced()).isEqualTo(R1);
  }

  @Test
  void joinWithAnotherKey_orWithout_getsNothingOfAHeldSlot() {
    Room room = new Room(List.of(R1.heldUntil(NOW + 30_000), P2), 5);
    PeerRef guess = new PeerRef("n3", "inbox.n3.1", 32, false, "key-2", 0);
    assertThat(RoomRules.join(room, guess, NOW).outcome()).isEqualTo(JoinDecision.Outcome.FULL);
    assertThat(RoomRules.join(room, P3, NOW).outcome()).isEqualTo(JoinDecision.Outcome.FULL);
  }

  @Test
  void heldSlotPastItsTime_isDropped_andAResumeIsAFreshJoin() {
    // GIVEN a slot whose window has passed
    Room room = new Room(List.of(R1.heldUntil(NOW - 1), P2), 5);
    // WHEN the same peer joins again
    JoinDecision d = RoomRules.join(room, R1_AGAIN, NOW);
    // THEN it pairs anew with the partner (who offers, as the first joiner left)
    assertThat(d.outcome()).isEqualTo(JoinDecision.Outcome.PAIRED);
    assertThat(d.room().peers()).containsExactly(P2, R1_AGAIN);
    assertThat(d.offerer()).isEqualTo(P2);
    assertThat(RoomRules.withoutExpired(room, NOW).peers()).containsExactly(P2);
    assertThat(RoomRules.withoutExpired(room, NOW - 2)).isSameAs(room);
  }

  @Test
  void leaveOfTheResumer_endsTheSlotAtOnce() {
    Room resumed = RoomRules.join(new Room(List.of(R1.heldUntil(NOW + 30_000), P2), 5), R1_AGAIN, NOW).room();
    LeaveDecision d = RoomRules.leave(resumed, R1_AGAIN, NOW);
    assertThat(d.removed()).isTrue();
    assertThat(d.room().peers()).containsExactly(P2);
  }

  @Test
  void nodeLeft_holdsItsResumableSlots_removesTheOthers_andKeepsHeldOnes() {
    PeerRef plain = new PeerRef("n1", "inbox.n1.1", 12, false);
    PeerRef heldElsewhere = new PeerRef("n1", "inbox.n1.2", 13, false, "key-3", NOW + 5);
    assertThat(RoomRules.withoutNode(new Room(List.of(R1, P2), 5), "n1", NOW, NOW + 30_000).peers())
        .containsExactly(R1.heldUntil(NOW + 30_000), P2);
    assertThat(RoomRules.withoutNode(new Room(List.of(plain, P2), 5), "n1", NOW, NOW + 30_000).peers())
        .containsExactly(P2);
    Room held = new Room(List.of(heldElsewhere, P2), 5);
    assertThat(RoomRules.withoutNode(held, "n1", NOW, NOW + 30_000)).isSameAs(held);
    assertThat(RoomRules.withoutNode(new Room(List.of(R1, P2), 5), "n1", NOW).peers())
        .as("without a window, as before resume").containsExactly(P2);
  }
}
