// A peer-to-peer call page speaking the Ant Media P2P signaling protocol with the browser's own WebRTC API.
// The page offers when it receives `start`, answers offers, trickles candidates, chats over a data
// channel, and handles what an SDK leaves to the page: a partner leaving, a lost socket, a full room.

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const baseWsUrl = params.get("ws") ||
  `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/WebRTCAppEE/websocket`;

// Resume (docs/PROTOCOL.md): a random peer id of 128 bits, kept for the tab's life, offered in the
// Sec-WebSocket-Protocol header ("peer.<id>", next to "signaling", which the server selects) and not in the URL,
// so that access logs do not keep it. After a lost
// socket (or a lost node) the page reconnects with the same id and joins again: the server gives the call back,
// with what the partner sent meanwhile, and the partner notices nothing. The media never stopped.
function peerId() {
  let id = sessionStorage.getItem("signalingPeerId");
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    sessionStorage.setItem("signalingPeerId", id);
  }
  return id;
}
const wsProtocols = ["signaling", `peer.${peerId()}`];

let socket = null;
let room = null;            // the room we are in (or want to be in after a reconnect)
let pc = null;              // the peer connection with the current partner
let channel = null;         // the chat data channel
let localStream = null;
let iceServers = [];
let pendingCandidates = [];
let reconnectDelay = 1000;
let pingTimer = null;

function logSignal(direction, message) {
  const li = document.createElement("li");
  li.className = direction;
  li.textContent = `${direction === "out" ? "→" : "←"} ${JSON.stringify(message)}`;
  $("signalLog").append(li);
  li.scrollIntoView({ block: "nearest" });
}

function logChat(who, text) {
  const li = document.createElement("li");
  li.className = who === "You" ? "me" : "them";
  li.textContent = `${who}: ${text}`;
  $("chatLog").append(li);
  li.scrollIntoView({ block: "nearest" });
}

function setStatus(text) {
  $("status").textContent = text;
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
    if (message.command !== "ping") logSignal("out", message);
  }
}

async function showNode() {
  try {
    // the client port names its node on every page response (health and metrics are on the management port)
    const response = await fetch("/", { method: "HEAD", cache: "no-store" });
    const node = response.headers.get("X-Signaling-Node");
    $("node").textContent = `Node ${location.host}${node ? " · " + node.slice(0, 8) : ""}`;
  } catch (e) {
    $("node").textContent = `Node ${location.host}`;
  }
}

function connect() {
  socket = new WebSocket(baseWsUrl, wsProtocols);
  socket.onopen = () => {
    reconnectDelay = 1000;
    send({ command: "getIceServerConfig" });
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ command: "ping" }), 3000);
    if (room) join(room);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.command !== "pong") logSignal("in", message);
    handle(message).catch((e) => logChat("Page", `error: ${e.message}`));
  };
  socket.onclose = () => {
    clearInterval(pingTimer);
    // the call is kept: the media goes on without the server, and the join after the reconnect resumes it
    // (if the server's window passed, the partner was told stop and the join starts a new call)
    setStatus(room ? "Connection lost, resuming…" : "Disconnected, reconnecting…");
    setTimeout(connect, reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, 10000);
  };
}

async function handle(message) {
  switch (message.command) {
    case "iceServerConfig": {
      const uri = message.stunServerUri || "";
      iceServers = uri.startsWith("stun:") || uri.startsWith("turn:")
        ? [{ urls: uri, username: message.turnServerUsername || undefined,
             credential: message.turnServerCredential || undefined }]
        : [];
      break;
    }
    case "notification":
      if (message.definition === "joined") {
        if (pc && !["failed", "closed"].includes(pc.connectionState)) {
          // a resume: the call is back; restart ICE, which also recovers candidates lost with the old socket
          setStatus(`In room ${message.streamId}, call resumed`);
          await restartIce();
        } else {
          setStatus(`In room ${message.streamId}, waiting for a partner`);
        }
      }
      if (message.definition === "leaved") setStatus("Not in a room");
      if (message.definition === "server_will_stop") setStatus("The node is stopping, moving to another…");
      break;
    case "start":
      await createPeer(true);
      break;
    case "takeConfiguration":
      await onConfiguration(message);
      break;
    case "takeCandidate":
      await onCandidate(message);
      break;
    case "stop":
      closePeer();
      $("remoteCaption").textContent = "Your partner left; waiting for a new one";
      setStatus(`In room ${message.streamId}, partner left`);
      break;
    case "error":
      if (message.definition === "NoSpaceForNewPeer") {
        room = null;
        setStatus("That room is full");
        setJoined(false);
      } else if (message.definition === "temporarilyUnavailable" && room) {
        // the cluster could not decide the join in time (a node was just lost, say): join again a little later
        setStatus("The service is busy, joining again…");
        setTimeout(() => { if (room && socket.readyState === WebSocket.OPEN) join(room); }, 1000);
      } else {
        setStatus(`Error: ${message.definition}`);
      }
      break;
    default:
      break;
  }
}

async function createPeer(offerer) {
  closePeer();
  pc = new RTCPeerConnection({ iceServers });
  pendingCandidates = [];
  if (localStream) localStream.getTracks().forEach((t) => pc.addTrack(t, localStream));
  pc.onicecandidate = (e) => {
    if (e.candidate) {
      send({ command: "takeCandidate", streamId: room, label: e.candidate.sdpMLineIndex ?? 0,
             id: e.candidate.sdpMid ?? "0", candidate: e.candidate.candidate });
    }
  };
  pc.ontrack = (e) => {
    $("remoteVideo").srcObject = e.streams[0] || new MediaStream([e.track]);
    $("remoteCaption").textContent = "Partner";
  };
  pc.ondatachannel = (e) => setupChannel(e.channel);
  pc.onconnectionstatechange = () => {
    if (pc) setStatus(`In room ${room}, call ${pc.connectionState}`);
  };
  if (offerer) {
    setupChannel(pc.createDataChannel("chat"));
    if (!localStream) {
      pc.addTransceiver("video", { direction: "recvonly" });
      pc.addTransceiver("audio", { direction: "recvonly" });
    }
    await pc.setLocalDescription(await pc.createOffer());
    send({ command: "takeConfiguration", streamId: room, type: "offer", sdp: pc.localDescription.sdp });
  }
}

async function restartIce() {
  await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
  send({ command: "takeConfiguration", streamId: room, type: "offer", sdp: pc.localDescription.sdp });
}

async function onConfiguration(message) {
  if (message.type === "offer") {
    // a renegotiation (an ICE restart, say, after a resume) reuses the peer connection of the call
    if (!pc || ["failed", "closed"].includes(pc.connectionState)) await createPeer(false);
    await pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
    await flushCandidates();
    await pc.setLocalDescription(await pc.createAnswer());
    send({ command: "takeConfiguration", streamId: room, type: "answer", sdp: pc.localDescription.sdp });
  } else if (pc) {
    await pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
    await flushCandidates();
  }
}

async function onCandidate(message) {
  if (!message.candidate) return; // end of candidates
  const candidate = { candidate: message.candidate, sdpMLineIndex: message.label, sdpMid: message.id };
  if (pc && pc.remoteDescription) {
    await pc.addIceCandidate(candidate);
  } else {
    pendingCandidates.push(candidate);
  }
}

async function flushCandidates() {
  for (const c of pendingCandidates.splice(0)) await pc.addIceCandidate(c);
}

function setupChannel(dc) {
  channel = dc;
  dc.onopen = () => { $("chatText").disabled = false; $("send").disabled = false; };
  dc.onclose = () => { $("chatText").disabled = true; $("send").disabled = true; };
  dc.onmessage = (e) => logChat("Partner", e.data);
}

function closePeer() {
  if (channel) channel.close();
  if (pc) pc.close();
  channel = null;
  pc = null;
  $("remoteVideo").srcObject = null;
  $("chatText").disabled = true;
  $("send").disabled = true;
}

function setJoined(joined) {
  $("join").disabled = joined;
  $("leave").disabled = !joined;
  $("room").disabled = joined;
}

async function join(name) {
  room = name;
  if (!localStream) {
    try {
      localStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      $("localVideo").srcObject = localStream;
    } catch (e) {
      logChat("Page", "no camera or microphone: joining to watch only");
    }
  }
  setJoined(true);
  send({ command: "join", streamId: name, multiPeer: false, mode: localStream ? "both" : "play" });
}

$("joinForm").addEventListener("submit", (e) => {
  e.preventDefault();
  join($("room").value.trim());
});

$("leave").addEventListener("click", () => {
  send({ command: "leave", streamId: room });
  closePeer();
  room = null;
  setJoined(false);
  $("remoteCaption").textContent = "Waiting for a partner";
});

$("chatForm").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("chatText").value;
  if (channel && channel.readyState === "open" && text) {
    channel.send(text);
    logChat("You", text);
    $("chatText").value = "";
  }
});

showNode();
connect();

// closing the tab is a leave: the partner is told at once, not after the resume window
window.addEventListener("pagehide", () => {
  if (room) send({ command: "leave", streamId: room });
});
