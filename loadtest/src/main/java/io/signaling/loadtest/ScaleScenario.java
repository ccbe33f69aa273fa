package io.signaling.loadtest;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scale}: what a cluster carries while it grows and shrinks. A soak ({@code pairs} paired peers held for
 * the whole run on the nodes it started with, relaying {@code messageRate} candidates per second) plus a stream
 * of new calls ({@code callRate} per second, each on two new sockets, placed over the nodes that are ready
 * <em>now</em>, so a node that was started takes new calls once it is ready and a draining one stops getting
 * them). A setup a draining node turns away before pairing (upgrade 503, {@code temporarilyUnavailable}, or its
 * socket released with {@code server_will_stop}), or a connect a drained node's closed server refuses, is tried
 * again on another ready node, from its original intended time, and counted as a retry, not an error (the node
 * leaves the ready set at once); anything else a drain does to a call is an error. With a {@link RoomFill}, the
 * room directory is filled before the run (before the soak's pairs are paired) and its sockets held to the end:
 * the run's first phase is then the window right after the fill, before any change.
 */
final class ScaleScenario implements Scenario {

  /** Attempts per call, the first included. */
  static final int MAX_ATTEMPTS = 4;

  private final SoakScenario soak;
  private final TargetSet targets;
  private final double callRate;
  private final double seconds;
  private final CallModel model;
  private final Map<String, Object> extra;
  private final RunExtension extension;
  private final RoomFill fill;
  private final java.util.concurrent.atomic.AtomicBoolean fillReported = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param extension what extends the run while a scale event is in progress at its planned end, or null
   * @param fill what fills the room directory before the run, or null (none)
   */
  ScaleScenario(SoakScenario soak, TargetSet targets, double callRate, double seconds, CallModel model,
      Map<String, Object> extra, RunExtension extension, RoomFill fill) {
    this.fill = fill;
    this.soak = soak;
    this.targets = targets;
    this.callRate = callRate;
    this.seconds = seconds;
    this.model = model;
    this.extra = extra;
    this.extension = extension;
  }

  @Override
  public String name() {
    return "scale";
  }

  @Override
  public Future<Void> prepare(Lane lane) {
    // the fill first: the soak's pairs, paired after it, are not left idle while it runs
    return fill == null ? soak.prepare(lane) : fill.prepare(lane).compose(v -> soak.prepare(lane));
  }

  @Override
  public Future<Void> run(Lane lane, long startNanos) {
    if (fill != null && fillReported.compareAndSet(false, true)) {
      fill.console().println(fill.outcome().line() + "; held, pinging");
    }
    return Future.all(soak.run(lane, startNanos), calls(lane, startNanos)).mapEmpty();
  }

  @Override
  public Future<Void> finish(Lane lane) {
    return fill == null ? soak.finish(lane) : soak.finish(lane).compose(v -> fill.finish(lane));
  }

  private Future<Void> calls(Lane lane, long startNanos) {
    Pacer pacer = lane.pacer(startNanos, callRate, Pacer.operations(callRate, seconds), extension);
    return lane.paced(pacer, Integer.MAX_VALUE, (i, intended) -> {
      lane.stats().count("calls.started");
      return attempt(lane, i, intended, 1);
    }, (i, intended) -> { });
  }

  /** One attempt at call {@code index}; completes (never fails) when the call is done, failed or given up. */
  private Future<Void> attempt(Lane lane, long index, long intendedNanos, int attempt) {
    List<Target> ready = targets.ready();
    if (ready.isEmpty()) {
      return failed(lane, "noReadyTarget");
    }
    int[] nodes = Target.place((int) (index + attempt - 1), ready.size(), lane.crossNode());
    Target ta = ready.get(nodes[0]);
    Target tb = ready.get(nodes[1]);
    String streamId = "n" + lane.runId() + "-" + index + (attempt > 1 ? "-" + attempt : "");
    return model.connectPair(lane, ta, tb, streamId, intendedNanos, true).transform(connected -> {
      if (connected.failed()) {
        CallModel.PairNotConnected why = (CallModel.PairNotConnected) connected.cause();
        String refusedA = refusal(why.causeA);
        String refusedB = refusal(why.causeB);
        if (refusedA != null) {
          targets.ready(ta.index(), false);
        }
        if (refusedB != null) {
          targets.ready(tb.index(), false);
        }
        boolean onlyRefusals = (why.causeA == null || refusedA != null) && (why.causeB == null || refusedB != null);
        return onlyRefusals ? retry(lane, index, intendedNanos, attempt, refusedA != null ? refusedA : refusedB)
            : failed(lane, null);
      }
      Peer a = connected.result()[0];
      Peer b = connected.result()[1];
      return model.call(lane, a, b, streamId, intendedNanos)
          .retryOnDrain("calls")
          .run()
          .transform(r -> {
            a.close();
            b.close();
            if (r.failed() && r.cause() instanceof Call.Refused refused) {
              return retry(lane, index, intendedNanos, attempt, refused.reason);
            }
            return Future.<Void>succeededFuture();
          });
    });
  }

  /** Why a connect was turned away by a draining or drained node, or null when it failed otherwise (or not). */
  private static String refusal(Throwable cause) {
    if (cause == null) {
      return null;
    }
    if (Peer.refusedByDrain(cause)) {
      return "upgradeRefused";
    }
    return Peer.refusedByGoneNode(cause) ? "connectRefused" : null;
  }

  private Future<Void> retry(Lane lane, long index, long intendedNanos, int attempt, String reason) {
    lane.stats().count("retries");
    lane.stats().count("retries." + reason);
    if (attempt >= MAX_ATTEMPTS) {
      return failed(lane, "retriesExhausted");
    }
    return attempt(lane, index, intendedNanos, attempt + 1);
  }

  private Future<Void> failed(Lane lane, String error) {
    if (error != null) {
      lane.stats().error(error);
    }
    lane.stats().count("calls.failed");
    lane.stats().count(Stats.LOST, model.expectedMessages());
    return Future.succeededFuture();
  }

  @Override
  public long lostAtEnd() {
    return soak.lostAtEnd();
  }

  @Override
  public String rateCounter() {
    return soak.rateCounter();
  }

  @Override
  public double targetRate() {
    return soak.targetRate();
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>(soak.parameters());
    p.put("callRate", callRate);
    p.put("candidatesEachWay", model.candidates());
    p.put("holdMillis", model.holdMillis());
    p.putAll(extra);
    if (fill != null) {
      p.put("fill", fill.outcome().toJson());
    }
    return p;
  }

  /** A worker's share of the fill, for its coordinator to merge ({@link RoomFill.Outcome#merge}). */
  @Override
  public JsonObject shipment() {
    return fill == null ? new JsonObject() : new JsonObject().put("fill", fill.outcome().toShipment());
  }

  @Override
  public List<String> headlineLatencies() {
    return List.of("relay.takeCandidate", "pairing");
  }
}
