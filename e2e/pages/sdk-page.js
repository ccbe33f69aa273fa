// Drives the official WebRTCAdaptor as an app would; the tests read what happened from window.sdk.
"use strict";

// The SDK's video-effect plugin fetches its model files from this URL when an effect is used; point it at
// the copy served with this page instead of the SDK's default CDN (a documented setting of the SDK).
webrtc_adaptor.VideoEffect.LOCATE_FILE_URL = "/selfie-segmentation";

window.sdk = {
  adaptor: null,
  events: [],        // every callback: { info, streamId, state, data }
  received: [],      // every message from the server: { command, definition, streamId }
  errors: [],        // every callbackError: { error, message }
  peerConnections: {}, // streamId -> the RTCPeerConnection the SDK made (kept after the SDK drops it)

  rooms: new Set(),  // the rooms this page is in: joined and not left (the resume recipe joins them again)
  reconnecting: false,

  /**
   * Creates the adaptor; resolves once the SDK reports "initialized". With {@code resume}, the page follows the
   * resume recipe of docs/PROTOCOL.md: a peer id of 128 random bits in the URL, and after a lost socket a new one
   * to the same URL and a join of every room it was in.
   */
  start(url, { playOnly = false, relay = false, resume = false } = {}) {
    if (resume) {
      const peerId = sessionStorage.peerId ??= btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
        .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      url += `${url.includes("?") ? "&" : "?"}peer=${peerId}`;
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("SDK not initialized within 15 s")), 15000);
      this.adaptor = new webrtc_adaptor.WebRTCAdaptor({
        websocket_url: url,
        mediaConstraints: playOnly ? { video: false, audio: false } : { video: true, audio: true },
        // no STUN/TURN: everything is on this machine (the SDK's default STUN server is outside it); relay-only
        // leaves iceServers out, so that the SDK asks the server (getIceServerConfig) and uses its TURN credentials
        peerconnection_config: relay ? { iceTransportPolicy: "relay", sdpSemantics: "unified-plan" } : { iceServers: [] },
        sdp_constraints: { OfferToReceiveAudio: true, OfferToReceiveVideo: true },
        localVideoId: "localVideo",
        remoteVideoId: "remoteVideo",
        isPlayMode: playOnly,
        dataChannelEnabled: true,
        debug: false,
        callback: (info, obj) => {
          const event = { info };
          if (typeof obj === "string") {
            event.streamId = obj; // e.g. data_channel_opened and data_channel_closed give the streamId itself
          } else if (obj && typeof obj === "object") {
            event.streamId = obj.streamId;
            event.state = obj.state;
            if (info === "data_received") event.data = obj.data;
            if (info === "peerMessageCommand") event.data = obj.data;
          }
          this.events.push(event);
          this.keepPeerConnections();
          if (resume) this.resumeRecipe(info, obj);
          if (info === "initialized") {
            clearTimeout(timer);
            resolve();
          }
        },
        callbackError: (error, message) => {
          this.errors.push({ error: String(error), message: message === undefined ? null : String(message) });
          // the cluster could not decide the join in time (a node was just lost): join again a little later
          if (resume && error === "temporarilyUnavailable" && this.rooms.has(message && message.streamId)) {
            setTimeout(() => this.adaptor.join(message.streamId), 1000);
          }
        },
      });
    });
  },

  /**
   * The resume recipe, as an app writes it. The SDK keeps its peer connections when its socket closes (the media and
   * the data channel go on); the page opens a new socket to the same URL, so with the same peer id, a second after
   * it lost one (again after each failed attempt), and joins its rooms again once the SDK reports that socket open.
   */
  resumeRecipe(info, obj) {
    if (info === "joined") this.rooms.add(obj.streamId);
    if (info === "leaved") this.rooms.delete(obj.streamId);
    // (4002: a newer socket with this peer id took the call over, in another tab: this one stays away)
    if (info === "closed" && this.rooms.size > 0 && !(obj && obj.code === 4002)) {
      this.reconnecting = true;
      setTimeout(() => this.adaptor.checkWebSocketConnection(), 1000);
    }
    if (info === "initialized" && this.reconnecting) {
      this.reconnecting = false;
      for (const room of this.rooms) this.adaptor.join(room);
    }
  },

  /** An ICE restart as an app starts one through the SDK: a new offer, sent to the partner by the SDK. */
  async restartIce(streamId) {
    const pc = this.adaptor.remotePeerConnection[streamId];
    this.adaptor.gotDescription(await pc.createOffer({ iceRestart: true }), streamId);
  },

  /** The ICE username fragments of a peer connection: its own, the partner's, and that of the pair in use. */
  async ufrags(streamId) {
    const pc = this.peerConnections[streamId];
    const ufrag = (d) => (d && /a=ice-ufrag:(\S+)/.exec(d.sdp) || [])[1] || null;
    const stats = await pc.getStats();
    let selected = null;
    stats.forEach((s) => { if (s.type === "transport" && s.selectedCandidatePairId) selected = s.selectedCandidatePairId; });
    const pair = selected && stats.get(selected);
    const local = pair && stats.get(pair.localCandidateId);
    return { local: ufrag(pc.currentLocalDescription), remote: ufrag(pc.currentRemoteDescription),
      selected: (local && local.usernameFragment) || null, state: pc.connectionState,
      signaling: pc.signalingState };
  },

  keepPeerConnections() {
    const pcs = this.adaptor && this.adaptor.remotePeerConnection;
    if (!pcs) return;
    for (const id of Object.keys(pcs)) {
      if (pcs[id]) this.peerConnections[id] = pcs[id];
    }
  },

  /** The ICE servers the SDK will use (after iceServerConfig, the server's TURN URI and credential). */
  iceServers() {
    return (this.adaptor && this.adaptor.peerconnection_config.iceServers) || [];
  },

  /** The types of the local and remote candidates of the peer connection's selected pair, once there is one. */
  async selectedPair(streamId) {
    const pc = this.peerConnections[streamId];
    if (!pc) return null;
    const stats = await pc.getStats();
    let pairId = null;
    stats.forEach((s) => { if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
    const pair = pairId && stats.get(pairId);
    if (!pair) return null;
    return { local: stats.get(pair.localCandidateId).candidateType, remote: stats.get(pair.remoteCandidateId).candidateType };
  },

  /** Gathers candidates with relay-only ICE and the given TURN server; resolves with the candidate types found. */
  async gatherRelay(server) {
    const pc = new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: "relay" });
    const types = [];
    const errors = [];
    pc.onicecandidateerror = (e) => errors.push(e.errorCode);
    const done = new Promise((resolve) => {
      pc.onicecandidate = (e) => { if (e.candidate) types.push(e.candidate.type); else resolve(); };
    });
    pc.createDataChannel("probe");
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    pc.close();
    return { types, errors };
  },

  has(info, predicate = () => true) {
    return this.events.some((e) => e.info === info && predicate(e));
  },

  count(info, predicate = () => true) {
    return this.events.filter((e) => e.info === info && predicate(e)).length;
  },

  /** Video frames decoded by the remote video element so far. */
  remoteFrames() {
    const v = document.getElementById("remoteVideo");
    if (!v.srcObject || v.videoWidth === 0) return 0;
    return v.getVideoPlaybackQuality().totalVideoFrames;
  },
};

// Records every message the SDK receives on its WebSocket (so a test can tell the server sent no stop), by
// listening on the sockets it opens; the SDK itself is untouched.
window.WebSocket = class RecordingWebSocket extends window.WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (e) => {
      try {
        const m = JSON.parse(e.data);
        window.sdk.received.push({ command: m.command, definition: m.definition, streamId: m.streamId });
      } catch (ignored) {
        window.sdk.received.push({ command: null });
      }
    });
  }
};
