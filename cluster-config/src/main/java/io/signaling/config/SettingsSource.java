package io.signaling.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Raw setting values: the environment, overridden by command-line flags ({@code --http-port 5081} or
 * {@code --http-port=5081}), parsed with picocli. Unknown flags and flags without a value are rejected
 * with a message that names them.
 */
public final class SettingsSource {

  private final Map<String, String> values;

  private SettingsSource(Map<String, String> values) {
    this.values = values;
  }

  public static SettingsSource of(Map<String, String> values) {
    return new SettingsSource(new HashMap<>(values));
  }

  /** The picocli model of a command whose options are the given settings, plus --help. */
  public static CommandLine commandLine(String name, Collection<Setting<?>> known) {
    CommandSpec spec = CommandSpec.create().name(name).mixinStandardHelpOptions(false);
    spec.usageMessage().description("Every option can also be set by the environment variable named in its "
        + "description. Give secrets (marked 'secret') in the environment, not as flags: a flag's value is visible "
        + "to every user of the machine in the process list (ps).");
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
    spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print the version and exit.")
        .build());
    for (Setting<?> s : known) {
      spec.addOption(OptionSpec.builder(s.flag())
          .paramLabel("VALUE")
          .type(String.class)
          .description(s.description() + (s.isSecret() ? " Secret: prefer the environment to this flag (ps shows "
              + "flags)." : "") + " [" + s.env() + "; default: "
              + (s.defaultValue().isEmpty() ? "unset" : s.defaultValue()) + "]")
          .build());
    }
    return new CommandLine(spec);
  }

  /**
   * Combines the environment and the command line, the command line winning.
   *
   * @throws ConfigException for an unknown flag or a flag without a value
   */
  public static SettingsSource fromEnvAndArgs(Map<String, String> env, String[] args, Collection<Setting<?>> known) {
    Map<String, String> values = new HashMap<>(env);
    CommandLine cli = commandLine("signaling-node", known);
    CommandLine.ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (ParameterException e) {
      throw new ConfigException(e.getMessage() + " (see --help)");
    }
    for (Setting<?> s : known) {
      if (parsed.hasMatchedOption(s.flag())) {
        values.put(s.env(), parsed.matchedOptionValue(s.flag(), ""));
      }
    }
    return new SettingsSource(values);
  }

  /** True when {@code --help} or {@code -h} is among the arguments. */
  public static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  public <T> T get(Setting<T> setting) {
    return setting.parse(values.get(setting.env()));
  }

  /** True when the setting was given explicitly (environment or flag) and is not blank. */
  public boolean isSet(Setting<?> setting) {
    String value = values.get(setting.env());
    return value != null && !value.isBlank();
  }

  /**
   * "NAME=value" lines for the settings given a value other than their default, secrets redacted: the start-up log's
   * line at INFO ({@link #describe} lists every setting).
   */
  public List<String> describeChanged(Collection<Setting<?>> settings) {
    List<String> lines = new ArrayList<>();
    for (Setting<?> s : settings) {
      String raw = values.get(s.env());
      if (raw != null && !raw.trim().equals(s.defaultValue())) {
        lines.add(s.env() + "=" + (s.isSecret() && !raw.isEmpty() ? "<redacted>" : raw));
      }
    }
    return lines;
  }

  /** "NAME=value" lines for the given settings, secrets redacted, for the start-up log. */
  public List<String> describe(Collection<Setting<?>> settings) {
    List<String> lines = new ArrayList<>();
    for (Setting<?> s : settings) {
      String raw = values.getOrDefault(s.env(), s.defaultValue());
      lines.add(s.env() + "=" + (s.isSecret() && !raw.isEmpty() ? "<redacted>" : raw));
    }
    return lines;
  }
}
