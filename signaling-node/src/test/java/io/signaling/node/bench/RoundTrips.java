package io.signaling.node.bench;

import io.signaling.node.support.TestPeer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/** The probe the isolation benchmarks share: a well-behaved call's round trips while something else goes on. */
final class RoundTrips {

  private RoundTrips() {
  }

  /**
   * Round trips A → B → A of a peerMessageCommand, one every 10 ms (a real call's pace, well inside the
   * per-connection rate limit), timed from the intended send time; {@code worst}, when given, gets the longest one
   * and when it was sent, from the start.
   */
  static Histogram measure(TestPeer a, TestPeer b, String room, int samples, long[] worst) {
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    long interval = TimeUnit.MILLISECONDS.toNanos(10);
    long start = System.nanoTime();
    for (int i = 0; i < samples; i++) {
      long t0 = start + i * interval;
      while (System.nanoTime() < t0) {
        LockSupport.parkNanos(t0 - System.nanoTime());
      }
      a.send("{\"command\":\"peerMessageCommand\",\"streamId\":\"" + room + "\",\"definition\":\"p\",\"data\":" + i + "}");
      b.nextText();
      b.send("{\"command\":\"peerMessageCommand\",\"streamId\":\"" + room + "\",\"definition\":\"p\",\"data\":" + i + "}");
      a.nextText();
      long took = System.nanoTime() - t0;
      if (worst != null && took > worst[0]) {
        worst[0] = took;
        worst[1] = t0 - start;
      }
      h.recordValue(Math.min(took, TimeUnit.SECONDS.toNanos(10)));
    }
    return h;
  }
}
