package io.signaling.node;

/**
 * Resume (opt-in with {@code ?peer=<id>}, see docs/PROTOCOL.md).
 *
 * @param seconds how long a resumable peer's slot is held after its socket or its node is gone (0: never held)
 * @param maxHeldMessages relays for a held slot its partner's node keeps; one more ends the slot (partner
 *     {@code stop})
 * @param maxHeldBytes bytes of relays for a held slot its partner's node keeps; more end the slot
 * @param attemptsPerMinute WebSocket upgrades with a peer id one address may make per minute, on the node (all
 *     its event loops together)
 */
public record Resume(int seconds, int maxHeldMessages, int maxHeldBytes, int attemptsPerMinute) {
}
