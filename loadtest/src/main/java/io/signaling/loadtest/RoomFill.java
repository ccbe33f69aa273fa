package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills the room directory before a run: {@code rooms} rooms, each with one peer, held by ceil(rooms /
 * roomsPerSocket) sockets spread over the targets (socket {@code s} on target {@code s mod targets}), each of which
 * joins {@code roomsPerSocket} distinct rooms (the nodes need {@code --max-rooms-per-connection} at least that).
 * The joins are paced by a bound on the joins in flight over all lanes ({@code inFlight}), each socket keeping
 * at most {@code window} of its own in flight; the socket's next join goes out when a reply ({@code joined} or an
 * error) comes back. A join that gets an error, or gets no reply within {@link #SOCKET_DEADLINE_MILLIS} of its
 * socket's connect, or whose socket could not connect or closed, is a failed join. The sockets stay open for the
 * rest of the run and ping every {@code pingMillis} from their lane's start of the fill (so the node's idle close
 * does not take them while the others fill), spread evenly over the interval; an unexpected close of one is an error ({@code fillSocketClosed}). Lane {@code k} of {@code n} fills the
 * sockets {@code k, k + n, ...}, so a distributed run's workers fill their shares of one directory.
 */
final class RoomFill {

  /** How long a socket's joins may take, from its connect, before the ones without a reply count as failed. */
  static final long SOCKET_DEADLINE_MILLIS = 60_000;
  /** How often a lane pings the slice of its held sockets whose turn it is. */
  static final long PING_TICK_MILLIS = 100;

  /**
   * What the fill did, over all lanes of this process, or merged over a distributed run's workers
   * ({@link #merge}); {@code fromEpochMillis} and {@code toEpochMillis}: the wall-clock span of its joins (0: none).
   */
  record Outcome(long rooms, long sockets, long joined, long failed, double seconds, long fromEpochMillis,
      long toEpochMillis) {

    double joinsPerSecond() {
      return seconds <= 0 ? 0 : joined / seconds;
    }

    /** For the report ({@code parameters.fill}). */
    JsonObject toJson() {
      return new JsonObject().put("rooms", rooms).put("sockets", sockets).put("joined", joined).put("failed", failed)
          .put("seconds", RunResult.round(seconds)).put("joinsPerSecond", RunResult.round(joinsPerSecond()));
    }

    /** The console's line. */
    String line() {
      return String.format(Locale.ROOT, "fill: %,d rooms on %,d sockets: %,d joined, %,d failed in %.1f s (%,.0f "
          + "joins/s)", rooms, sockets, joined, failed, seconds, joinsPerSecond());
    }

    /** What a worker ships to its coordinator: the report's figures and the span. */
    JsonObject toShipment() {
      return toJson().put("fromEpochMillis", fromEpochMillis).put("toEpochMillis", toEpochMillis);
    }

    static Outcome fromShipment(JsonObject j) {
      return new Outcome(j.getLong("rooms", 0L), j.getLong("sockets", 0L), j.getLong("joined", 0L),
          j.getLong("failed", 0L), j.getDouble("seconds", 0.0), j.getLong("fromEpochMillis", 0L),
          j.getLong("toEpochMillis", 0L));
    }

    /**
     * A distributed run's fill from its workers' shares of it: each worker fills its share of one directory, so
     * the rooms and sockets are the whole fill's (every worker's are the same), the joins and failures add up,
     * and the rate is over the common span, from the first worker's first join to the last one's last answer (on
     * the workers' wall clocks, which the common start relies on too).
     */
    static Outcome merge(List<Outcome> shares) {
      long rooms = 0;
      long sockets = 0;
      long joined = 0;
      long failed = 0;
      long from = Long.MAX_VALUE;
      long to = Long.MIN_VALUE;
      for (Outcome o : shares) {
        rooms = Math.max(rooms, o.rooms());
        sockets = Math.max(sockets, o.sockets());
        joined += o.joined();
        failed += o.failed();
        if (o.fromEpochMillis() > 0 && o.toEpochMillis() > 0) {
          from = Math.min(from, o.fromEpochMillis());
          to = Math.max(to, o.toEpochMillis());
        }
      }
      boolean spanned = from != Long.MAX_VALUE;
      return new Outcome(rooms, sockets, joined, failed, spanned ? (to - from) / 1000.0 : 0, spanned ? from : 0,
          spanned ? to : 0);
    }
  }

  private final long rooms;
  private final int roomsPerSocket;
  private final int inFlight;
  private final long pingMillis;
  private final PrintStream console;
  private final Map<Integer, List<Peer>> socketsByLane = new ConcurrentHashMap<>();
  private final AtomicLong joined = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong socketsOpen = new AtomicLong();
  private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);
  private final Map<Integer, Long> pingTimers = new ConcurrentHashMap<>();

  /**
   * @param rooms rooms to fill (0: no fill)
   * @param roomsPerSocket distinct rooms each socket joins
   * @param inFlight joins in flight at once over all lanes
   * @param pingMillis protocol ping from every fill socket while held
   */
  RoomFill(long rooms, int roomsPerSocket, int inFlight, long pingMillis, PrintStream console) {
    this.rooms = rooms;
    this.roomsPerSocket = roomsPerSocket;
    this.inFlight = inFlight;
    this.pingMillis = pingMillis;
    this.console = console;
  }

  PrintStream console() {
    return console;
  }

  long sockets() {
    return (rooms + roomsPerSocket - 1) / roomsPerSocket;
  }

  /** Rooms the given socket joins: {@code roomsPerSocket}, the last socket the rest. */
  int roomsOf(long socket) {
    return (int) Math.min(roomsPerSocket, rooms - socket * roomsPerSocket);
  }

  /** The lane's share of the fill, on its event loop; completes when every one of its joins has an outcome. */
  Future<Void> prepare(Lane lane) {
    List<Peer> held = new ArrayList<>();
    socketsByLane.put(lane.index(), held);
    List<Long> mine = new ArrayList<>();
    for (long s = lane.index(); s < sockets(); s += lane.lanes()) {
      mine.add(s);
    }
    if (mine.isEmpty()) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    firstStart.accumulateAndGet(start, Math::min);
    // a socket done with its joins waits for the others (minutes at a million rooms): it pings from now on, each
    // socket once per interval, spread evenly over it as independent clients would (not thousands in one burst)
    if (pingMillis > 0) {
      long tick = Math.max(1, Math.min(PING_TICK_MILLIS, pingMillis));
      long ticksPerInterval = Math.max(1, pingMillis / tick);
      long[] n = {0};
      pingTimers.put(lane.index(), lane.vertx().setPeriodic(tick, id -> {
        long slot = n[0]++ % ticksPerInterval;
        for (int i = (int) slot; i < held.size(); i += (int) ticksPerInterval) {
          held.get(i).send(Messages.ping());
        }
      }));
    }
    int laneBudget = Math.max(1, inFlight / lane.lanes());
    int window = Math.max(1, Math.min(roomsPerSocket, Math.min(16, laneBudget)));
    int chains = Math.max(1, Math.min(mine.size(), laneBudget / window));
    int[] next = {0};
    Promise<Void> done = Promise.promise();
    int[] chainsLeft = {chains};
    long progressTimer = lane.index() == 0 ? lane.vertx().setPeriodic(10_000, id -> console.printf(Locale.ROOT,
        "fill: %,d of %,d rooms joined, %,d failed, %,d sockets open%n", joined.get(), rooms, failed.get(),
        socketsOpen.get())) : -1;
    for (int c = 0; c < chains; c++) {
      chain(lane, mine, next, window, held).onComplete(v -> {
        if (--chainsLeft[0] == 0) {
          if (progressTimer >= 0) {
            lane.vertx().cancelTimer(progressTimer);
          }
          lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
          done.complete();
        }
      });
    }
    return done.future();
  }

  /** Fills the lane's sockets one after the other until none is left; never fails. */
  private Future<Void> chain(Lane lane, List<Long> mine, int[] next, int window, List<Peer> held) {
    if (next[0] >= mine.size()) {
      return Future.succeededFuture();
    }
    long socket = mine.get(next[0]++);
    return fillSocket(lane, socket, window, held).transform(r -> chain(lane, mine, next, window, held));
  }

  /** Connects socket {@code socket} and joins its rooms, {@code window} in flight; completes when all have an outcome. */
  private Future<Void> fillSocket(Lane lane, long socket, int window, List<Peer> held) {
    int count = roomsOf(socket);
    Target target = lane.targets().get((int) (socket % lane.targets().size()));
    String prefix = "f" + lane.runId() + "-" + socket + "-";
    return Peer.connect(lane.client(), target, lane.stats(), System.nanoTime()).transform(connected -> {
      if (connected.failed()) {
        failed(lane, count);
        return Future.succeededFuture();
      }
      Peer peer = connected.result();
      socketsOpen.incrementAndGet();
      Promise<Void> done = Promise.promise();
      int[] sent = {0};
      int[] answered = {0};
      Runnable sendNext = () -> {
        if (sent[0] < count) {
          peer.send(Messages.join(prefix + sent[0]++));
        }
      };
      Runnable settle = () -> {
        if (answered[0] >= count) {
          done.tryComplete();
        }
      };
      peer.handler(m -> {
        if (done.future().isComplete()) {
          return;
        }
        if (m.kind().equals("joined")) {
          joined.incrementAndGet();
        } else if (m.isError()) {
          failed.incrementAndGet(); // the peer counted the error reply itself
        } else {
          return;
        }
        answered[0]++;
        sendNext.run();
        settle.run();
      });
      peer.onClose(() -> {
        if (!done.future().isComplete()) {
          failed(lane, count - answered[0]);
          answered[0] = count;
          done.tryComplete();
        }
        socketsOpen.decrementAndGet();
        lane.stats().error("fillSocketClosed");
      });
      long deadline = lane.vertx().setTimer(SOCKET_DEADLINE_MILLIS, t -> {
        if (!done.future().isComplete()) {
          failed(lane, count - answered[0]);
          answered[0] = count;
          done.tryComplete();
        }
      });
      for (int w = 0; w < window; w++) {
        sendNext.run();
      }
      return done.future().onComplete(v -> {
        lane.vertx().cancelTimer(deadline);
        peer.handler(m -> { });
        if (!peer.closed()) {
          held.add(peer);
        }
      });
    });
  }

  /** {@code n} joins failed: counted, and an error of the run each ({@code fillJoinFailed}). */
  private void failed(Lane lane, int n) {
    failed.addAndGet(n);
    for (int i = 0; i < n; i++) {
      lane.stats().error("fillJoinFailed");
    }
  }

  /** The fill's figures over this process's lanes (after every lane's {@link #prepare(Lane)}). */
  Outcome outcome() {
    long from = firstStart.get();
    long to = lastEnd.get();
    if (from == Long.MAX_VALUE || to == Long.MIN_VALUE) {
      return new Outcome(rooms, sockets(), joined.get(), failed.get(), 0, 0, 0);
    }
    // the span on the wall clock too, for a distributed run's merge (nanoTime is this process's own)
    long nowNanos = System.nanoTime();
    long nowMillis = System.currentTimeMillis();
    return new Outcome(rooms, sockets(), joined.get(), failed.get(), (to - from) / 1e9,
        nowMillis - (nowNanos - from) / 1_000_000, nowMillis - (nowNanos - to) / 1_000_000);
  }

  /** Closes the lane's fill sockets (their rooms end with them). */
  Future<Void> finish(Lane lane) {
    Long timer = pingTimers.remove(lane.index());
    if (timer != null) {
      lane.vertx().cancelTimer(timer);
    }
    for (Peer p : socketsByLane.getOrDefault(lane.index(), List.of())) {
      p.close();
    }
    return Future.succeededFuture();
  }
}
