package io.signaling.node;

/** A node could not start; the message names the cause and the setting involved, in one line. */
public final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A start-up undone because a stop signal came before the node served. */
  static StartupException stopped() {
    return new StartupException("stopped during start-up", null);
  }
}
