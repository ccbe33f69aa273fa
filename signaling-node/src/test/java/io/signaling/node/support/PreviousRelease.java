package io.signaling.node.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The runnable jar of the previous release, built from this repository's git history: the commit named in the test
 * resource {@code previous-release.txt} is exported with {@code git archive} into
 * {@code target/previous-release/<commit>/src} and packaged there with Maven (the same JDK, tests not compiled),
 * once per commit: the jar is kept as {@code target/previous-release/<commit>/signaling-node.jar}. Without git, Maven
 * or the commit (a shallow clone), the calling test is skipped saying why, and fails under CI ({@link Prerequisites}).
 */
public final class PreviousRelease {

  private static final Path ROOT = Path.of("target", "previous-release");
  /** Margin for a busy machine; the build takes about a minute on 2 shared cores. */
  private static final long BUILD_TIMEOUT_MINUTES = 10;

  private PreviousRelease() {
  }

  /** The commit id from {@code previous-release.txt} (its first line that is not blank or a comment). */
  public static String commit() {
    try (InputStream in = PreviousRelease.class.getResourceAsStream("/previous-release.txt")) {
      if (in == null) {
        throw new IllegalStateException("test resource previous-release.txt is missing");
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String l = line.trim();
        if (!l.isEmpty() && !l.startsWith("#")) {
          if (!l.matches("[0-9a-f]{7,40}")) {
            throw new IllegalStateException("previous-release.txt: '" + l + "' is not a commit id");
          }
          return l;
        }
      }
      throw new IllegalStateException("previous-release.txt names no commit");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The previous release's runnable jar, built now if it is not in {@code target/} yet. */
  public static Path jar() {
    String commit = commit();
    Path dir = ROOT.resolve(commit);
    Path jar = dir.resolve("signaling-node.jar");
    if (Files.isRegularFile(jar)) {
      return jar.toAbsolutePath();
    }
    Result top = run(Path.of("."), 1, "git", "rev-parse", "--show-toplevel");
    Prerequisites.require(top.ok(), "git and this project's repository, to build the previous release (" + top.output
        + ")");
    Path repo = Path.of(top.output.trim());
    Result known = run(repo, 1, "git", "cat-file", "-e", commit + "^{commit}");
    Prerequisites.require(known.ok(), "commit " + commit + " of the previous release in this clone (a full clone, not"
        + " a shallow one): " + known.output);
    Result maven = run(Path.of("."), 2, "mvn", "-v");
    Prerequisites.require(maven.ok(), "Maven (mvn on the PATH), to build the previous release: " + maven.output);
    long started = System.nanoTime();
    try {
      Path src = dir.resolve("src");
      delete(src);
      Files.createDirectories(src);
      Path tar = dir.resolve("src.tar");
      check(run(repo, 2, "git", "archive", "--format=tar", "-o", tar.toAbsolutePath().toString(), commit),
          "git archive " + commit);
      check(run(src, 2, "tar", "-xf", tar.toAbsolutePath().toString()), "tar -xf " + tar);
      Files.delete(tar);
      Path log = dir.resolve("build.log");
      Result build = run(src, BUILD_TIMEOUT_MINUTES, log, "mvn", "-B", "-ntp", "-q", "package",
          "-Dmaven.test.skip=true", "-pl", "signaling-node", "-am");
      if (!build.ok()) {
        throw new AssertionError("building the previous release " + commit + " failed; its log: " + log.toAbsolutePath()
            + "\n" + build.output);
      }
      Files.move(src.resolve("signaling-node/target/signaling-node.jar"), jar, StandardCopyOption.ATOMIC_MOVE);
      delete(src);
    } catch (IOException e) {
      throw new AssertionError("building the previous release " + commit + ": " + e, e);
    }
    Calls.record("previous release " + commit.substring(0, 7) + " built from git history in "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
    return jar.toAbsolutePath();
  }

  private record Result(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private static void check(Result r, String what) {
    if (!r.ok()) {
      throw new AssertionError(what + " failed: " + r.output);
    }
  }

  private static Result run(Path dir, long timeoutMinutes, String... command) {
    return run(dir, timeoutMinutes, null, command);
  }

  /** Runs {@code command} in {@code dir}; its output goes to {@code log} (and is returned) or is returned. */
  private static Result run(Path dir, long timeoutMinutes, Path log, String... command) {
    try {
      Path out = log != null ? log : Files.createTempFile("previous-release", ".out");
      ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile());
      // the enclosing Maven run's own variables describe the enclosing project, not this one
      builder.environment().remove("MAVEN_PROJECTBASEDIR");
      builder.environment().remove("MAVEN_CMD_LINE_ARGS");
      Process p = builder.start();
      boolean done = p.waitFor(timeoutMinutes, TimeUnit.MINUTES);
      if (!done) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      String text = Files.readString(out);
      if (log == null) {
        Files.deleteIfExists(out);
      }
      String tail = text.length() > 4000 ? text.substring(text.length() - 4000) : text;
      return new Result(done ? p.exitValue() : -1, done ? tail : "timed out after " + timeoutMinutes + " min: " + tail);
    } catch (IOException e) {
      return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(all::add);
    }
    for (Path p : all) {
      Files.delete(p);
    }
  }
}
