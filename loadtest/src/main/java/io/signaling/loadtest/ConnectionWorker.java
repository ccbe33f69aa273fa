package io.signaling.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens idle WebSockets at a paced rate, spread over the targets and over the given local source addresses
 * (each 127.0.0.x has its own ephemeral port range), and holds them with a protocol ping now and then (as the
 * SDKs do). Connect times go to {@code stats} as {@code connect}; sockets the server closes are counted.
 */
final class ConnectionWorker {

  private final Vertx vertx;
  private final List<Target> targets;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final int count;
  private final double rate;
  private final long pingMillis;
  private final Stats stats;
  private final ConcurrentLinkedQueue<WebSocket> open = new ConcurrentLinkedQueue<>();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final int lanes;
  private volatile boolean closing;

  ConnectionWorker(Vertx vertx, int lanes, List<Target> targets, List<String> sourceAddresses, int count, double rate,
      long pingMillis, Stats stats) {
    this.vertx = vertx;
    this.lanes = lanes;
    this.targets = targets;
    this.count = count;
    this.rate = rate;
    this.pingMillis = pingMillis;
    this.stats = stats;
    for (String address : sourceAddresses) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000_000)
          .setConnectTimeout(30_000).setLocalAddress(address)));
    }
  }

  /** Opens every socket; completes when every attempt succeeded or failed. */
  Future<Void> open() {
    List<Future<Void>> laneDone = new ArrayList<>();
    long start = System.nanoTime();
    for (int k = 0; k < lanes; k++) {
      int lane = k;
      Promise<Void> done = Promise.promise();
      laneDone.add(done.future());
      Context context = vertx.getOrCreateContext();
      context.runOnContext(v -> {
        Pacer pacer = new Pacer(start, rate, count, lane, lanes);
        int[] settled = {0};
        long mine = (count - lane + lanes - 1) / lanes;
        if (mine <= 0) {
          done.complete();
          return;
        }
        Pacer.drive(vertx, pacer, (i, intended) -> connect(i, intended).onComplete(r -> {
          if (++settled[0] == mine) {
            done.complete();
          }
        }));
      });
    }
    if (pingMillis > 0) {
      vertx.setPeriodic(pingMillis, id -> {
        if (closing) {
          vertx.cancelTimer(id);
          return;
        }
        for (WebSocket ws : open) {
          ws.writeTextMessage(Messages.ping());
        }
      });
    }
    return Future.all(laneDone).mapEmpty();
  }

  private Future<Void> connect(long index, long intendedNanos) {
    Target target = targets.get((int) (index % targets.size()));
    WebSocketClient client = clients.get((int) ((index / targets.size()) % clients.size()));
    return client.connect(target.connectOptions()).map(ws -> {
      stats.record("connect", target.index(), System.nanoTime() - intendedNanos);
      opened.incrementAndGet();
      open.add(ws);
      ws.textMessageHandler(text -> { });
      ws.exceptionHandler(e -> { });
      ws.closeHandler(x -> {
        open.remove(ws);
        if (!closing) {
          closedByServer.incrementAndGet();
        }
      });
      return (Void) null;
    }).recover(e -> {
      failed.incrementAndGet();
      stats.error("connectFailed");
      return Future.succeededFuture();
    });
  }

  /** Closes every socket (bounded wait). */
  Future<Void> close() {
    closing = true;
    List<Future<Void>> closes = new ArrayList<>();
    for (WebSocket ws : open) {
      closes.add(ws.close().recover(e -> Future.succeededFuture()));
    }
    return Future.join(closes).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  int opened() {
    return opened.get();
  }

  int failed() {
    return failed.get();
  }

  int closedByServer() {
    return closedByServer.get();
  }

  int openNow() {
    return open.size();
  }
}
