package io.signaling.node.bench;

import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Does a flooding client raise other clients' latency? Measures the round trip of a relayed message
 * between two well-behaved peers on a 2-node cluster, first alone, then while flooding clients (re)connect
 * and send as fast as they can (each is rate-limited and then closed with 1008, and comes back). Prints
 * p50/p99/max of both phases and their ratio.
 *
 * <p>Run: {@code mvn -q -pl signaling-node test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt}
 * then {@code java -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 -cp
 * signaling-node/target/test-classes:signaling-node/target/classes:$(cat signaling-node/target/cp.txt)
 * io.signaling.node.bench.FloodIsolationBenchmark 1500 2}.
 */
public final class FloodIsolationBenchmark {

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
    int flooders = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    try (TestCluster cluster = TestCluster.start(2);
         TestPeer a = cluster.connect("A", 0); TestPeer b = cluster.connect("B", 1)) {
      String room = "bystanders";
      a.joined(room);
      b.join(room);
      b.expectNotification("joined", room);
      a.expect("start", room);

      RoundTrips.measure(a, b, room, samples / 3, null);
      Histogram quiet = RoundTrips.measure(a, b, room, samples, null);

      AtomicBoolean flooding = new AtomicBoolean(true);
      AtomicLong floodMessages = new AtomicLong();
      AtomicLong floodClosed = new AtomicLong();
      Thread[] threads = new Thread[flooders];
      for (int f = 0; f < flooders; f++) {
        int node = f % 2;
        threads[f] = new Thread(() -> {
          long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
          while (flooding.get() && System.nanoTime() < deadline) {
            TestPeer flooder = TestPeer.connect("flooder", cluster.url(node));
            try {
              for (int i = 0; i < 100_000 && !flooder.isClosed() && flooding.get(); i++) {
                flooder.send("{\"command\":\"takeCandidate\",\"streamId\":\"x\",\"label\":0,\"id\":\"0\",\"candidate\":\"c\"}");
                floodMessages.incrementAndGet();
              }
            } catch (RuntimeException closedWhileSending) {
              // the node closed it (1008): connect again
            }
            floodClosed.incrementAndGet();
            flooder.close();
          }
        }, "flooder-" + f);
        threads[f].start();
      }
      Histogram flooded = RoundTrips.measure(a, b, room, samples, null);
      flooding.set(false);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
      System.out.printf("relay round trip without flood: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
          quiet.getValueAtPercentile(50) / 1e6, quiet.getValueAtPercentile(99) / 1e6, quiet.getMaxValue() / 1e6);
      System.out.printf("relay round trip during flood:  p50 %.3f ms, p99 %.3f ms, max %.3f ms "
              + "(%d flooders, %d flood messages sent, %d flood connections closed)%n",
          flooded.getValueAtPercentile(50) / 1e6, flooded.getValueAtPercentile(99) / 1e6,
          flooded.getMaxValue() / 1e6, flooders, floodMessages.get(), floodClosed.get());
      System.out.printf("ratio flood/quiet: p50 %.2f, p99 %.2f%n",
          (double) flooded.getValueAtPercentile(50) / quiet.getValueAtPercentile(50),
          (double) flooded.getValueAtPercentile(99) / quiet.getValueAtPercentile(99));
    }
  }
}
