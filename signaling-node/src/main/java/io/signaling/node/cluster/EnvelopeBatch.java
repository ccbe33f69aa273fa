package io.signaling.node.cluster;

import java.util.List;

/**
 * Relays for one inbox that one event loop produced in one turn, carried as one event-bus message: under load
 * this replaces a write, a wake-up and a dispatch per relayed message by one per turn (see docs/PERFORMANCE.md).
 * The order within the batch is the order they were sent in.
 */
public record EnvelopeBatch(List<Envelope> envelopes) {

  public EnvelopeBatch {
    envelopes = List.copyOf(envelopes);
  }
}
