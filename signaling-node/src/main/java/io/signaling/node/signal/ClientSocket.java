package io.signaling.node.signal;

/** The switchboard's view of one client connection. */
public interface ClientSocket {

  /** Queues one text frame. */
  void send(String text);

  /** Closes the connection with a WebSocket close code. */
  void close(short code, String reason);

  /** Stops reading from the client for a while (TCP backpressure on a client that sends too fast). */
  void pauseReading(long millis);

  /** For log lines. */
  String remoteAddress();
}
