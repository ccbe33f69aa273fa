package io.signaling.loadtest;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code baseline-relay}: the limit to read cluster figures against. A plain Vert.x WebSocket server in one
 * process, no cluster, no validation, no limits: enough of the protocol for the harness's scenarios (join,
 * joined, start, relay of configuration, candidates and peer messages, leave, stop, ping) with rooms in a
 * local map. Results against it read as "the most this machine relays with this harness".
 */
@Command(name = "baseline-relay", mixinStandardHelpOptions = true,
    description = "Serve a plain Vert.x WebSocket relay (no cluster) to measure the machine's limit against.")
final class BaselineRelay implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "5070", description = "Port to listen on (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--threads", defaultValue = "0", description = "Event loops (0: one per core).")
  int threads;

  @Override
  public Integer call() throws Exception {
    int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    start(vertx, host, port, loops).toCompletionStage().toCompletableFuture().get();
    System.out.printf("baseline relay listening on ws://%s:%d/WebRTCAppEE/websocket%n", host, port);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
    return 0;
  }

  /** Deploys the relay on {@code instances} event loops of {@code vertx}. */
  static io.vertx.core.Future<String> start(Vertx vertx, String host, int port, int instances) {
    Map<String, ServerWebSocket[]> rooms = new ConcurrentHashMap<>();
    return vertx.deployVerticle(() -> new Relay(host, port, rooms), new DeploymentOptions().setInstances(instances));
  }

  private static final class Relay extends AbstractVerticle {
    private final String host;
    private final int port;
    private final Map<String, ServerWebSocket[]> rooms;

    Relay(String host, int port, Map<String, ServerWebSocket[]> rooms) {
      this.host = host;
      this.port = port;
      this.rooms = rooms;
    }

    @Override
    public void start(io.vertx.core.Promise<Void> started) {
      vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setMaxWebSocketFrameSize(1 << 20)
              .setMaxWebSocketMessageSize(1 << 20))
          .webSocketHandler(this::accept)
          // answers the readiness probe the harness's await uses, like a node (a single member)
          .requestHandler(req -> req.response().putHeader("content-type", "application/json")
              .end("{\"status\":\"UP\",\"members\":1}"))
          .listen()
          .<Void>mapEmpty()
          .onComplete(started);
    }

    private void accept(ServerWebSocket ws) {
      Map<String, Boolean> joined = new HashMap<>();
      ws.textMessageHandler(text -> {
        JsonObject m = new JsonObject(text);
        String command = m.getString("command", "");
        String streamId = m.getString("streamId");
        switch (command) {
          case "ping" -> ws.writeTextMessage("{\"command\":\"pong\"}");
          case "join" -> {
            joined.put(streamId, true);
            ServerWebSocket first = null;
            synchronized (rooms) {
              ServerWebSocket[] room = rooms.computeIfAbsent(streamId, k -> new ServerWebSocket[2]);
              if (room[0] == null) {
                room[0] = ws;
              } else if (room[0] != ws && room[1] == null) {
                room[1] = ws;
                first = room[0];
              }
            }
            ws.writeTextMessage(notification("joined", streamId));
            if (first != null) {
              first.writeTextMessage("{\"command\":\"start\",\"streamId\":\"" + streamId + "\"}");
            }
          }
          case "takeConfiguration", "takeCandidate", "peerMessageCommand" -> {
            ServerWebSocket other = partner(streamId, ws);
            if (other != null) {
              other.writeTextMessage(text);
            }
          }
          case "leave", "stop" -> {
            ServerWebSocket other = null;
            synchronized (rooms) {
              ServerWebSocket[] room = rooms.get(streamId);
              if (room != null) {
                if (room[0] == ws) {
                  room[0] = room[1];
                  room[1] = null;
                  other = room[0];
                } else if (room[1] == ws) {
                  room[1] = null;
                  other = room[0];
                }
                if (room[0] == null) {
                  rooms.remove(streamId);
                }
              }
            }
            joined.remove(streamId);
            if (other != null) {
              other.writeTextMessage("{\"command\":\"stop\",\"streamId\":\"" + streamId + "\"}");
            }
            ws.writeTextMessage(notification("leaved", streamId));
          }
          default -> ws.writeTextMessage("{\"command\":\"error\",\"definition\":\"unknownCommand\"}");
        }
      });
      ws.closeHandler(v -> {
        for (String streamId : joined.keySet()) {
          synchronized (rooms) {
            ServerWebSocket[] room = rooms.get(streamId);
            if (room != null) {
              ServerWebSocket other = room[0] == ws ? room[1] : room[0];
              rooms.remove(streamId);
              if (other != null) {
                rooms.put(streamId, new ServerWebSocket[] {other, null});
                other.writeTextMessage("{\"command\":\"stop\",\"streamId\":\"" + streamId + "\"}");
              }
            }
          }
        }
      });
    }

    private ServerWebSocket partner(String streamId, ServerWebSocket ws) {
      ServerWebSocket[] room = rooms.get(streamId);
      if (room == null) {
        return null;
      }
      synchronized (rooms) {
        return room[0] == ws ? room[1] : room[1] == ws ? room[0] : null;
      }
    }

    private static String notification(String definition, String streamId) {
      return "{\"command\":\"notification\",\"definition\":\"" + definition + "\",\"streamId\":\"" + streamId + "\"}";
    }
  }
}
