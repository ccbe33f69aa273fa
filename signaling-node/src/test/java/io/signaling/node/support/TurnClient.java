package io.signaling.node.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A tiny TURN client over UDP (RFC 5389 / RFC 5766), just enough to prove a TURN server accepts or refuses a
 * credential: Binding, and Allocate and Refresh with long-term credentials (the server's 401 gives realm and nonce;
 * the request is repeated with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY keyed with MD5(user:realm:password)).
 */
public final class TurnClient implements AutoCloseable {

  private static final int MAGIC = 0x2112A442;
  private static final int BINDING = 0x0001;
  private static final int ALLOCATE = 0x0003;
  private static final int REFRESH = 0x0004;
  private static final int USERNAME = 0x0006;
  private static final int MESSAGE_INTEGRITY = 0x0008;
  private static final int ERROR_CODE = 0x0009;
  private static final int LIFETIME = 0x000D;
  private static final int REALM = 0x0014;
  private static final int NONCE = 0x0015;
  private static final int XOR_RELAYED_ADDRESS = 0x0016;
  private static final int REQUESTED_TRANSPORT = 0x0019;

  /** A response: success or error, its error code (0 on success) and its attributes. */
  public record Response(boolean success, int errorCode, Map<Integer, byte[]> attributes) {

    /** The relayed transport address of a successful Allocate, "ip:port". */
    public String relayedAddress() {
      byte[] v = attributes.get(XOR_RELAYED_ADDRESS);
      if (v == null) {
        return null;
      }
      int port = (((v[2] & 0xff) << 8) | (v[3] & 0xff)) ^ (MAGIC >>> 16);
      int ip = ByteBuffer.wrap(v, 4, 4).getInt() ^ MAGIC;
      return ((ip >>> 24) & 0xff) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff) + ":" + port;
    }
  }

  private final DatagramSocket socket;
  private final InetSocketAddress server;
  private final SecureRandom random = new SecureRandom();
  private String realm;
  private String nonce;

  public TurnClient(InetSocketAddress server) throws IOException {
    this.server = server;
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.socket.setSoTimeout(1000);
  }

  /** Sends a Binding request; true when the server answered it within the socket's timeout. */
  public boolean binding() throws IOException {
    try {
      return exchange(message(BINDING, new LinkedHashMap<>(), null)) != null;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  /** Allocate (UDP relay) with the given long-term credential; the first, unauthenticated, try learns realm and nonce. */
  public Response allocate(String username, String password) throws IOException {
    Map<Integer, byte[]> attrs = new LinkedHashMap<>();
    attrs.put(REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
    Response first = exchange(message(ALLOCATE, attrs, null));
    if (first.success() || first.errorCode() != 401) {
      return first;
    }
    learn(first);
    return authenticated(ALLOCATE, attrs, username, password);
  }

  /** Refresh of the allocation this client made, with the same credential. */
  public Response refresh(String username, String password, int lifetimeSeconds) throws IOException {
    Map<Integer, byte[]> attrs = new LinkedHashMap<>();
    attrs.put(LIFETIME, ByteBuffer.allocate(4).putInt(lifetimeSeconds).array());
    Response r = authenticated(REFRESH, attrs, username, password);
    if (!r.success() && r.errorCode() == 438) {
      // stale nonce: the server sent a new one; one more try
      learn(r);
      r = authenticated(REFRESH, attrs, username, password);
    }
    return r;
  }

  private void learn(Response challenge) {
    realm = new String(challenge.attributes().get(REALM), StandardCharsets.UTF_8);
    nonce = new String(challenge.attributes().get(NONCE), StandardCharsets.UTF_8);
  }

  private Response authenticated(int type, Map<Integer, byte[]> base, String username, String password)
      throws IOException {
    Map<Integer, byte[]> attrs = new LinkedHashMap<>(base);
    attrs.put(USERNAME, username.getBytes(StandardCharsets.UTF_8));
    attrs.put(REALM, realm.getBytes(StandardCharsets.UTF_8));
    attrs.put(NONCE, nonce.getBytes(StandardCharsets.UTF_8));
    byte[] key;
    try {
      key = MessageDigest.getInstance("MD5").digest((username + ":" + realm + ":" + password)
          .getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return exchange(message(type, attrs, key));
  }

  private byte[] message(int type, Map<Integer, byte[]> attrs, byte[] integrityKey) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Map.Entry<Integer, byte[]> a : attrs.entrySet()) {
      attribute(body, a.getKey(), a.getValue());
    }
    byte[] txid = new byte[12];
    random.nextBytes(txid);
    int length = body.size() + (integrityKey == null ? 0 : 24);
    ByteBuffer out = ByteBuffer.allocate(20 + length);
    out.putShort((short) type).putShort((short) length).putInt(MAGIC).put(txid).put(body.toByteArray());
    if (integrityKey != null) {
      // HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, its length field already counting it
      byte[] signed = Arrays.copyOf(out.array(), out.position());
      try {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(integrityKey, "HmacSHA1"));
        out.putShort((short) MESSAGE_INTEGRITY).putShort((short) 20).put(mac.doFinal(signed));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return out.array();
  }

  private static void attribute(ByteArrayOutputStream out, int type, byte[] value) {
    out.write(type >>> 8);
    out.write(type);
    out.write(value.length >>> 8);
    out.write(value.length);
    out.writeBytes(value);
    for (int pad = (4 - value.length % 4) % 4; pad > 0; pad--) {
      out.write(0);
    }
  }

  private Response exchange(byte[] request) throws IOException {
    socket.send(new DatagramPacket(request, request.length, server));
    byte[] buffer = new byte[2048];
    while (true) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      socket.receive(packet);
      ByteBuffer in = ByteBuffer.wrap(buffer, 0, packet.getLength());
      int type = in.getShort() & 0xffff;
      int length = in.getShort() & 0xffff;
      in.getInt();
      byte[] txid = new byte[12];
      in.get(txid);
      if (!Arrays.equals(txid, Arrays.copyOfRange(request, 8, 20))) {
        continue; // a late answer to an earlier request
      }
      Map<Integer, byte[]> attrs = new LinkedHashMap<>();
      int end = 20 + length;
      while (in.position() + 4 <= end) {
        int t = in.getShort() & 0xffff;
        int l = in.getShort() & 0xffff;
        byte[] v = new byte[l];
        in.get(v);
        in.position(Math.min(end, in.position() + (4 - l % 4) % 4));
        attrs.put(t, v);
      }
      int errorClass = (type & 0x0110) == 0x0110 ? 1 : 0;
      byte[] error = attrs.get(ERROR_CODE);
      int code = error == null ? 0 : (error[2] & 0x7) * 100 + (error[3] & 0xff);
      return new Response(errorClass == 0, code, attrs);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
