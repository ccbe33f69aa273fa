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

  /**
   * True when an answer with credentials differs from one without: then, with join tokens required, a connection
   * that asked before its first authorised join is sent the full answer on that join.
   */
  boolean issuesCredentials();

  /**
   * The same message for every connection let into a room (static STUN/TURN settings, or none); before that, with
   * join tokens required, {@code withheld}: a static TURN username and credential are not handed to a connection
   * nobody authorised.
   */
  static IceServerConfig fixed(String message, String withheld) {
    return new IceServerConfig() {
      @Override
      public String newConnectionId() {
        return "";
      }

      @Override
      public String answer(String connectionId, boolean withCredentials) {
        return withCredentials ? message : withheld;
      }

      @Override
      public boolean issuesCredentials() {
        return !message.equals(withheld);
      }
    };
  }
}
