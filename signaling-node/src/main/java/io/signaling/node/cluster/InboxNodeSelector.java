package io.signaling.node.cluster;

import io.vertx.core.Completable;
import io.vertx.core.eventbus.impl.clustered.DefaultNodeSelector;
import io.vertx.core.eventbus.impl.clustered.NodeSelector;
import io.vertx.core.spi.cluster.ClusteredNode;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;

/**
 * Picks the node for an event-bus send. A send to an inbox goes to the node its address names, directly:
 * relays and notices to a known partner never read the cluster's registrations, which can stall while
 * members come and go, and which a member that was cut off can wrongly clean up after it rejoins (the
 * partner would then be unreachable although alive). Every other address is resolved as Vert.x does.
 *
 * <p>A send to a node that has left fails as a send to any unreachable node does: relays are lost with
 * the node, and notices time out and are retried, then reported.
 */
final class InboxNodeSelector implements NodeSelector {

  private final NodeSelector registry = new DefaultNodeSelector();

  @Override
  public void init(ClusteredNode clusteredNode) {
    registry.init(clusteredNode);
  }

  @Override
  public void eventBusStarted() {
    registry.eventBusStarted();
  }

  @Override
  public void selectForSend(String address, Completable<String> promise) {
    String node = Inboxes.nodeOf(address);
    if (node != null) {
      promise.succeed(node);
    } else {
      registry.selectForSend(address, promise);
    }
  }

  @Override
  public void selectForPublish(String address, Completable<Iterable<String>> promise) {
    registry.selectForPublish(address, promise);
  }

  @Override
  public void registrationsUpdated(RegistrationUpdateEvent event) {
    registry.registrationsUpdated(event);
  }

  @Override
  public void registrationsLost() {
    registry.registrationsLost();
  }

  @Override
  public boolean wantsUpdatesFor(String address) {
    return registry.wantsUpdatesFor(address);
  }
}
