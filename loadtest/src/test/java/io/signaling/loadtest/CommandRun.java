package io.signaling.loadtest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What the harness's command line did with some arguments: its exit status, its output and its errors. */
record CommandRun(int status, String out, String err) {

  static final String URL = "ws://127.0.0.1:1/WebRTCAppEE/websocket";

  static CommandRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int status = LoadTest.execute(new PrintStream(out, true, StandardCharsets.UTF_8), args);
      return new CommandRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
    }
  }
}
