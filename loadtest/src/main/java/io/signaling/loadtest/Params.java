package io.signaling.loadtest;

import java.io.PrintStream;
import picocli.CommandLine;

/**
 * Parameter checks: a value below its minimum (e.g. a zero or negative rate) is an error naming the option;
 * a value above its maximum is clamped to it, with a note, so a run never starts with an absurd size.
 */
final class Params {

  private Params() {
  }

  static int range(CommandLine.Model.CommandSpec spec, String option, int value, int min, int max, PrintStream note) {
    return (int) range(spec, option, (long) value, min, max, note);
  }

  static long range(CommandLine.Model.CommandSpec spec, String option, long value, long min, long max,
      PrintStream note) {
    if (value < min) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          option + " must be at least " + min + " (was " + value + ")");
    }
    if (value > max) {
      note.printf("note: %s %d clamped to %d%n", option, value, max);
      return max;
    }
    return value;
  }

  static double range(CommandLine.Model.CommandSpec spec, String option, double value, double min, double max,
      PrintStream note) {
    if (Double.isNaN(value) || value < min) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          option + " must be at least " + min + " (was " + value + ")");
    }
    if (value > max) {
      note.printf("note: %s %s clamped to %s%n", option, value, max);
      return max;
    }
    return value;
  }
}
