package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
/**
 * The one rule for a call whose other side is found gone, whichever way it was found: what the socket that
 * stays (or, for {@link Situation#OWN_HOLD_FAILED}, the socket that went) does about it. Pure: no I/O, no clock;
 * the caller acts on the answer. The table, row by row, is in docs/ARCHITECTURE.md ("A lost partner").
 *
 * <ul>
 *   <li>{@link Action#HOLD}: the partner opted in to resume and its window is open: its slot is held, what this
 *       socket relays meanwhile is kept, and this socket is told nothing.</li>
 *   <li>{@link Action#END}: the call ends for this socket with a {@link LeaveReason}; where the partner's
 *       slot is taken out of the room first (an eviction), that is awaited and the room re-checked for a resume
 *       before the socket is told {@code stop}.</li>
 *   <li>{@link Action#IGNORE}: stale (the call has moved on, or the partner named is not this socket's partner) or
 *       already decided (a hold is running, and only its expiry or the partner's return ends it).</li>
 * </ul>
 */
final class LostPartner {

  private LostPartner() {
  }

  /** How the partner was found gone. */
  enum Situation {
    /** A notice to the partner (PAIRED, RESUMED) could not be delivered: its node may be gone. */
    NOTICE_FAILED,
    /** The partner's node left the cluster (the directory's purge holds its resumable slots). */
    NODE_LEFT,
    /** After a merge, the room no longer lists the partner. */
    RECONCILED_AWAY,
    /** The held partner's window passed without a resume. */
    HOLD_EXPIRED,
    /** What this socket relayed for the held partner no longer fits. */
    KEPT_OVERFLOW,
    /** The partner left the room (a PARTNER_LEFT notice): it said so, nothing to hold. */
    PARTNER_LEFT,
    /**
     * This socket went (closed, or a drain let it go) and the directory failed or timed out the hold of its slot:
     * HOLD means the partner is told its slot is held all the same (a resume takes over an attached slot too).
     */
    OWN_HOLD_FAILED
  }

  enum Action {
    HOLD,
    END,
    IGNORE
  }

  /** The answer: an action, and for {@link Action#END} the reason the call ended. */
  record Decision(Action action, LeaveReason reason) {
    static final Decision HOLD = new Decision(Action.HOLD, null);
    static final Decision IGNORE = new Decision(Action.IGNORE, null);

    static Decision end(LeaveReason reason) {
      return new Decision(Action.END, reason);
    }
  }

  /**
   * What is known when the partner is found gone.
   *
   * @param situation how it was found
   * @param current the peer found gone is this socket's partner now (else the notice is about an older call)
   * @param held this socket already holds that partner's slot
   * @param resumable the partner (for {@link Situation#OWN_HOLD_FAILED}: this socket) opted in to resume
   * @param resumeOn the node holds slots at all (a resume window above zero)
   * @param windowOpen the partner's window, counted from when it was found gone, has not passed
   */
  record Facts(Situation situation, boolean current, boolean held, boolean resumable, boolean resumeOn,
      boolean windowOpen) {
  }

  static Decision decide(Facts f) {
    if (!f.current()) {
      return Decision.IGNORE;
    }
    boolean mayHold = f.resumable() && f.resumeOn() && f.windowOpen();
    switch (f.situation()) {
      case NOTICE_FAILED:
      case NODE_LEFT:
        if (f.held()) {
          return Decision.IGNORE;
        }
        return mayHold ? Decision.HOLD : Decision.end(LeaveReason.NODE_LOST);
      case RECONCILED_AWAY:
        return Decision.end(LeaveReason.REMOVED);
      case HOLD_EXPIRED:
      case KEPT_OVERFLOW:
        return f.held() ? Decision.end(LeaveReason.EXPIRED) : Decision.IGNORE;
      case PARTNER_LEFT:
        return Decision.end(LeaveReason.LEAVE);
      case OWN_HOLD_FAILED:
        return mayHold ? Decision.HOLD : Decision.end(LeaveReason.CLOSED);
      default:
        throw new IllegalStateException("unhandled situation " + f.situation());
    }
  }
}
