package io.signaling.node.signal;

/** The switchboard's view of one client connection. */
public interface ClientSocket {

  /** Queues one text frame. */
  void send(String text);

  /** Closes the connection with a WebSocket close code. */
  void close(short code, String reason);

  /** For log lines. */
  String remoteAddress();
}
