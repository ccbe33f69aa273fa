package io.signaling.node.it;

import static io.signaling.node.support.Calls.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.support.Await;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.ProcessCluster;
import io.signaling.node.support.TestPeer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling restart of every node of a 3-node cluster of node processes, one at a time, as a rolling update
 * replaces pods: SIGTERM, the node exits once its calls have ended, a new process with the same ports and
 * cluster settings starts, and the next node follows once the new one is ready and the cluster is whole and
 * safe again. Meanwhile clients keep setting up short calls between two different nodes and holding some
 * longer ones, and before each SIGTERM a call with one peer on the node to be stopped is set up and kept
 * relaying past the signal.
 *
 * <p>A client retries on another node when a node refuses it: the upgrade answered 503 or the connection
 * refused (a draining or a stopped node), a join answered {@code temporarilyUnavailable}, or its socket
 * released with {@code server_will_stop} while it waited alone for its partner (the drain releases sockets
 * in no call). Anything else during a setup is a failed setup; once the offerer was told {@code start}, its
 * call is set up, and any {@code stop} or {@code server_will_stop} before one of the two peers left it
 * itself is a call ended by the restart.
 */
class RollingRestartIT {

  private static final int NODES = 3;
  private static final int CLIENTS = 3;
  /** Attempts one setup may take; at most one node is away at a time, so the second attempt finds two up. */
  private static final int ATTEMPTS = 6;
  /** Bounds the client loop's count of calls, whatever the time the restarts take. */
  private static final int MAX_CALLS_PER_CLIENT = 400;
  private static final Duration PACE = Duration.ofMillis(250);
  private static final Duration SHORT_HOLD = Duration.ofSeconds(1);
  /** Every fourth call of the client loop is held this long: a drain waits for it. */
  private static final Duration LONG_HOLD = Duration.ofSeconds(4);
  /** How long the call set up before each SIGTERM keeps relaying after it. */
  private static final Duration HELD_PAST_SIGNAL = Duration.ofSeconds(3);
  /**
   * Margins for a busy machine, never measures of speed: a drained node exits within a few seconds of its
   * last call's end; a cluster of three processes settles its partitions within seconds.
   */
  private static final Duration EXIT_BOUND = Duration.ofSeconds(60);
  private static final Duration SETTLE_BOUND = Duration.ofSeconds(90);
  /** Far beyond the test's calls, so that only the calls' ends let a drained node exit. */
  private static final Map<String, String> ENV = Map.of("SIGNALING_DRAIN_SECONDS", "600");

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void restartingEveryNodeOneAtATime_failsNoSetupOfARetryingClient_andEndsNoCall() throws Exception {
    Tally tally = new Tally();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    long started = System.nanoTime();
    try (ProcessCluster cluster = ProcessCluster.start(NODES, ENV)) {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        urls.add(cluster.node(i).url());
      }
      record("rolling restart: 3-node cluster up after " + millisSince(started) + " ms");
      // GIVEN clients that keep setting up calls between two different nodes, short and longer ones
      List<Future<?>> clients = new ArrayList<>();
      List<AtomicInteger> completedBy = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        AtomicInteger completed = new AtomicInteger();
        completedBy.add(completed);
        int id = c;
        clients.add(pool.submit(() -> clientLoop(id, urls, running, tally, completed)));
      }
      Await.until(Duration.ofSeconds(60), "every client completed a call before the restarts",
          () -> completedBy.stream().allMatch(n -> n.get() > 0) || !tally.problems().isEmpty());
      assertThat(tally.problems()).as("problems before any restart").isEmpty();

      for (int k = 0; k < NODES; k++) {
        // GIVEN a call with one peer on the node to be restarted and one on the next node
        int other = (k + 1) % NODES;
        String room = "held-across-restart-" + k;
        Call held = setUp("held" + k, urls, k, other, room, 1, tally);
        assertThat(held).as("the call before the restart of node %d was set up", k + 1).isNotNull();
        long signalled = System.nanoTime();
        // WHEN the node is told to stop
        NodeProcess node = cluster.node(k);
        node.process().destroy();
        Await.until(Duration.ofSeconds(10), "node " + (k + 1) + " reports not ready", () -> node.readyStatus() == 503);
        // THEN the call goes on past the signal, relaying both ways, and the node waits for it
        assertThat(held.relayFor(HELD_PAST_SIGNAL)).as("the held call relayed past SIGTERM: %s", tally.problems())
            .isTrue();
        assertThat(node.process().isAlive()).as("node %d waits for its call", k + 1).isTrue();
        // WHEN the call ends (the peer on the drained node leaves, or its partner: alternately)
        long ended = System.nanoTime();
        assertThat(held.end(k % 2 == 0)).as("the held call ended by a leave: %s", tally.problems()).isTrue();
        held.close();
        // THEN the node exits, with the status of a SIGTERM
        assertThat(node.process().waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS))
            .as("node %d exited after its calls ended: %s", k + 1, node.output()).isTrue();
        assertThat(node.process().exitValue()).isEqualTo(143);
        long exited = System.nanoTime();
        // AND a new process with the same ports and cluster settings becomes ready, and the cluster whole
        cluster.restart(k);
        for (int i = 0; i < NODES; i++) {
          cluster.node(i).awaitSafe(NODES, SETTLE_BOUND);
        }
        record("rolling restart: node " + (k + 1) + " drained and exited " + millisDuring(signalled, exited)
            + " ms after SIGTERM (" + millisDuring(ended, exited) + " ms after its held call ended), replacement"
            + " ready and cluster safe " + millisSince(exited) + " ms later");
        assertThat(tally.problems()).as("problems by the restart of node %d", k + 1).isEmpty();
      }

      // the clients finish the call in progress and stop
      int before = tally.completed.get();
      Await.until(Duration.ofSeconds(60), "the clients complete calls after the last restart",
          () -> tally.completed.get() >= before + CLIENTS || !tally.problems().isEmpty());
      running.set(false);
      for (Future<?> f : clients) {
        f.get(60, TimeUnit.SECONDS);
      }
      record("rolling restart: " + tally.completed.get() + " calls completed, " + tally.longCalls.get()
          + " of them held " + LONG_HOLD.toSeconds() + " s; retries " + tally.retries + "; " + tally.problems().size()
          + " problems; total " + millisSince(started) + " ms");
      // THEN no setup failed and no call was ended by the restarts
      assertThat(tally.failedSetups).as("failed setups").isEmpty();
      assertThat(tally.endedCalls).as("calls ended by the restarts").isEmpty();
      // AND every pair of the new nodes pairs calls at the first attempt
      for (int i = 0; i < NODES; i++) {
        Tally after = new Tally();
        Call call = setUp("after" + i, urls, i, (i + 1) % NODES, "after-the-restarts-" + i, 1, after);
        assertThat(call).as("a call across nodes %d and %d: %s", i + 1, (i + 1) % NODES + 1, after.problems())
            .isNotNull();
        assertThat(call.relayFor(PACE) && call.end(true)).as("%s", after.problems()).isTrue();
        call.close();
      }
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
  }

  /** Sets up calls until told to stop: each between two different nodes, held, then left by one of them. */
  private static void clientLoop(int id, List<String> urls, AtomicBoolean running, Tally tally,
      AtomicInteger completed) {
    for (int seq = 0; running.get() && seq < MAX_CALLS_PER_CLIENT; seq++) {
      boolean longCall = seq % 4 == 3;
      // spread the pairs over the nodes: the first peer's node rotates, the second is one of the others
      int first = (id + seq) % NODES;
      int second = (first + 1 + seq % (NODES - 1)) % NODES;
      Call call;
      try {
        call = setUp("c" + id + "-" + seq, urls, first, second, "roll-" + id + "-" + seq, ATTEMPTS, tally);
      } catch (RuntimeException | AssertionError e) {
        tally.failedSetups.add("c" + id + "-" + seq + ": " + e);
        continue;
      }
      if (call == null) {
        continue;
      }
      try {
        if (call.relayFor(longCall ? LONG_HOLD : SHORT_HOLD) && call.end(seq % 2 == 0)) {
          tally.completed.incrementAndGet();
          completed.incrementAndGet();
          if (longCall) {
            tally.longCalls.incrementAndGet();
          }
        }
      } finally {
        call.close();
      }
    }
  }

  /**
   * Sets up a call: the first peer joins and is told {@code joined}, the second joins, the first is told
   * {@code start}, an offer and an answer are relayed, and three candidates each way. A refusal makes it try
   * again with both peers on other nodes, at most {@code attempts} times. Returns null when it failed (the
   * reason is in the tally).
   */
  private static Call setUp(String name, List<String> urls, int firstNode, int secondNode, String room,
      int attempts, Tally tally) {
    String lastRefusal = "";
    for (int attempt = 0; attempt < attempts; attempt++) {
      int a = (firstNode + attempt) % NODES;
      int b = (secondNode + attempt) % NODES;
      String streamId = room + "-" + attempt;
      Peer first = null;
      Peer second = null;
      try {
        first = Peer.open(name + "-first", urls.get(a));
        second = Peer.open(name + "-second", urls.get(b));
        first.send(join(streamId));
        first.expect("notification", "joined", streamId);
        second.send(join(streamId));
        second.expect("notification", "joined", streamId);
        first.expect("start", null, streamId);
        // the first peer is in a call from here on: nothing may end it but a leave of one of the two
        Call call = new Call(name, streamId, first, second, tally);
        return call.negotiate() ? call : null;
      } catch (Refused r) {
        lastRefusal = r.getMessage();
        tally.retries.computeIfAbsent(r.getMessage(), k -> new AtomicInteger()).incrementAndGet();
        close(first, second);
      } catch (Broken e) {
        tally.failedSetups.add(name + " (attempt " + (attempt + 1) + ", nodes " + (a + 1) + " and " + (b + 1) + "): "
            + e.getMessage());
        close(first, second);
        return null;
      }
    }
    tally.failedSetups.add(name + ": refused " + attempts + " times, the last: " + lastRefusal);
    return null;
  }

  private static JsonObject join(String streamId) {
    return new JsonObject().put("command", "join").put("streamId", streamId).put("multiPeer", false)
        .put("mode", "both");
  }

  private static void close(Peer... peers) {
    for (Peer p : peers) {
      if (p != null) {
        p.peer.close();
      }
    }
  }

  /** A call that was set up: relays paced both ways, then one peer leaves. Failures go to the tally. */
  private static final class Call implements AutoCloseable {
    private final String name;
    private final String streamId;
    private final Peer first;
    private final Peer second;
    private final Tally tally;
    private int relayed;

    Call(String name, String streamId, Peer first, Peer second, Tally tally) {
      this.name = name;
      this.streamId = streamId;
      this.first = first;
      this.second = second;
      this.tally = tally;
    }

    boolean negotiate() {
      return step("negotiation", () -> {
        first.send(new JsonObject().put("command", "takeConfiguration").put("streamId", streamId)
            .put("type", "offer").put("sdp", "v=0\r\noffer"));
        second.expect("takeConfiguration", null, streamId);
        second.send(new JsonObject().put("command", "takeConfiguration").put("streamId", streamId)
            .put("type", "answer").put("sdp", "v=0\r\nanswer"));
        first.expect("takeConfiguration", null, streamId);
        for (int i = 0; i < 3; i++) {
          candidate(first, second, i);
          candidate(second, first, i);
        }
      });
    }

    private void candidate(Peer from, Peer to, int i) throws Broken, Refused {
      from.send(new JsonObject().put("command", "takeCandidate").put("streamId", streamId).put("label", 0)
          .put("id", "0").put("candidate", "candidate:" + i + " 1 udp 1 127.0.0.1 " + (9 + i) + " typ host"));
      to.expect("takeCandidate", null, streamId);
    }

    /** A peerMessageCommand each way every {@link #PACE}, each one received, for {@code duration}. */
    boolean relayFor(Duration duration) {
      long end = System.nanoTime() + duration.toNanos();
      return step("holding the call", () -> {
        do {
          long next = System.nanoTime() + PACE.toNanos();
          relay(first, second);
          relay(second, first);
          pause(next);
        } while (System.nanoTime() < end);
      });
    }

    private void relay(Peer from, Peer to) throws Broken, Refused {
      String text = name + " " + (++relayed);
      from.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", streamId)
          .put("definition", "t").put("data", text));
      JsonObject m = to.expect("peerMessageCommand", null, streamId);
      if (!text.equals(m.getString("data"))) {
        throw new Broken(to.peer.name() + " received " + m + " instead of " + text);
      }
    }

    /** One peer leaves ({@code firstLeaves}: the first); it is told {@code leaved}, its partner {@code stop}. */
    boolean end(boolean firstLeaves) {
      Peer leaver = firstLeaves ? first : second;
      Peer partner = firstLeaves ? second : first;
      return step("the leave", () -> {
        leaver.send(new JsonObject().put("command", "leave").put("streamId", streamId));
        leaver.expect("notification", "leaved", streamId);
        // the stop for the partner is the one it may get: its partner left
        partner.expect("stop", null, streamId);
      });
    }

    private boolean step(String what, Step step) {
      try {
        step.run();
        return true;
      } catch (Broken | Refused e) {
        tally.endedCalls.add(name + " [" + streamId + "] during " + what + ": " + e.getMessage());
        return false;
      } catch (RuntimeException | AssertionError e) {
        tally.endedCalls.add(name + " [" + streamId + "] during " + what + ": " + e);
        return false;
      }
    }

    @Override
    public void close() {
      RollingRestartIT.close(first, second);
    }
  }

  private interface Step {
    void run() throws Broken, Refused;
  }

  /** Waits until {@code nanoTime} reaches {@code until}: the client's pace, not a synchronisation. */
  private static void pause(long until) {
    long left = until - System.nanoTime();
    if (left > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A test client's socket, read in order, telling refusals apart from everything else. */
  private static final class Peer {
    private final TestPeer peer;
    private final Deque<JsonObject> received = new ArrayDeque<>();

    private Peer(TestPeer peer) {
      this.peer = peer;
    }

    /** Connects; a 503 or a refused or dropped connection is a refusal, a timeout is not. */
    static Peer open(String name, String url) throws Refused, Broken {
      try {
        return new Peer(TestPeer.connect(name, url));
      } catch (AssertionError e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
          if (c instanceof WebSocketHandshakeException h) {
            if (h.getResponse().statusCode() == 503) {
              throw new Refused("upgrade answered 503");
            }
            throw new Broken(name + ": upgrade answered " + h.getResponse().statusCode());
          }
          if (c instanceof HttpTimeoutException || c instanceof TimeoutException) {
            throw new Broken(name + ": no connection within " + TestPeer.TIMEOUT + " to " + url);
          }
          if (c instanceof ConnectException) {
            throw new Refused("connection refused");
          }
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
          if (c instanceof IOException) {
            // the node closed its listener while the handshake was under way: it is going away
            throw new Refused("connection closed during the upgrade");
          }
        }
        throw new Broken(e.getMessage());
      }
    }

    /** Sends; when the node has closed the socket, that is a refusal only if it said server_will_stop. */
    void send(JsonObject m) throws Broken, Refused {
      try {
        peer.send(m);
      } catch (RuntimeException e) {
        received.addAll(peer.poll());
        for (JsonObject r : received) {
          if ("notification".equals(r.getString("command")) && "server_will_stop".equals(r.getString("definition"))) {
            throw new Refused("released with server_will_stop");
          }
        }
        throw new Broken(peer.name() + " could not send " + m.getString("command") + ": " + e);
      }
    }

    /**
     * The next message, which must be this command (and notification or error definition) for this stream.
     * A join answered {@code temporarilyUnavailable} and {@code server_will_stop} are refusals.
     */
    JsonObject expect(String command, String definition, String streamId) throws Refused, Broken {
      JsonObject m = next();
      if (command.equals(m.getString("command")) && streamId.equals(m.getString("streamId"))
          && (definition == null || definition.equals(m.getString("definition")))) {
        return m;
      }
      if ("error".equals(m.getString("command")) && "temporarilyUnavailable".equals(m.getString("definition"))) {
        throw new Refused("join answered temporarilyUnavailable");
      }
      if ("notification".equals(m.getString("command")) && "server_will_stop".equals(m.getString("definition"))) {
        throw new Refused("released with server_will_stop");
      }
      throw new Broken(peer.name() + " expected " + command + (definition == null ? "" : "/" + definition)
          + " and received " + m);
    }

    private JsonObject next() throws Broken {
      try {
        Await.until(TestPeer.TIMEOUT, peer.name() + " receives a message", () -> {
          // read "closed" first: every frame the node sent before its close frame is in the inbox by then
          boolean wasClosed = peer.isClosed();
          received.addAll(peer.poll());
          return !received.isEmpty() || wasClosed;
        });
      } catch (AssertionError e) {
        throw new Broken(peer.name() + ": nothing received within " + TestPeer.TIMEOUT);
      }
      if (received.isEmpty()) {
        throw new Broken(peer.name() + ": socket closed by the node (code " + peer.awaitClose() + ")");
      }
      return received.poll();
    }
  }

  /** A refusal by a node, after which a client tries again elsewhere. */
  private static final class Refused extends Exception {
    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Anything else: a failed setup, or a call ended. */
  private static final class Broken extends Exception {
    Broken(String reason) {
      super(reason, null, false, false);
    }
  }

  private static final class Tally {
    final Map<String, AtomicInteger> retries = new ConcurrentHashMap<>();
    final Queue<String> failedSetups = new ConcurrentLinkedQueue<>();
    final Queue<String> endedCalls = new ConcurrentLinkedQueue<>();
    final AtomicInteger completed = new AtomicInteger();
    final AtomicInteger longCalls = new AtomicInteger();

    List<String> problems() {
      List<String> all = new ArrayList<>(failedSetups);
      all.addAll(endedCalls);
      return all;
    }
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static long millisDuring(long start, long end) {
    return TimeUnit.NANOSECONDS.toMillis(end - start);
  }
}
