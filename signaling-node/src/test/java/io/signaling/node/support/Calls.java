package io.signaling.node.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Steps the fault-injection tests share: pair two peers, check a relay, record a measured figure. */
public final class Calls {

  private Calls() {
  }

  /** {@code first} joins alone, {@code second} joins and {@code first} is told to offer. */
  public static void pair(TestPeer first, TestPeer second, String room) {
    first.joined(room);
    second.join(room);
    second.expectNotification("joined", room);
    first.expect("start", room);
  }

  /** A peerMessageCommand from {@code from} arrives at {@code to}. */
  public static void relays(TestPeer from, TestPeer to, String room, String text) {
    from.send(new JsonObject().put("command", "peerMessageCommand").put("streamId", room).put("definition", "t")
        .put("data", text));
    assertThat(to.expect("peerMessageCommand", room).getString("data")).isEqualTo(text);
  }

  /** Prints a measured figure and appends it to target/fault-timings.txt. */
  public static void record(String line) {
    try {
      Files.writeString(Path.of("target", "fault-timings.txt"), line + System.lineSeparator(),
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    System.out.println(line);
  }
}
