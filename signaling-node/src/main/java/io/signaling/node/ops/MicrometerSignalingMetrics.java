package io.signaling.node.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.signaling.node.protocol.Command;
import io.signaling.node.protocol.ErrorDefinition;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The node's metrics in a Prometheus registry (Micrometer), scraped at {@code /metrics}. Names as Prometheus
 * sees them: {@code signaling_connections}, {@code signaling_rooms} (room memberships of this node's sockets),
 * {@code signaling_joins_total{outcome}}, {@code signaling_pairing_seconds} (histogram of the cluster decision
 * that paired a room), {@code signaling_relayed_messages_total{command}}, {@code signaling_errors_total{definition}},
 * {@code signaling_cluster_send_retries_total}, {@code signaling_cluster_send_failures_total},
 * {@code signaling_cluster_members}, {@code signaling_draining}, {@code signaling_drain_held_calls},
 * {@code signaling_drain_elapsed_seconds}; resume's {@code signaling_resume_slots_held_total},
 * {@code signaling_resume_resumed_total}, {@code signaling_resume_expired_total} and
 * {@code signaling_resume_waiting_partners} (sockets here whose partner's slot is held now); the connection layer's
 * {@code signaling_tcp_connections}, {@code signaling_handshakes_pending},
 * {@code signaling_connections_refused_total{reason}} and {@code signaling_connection_timeouts_total{deadline}}; the
 * node-to-node traffic {@code signaling_cluster_traffic_messages_total{layer,direction}} and
 * {@code signaling_cluster_traffic_bytes_total{layer,direction}}; the process's CPU time
 * {@code signaling_process_cpu_seconds_total}; and the process's memory (see {@link ProcessMemory})
 * with the JVM's standard memory, GC and thread meters.
 */
public final class MicrometerSignalingMetrics implements SignalingMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger rooms = new AtomicInteger();
  private final Counter joinsAlone;
  private final Counter joinsPaired;
  private final Timer pairing;
  private final Map<Command, Counter> relayed = new EnumMap<>(Command.class);
  private final Map<ErrorDefinition, Counter> errors = new EnumMap<>(ErrorDefinition.class);
  private final Counter retries;
  private final Counter slotsHeld;
  private final Counter slotsResumed;
  private final Counter slotsExpired;
  private final Counter failures;
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<Timeout, Counter> timeouts = new EnumMap<>(Timeout.class);
  /** What the function counters read, held here: Micrometer keeps only a weak reference. */
  private final List<LongSupplier> counted = new java.util.concurrent.CopyOnWriteArrayList<>();

  public MicrometerSignalingMetrics() {
    Gauge.builder("signaling.connections", connections, AtomicInteger::get)
        .description("Open client WebSockets on this node").register(registry);
    Gauge.builder("signaling.rooms", rooms, AtomicInteger::get)
        .description("Room memberships of this node's sockets").register(registry);
    joinsAlone = Counter.builder("signaling.joins").tag("outcome", "alone").description("Joins decided")
        .register(registry);
    joinsPaired = Counter.builder("signaling.joins").tag("outcome", "paired").description("Joins decided")
        .register(registry);
    pairing = Timer.builder("signaling.pairing").description("Time of the cluster decision that paired a room")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
    for (Command c : Command.values()) {
      if (c.isRelay()) {
        relayed.put(c, Counter.builder("signaling.relayed.messages").tag("command", c.wire())
            .description("Messages relayed to a partner").register(registry));
      }
    }
    for (ErrorDefinition d : ErrorDefinition.values()) {
      errors.put(d, Counter.builder("signaling.errors").tag("definition", d.wire())
          .description("Error replies by definition").register(registry));
    }
    slotsHeld = Counter.builder("signaling.resume.slots.held")
        .description("Room slots held for a resume (socket or node gone without a leave)").register(registry);
    slotsResumed = Counter.builder("signaling.resume.resumed")
        .description("Joins that took over their peer's slot").register(registry);
    slotsExpired = Counter.builder("signaling.resume.expired")
        .description("Held slots ended without a resume (window passed, or kept relays over the limit)")
        .register(registry);
    retries = Counter.builder("signaling.cluster.send.retries").description("Cross-node notices sent again")
        .register(registry);
    failures = Counter.builder("signaling.cluster.send.failures")
        .description("Cross-node notices given up after the last attempt").register(registry);
    for (String reason : new String[] {"address", "handshakes"}) {
      refused(reason);
    }
    for (Timeout t : Timeout.values()) {
      timeouts.put(t, Counter.builder("signaling.connection.timeouts").tag("deadline", t.wire())
          .description("Client connections that were not WebSockets, closed by a deadline").register(registry));
    }
  }

  private Counter refused(String reason) {
    return refused.computeIfAbsent(reason, r -> Counter.builder("signaling.connections.refused").tag("reason", r)
        .description("Client connections closed at accept, by the cap that refused them").register(registry));
  }

  @Override
  public void bindConnections(IntSupplier pending, IntSupplier open) {
    Gauge.builder("signaling.tcp.connections", open::getAsInt)
        .description("Client TCP connections open on the client port, WebSockets included").register(registry);
    Gauge.builder("signaling.handshakes.pending", pending::getAsInt)
        .description("Client connections not yet upgraded to a WebSocket").register(registry);
  }

  @Override
  public void connectionRefused(String reason) {
    refused(reason).increment();
  }

  @Override
  public void connectionTimedOut(Timeout kind) {
    timeouts.get(kind).increment();
  }

  /** Adds the gauges that read the node's own state. */
  public MicrometerSignalingMetrics bind(IntSupplier members, BooleanSupplier draining) {
    Gauge.builder("signaling.cluster.members", members::getAsInt).description("Cluster members this node sees")
        .register(registry);
    Gauge.builder("signaling.draining", () -> draining.getAsBoolean() ? 1 : 0)
        .description("1 while the node drains for shutdown").register(registry);
    ProcessMemory.bind(registry);
    return this;
  }

  /**
   * Adds the drain's gauges: {@code signaling_drain_held_calls} (calls a drain keeps open on this node) and
   * {@code signaling_drain_elapsed_seconds} (time since the drain started; 0 when not draining).
   */
  public MicrometerSignalingMetrics bindDrain(IntSupplier heldCalls, DoubleSupplier elapsedSeconds) {
    Gauge.builder("signaling.drain.held.calls", heldCalls::getAsInt)
        .description("Calls a drain keeps open on this node until they end").register(registry);
    Gauge.builder("signaling.drain.elapsed.seconds", elapsedSeconds::getAsDouble)
        .description("Seconds since this node started draining (0 when it is not)").register(registry);
    return this;
  }

  /** Adds the warm-up's gauges: what this node's warm-up before readiness did, and what it did for others. */
  public MicrometerSignalingMetrics bindWarmup(IntSupplier completed, IntSupplier crossNode, IntSupplier failed,
      IntSupplier answered, DoubleSupplier seconds) {
    Gauge.builder("signaling.warmup.calls", completed::getAsInt).tag("outcome", "completed")
        .description("Warm-up calls this node ran before it reported ready").register(registry);
    Gauge.builder("signaling.warmup.calls", failed::getAsInt).tag("outcome", "failed")
        .description("Warm-up calls this node ran before it reported ready").register(registry);
    Gauge.builder("signaling.warmup.cross.node.calls", crossNode::getAsInt)
        .description("Warm-up calls of this node whose answerer was on another member").register(registry);
    Gauge.builder("signaling.warmup.answered.calls", answered::getAsInt)
        .description("Answerers this node ran for other members' warm-up calls").register(registry);
    Gauge.builder("signaling.warmup.duration.seconds", seconds::getAsDouble)
        .description("How long this node's warm-up took (0 until it ended)").register(registry);
    return this;
  }

  /**
   * Adds the node-to-node traffic of one layer ({@code eventbus}: the clustered event bus's notices, relays and
   * replies; {@code hazelcast}: room operations, backups, heartbeats, partition and membership traffic):
   * {@code signaling_cluster_traffic_messages_total} and {@code signaling_cluster_traffic_bytes_total}, each with
   * {@code layer} and {@code direction} ({@code sent} to / {@code received} from other members).
   */
  public MicrometerSignalingMetrics bindClusterTraffic(String layer, LongSupplier messagesSent, LongSupplier bytesSent,
      LongSupplier messagesReceived, LongSupplier bytesReceived) {
    traffic(layer, "sent", "messages", messagesSent);
    traffic(layer, "sent", "bytes", bytesSent);
    traffic(layer, "received", "messages", messagesReceived);
    traffic(layer, "received", "bytes", bytesReceived);
    return this;
  }

  /**
   * Adds {@code signaling_process_cpu_seconds_total}: the CPU time the node's process has used (user and system,
   * all threads), so that CPU per call can be read from the metrics alone where {@code /proc} is out of reach.
   */
  public MicrometerSignalingMetrics bindProcessCpu() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      LongSupplier nanos = os::getProcessCpuTime;
      counted.add(nanos);
      FunctionCounter.builder("signaling.process.cpu.seconds", nanos, n -> n.getAsLong() / 1e9)
          .description("CPU time used by the node's process").register(registry);
    }
    return this;
  }

  private void traffic(String layer, String direction, String unit, LongSupplier count) {
    counted.add(count); // a function counter holds its object weakly
    FunctionCounter.builder("signaling.cluster.traffic." + unit, count, c -> c.getAsLong())
        .tag("layer", layer).tag("direction", direction)
        .description("Node-to-node " + unit + " sent to or received from other members, by layer")
        .register(registry);
  }

  /** Adds resume's gauge: sockets of this node whose partner's slot is held now. */
  public MicrometerSignalingMetrics bindResume(IntSupplier waitingPartners) {
    Gauge.builder("signaling.resume.waiting.partners", waitingPartners::getAsInt)
        .description("Sockets of this node whose partner's slot is held now").register(registry);
    return this;
  }

  @Override
  public void slotHeld() {
    slotsHeld.increment();
  }

  @Override
  public void slotResumed() {
    slotsResumed.increment();
  }

  @Override
  public void slotExpired() {
    slotsExpired.increment();
  }

  /** The registry, for the meters of parts that keep their own (webhooks). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void connectionOpened() {
    connections.incrementAndGet();
  }

  @Override
  public void connectionClosed() {
    connections.decrementAndGet();
  }

  @Override
  public void joined(boolean paired, long decisionNanos) {
    if (paired) {
      joinsPaired.increment();
      pairing.record(decisionNanos, TimeUnit.NANOSECONDS);
    } else {
      joinsAlone.increment();
    }
  }

  @Override
  public void roomOpened() {
    rooms.incrementAndGet();
  }

  @Override
  public void roomClosed() {
    rooms.decrementAndGet();
  }

  @Override
  public void relayed(Command command) {
    Counter c = relayed.get(command);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void error(ErrorDefinition definition) {
    errors.get(definition).increment();
  }

  @Override
  public void sendRetried() {
    retries.increment();
  }

  @Override
  public void sendFailed() {
    failures.increment();
  }
}
