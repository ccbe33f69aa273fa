package io.signaling.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.signaling.node.backend.AdminRooms;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin API's listing, partition by partition, against a real (one-member) Hazelcast map. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterAdminPagingTest {

  private HazelcastInstance hazelcast;
  private Vertx vertx;
  private ExecutorService blocking;
  private ClusterAdmin admin;

  @BeforeAll
  void start() {
    Config config = new Config().setClusterName("paging-" + UUID.randomUUID());
    config.getNetworkConfig().setPort(0).getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.setProperty("hazelcast.partition.count", "31");
    RoomSerialization.configure(config, 3600);
    hazelcast = Hazelcast.newHazelcastInstance(config);
    vertx = Vertx.vertx();
    blocking = Executors.newSingleThreadExecutor();
    admin = new ClusterAdmin(vertx, hazelcast, blocking, "node-a", 500, 2, 0, JsonObject::new);
  }

  @AfterAll
  void stop() throws InterruptedException {
    blocking.shutdownNow();
    blocking.awaitTermination(5, TimeUnit.SECONDS);
    vertx.close();
    hazelcast.shutdown();
  }

  @Test
  void pagesOfSeven_listEveryRoomOnce_andSkipEmptyAndWarmupEntries() throws Exception {
    // GIVEN 200 rooms spread over the partitions, a warm-up room and an entry with no peer
    IMap<String, Room> rooms = hazelcast.getMap(RoomSerialization.ROOMS_MAP);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String key = "room-" + i;
      rooms.put(key, new Room(List.of(new PeerRef("node-a", "signaling.inbox.node-a.0", i, false)), i + 1));
      expected.add(key);
    }
    rooms.put("warmup-x", new Room(List.of(new PeerRef("node-a", "signaling.inbox.node-a.0", 999, false)), 1));

    // WHEN they are listed seven at a time
    List<String> listed = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      AdminRooms.Page page = admin.rooms(7, cursor).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(page.rooms().size()).isLessThanOrEqualTo(7);
      page.rooms().forEach(r -> listed.add(r.streamId()));
      cursor = page.next();
      pages++;
    } while (cursor != null && pages < 500);

    // THEN every room comes once, and nothing else
    assertThat(listed).doesNotHaveDuplicates();
    assertThat(new HashSet<>(listed)).isEqualTo(expected);
    assertThat(pages).isGreaterThanOrEqualTo(200 / 7);
  }

  @Test
  void aCursorThatIsNotOne_isRefused() {
    assertThatThrownBy(() -> admin.rooms(5, "!!").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalArgumentException.class);
    String outOfRange = java.util.Base64.getUrlEncoder().encodeToString("9999:x".getBytes());
    assertThatThrownBy(() -> admin.rooms(5, outOfRange).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
  }
}
