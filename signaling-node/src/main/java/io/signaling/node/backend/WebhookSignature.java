package io.signaling.node.backend;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature: {@code X-Signaling-Signature: sha256=<lowercase hex of HMAC-SHA256(secret, timestamp + "."
 * + raw body)>}, with {@code X-Signaling-Timestamp} the unix seconds it was signed at.
 */
public final class WebhookSignature {

  public static final String TIMESTAMP_HEADER = "X-Signaling-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Signaling-Signature";

  private final SecretKeySpec key;
  /** One keyed MAC per thread: looking one up and keying it cost more than the signature itself. */
  private final ThreadLocal<Mac> macs;

  public WebhookSignature(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** The signature header's value for {@code body} sent at {@code unixSeconds}. */
  public String sign(long unixSeconds, String body) {
    Mac mac = macs.get();
    mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * What a receiver does: the signature matches (compared in constant time) and the timestamp is within
   * {@code toleranceSeconds} of {@code nowSeconds}.
   */
  public boolean verify(String timestamp, String signature, String body, long nowSeconds, long toleranceSeconds) {
    if (timestamp == null || signature == null) {
      return false;
    }
    long ts;
    try {
      ts = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(nowSeconds - ts) > toleranceSeconds) {
      return false;
    }
    return MessageDigest.isEqual(sign(ts, body).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }
}
