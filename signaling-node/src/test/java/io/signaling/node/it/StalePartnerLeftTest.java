package io.signaling.node.it;

import static io.signaling.node.support.Calls.pair;
import static io.signaling.node.support.Calls.relays;

import com.hazelcast.map.IMap;
import io.signaling.node.cluster.Envelope;
import io.signaling.node.cluster.EnvelopeCodec;
import io.signaling.node.cluster.RoomSerialization;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A {@code PARTNER_LEFT} notice is retried; a retry that arrives after the partner left and joined again must
 * not end the new pairing. The late retry is sent to the peer's inbox over the real clustered event bus, as
 * the leaver's node would send it.
 */
class StalePartnerLeftTest {

  @Test
  void aLateNoticeOfAnEarlierLeave_doesNotEndThePairingThatFollowed_butACurrentOneDoes() throws Exception {
    try (TestCluster cluster = TestCluster.start(2);
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      IMap<String, Room> rooms = cluster.node(0).cluster().hazelcast().getMap(RoomSerialization.ROOMS_MAP);
      String room = "leave-and-rejoin";
      // GIVEN A (node 0) and B (node 1) paired; B leaves (A is told stop) and joins again (A is told start)
      pair(a, b, room);
      b.leave(room);
      b.expectNotification("leaved", room);
      a.expect("stop", room);
      long leftAt = rooms.get(room).version();
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);
      Room paired = rooms.get(room);
      PeerRef peerA = paired.peers().get(0);
      PeerRef peerB = paired.peers().get(1);

      // WHEN a retry of the notice for B's leave reaches A's inbox late
      notify(cluster, Envelope.partnerLeft(peerB, peerA, room, leftAt), peerA);

      // THEN A keeps its pairing: told nothing, and relays still flow both ways
      a.expectQuiet(b, room);
      relays(a, b, room, "still paired");
      relays(b, a, room, "both ways");

      // WHEN a notice at the pairing's own version arrives (B left the room A knows)
      notify(cluster, Envelope.partnerLeft(peerB, peerA, room, paired.version()), peerA);

      // THEN A is told stop
      a.expect("stop", room);
      a.expectNothingFromItsNode();
    }
  }

  /** Sends a notice from node 1 to {@code to}'s inbox as a request, and waits for its acknowledgement. */
  private static void notify(TestCluster cluster, Envelope envelope, PeerRef to) throws Exception {
    cluster.node(1).vertx().eventBus()
        .request(to.inbox(), envelope, new DeliveryOptions().setCodecName(EnvelopeCodec.NAME).setSendTimeout(5_000))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
