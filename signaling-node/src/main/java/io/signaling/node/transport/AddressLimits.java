package io.signaling.node.transport;

import io.signaling.node.NodeSettings;
import io.signaling.node.signal.AddressBuckets;
import io.signaling.node.signal.ByteBudget;

/**
 * The per-remote-address budgets of a node, shared by all its event loops (one instance per node): resume upgrades
 * per minute, and bytes of messages (null when there is no per-address byte budget).
 */
public record AddressLimits(AddressBuckets resumeAttempts, AddressBuckets bytes) {

  public static AddressLimits from(NodeSettings settings) {
    int perMinute = settings.resume().attemptsPerMinute();
    return new AddressLimits(new AddressBuckets(perMinute / 60.0, perMinute),
        ByteBudget.addressBuckets(settings.limits().bytes()));
  }
}
