package io.signaling.node.warmup;

/**
 * The messages of a warm-up call, shaped as the JS SDK sends them: an offer and an answer of a browser's size
 * (about 5 KB, audio, video and data), and host candidates. The texts are built once per node.
 */
final class WarmupMessages {

  private final String tokenField;
  private final int candidates;
  private final String offerSdp;
  private final String answerSdp;

  /** @param token the join token warm-up joins carry, or null when the node requires none */
  WarmupMessages(String token, int candidates) {
    this.tokenField = token == null ? "" : ",\"token\":\"" + token + "\"";
    this.candidates = candidates;
    this.offerSdp = sdp("actpass");
    this.answerSdp = sdp("active");
  }

  int candidates() {
    return candidates;
  }

  /**
   * The client shapes warm-up calls take in turn, chosen by the stream id (so both sides of a call, on two members,
   * agree): the JS SDK's (getIceServerConfig on connect, {@code multiPeer} and {@code mode} in the join, candidates
   * of three m-lines, {@code leave}); a bare client's (nothing but the command and stream id, candidates of one
   * m-line); the mobile SDKs' (a ping on connect, {@code mode:"play or both"} and more fields in the join, an empty
   * end-of-candidates candidate, {@code stop} to leave). The node compiles its decoding for the branches each takes,
   * not for one client's.
   */
  static int shape(String streamId) {
    return Math.floorMod(streamId.hashCode(), 3);
  }

  /** What a client sends on connect, before its join (null: nothing). */
  static String onConnect(String streamId) {
    return switch (shape(streamId)) {
      case 0 -> "{\"command\":\"getIceServerConfig\"}";
      case 2 -> "{\"command\":\"ping\"}";
      default -> null;
    };
  }

  String join(String streamId) {
    return switch (shape(streamId)) {
      case 0 -> "{\"command\":\"join\",\"streamId\":\"" + streamId + "\",\"multiPeer\":false,\"mode\":\"both\""
          + tokenField + "}";
      case 1 -> "{\"command\":\"join\",\"streamId\":\"" + streamId + "\"" + tokenField + "}";
      default -> "{\"command\":\"join\",\"streamId\":\"" + streamId + "\",\"multiPeer\":false,\"mode\":\"play or both\","
          + "\"streamName\":\"" + streamId + "\",\"role\":\"default\"" + tokenField + "}";
    };
  }

  static String leave(String streamId) {
    return "{\"command\":\"" + (shape(streamId) == 2 ? "stop" : "leave") + "\",\"streamId\":\"" + streamId + "\"}";
  }

  String offer(String streamId) {
    return configuration(streamId, "offer", shape(streamId) == 1 ? offerSdp + EXTRA_LINE : offerSdp);
  }

  String answer(String streamId) {
    return configuration(streamId, "answer", shape(streamId) == 1 ? answerSdp + EXTRA_LINE : answerSdp);
  }

  private static final String EXTRA_LINE = "a=x-warmup:1\\r\\n";

  private static String configuration(String streamId, String type, String sdp) {
    return "{\"command\":\"takeConfiguration\",\"streamId\":\"" + streamId + "\",\"type\":\"" + type + "\",\"sdp\":\""
        + sdp + "\"}";
  }

  String candidate(String streamId, int n) {
    int shape = shape(streamId);
    int mline = shape == 0 ? n % 3 : shape == 1 ? 0 : n % 2;
    String text = shape == 2 && n == candidates - 1 ? ""
        : "candidate:" + (1_000_000 + n) + " 1 udp 2122260223 127.0.0.1 " + (40_000 + n)
            + " typ host generation 0 ufrag Ld8x network-id 1";
    return "{\"command\":\"takeCandidate\",\"streamId\":\"" + streamId + "\",\"label\":" + mline + ",\"id\":\""
        + mline + "\",\"candidate\":\"" + text + "\"}";
  }

  /** An SDP as a browser writes it, JSON-escaped (its line ends as {@code \r\n}). */
  private static String sdp(String setup) {
    StringBuilder b = new StringBuilder(6000);
    line(b, "v=0");
    line(b, "o=- 4611731400430051336 2 IN IP4 127.0.0.1");
    line(b, "s=-");
    line(b, "t=0 0");
    line(b, "a=group:BUNDLE 0 1 2");
    line(b, "a=extmap-allow-mixed");
    line(b, "a=msid-semantic: WMS stream");
    String[] kinds = {"audio", "video"};
    for (int mid = 0; mid < kinds.length; mid++) {
      String kind = kinds[mid];
      line(b, "m=" + kind + " 9 UDP/TLS/RTP/SAVPF " + (kind.equals("audio") ? "111 63 9 0 8 13 110 126"
          : "96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118"));
      line(b, "c=IN IP4 0.0.0.0");
      line(b, "a=rtcp:9 IN IP4 0.0.0.0");
      line(b, "a=ice-ufrag:Ld8x");
      line(b, "a=ice-pwd:J3Ki9ZqZ0cRpMJ0nNyrZ8LtH");
      line(b, "a=ice-options:trickle");
      line(b, "a=fingerprint:sha-256 5B:D3:8E:66:0E:7D:D3:F3:8D:E6:4F:B4:0C:4E:53:2E:8F:1C:0A:7B:2F:5D:9E:AA:01:23"
          + ":45:67:89:AB:CD:EF");
      line(b, "a=setup:" + setup);
      line(b, "a=mid:" + mid);
      for (int ext = 1; ext <= 8; ext++) {
        line(b, "a=extmap:" + ext + " urn:ietf:params:rtp-hdrext:sdes:" + kind + "-extension-" + ext);
      }
      line(b, "a=sendrecv");
      line(b, "a=msid:stream " + kind + "-track");
      line(b, "a=rtcp-mux");
      int payloads = kind.equals("audio") ? 8 : 25;
      for (int pt = 0; pt < payloads; pt++) {
        int type = 96 + pt;
        line(b, "a=rtpmap:" + type + " " + (kind.equals("audio") ? "opus/48000/2" : "VP8/90000"));
        if (kind.equals("video")) {
          line(b, "a=rtcp-fb:" + type + " nack pli");
        }
        line(b, "a=fmtp:" + type + " minptime=10;useinbandfec=1");
      }
      line(b, "a=ssrc:" + (1_000_000 + mid) + " cname:warmup");
    }
    line(b, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
    line(b, "c=IN IP4 0.0.0.0");
    line(b, "a=mid:2");
    line(b, "a=sctp-port:5000");
    line(b, "a=max-message-size:262144");
    return b.toString();
  }

  private static void line(StringBuilder b, String text) {
    b.append(text).append("\\r\\n");
  }
}
