package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Resume;
import io.signaling.node.cluster.Courier;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.room.PeerRef;
import io.signaling.node.signal.SwitchboardFixture.RulesDirectory;
import io.signaling.node.signal.SwitchboardFixture.Socket;
import io.signaling.node.support.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pairing notice to the partner's node fails (that node is unreachable: here an inbox that takes envelopes and
 * never acknowledges them, as a frozen or killed node does): the partner is found gone through the one rule. A
 * resumable partner is held (also when its node already left and held it first: the failure arriving later does
 * not end the call), and when the peer resumes, the pairing it may never have heard of is completed: it gets
 * {@code start}. Without resume the socket gets {@code stop}, once the partner's slot is out of the room.
 */
class UnconfirmedPairingTest {

  private static final String X_NODE = "node-x";
  private static final String X_INBOX = "signaling.inbox.node-x.1";

  private SwitchboardFixture f;
  private final AtomicInteger failedNotices = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  private void start(int resumeSeconds) throws Exception {
    f = new SwitchboardFixture(new RulesDirectory(resumeSeconds * 1000L),
        new Resume(resumeSeconds, 256, 262144, 30), new Courier.Listener() {
          @Override
          public void retried(Envelope.Kind kind) {
          }

          @Override
          public void failed(Envelope.Kind kind) {
            failedNotices.incrementAndGet();
          }
        });
    // node X's inbox: takes envelopes, acknowledges none
    f.vertx.eventBus().consumer(X_INBOX, m -> { });
  }

  /** P, on node X (opted in when {@code resumeKey} is set), alone in the room, and Q joining it here. */
  private Socket qJoinsP(String resumeKey) throws Exception {
    PeerRef p = new PeerRef(X_NODE, X_INBOX, 77, false, resumeKey, 0);
    f.directory.join(SwitchboardFixture.ROOM, p);
    Socket q = f.open("peer-q");
    q.join();
    Await.until(Duration.ofSeconds(10), "Q joined", () -> q.got("notification", "joined"));
    return q;
  }

  @Test
  void theNoticeFailsAfterTheNodeLeft_theCallIsHeld_andTheResumedOffererGetsStart() throws Exception {
    // GIVEN resume on, and P (opted in) on node X, the offerer, whose node does not acknowledge Q's pairing notice
    start(30);
    Socket q = qJoinsP(ResumeBinding.digest(null, "peer-p"));
    // WHEN X leaves the cluster (its slot held here) and then the notice fails
    f.onLoop(() -> {
      f.board.onNodeLeft(X_NODE);
      return null;
    });
    assertThat(f.board.heldPartners()).isEqualTo(1);
    Await.until(Duration.ofSeconds(10), "the pairing notice failed", () -> failedNotices.get() >= 1);
    // THEN Q is told nothing (no start: it answers; no stop: P's slot is held), and P's slot is in the room
    assertThat(f.onLoopInt(() -> f.board.heldPartners())).isEqualTo(1);
    assertThat(q.got("stop", null)).isFalse();
    assertThat(f.directory.room().peers()).hasSize(2);

    // WHEN P resumes on a socket of this node
    Socket p2 = f.open("peer-p");
    p2.join();
    // THEN P gets joined and then start (its old node may never have told it), once; Q gets nothing
    Await.until(Duration.ofSeconds(10), "P got start", () -> p2.got("start", null));
    assertThat(p2.received.get(0).getString("definition")).isEqualTo("joined");
    assertThat(p2.count("start")).isEqualTo(1);
    // AND the call goes on: P offers, Q answers; nothing is held any more
    p2.offer("v=0 offer");
    Await.until(Duration.ofSeconds(10), "Q got the offer", () -> q.sdps().contains("v=0 offer"));
    q.offer("v=0 answer");
    Await.until(Duration.ofSeconds(10), "P got the answer", () -> p2.sdps().contains("v=0 answer"));
    assertThat(f.board.heldPartners()).isZero();
    assertThat(q.got("stop", null)).isFalse();
    assertThat(q.got("start", null)).isFalse();
    assertThat(p2.count("start")).isEqualTo(1);
  }

  @Test
  void theNoticeFailsFirst_aResumablePartnerIsHeld_notEvicted() throws Exception {
    // GIVEN resume on, and P (opted in) on node X, whose node does not acknowledge Q's pairing notice
    start(30);
    Socket q = qJoinsP(ResumeBinding.digest(null, "peer-p"));
    // WHEN the notice fails (node X has not left: it is only unreachable)
    Await.until(Duration.ofSeconds(10), "the pairing notice failed", () -> failedNotices.get() >= 1);
    // THEN P's slot is held here and stays in the room; Q is told nothing
    Await.until(Duration.ofSeconds(10), "Q's side holds P's slot", () -> f.board.heldPartners() == 1);
    assertThat(f.directory.room().peers()).hasSize(2);
    assertThat(q.got("stop", null)).isFalse();
  }

  @Test
  void withResumeOff_theNoticeFails_thePartnerIsEvicted_andThenTheSocketGetsStop() throws Exception {
    // GIVEN resume off, and P on node X, whose node does not acknowledge Q's pairing notice
    start(0);
    Socket q = qJoinsP(null);
    // WHEN the notice fails
    // THEN Q gets stop, and by then P is out of the room
    Await.until(Duration.ofSeconds(10), "Q got stop", () -> q.got("stop", null));
    assertThat(f.directory.room().peers()).hasSize(1);
    assertThat(f.board.heldPartners()).isZero();
  }
}
