package io.signaling.node.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.networking.Channel;
import com.hazelcast.internal.networking.nio.NioChannel;
import com.hazelcast.internal.nio.ConnectionListener;
import com.hazelcast.internal.server.ServerConnection;
import com.hazelcast.internal.server.ServerConnectionManager;
import com.hazelcast.internal.server.tcp.TcpServerConnection;
import com.hazelcast.internal.util.counters.SwCounter;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node sends to and receives from the other members, in two layers: the clustered event bus (notices,
 * relays and replies between nodes: every message Vert.x writes to or reads from another member's connection,
 * counted by its metrics SPI) and Hazelcast (room operations, their backups, heartbeats, partition and membership
 * traffic: the frames and bytes of every member-to-member connection, read from Hazelcast's own per-connection
 * counters when asked). Counts are totals since the node started; a Hazelcast connection that closes adds its
 * last counts to a kept total, so the figures never go down. Reading is cheap (one pass over the N-1 member
 * connections) and happens only when the metrics are scraped.
 */
public final class ClusterTraffic {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterTraffic.class);

  /** Totals of one layer, one direction. */
  public record Totals(long messages, long bytes) {
  }

  private final LongAdder busMessagesSent = new LongAdder();
  private final LongAdder busBytesSent = new LongAdder();
  private final LongAdder busMessagesReceived = new LongAdder();
  private final LongAdder busBytesReceived = new LongAdder();
  /** Counts of member connections that closed: {frames sent, bytes sent, frames received, bytes received}. */
  private final long[] closed = new long[4];
  private volatile ServerConnectionManager members;

  /** The factory that makes Vert.x report its clustered event bus's wire traffic here. */
  VertxMetricsFactory vertxMetrics() {
    EventBusMetrics<Void> bus = new EventBusMetrics<>() {
      @Override
      public void messageWritten(String address, int numberOfBytes) {
        busMessagesSent.increment();
        busBytesSent.add(numberOfBytes);
      }

      @Override
      public void messageRead(String address, int numberOfBytes) {
        busMessagesReceived.increment();
        busBytesReceived.add(numberOfBytes);
      }
    };
    VertxMetrics metrics = new VertxMetrics() {
      @Override
      public EventBusMetrics<?> createEventBusMetrics() {
        return bus;
      }
    };
    return new VertxMetricsFactory() {
      @Override
      public VertxMetrics metrics(VertxOptions options) {
        return metrics;
      }
    };
  }

  /** Starts reading Hazelcast's member connections (once the member runs). */
  void watch(HazelcastInstance hazelcast) {
    HazelcastInstanceImpl impl = hazelcast instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal()
        : (HazelcastInstanceImpl) hazelcast;
    ServerConnectionManager manager = impl.node.getServer().getConnectionManager(EndpointQualifier.MEMBER);
    manager.addConnectionListener(new ConnectionListener<>() {
      @Override
      public void connectionAdded(ServerConnection connection) {
      }

      @Override
      public void connectionRemoved(ServerConnection connection) {
        long[] c = counts(connection);
        synchronized (closed) {
          for (int i = 0; i < closed.length; i++) {
            closed[i] += c[i];
          }
        }
      }
    });
    members = manager;
  }

  public Totals eventBusSent() {
    return new Totals(busMessagesSent.sum(), busBytesSent.sum());
  }

  public Totals eventBusReceived() {
    return new Totals(busMessagesReceived.sum(), busBytesReceived.sum());
  }

  public Totals hazelcastSent() {
    long[] c = hazelcast();
    return new Totals(c[0], c[1]);
  }

  public Totals hazelcastReceived() {
    long[] c = hazelcast();
    return new Totals(c[2], c[3]);
  }

  /** {frames sent, bytes sent, frames received, bytes received} over the member connections, closed ones included. */
  private long[] hazelcast() {
    long[] sum;
    synchronized (closed) {
      sum = closed.clone();
    }
    ServerConnectionManager manager = members;
    if (manager != null) {
      for (ServerConnection connection : manager.getConnections()) {
        long[] c = counts(connection);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += c[i];
        }
      }
    }
    return sum;
  }

  private static long[] counts(ServerConnection connection) {
    if (!(connection instanceof TcpServerConnection tcp) || !(tcp.getChannel() instanceof NioChannel nio)) {
      return new long[4];
    }
    return new long[] {OutboundFrames.written(nio), nio.bytesWritten(),
        nio.inboundPipeline().normalFramesRead() + nio.inboundPipeline().priorityFramesRead(), nio.bytesRead()};
  }

  /**
   * Hazelcast counts the frames each connection writes but publishes them only through its metrics collection,
   * which the node keeps off (its cost, see docs/PERFORMANCE.md): read the two counters directly.
   */
  private static final class OutboundFrames {
    private static final Field NORMAL = field("normalFramesWritten");
    private static final Field PRIORITY = field("priorityFramesWritten");

    static long written(Channel channel) {
      if (NORMAL == null || PRIORITY == null) {
        return 0;
      }
      try {
        Object pipeline = ((NioChannel) channel).outboundPipeline();
        return ((SwCounter) NORMAL.get(pipeline)).get() + ((SwCounter) PRIORITY.get(pipeline)).get();
      } catch (IllegalAccessException | RuntimeException e) {
        return 0;
      }
    }

    private static Field field(String name) {
      try {
        Field f = com.hazelcast.internal.networking.nio.NioOutboundPipeline.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("Hazelcast's outbound frame counter {} is not readable ({}): frames sent to members read 0", name,
            e.toString());
        return null;
      }
    }
  }
}
