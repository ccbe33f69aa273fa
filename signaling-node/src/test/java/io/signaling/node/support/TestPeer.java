package io.signaling.node.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) speaking the protocol, for tests: sends JSON, and waits for what it
 * expects with a deadline. Absence is checked with a ping barrier, never with a sleep.
 */
public final class TestPeer implements AutoCloseable {

  /**
   * How long a test waits for a message it expects. The service answers in milliseconds (a frozen node's
   * partners in at most 3 s, with the failure timeout the fault tests configure); 10 s is the margin for a
   * busy machine, never a measure of speed: speed is for the benchmarks.
   */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String name;
  private final WebSocket ws;
  private final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private TestPeer(String name, WebSocket ws, Listener listener) {
    this.name = name;
    this.ws = ws;
    listener.owner = this;
  }

  public static TestPeer connect(String name, String url) {
    return connect(name, url, null);
  }

  /** Connects with an {@code Origin} header (null: none). */
  public static TestPeer connect(String name, String url, String origin) {
    return connect(name, url, origin, new String[0]);
  }

  /**
   * Connects offering these subprotocols in {@code Sec-WebSocket-Protocol}, most preferred first, as a browser's
   * {@code new WebSocket(url, protocols)} does.
   */
  public static TestPeer connectWithSubprotocols(String name, String url, String... subprotocols) {
    return connect(name, url, null, subprotocols);
  }

  private static TestPeer connect(String name, String url, String origin, String[] subprotocols) {
    Listener listener = new Listener();
    try {
      WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
      if (origin != null) {
        builder.header("Origin", origin);
      }
      if (subprotocols.length > 0) {
        builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
      }
      WebSocket ws = builder.buildAsync(URI.create(url), listener).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      TestPeer peer = new TestPeer(name, ws, listener);
      listener.drainPending();
      return peer;
    } catch (Exception e) {
      throw new AssertionError(name + ": could not connect to " + url + ": " + e, e);
    }
  }

  /** The subprotocol the server selected ("" when none). */
  public String subprotocol() {
    return ws.getSubprotocol();
  }

  public String name() {
    return name;
  }

  public TestPeer send(String text) {
    ws.sendText(text, true).join();
    return this;
  }

  public TestPeer send(JsonObject json) {
    return send(json.encode());
  }

  public TestPeer sendBinary(byte[] bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
    return this;
  }

  public TestPeer join(String streamId) {
    return send(new JsonObject().put("command", "join").put("streamId", streamId).put("multiPeer", false)
        .put("mode", "both"));
  }

  public TestPeer joinPlayOnly(String streamId) {
    return send(new JsonObject().put("command", "join").put("streamId", streamId).put("multiPeer", false)
        .put("mode", "play"));
  }

  public TestPeer leave(String streamId) {
    return send(new JsonObject().put("command", "leave").put("streamId", streamId));
  }

  /** Joins and waits for {@code joined}. */
  public TestPeer joined(String streamId) {
    join(streamId);
    expectNotification("joined", streamId);
    return this;
  }

  /** The next message, whatever it is. */
  public JsonObject next() {
    try {
      String text = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        fail(name + ": nothing received within " + TIMEOUT);
      }
      return new JsonObject(text);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Everything received and not yet taken, without waiting. */
  public List<JsonObject> poll() {
    List<String> texts = new ArrayList<>();
    inbox.drainTo(texts);
    return texts.stream().map(JsonObject::new).toList();
  }

  /** The next raw frame text. */
  public String nextText() {
    try {
      String text = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        fail(name + ": nothing received within " + TIMEOUT);
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next message, which must have this command (and stream id, when given). */
  public JsonObject expect(String command, String streamId) {
    JsonObject m = next();
    assertThat(m.getString("command")).as(name + " received " + m).isEqualTo(command);
    if (streamId != null) {
      assertThat(m.getString("streamId")).as(name + " received " + m).isEqualTo(streamId);
    }
    return m;
  }

  public JsonObject expectNotification(String definition, String streamId) {
    JsonObject m = expect("notification", streamId);
    assertThat(m.getString("definition")).as(name + " received " + m).isEqualTo(definition);
    return m;
  }

  public JsonObject expectError(String definition, String streamId) {
    JsonObject m = expect("error", null);
    assertThat(m.getString("definition")).as(name + " received " + m).isEqualTo(definition);
    assertThat(m.getString("streamId")).as(name + " received " + m).isEqualTo(streamId);
    return m;
  }

  /**
   * Sends a ping and returns everything received before its pong: since the server answers in order, a
   * message the server sent before handling the ping is in the list.
   */
  public List<JsonObject> barrier() {
    send("{\"command\":\"ping\"}");
    List<JsonObject> before = new ArrayList<>();
    while (true) {
      JsonObject m = next();
      if ("pong".equals(m.getString("command"))) {
        return before;
      }
      before.add(m);
    }
  }

  /**
   * Asserts that this peer's own node sent it nothing before answering a ping. This covers what the node
   * produced itself (answers, and notices it had already received); a message still crossing the cluster
   * from another node is not covered: use {@link #expectQuiet(TestPeer, String)} where a partner can send.
   */
  public void expectNothingFromItsNode() {
    assertThat(barrier()).as(name + " received unexpected messages").isEmpty();
  }

  /**
   * Asserts that nothing is pending for this peer, neither from its own node (a ping barrier) nor from
   * {@code partner}'s side of {@code room}: the partner relays a marker to this peer, and everything the
   * partner's event loop sent here before it (relays, {@code stop}, {@code start}) arrives first, since
   * one event loop's envelopes to one inbox keep their order and a socket's commands are handled one after
   * the other. The two must be paired in {@code room}.
   */
  public void expectQuiet(TestPeer partner, String room) {
    expectNothingFromItsNode();
    String marker = "quiet-barrier-" + System.nanoTime();
    partner.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room)
        .put("definition", "barrier").put("data", marker));
    List<JsonObject> before = new ArrayList<>();
    while (true) {
      JsonObject m = next();
      if ("peerMessageCommand".equals(m.getString("command")) && marker.equals(m.getString("data"))) {
        break;
      }
      before.add(m);
    }
    assertThat(before).as(name + " received unexpected messages from " + partner.name() + "'s side").isEmpty();
    partner.expectNothingFromItsNode();
  }

  /**
   * Everything received so far, without waiting. After {@link #awaitClose()} this is all the server sent:
   * the close frame follows every earlier frame.
   */
  public List<JsonObject> drainReceived() {
    List<String> texts = new ArrayList<>();
    inbox.drainTo(texts);
    return texts.stream().map(JsonObject::new).toList();
  }

  /** Waits for the server to close the socket and returns the close code. */
  public int awaitClose() {
    return awaitClose(TIMEOUT);
  }

  /** Waits at most {@code timeout} for the server to close the socket and returns the close code. */
  public int awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(name + ": socket not closed within " + timeout, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
      ws.abort();
    }
  }

  /** Aborts the TCP connection without a close handshake. */
  public void abort() {
    ws.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    private volatile TestPeer owner;
    private final List<String> pending = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile Integer closeCode;

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        synchronized (this) {
          if (owner == null) {
            pending.add(text);
          } else {
            owner.inbox.add(text);
          }
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      synchronized (this) {
        String text = "{\"command\":\"__binary_frame_received\"}";
        if (owner == null) {
          pending.add(text);
        } else {
          owner.inbox.add(text);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode = statusCode;
      complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      complete(-1);
    }

    private synchronized void complete(int code) {
      if (owner != null) {
        owner.closed.complete(code);
      }
    }

    synchronized void drainPending() {
      owner.inbox.addAll(pending);
      pending.clear();
      if (closeCode != null) {
        owner.closed.complete(closeCode);
      }
    }
  }
}
