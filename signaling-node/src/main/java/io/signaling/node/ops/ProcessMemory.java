package io.signaling.node.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory a node uses, as the load harness and operators read it: heap used and maximum, direct memory
 * (the JDK's buffer pool plus what Netty allocates without it), and the resident set size from
 * {@code /proc/self/status} (Linux; NaN elsewhere). Also binds Micrometer's standard JVM meters.
 */
final class ProcessMemory {

  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {
  }

  static void bind(MeterRegistry registry) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
    Gauge.builder("signaling.jvm.heap.used", () -> memory.getHeapMemoryUsage().getUsed()).baseUnit("bytes")
        .description("Heap in use (live and not yet collected)").register(registry);
    Gauge.builder("signaling.jvm.heap.max", Runtime.getRuntime(), Runtime::maxMemory).baseUnit("bytes")
        .description("Largest heap the JVM may use").register(registry);
    // a supplier, held strongly: a gauge over an object holds it only weakly, and the list of pools (referenced by
    // nothing else) was collected at the first GC, after which the gauge read NaN
    Gauge.builder("signaling.direct.memory.used", () -> direct(pools)).baseUnit("bytes")
        .description("Direct memory: the JDK's direct buffer pool plus Netty's own direct allocations")
        .register(registry);
    Gauge.builder("signaling.process.resident.memory", () -> rss(STATUS)).baseUnit("bytes")
        .description("Resident set size of the node's process").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
  }

  private static double direct(List<BufferPoolMXBean> pools) {
    long used = 0;
    for (BufferPoolMXBean pool : pools) {
      if ("direct".equals(pool.getName())) {
        used += pool.getMemoryUsed();
      }
    }
    long netty = PlatformDependent.usedDirectMemory();
    return used + Math.max(0, netty);
  }

  private static double rss(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
