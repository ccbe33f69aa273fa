package io.signaling.loadtest;

/** A session description shaped like a browser's (audio, video with the usual codecs, data channel), of a given size. */
final class Sdp {

  private Sdp() {
  }

  static String generate(String type, int targetBytes) {
    StringBuilder b = new StringBuilder(Math.max(targetBytes, 1024) + 256);
    String setup = type.equals("offer") ? "actpass" : "active";
    line(b, "v=0");
    line(b, "o=- 4611731400430051336 2 IN IP4 127.0.0.1");
    line(b, "s=-");
    line(b, "t=0 0");
    line(b, "a=group:BUNDLE 0 1 2");
    line(b, "a=extmap-allow-mixed");
    line(b, "a=msid-semantic: WMS loadtest");
    line(b, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126");
    line(b, "c=IN IP4 0.0.0.0");
    line(b, "a=rtcp:9 IN IP4 0.0.0.0");
    line(b, "a=ice-ufrag:Ld8x");
    line(b, "a=ice-pwd:9PyS0Ie9l4J8XaHs1vFqNg2n");
    line(b, "a=ice-options:trickle");
    line(b, "a=fingerprint:sha-256 5B:2A:7C:1E:90:3F:44:D1:6E:88:0B:C2:39:AF:17:5D:E4:6A:93:0C:71:B8:2F:D5:4E:16:A9:3B:C7:08:EE:52");
    line(b, "a=setup:" + setup);
    line(b, "a=mid:0");
    line(b, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    line(b, "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time");
    line(b, "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
    line(b, "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid");
    line(b, "a=sendrecv");
    line(b, "a=msid:loadtest 7c3d6a47-audio");
    line(b, "a=rtcp-mux");
    line(b, "a=rtpmap:111 opus/48000/2");
    line(b, "a=rtcp-fb:111 transport-cc");
    line(b, "a=fmtp:111 minptime=10;useinbandfec=1");
    line(b, "a=rtpmap:63 red/48000/2");
    line(b, "a=fmtp:63 111/111");
    line(b, "a=rtpmap:9 G722/8000");
    line(b, "a=rtpmap:0 PCMU/8000");
    line(b, "a=rtpmap:8 PCMA/8000");
    line(b, "a=rtpmap:13 CN/8000");
    line(b, "a=rtpmap:110 telephone-event/48000");
    line(b, "a=rtpmap:126 telephone-event/8000");
    line(b, "a=ssrc:1001873344 cname:Kq2xv0Rw3pS1Zl6d");
    line(b, "a=ssrc:1001873344 msid:loadtest 7c3d6a47-audio");
    line(b, "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 105 106 107 108 109 127 125");
    line(b, "c=IN IP4 0.0.0.0");
    line(b, "a=rtcp:9 IN IP4 0.0.0.0");
    line(b, "a=ice-ufrag:Ld8x");
    line(b, "a=ice-pwd:9PyS0Ie9l4J8XaHs1vFqNg2n");
    line(b, "a=ice-options:trickle");
    line(b, "a=fingerprint:sha-256 5B:2A:7C:1E:90:3F:44:D1:6E:88:0B:C2:39:AF:17:5D:E4:6A:93:0C:71:B8:2F:D5:4E:16:A9:3B:C7:08:EE:52");
    line(b, "a=setup:" + setup);
    line(b, "a=mid:1");
    line(b, "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset");
    line(b, "a=extmap:13 urn:3gpp:video-orientation");
    line(b, "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay");
    line(b, "a=sendrecv");
    line(b, "a=msid:loadtest 2f9b61c4-video");
    line(b, "a=rtcp-mux");
    line(b, "a=rtcp-rsize");
    String[][] codecs = {
        {"96", "VP8/90000", null}, {"98", "VP9/90000", "profile-id=0"}, {"100", "VP9/90000", "profile-id=2"},
        {"102", "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"},
        {"104", "H264/90000", "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f"},
        {"106", "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
        {"108", "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f"},
        {"127", "AV1/90000", "level-idx=5;profile=0;tier=0"}};
    for (String[] c : codecs) {
      line(b, "a=rtpmap:" + c[0] + " " + c[1]);
      for (String fb : new String[] {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}) {
        line(b, "a=rtcp-fb:" + c[0] + " " + fb);
      }
      if (c[2] != null) {
        line(b, "a=fmtp:" + c[0] + " " + c[2]);
      }
      int rtx = Integer.parseInt(c[0]) + 1;
      line(b, "a=rtpmap:" + rtx + " rtx/90000");
      line(b, "a=fmtp:" + rtx + " apt=" + c[0]);
    }
    line(b, "a=ssrc-group:FID 2231627014 632943048");
    line(b, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
    line(b, "c=IN IP4 0.0.0.0");
    line(b, "a=ice-ufrag:Ld8x");
    line(b, "a=ice-pwd:9PyS0Ie9l4J8XaHs1vFqNg2n");
    line(b, "a=setup:" + setup);
    line(b, "a=mid:2");
    line(b, "a=sctp-port:5000");
    line(b, "a=max-message-size:262144");
    long ssrc = 2231627014L;
    while (b.length() + 64 < targetBytes) {
      line(b, "a=ssrc:" + ssrc + " cname:Kq2xv0Rw3pS1Zl6d");
      line(b, "a=ssrc:" + ssrc + " msid:loadtest 2f9b61c4-video");
      ssrc += 7919;
    }
    return b.toString();
  }

  private static void line(StringBuilder b, String line) {
    b.append(line).append("\r\n");
  }
}
