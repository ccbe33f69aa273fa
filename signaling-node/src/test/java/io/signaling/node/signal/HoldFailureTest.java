package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Resume;
import io.signaling.node.cluster.Courier;
import io.signaling.node.signal.SwitchboardFixture.RulesDirectory;
import io.signaling.node.signal.SwitchboardFixture.Socket;
import io.signaling.node.support.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A room directory that fails, or never answers, the hold of a resumable socket's slot: the hold is a loss like any
 * other (see {@link LostPartner}), so while the window allows the partner keeps its call (its relays kept, nothing
 * told), the peer resumes on a new socket and gets them; without a resume the partner gets {@code stop} when the
 * window has passed; and the gone socket is forgotten after the window either way. The directory applies the real
 * room rules in memory and fails only the hold, on purpose: what is tested is the switchboard's answer.
 */
class HoldFailureTest {

  private static final int RESUME_SECONDS = 2;

  private SwitchboardFixture f;

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  private void start(RulesDirectory directory) throws Exception {
    f = new SwitchboardFixture(directory, new Resume(RESUME_SECONDS, 256, 262144, 30),
        Courier.Listener.NONE);
  }

  /** A (not opted in, the offerer) and B (opted in), paired; B's socket then closes without a leave. */
  private Socket callWhoseResumablePeerCloses() throws Exception {
    Socket a = f.open(null);
    Socket b = f.open("peer-b");
    a.join();
    Await.until(Duration.ofSeconds(10), "A joined", () -> a.got("notification", "joined"));
    b.join();
    Await.until(Duration.ofSeconds(10), "A got start", () -> a.got("start", null));
    b.closeByClient();
    Await.until(Duration.ofSeconds(10), "A's side holds B's slot", () -> f.board.heldPartners() == 1);
    return a;
  }

  @Test
  void aHoldTheDirectoryFails_isKeptForThePartner_andThePeerResumesWithWhatWasRelayedMeanwhile() throws Exception {
    // GIVEN a directory that refuses every hold
    start(new RulesDirectory(() -> CompletableFuture.failedFuture(new IllegalStateException("refused"))));
    // WHEN B's socket closes in a call, and A relays meanwhile
    Socket a = callWhoseResumablePeerCloses();
    a.offer("v=0 while away");
    // AND B resumes on a new socket within the window
    Socket b2 = f.open("peer-b");
    b2.join();
    // THEN B's new socket gets joined and what A relayed, and no start; A was told nothing
    Await.until(Duration.ofSeconds(10), "B's new socket got A's relay", () -> b2.sdps().contains("v=0 while away"));
    assertThat(b2.got("notification", "joined")).isTrue();
    assertThat(b2.got("start", null)).isFalse();
    assertThat(a.got("stop", null)).isFalse();
    // AND the call goes on both ways, and A's side holds nothing any more
    b2.offer("v=0 answer after resume");
    Await.until(Duration.ofSeconds(10), "A got B's relay", () -> a.sdps().contains("v=0 answer after resume"));
    assertThat(f.board.heldPartners()).isZero();
    // AND the gone socket is forgotten after the window
    Await.until(Duration.ofSeconds(RESUME_SECONDS * 5L), "no gone socket kept",
        () -> f.onLoopInt(f.board::goneCount) == 0);
    assertThat(a.got("stop", null)).isFalse();
  }

  @Test
  void aHoldTheDirectoryNeverAnswers_isKeptForTheWindow_thenThePartnerGetsStop_andNothingLeaks() throws Exception {
    // GIVEN a directory that never answers a hold (the switchboard's bound, 300 ms here, times it out)
    start(new RulesDirectory(CompletableFuture::new));
    // WHEN B's socket closes in a call and B does not come back
    Socket a = callWhoseResumablePeerCloses();
    assertThat(a.got("stop", null)).as("held, not ended").isFalse();
    // THEN when the window has passed, A gets stop, B's slot is out of the room, and nothing is kept
    Await.until(Duration.ofSeconds(RESUME_SECONDS * 5L), "A got stop", () -> a.got("stop", null));
    Await.until(Duration.ofSeconds(10), "B's slot out of the room", () -> f.directory.room().peers().size() == 1);
    Await.until(Duration.ofSeconds(RESUME_SECONDS * 5L), "no gone socket kept",
        () -> f.onLoopInt(f.board::goneCount) == 0);
    assertThat(f.board.heldPartners()).isZero();
  }
}
