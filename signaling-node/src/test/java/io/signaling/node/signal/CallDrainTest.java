package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.room.PeerRef;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The drain policy on its own: who is released when, and when the drain is done. */
class CallDrainTest {

  private final List<Session> released = new ArrayList<>();
  private final CallDrain drain = new CallDrain(released::add);
  private final List<Session> sessions = new ArrayList<>();
  private long ids;

  private Session socket() {
    Session s = new Session(++ids, new ClientSocket() {
      @Override
      public void send(String text) {
      }

      @Override
      public void close(short code, String reason) {
      }

      @Override
      public void pauseReading(long millis) {
      }

      @Override
      public String remoteAddress() {
        return "test";
      }
    }, new TokenBucket(10, 10, 0), ByteBudget.UNLIMITED, null, null, 0);
    sessions.add(s);
    return s;
  }

  private static PeerRef peer(long session) {
    return new PeerRef("node", "inbox", session, false);
  }

  private Session inCall(String room) {
    Session s = socket();
    s.rooms.put(room, new RoomLink(peer(s.id), peer(1000 + s.id), 1));
    return s;
  }

  @Test
  void socketsInNoCall_areReleasedAtOnce_andSocketsInACall_whenTheirLastCallEnds() {
    // GIVEN a socket in no room, one alone in a room, one in two calls
    Session idle = socket();
    Session alone = socket();
    alone.rooms.put("r-alone", new RoomLink(peer(alone.id), null, 1));
    Session busy = inCall("r1");
    busy.rooms.put("r2", new RoomLink(peer(busy.id), peer(99), 1));

    // WHEN the drain starts
    Future<Void> done = drain.start(sessions);

    // THEN the first two go at once, the caller stays, and the drain is not done
    assertThat(released).containsExactly(idle, alone);
    assertThat(done.isComplete()).isFalse();
    assertThat(drain.held()).isEqualTo(2);

    // WHEN one of its calls ends, it still stays
    busy.rooms.get("r1").partner = null;
    drain.callMayHaveEnded(busy, sessions);
    assertThat(released).containsExactly(idle, alone);
    assertThat(drain.held()).isEqualTo(1);

    // WHEN the last one ends, it is released and the drain is done
    busy.rooms.remove("r2");
    drain.callMayHaveEnded(busy, sessions);
    assertThat(released).containsExactly(idle, alone, busy);
    assertThat(done.succeeded()).isTrue();
    assertThat(drain.held()).isZero();
  }

  @Test
  void aJoinInFlight_holdsItsSocket_untilItIsDecided() {
    Session joining = socket();
    joining.joining.put("r", new ArrayList<>());
    Future<Void> done = drain.start(sessions);
    assertThat(released).isEmpty();
    joining.joining.clear();
    drain.callMayHaveEnded(joining, sessions);
    assertThat(released).containsExactly(joining);
    assertThat(done.succeeded()).isTrue();
  }

  @Test
  void aSocketThatCloses_endsTheDrain_withoutARelease() {
    Session busy = inCall("r");
    Future<Void> done = drain.start(sessions);
    busy.closed = true;
    sessions.remove(busy);
    drain.callMayHaveEnded(null, sessions);
    assertThat(released).isEmpty();
    assertThat(done.succeeded()).isTrue();
  }

  @Test
  void beforeTheDrain_nothingIsReleased() {
    Session idle = socket();
    drain.callMayHaveEnded(idle, sessions);
    assertThat(released).isEmpty();
    assertThat(drain.active()).isFalse();
  }

  @Test
  void anEmptyLoop_isDrainedAtOnce() {
    assertThat(drain.start(sessions).succeeded()).isTrue();
  }

  @Test
  void aSocketWhoseLeaveIsInFlight_isReleasedOnlyOnceTheLeaveIsAnswered() {
    // GIVEN a socket that left its only call, the directory not yet having answered the leave
    Session leaver = socket();
    leaver.leaving = 1;

    // WHEN the drain starts
    Future<Void> done = drain.start(sessions);

    // THEN it stays until the leave is answered ("leaved" comes before "server_will_stop"), then goes
    assertThat(released).isEmpty();
    assertThat(done.isComplete()).isFalse();
    leaver.leaving = 0;
    drain.callMayHaveEnded(leaver, sessions);
    assertThat(released).containsExactly(leaver);
    assertThat(done.succeeded()).isTrue();
  }
}
