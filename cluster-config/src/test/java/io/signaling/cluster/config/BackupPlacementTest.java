package io.signaling.cluster.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real Hazelcast members standing for two machines: losing every member of one machine at once loses no entry
 * when backups are grouped by node, and does lose entries with Hazelcast's default placement.
 */
class BackupPlacementTest {

  private static final int ENTRIES = 2_000;
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }

  /** Two members on host-a, two on host-b; returns them in that order. */
  private List<HazelcastInstance> cluster(BackupGrouping grouping) {
    String name = "placement-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> ports = List.of(FreePorts.one(), FreePorts.one(), FreePorts.one(), FreePorts.one());
    List<String> addresses = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    List<CompletableFuture<HazelcastInstance>> starting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ClusterSettings s = ClusterSettings.loopback(name, ports.get(i), addresses)
          .withFailureDomain(FailureDomain.of(grouping, i < 2 ? "host-a" : "host-b", ""));
      starting.add(CompletableFuture.supplyAsync(() -> Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(s))));
    }
    starting.forEach(f -> members.add(f.join()));
    await("4 members, all partitions backed up", () -> members.stream().allMatch(m -> m.getCluster().getMembers()
        .size() == 4) && members.get(0).getPartitionService().isClusterSafe());
    return members;
  }

  /** Fills a map (one backup, the default, as the room directory has), loses host-b, counts what host-a has. */
  private int entriesLeftAfterLosingHostB(BackupGrouping grouping) {
    List<HazelcastInstance> m = cluster(grouping);
    IMap<Integer, String> rooms = m.get(0).getMap("rooms");
    for (int i = 0; i < ENTRIES; i++) {
      rooms.set(i, "room-" + i);
    }
    await("backups in place", () -> m.get(0).getPartitionService().isClusterSafe());

    CompletableFuture.allOf(
        CompletableFuture.runAsync(() -> m.get(2).getLifecycleService().terminate()),
        CompletableFuture.runAsync(() -> m.get(3).getLifecycleService().terminate())).join();
    await("host-a alone and settled", () -> m.get(0).getCluster().getMembers().size() == 2
        && m.get(0).getPartitionService().isClusterSafe());
    return m.get(0).getMap("rooms").size();
  }

  @Test
  void nodeGrouping_losingAWholeMachine_losesNothing() {
    // GIVEN backups grouped by node WHEN both members of host-b die at once THEN host-a has every entry
    assertThat(entriesLeftAfterLosingHostB(BackupGrouping.NODE)).isEqualTo(ENTRIES);
  }

  @Test
  void withoutGrouping_losingAWholeMachine_losesEntries() {
    // GIVEN Hazelcast's default placement WHEN both members of host-b die at once THEN entries whose primary and
    // backup were both on host-b are gone (the control for the test above)
    assertThat(entriesLeftAfterLosingHostB(BackupGrouping.NONE)).isLessThan(ENTRIES);
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within 60 s: " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
