package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Resume;
import io.signaling.node.cluster.Courier;
import io.signaling.node.room.PeerRef;
import io.signaling.node.signal.SwitchboardFixture.RulesDirectory;
import io.signaling.node.signal.SwitchboardFixture.Socket;
import io.signaling.node.support.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The life of calls as a {@link CallListener} sees it: joined, paired, ended and left with their reasons, held,
 * room empty; and a listener that throws changes nothing for the sockets or for the listeners after it.
 */
class CallEventsTest {

  private static final String ROOM = SwitchboardFixture.ROOM;

  private SwitchboardFixture f;
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  /** Records events as "event socket [reason]", sockets named by their session id. */
  private final class Recorder implements CallListener {
    @Override
    public void joined(String streamId, PeerRef self) {
      events.add("joined " + self.session());
    }

    @Override
    public void paired(String streamId, PeerRef self, PeerRef partner) {
      events.add("paired " + self.session() + " " + partner.session());
    }

    @Override
    public void ended(String streamId, PeerRef self, LeaveReason reason) {
      events.add("ended " + self.session() + " " + reason.wire());
    }

    @Override
    public void left(String streamId, PeerRef self, LeaveReason reason) {
      events.add("left " + self.session() + " " + reason.wire());
    }

    @Override
    public void held(String streamId, PeerRef self) {
      events.add("held " + self.session());
    }

    @Override
    public void roomEmpty(String streamId) {
      events.add("empty");
    }
  }

  private static final CallListener THROWING = new CallListener() {
    @Override
    public void joined(String streamId, PeerRef self) {
      throw new IllegalStateException("a listener that fails");
    }

    @Override
    public void ended(String streamId, PeerRef self, LeaveReason reason) {
      throw new IllegalStateException("a listener that fails");
    }
  };

  private void start(int resumeSeconds) throws Exception {
    f = new SwitchboardFixture(new RulesDirectory(resumeSeconds * 1000L),
        new Resume(resumeSeconds, 256, 262144, 30), Courier.Listener.NONE,
        List.of(THROWING, new Recorder()));
  }

  private void awaitEvent(String event) {
    Await.until(Duration.ofSeconds(10), event, () -> events.contains(event));
  }

  @Test
  void aCallFromJoinToEmptyRoom_reportsEachStepWithItsReason_despiteAListenerThatThrows() throws Exception {
    start(0);
    // WHEN A (session 1) and B (session 2) join and pair
    Socket a = f.open(null);
    Socket b = f.open(null);
    a.join();
    awaitEvent("joined 1");
    b.join();
    // THEN each is joined and paired, A told start as ever
    awaitEvent("paired 1 2");
    assertThat(events).contains("joined 2", "paired 2 1");
    Await.until(Duration.ofSeconds(10), "A got start", () -> a.got("start", null));
    // WHEN B leaves
    b.send(new io.vertx.core.json.JsonObject().put("command", "leave").put("streamId", ROOM));
    // THEN B's call ended and B left, by its leave; A's call ended by its partner's leave
    awaitEvent("ended 1 leave");
    assertThat(events).contains("ended 2 leave", "left 2 leave");
    // WHEN A's socket closes
    a.closeByClient();
    // THEN A left as closed, and the room is empty
    awaitEvent("empty");
    assertThat(events).contains("left 1 closed");
    assertThat(a.got("stop", null)).isTrue();
  }

  @Test
  void aResumablePeerThatGoes_isHeld_andItsPartnersCallEndsAsExpiredWhenTheWindowPasses() throws Exception {
    start(1);
    Socket a = f.open(null);
    Socket b = f.open("peer-b");
    a.join();
    awaitEvent("joined 1");
    b.join();
    awaitEvent("paired 1 2");
    // WHEN B's socket closes without a leave
    b.closeByClient();
    // THEN its slot is held (not left), and A's call ends as expired when the window has passed
    awaitEvent("held 2");
    awaitEvent("ended 1 expired");
    assertThat(events).noneMatch(e -> e.startsWith("left 2"));
    assertThat(a.got("stop", null)).isTrue();
  }

  @Test
  void aPartnerOnANodeThatLeft_endsTheCallAsNodeLost() throws Exception {
    start(0);
    f.directory.join(ROOM, new PeerRef("node-x", "signaling.inbox.node-x.1", 9, false));
    f.vertx.eventBus().consumer("signaling.inbox.node-x.1", m -> m.reply(null));
    Socket a = f.open(null);
    a.join();
    awaitEvent("paired 1 9");
    f.onLoop(() -> {
      f.board.onNodeLeft("node-x");
      return null;
    });
    awaitEvent("ended 1 node_lost");
    assertThat(a.got("stop", null)).isTrue();
  }

  @Test
  void afterAMerge_aRoomThatNoLongerListsThePartner_endsTheCallAsRemoved_andOneWithoutTheSocketEndsItThere()
      throws Exception {
    start(0);
    // GIVEN A (here) paired with P on another node
    PeerRef p = new PeerRef("node-x", "signaling.inbox.node-x.1", 9, false);
    f.vertx.eventBus().consumer("signaling.inbox.node-x.1", m -> m.reply(null));
    f.directory.join(ROOM, p);
    Socket a = f.open(null);
    a.join();
    awaitEvent("paired 1 9");
    // WHEN, as the cluster has it after a merge, P is no longer in the room
    f.directory.leave(ROOM, p);
    f.onLoop(() -> {
      f.board.reconcile();
      return null;
    });
    // THEN A's call ends as removed (A stays in the room, alone)
    awaitEvent("ended 1 removed");
    assertThat(a.got("stop", null)).isTrue();
    assertThat(events).noneMatch(e -> e.startsWith("left 1"));
    // WHEN the room no longer lists A either
    f.directory.leave(ROOM, new PeerRef("node", "signaling.inbox.node.1", 1, false));
    f.onLoop(() -> {
      f.board.reconcile();
      return null;
    });
    // THEN A is told leaved, and left as removed
    awaitEvent("left 1 removed");
    Await.until(Duration.ofSeconds(10), "A got leaved", () -> a.got("notification", "leaved"));
  }
}
