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
