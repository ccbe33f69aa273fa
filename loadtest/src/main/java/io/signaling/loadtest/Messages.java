package io.signaling.loadtest;

/**
 * The protocol messages the harness sends, built as text without a JSON library on the send path. Relayed
 * messages carry the nanosecond time they were intended to leave (the harness's own clock; sender and receiver
 * live in the same process): as an {@code a=x-lt:} line in an SDP, as an {@code lt=} suffix of a candidate,
 * and as the data of a peer message.
 */
public final class Messages {

  static final String LT_SDP = "a=x-lt:";
  static final String LT = "lt=";

  private final String offerEscaped;
  private final String answerEscaped;

  /** @param sdpBytes approximate size of the offer and answer SDPs */
  public Messages(int sdpBytes) {
    this.offerEscaped = escape(Sdp.generate("offer", sdpBytes));
    this.answerEscaped = escape(Sdp.generate("answer", sdpBytes));
  }

  public static String join(String streamId) {
    return "{\"command\":\"join\",\"streamId\":\"" + streamId + "\"}";
  }

  public static String leave(String streamId) {
    return "{\"command\":\"leave\",\"streamId\":\"" + streamId + "\"}";
  }

  public static String ping() {
    return "{\"command\":\"ping\"}";
  }

  public String offer(String streamId, long intendedNanos) {
    return configuration(streamId, "offer", offerEscaped, intendedNanos);
  }

  public String answer(String streamId, long intendedNanos) {
    return configuration(streamId, "answer", answerEscaped, intendedNanos);
  }

  private static String configuration(String streamId, String type, String sdpEscaped, long intendedNanos) {
    return "{\"command\":\"takeConfiguration\",\"streamId\":\"" + streamId + "\",\"type\":\"" + type
        + "\",\"sdp\":\"" + sdpEscaped + LT_SDP + intendedNanos + "\\r\\n\"}";
  }

  /** A host candidate as a browser writes it, numbered {@code n}. */
  public static String candidate(String streamId, int n, long intendedNanos) {
    return "{\"command\":\"takeCandidate\",\"streamId\":\"" + streamId + "\",\"label\":0,\"id\":\"0\","
        + "\"candidate\":\"candidate:" + (1_000_000 + n) + " 1 udp 2122260223 127.0.0.1 " + (40000 + n % 20000)
        + " typ host generation 0 ufrag Ld8x network-id 1 " + LT + intendedNanos + "\"}";
  }

  public static String peerMessage(String streamId, long intendedNanos) {
    return "{\"command\":\"peerMessageCommand\",\"streamId\":\"" + streamId
        + "\",\"definition\":\"loadtest\",\"data\":\"" + LT + intendedNanos + "\"}";
  }

  /** The intended send time carried by a relayed message, or -1 when it carries none. */
  static long intendedNanos(Reply m) {
    String command = m.command();
    String carrier = switch (command) {
      case "takeConfiguration", "takeCandidate", "peerMessageCommand", "OFFER", "ANSWER", "CANDIDATE" -> m.carrier();
      default -> null;
    };
    if (carrier == null) {
      return -1;
    }
    String marker = command.equals("takeConfiguration") || command.equals("OFFER") || command.equals("ANSWER")
        ? LT_SDP : LT;
    int at = carrier.lastIndexOf(marker);
    if (at < 0) {
      return -1;
    }
    int from = at + marker.length();
    int to = from;
    while (to < carrier.length() && (Character.isDigit(carrier.charAt(to)) || (to == from && carrier.charAt(to) == '-'))) {
      to++;
    }
    try {
      return Long.parseLong(carrier.substring(from, to));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** JSON string escaping for the SDP (quotes, backslashes and control characters). */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 64);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
