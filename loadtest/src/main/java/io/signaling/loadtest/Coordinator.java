package io.signaling.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The coordinator of a distributed run. Workers register ({@code POST /register}: an index and the scenario's
 * arguments back), say they are alive ({@code /alive}, every 2 s), report their lanes prepared ({@code /ready},
 * answered for all at once with the common start time once every worker is ready), ship every closed second
 * ({@code /interval}) and, at the end, their whole-run figures ({@code /result}). The coordinator merges the
 * seconds into one progress line and one time series ({@link WorkerSeconds}), and the whole-run figures, the
 * histograms added up ({@link Histogram#add}), into one {@link RunResult} with a per-worker breakdown and the
 * room fill the workers shared ({@link WorkerResults}). A worker that dies (its
 * process exits, or it is silent for {@link #SILENCE_MILLIS}) before delivering is reported and fails the run;
 * one lost before the start calls the run off.
 *
 * <p>A {@code scale} run's events happen here: the coordinator runs the {@link ScaleDriver} (the nodes started
 * and drained, the readiness poll) from the common start, and its workers ask for the current targets and phase
 * boundaries ({@code /scale}, see {@link ScaleFollower}); they ship their figures per phase, which are added up
 * into the coordinator's phases.
 */
final class Coordinator implements AutoCloseable {

  /** A worker not heard from for this long is lost. */
  static final long SILENCE_MILLIS = 20_000;

  private final Scenario scenario;
  private final int count;
  private final List<String> workerArgs;
  private final PrintStream console;
  private final List<WorkerState> workers = new ArrayList<>();
  private final WorkerSeconds seconds;
  private final List<HttpServerRequest> waitingForStart = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private HttpServer server;
  private String abort;
  private Long startAtEpochMillis;
  private final long silenceMillis;
  private ScaleDriver scale;
  private Stats scaleStats;
  private long runStartNanos;
  /** A worker's figures wait this long after they happened before the phases they belong to are settled. */
  static final long SETTLE_MARGIN_NANOS = 1_000_000_000L;

  /** @param workerArgs the scenario's command line every worker runs (its share of) */
  Coordinator(Scenario scenario, int count, List<String> workerArgs, PrintStream console) {
    this(scenario, count, workerArgs, console, SILENCE_MILLIS);
  }

  /** As above; a worker silent for {@code silenceMillis} is lost. */
  Coordinator(Scenario scenario, int count, List<String> workerArgs, PrintStream console, long silenceMillis) {
    this.silenceMillis = silenceMillis;
    this.scenario = scenario;
    this.count = count;
    this.workerArgs = List.copyOf(workerArgs);
    this.console = console;
    for (int i = 0; i < count; i++) {
      workers.add(new WorkerState(i));
    }
    this.seconds = new WorkerSeconds(scenario, workers, console);
  }

  /** Runs {@code driver}'s scale events from the common start, for the workers to follow (before {@link #listen}). */
  synchronized void scale(ScaleDriver driver) {
    this.scale = driver;
  }

  /** The scale run's phases as the coordinator keeps them (null before the start, or when not a scale run). */
  synchronized Phases phases() {
    return scaleStats == null ? null : scaleStats.phases();
  }

  /** Listens on {@code port} (0: any free one) of loopback only; returns the port. */
  int listen(int port) throws Exception {
    return listen(port, "127.0.0.1");
  }

  /** Listens on {@code port} (0: any free one) of {@code host} (0.0.0.0: every interface); returns the port. */
  int listen(int port, String host) throws Exception {
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    request.body().onComplete(b -> {
      if (b.failed() || !"POST".equals(request.method().name())) {
        request.response().setStatusCode(400).end("POST a JSON body");
        return;
      }
      JsonObject body;
      try {
        body = b.result().toJsonObject();
      } catch (RuntimeException e) {
        request.response().setStatusCode(400).end("not JSON: " + e.getMessage());
        return;
      }
      synchronized (this) {
        try {
          answer(request, body);
        } catch (RuntimeException e) {
          request.response().setStatusCode(400).end(String.valueOf(e.getMessage()));
        }
        notifyAll();
      }
    });
  }

  private void answer(HttpServerRequest request, JsonObject body) {
    String path = request.path();
    if (path.equals("/register")) {
      WorkerState w = claim(body.getInteger("index", -1));
      if (w == null) {
        request.response().setStatusCode(409).end("all " + count + " workers are registered");
        return;
      }
      w.registered = true;
      w.host = body.getString("host", "?");
      w.pid = body.getLong("pid", -1L);
      w.lastHeard = System.nanoTime();
      console.printf(Locale.ROOT, "worker %d registered (%s, pid %d)%n", w.index, w.host, w.pid);
      request.response().end(new JsonObject().put("index", w.index).put("count", count)
          .put("args", new JsonArray(new ArrayList<>(workerArgs))).encode());
      return;
    }
    WorkerState w = known(body.getInteger("index", -1));
    if (w == null) {
      request.response().setStatusCode(404).end("unknown worker");
      return;
    }
    w.lastHeard = System.nanoTime();
    switch (path) {
      case "/alive" -> request.response().end("{}");
      case "/ready" -> {
        w.ready = true;
        waitingForStart.add(request);
        if (abort != null) {
          releaseStart();
        } else if (workers.stream().allMatch(x -> x.ready)) {
          startAtEpochMillis = System.currentTimeMillis() + 1_000;
          runStartNanos = System.nanoTime() + 1_000_000_000L;
          console.printf(Locale.ROOT, "all %d workers prepared; starting together%n", count);
          if (scale != null) {
            scaleStats = new Stats(runStartNanos);
            scale.start(runStartNanos, scaleStats);
          }
          releaseStart();
        }
      }
      case "/scale" -> request.response().end(scaleState().encode());
      case "/interval" -> {
        seconds.add(w, body);
        request.response().end("{}");
      }
      case "/result" -> {
        if (w.lost == null) {
          w.result = body;
          console.printf(Locale.ROOT, "worker %d delivered its figures%n", w.index);
          seconds.printReady();
        }
        request.response().end("{}");
      }
      default -> request.response().setStatusCode(404).end("no such endpoint");
    }
  }

  /**
   * For {@code /scale}: every target (in index order) and whether it is ready, the phases begun after
   * {@code steady} (nanoseconds since the start), and the time up to which they are known ({@code asOfNanos}:
   * now less {@link #SETTLE_MARGIN_NANOS}, as a boundary is begun a moment after the time it names).
   */
  private JsonObject scaleState() {
    if (scale == null) {
      throw new IllegalArgumentException("not a scale run");
    }
    JsonArray uris = new JsonArray();
    JsonArray ready = new JsonArray();
    for (Target t : scale.targets().all()) {
      uris.add(t.uri().toString());
      ready.add(scale.targets().isReady(t.index()));
    }
    JsonObject state = new JsonObject().put("targets", uris).put("ready", ready);
    Phases phases = scaleStats == null ? null : scaleStats.phases();
    if (phases != null) {
      JsonArray boundaries = new JsonArray();
      phases.boundaries().forEach(b -> boundaries.add(new JsonObject().put("kind", b.getKey().name())
          .put("atNanos", b.getValue())));
      state.put("phases", boundaries).put("asOfNanos",
          Math.max(0, System.nanoTime() - SETTLE_MARGIN_NANOS - runStartNanos));
    }
    return state;
  }

  private WorkerState claim(int wanted) {
    if (wanted >= 0 && wanted < count && !workers.get(wanted).registered) {
      return workers.get(wanted);
    }
    return workers.stream().filter(x -> !x.registered).findFirst().orElse(null);
  }

  private WorkerState known(int index) {
    return index >= 0 && index < count && workers.get(index).registered ? workers.get(index) : null;
  }

  private void releaseStart() {
    JsonObject reply = abort != null ? new JsonObject().put("abort", abort)
        : new JsonObject().put("startAtEpochMillis", startAtEpochMillis);
    for (HttpServerRequest r : waitingForStart) {
      r.response().end(reply.encode());
    }
    waitingForStart.clear();
  }

  /** Starts the workers as processes of this machine, their output in {@code logDir}/worker-N.log. */
  void spawn(int port, Path logDir) throws IOException {
    Files.createDirectories(logDir);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (WorkerState w : workers) {
      List<String> command = List.of(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          LoadTest.class.getName(), "worker", "--coordinator", "http://127.0.0.1:" + port, "--index",
          Integer.toString(w.index));
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(logDir.resolve("worker-" + w.index + ".log").toFile()).start();
      synchronized (this) {
        w.process = p;
      }
      console.printf(Locale.ROOT, "worker %d started: pid %d%n", w.index, p.pid());
      // the workers started here end with this process, however it ends
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
      p.onExit().thenAccept(done -> lose(w, "its process exited with status " + done.exitValue()));
    }
  }

  private synchronized void lose(WorkerState w, String why) {
    if (w.settled()) {
      return;
    }
    w.lost = why;
    console.printf(Locale.ROOT, "WORKER %d LOST: %s; its figures are missing and the run fails%n", w.index, why);
    if (startAtEpochMillis == null && abort == null) {
      abort = "worker " + w.index + " was lost before the start (" + why + ")";
      releaseStart();
    }
    seconds.printReady();
    notifyAll();
  }

  /**
   * Waits for every worker to register and prepare, then for the run and every worker's figures (at most
   * {@code runMillis} after the start). Returns null when the run started, or why it could not.
   */
  String await(long registerMillis, long runMillis) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(registerMillis);
    synchronized (this) {
      while (startAtEpochMillis == null && abort == null) {
        if (System.nanoTime() - until > 0) {
          abort = workers.stream().filter(w -> !w.registered).count() + " of " + count
              + " workers did not register and prepare within " + registerMillis / 1000 + " s";
          releaseStart();
          break;
        }
        checkSilence(false);
        wait(200);
      }
      if (abort != null) {
        return abort;
      }
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis);
      while (!workers.stream().allMatch(WorkerState::settled)) {
        if (System.nanoTime() - end > 0) {
          workers.stream().filter(w -> !w.settled()).forEach(w -> lose(w, "no figures within the run's time"));
          break;
        }
        checkSilence(true);
        wait(200);
      }
    }
    endScale();
    return null;
  }

  /** Stops the scale events once the workers are done, and ends the last phase where the longest run ended. */
  private void endScale() {
    ScaleDriver driver;
    double runSeconds = 0;
    synchronized (this) {
      driver = scale;
      for (WorkerState w : workers) {
        if (w.result != null) {
          runSeconds = Math.max(runSeconds, w.result.getDouble("runSeconds", 0.0));
        }
      }
    }
    if (driver == null || scaleStats == null) {
      return;
    }
    driver.close();
    scaleStats.phases().end(runStartNanos + (long) (runSeconds * 1e9));
  }

  private void checkSilence(boolean running) {
    for (WorkerState w : workers) {
      if (!w.settled() && (w.registered || running)
          && System.nanoTime() - w.lastHeard > TimeUnit.MILLISECONDS.toNanos(silenceMillis)) {
        lose(w, String.format(Locale.ROOT, "silent for %.1f s", silenceMillis / 1000.0));
      }
    }
  }

  /**
   * The merged run: histograms added up, counters summed, every worker's own figures, the scale run's phases
   * and events, and the room fill the workers shared.
   */
  synchronized RunResult merge(Harness.Options options, Map<String, Object> parameters, List<Target> targets,
      boolean sliced) {
    WorkerResults r = new WorkerResults(workers, targets, options.crossNode());
    List<Phases.Summary> phases = List.of();
    List<ScaleDriver.Record> events = List.of();
    List<Target> reported = targets;
    if (scale != null) {
      reported = scale.targets().all();
      events = scale.records();
      if (scaleStats != null) {
        phases = Shipment.addPhases(scaleStats.phases().summaries(System.nanoTime()), r.phases);
        Shipment.addLongs(r.errors, scaleStats.errors());
      }
    }
    Map<String, Object> p = new LinkedHashMap<>(parameters);
    RoomFill.Outcome fill = r.fill();
    if (fill != null) {
      p.put("fill", fill.toJson());
      console.println(fill.line() + " over " + count + " workers");
    }
    p.put("crossNode", options.crossNode());
    p.put("threads", options.threads());
    p.put("workers", count);
    Instant startedAt = startAtEpochMillis == null ? Instant.now() : Instant.ofEpochMilli(startAtEpochMillis);
    return new RunResult(scenario.name(), p, reported, startedAt, r.runSeconds, scenario.targetRate(),
        r.startedOver > 0 ? r.done / r.startedOver : 0, scenario.rateCounter(), r.counters, r.errors, r.lost,
        r.latencies, seconds.series(), r.clamped, phases, events, null, r.startedOver,
        new Workers(count, sliced, r.each), null);
  }

  @Override
  public void close() {
    ScaleDriver driver;
    synchronized (this) {
      driver = scale;
    }
    if (driver != null) {
      driver.close();
    }
    List<Process> spawned = new ArrayList<>();
    synchronized (this) {
      workers.forEach(w -> {
        if (w.process != null) {
          spawned.add(w.process);
        }
      });
    }
    for (Process p : spawned) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // nothing left to do
    }
  }
}
