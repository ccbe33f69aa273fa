package io.signaling.node;

/**
 * Limits on connections that are not (yet) WebSockets: the client port's defence against connections that
 * are opened and never used.
 *
 * @param timeoutSeconds a connection must send a complete request (the WebSocket upgrade, or a plain HTTP
 *     request) within this long of being accepted, else it is closed
 * @param keepAliveSeconds a plain HTTP keep-alive connection with no request for this long is closed
 * @param maxPending connections on the node not yet upgraded to a WebSocket (in their handshake, or idle
 *     between plain HTTP requests), beyond which new ones are closed at once (0: no limit)
 */
public record Handshakes(int timeoutSeconds, int keepAliveSeconds, int maxPending) {
}
