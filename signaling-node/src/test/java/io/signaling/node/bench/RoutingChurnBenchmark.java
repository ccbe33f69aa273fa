package io.signaling.node.bench;

import io.signaling.cluster.config.ClusterFactory;
import io.signaling.cluster.config.ClusterSettings;
import io.signaling.node.cluster.HazelcastRoomDirectory;
import io.signaling.node.cluster.RoomSerialization;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.signaling.node.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Measures the two ways of addressing a room by streamId on a real 2-member cluster in one JVM:
 * (a) one clustered event-bus consumer registered and removed per room (awaited), and
 * (b) this project's design: per-event-loop inboxes registered once, plus the room directory (a join and a
 * leave for each of the two peers, as entry processors). Prints rooms per second for each.
 *
 * <p>Run: {@code mvn -q -pl signaling-node test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt}
 * then {@code java -cp signaling-node/target/test-classes:signaling-node/target/classes:$(cat signaling-node/target/cp.txt)
 * io.signaling.node.bench.RoutingChurnBenchmark 3000}.
 */
public final class RoutingChurnBenchmark {

  public static void main(String[] args) throws Exception {
    int rooms = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    String name = "bench-" + UUID.randomUUID();
    int p1 = TestCluster.freePort();
    int p2 = TestCluster.freePort();
    List<String> members = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
    List<Vertx> nodes = new ArrayList<>();
    List<HazelcastClusterManager> managers = new ArrayList<>();
    for (int port : List.of(p1, p2)) {
      ClusterSettings s = ClusterSettings.loopback(name, port, members);
      HazelcastClusterManager cm = ClusterFactory.clusterManager(s, c -> RoomSerialization.configure(c, 3600));
      managers.add(cm);
      nodes.add(Vertx.builder().with(ClusterFactory.applyEventBus(s, new VertxOptions())).withClusterManager(cm)
          .buildClustered().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
    }
    System.out.printf("cluster of %d members formed%n", managers.get(0).getHazelcastInstance().getCluster().getMembers().size());

    for (int round = 1; round <= 2; round++) {
      double consumers = run(rooms, 64, i -> {
        Vertx vertx = nodes.get(i % 2);
        MessageConsumer<Object> c = vertx.eventBus().consumer("room." + UUID.randomUUID(), m -> { });
        return c.completion().compose(v -> c.unregister());
      });
      System.out.printf("round %d: clustered consumer per room (register + unregister, awaited): %.0f rooms/s%n",
          round, consumers);

      RoomDirectory d1 = new HazelcastRoomDirectory(managers.get(0).getHazelcastInstance().<String, Room>getMap(
          RoomSerialization.ROOMS_MAP), ForkJoinPool.commonPool());
      RoomDirectory d2 = new HazelcastRoomDirectory(managers.get(1).getHazelcastInstance().<String, Room>getMap(
          RoomSerialization.ROOMS_MAP), ForkJoinPool.commonPool());
      double directory = run(rooms, 64, i -> {
        String room = "r" + UUID.randomUUID();
        PeerRef a = new PeerRef("n1", "inbox.n1.1", i, false);
        PeerRef b = new PeerRef("n2", "inbox.n2.1", i, false);
        return Future.fromCompletionStage(d1.join(room, a))
            .compose(x -> Future.fromCompletionStage(d2.join(room, b)))
            .compose(x -> Future.fromCompletionStage(d1.leave(room, a)))
            .compose(x -> Future.fromCompletionStage(d2.leave(room, b)))
            .mapEmpty();
      });
      System.out.printf("round %d: room directory (2 joins + 2 leaves per room, inboxes fixed): %.0f rooms/s%n",
          round, directory);
      double single = run(rooms / 10, 1, i -> Future.fromCompletionStage(
          d1.join("s" + UUID.randomUUID(), new PeerRef("n1", "inbox.n1.1", i, false))).mapEmpty());
      System.out.printf("round %d: one join at a time: %.0f joins/s%n", round, single);
    }
    for (Vertx v : nodes) {
      v.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code count} operations with at most {@code window} in flight; returns operations per second. */
  private static double run(int count, int window, IntFunction<Future<?>> op) throws Exception {
    Semaphore inFlight = new Semaphore(window);
    CompletableFuture<Void> done = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      op.apply(i).onComplete(ar -> {
        if (ar.failed()) {
          done.completeExceptionally(ar.cause());
        }
        inFlight.release();
        if (finished.incrementAndGet() == count) {
          done.complete(null);
        }
      });
    }
    done.get(300, TimeUnit.SECONDS);
    return count / ((System.nanoTime() - start) / 1e9);
  }
}
