package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.signal.LostPartner.Action;
import io.signaling.node.signal.LostPartner.Decision;
import io.signaling.node.signal.LostPartner.Facts;
import io.signaling.node.signal.LostPartner.Situation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lost-partner rule, row by row as docs/ARCHITECTURE.md has it, with resume on and off, and then every
 * combination of facts against the same table written out once more, so that no combination is left to chance.
 */
class LostPartnerTest {

  private static Decision decide(Situation situation, boolean current, boolean held, boolean resumable,
      boolean resumeOn, boolean windowOpen) {
    return LostPartner.decide(new Facts(situation, current, held, resumable, resumeOn, windowOpen));
  }

  private static Decision end(LeaveReason reason) {
    return Decision.end(reason);
  }

  @Test
  void aNoticeThatFails_holdsAResumablePartner_whenResumeIsOn_elseEndsTheCallAsNodeLost() {
    // GIVEN a PAIRED or RESUMED notice to the partner that failed
    // THEN a resumable partner is held (resume on, window open), anything else ends as node_lost
    assertThat(decide(Situation.NOTICE_FAILED, true, false, true, true, true)).isEqualTo(Decision.HOLD);
    assertThat(decide(Situation.NOTICE_FAILED, true, false, true, false, true)).as("resume off")
        .isEqualTo(end(LeaveReason.NODE_LOST));
    assertThat(decide(Situation.NOTICE_FAILED, true, false, false, true, true)).as("did not opt in")
        .isEqualTo(end(LeaveReason.NODE_LOST));
    assertThat(decide(Situation.NOTICE_FAILED, true, false, true, true, false)).as("window passed")
        .isEqualTo(end(LeaveReason.NODE_LOST));
    // AND a hold already running is left alone (the node-left path held the slot first)
    assertThat(decide(Situation.NOTICE_FAILED, true, true, true, true, true)).isEqualTo(Decision.IGNORE);
    assertThat(decide(Situation.NOTICE_FAILED, true, true, false, false, true)).isEqualTo(Decision.IGNORE);
    // AND a notice about an older call changes nothing
    assertThat(decide(Situation.NOTICE_FAILED, false, false, true, true, true)).isEqualTo(Decision.IGNORE);
    assertThat(decide(Situation.NOTICE_FAILED, false, false, false, false, true)).isEqualTo(Decision.IGNORE);
  }

  @Test
  void aNodeThatLeft_holdsItsResumablePartners_whenResumeIsOn_elseEndsTheirCallsAsNodeLost() {
    assertThat(decide(Situation.NODE_LEFT, true, false, true, true, true)).isEqualTo(Decision.HOLD);
    assertThat(decide(Situation.NODE_LEFT, true, false, true, false, false)).as("resume off")
        .isEqualTo(end(LeaveReason.NODE_LOST));
    assertThat(decide(Situation.NODE_LEFT, true, false, false, true, true)).isEqualTo(end(LeaveReason.NODE_LOST));
    assertThat(decide(Situation.NODE_LEFT, true, true, true, true, true)).as("held already")
        .isEqualTo(Decision.IGNORE);
    assertThat(decide(Situation.NODE_LEFT, false, false, true, true, true)).isEqualTo(Decision.IGNORE);
  }

  @Test
  void aPartnerTheRoomNoLongerListsAfterAMerge_endsTheCallAsRemoved_resumeOrNot() {
    for (boolean resumeOn : new boolean[] {true, false}) {
      assertThat(decide(Situation.RECONCILED_AWAY, true, false, true, resumeOn, resumeOn))
          .isEqualTo(end(LeaveReason.REMOVED));
      assertThat(decide(Situation.RECONCILED_AWAY, true, true, true, resumeOn, resumeOn))
          .isEqualTo(end(LeaveReason.REMOVED));
      assertThat(decide(Situation.RECONCILED_AWAY, false, false, true, resumeOn, resumeOn))
          .isEqualTo(Decision.IGNORE);
    }
  }

  @Test
  void aHoldThatExpiresOrOverflows_endsTheCallAsExpired_unlessTheHoldIsNoLongerThere() {
    for (Situation s : List.of(Situation.HOLD_EXPIRED, Situation.KEPT_OVERFLOW)) {
      assertThat(decide(s, true, true, true, true, false)).isEqualTo(end(LeaveReason.EXPIRED));
      assertThat(decide(s, true, true, true, true, true)).isEqualTo(end(LeaveReason.EXPIRED));
      assertThat(decide(s, true, false, true, true, false)).as("resumed meanwhile: not held any more")
          .isEqualTo(Decision.IGNORE);
      assertThat(decide(s, false, true, true, true, false)).as("the call moved on").isEqualTo(Decision.IGNORE);
    }
  }

  @Test
  void aPartnerThatLeft_endsTheCallAsLeave_evenWhenItsSlotWasHeld() {
    for (boolean resumeOn : new boolean[] {true, false}) {
      assertThat(decide(Situation.PARTNER_LEFT, true, false, true, resumeOn, true)).isEqualTo(end(LeaveReason.LEAVE));
      assertThat(decide(Situation.PARTNER_LEFT, true, true, true, resumeOn, true)).isEqualTo(end(LeaveReason.LEAVE));
      assertThat(decide(Situation.PARTNER_LEFT, false, false, true, resumeOn, true)).isEqualTo(Decision.IGNORE);
    }
  }

  @Test
  void aHoldTheDirectoryFails_isHeldAllTheSame_whileTheWindowAllows_elseTheSocketLeavesAsClosed() {
    assertThat(decide(Situation.OWN_HOLD_FAILED, true, false, true, true, true)).isEqualTo(Decision.HOLD);
    assertThat(decide(Situation.OWN_HOLD_FAILED, true, false, true, true, false)).as("the directory took longer"
        + " than the window").isEqualTo(end(LeaveReason.CLOSED));
    assertThat(decide(Situation.OWN_HOLD_FAILED, true, false, true, false, false)).as("resume off")
        .isEqualTo(end(LeaveReason.CLOSED));
    assertThat(decide(Situation.OWN_HOLD_FAILED, true, false, false, true, true)).isEqualTo(end(LeaveReason.CLOSED));
    assertThat(decide(Situation.OWN_HOLD_FAILED, false, false, true, true, true)).as("left meanwhile")
        .isEqualTo(Decision.IGNORE);
  }

  /** The table once more, as data: every combination of the six facts. */
  private static Decision expected(Situation s, boolean current, boolean held, boolean resumable, boolean resumeOn,
      boolean windowOpen) {
    if (!current) {
      return Decision.IGNORE;
    }
    boolean mayHold = resumable && resumeOn && windowOpen;
    return switch (s) {
      case NOTICE_FAILED, NODE_LEFT -> held ? Decision.IGNORE : mayHold ? Decision.HOLD : end(LeaveReason.NODE_LOST);
      case RECONCILED_AWAY -> end(LeaveReason.REMOVED);
      case HOLD_EXPIRED, KEPT_OVERFLOW -> held ? end(LeaveReason.EXPIRED) : Decision.IGNORE;
      case PARTNER_LEFT -> end(LeaveReason.LEAVE);
      case OWN_HOLD_FAILED -> mayHold ? Decision.HOLD : end(LeaveReason.CLOSED);
    };
  }

  @Test
  void everyCombination_matchesTheTable_andOnlyEndsCarryAReason() {
    List<String> mismatches = new ArrayList<>();
    int cases = 0;
    for (Situation s : Situation.values()) {
      for (int bits = 0; bits < 32; bits++) {
        boolean current = (bits & 1) != 0;
        boolean held = (bits & 2) != 0;
        boolean resumable = (bits & 4) != 0;
        boolean resumeOn = (bits & 8) != 0;
        boolean windowOpen = (bits & 16) != 0;
        Decision got = decide(s, current, held, resumable, resumeOn, windowOpen);
        Decision want = expected(s, current, held, resumable, resumeOn, windowOpen);
        if (!got.equals(want)) {
          mismatches.add(s + " bits=" + bits + ": " + got + " not " + want);
        }
        assertThat(got.reason() != null).isEqualTo(got.action() == Action.END);
        cases++;
      }
    }
    assertThat(mismatches).isEmpty();
    assertThat(cases).isEqualTo(Situation.values().length * 32);
  }

  @Test
  void withResumeOff_nothingIsEverHeld() {
    for (Situation s : Situation.values()) {
      for (int bits = 0; bits < 16; bits++) {
        Decision d = decide(s, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, false, (bits & 8) != 0);
        assertThat(d.action()).as(s + " bits=" + bits).isNotEqualTo(Action.HOLD);
      }
    }
  }
}
