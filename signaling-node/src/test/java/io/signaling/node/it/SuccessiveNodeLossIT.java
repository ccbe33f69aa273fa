package io.signaling.node.it;

import static io.signaling.node.support.Calls.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.Await;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.ProcessCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Two node losses one after the other on three node processes, with hundreds of rooms in every state. The
 * first loss changes rooms on every partition (the departed node's peers are purged) and the second promotes
 * backup replicas written by that change: a backup that did not replay the primary exactly shows here as a
 * room that lost its waiting peer, or gained someone else's.
 */
class SuccessiveNodeLossIT {

  /** Rooms per socket: the server's limit is raised to it. */
  private static final int ROOMS_PER_SOCKET = 40;
  private static final Map<String, String> ENV = Map.of("SIGNALING_DRAIN_SECONDS", "5",
      "SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS", "4",
      "SIGNALING_MAX_ROOMS_PER_CONNECTION", Integer.toString(ROOMS_PER_SOCKET),
      // the sockets stay silent between the steps: no idle timeout
      "SIGNALING_IDLE_TIMEOUT_SECONDS", "0");
  /** Joins, notices and purges take milliseconds here; a PAIRED notice is retried for about 2.5 s at most. */
  private static final Duration SETTLE = Duration.ofSeconds(30);
  /** Re-replication after a loss of a member takes a few seconds here. */
  private static final Duration SAFE = Duration.ofSeconds(60);

  /** A socket and everything it received, with the rooms it ever joined. */
  private static final class Client {
    final TestPeer peer;
    final int node;
    final List<JsonObject> received = new ArrayList<>();
    final Set<String> joined = new HashSet<>();
    int pings;

    Client(TestPeer peer, int node) {
      this.peer = peer;
      this.node = node;
    }

    List<JsonObject> collect() {
      received.addAll(peer.poll());
      return received;
    }

    void join(String room) {
      joined.add(room);
      peer.join(room);
    }

    boolean got(String command, String room, String definition) {
      return collect().stream().anyMatch(matches(command, room, definition));
    }

    long count(String command, String room) {
      return collect().stream().filter(matches(command, room, null)).count();
    }

    static Predicate<JsonObject> matches(String command, String room, String definition) {
      return m -> command.equals(m.getString("command")) && room.equals(m.getString("streamId"))
          && (definition == null || definition.equals(m.getString("definition")));
    }
  }

  /** A room and its peers' sockets; {@code survivor} is on node 0. */
  private record Room(String id, String state, Client survivor, Client other) {
  }

  @Test
  void twoSuccessiveSigkills_everySurvivingRoomPairsItsOwnSurvivorWithANewcomer() {
    long t0 = System.nanoTime();
    List<Client> clients = new ArrayList<>();
    try (ProcessCluster cluster = ProcessCluster.start(3, ENV)) {
      for (int i = 0; i < 3; i++) {
        cluster.node(i).awaitSafe(3, SAFE);
      }
      String node1 = cluster.node(1).health().getString("node");
      String node2 = cluster.node(2).health().getString("node");

      // GIVEN 400 rooms whose first peer is on node 0: waiting alone; paired with a peer on node 1; paired with
      // a peer on node 2; and half-left (paired, then the partner on node 1 or node 2 left)
      Map<String, Integer> plan = new LinkedHashMap<>();
      plan.put("waiting", 100);
      plan.put("paired-0-1", 100);
      plan.put("paired-0-2", 100);
      plan.put("half-left-0-1", 50);
      plan.put("half-left-0-2", 50);
      Map<Integer, Sockets> sockets = new HashMap<>();
      for (int n = 0; n < 3; n++) {
        sockets.put(n, new Sockets(cluster, n, "n" + n, clients));
      }
      List<Room> rooms = new ArrayList<>();
      plan.forEach((state, count) -> {
        for (int i = 0; i < count; i++) {
          int partnerNode = state.endsWith("-1") ? 1 : state.endsWith("-2") ? 2 : -1;
          rooms.add(new Room(state + "-" + i, state, sockets.get(0).next(),
              partnerNode < 0 ? null : sockets.get(partnerNode).next()));
        }
      });
      rooms.forEach(r -> r.survivor().join(r.id()));
      awaitAll("every first peer joined", rooms, r -> r.survivor().got("notification", r.id(), "joined"));
      rooms.stream().filter(r -> r.other() != null).forEach(r -> r.other().join(r.id()));
      awaitAll("every second peer paired", rooms.stream().filter(r -> r.other() != null).toList(),
          r -> r.other().got("notification", r.id(), "joined") && r.survivor().got("start", r.id(), null));
      List<Room> halfLeft = rooms.stream().filter(r -> r.state().startsWith("half-left")).toList();
      halfLeft.forEach(r -> r.other().peer.leave(r.id()));
      awaitAll("every half-left room told its first peer stop", halfLeft,
          r -> r.other().got("notification", r.id(), "leaved") && r.survivor().got("stop", r.id(), null));

      // WHEN node 2 dies, the cluster re-replicates, and then node 1 dies
      cluster.node(2).signal("KILL");
      awaitPurged(cluster, node2);
      cluster.node(0).awaitSafe(2, SAFE);
      cluster.node(1).awaitSafe(2, SAFE);
      List<Room> pairedWith2 = rooms.stream().filter(r -> r.state().equals("paired-0-2")).toList();
      awaitAll("partners of node 2's peers told stop", pairedWith2, r -> r.survivor().got("stop", r.id(), null));
      record("successive losses: node 2 killed, cluster safe again after " + millisSince(t0) + " ms since start");

      cluster.node(1).signal("KILL");
      awaitPurged(cluster, node1);
      cluster.node(0).awaitSafe(1, SAFE);
      List<Room> pairedWith1 = rooms.stream().filter(r -> r.state().equals("paired-0-1")).toList();
      awaitAll("partners of node 1's peers told stop", pairedWith1, r -> r.survivor().got("stop", r.id(), null));

      // and a newcomer joins every room on node 0
      Sockets newcomers = new Sockets(cluster, 0, "new", clients);
      Map<String, Client> newcomerOf = new HashMap<>();
      for (Room r : rooms) {
        Client c = newcomers.next();
        newcomerOf.put(r.id(), c);
        c.join(r.id());
      }
      awaitAll("every newcomer answered", rooms, r -> newcomerOf.get(r.id()).collect().stream()
          .anyMatch(m -> r.id().equals(m.getString("streamId"))));

      // THEN every room pairs its own survivor with the newcomer: the survivor (first in the room) gets start
      List<String> stranded = new ArrayList<>();
      try {
        awaitAll("every survivor told start with its newcomer", rooms,
            r -> r.survivor().count("start", r.id()) == expectedStarts(r) + 1);
      } catch (AssertionError e) {
        rooms.stream().filter(r -> r.survivor().count("start", r.id()) != expectedStarts(r) + 1)
            .forEach(r -> stranded.add(r.id()));
      }
      record("successive losses: " + stranded.size() + " of " + rooms.size() + " rooms stranded after two SIGKILLs"
          + (stranded.isEmpty() ? "" : ": " + stranded.subList(0, Math.min(10, stranded.size())) + "..."));
      assertThat(stranded).as("rooms whose survivor was not paired with the newcomer").isEmpty();
      for (Room r : rooms) {
        Client c = newcomerOf.get(r.id());
        assertThat(c.got("notification", r.id(), "joined")).as("newcomer joined " + r.id()).isTrue();
        assertThat(c.count("start", r.id())).as("the newcomer of " + r.id() + " is not the offerer").isZero();
      }
      // and no socket received anything for a room it never joined (those on node 0 checked up to a ping)
      List<Client> alive = clients.stream().filter(c -> c.node == 0).toList();
      alive.forEach(c -> {
        c.peer.send("{\"command\":\"ping\"}");
        c.pings++;
      });
      Await.until(SETTLE, "every open socket answered its ping",
          () -> alive.stream().allMatch(c -> c.collect().stream()
              .filter(m -> "pong".equals(m.getString("command"))).count() >= c.pings));
      List<String> foreign = new ArrayList<>();
      for (Client c : clients) {
        for (JsonObject m : c.received) {
          String room = m.getString("streamId");
          if (room != null && !c.joined.contains(room)) {
            foreign.add(c.peer.name() + " got " + m.encode());
          }
        }
      }
      assertThat(foreign).as("messages for rooms the socket never joined").isEmpty();
      record("successive losses: test took " + millisSince(t0) + " ms");
    } finally {
      clients.forEach(c -> c.peer.close());
    }
  }

  /** Starts the survivor received before the newcomer came: one for a room that was paired. */
  private static int expectedStarts(Room r) {
    return r.other() == null ? 0 : 1;
  }

  /** Waits until a survivor's log says the departed node's peers were removed from the rooms. */
  private static void awaitPurged(ProcessCluster cluster, String departed) {
    Await.until(SETTLE, "a survivor purged node " + departed, () -> {
      for (int i = 0; i < 3; i++) {
        NodeProcess n = cluster.node(i);
        if (n.process().isAlive() && n.output().contains("removed departed node " + departed + " from")) {
          return true;
        }
      }
      return false;
    });
  }

  private static void awaitAll(String what, List<Room> rooms, Predicate<Room> done) {
    Await.until(SETTLE, what, () -> rooms.stream().allMatch(done));
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  /** Sockets on one node, each used for up to {@link #ROOMS_PER_SOCKET} rooms. */
  private static final class Sockets {
    private final ProcessCluster cluster;
    private final int node;
    private final String prefix;
    private final List<Client> all;
    private Client current;
    private int used;

    Sockets(ProcessCluster cluster, int node, String prefix, List<Client> all) {
      this.cluster = cluster;
      this.node = node;
      this.prefix = prefix;
      this.all = all;
    }

    Client next() {
      if (current == null || used == ROOMS_PER_SOCKET) {
        current = new Client(cluster.connect(prefix + "-" + all.size(), node), node);
        all.add(current);
        used = 0;
      }
      used++;
      return current;
    }
  }
}
