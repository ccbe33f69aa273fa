package io.signaling.node.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;

/**
 * The wire codec: one JSON object per text frame. Decoding is strict (one object, no duplicate keys,
 * typed fields) and reads each frame once with a streaming parser; encoding writes each reply once.
 * Pure Java: no Vert.x, no Hazelcast.
 */
public final class ProtocolCodec {

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();

  public static final String PONG = "{\"command\":\"pong\"}";
  public static final String SERVER_WILL_STOP = "{\"command\":\"notification\",\"definition\":\"server_will_stop\"}";

  private final int maxStreamIdLength;

  public ProtocolCodec(int maxStreamIdLength) {
    this.maxStreamIdLength = maxStreamIdLength;
  }

  // ---------------------------------------------------------------- decoding

  /** Decodes one text frame. Never throws for any input. */
  public Inbound decode(String text) {
    Fields f = new Fields(text);
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return invalid(ErrorDefinition.MALFORMED_MESSAGE, null);
      }
      JsonToken token;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        f.read(name, value, p);
      }
      if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
        return invalid(ErrorDefinition.MALFORMED_MESSAGE, null);
      }
    } catch (IOException | RuntimeException e) {
      return invalid(ErrorDefinition.MALFORMED_MESSAGE, null);
    }
    return f.validate(text);
  }

  private static Inbound invalid(ErrorDefinition definition, String streamId) {
    return new Inbound.Invalid(definition, streamId, null);
  }

  /** The fields of one message as read, before validation. */
  private final class Fields {
    final String text;
    String command;
    boolean commandPresent;
    boolean commandNotString;
    JsonToken streamIdToken;
    String streamId;
    String mode;
    String token;
    JsonToken typeToken;
    String type;
    JsonToken sdpToken;
    String sdp;
    String sdpLiteral;
    JsonToken labelToken;
    String label;
    JsonToken idToken;
    String id;
    JsonToken candidateToken;
    String candidate;
    String candidateLiteral;
    String badField;

    Fields(String text) {
      this.text = text;
    }

    void read(String name, JsonToken value, JsonParser p) throws IOException {
      switch (name) {
        case "command":
          commandPresent = true;
          if (value == JsonToken.VALUE_STRING) {
            command = p.getText();
          } else {
            commandNotString = value != JsonToken.VALUE_NULL;
          }
          break;
        case "streamId":
          streamIdToken = value;
          streamId = value == JsonToken.VALUE_STRING ? p.getText() : null;
          break;
        case "mode":
          mode = value == JsonToken.VALUE_STRING ? p.getText() : null;
          break;
        case "token":
          token = value == JsonToken.VALUE_STRING ? p.getText() : null;
          break;
        case "type":
          typeToken = value;
          type = value == JsonToken.VALUE_STRING ? p.getText() : null;
          break;
        case "sdp":
          sdpToken = value;
          sdp = value == JsonToken.VALUE_STRING ? p.getText() : null;
          sdpLiteral = sdp == null ? null : literal(p);
          break;
        case "label":
          labelToken = value;
          label = value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT ? p.getText() : null;
          break;
        case "id":
          idToken = value;
          id = value == JsonToken.VALUE_STRING ? p.getText() : null;
          break;
        case "candidate":
          candidateToken = value;
          candidate = value == JsonToken.VALUE_STRING ? p.getText() : null;
          candidateLiteral = candidate == null ? null : literal(p);
          break;
        default:
          break;
      }
      p.skipChildren();
    }

    /**
     * The string value just read, as its JSON literal in the frame (quotes included), for relaying it without
     * encoding it again; null when the parser's offsets do not frame a literal (then the value is quoted anew).
     */
    private String literal(JsonParser p) {
      long start = p.currentTokenLocation().getCharOffset();
      long end = p.currentLocation().getCharOffset();
      if (start < 0 || end > text.length() || end - start < 2 || text.charAt((int) start) != '"'
          || text.charAt((int) end - 1) != '"') {
        return null;
      }
      return text.substring((int) start, (int) end);
    }

    Inbound validate(String text) {
      if (!commandPresent || command == null) {
        return commandNotString
            ? new Inbound.Invalid(ErrorDefinition.INVALID_FIELD, echo(), "command")
            : invalid(ErrorDefinition.NO_COMMAND_SPECIFIED, echo());
      }
      Command c = Command.fromWire(command);
      if (c == null) {
        return invalid(ErrorDefinition.UNKNOWN_COMMAND, echo());
      }
      if (c.needsStreamId()) {
        if (streamIdToken == null || streamIdToken == JsonToken.VALUE_NULL
            || (streamId != null && streamId.isEmpty())) {
          return invalid(ErrorDefinition.NO_STREAM_NAME_SPECIFIED, null);
        }
        if (streamId == null) {
          return invalid(ErrorDefinition.INVALID_STREAM_NAME, null);
        }
        if (!StreamIds.isValid(streamId, maxStreamIdLength)) {
          return invalid(ErrorDefinition.INVALID_STREAM_NAME, streamId.length() <= maxStreamIdLength ? streamId : null);
        }
      }
      switch (c) {
        case TAKE_CONFIGURATION:
          require("type", typeToken, type);
          require("sdp", sdpToken, sdp);
          break;
        case TAKE_CANDIDATE:
          require("label", labelToken, label);
          require("id", idToken, id);
          require("candidate", candidateToken, candidate);
          break;
        default:
          break;
      }
      if (badField != null) {
        return new Inbound.Invalid(ErrorDefinition.INVALID_FIELD, c.needsStreamId() ? streamId : null, badField);
      }
      String sid = c.needsStreamId() ? streamId : null;
      boolean playOnly = "play".equals(mode);
      return new Inbound.Valid(new ClientMessage(c, sid, playOnly, token, type, sdp, label, id, candidate, text,
          sdpLiteral, candidateLiteral));
    }

    private void require(String name, JsonToken token, String value) {
      if (badField == null && (token == null || value == null)) {
        badField = name;
      }
    }

    /** The stream id, when it is safe to send back. */
    private String echo() {
      return streamId != null && StreamIds.isValid(streamId, maxStreamIdLength) ? streamId : null;
    }
  }

  // ---------------------------------------------------------------- encoding

  public static String joined(String streamId) {
    return notification("joined", streamId);
  }

  public static String leaved(String streamId) {
    return notification("leaved", streamId);
  }

  public static String start(String streamId) {
    return "{\"command\":\"start\",\"streamId\":\"" + streamId + "\"}";
  }

  public static String stop(String streamId) {
    return "{\"command\":\"stop\",\"streamId\":\"" + streamId + "\"}";
  }

  /** Stream ids are validated to {@code [A-Za-z0-9_.-]}, so they need no escaping. */
  private static String notification(String definition, String streamId) {
    return "{\"command\":\"notification\",\"definition\":\"" + definition + "\",\"streamId\":\"" + streamId + "\"}";
  }

  /** {@code takeConfiguration} as relayed: the sdp byte for byte, plus the {@code idMapping} the JS SDK needs. */
  public static String takeConfiguration(String streamId, String type, String sdp) {
    StringBuilder out = new StringBuilder(sdp.length() + streamId.length() + 96);
    out.append("{\"command\":\"takeConfiguration\",\"streamId\":\"").append(streamId).append("\",\"type\":");
    quote(out, type);
    out.append(",\"sdp\":");
    quote(out, sdp);
    out.append(",\"idMapping\":{}}");
    return out.toString();
  }

  /**
   * {@code takeConfiguration} as relayed for a decoded message: the sdp's literal as received when known (no second
   * pass over a few kilobytes of SDP), else quoted from the decoded value. Both are the same JSON value.
   */
  public static String takeConfiguration(ClientMessage m) {
    String sdp = m.sdpLiteral();
    if (sdp == null) {
      return takeConfiguration(m.streamId(), m.type(), m.sdp());
    }
    StringBuilder out = new StringBuilder(sdp.length() + m.streamId().length() + 96);
    out.append("{\"command\":\"takeConfiguration\",\"streamId\":\"").append(m.streamId()).append("\",\"type\":");
    quote(out, m.type());
    return out.append(",\"sdp\":").append(sdp).append(",\"idMapping\":{}}").toString();
  }

  /** {@code takeCandidate} as relayed for a decoded message: the candidate's literal as received when known. */
  public static String takeCandidate(ClientMessage m) {
    String candidate = m.candidateLiteral();
    if (candidate == null) {
      return takeCandidate(m.streamId(), m.label(), m.id(), m.candidate());
    }
    StringBuilder out = new StringBuilder(candidate.length() + m.id().length() + m.streamId().length() + 96);
    out.append("{\"command\":\"takeCandidate\",\"streamId\":\"").append(m.streamId()).append("\",\"label\":")
        .append(m.label()).append(",\"id\":");
    quote(out, m.id());
    return out.append(",\"candidate\":").append(candidate).append('}').toString();
  }

  /** {@code takeCandidate} as relayed: label a JSON number, id and candidate strings, unchanged. */
  public static String takeCandidate(String streamId, String label, String id, String candidate) {
    StringBuilder out = new StringBuilder(candidate.length() + id.length() + streamId.length() + 96);
    out.append("{\"command\":\"takeCandidate\",\"streamId\":\"").append(streamId).append("\",\"label\":")
        .append(label).append(",\"id\":");
    quote(out, id);
    out.append(",\"candidate\":");
    quote(out, candidate);
    out.append('}');
    return out.toString();
  }

  public static String iceServerConfig(String stunServerUri, String turnUsername, String turnCredential) {
    StringBuilder out = new StringBuilder("{\"command\":\"iceServerConfig\",\"stunServerUri\":");
    quote(out, stunServerUri);
    out.append(",\"turnServerUsername\":");
    quote(out, turnUsername);
    out.append(",\"turnServerCredential\":");
    quote(out, turnCredential);
    return out.append('}').toString();
  }

  public static String error(ErrorDefinition definition, String streamId) {
    return error(definition, streamId, null);
  }

  /** An {@code error}; {@code streamId} (when known) must be valid, {@code field} names an invalid field. */
  public static String error(ErrorDefinition definition, String streamId, String field) {
    StringBuilder out = new StringBuilder(96).append("{\"command\":\"error\",\"definition\":\"")
        .append(definition.wire()).append('"');
    if (streamId != null) {
      out.append(",\"streamId\":");
      quote(out, streamId);
    }
    if (field != null) {
      out.append(",\"field\":");
      quote(out, field);
    }
    return out.append('}').toString();
  }

  public static String error(Inbound.Invalid invalid) {
    return error(invalid.definition(), invalid.streamId(), invalid.field());
  }

  private static void quote(StringBuilder out, String value) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, out);
    out.append('"');
  }
}
