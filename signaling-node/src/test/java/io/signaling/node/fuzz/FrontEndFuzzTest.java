package io.signaling.node.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Limits;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100,000 generated frames against a real node over real WebSockets. On an unpaired socket every frame has
 * exactly one answer, so a frame that crashed its handler or got stuck shows up as a missing answer; at the
 * end every socket still answers a ping, and a fresh pair still negotiates.
 */
class FrontEndFuzzTest {

  private static final Set<String> ANSWERS = Set.of("error", "notification", "pong", "iceServerConfig");
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, s -> s.withLimits(new Limits(1_000_000, 1_000_000, 1_000_000,
        1_000_000, 0, 0, 64 << 20, 3600)).withInstances(2));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void hundredThousandGeneratedFrames_eachGetExactlyOneAnswer_andNothingGetsStuck() throws Exception {
    int sockets = 4;
    int perSocket = 25_000;
    int window = 250;
    List<String> all = Frames.frame().sampleStream().limit((long) sockets * perSocket).toList();
    ExecutorService pool = Executors.newFixedThreadPool(sockets);
    List<Future<Integer>> results = new ArrayList<>();
    for (int s = 0; s < sockets; s++) {
      int index = s;
      results.add(pool.submit(() -> {
        try (TestPeer peer = cluster.connect("fuzz" + index, 0)) {
          // each socket joins only rooms of its own (prefixed ids), so no two sockets ever pair
          List<String> frames = all.subList(index * perSocket, (index + 1) * perSocket).stream()
              .map(f -> f.replace("\"streamId\":\"", "\"streamId\":\"s" + index)).toList();
          int answered = 0;
          for (int start = 0; start < frames.size(); start += window) {
            List<String> batch = frames.subList(start, Math.min(frames.size(), start + window));
            batch.forEach(peer::send);
            for (int i = 0; i < batch.size(); i++) {
              JsonObject answer = peer.next();
              assertThat(answer.getString("command")).as("answer in batch starting with " + batch.get(0))
                  .isIn(ANSWERS);
              answered++;
            }
          }
          assertThat(peer.barrier()).as("nothing beyond one answer per frame").isEmpty();
          return answered;
        }
      }));
    }
    int total = 0;
    for (Future<Integer> f : results) {
      total += f.get();
    }
    pool.shutdown();
    assertThat(total).isEqualTo(sockets * perSocket);

    try (TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 0)) {
      a.joined("after-fuzz");
      b.join("after-fuzz");
      b.expectNotification("joined", "after-fuzz");
      a.expect("start", "after-fuzz");
    }
  }
}
