package io.signaling.loadtest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What the harness needs of a message from a node, read in one streaming pass (Jackson's parser, no tree):
 * the command, the notification or error definition, the streamId, and for relayed messages the field that
 * carries the intended send time (sdp, candidate or data). Other fields are skipped.
 *
 * @param carrier the sdp, candidate or (string) data of a relayed message, else null
 */
record Reply(String command, String definition, String streamId, String carrier) {

  private static final JsonFactory JSON = new JsonFactory();

  /** Parses a message; throws {@link IllegalArgumentException} when it is not a JSON object. */
  static Reply parse(String text) {
    String command = null;
    String definition = null;
    String streamId = null;
    String carrier = null;
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          p.skipChildren();
          continue;
        }
        if (value != JsonToken.VALUE_STRING) {
          continue;
        }
        switch (field) {
          case "command" -> command = p.getText();
          case "definition" -> definition = p.getText();
          case "streamId" -> streamId = p.getText();
          case "sdp", "candidate", "data" -> carrier = p.getText();
          default -> { }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("unparseable: " + e.getMessage(), e);
    }
    return new Reply(command == null ? "" : command, definition, streamId, carrier);
  }

  /** The command, or for a notification its definition ("joined", "leaved", ...). */
  String kind() {
    return command.equals("notification") ? (definition == null ? "" : definition) : command;
  }

  /** An error reply: our protocol's {@code error}, or the PeerJS server's {@code ERROR} / {@code ID-TAKEN}. */
  boolean isError() {
    return command.equals("error") || command.equals("ERROR") || command.equals("ID-TAKEN");
  }
}
