package io.signaling.node.it;

import static io.signaling.node.support.Calls.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.PartitionService;
import io.signaling.node.signal.Switchboard;
import io.signaling.node.support.Await;
import io.signaling.node.support.Calls;
import io.signaling.node.support.NodeProcess;
import io.signaling.node.support.PreviousRelease;
import io.signaling.node.support.TestCluster;
import io.signaling.node.support.TestPeer;
import io.signaling.node.support.WebhookReceiver;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling upgrade from the previous release (built from git history: {@link PreviousRelease}) with webhooks on,
 * as a Kubernetes Deployment with maxSurge 1 does it: three nodes of the previous release, then for each a node of
 * this release started and ready before the old one is told to stop (SIGTERM: it drains, its opted-in calls are let
 * go at the drain's deadline and resume on the new node), until no old node is left. Meanwhile a client keeps
 * making short calls across the nodes that are up, and before each SIGTERM the new node makes calls with every
 * other node, old and new.
 *
 * <p>Webhooks wait while a member of the previous release is present (it would drop a room's life): no event before
 * the last old node left. Then the rooms that lived through the upgrade are adopted (their lives begin with
 * {@code room_started}, {@code "adopted": true}) and end with complete, ordered lives, and calls made after it get
 * normal ones.
 *
 * <p>Then a rollback, itself rolled back: while calls in a life run across the upgraded nodes, a node of the previous
 * release joins. The gate closes on every node (no room starts a life), calls across the releases pair and relay,
 * and lives go on where this release owns the room; a room the older member changes loses its life (an older node
 * writes the entry without it). When the older member is told to stop, the gate opens again and the rooms without a
 * life are adopted (a new {@code roomSid}); a room the older member held without changing it keeps its life.
 */
class RollingUpgradeIT {

  private static final int NODES = 3;
  private static final String SECRET = "webhook-secret-" + UUID.randomUUID();
  /**
   * Settings both releases know (an unknown flag stops a node; the previous release ignores the webhook variables).
   * The drain deadline lets the opted-in calls go after a few seconds instead of an hour; no idle timeout, since the
   * long calls' test clients do not ping. No member is lost here (every one leaves by SIGTERM), so the failure
   * timeout is raised above the pauses of a busy machine, which would otherwise split the cluster while a member joins.
   */
  private static Map<String, String> env(String receiverUrl) {
    return Map.of(
        "SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS", "10",
        "SIGNALING_WEBHOOK_URLS", receiverUrl,
        "SIGNALING_WEBHOOK_SECRET", SECRET,
        "SIGNALING_WEBHOOK_MAX_BACKOFF_MILLIS", "1000",
        "SIGNALING_WEBHOOK_TIMEOUT_MILLIS", "2000",
        "SIGNALING_RESUME_SECONDS", "60",
        "SIGNALING_DRAIN_SECONDS", "4",
        "SIGNALING_IDLE_TIMEOUT_SECONDS", "0");
  }

  /** Margins for a busy machine, never measures of speed. */
  private static final Duration SETTLE = Duration.ofSeconds(90);
  private static final Duration EXIT = Duration.ofSeconds(60);
  private static final Duration DELIVERED = Duration.ofSeconds(60);

  /**
   * Calls in a life across the upgraded nodes when a node of the previous release joins again (a rollback): enough
   * that it owns the partitions of a few of them (a quarter on average), some of which change while it is there.
   */
  private static final int STEADY = 16;
  /** Calls begun between that node and the upgraded ones while it is there, that outlive it. */
  private static final int WINDOW = 2;
  /** The index {@link LongCall} gives the peers on that node. */
  private static final int ROLLED_BACK = 99;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final List<LongCall> longCalls = new ArrayList<>();
  private final List<LongCall> steadyCalls = new ArrayList<>();
  private final List<LongCall> windowCalls = new ArrayList<>();

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void replacingEveryNodeOfThePreviousRelease_thenRollingOneBack_withWebhooksOn_keepsCallsGoing_andLivesWhole() {
    long started = System.nanoTime();
    Path previous = PreviousRelease.jar();
    long built = System.nanoTime();
    List<NodeProcess> everyProcess = new ArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread clientThread = null;
    try (WebhookReceiver receiver = new WebhookReceiver(SECRET)) {
      Map<String, String> env = env(receiver.url());
      String clusterName = "upgrade-" + UUID.randomUUID();
      List<Integer> oldPorts = new ArrayList<>();
      List<Integer> newPorts = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        oldPorts.add(TestCluster.freePort());
        newPorts.add(TestCluster.freePort());
      }
      int rollbackPort = TestCluster.freePort();
      List<Integer> allPorts = new ArrayList<>(oldPorts);
      allPorts.addAll(newPorts);
      allPorts.add(rollbackPort);
      NodeProcess[] nodes = new NodeProcess[NODES];
      // GIVEN three nodes of the previous release, with webhooks configured (the first one alone, then the others
      // join it: as a Deployment's first rollout would, and without the competing masters of a simultaneous start)
      for (int i = 0; i < NODES; i++) {
        nodes[i] = NodeProcess.start(previous, "previous" + (i + 1), TestCluster.freePort(), env,
            clusterFlags(clusterName, oldPorts.get(i), oldPorts));
        everyProcess.add(nodes[i]);
        if (i == 0) {
          nodes[0].awaitReady();
        }
      }
      for (NodeProcess n : nodes) {
        n.awaitReady();
      }
      boolean[] previousRelease = {true, true, true};
      awaitSafe(nodes, previousRelease);
      assertThat(nodes[0].health().containsKey("webhooksActive")).as("the previous release has no webhook gate")
          .isFalse();
      long clusterUp = System.nanoTime();

      // AND long calls across nodes, opted in to resume, that will live through the upgrade
      for (int i = 0; i < NODES; i++) {
        longCalls.add(LongCall.start("long" + i, room("long-" + i), nodes[i], i, nodes[(i + 1) % NODES],
            (i + 1) % NODES));
      }
      // AND a client that keeps making short calls between the nodes that are up
      List<String> pool = new CopyOnWriteArrayList<>();
      for (NodeProcess n : nodes) {
        pool.add(n.url());
      }
      ShortCalls client = new ShortCalls(pool, running);
      clientThread = new Thread(client, "short-calls");
      clientThread.start();
      Await.until(SETTLE, "the client completed calls on the previous release",
          () -> client.completed.get() >= 3 || !client.failures.isEmpty());

      List<String> mixedRooms = new ArrayList<>();
      long lastSigterm = 0;
      for (int k = 0; k < NODES; k++) {
        long stepStarted = System.nanoTime();
        // WHEN a node of this release joins (maxSurge 1) ...
        NodeProcess fresh = NodeProcess.start("upgraded" + (k + 1), TestCluster.freePort(), env,
            clusterFlags(clusterName, newPorts.get(k), allPorts));
        everyProcess.add(fresh);
        fresh.awaitReady();
        // THEN its webhooks wait for the older members to leave
        assertThat(fresh.health().getBoolean("webhooksActive")).as("webhooks wait while older members are present")
            .isFalse();
        // AND calls between it and every other node, of either release, pair and relay both ways
        for (int j = 0; j < NODES; j++) {
          if (j != k) {
            String r = room("mixed-" + k + "-" + j);
            mixedRooms.add(r);
            if (j % 2 == 0) {
              crossCall("m" + k + j, nodes[j].url(), fresh.url(), r);
            } else {
              crossCall("m" + k + j, fresh.url(), nodes[j].url(), r);
            }
          }
        }
        pool.add(fresh.url());
        pool.remove(nodes[k].url());
        for (LongCall c : longCalls) {
          c.relays("before the stop of previous" + (k + 1));
        }
        // AND nothing was produced while a member of the previous release is present
        assertThat(receiver.accepted()).as("events while members of the previous release are present").isEmpty();

        // WHEN the old node is told to stop (the Deployment's SIGTERM)
        NodeProcess old = nodes[k];
        if (k == NODES - 1) {
          lastSigterm = System.currentTimeMillis();
        }
        old.process().destroy();
        // THEN its long calls' peers are let go at the drain's deadline and resume on the new node
        for (LongCall c : longCalls) {
          c.moveFrom(k, fresh);
        }
        // AND the old node exits as a SIGTERM makes it
        try {
          assertThat(old.process().waitFor(EXIT.toMillis(), TimeUnit.MILLISECONDS))
              .as("previous%d exited: %s", k + 1, old.output()).isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
        assertThat(old.process().exitValue()).isEqualTo(143);
        nodes[k] = fresh;
        previousRelease[k] = false;
        awaitSafe(nodes, previousRelease);
        for (LongCall c : longCalls) {
          c.relays("after the stop of previous" + (k + 1));
        }
        assertThat(client.failures).as("short calls failed by step %d", k + 1).isEmpty();
        record("rolling upgrade: previous" + (k + 1) + " replaced by upgraded" + (k + 1) + " in "
            + millisSince(stepStarted) + " ms");
      }

      // THEN, the last older member gone, webhooks are active on every node
      for (NodeProcess n : nodes) {
        awaitGate(n, true);
      }
      // AND the rooms that lived through the upgrade are adopted and still relay
      for (LongCall c : longCalls) {
        Await.until(DELIVERED, c.room + " adopted", () -> !receiver.of(c.room).isEmpty());
        c.relays("after the upgrade");
      }

      // ---------------------------------------------------------------- a rollback, itself rolled back
      long rollbackBegun = System.nanoTime();
      // GIVEN more calls in a life across the nodes of this release, their starts delivered
      for (int i = 0; i < STEADY; i++) {
        steadyCalls.add(LongCall.start("steady" + i, room("steady-" + i), nodes[i % NODES], i % NODES,
            nodes[(i + 1) % NODES], (i + 1) % NODES));
      }
      for (LongCall c : steadyCalls) {
        Await.until(DELIVERED, c.room + " started", () -> receiver.of(c.room).size() >= 4);
      }
      // WHEN, while they run, a node of the previous release joins the cluster (a rollback)
      NodeProcess rolledBack = NodeProcess.start(previous, "rollback", TestCluster.freePort(), env,
          clusterFlags(clusterName, rollbackPort, allPorts));
      everyProcess.add(rolledBack);
      rolledBack.awaitReady();
      for (NodeProcess n : nodes) {
        n.awaitSafe(NODES + 1, SETTLE);
      }
      awaitSafePrevious(rolledBack, NODES + 1);
      // THEN every node of this release closes the gate
      for (NodeProcess n : nodes) {
        awaitGate(n, false);
      }
      long windowStart = System.currentTimeMillis();
      // AND, of the steady calls whose partition the older member now owns (as a client of the cluster sees the
      // partition table) and of the others, most change (a peer takes its slot over from another node: a resume)
      // and at least one does not change at all
      Set<String> heldByOlder = ownedBy(clusterName, newPorts, rollbackPort, steadyCalls.stream().map(c -> c.room)
          .toList());
      List<LongCall> older = steadyCalls.stream().filter(c -> heldByOlder.contains(c.room)).toList();
      List<LongCall> newer = steadyCalls.stream().filter(c -> !heldByOlder.contains(c.room)).toList();
      List<LongCall> changed = new ArrayList<>(older.subList(older.size() > 1 ? 1 : 0, older.size()));
      changed.addAll(newer.subList(Math.min(2, newer.size()), newer.size()));
      for (LongCall c : changed) {
        c.supersede(0, nodes[(steadyCalls.indexOf(c) + 2) % NODES]);
      }
      // AND calls between the older member and every node of this release pair and relay, as short calls do
      pool.add(rolledBack.url());
      List<String> rollbackRooms = new ArrayList<>();
      for (int j = 0; j < NODES; j++) {
        String r = room("rollback-" + j);
        rollbackRooms.add(r);
        if (j % 2 == 0) {
          crossCall("r" + j, rolledBack.url(), nodes[j].url(), r);
        } else {
          crossCall("r" + j, nodes[j].url(), rolledBack.url(), r);
        }
      }
      // AND calls that begin now between the older member and this release, and will outlive the older member
      for (int j = 0; j < WINDOW; j++) {
        windowCalls.add(LongCall.start("window" + j, room("window-" + j), rolledBack, ROLLED_BACK, nodes[j], j));
      }
      for (LongCall c : allCalls()) {
        c.relays("while the previous release is back");
      }
      assertThat(client.failures).as("short calls failed while the previous release was back").isEmpty();
      // AND no room started a life meanwhile
      assertThat(receiver.accepted()).as("lives started while the previous release is back")
          .noneMatch(d -> "room_started".equals(d.event()) && createdAt(d) >= windowStart);

      // WHEN the older member is told to stop (the rollback rolled back, or Kubernetes moving the pod)
      pool.remove(rolledBack.url());
      long rollbackSigterm = System.currentTimeMillis();
      rolledBack.process().destroy();
      // THEN its calls' peers are let go at the drain's deadline and resume on this release
      for (int j = 0; j < WINDOW; j++) {
        windowCalls.get(j).moveFrom(ROLLED_BACK, nodes[(j + 1) % NODES]);
      }
      assertThat(rolledBack.process().waitFor(EXIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("the rolled-back node exited: %s", rolledBack.output()).isTrue();
      assertThat(rolledBack.process().exitValue()).isEqualTo(143);
      for (NodeProcess n : nodes) {
        n.awaitSafe(NODES, SETTLE);
      }
      long settled = System.currentTimeMillis();
      // AND the gate opens again on every node
      for (NodeProcess n : nodes) {
        awaitGate(n, true);
      }
      // AND the rooms alive then without a life are adopted: those begun while the older member was there, and
      // those whose life it dropped when it changed them; a life the older member did not touch goes on
      for (LongCall c : windowCalls) {
        Await.until(DELIVERED, c.room + " adopted", () -> !receiver.of(c.room).isEmpty());
      }
      for (LongCall c : changed) {
        if (heldByOlder.contains(c.room)) {
          Await.until(DELIVERED, c.room + " adopted anew", () -> receiver.lives(c.room).size() == 2);
        }
      }
      for (LongCall c : allCalls()) {
        c.relays("after the rollback");
      }
      long rollbackMillis = millisSince(rollbackBegun);

      // WHEN every call ends, and new calls start and end on the cluster of this release
      for (LongCall c : allCalls()) {
        c.end();
      }
      List<String> afterRooms = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        String r = room("after-" + i);
        afterRooms.add(r);
        crossCall("after" + i, nodes[i].url(), nodes[(i + 1) % NODES].url(), r);
      }
      running.set(false);
      clientThread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(client.failures).as("short calls that failed").isEmpty();

      // THEN every life the receiver saw is signed, numbered 1..n without gap, from room_started to room_finished;
      // but a life the older member dropped, which began before it joined and has nothing after it came
      Set<String> seen = new LinkedHashSet<>();
      List<String> tracked = new ArrayList<>(afterRooms);
      allCalls().forEach(c -> tracked.add(c.room));
      Await.until(DELIVERED, "every life delivered to its room_finished", () -> {
        seen.clear();
        receiver.accepted().forEach(d -> seen.add(d.streamId()));
        return tracked.stream().allMatch(r -> lastLifeFinished(receiver, r))
            && seen.stream().allMatch(s -> receiver.lives(s).values().stream()
                .allMatch(l -> finished(l) || createdAt(l.get(0)) < windowStart));
      });
      assertThat(receiver.badSignatures()).as("deliveries with a bad signature").isZero();
      assertThat(receiver.orderViolation()).as("order per room life").isNull();
      int cut = 0;
      for (String s : seen) {
        for (List<WebhookReceiver.Delivery> life : receiver.lives(s).values()) {
          List<String> names = names(life);
          assertThat(names.get(0)).as(s).isEqualTo("room_started");
          for (int i = 0; i < life.size(); i++) {
            assertThat(life.get(i).seq()).as(s + " " + names).isEqualTo(i + 1);
          }
          if (!finished(life)) {
            cut++;
            assertThat(createdAt(life.get(0))).as(s + ": a life without its end began before the rollback " + names)
                .isLessThan(windowStart);
            assertThat(createdAt(life.get(life.size() - 1))).as(s + ": nothing of a dropped life after the rollback")
                .isLessThan(rollbackSigterm);
          } else {
            assertThat(names.get(names.size() - 1)).as(s).isEqualTo("room_finished");
          }
        }
      }
      // AND the calls that did not change while the older member was there kept their life, wherever it was held:
      // the long calls' life adopted at the upgrade (what the room was, what happened after, its end) ...
      for (LongCall c : longCalls) {
        assertThat(receiver.lives(c.room)).as(c.room + " kept one life through the rollback").hasSize(1);
        List<WebhookReceiver.Delivery> life = receiver.lives(c.room).values().iterator().next();
        List<String> names = names(life);
        assertThat(life.get(0).body().getBoolean("adopted")).as(c.room + " " + names).isTrue();
        assertAdoptedLife(c.room, names);
      }
      // ... and the steady calls' whole life, also where the older member held the room (an entry it only holds
      // keeps its bytes, life included)
      for (LongCall c : steadyCalls) {
        if (!changed.contains(c)) {
          assertThat(receiver.events(c.room)).as(c.room + (heldByOlder.contains(c.room) ? ", held by the older member"
              : "")).containsExactly("room_started", "peer_joined", "peer_joined", "call_started", "call_ended",
              "peer_left", "peer_left", "room_finished");
        }
      }
      // AND a call that changed went on in its life where this release owned the room; where the older member did,
      // it lost its life there, and was adopted anew once that member was told to stop (a new roomSid)
      for (LongCall c : changed) {
        List<List<WebhookReceiver.Delivery>> lives = List.copyOf(receiver.lives(c.room).values());
        if (!heldByOlder.contains(c.room)) {
          assertThat(lives).as(c.room).hasSize(1);
          assertThat(names(lives.get(0))).as(c.room + " went on in its life").containsExactly("room_started",
              "peer_joined", "peer_joined", "call_started", "peer_resumed", "call_ended", "peer_left", "peer_left",
              "room_finished");
        } else {
          assertThat(lives).as(c.room + ": the life the older member dropped, then one adopted anew").hasSize(2);
          assertThat(names(lives.get(0))).as(c.room + ": the life the older member dropped").containsExactly(
              "room_started", "peer_joined", "peer_joined", "call_started");
          WebhookReceiver.Delivery start = lives.get(1).get(0);
          assertThat(start.body().getBoolean("adopted")).as(c.room + " adopted anew").isTrue();
          assertThat(start.roomSid()).isNotEqualTo(lives.get(0).get(0).roomSid());
          assertThat(createdAt(start)).as(c.room + " adopted once the older member was told to stop")
              .isGreaterThanOrEqualTo(rollbackSigterm);
          assertAdoptedLife(c.room, names(lives.get(1)));
        }
      }
      // AND the calls begun while the older member was there were adopted when it left, then ended whole
      for (LongCall c : windowCalls) {
        assertThat(receiver.lives(c.room)).as(c.room).hasSize(1);
        List<WebhookReceiver.Delivery> life = receiver.lives(c.room).values().iterator().next();
        assertThat(life.get(0).body().getBoolean("adopted")).as(c.room).isTrue();
        assertThat(createdAt(life.get(0))).as(c.room + " adopted once the older member was told to stop")
            .isGreaterThanOrEqualTo(rollbackSigterm);
        assertAdoptedLife(c.room, names(life));
      }
      // AND the calls after it got normal lives, each event once
      for (String r : afterRooms) {
        assertThat(receiver.events(r)).containsExactly("room_started", "peer_joined", "peer_joined", "call_started",
            "call_ended", "peer_left", "peer_left", "room_finished");
        assertThat(receiver.of(r).get(0).body().containsKey("adopted")).isFalse();
        assertThat(receiver.of(r)).as(r + " delivered once each").hasSize(8);
      }
      // AND nothing was produced while a member of the previous release was present (the gate), neither during the
      // upgrade nor during the rollback
      long gateOpen = lastSigterm;
      assertThat(receiver.accepted()).as("events created before the last member of the previous release was stopped")
          .allMatch(d -> createdAt(d) >= gateOpen);
      assertThat(receiver.accepted()).as("lives started while the previous release was back")
          .noneMatch(d -> "room_started".equals(d.event()) && createdAt(d) >= windowStart
              && createdAt(d) < rollbackSigterm);
      for (String r : mixedRooms) {
        assertThat(receiver.of(r)).as("a call made and ended while the gate was closed").isEmpty();
      }
      for (String r : rollbackRooms) {
        assertThat(receiver.of(r)).as("a call made and ended while the previous release was back").isEmpty();
      }
      // AND an event was delivered twice only around a membership change (its delivery in flight when its
      // partition moved), never once the cluster had settled
      Set<String> ids = new java.util.HashSet<>();
      int duplicates = 0;
      for (WebhookReceiver.Delivery d : receiver.accepted()) {
        if (!ids.add(d.id())) {
          duplicates++;
          assertThat(createdAt(d)).as("a duplicate of %s %s in normal operation", d.streamId(), d.event())
              .isLessThan(settled);
        }
      }
      record("rolling upgrade: rollback (a node of the previous release joined and left) in " + rollbackMillis
          + " ms; of " + STEADY + " calls in a life, " + older.size() + " on its partitions (" + changed.stream()
          .filter(c -> heldByOlder.contains(c.room)).count() + " changed: adopted anew) and " + newer.size()
          + " on this release's (" + changed.stream().filter(c -> !heldByOlder.contains(c.room)).count()
          + " changed: went on); " + cut + " lives dropped by it, "
          + duplicates + " duplicate deliveries around membership changes");
      record("rolling upgrade: previous release built in " + millisDuring(started, built) + " ms (0 when cached), "
          + "3-node cluster up in " + millisDuring(built, clusterUp) + " ms, " + client.completed.get()
          + " short calls and " + mixedRooms.size() + " mixed-release calls, " + seen.size() + " rooms with lives, "
          + receiver.accepted().size() + " deliveries; total " + millisSince(started) + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      running.set(false);
      allCalls().forEach(LongCall::close);
      for (NodeProcess n : everyProcess) {
        n.close();
      }
    }
  }

  /**
   * Waits until every node sees the whole cluster and is safe: a safety check begun now on a node of this release;
   * the last check's result on one of the previous release (which has no check on demand).
   */
  private static void awaitSafe(NodeProcess[] nodes, boolean[] previousRelease) {
    for (int i = 0; i < nodes.length; i++) {
      NodeProcess n = nodes[i];
      if (!previousRelease[i]) {
        n.awaitSafe(NODES, SETTLE);
        continue;
      }
      Await.until(SETTLE, n.url() + " sees " + NODES + " members and is safe", () -> {
        JsonObject h = n.health();
        return h != null && h.getInteger("members", -1) == NODES && h.getBoolean("memberSafe", false);
      });
    }
  }

  private List<LongCall> allCalls() {
    List<LongCall> all = new ArrayList<>(longCalls);
    all.addAll(steadyCalls);
    all.addAll(windowCalls);
    return all;
  }

  /** Waits until {@code n} reports the webhook gate {@code open} on /health/ready and in its metric. */
  private static void awaitGate(NodeProcess n, boolean open) {
    Await.until(SETTLE, n.url() + " reports webhooks " + (open ? "active" : "waiting"), () -> {
      JsonObject h = n.health();
      return h != null && Boolean.valueOf(open).equals(h.getBoolean("webhooksActive"))
          && n.gauge("signaling_webhook_active") == (open ? 1 : 0);
    });
  }

  /** Waits until {@code n}, a node of the previous release, sees {@code count} members and its last check found it safe. */
  private static void awaitSafePrevious(NodeProcess n, int count) {
    Await.until(SETTLE, n.url() + " sees " + count + " members and is safe", () -> {
      JsonObject h = n.health();
      return h != null && h.getInteger("members", -1) == count && h.getBoolean("memberSafe", false);
    });
  }

  /**
   * The rooms among {@code rooms} whose partition the member on cluster port {@code port} owns, as a client of the
   * cluster (connected through {@code memberPorts}) sees the partition table once that member owns partitions.
   */
  private static Set<String> ownedBy(String clusterName, List<Integer> memberPorts, int port, List<String> rooms) {
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterName);
    memberPorts.forEach(p -> config.getNetworkConfig().addAddress("127.0.0.1:" + p));
    config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(SETTLE.toMillis());
    HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
    try {
      PartitionService partitions = client.getPartitionService();
      Await.until(SETTLE, "a client sees partitions owned by the member on port " + port,
          () -> partitions.getPartitions().stream().allMatch(p -> p.getOwner() != null)
              && partitions.getPartitions().stream().anyMatch(p -> p.getOwner().getAddress().getPort() == port));
      Set<String> owned = new LinkedHashSet<>();
      for (String r : rooms) {
        if (partitions.getPartition(r).getOwner().getAddress().getPort() == port) {
          owned.add(r);
        }
      }
      return owned;
    } finally {
      client.shutdown();
    }
  }

  /** An adopted life: what the room was, then only resumes, then its end. */
  private static void assertAdoptedLife(String room, List<String> names) {
    assertThat(names.subList(0, 4)).as(room + " " + names).containsExactly("room_started", "peer_joined",
        "peer_joined", "call_started");
    assertThat(names.subList(4, names.size() - 4)).as(room + ": between adoption and end " + names)
        .allMatch("peer_resumed"::equals);
    assertThat(names.subList(names.size() - 4, names.size())).as(room + " " + names).containsExactly("call_ended",
        "peer_left", "peer_left", "room_finished");
  }

  private static boolean lastLifeFinished(WebhookReceiver receiver, String room) {
    List<List<WebhookReceiver.Delivery>> lives = List.copyOf(receiver.lives(room).values());
    return !lives.isEmpty() && finished(lives.get(lives.size() - 1));
  }

  private static List<String> names(List<WebhookReceiver.Delivery> life) {
    return life.stream().map(WebhookReceiver.Delivery::event).toList();
  }

  private static long createdAt(WebhookReceiver.Delivery d) {
    return d.body().getLong("createdAt");
  }

  private static boolean finished(List<WebhookReceiver.Delivery> life) {
    return life.stream().anyMatch(d -> "room_finished".equals(d.event()));
  }

  private String room(String name) {
    return "up-" + name + "-" + run;
  }

  private static String[] clusterFlags(String name, int port, List<Integer> members) {
    return new String[] {"--cluster-name", name, "--cluster-discovery", "static", "--cluster-port",
        Integer.toString(port), "--cluster-members",
        String.join(",", members.stream().map(p -> "127.0.0.1:" + p).toList())};
  }

  /**
   * A whole call from {@code firstUrl} to {@code secondUrl}: join, join, start, an offer and an answer relayed,
   * candidates both ways, a message each way, then the first leaves and the second is told stop and leaves.
   */
  static void crossCall(String name, String firstUrl, String secondUrl, String room) {
    TestPeer a = TestPeer.connect(name + "a", firstUrl);
    TestPeer b = null;
    try {
      b = TestPeer.connect(name + "b", secondUrl);
      Calls.pair(a, b, room);
      negotiate(a, b, room);
      a.leave(room);
      a.expectNotification("leaved", room);
      b.expect("stop", room);
      b.leave(room);
      b.expectNotification("leaved", room);
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }

  /** The offer, the answer and two candidates each way, relayed; then a message each way. */
  static void negotiate(TestPeer offerer, TestPeer answerer, String room) {
    offerer.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "offer")
        .put("sdp", "v=0\r\noffer"));
    assertThat(answerer.expect("takeConfiguration", room).getString("type")).isEqualTo("offer");
    answerer.send(new JsonObject().put("command", "takeConfiguration").put("streamId", room).put("type", "answer")
        .put("sdp", "v=0\r\nanswer"));
    assertThat(offerer.expect("takeConfiguration", room).getString("type")).isEqualTo("answer");
    for (int i = 0; i < 2; i++) {
      candidate(offerer, answerer, room, i);
      candidate(answerer, offerer, room, i);
    }
    Calls.relays(offerer, answerer, room, "hello from " + offerer.name());
    Calls.relays(answerer, offerer, room, "hello from " + answerer.name());
  }

  private static void candidate(TestPeer from, TestPeer to, String room, int i) {
    from.send(new JsonObject().put("command", "takeCandidate").put("streamId", room).put("label", 0).put("id", "0")
        .put("candidate", "candidate:" + i + " 1 udp 1 127.0.0.1 " + (9 + i) + " typ host"));
    to.expect("takeCandidate", room);
  }

  /** A call that lives through the upgrade: both peers opted in to resume, each moved when its node stops. */
  private static final class LongCall implements AutoCloseable {
    final String name;
    final String room;
    final TestPeer[] peers = new TestPeer[2];
    final String[] ids = new String[2];
    final int[] nodeOf = new int[2];
    private int sent;

    private LongCall(String name, String room) {
      this.name = name;
      this.room = room;
    }

    static LongCall start(String name, String room, NodeProcess first, int firstIndex, NodeProcess second,
        int secondIndex) {
      LongCall c = new LongCall(name, room);
      c.ids[0] = ResumeTest.peerId();
      c.ids[1] = ResumeTest.peerId();
      c.nodeOf[0] = firstIndex;
      c.nodeOf[1] = secondIndex;
      c.peers[0] = TestPeer.connect(name + "x", first.url() + "?peer=" + c.ids[0]);
      c.peers[1] = TestPeer.connect(name + "y", second.url() + "?peer=" + c.ids[1]);
      Calls.pair(c.peers[0], c.peers[1], room);
      negotiate(c.peers[0], c.peers[1], room);
      return c;
    }

    void relays(String when) {
      Calls.relays(peers[0], peers[1], room, name + " " + (++sent) + " " + when);
      Calls.relays(peers[1], peers[0], room, name + " " + (++sent) + " " + when);
    }

    /**
     * The peers on node {@code index}, which was told to stop: let go at its drain's deadline
     * ({@code server_will_stop}, 1001), they connect to {@code to} with their peer ids and join again (a resume:
     * {@code joined}, no {@code start}); their partners hear nothing.
     */
    void moveFrom(int index, NodeProcess to) {
      for (int p = 0; p < 2; p++) {
        if (nodeOf[p] != index) {
          continue;
        }
        TestPeer gone = peers[p];
        gone.expectNotification("server_will_stop", null);
        assertThat(gone.awaitClose(Duration.ofSeconds(60))).as(gone.name() + " let go by the drain").isEqualTo(1001);
        TestPeer back = TestPeer.connect(gone.name() + "'", to.url() + "?peer=" + ids[p]);
        back.join(room);
        back.expectNotification("joined", room);
        peers[p] = back;
        nodeOf[p] = -1;
      }
    }

    /**
     * Peer {@code p} takes its slot over from a socket on {@code to} with its peer id (a resume while its socket is
     * open): the new one gets {@code joined}, the older is closed with 4002; the partner hears nothing.
     */
    void supersede(int p, NodeProcess to) {
      TestPeer older = peers[p];
      TestPeer newer = TestPeer.connect(older.name() + "'", to.url() + "?peer=" + ids[p]);
      peers[p] = newer;
      newer.join(room);
      newer.expectNotification("joined", room);
      assertThat(older.awaitClose(Duration.ofSeconds(30))).as(older.name() + " superseded")
          .isEqualTo(Switchboard.CLOSE_SUPERSEDED);
      older.close();
      nodeOf[p] = -1;
    }

    /** The first peer leaves; the second is told stop and leaves. */
    void end() {
      peers[0].leave(room);
      peers[0].expectNotification("leaved", room);
      peers[1].expect("stop", room);
      peers[1].leave(room);
      peers[1].expectNotification("leaved", room);
    }

    @Override
    public void close() {
      for (TestPeer p : peers) {
        if (p != null) {
          p.close();
        }
      }
    }
  }

  /**
   * Short calls, one after the other, between two different nodes taken from the pool of nodes that are up (a node
   * leaves the pool before its SIGTERM). A call that fails while one of its nodes has left the pool was refused by a
   * stopping node, as a client behind a Service may be: it is counted and the next call goes to the pool's nodes.
   * Any other failure is a failure.
   */
  private final class ShortCalls implements Runnable {
    final List<String> pool;
    final AtomicBoolean running;
    final AtomicInteger completed = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();

    ShortCalls(List<String> pool, AtomicBoolean running) {
      this.pool = pool;
      this.running = running;
    }

    @Override
    public void run() {
      for (int n = 0; running.get() && n < 2000; n++) {
        List<String> up = new ArrayList<>(pool);
        if (up.size() < 2) {
          continue;
        }
        int a = ThreadLocalRandom.current().nextInt(up.size());
        int b = (a + 1 + ThreadLocalRandom.current().nextInt(up.size() - 1)) % up.size();
        String r = room("short-" + n);
        try {
          crossCall("s" + n, up.get(a), up.get(b), r);
          completed.incrementAndGet();
        } catch (RuntimeException | AssertionError e) {
          if (!pool.contains(up.get(a)) || !pool.contains(up.get(b))) {
            refused.incrementAndGet();
          } else {
            failures.add(r + " between " + up.get(a) + " and " + up.get(b) + ": " + e);
          }
        }
      }
    }
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static long millisDuring(long start, long end) {
    return TimeUnit.NANOSECONDS.toMillis(end - start);
  }
}
