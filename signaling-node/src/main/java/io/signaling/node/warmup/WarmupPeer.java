package io.signaling.node.warmup;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * One side of a warm-up call: a WebSocket client of the node's own endpoint that plays an SDK's part (in one of the
 * shapes of {@link WarmupMessages}): what it sends on connect, {@code join}; the offerer sends the offer on {@code start} and its
 * candidates after the answer, and leaves once it has the answer and every candidate of its partner; the answerer
 * answers the offer, sends its candidates, and leaves on {@code stop}. Each closes its socket once its leave is
 * answered ({@code leaved}). All on the context that connected it.
 */
final class WarmupPeer {

  enum Role { OFFERER, ANSWERER }

  private final Role role;
  private final String streamId;
  private final WarmupMessages messages;
  private final Promise<Void> joined = Promise.promise();
  private final Promise<Void> done = Promise.promise();
  private WebSocket socket;
  private boolean answered;
  private int candidatesIn;
  private boolean leaving;
  private boolean left;

  WarmupPeer(Role role, String streamId, WarmupMessages messages) {
    this.role = role;
    this.streamId = streamId;
    this.messages = messages;
  }

  /** Connects and joins; {@link #joined()} completes on the {@code joined} notification. */
  WarmupPeer start(WebSocketClient client, WebSocketConnectOptions options) {
    client.connect(options).onComplete(ar -> {
      if (ar.failed()) {
        fail("connect failed: " + ar.cause().getMessage());
        return;
      }
      socket = ar.result();
      if (done.future().isComplete()) {
        closeSocket();
        return;
      }
      socket.textMessageHandler(this::onText);
      socket.exceptionHandler(e -> fail("socket error: " + e.getMessage()));
      socket.closeHandler(v -> closed());
      String first = WarmupMessages.onConnect(streamId);
      if (first != null) {
        send(first);
      }
      send(messages.join(streamId));
    });
    return this;
  }

  Future<Void> joined() {
    return joined.future();
  }

  /** Completes once the peer left and its socket closed; fails on an error, an early close, or {@link #abort}. */
  Future<Void> done() {
    return done.future();
  }

  /** Ends this side at once (its call failed elsewhere or ran out of time). */
  void abort(String why) {
    fail(why);
  }

  private void onText(String text) {
    JsonObject m;
    try {
      m = new JsonObject(text);
    } catch (DecodeException e) {
      fail("undecodable message");
      return;
    }
    String command = m.getString("command", "");
    switch (command) {
      case "notification" -> {
        String definition = m.getString("definition", "");
        if (definition.equals("joined")) {
          joined.tryComplete();
        } else if (definition.equals("leaved")) {
          left = true;
          closeSocket();
        } else if (definition.equals("server_will_stop")) {
          fail("the node is stopping");
        }
      }
      case "start" -> {
        if (role == Role.OFFERER) {
          send(messages.offer(streamId));
        }
      }
      case "takeConfiguration" -> {
        if (role == Role.ANSWERER && "offer".equals(m.getString("type"))) {
          send(messages.answer(streamId));
          sendCandidates();
        } else if (role == Role.OFFERER && "answer".equals(m.getString("type"))) {
          answered = true;
          sendCandidates();
          leaveWhenNegotiated();
        }
      }
      case "takeCandidate" -> {
        candidatesIn++;
        leaveWhenNegotiated();
      }
      case "stop" -> leave();
      case "error" -> fail("error " + m.getString("definition"));
      default -> {
        // iceServerConfig, pong
      }
    }
  }

  private void sendCandidates() {
    for (int i = 0; i < messages.candidates(); i++) {
      send(messages.candidate(streamId, i));
    }
  }

  private void leaveWhenNegotiated() {
    if (role == Role.OFFERER && answered && candidatesIn >= messages.candidates()) {
      leave();
    }
  }

  private void leave() {
    if (!leaving) {
      leaving = true;
      send(WarmupMessages.leave(streamId));
    }
  }

  private void send(String text) {
    socket.writeTextMessage(text).onFailure(e -> fail("write failed: " + e.getMessage()));
  }

  private void closed() {
    if (left) {
      done.tryComplete();
    } else {
      fail("socket closed before the peer left");
    }
  }

  private void fail(String why) {
    joined.tryFail(why);
    if (done.tryFail(why) && socket != null) {
      closeSocket();
    }
  }

  private void closeSocket() {
    // a socket the server closed first fails the close: nothing is left to do then
    socket.close().onFailure(e -> { });
  }
}
