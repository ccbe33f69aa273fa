package io.signaling.node.protocol;

/** Ant Media's stream id rule: one or more of {@code [A-Za-z0-9_.-]}, here also bounded in length. */
public final class StreamIds {

  private StreamIds() {
  }

  public static boolean isValid(String streamId, int maxLength) {
    int n = streamId.length();
    if (n == 0 || n > maxLength) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = streamId.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
