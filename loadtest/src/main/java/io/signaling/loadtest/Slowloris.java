package io.signaling.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The {@code slowloris} mode: a connection sends the start of a WebSocket upgrade request at once, then one more
 * header byte every {@code byteIntervalMillis}, never the end of its headers.
 */
final class Slowloris implements HostileMode {

  private final byte[] prefix;
  private final long byteIntervalMillis;
  private final Buffer one = Buffer.buffer("a");
  private final Set<NetSocket> slow = ConcurrentHashMap.newKeySet();

  /** @param path the WebSocket path the upgrade asks for */
  Slowloris(String path, long byteIntervalMillis) {
    this.prefix = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "X-Slow: ").getBytes(StandardCharsets.US_ASCII);
    this.byteIntervalMillis = byteIntervalMillis;
  }

  @Override
  public void start(Vertx vertx, BooleanSupplier closing) {
    vertx.setPeriodic(byteIntervalMillis, id -> {
      if (closing.getAsBoolean()) {
        vertx.cancelTimer(id);
        return;
      }
      for (NetSocket s : slow) {
        s.write(one);
      }
    });
  }

  @Override
  public void connected(NetSocket socket) {
    socket.write(Buffer.buffer(prefix));
    slow.add(socket);
  }

  @Override
  public void closed(NetSocket socket) {
    slow.remove(socket);
  }
}
