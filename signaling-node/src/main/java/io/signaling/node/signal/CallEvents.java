package io.signaling.node.signal;

import io.signaling.node.room.LeaveReason;
import io.signaling.node.room.PeerRef;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans a call's events out to its listeners, in order; a listener that throws does not stop the others. */
final class CallEvents implements CallListener {

  private static final Logger LOG = LoggerFactory.getLogger(CallEvents.class);

  private final List<CallListener> listeners;

  CallEvents(List<CallListener> listeners) {
    this.listeners = listeners;
  }

  private void each(String event, Consumer<CallListener> call) {
    for (CallListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("call listener {} failed on {}", l, event, e);
      }
    }
  }

  @Override
  public void joined(String streamId, PeerRef self) {
    each("joined", l -> l.joined(streamId, self));
  }

  @Override
  public void paired(String streamId, PeerRef self, PeerRef partner) {
    each("paired", l -> l.paired(streamId, self, partner));
  }

  @Override
  public void ended(String streamId, PeerRef self, LeaveReason reason) {
    each("ended", l -> l.ended(streamId, self, reason));
  }

  @Override
  public void left(String streamId, PeerRef self, LeaveReason reason) {
    each("left", l -> l.left(streamId, self, reason));
  }

  @Override
  public void held(String streamId, PeerRef self) {
    each("held", l -> l.held(streamId, self));
  }

  @Override
  public void roomEmpty(String streamId) {
    each("roomEmpty", l -> l.roomEmpty(streamId));
  }
}
