package io.signaling.node.backend;

import io.signaling.node.room.PeerRef;
import io.signaling.node.room.Room;
import io.signaling.node.room.RoomEvents;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, on the management port only, when {@code SIGNALING_ADMIN_TOKEN} is set: every request needs
 * {@code Authorization: Bearer <token>} (compared in constant time), else 401.
 *
 * <ul>
 *   <li>{@code GET /admin/rooms?limit=N&cursor=C}: {@code {"rooms":[...],"next":cursor|null}}, cluster-wide, paged</li>
 *   <li>{@code GET /admin/rooms/{streamId}}: the room and its peers, or 404</li>
 *   <li>{@code DELETE /admin/rooms/{streamId}}: every peer gets {@code stop} and is out; 204, or 404</li>
 *   <li>{@code DELETE /admin/rooms/{streamId}/peers/{sessionId}}: that peer gets {@code stop} and is out, its
 *       partner gets {@code stop} and stays; 204, or 404</li>
 *   <li>{@code GET /admin/nodes}: the members with their connections and rooms, ready, warming, draining</li>
 * </ul>
 */
public final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  private final byte[] expected;
  private final AdminRooms rooms;

  public AdminApi(String token, AdminRooms rooms) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.rooms = rooms;
  }

  /** Adds the routes to the management router. */
  public void mount(Router router) {
    router.route("/admin/*").handler(this::authorize);
    router.get("/admin/rooms").handler(this::list);
    router.get("/admin/rooms/:streamId").handler(this::room);
    router.delete("/admin/rooms/:streamId").handler(this::deleteRoom);
    router.delete("/admin/rooms/:streamId/peers/:sessionId").handler(this::removePeer);
    router.get("/admin/nodes").handler(this::nodes);
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    byte[] given = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, given)) {
      ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
          .putHeader("content-type", "application/json").end("{\"error\":\"unauthorized\"}");
      return;
    }
    ctx.next();
  }

  private void list(RoutingContext ctx) {
    int limit;
    try {
      String l = ctx.request().getParam("limit");
      limit = l == null ? DEFAULT_LIMIT : Integer.parseInt(l);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      error(ctx, 400, "limit must be 1 to " + MAX_LIMIT);
      return;
    }
    rooms.rooms(limit, ctx.request().getParam("cursor")).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof IllegalArgumentException) {
          error(ctx, 400, ar.cause().getMessage());
        } else {
          failed(ctx, ar.cause());
        }
        return;
      }
      JsonArray list = new JsonArray();
      ar.result().rooms().forEach(r -> list.add(room(r.streamId(), r.room())));
      json(ctx, 200, new JsonObject().put("rooms", list).put("next", ar.result().next()));
    });
  }

  private void room(RoutingContext ctx) {
    String streamId = ctx.pathParam("streamId");
    rooms.room(streamId).onComplete(ar -> {
      if (ar.failed()) {
        failed(ctx, ar.cause());
      } else if (ar.result() == null) {
        error(ctx, 404, "no such room");
      } else {
        json(ctx, 200, room(streamId, ar.result()));
      }
    });
  }

  private void deleteRoom(RoutingContext ctx) {
    String streamId = ctx.pathParam("streamId");
    rooms.deleteRoom(streamId).onComplete(ar -> done(ctx, ar.failed() ? null : ar.result(), ar.cause(),
        "[room: " + streamId + "] ended by the admin API"));
  }

  private void removePeer(RoutingContext ctx) {
    String streamId = ctx.pathParam("streamId");
    String sessionId = ctx.pathParam("sessionId");
    rooms.removePeer(streamId, sessionId).onComplete(ar -> done(ctx, ar.failed() ? null : ar.result(), ar.cause(),
        "[room: " + streamId + "] peer " + sessionId + " removed by the admin API"));
  }

  private void nodes(RoutingContext ctx) {
    rooms.nodes().onComplete(ar -> {
      if (ar.failed()) {
        failed(ctx, ar.cause());
      } else {
        json(ctx, 200, new JsonObject().put("nodes", new JsonArray(ar.result())));
      }
    });
  }

  private static void done(RoutingContext ctx, Boolean found, Throwable failure, String log) {
    if (failure != null) {
      failed(ctx, failure);
    } else if (!found) {
      error(ctx, 404, "no such room or peer");
    } else {
      LOG.info(log);
      ctx.response().setStatusCode(204).end();
    }
  }

  /** A room as the API shows it. */
  public static JsonObject room(String streamId, Room room) {
    JsonArray peers = new JsonArray();
    for (PeerRef p : room.peers()) {
      peers.add(new JsonObject().put("sessionId", RoomEvents.sessionId(p)).putNull("peerId").put("node", p.node())
          .put("mode", p.playOnly() ? "play" : "both").put("held", p.held()).put("resumable", p.resumable()));
    }
    return new JsonObject().put("streamId", streamId)
        .put("roomSid", room.life() == null ? null : room.life().sid())
        .put("peers", peers)
        .put("paired", room.peers().size() == Room.CAPACITY)
        .put("version", room.version());
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  private static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }

  private static void failed(RoutingContext ctx, Throwable cause) {
    LOG.warn("admin API request {} {} failed: {}", ctx.request().method(), ctx.request().path(), cause.toString());
    error(ctx, 503, "the cluster did not answer: try again");
  }
}
