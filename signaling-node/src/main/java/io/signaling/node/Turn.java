package io.signaling.node;

import io.signaling.config.ConfigException;
import java.util.List;

/**
 * Short-lived TURN credentials (the TURN REST API scheme coturn implements with {@code use-auth-secret}): the
 * username is {@code <expiry unix seconds>:<opaque per-connection id>}, the password the base64 HMAC-SHA1 of the
 * username under the first secret.
 *
 * @param uris TURN URIs the credentials are for; the first is the one sent in iceServerConfig (the SDKs take
 *     one URI, and only a {@code turn:} one)
 * @param secrets shared secrets, the first one signs; the TURN server may accept more (rotation)
 * @param lifetimeSeconds how long a credential is valid from the moment it is issued
 */
public record Turn(List<String> uris, List<String> secrets, int lifetimeSeconds) {

  public Turn {
    uris = List.copyOf(uris);
    secrets = List.copyOf(secrets);
    if (uris.isEmpty() != secrets.isEmpty()) {
      throw new ConfigException(NodeSettings.TURN_URIS.env() + " and " + NodeSettings.TURN_SECRETS.env() + " must be set together");
    }
    if (!uris.isEmpty() && !uris.get(0).startsWith("turn:")) {
      throw new ConfigException("Invalid value for " + NodeSettings.TURN_URIS.env() + ": the first URI is sent to the SDKs in "
          + "iceServerConfig and must start with turn: (they ignore turns: there)");
    }
  }

  public boolean enabled() {
    return !secrets.isEmpty();
  }

  /** The secret that signs; only when {@link #enabled()}. */
  public String signingSecret() {
    return secrets.get(0);
  }

  @Override
  public String toString() {
    return "Turn[uris=" + uris + ", secrets=" + secrets.size() + " (redacted), lifetimeSeconds=" + lifetimeSeconds
        + "]";
  }
}
