package io.signaling.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One scale event of a run: at {@code atSeconds} after the measured run started, start one more node or drain
 * (SIGTERM) the newest node the run started. Written on the command line as {@code 30:start,60:drain}.
 */
record ScaleEvent(double atSeconds, Kind kind) {

  enum Kind {
    START, DRAIN;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Parses {@code SECONDS:start|drain[,...]}. Times must rise strictly and lie within the run
   * ({@code 0 <= t < durationSeconds}); a drain needs a node the run started and has not drained yet, because
   * the nodes the run started with hold its long calls (a drain keeps calls, so it would last as long as they do).
   */
  static List<ScaleEvent> parse(String spec, double durationSeconds) {
    List<ScaleEvent> events = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--events needs at least one event, e.g. 30:start,60:drain");
    }
    int started = 0;
    for (String part : spec.split(",")) {
      String p = part.trim();
      int colon = p.indexOf(':');
      if (colon <= 0 || colon == p.length() - 1) {
        throw new IllegalArgumentException("scale event '" + p + "' is not SECONDS:start or SECONDS:drain");
      }
      double at;
      try {
        at = Double.parseDouble(p.substring(0, colon).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("scale event '" + p + "': '" + p.substring(0, colon) + "' is not a number of seconds");
      }
      Kind kind = switch (p.substring(colon + 1).trim().toLowerCase(Locale.ROOT)) {
        case "start" -> Kind.START;
        case "drain" -> Kind.DRAIN;
        default -> throw new IllegalArgumentException("scale event '" + p + "': the kind must be start or drain");
      };
      if (!(at >= 0) || Double.isInfinite(at)) {
        throw new IllegalArgumentException("scale event '" + p + "': the time must be 0 or more seconds");
      }
      if (at >= durationSeconds) {
        throw new IllegalArgumentException("scale event '" + p + "' is not within the run (--duration "
            + fmt(durationSeconds) + " s)");
      }
      if (!events.isEmpty() && at <= events.get(events.size() - 1).atSeconds()) {
        throw new IllegalArgumentException("scale event '" + p + "': times must rise from one event to the next");
      }
      if (kind == Kind.START) {
        started++;
      } else if (started-- == 0) {
        throw new IllegalArgumentException("scale event '" + p + "': a drain needs a node this run started "
            + "and has not drained yet");
      }
      events.add(new ScaleEvent(at, kind));
    }
    return List.copyOf(events);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : Double.toString(v);
  }

  @Override
  public String toString() {
    return fmt(atSeconds) + ":" + kind.label();
  }
}
