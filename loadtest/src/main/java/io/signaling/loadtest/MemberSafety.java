package io.signaling.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a cluster is member-safe, as its nodes say: every member's {@code /health/safe} (a safety check begun
 * when asked: no migration running, no replica without an owner, the backups of the member's partitions in sync)
 * answers 200, and every member sees the expected number of members. Polled until it holds or a deadline passes.
 */
final class MemberSafety {

  private static final Pattern MEMBERS = Pattern.compile("\"members\":(\\d+)");
  private static final long POLL_MILLIS = 100;

  private final HttpClient http;

  MemberSafety(HttpClient http) {
    this.http = http;
  }

  /** True when every management base answers {@code /health/safe} 200 and sees {@code members} members. */
  boolean allSafe(List<String> managementBases, int members) {
    for (String base : managementBases) {
      if (!safe(base, members)) {
        return false;
      }
    }
    return !managementBases.isEmpty();
  }

  private boolean safe(String base, int members) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health/safe"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = MEMBERS.matcher(r.body());
      return r.statusCode() == 200 && m.find() && Integer.parseInt(m.group(1)) == members;
    } catch (IOException | NumberFormatException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Polls until every member is safe ({@code System.nanoTime()} then) or {@code deadlineNanos} passed or
   * {@code stop} says so (-1 then).
   */
  long await(java.util.function.Supplier<List<String>> managementBases, int members, long deadlineNanos,
      java.util.function.BooleanSupplier stop) throws InterruptedException {
    while (!stop.getAsBoolean() && System.nanoTime() - deadlineNanos < 0) {
      if (allSafe(managementBases.get(), members)) {
        return System.nanoTime();
      }
      Thread.sleep(POLL_MILLIS);
    }
    return -1;
  }
}
