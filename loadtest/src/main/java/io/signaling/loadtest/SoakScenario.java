package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed population of paired peers held for the whole run while they relay candidates to each other.
 * <ul>
 *   <li>{@code soak}: open loop, {@code messageRate} relayed messages per second over all pairs, latency from
 *   each message's intended send time;</li>
 *   <li>{@code throughput}: closed loop, every pair keeps {@code window} messages in flight each way, to find
 *   how many relayed messages per second the target sustains (its latency is queueing, not a service figure).</li>
 * </ul>
 * At the end the harness waits for the messages in flight, and counts what never arrived as lost.
 */
final class SoakScenario implements Scenario {

  /** The calls that pair the held peers (join, join, start; within 10 s). */
  private static final CallModel PAIRING = CallModel.ams(0, 0, 10_000, 200);

  private final String name;
  private final int pairs;
  private final double messageRate;
  private final int window;
  private final double seconds;
  private final double connectRate;
  private final long pingMillis;
  private final RunExtension extension;
  private final Map<Integer, List<Peer[]>> pairsByLane = new ConcurrentHashMap<>();
  private final AtomicLong relaysSent = new AtomicLong();
  private final AtomicLong relaysReceived = new AtomicLong();
  private final Map<Peer, String> streamIds = new ConcurrentHashMap<>();
  private volatile boolean sending = true;

  private SoakScenario(String name, int pairs, double messageRate, int window, double seconds, double connectRate,
      long pingMillis, RunExtension extension) {
    this.name = name;
    this.pairs = pairs;
    this.messageRate = messageRate;
    this.window = window;
    this.seconds = seconds;
    this.connectRate = connectRate;
    this.pingMillis = pingMillis;
    this.extension = extension;
  }

  static SoakScenario soak(int pairs, double messageRate, double seconds, double connectRate, long pingMillis) {
    return soak(pairs, messageRate, seconds, connectRate, pingMillis, null);
  }

  /** As above, relaying on while {@code extension} (if not null) extends the run. */
  static SoakScenario soak(int pairs, double messageRate, double seconds, double connectRate, long pingMillis,
      RunExtension extension) {
    return new SoakScenario("soak", pairs, messageRate, 0, seconds, connectRate, pingMillis, extension);
  }

  static SoakScenario throughput(int pairs, int window, double seconds, double connectRate) {
    return new SoakScenario("throughput", pairs, 0, window, seconds, connectRate, 0, null);
  }

  /** The run's end as it stands now: planned, plus any extension so far. */
  private long endNow(long plannedEndNanos) {
    return plannedEndNanos + (extension == null ? 0 : extension.nanos());
  }

  /** Completes {@code done} at the run's end, waiting on while the run is extended. */
  private void completeAtEnd(Lane lane, long plannedEndNanos, Runnable done) {
    long left = endNow(plannedEndNanos) - System.nanoTime();
    if (left <= 0) {
      done.run();
    } else {
      lane.vertx().setTimer(Math.max(1, left / 1_000_000), t -> completeAtEnd(lane, plannedEndNanos, done));
    }
  }

  @Override
  public String name() {
    return name;
  }

  private int lanePairs(Lane lane) {
    return pairs / lane.lanes() + (lane.index() < pairs % lane.lanes() ? 1 : 0);
  }

  @Override
  public Future<Void> prepare(Lane lane) {
    int mine = lanePairs(lane);
    List<Peer[]> list = new ArrayList<>();
    pairsByLane.put(lane.index(), list);
    Promise<Void> ready = Promise.promise();
    if (mine == 0) {
      return Future.succeededFuture();
    }
    Pacer pacer = new Pacer(System.nanoTime(), Math.max(1, connectRate / lane.lanes()), mine, 0, 1);
    int[] settled = {0};
    lane.pace(pacer, (i, intended) -> {
      int n = (int) i * lane.lanes() + lane.index();
      pair(lane, n, intended).onComplete(r -> {
        if (r.succeeded()) {
          list.add(r.result());
        }
        if (++settled[0] == mine) {
          ready.complete();
        }
      });
    }, () -> !pacer.finished());
    return ready.future();
  }

  /** Connects two peers and pairs them in a room ({@code start} seen by the offerer). */
  private Future<Peer[]> pair(Lane lane, int n, long intendedNanos) {
    String streamId = name.charAt(0) + "" + lane.runId() + "-" + n;
    return PAIRING.connectPair(lane, n, streamId, intendedNanos)
        .compose(peers -> PAIRING.call(lane, peers[0], peers[1], streamId, intendedNanos).untilPaired().run()
            .map(v -> peers)
            .onFailure(e -> {
              peers[0].close();
              peers[1].close();
            }))
        .map(peers -> {
          Peer a = peers[0];
          Peer b = peers[1];
          streamIds.put(a, streamId);
          a.handler(m -> received(lane, a, b, m, streamId, true));
          b.handler(m -> received(lane, b, a, m, streamId, false));
          Runnable lost = () -> lane.stats().error("socketClosed");
          a.onClose(lost);
          b.onClose(lost);
          return new Peer[] {a, b};
        });
  }

  private static String kind(Reply m) {
    return m.kind();
  }

  private void received(Lane lane, Peer at, Peer from, Reply m, String streamId, boolean atOfferer) {
    String kind = kind(m);
    if (kind.equals("takeCandidate")) {
      relaysReceived.incrementAndGet();
      long sent = Messages.intendedNanos(m);
      if (sent > 0) {
        lane.stats().record("relay.takeCandidate", at.node, System.nanoTime() - sent);
      }
      lane.stats().count(Stats.OPS_COMPLETED);
      if (window > 0 && sending) {
        relaysSent.incrementAndGet();
        from.send(Messages.candidate(streamId, 1, System.nanoTime()));
      }
    } else if (!kind.equals("pong") && !kind.equals("joined")) {
      lane.stats().count(Stats.UNEXPECTED);
    }
  }

  @Override
  public Future<Void> run(Lane lane, long startNanos) {
    List<Peer[]> list = pairsByLane.get(lane.index());
    Promise<Void> done = Promise.promise();
    long endNanos = startNanos + (long) (seconds * 1e9);
    if (pingMillis > 0) {
      lane.vertx().setPeriodic(pingMillis, id -> {
        if (System.nanoTime() - endNow(endNanos) > 0) {
          lane.vertx().cancelTimer(id);
          return;
        }
        for (Peer[] p : list) {
          p[0].send(Messages.ping());
          p[1].send(Messages.ping());
        }
      });
    }
    if (list.isEmpty()) {
      completeAtEnd(lane, endNanos, done::complete);
      return done.future();
    }
    if (window > 0) {
      for (Peer[] p : list) {
        String streamId = streamIdOf(lane, p);
        for (int w = 0; w < window; w++) {
          relaysSent.addAndGet(2);
          lane.stats().count(Stats.OPS_STARTED, 2);
          p[0].send(Messages.candidate(streamId, w, System.nanoTime()));
          p[1].send(Messages.candidate(streamId, w, System.nanoTime()));
        }
      }
      lane.vertx().setTimer(Math.max(1, (endNanos - System.nanoTime()) / 1_000_000), t -> {
        sending = false;
        done.complete();
      });
      return done.future();
    }
    Pacer pacer = lane.pacer(startNanos, messageRate, Pacer.operations(messageRate, seconds), extension);
    lane.pace(pacer, (i, intended) -> {
      long k = i / lane.lanes();
      Peer[] p = list.get((int) ((k / 2) % list.size()));
      Peer from = k % 2 == 0 ? p[0] : p[1];
      relaysSent.incrementAndGet();
      lane.stats().count(Stats.OPS_STARTED);
      from.send(Messages.candidate(streamIdOf(lane, p), (int) (k % 1000), intended));
    }, () -> {
      if (pacer.finished()) {
        done.tryComplete();
      }
      return !pacer.finished();
    });
    return done.future();
  }

  private String streamIdOf(Lane lane, Peer[] p) {
    return streamIds.get(p[0]);
  }

  @Override
  public Future<Void> finish(Lane lane) {
    // wait (bounded) for the relays still in flight, then leave and close
    Promise<Void> drained = Promise.promise();
    long until = System.nanoTime() + 5_000_000_000L;
    lane.vertx().setPeriodic(20, id -> {
      if (relaysReceived.get() >= relaysSent.get() || System.nanoTime() - until > 0) {
        lane.vertx().cancelTimer(id);
        drained.tryComplete();
      }
    });
    return drained.future().map(v -> {
      for (Peer[] p : pairsByLane.getOrDefault(lane.index(), List.of())) {
        p[0].close();
        p[1].close();
      }
      return null;
    });
  }

  @Override
  public long lostAtEnd() {
    return Math.max(0, relaysSent.get() - relaysReceived.get());
  }

  @Override
  public String rateCounter() {
    return Stats.OPS_COMPLETED;
  }

  @Override
  public double targetRate() {
    return messageRate;
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("pairs", pairs);
    if (window > 0) {
      p.put("windowEachWay", window);
    } else {
      p.put("messageRate", messageRate);
    }
    p.put("durationSeconds", seconds);
    p.put("connectRate", connectRate);
    if (pingMillis > 0) {
      p.put("pingMillis", pingMillis);
    }
    return p;
  }

  @Override
  public List<String> headlineLatencies() {
    return List.of("relay.takeCandidate");
  }
}
