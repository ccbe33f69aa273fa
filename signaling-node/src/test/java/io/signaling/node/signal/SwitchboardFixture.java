package io.signaling.node.signal;

import io.signaling.node.Limits;
import io.signaling.node.Resume;
import io.signaling.node.cluster.Courier;
import io.signaling.node.cluster.EnvelopeBatchCodec;
import io.signaling.node.cluster.EnvelopeCodec;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.signaling.node.room.RoomRules;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One switchboard on one event loop of a Vert.x instance, with a room directory that applies the real room rules
 * in memory (and answers holds as a test says), and sockets that keep what they were sent: for tests of the
 * switchboard's answers to what the cluster does, where the cluster's failures are made on purpose.
 */
final class SwitchboardFixture implements AutoCloseable {

  static final String ROOM = "room-1";

  final Vertx vertx = Vertx.vertx();
  final Context context = vertx.getOrCreateContext();
  final RulesDirectory directory;
  final Switchboard board;

  SwitchboardFixture(RulesDirectory directory, Resume resume, Courier.Listener courierListener)
      throws Exception {
    this(directory, resume, courierListener, List.of());
  }

  SwitchboardFixture(RulesDirectory directory, Resume resume, Courier.Listener courierListener,
      List<CallListener> listeners) throws Exception {
    this.directory = directory;
    vertx.eventBus().registerCodec(new EnvelopeCodec());
    vertx.eventBus().registerCodec(new EnvelopeBatchCodec());
    long[] ids = {0};
    this.board = onLoop(() -> new Switchboard("node", "signaling.inbox.node.1", context, directory,
        new Courier(vertx, context, 300, 2, courierListener), new ProtocolCodec(128),
        IceServerConfig.fixed(ProtocolCodec.iceServerConfig("", "", ""), ProtocolCodec.iceServerConfig("", "", "")), () -> ++ids[0], SignalingMetrics.NOOP,
        new Limits(1000, 1000, 100, 16, 0, 0, 1 << 20, 3600), (room, token) -> true, () -> true,
        resume, listeners, 300));
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  <T> T onLoop(Supplier<T> call) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(call.get()));
    return result.get(10, TimeUnit.SECONDS);
  }

  int onLoopInt(Supplier<Integer> call) {
    try {
      return onLoop(call);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  Socket open(String peerId) throws Exception {
    Socket socket = new Socket();
    socket.connection = onLoop(() -> board.open(socket, null, peerId));
    return socket;
  }

  /** The room rules in memory; holds are answered by {@code holds}. */
  static final class RulesDirectory implements RoomDirectory {
    private final Map<String, Room> rooms = new HashMap<>();
    private final Supplier<CompletionStage<LeaveDecision>> holds;

    /** A directory whose holds are the room rules' too. */
    RulesDirectory(long holdMillis) {
      this.holds = null;
      this.holdMillis = holdMillis;
    }

    RulesDirectory(Supplier<CompletionStage<LeaveDecision>> holds) {
      this.holds = holds;
      this.holdMillis = 0;
    }

    private final long holdMillis;

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
    public synchronized CompletionStage<LeaveDecision> hold(String streamId, PeerRef peer) {
      if (holds != null) {
        return holds.get();
      }
      long now = System.currentTimeMillis();
      LeaveDecision d = RoomRules.hold(rooms.get(streamId), peer, now + holdMillis, now);
      if (d.removed()) {
        put(streamId, d.room());
      }
      return CompletableFuture.completedFuture(d);
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
  final class Socket implements ClientSocket {
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

    long count(String command) {
      return received.stream().filter(m -> command.equals(m.getString("command"))).count();
    }

    List<String> sdps() {
      return received.stream().filter(m -> "takeConfiguration".equals(m.getString("command")))
          .map(m -> m.getString("sdp")).toList();
    }
  }
}
