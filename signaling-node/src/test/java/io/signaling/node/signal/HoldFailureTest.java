package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.NodeSettings;
import io.signaling.node.cluster.Courier;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.signaling.node.room.RoomRules;
import io.signaling.node.support.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A room directory that fails, or never answers, the hold of a resumable socket's slot: the hold is a loss like any
 * other (see {@link LostPartner}), so while the window allows the partner keeps its call (its relays kept, nothing
 * told), the peer resumes on a new socket and gets them; without a resume the partner gets {@code stop} when the
 * window has passed; and the gone socket is forgotten after the window either way. The directory here applies the
 * real room rules in memory and fails only the hold, on purpose: what is tested is the switchboard's answer.
 */
class HoldFailureTest {

  private static final int RESUME_SECONDS = 2;
  private static final String ROOM = "hold-fails";

  private final Vertx vertx = Vertx.vertx();
  private Context context;
  private Switchboard board;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The room rules in memory; {@link #hold} answers as {@code holds} says. */
  private static final class RulesDirectory implements RoomDirectory {
    private final Map<String, Room> rooms = new HashMap<>();
    private final Supplier<CompletionStage<LeaveDecision>> holds;

    RulesDirectory(Supplier<CompletionStage<LeaveDecision>> holds) {
      this.holds = holds;
    }

    private synchronized void put(String streamId, Room room) {
      if (room.isEmpty()) {
        rooms.remove(streamId);
      } else {
        rooms.put(streamId, room);
      }
    }

    @Override
    public synchronized CompletionStage<JoinDecision> join(String streamId, PeerRef joiner) {
      JoinDecision d = RoomRules.join(rooms.get(streamId), joiner, System.currentTimeMillis());
      put(streamId, d.room());
      return CompletableFuture.completedFuture(d);
    }

    @Override
    public synchronized CompletionStage<LeaveDecision> leave(String streamId, PeerRef leaver) {
      LeaveDecision d = RoomRules.leave(rooms.get(streamId), leaver, System.currentTimeMillis());
      if (d.removed()) {
        put(streamId, d.room());
      }
      return CompletableFuture.completedFuture(d);
    }

    @Override
    public synchronized CompletionStage<LeaveDecision> evict(String streamId, PeerRef partner, PeerRef evictor) {
      Room room = rooms.get(streamId);
      if (room == null || !room.contains(evictor)) {
        return CompletableFuture.completedFuture(LeaveDecision.NOT_MEMBER);
      }
      return leave(streamId, partner);
    }

    @Override
    public CompletionStage<LeaveDecision> hold(String streamId, PeerRef peer) {
      return holds.get();
    }

    @Override
    public synchronized CompletionStage<Room> room(String streamId) {
      return CompletableFuture.completedFuture(rooms.getOrDefault(streamId, Room.EMPTY));
    }

    @Override
    public CompletionStage<Integer> purgeNode(String node) {
      return CompletableFuture.completedFuture(0);
    }

    synchronized Room room() {
      return rooms.getOrDefault(ROOM, Room.EMPTY);
    }
  }

  /** A socket as the switchboard sees it, keeping what it was sent. */
  private final class Socket implements ClientSocket {
    final List<JsonObject> received = new CopyOnWriteArrayList<>();
    Switchboard.Connection connection;

    @Override
    public void send(String text) {
      received.add(new JsonObject(text));
    }

    @Override
    public void close(short code, String reason) {
      context.runOnContext(v -> connection.onClose());
    }

    @Override
    public void pauseReading(long millis) {
    }

    @Override
    public String remoteAddress() {
      return "test";
    }

    void send(JsonObject command) {
      context.runOnContext(v -> connection.onText(command.encode()));
    }

    void join() {
      send(new JsonObject().put("command", "join").put("streamId", ROOM).put("mode", "both"));
    }

    void offer(String sdp) {
      send(new JsonObject().put("command", "takeConfiguration").put("streamId", ROOM).put("type", "offer")
          .put("sdp", sdp));
    }

    void closeByClient() {
      context.runOnContext(v -> connection.onClose());
    }

    boolean got(String command, String definition) {
      return received.stream().anyMatch(m -> command.equals(m.getString("command"))
          && (definition == null || definition.equals(m.getString("definition"))));
    }

    List<String> sdps() {
      return received.stream().filter(m -> "takeConfiguration".equals(m.getString("command")))
          .map(m -> m.getString("sdp")).toList();
    }
  }

  private <T> T onLoop(Supplier<T> call) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(call.get()));
    return result.get(10, TimeUnit.SECONDS);
  }

  private void start(RoomDirectory directory) throws Exception {
    context = vertx.getOrCreateContext();
    long[] ids = {0};
    board = onLoop(() -> new Switchboard("node", "signaling.inbox.node.1", context, directory,
        new Courier(vertx, context, 500, 1, Courier.Listener.NONE), new ProtocolCodec(128),
        IceServerConfig.fixed(ProtocolCodec.iceServerConfig("", "", "")), () -> ++ids[0], SignalingMetrics.NOOP,
        new NodeSettings.Limits(1000, 1000, 100, 16, 0, 0, 1 << 20, 3600), (room, token) -> true, () -> true,
        new NodeSettings.Resume(RESUME_SECONDS, 256, 262144, 30), List.of(), 300));
  }

  private Socket open(String peerId) throws Exception {
    Socket socket = new Socket();
    socket.connection = onLoop(() -> board.open(socket, null, peerId));
    return socket;
  }

  /** A (not opted in, the offerer) and B (opted in), paired; B's socket then closes without a leave. */
  private Socket[] callWhoseResumablePeerCloses() throws Exception {
    Socket a = open(null);
    Socket b = open("peer-b");
    a.join();
    Await.until(Duration.ofSeconds(10), "A joined", () -> a.got("notification", "joined"));
    b.join();
    Await.until(Duration.ofSeconds(10), "A got start", () -> a.got("start", null));
    b.closeByClient();
    Await.until(Duration.ofSeconds(10), "A's side holds B's slot", () -> board.heldPartners() == 1);
    return new Socket[] {a, b};
  }

  @Test
  void aHoldTheDirectoryFails_isKeptForThePartner_andThePeerResumesWithWhatWasRelayedMeanwhile() throws Exception {
    // GIVEN a directory that refuses every hold
    RulesDirectory directory = new RulesDirectory(() -> CompletableFuture.failedFuture(
        new IllegalStateException("directory refused the hold")));
    start(directory);
    // WHEN B's socket closes in a call, and A relays meanwhile
    Socket a = callWhoseResumablePeerCloses()[0];
    a.offer("v=0 while away");
    // AND B resumes on a new socket within the window
    Socket b2 = open("peer-b");
    b2.join();
    // THEN B's new socket gets joined and what A relayed, and no start; A was told nothing
    Await.until(Duration.ofSeconds(10), "B's new socket got A's relay", () -> b2.sdps().contains("v=0 while away"));
    assertThat(b2.got("notification", "joined")).isTrue();
    assertThat(b2.got("start", null)).isFalse();
    assertThat(a.got("stop", null)).isFalse();
    // AND the call goes on both ways, and A's side holds nothing any more
    b2.offer("v=0 answer after resume");
    Await.until(Duration.ofSeconds(10), "A got B's relay", () -> a.sdps().contains("v=0 answer after resume"));
    assertThat(board.heldPartners()).isZero();
    // AND the gone socket is forgotten after the window
    Await.until(Duration.ofSeconds(RESUME_SECONDS * 5L), "no gone socket kept", () -> onLoopCount() == 0);
    assertThat(a.got("stop", null)).isFalse();
  }

  @Test
  void aHoldTheDirectoryNeverAnswers_isKeptForTheWindow_thenThePartnerGetsStop_andNothingLeaks() throws Exception {
    // GIVEN a directory that never answers a hold (the switchboard's bound, 300 ms here, times it out)
    RulesDirectory directory = new RulesDirectory(CompletableFuture::new);
    start(directory);
    // WHEN B's socket closes in a call and B does not come back
    Socket a = callWhoseResumablePeerCloses()[0];
    assertThat(a.got("stop", null)).as("held, not ended").isFalse();
    // THEN when the window has passed, A gets stop, B's slot is out of the room, and nothing is kept
    Await.until(Duration.ofSeconds(RESUME_SECONDS * 5L), "A got stop", () -> a.got("stop", null));
    Await.until(Duration.ofSeconds(10), "B's slot out of the room", () -> directory.room().peers().size() == 1);
    Await.until(Duration.ofSeconds(RESUME_SECONDS * 5L), "no gone socket kept", () -> onLoopCount() == 0);
    assertThat(board.heldPartners()).isZero();
  }

  private int onLoopCount() {
    try {
      return onLoop(board::goneCount);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
