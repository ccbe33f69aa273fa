package io.signaling.loadtest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The PeerJS server's protocol (npm {@code peer} 1.0.x), as its browser client speaks it. A client connects to
 * {@code <path>/peerjs?key=<key>&id=<id>&token=<token>}; the server answers {@code {"type":"OPEN"}} once the id
 * is registered (or {@code ERROR} / {@code ID-TAKEN} and closes). A client sends
 * {@code {"type":"OFFER"|"ANSWER"|"CANDIDATE","dst":<id>,"payload":{...}}}; the server relays
 * {@code {type, src, dst, payload}} to {@code dst} with {@code src} set to the sender's id (or queues it while
 * {@code dst} is not connected), and takes {@code HEARTBEAT} as a keep-alive. The payloads are those of the
 * PeerJS client: an SDP as {@code payload.sdp = {type, sdp}}, a candidate as {@code payload.candidate =
 * {candidate, sdpMLineIndex, sdpMid}}, and the media connection's id as {@code payload.connectionId}, which the
 * harness uses as the call's id (where our protocol has the streamId). The harness's intended send time rides
 * in the SDP and candidate text as in {@link Messages}.
 */
public final class PeerJsMessages {

  /** The server's default key (its {@code --key}). */
  public static final String DEFAULT_KEY = "peerjs";

  private static final JsonFactory JSON = new JsonFactory();

  private final String offerEscaped;
  private final String answerEscaped;

  /** @param sdpBytes approximate size of the offer and answer SDPs */
  public PeerJsMessages(int sdpBytes) {
    this.offerEscaped = Messages.escape(Sdp.generate("offer", sdpBytes));
    this.answerEscaped = Messages.escape(Sdp.generate("answer", sdpBytes));
  }

  /** The query a client connects with (appended to the target's path, which ends in {@code /peerjs}). */
  public static String query(String key, String id, String token) {
    return "key=" + key + "&id=" + id + "&token=" + token;
  }

  public static String heartbeat() {
    return "{\"type\":\"HEARTBEAT\"}";
  }

  public String offer(String dst, String connectionId, long intendedNanos) {
    return sdp("OFFER", "offer", dst, connectionId, offerEscaped, intendedNanos);
  }

  public String answer(String dst, String connectionId, long intendedNanos) {
    return sdp("ANSWER", "answer", dst, connectionId, answerEscaped, intendedNanos);
  }

  private static String sdp(String type, String sdpType, String dst, String connectionId, String sdpEscaped,
      long intendedNanos) {
    return "{\"type\":\"" + type + "\",\"dst\":\"" + dst + "\",\"payload\":{\"sdp\":{\"type\":\"" + sdpType
        + "\",\"sdp\":\"" + sdpEscaped + Messages.LT_SDP + intendedNanos + "\\r\\n\"},\"type\":\"media\","
        + "\"connectionId\":\"" + connectionId + "\",\"browser\":\"loadtest\"}}";
  }

  /** A host candidate as a browser writes it, numbered {@code n}. */
  public static String candidate(String dst, String connectionId, int n, long intendedNanos) {
    return "{\"type\":\"CANDIDATE\",\"dst\":\"" + dst + "\",\"payload\":{\"candidate\":{\"candidate\":\"candidate:"
        + (1_000_000 + n) + " 1 udp 2122260223 127.0.0.1 " + (40000 + n % 20000)
        + " typ host generation 0 ufrag Ld8x network-id 1 " + Messages.LT + intendedNanos
        + "\",\"sdpMLineIndex\":0,\"sdpMid\":\"0\"},\"type\":\"media\",\"connectionId\":\"" + connectionId + "\"}}";
  }

  /**
   * Reads a server message into the harness's {@link Reply}: the {@code type} as the command, the connection id
   * as the streamId, {@code payload.msg} (of an ERROR) as the definition, and the SDP or candidate text as the
   * carrier. Throws {@link IllegalArgumentException} when it is not a JSON object.
   */
  static Reply parse(String text) {
    String type = null;
    String msg = null;
    String connectionId = null;
    String carrier = null;
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("payload") && value == JsonToken.START_OBJECT) {
          for (JsonToken u = p.nextToken(); u == JsonToken.FIELD_NAME; u = p.nextToken()) {
            String inner = p.currentName();
            JsonToken v = p.nextToken();
            if ((inner.equals("sdp") || inner.equals("candidate")) && v == JsonToken.START_OBJECT) {
              // {type, sdp} or {candidate, sdpMLineIndex, sdpMid}: the text is the field named like the object
              for (JsonToken w = p.nextToken(); w == JsonToken.FIELD_NAME; w = p.nextToken()) {
                String leaf = p.currentName();
                JsonToken x = p.nextToken();
                if (leaf.equals(inner) && x == JsonToken.VALUE_STRING) {
                  carrier = p.getText();
                } else if (x == JsonToken.START_OBJECT || x == JsonToken.START_ARRAY) {
                  p.skipChildren();
                }
              }
            } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
              p.skipChildren();
            } else if (v == JsonToken.VALUE_STRING && inner.equals("connectionId")) {
              connectionId = p.getText();
            } else if (v == JsonToken.VALUE_STRING && inner.equals("msg")) {
              msg = p.getText();
            }
          }
          continue;
        }
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else if (value == JsonToken.VALUE_STRING && field.equals("type")) {
          type = p.getText();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("unparseable: " + e.getMessage(), e);
    }
    return new Reply(type == null ? "" : type, msg, connectionId, carrier);
  }
}
