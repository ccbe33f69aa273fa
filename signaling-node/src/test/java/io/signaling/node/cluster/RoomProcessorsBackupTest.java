package io.signaling.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.map.EntryProcessor;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every entry processor's primary and backup paths on the same input, applied the way Hazelcast 5.6 applies
 * them, over whole partitions of rooms in every state; then primary and backup are compared key by key.
 *
 * <p>What Hazelcast does (its {@code EntryOperation}, {@code PartitionWideEntryOperation} and their backup
 * operations): {@code submitToKey} runs the processor on the key's owner and, if {@code getBackupProcessor()}
 * returns one, applies that to the same key on the backup replica. {@code executeOnEntries} sends one processor
 * per member, shared by every partition operation on that member (they run on its partition threads); after
 * each partition it asks that shared instance for {@code getBackupProcessor()} once and applies the result to
 * <em>every</em> entry of the partition's backup replica. Processors and backups cross the wire serialized
 * (transient fields are lost); this harness round-trips them through Hazelcast's own serialization with the
 * project's factory.
 */
class RoomProcessorsBackupTest {

  private static final int PARTITIONS = 4;
  private static final String GONE = "node-gone";
  private static final PeerRef[] NODE0 = peers("node-0", 400);
  private static final PeerRef[] NODE1 = peers("node-1", 400);
  private static final PeerRef[] NODE2 = peers(GONE, 400);

  private final InternalSerializationService serialization;

  RoomProcessorsBackupTest() {
    Config config = new Config();
    RoomSerialization.configure(config, 3600);
    serialization = new DefaultSerializationServiceBuilder().setConfig(config.getSerializationConfig()).build();
  }

  private static PeerRef[] peers(String node, int n) {
    PeerRef[] peers = new PeerRef[n];
    for (int i = 0; i < n; i++) {
      peers[i] = new PeerRef(node, "signaling.inbox." + node + "." + (i % 2), i, i % 7 == 0);
    }
    return peers;
  }

  private static PeerRef resumable(PeerRef p, long heldUntil) {
    return new PeerRef(p.node(), p.inbox(), p.session(), p.playOnly(), "key-" + p.node() + "-" + p.session(),
        heldUntil);
  }

  /** One partition: its primary replica and its backup replica, equal to begin with. */
  private static final class Partition {
    final Map<String, Room> primary = new LinkedHashMap<>();
    final Map<String, Room> backup = new LinkedHashMap<>();
  }

  /**
   * 400 rooms over {@link #PARTITIONS} partitions: waiting alone (on a node that stays, on the one that goes),
   * paired (both staying, one staying with one going, both going), half-left (paired, then one left: a single
   * peer at a later version), each with a distinct version.
   */
  private static List<Partition> partitions() {
    List<Partition> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new Partition());
    }
    for (int i = 0; i < 400; i++) {
      long version = 1_000_000L + i * 10;
      Room room = switch (i % 8) {
        case 0 -> new Room(List.of(NODE0[i]), version);
        case 1 -> new Room(List.of(NODE2[i]), version);
        case 2 -> new Room(List.of(NODE0[i], NODE1[i]), version);
        case 3 -> new Room(List.of(NODE0[i], NODE2[i]), version);
        case 4 -> new Room(List.of(NODE2[i], NODE1[i]), version);
        case 5 -> new Room(List.of(NODE2[i], new PeerRef(GONE, NODE2[i].inbox(), i + 1000, false)), version);
        case 6 -> new Room(List.of(NODE1[i]), version + 5);
        case 7 -> i % 16 == 7 ? new Room(List.of(NODE2[i]), version + 5)
            // resumable peers: one on the departed node, one held already, one attached elsewhere
            : new Room(List.of(resumable(NODE2[i], 0), resumable(NODE1[i], 0).heldUntil(version)), version + 5);
        default -> new Room(List.of(NODE2[i]), version + 5);
      };
      String key = "room-" + i;
      Partition partition = partitions.get(Math.floorMod(key.hashCode(), PARTITIONS));
      partition.primary.put(key, room);
      partition.backup.put(key, room);
    }
    return partitions;
  }

  // ------------------------------------------------------------------ how Hazelcast applies them

  /** A map entry as a processor sees it: setting null removes it. */
  private static final class Entry implements Map.Entry<String, Room> {
    private final Map<String, Room> store;
    private final String key;

    Entry(Map<String, Room> store, String key) {
      this.store = store;
      this.key = key;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public Room getValue() {
      return store.get(key);
    }

    @Override
    public Room setValue(Room value) {
      return value == null ? store.remove(key) : store.put(key, value);
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T wire(T object) {
    return (T) serialization.toObject(serialization.toData(object));
  }

  /** {@code submitToKey}: the processor on the key's primary, then its backup processor on that key's backup. */
  private <R> R submitToKey(Partition partition, String key, EntryProcessor<String, Room, R> sent) {
    EntryProcessor<String, Room, R> processor = wire(sent);
    R result = processor.process(new Entry(partition.primary, key));
    EntryProcessor<String, Room, R> backup = processor.getBackupProcessor();
    if (backup != null) {
      wire(backup).process(new Entry(partition.backup, key));
    }
    return result;
  }

  /**
   * {@code executeOnEntries} on one member owning all {@code partitions}: one processor instance for all of
   * them; after each partition, its backup processor applied to every entry of that partition's backup.
   */
  private <R> void executeOnEntries(List<Partition> partitions, EntryProcessor<String, Room, R> sent) {
    EntryProcessor<String, Room, R> shared = wire(sent);
    for (Partition partition : partitions) {
      for (String key : new ArrayList<>(partition.primary.keySet())) {
        shared.process(new Entry(partition.primary, key));
      }
      EntryProcessor<String, Room, R> backup = shared.getBackupProcessor();
      if (backup != null) {
        EntryProcessor<String, Room, R> received = wire(backup);
        for (String key : new ArrayList<>(partition.backup.keySet())) {
          received.process(new Entry(partition.backup, key));
        }
      }
    }
  }

  /** Every key whose backup differs from its primary, with both. */
  private static Map<String, String> divergence(List<Partition> partitions) {
    Map<String, String> diff = new TreeMap<>();
    for (Partition p : partitions) {
      List<String> keys = new ArrayList<>(p.primary.keySet());
      p.backup.keySet().stream().filter(k -> !p.primary.containsKey(k)).forEach(keys::add);
      for (String k : keys) {
        if (!Objects.equals(p.primary.get(k), p.backup.get(k))) {
          diff.put(k, "primary " + p.primary.get(k) + " / backup " + p.backup.get(k));
        }
      }
    }
    return diff;
  }

  private static void assertBackupsEqualPrimaries(List<Partition> partitions) {
    Map<String, String> diff = divergence(partitions);
    long keys = partitions.stream().mapToLong(p -> p.primary.size()).sum();
    assertThat(diff).as(diff.size() + " key(s) of " + keys + " whose backup differs from the primary, e.g. "
        + diff.entrySet().stream().limit(5).toList()).isEmpty();
  }

  private static long count(List<Partition> partitions, Function<Room, Boolean> what) {
    return partitions.stream().flatMap(p -> p.primary.values().stream()).filter(what::apply).count();
  }

  // ------------------------------------------------------------------ the processors

  @Test
  void purge_asExecuteOnEntriesRunsIt_leavesEveryBackupEqualToItsPrimary() {
    // GIVEN partitions of rooms in every state, some with peers of the departed node
    List<Partition> partitions = partitions();
    assertThat(count(partitions, r -> r.peers().stream().anyMatch(p -> p.node().equals(GONE)))).isPositive();

    // WHEN the departed node is purged the way the directory does it: one executeOnEntries
    executeOnEntries(partitions, new PurgeNodeProcessor(GONE));

    // THEN the primaries hold no peer of it, and every backup equals its primary, key by key
    assertThat(count(partitions, r -> r.peers().stream().anyMatch(p -> p.node().equals(GONE)))).isZero();
    // (250 as before resume, and the 25 rooms whose other slot is held elsewhere keep it)
    assertThat(count(partitions, r -> true)).as("rooms left with a peer").isEqualTo(275);
    assertBackupsEqualPrimaries(partitions);
  }

  @Test
  void purge_ofRoomsInALife_producesTheSameNodeLostEventsOnTheBackup() {
    // GIVEN the same rooms, each in a life (webhooks on), primary and backup alike
    List<Partition> partitions = partitions();
    for (Partition p : partitions) {
      for (String key : new ArrayList<>(p.primary.keySet())) {
        Room inLife = p.primary.get(key).withLife(new io.signaling.node.room.RoomLife("sid-" + key, 3, 1000, 3,
            List.of(), List.of()));
        p.primary.put(key, inLife);
        p.backup.put(key, inLife);
      }
    }
    // WHEN the departed node is purged as the directory does it
    executeOnEntries(partitions, new PurgeNodeProcessor(GONE));
    // THEN its peers left as node_lost on the primaries, and every backup has the same events, ids and times
    assertThat(count(partitions, r -> r.life() != null
        && r.life().outbox().stream().anyMatch(e -> e.json().contains("\"reason\":\"node_lost\"")))).isPositive();
    assertBackupsEqualPrimaries(partitions);
  }

  @Test
  void purge_perKey_leavesEveryBackupEqualToItsPrimary() {
    // GIVEN the same rooms
    List<Partition> partitions = partitions();
    // WHEN each room is purged with its own processor on its own key
    for (Partition p : partitions) {
      for (String key : new ArrayList<>(p.primary.keySet())) {
        submitToKey(p, key, new PurgeNodeProcessor(GONE));
      }
    }
    // THEN primaries and backups agree on every key
    assertThat(count(partitions, r -> r.peers().stream().anyMatch(p -> p.node().equals(GONE)))).isZero();
    assertBackupsEqualPrimaries(partitions);
  }

  @Test
  void join_leave_andEvict_perKey_leaveEveryBackupEqualToItsPrimary() {
    // GIVEN rooms in every state
    List<Partition> partitions = partitions();
    int i = 0;
    for (Partition p : partitions) {
      for (String key : new ArrayList<>(p.primary.keySet())) {
        Room before = p.primary.get(key);
        PeerRef first = before.peers().get(0);
        // WHEN a newcomer joins every room (alone, paired or refused), someone leaves, and a partner is evicted
        submitToKey(p, key, new JoinProcessor(new PeerRef("node-new", "signaling.inbox.node-new.0", i++, false)));
        submitToKey(p, key, new JoinProcessor(first));
        submitToKey(p, key, new LeaveProcessor(first, null));
        Room now = p.primary.get(key);
        if (now != null) {
          // an eviction by a peer no longer in the room does nothing; by one still in it, it removes
          submitToKey(p, key, new LeaveProcessor(now.peers().get(0), first));
          if (now.peers().size() == 2) {
            submitToKey(p, key, new LeaveProcessor(now.peers().get(1), now.peers().get(0)));
          }
        }
        submitToKey(p, key, new LeaveProcessor(first, null));
      }
    }
    // THEN after each kind of change, on every key, the backup is the primary
    assertBackupsEqualPrimaries(partitions);
    assertThat(count(partitions, r -> true)).isPositive();
  }

  @Test
  void aBackupOfOneKey_appliedToAWholePartition_changesOnlyThatKey() {
    // GIVEN a partition, and the backup processor of a join on one of its keys
    List<Partition> partitions = partitions();
    Partition p = partitions.get(0);
    String key = p.primary.keySet().iterator().next();
    JoinProcessor join = wire(new JoinProcessor(NODE1[399]));
    p.primary.remove(key);
    join.process(new Entry(p.primary, key));
    EntryProcessor<String, Room, ?> backup = wire(join.getBackupProcessor());

    // WHEN it is applied to every entry of the backup replica (as a partition-wide backup would be)
    for (String k : new ArrayList<>(p.backup.keySet())) {
      backup.process(new Entry(p.backup, k));
    }

    // THEN only that key changed, to the primary's room
    assertBackupsEqualPrimaries(List.of(p));
  }

  @Test
  void purgeWithAWindow_holdsResumableSlots_andLeavesEveryBackupEqualToItsPrimary() {
    // GIVEN rooms in every state, some with resumable peers of the departed node
    List<Partition> partitions = partitions();
    // WHEN the departed node is purged with a resume window, as one executeOnEntries
    executeOnEntries(partitions, new PurgeNodeProcessor(GONE, 1_000_000L, 30_000));
    // THEN its resumable slots are held, its other peers gone, and backups equal primaries
    assertThat(count(partitions, r -> r.peers().stream().anyMatch(p -> p.node().equals(GONE) && !p.held()))).isZero();
    assertThat(count(partitions, r -> r.peers().stream().anyMatch(p -> p.node().equals(GONE) && p.held()))).isPositive();
    assertBackupsEqualPrimaries(partitions);
  }

  @Test
  void hold_resume_andJoinsWithAWindow_perKey_leaveEveryBackupEqualToItsPrimary() {
    // GIVEN rooms in every state
    List<Partition> partitions = partitions();
    int i = 0;
    for (Partition p : partitions) {
      for (String key : new ArrayList<>(p.primary.keySet())) {
        PeerRef first = p.primary.get(key).peers().get(0);
        // WHEN a resumable newcomer joins, its socket goes (hold), it resumes from another socket, the first
        // peer's socket goes too, and a join with a window finds stale or held peers
        PeerRef newcomer = new PeerRef("node-new", "signaling.inbox.node-new.0", i, false, "key-new-" + i, 0);
        submitToKey(p, key, new JoinProcessor(newcomer, 30_000));
        submitToKey(p, key, new HoldProcessor(newcomer, 30_000));
        submitToKey(p, key, new JoinProcessor(new PeerRef("node-1", "signaling.inbox.node-1.1", 10_000 + i,
            false, "key-new-" + i, 0), 30_000));
        submitToKey(p, key, new HoldProcessor(first, 30_000));
        submitToKey(p, key, new JoinProcessor(first, 30_000));
        i++;
      }
    }
    // THEN on every key the backup is the primary, and some slots were held and resumed
    assertBackupsEqualPrimaries(partitions);
    assertThat(count(partitions, r -> r.peers().stream().anyMatch(q -> q.resumable() && !q.held()
        && q.node().equals("node-1") && q.session() >= 10_000))).isPositive();
  }
}
