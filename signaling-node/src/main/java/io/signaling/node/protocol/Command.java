package io.signaling.node.protocol;

import java.util.HashMap;
import java.util.Map;

/** The commands a client may send. */
public enum Command {
  JOIN("join", true),
  TAKE_CONFIGURATION("takeConfiguration", true),
  TAKE_CANDIDATE("takeCandidate", true),
  PEER_MESSAGE_COMMAND("peerMessageCommand", true),
  LEAVE("leave", true),
  STOP("stop", true),
  PING("ping", false),
  GET_ICE_SERVER_CONFIG("getIceServerConfig", false);

  private static final Map<String, Command> BY_WIRE = new HashMap<>();

  static {
    for (Command c : values()) {
      BY_WIRE.put(c.wire, c);
    }
  }

  private final String wire;
  private final boolean needsStreamId;

  Command(String wire, boolean needsStreamId) {
    this.wire = wire;
    this.needsStreamId = needsStreamId;
  }

  public String wire() {
    return wire;
  }

  public boolean needsStreamId() {
    return needsStreamId;
  }

  /** True for the commands relayed to the other peer of a room. */
  public boolean isRelay() {
    return this == TAKE_CONFIGURATION || this == TAKE_CANDIDATE || this == PEER_MESSAGE_COMMAND;
  }

  /** The command for a wire name, or null. */
  public static Command fromWire(String wire) {
    return BY_WIRE.get(wire);
  }
}
