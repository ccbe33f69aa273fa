package io.signaling.node.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signaling.node.Limits;
import io.signaling.node.Resume;
import io.signaling.node.cluster.Courier;
import io.signaling.node.ops.SignalingMetrics;
import io.signaling.node.protocol.ProtocolCodec;
import io.signaling.node.room.JoinDecision;
import io.signaling.node.room.LeaveDecision;
import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomDirectory;
import io.signaling.node.support.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A command whose room-directory call fails (the cluster refuses it, or the call throws) is answered
 * {@code temporarilyUnavailable} for its room, the join is undone in the directory, and the socket's next
 * command still runs. The directory here is a stand-in that fails on purpose: what is tested is the
 * switchboard's answer, not the cluster.
 */
class FailedCommandTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger undone = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private final class FailingDirectory implements RoomDirectory {
    private final boolean throwing;

    FailingDirectory(boolean throwing) {
      this.throwing = throwing;
    }

    @Override
    public CompletionStage<JoinDecision> join(String streamId, PeerRef joiner) {
      if (throwing) {
        throw new IllegalStateException("directory broken");
      }
      return CompletableFuture.failedFuture(new IllegalStateException("cluster refused"));
    }

    @Override
    public CompletionStage<LeaveDecision> leave(String streamId, PeerRef leaver) {
      undone.incrementAndGet();
      return CompletableFuture.completedFuture(LeaveDecision.NOT_MEMBER);
    }

    @Override
    public CompletionStage<LeaveDecision> evict(String streamId, PeerRef partner, PeerRef evictor) {
      return CompletableFuture.completedFuture(LeaveDecision.NOT_MEMBER);
    }

    @Override
    public CompletionStage<Room> room(String streamId) {
      return CompletableFuture.completedFuture(Room.EMPTY);
    }

    @Override
    public CompletionStage<Integer> purgeNode(String node) {
      return CompletableFuture.completedFuture(0);
    }
  }

  private Context context;

  private Switchboard.Connection open(RoomDirectory directory) throws Exception {
    context = vertx.getOrCreateContext();
    CompletableFuture<Switchboard.Connection> opened = new CompletableFuture<>();
    context.runOnContext(v -> {
      Switchboard board = new Switchboard("node", "signaling.inbox.node.1", context, directory,
          new Courier(vertx, context, 500, 1, Courier.Listener.NONE), new ProtocolCodec(128),
          IceServerConfig.fixed(ProtocolCodec.iceServerConfig("", "", ""), ProtocolCodec.iceServerConfig("", "", "")), () -> 1, SignalingMetrics.NOOP,
          new Limits(1000, 1000, 100, 16, 0, 0, 1 << 20, 3600), (room, token) -> true, () -> true,
          new Resume(0, 256, 262144, 30));
      opened.complete(board.open(new ClientSocket() {
        @Override
        public void send(String text) {
          sent.add(text);
        }

        @Override
        public void close(short code, String reason) {
          sent.add("closed " + code);
        }

        @Override
        public void pauseReading(long millis) {
        }

        @Override
        public String remoteAddress() {
          return "test";
        }
      }, null));
    });
    return opened.get(10, TimeUnit.SECONDS);
  }

  private void send(Switchboard.Connection c, String text) {
    context.runOnContext(v -> c.onText(text));
  }

  private void awaitReplies(int n) {
    Await.until(Duration.ofSeconds(10), n + " replies", () -> sent.size() >= n);
  }

  @Test
  void aJoinTheDirectoryRefuses_isAnsweredTemporarilyUnavailable_undone_andTheNextCommandRuns() throws Exception {
    // GIVEN a socket whose joins the directory refuses
    Switchboard.Connection c = open(new FailingDirectory(false));
    // WHEN it joins, then pings
    send(c, "{\"command\":\"join\",\"streamId\":\"r1\",\"mode\":\"both\"}");
    send(c, "{\"command\":\"ping\"}");
    // THEN it hears why, the join is undone, and the ping is answered
    awaitReplies(2);
    JsonObject error = new JsonObject(sent.get(0));
    assertThat(error.getString("command")).isEqualTo("error");
    assertThat(error.getString("definition")).isEqualTo("temporarilyUnavailable");
    assertThat(error.getString("streamId")).isEqualTo("r1");
    assertThat(sent.get(1)).isEqualTo(ProtocolCodec.PONG);
    assertThat(undone.get()).isEqualTo(1);
  }

  @Test
  void aCommandThatThrows_isAnsweredTemporarilyUnavailable_andTheNextCommandRuns() throws Exception {
    Switchboard.Connection c = open(new FailingDirectory(true));
    send(c, "{\"command\":\"join\",\"streamId\":\"r2\",\"mode\":\"both\"}");
    send(c, "{\"command\":\"ping\"}");
    awaitReplies(2);
    JsonObject error = new JsonObject(sent.get(0));
    assertThat(error.getString("definition")).isEqualTo("temporarilyUnavailable");
    assertThat(error.getString("streamId")).isEqualTo("r2");
    assertThat(sent.get(1)).isEqualTo(ProtocolCodec.PONG);
  }
}
