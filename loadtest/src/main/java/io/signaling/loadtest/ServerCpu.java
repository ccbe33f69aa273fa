package io.signaling.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU time and resident memory of server processes on this machine, read from {@code /proc}: CPU as
 * utime + stime of {@code /proc/<pid>/stat} (every thread of the process, in clock ticks), memory as
 * {@code VmRSS} of {@code /proc/<pid>/status}. A sample taken before and after a run gives the servers' CPU
 * time spent on it, whatever else the machine did (the load generator included).
 */
final class ServerCpu {

  /** Linux's USER_HZ: the unit of utime and stime, 100 on every mainstream architecture. */
  static final long DEFAULT_TICKS_PER_SECOND = 100;

  /** One reading of every process: CPU nanoseconds and resident bytes, summed; {@code alive} false if one had gone. */
  record Sample(long cpuNanos, long rssBytes, boolean alive) { }

  private final List<Long> pids;
  private final Path proc;
  private final long ticksPerSecond;

  ServerCpu(List<Long> pids) {
    this(pids, Path.of("/proc"), DEFAULT_TICKS_PER_SECOND);
  }

  ServerCpu(List<Long> pids, Path proc, long ticksPerSecond) {
    this.pids = List.copyOf(pids);
    this.proc = proc;
    this.ticksPerSecond = ticksPerSecond;
  }

  List<Long> pids() {
    return pids;
  }

  /**
   * utime + stime, in clock ticks, from a {@code /proc/<pid>/stat} line. The command name (field 2) is in
   * parentheses and may itself hold spaces and parentheses, so fields are counted from the last ')'.
   */
  static long cpuTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc stat line: " + statLine);
    }
    String[] f = statLine.substring(close + 1).trim().split("\\s+");
    // after the name: state(3) ppid(4) ... utime is field 14, stime field 15, i.e. indexes 11 and 12 here
    if (f.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc stat line: " + statLine);
    }
    try {
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad utime/stime in /proc stat line: " + statLine, e);
    }
  }

  /** VmRSS in bytes from a {@code /proc/<pid>/status} text, or -1 when it has none (a zombie). */
  static long rssBytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] f = line.substring(6).trim().split("\\s+");
        long kib = Long.parseLong(f[0]);
        return kib * 1024;
      }
    }
    return -1;
  }

  /** Pids as given on a command line: comma-separated numbers. */
  static List<Long> parsePids(List<String> given) {
    List<Long> out = new ArrayList<>();
    if (given == null) {
      return out;
    }
    for (String raw : given) {
      for (String s : raw.split(",")) {
        if (s.isBlank()) {
          continue;
        }
        try {
          long pid = Long.parseLong(s.trim());
          if (pid <= 0) {
            throw new NumberFormatException();
          }
          out.add(pid);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a process id: " + s.trim());
        }
      }
    }
    return out;
  }

  /** The pids in the {@code node-*.pid} files of a local cluster's directory (see local-cluster.sh), in node order. */
  static List<Long> pidsFromDir(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().matches("node-\\d+\\.pid")).forEach(files::add);
    }
    files.sort(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString()
        .replaceAll("\\D", ""))));
    List<Long> pids = new ArrayList<>();
    for (Path p : files) {
      pids.add(Long.parseLong(Files.readString(p, StandardCharsets.US_ASCII).trim()));
    }
    if (pids.isEmpty()) {
      throw new IllegalArgumentException("no node-*.pid files in " + dir);
    }
    return pids;
  }

  /** Reads every process now. */
  Sample sample() {
    long ticks = 0;
    long rss = 0;
    boolean alive = true;
    for (long pid : pids) {
      try {
        ticks += cpuTicks(Files.readString(proc.resolve(pid + "/stat"), StandardCharsets.US_ASCII));
        long r = rssBytes(Files.readString(proc.resolve(pid + "/status"), StandardCharsets.US_ASCII));
        rss += Math.max(0, r);
      } catch (IOException | IllegalArgumentException e) {
        alive = false;
      }
    }
    return new Sample(ticks * (1_000_000_000L / ticksPerSecond), rss, alive);
  }

  /** Fails fast, before a run, when a process cannot be read. */
  void check() {
    for (long pid : pids) {
      if (!Files.isReadable(proc.resolve(pid + "/stat"))) {
        throw new IllegalArgumentException("no such process (cannot read /proc/" + pid + "/stat)");
      }
    }
  }
}
