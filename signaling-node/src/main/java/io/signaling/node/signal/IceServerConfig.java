package io.signaling.node.signal;

/**
 * What a connection's {@code getIceServerConfig} is answered with: the same message for every connection, or, with
 * TURN credentials, one whose credentials are issued for that connection.
 */
public interface IceServerConfig {

  /** A new opaque id for a connection's credentials; called once per connection, at its first request. */
  String newConnectionId();

  /**
   * The {@code iceServerConfig} message for the connection with {@code connectionId}; without
   * {@code withCredentials} (join tokens required, and the connection not yet let into a room) it names no TURN
   * server and carries no credentials.
   */
  String answer(String connectionId, boolean withCredentials);

  /** True when answers carry credentials issued per connection. */
  boolean issuesCredentials();

  /** The same message for every connection (static STUN/TURN settings, or none). */
  static IceServerConfig fixed(String message) {
    return new IceServerConfig() {
      @Override
      public String newConnectionId() {
        return "";
      }

      @Override
      public String answer(String connectionId, boolean withCredentials) {
        return message;
      }

      @Override
      public boolean issuesCredentials() {
        return false;
      }
    };
  }
}
