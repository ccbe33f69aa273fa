package io.signaling.node.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RoomEventsTest {

  private static final PeerRef A = new PeerRef("node-a", "signaling.inbox.node-a.0", 1, false);
  private static final PeerRef B = new PeerRef("node-b", "signaling.inbox.node-b.0", 2, true);
  private static final PeerRef R = new PeerRef("node-a", "signaling.inbox.node-a.0", 3, false, "key", 0);
  private static final Pattern EVENT = Pattern.compile("\"event\":\"([a-z_]+)\"");
  private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

  private int sids;
  private final Supplier<String> newSid = () -> "sid" + (++sids);

  private static List<String> events(Room r) {
    List<String> names = new ArrayList<>();
    for (RoomEvent e : r.life().outbox()) {
      Matcher m = EVENT.matcher(e.json());
      assertThat(m.find()).isTrue();
      names.add(m.group(1));
    }
    return names;
  }

  private Room join(Room before, PeerRef p, long now) {
    return RoomEvents.apply("r1", before, RoomRules.join(before, p, now).room(), LeaveReason.LEAVE, now, newSid, true);
  }

  @Test
  void aCallFromFirstJoinToLastLeave_producesTheLifeInOrder_numberedWithoutGap() {
    // GIVEN an empty room; WHEN A joins, B joins, A leaves, B's socket closes
    Room r = join(null, A, 1000);
    r = join(r, B, 2000);
    r = RoomEvents.apply("r1", r, RoomRules.leave(r, A, 5000).room(), LeaveReason.LEAVE, 5000, newSid, true);
    r = RoomEvents.apply("r1", r, RoomRules.leave(r, B, 6000).room(), LeaveReason.CLOSED, 6000, newSid, true);
    // THEN
    assertThat(events(r)).containsExactly("room_started", "peer_joined", "peer_joined", "call_started", "call_ended",
        "peer_left", "peer_left", "room_finished");
    List<Long> seqs = new ArrayList<>();
    for (RoomEvent e : r.life().outbox()) {
      Matcher m = SEQ.matcher(e.json());
      m.find();
      seqs.add(Long.parseLong(m.group(1)));
      assertThat(e.json()).contains("\"roomSid\":\"sid1\"").contains("\"id\":\"sid1-" + m.group(1) + "\"");
    }
    assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(r.life().outbox().get(4).json()).contains("\"durationMs\":3000").contains("\"reason\":\"leave\"");
    assertThat(r.life().outbox().get(6).json()).contains("\"reason\":\"closed\"")
        .contains("\"sessionId\":\"node-b.2\"").contains("\"mode\":\"play\"");
    assertThat(r.peers()).isEmpty();
    assertThat(r.life().sid()).isNull();
    assertThat(r.stored()).as("kept while events are undelivered").isNotNull();
  }

  @Test
  void aNewLifeOfTheSameStreamId_getsANewSid_andStartsAtOne() {
    Room r = join(null, A, 1000);
    r = RoomEvents.apply("r1", r, RoomRules.leave(r, A, 2000).room(), LeaveReason.LEAVE, 2000, newSid, true);
    r = join(r, B, 3000);
    assertThat(r.life().outbox().get(4).json()).contains("\"roomSid\":\"sid2\"").contains("\"seq\":1,");
  }

  @Test
  void aHoldAndAResume_areNoLeave_theResumeIsReported() {
    Room r = join(null, R, 1000);
    r = join(r, B, 2000);
    int before = r.life().outbox().size();
    Room held = RoomEvents.apply("r1", r, RoomRules.hold(r, R, 40_000, 3000).room(), LeaveReason.CLOSED, 3000,
        newSid, true);
    assertThat(held.life().outbox()).hasSize(before);
    PeerRef again = new PeerRef("node-b", "signaling.inbox.node-b.1", 9, false, "key", 0);
    Room resumed = join(held, again, 4000);
    assertThat(events(resumed).subList(before, events(resumed).size())).containsExactly("peer_resumed");
  }

  @Test
  void aWarmupRoom_orARoomWithoutWebhooks_hasNoLife() {
    Room w = RoomEvents.apply("warmup-x", null, RoomRules.join(null, A, 1).room(), LeaveReason.LEAVE, 1, newSid, true);
    assertThat(w.life()).isNull();
    Room off = RoomEvents.apply("r1", null, RoomRules.join(null, A, 1).room(), LeaveReason.LEAVE, 1, null, true);
    assertThat(off.life()).isNull();
  }

  @Test
  void aPairWithoutALife_isAdoptedAtItsNextChange_asWhatItIs_thenTheChange() {
    // GIVEN a call that began where no life could start (no events)
    Room lifeless = RoomRules.join(RoomRules.join(null, A, 1000).room(), B, 2000).room();
    assertThat(lifeless.life()).isNull();
    // WHEN A leaves where lives start
    Room r = RoomEvents.apply("r1", lifeless, RoomRules.leave(lifeless, A, 9000).room(), LeaveReason.LEAVE, 9000,
        newSid, true);
    // THEN the life begins with what the room was (adopted), then the leave's own events, numbered from 1
    assertThat(events(r)).containsExactly("room_started", "peer_joined", "peer_joined", "call_started", "call_ended",
        "peer_left");
    assertThat(r.life().outbox().get(0).json()).contains("\"seq\":1,").contains("\"adopted\":true")
        .contains("\"createdAt\":9000");
    assertThat(r.life().outbox().get(1).json()).contains("\"sessionId\":\"node-a.1\"");
    assertThat(r.life().outbox().get(4).json()).as("the call is counted from its adoption")
        .contains("\"durationMs\":0");
    // AND the life goes on as any other
    r = RoomEvents.apply("r1", r, RoomRules.leave(r, B, 9500).room(), LeaveReason.CLOSED, 9500, newSid, true);
    assertThat(events(r).subList(6, 8)).containsExactly("peer_left", "room_finished");
    assertThat(r.life().outbox().get(7).json()).contains("\"seq\":8,").contains("\"roomSid\":\"sid1\"");
  }

  @Test
  void adopt_givesALifelessRoomItsLife_andLeavesRoomsInALifeOrWithoutPeersAlone() {
    Room one = RoomRules.join(null, A, 1000).room();
    Room adopted = RoomEvents.adopt("r1", one, 5000, newSid, true);
    assertThat(events(adopted)).containsExactly("room_started", "peer_joined");
    assertThat(adopted.life().pairedAt()).isZero();
    Room pair = RoomRules.join(one, B, 2000).room();
    Room adoptedPair = RoomEvents.adopt("r1", pair, 5000, newSid, true);
    assertThat(events(adoptedPair)).containsExactly("room_started", "peer_joined", "peer_joined", "call_started");
    assertThat(adoptedPair.life().pairedAt()).isEqualTo(5000);
    assertThat(adoptedPair.peers()).isEqualTo(pair.peers());
    assertThat(adoptedPair.version()).as("adoption is no change of the room").isEqualTo(pair.version());
    assertThat(RoomEvents.adopt("r1", adoptedPair, 6000, newSid, true)).isSameAs(adoptedPair);
    assertThat(RoomEvents.adopt("r1", Room.EMPTY, 6000, newSid, true)).isSameAs(Room.EMPTY);
    Room warmup = RoomRules.join(null, A, 1000).room();
    assertThat(RoomEvents.adopt("warmup-1", warmup, 6000, newSid, true).life()).isNull();
    assertThat(RoomEvents.adopt("r1", pair, 6000, null, true).life()).as("no life may start").isNull();
  }

  @Test
  void acknowledgements_dropWhatEveryReceiverHas() {
    Room r = join(null, A, 1000);
    RoomLife life = r.life();
    assertThat(life.outbox()).hasSize(2);
    RoomLife one = life.acknowledged(0, 1, 2);
    assertThat(one.outbox()).hasSize(2);
    assertThat(one.next(0).ordinal()).isEqualTo(2);
    assertThat(one.next(1).ordinal()).isEqualTo(1);
    RoomLife both = one.acknowledged(1, 2, 2).acknowledged(0, 2, 2);
    assertThat(both.outbox()).isEmpty();
  }
}
