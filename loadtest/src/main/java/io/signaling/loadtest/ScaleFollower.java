package io.signaling.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * A worker's side of a distributed run's scale events: the coordinator runs the events and the readiness poll,
 * and this asks it ({@code POST /scale}, every {@link #POLL_MILLIS}) for the current targets and the phase
 * boundaries so far. A target the coordinator added is added here (same index: the list is append-only and in
 * the coordinator's order); a readiness the coordinator changed is changed here (only a change, so a node this
 * worker saw refuse a call stays out of its ready set until the coordinator sees it come back); the phases
 * follow the coordinator's boundaries and settle what this worker measured up to the time the coordinator
 * answered for ({@link Phases#following}). Closing asks one last time, so the phases are known to the end.
 */
final class ScaleFollower implements ScaleEvents {

  static final long POLL_MILLIS = 250;

  private final WorkerLink link;
  private final TargetSet targets;
  private final PrintStream console;
  private final java.util.Map<Integer, Boolean> lastTold = new java.util.HashMap<>();
  private volatile boolean closed;
  private Phases phases;
  private Polling polling;
  private String lastProblem;

  ScaleFollower(WorkerLink link, TargetSet targets, PrintStream console) {
    this.link = link;
    this.targets = targets;
    this.console = console;
  }

  @Override
  public void start(long runStartNanos, Stats stats) {
    phases = Phases.following(runStartNanos);
    stats.phases(phases);
    polling = new Polling("scale-follower", POLL_MILLIS, this::ask).start();
  }

  /** One question to the coordinator, its answer applied; a failed one is reported once and tried again. */
  private synchronized void ask() {
    try {
      apply(link.scale());
      lastProblem = null;
    } catch (java.io.IOException | RuntimeException e) {
      if (!String.valueOf(e.getMessage()).equals(lastProblem)) {
        lastProblem = String.valueOf(e.getMessage());
        console.println("scale: the coordinator's targets and phases are not current: " + lastProblem);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Applies the coordinator's answer: {@code targets}, {@code ready}, {@code phases}, {@code asOfNanos}. */
  void apply(JsonObject state) {
    JsonArray uris = state.getJsonArray("targets", new JsonArray());
    JsonArray ready = state.getJsonArray("ready", new JsonArray());
    for (int i = targets.all().size(); i < uris.size(); i++) {
      Target t = targets.add(URI.create(uris.getString(i)));
      lastTold.put(t.index(), true);
      console.printf(Locale.ROOT, "scale: %s added by the coordinator%n", t.label());
    }
    for (int i = 0; i < ready.size() && i < uris.size(); i++) {
      boolean r = ready.getBoolean(i);
      Boolean before = lastTold.put(i, r);
      if (before == null ? !r : before != r) {
        targets.ready(i, r);
      }
    }
    if (phases == null) {
      return;
    }
    JsonArray boundaries = state.getJsonArray("phases", new JsonArray());
    List<java.util.Map.Entry<Phases.Kind, Long>> known = phases.boundaries();
    for (int i = known.size(); i < boundaries.size(); i++) {
      JsonObject b = boundaries.getJsonObject(i);
      phases.begin(Phases.Kind.valueOf(b.getString("kind")), phases.runStartNanos() + b.getLong("atNanos"));
    }
    Long asOf = state.getLong("asOfNanos");
    if (asOf != null) {
      phases.settle(phases.runStartNanos() + asOf);
    }
  }

  @Override
  public TargetSet targets() {
    return targets;
  }

  @Override
  public List<ScaleDriver.Record> records() {
    return List.of();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (polling != null) {
      polling.close();
      ask(); // the phases up to the end
    }
  }
}
