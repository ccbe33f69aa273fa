package io.signaling.node.support;

import org.junit.jupiter.api.Assumptions;

/**
 * What a suite needs from the machine (Docker, Chromium, Node.js, root for network namespaces). On a
 * developer's machine a suite without it is skipped, saying why; under CI ({@code CI=true}), where
 * {@code .ci/} installs everything, it fails instead, naming what is missing, so a green run never hides a
 * suite that did not run.
 */
public final class Prerequisites {

  private Prerequisites() {
  }

  /** True when running under CI, where every prerequisite must be present. */
  public static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips (or, under CI, fails) the calling test unless {@code present}; {@code missing} names what is not. */
  public static void require(boolean present, String missing) {
    if (present) {
      return;
    }
    if (underCi()) {
      throw new AssertionError("CI=true but this suite cannot run: " + missing
          + " (.ci/ is meant to provide it; see its setup scripts' output)");
    }
    Assumptions.abort("skipped: " + missing);
  }
}
