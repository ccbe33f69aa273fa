package io.signaling.node.transport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * Reassembles fragmented WebSocket messages with a hard size bound, counted in bytes as they arrive (no
 * allocation first): a message over the bound is reported once, and nothing of it is delivered.
 */
final class MessageAssembler {

  /** What the assembler hands on. */
  interface Sink {
    /** A whole text message of {@code bytes} bytes. */
    void text(String text, int bytes);

    /** A whole binary message of {@code bytes} bytes. */
    void binary(int bytes);

    void tooBig();
  }

  private final int maxBytes;
  private final Sink sink;
  private Buffer partial;
  private boolean partialIsText;
  private boolean overflowed;

  MessageAssembler(int maxBytes, Sink sink) {
    this.maxBytes = maxBytes;
    this.sink = sink;
  }

  void onFrame(WebSocketFrame frame) {
    if (overflowed) {
      return;
    }
    if (frame.isText() || frame.isBinary()) {
      partial = null;
      partialIsText = frame.isText();
      if (frame.isFinal()) {
        int bytes = frame.binaryData().length();
        if (bytes > maxBytes) {
          overflow();
        } else if (partialIsText) {
          sink.text(frame.textData(), bytes);
        } else {
          sink.binary(bytes);
        }
        return;
      }
      partial = Buffer.buffer();
    } else if (!frame.isContinuation() || partial == null) {
      return;
    }
    Buffer data = frame.binaryData();
    if (partial.length() + data.length() > maxBytes) {
      overflow();
      return;
    }
    partial.appendBuffer(data);
    if (frame.isFinal()) {
      Buffer whole = partial;
      partial = null;
      if (partialIsText) {
        sink.text(whole.toString(StandardCharsets.UTF_8), whole.length());
      } else {
        sink.binary(whole.length());
      }
    }
  }

  private void overflow() {
    overflowed = true;
    partial = null;
    sink.tooBig();
  }
}
