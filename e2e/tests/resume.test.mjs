// Resume (docs/PROTOCOL.md, "Resume") in headless Chromium: a call across two nodes outlives the node one tab's
// socket is on. That tab reaches the cluster through a small TCP proxy standing in for the Kubernetes Service;
// its node is SIGKILLed, the call's media and data channel go on without signaling, the tab reconnects through
// the proxy (now forwarding to a live node) with the same peer id and resumes, its partner notices nothing, and a
// renegotiation (an ICE restart) afterwards goes through the server and completes. Once with the official SDK and
// the recipe of PROTOCOL.md (pages/sdk-page.js), once with the demo page each node serves.
//
// The suite kills nodes, so it runs on a cluster of its own of four nodes (SIGNALING_URLS, SIGNALING_PIDS and
// SIGNALING_MANAGEMENT_URLS in one order; without the pids it skips): node 2 holds the partners (tab B) and never
// goes; the SDK test kills node 1 and resumes on node 3, the demo test kills node 4 and resumes on node 3.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { withBrowser, withPages, urls, httpBases, pids, managementBases, until, sdkCall,
  exchangeData, mark, demoJoin, demoInCall, waitFor, readyStatus, TIMEOUT } from "./lib.mjs";

/** The nodes' resume window (SIGNALING_RESUME_SECONDS, set by the suite's runner; 30 s is the default). */
const WINDOW_MS = Number(process.env.SIGNALING_RESUME_SECONDS || 30) * 1000;
/**
 * How long a resume may take after the kill: the window less 5 s, so that a resume that only just made it is not
 * mistaken for one the server handled (past the window the partner gets stop, which the checks would report). What
 * it takes here, about 3 s: the cluster removing the SIGKILLed member (under a second: its sockets reset), the
 * page's 1 s before it reconnects, the gap the test keeps open, a join.
 */
const RESUME_DEADLINE_MS = WINDOW_MS - 5000;
/** The pace of the data-channel messages each tab sends for the whole call. */
const TICK_MS = 200;
const skip = pids.length < 4 && "SIGNALING_PIDS not set: this suite kills nodes of a 4-node cluster of its own";
const PARTNER_NODE = 1; // node 2: tab B in both tests

const { sdkTab, demoTab } = withBrowser({ skip });
const port = (url) => Number(new URL(url.replace(/^ws/, "http")).port);

/**
 * A TCP proxy on loopback standing in for the Kubernetes Service in front of the nodes: it forwards each new
 * connection to the first node of its preference order that accepts it (a node that is gone refuses), and closes
 * the client's side when the node's side closes (a node that dies resets its connections). While held, new
 * connections wait unforwarded (a Service with no ready endpoint yet), so that a test can look at the gap.
 */
async function startProxy(order) {
  const state = { held: false, waiting: [], routed: [], sockets: new Set() };
  const forward = (client, attempt = 0) => {
    if (client.destroyed) return;
    if (attempt >= order.length) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port(urls[order[attempt]]), "127.0.0.1");
    state.sockets.add(upstream);
    upstream.once("error", () => {
      if (!upstream.connected) forward(client, attempt + 1);
    });
    upstream.once("connect", () => {
      upstream.connected = true;
      state.routed.push(order[attempt]);
      upstream.on("error", () => client.destroy());
      upstream.on("close", () => client.destroy());
      client.on("close", () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on("close", () => state.sockets.delete(upstream));
  };
  const server = net.createServer((client) => {
    state.sockets.add(client);
    client.on("error", () => {});
    client.on("close", () => state.sockets.delete(client));
    if (state.held) state.waiting.push(client);
    else forward(client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    /** The node (index in SIGNALING_URLS) each forwarded connection went to, in order. */
    routed: state.routed,
    hold: () => { state.held = true; },
    /** Forwards the connections that waited, and every new one. */
    release: () => {
      state.held = false;
      for (const c of state.waiting.splice(0)) forward(c);
    },
    waiting: () => state.waiting.filter((c) => !c.destroyed).length,
    close: () => new Promise((resolve) => {
      for (const s of state.sockets) s.destroy();
      server.close(resolve);
    }),
  };
}

/**
 * Every node but the ones named is ready: in the cluster, and the cluster safe (every partition's backup in
 * place), so that a kill loses no room state in flight.
 */
async function clusterReady(except) {
  const live = managementBases.filter((_, i) => !except.includes(i));
  await waitFor("every live node is ready", 60000,
    async () => (await Promise.all(live.map(readyStatus))).every((s) => s === 200));
}

function kill(node) {
  process.kill(pids[node], "SIGKILL");
  return Date.now();
}

// ---- the official SDK -------------------------------------------------------------------------------------------

/** A peer message through the server (the SDK's peerMessage), awaited at the other tab. */
async function relay(from, to, streamId, text) {
  await from.evaluate(([id, t]) => window.sdk.adaptor.peerMessage(id, "resume-test", t), [streamId, text]);
  await until(to, (t) => window.sdk.has("peerMessageCommand", (e) => e.data === t), text);
}

/** Starts sending "<label> 1", "<label> 2", ... over the data channel every TICK_MS. */
const startTicks = (page, streamId, label) => page.evaluate(([id, l, ms]) => {
  window.ticks = { sent: 0 };
  window.ticks.timer = setInterval(() => window.sdk.adaptor.sendData(id, `${l} ${++window.ticks.sent}`), ms);
}, [streamId, label, TICK_MS]);

const stopTicks = (page) => page.evaluate(() => {
  clearInterval(window.ticks.timer);
  return window.ticks.sent;
});

/** The numbers of the ticks with this label the page received, in the order received. */
const ticksReceived = (page, label) => page.evaluate((l) => window.sdk.events
  .filter((e) => e.info === "data_received" && typeof e.data === "string" && e.data.startsWith(`${l} `))
  .map((e) => Number(e.data.slice(l.length + 1))), label);

/**
 * Whatever would end the call for this page's SDK since the mark; empty while the call goes on. A lost socket
 * ("closed") counts only when {@code socketMayClose} is false: the resuming tab's socket is lost on purpose.
 */
const callEnders = (page, streamId, since, socketMayClose = false) => page.evaluate(([id, m, mayClose]) => {
  const found = [];
  const pc = window.sdk.peerConnections[id];
  if (!window.sdk.adaptor.remotePeerConnection[id]) found.push("the SDK dropped its peer connection");
  if (["closed", "failed"].includes(pc.connectionState)) found.push(`connectionState ${pc.connectionState}`);
  if (pc.signalingState === "closed") found.push("signalingState closed");
  for (const e of window.sdk.events.slice(m.events)) {
    if (["server_will_stop", "data_channel_closed"].includes(e.info)) found.push(`SDK event ${e.info}`);
    if (e.info === "closed" && !mayClose) found.push("SDK event closed");
    if (e.info === "ice_connection_state_changed" && ["closed", "failed"].includes(e.state)) {
      found.push(`ICE ${e.state}`);
    }
  }
  for (const r of window.sdk.received.slice(m.received)) {
    if (r.command === "stop") found.push(`stop received for ${r.streamId}`);
    if (r.command === "start") found.push(`start received for ${r.streamId}`);
  }
  return found;
}, [streamId, since, socketMayClose]);

/** Starts an ICE restart from one tab and waits until both tabs run on the new ICE credentials. */
async function sdkIceRestart(from, to, streamId) {
  const before = { from: await from.evaluate((id) => window.sdk.ufrags(id), streamId),
    to: await to.evaluate((id) => window.sdk.ufrags(id), streamId) };
  await from.evaluate((id) => window.sdk.restartIce(id), streamId);
  // THEN the offer reached the partner through the server and its answer came back: each side's description
  // names the other's new ufrag, both are stable and connected, and the restarting side's pair in use has its new
  // credentials (which takes connectivity checks answered with the partner's new ufrag). The partner's pair in use
  // may keep its old local ufrag: the SDK relays candidates without their ufrag and adds each one at once, so
  // those of the partner's new generation that overtake its answer are taken as of the old one (the call stays
  // connected over them; the demo page's answer is the same race)
  const done = async (page, mine, theirs, restarting) => page.evaluate(async ([id, m, t, r]) => {
    const u = await window.sdk.ufrags(id);
    return u.local !== m && u.remote !== t && u.signaling === "stable" && u.state === "connected"
      && (!r || u.selected === u.local) ? u : null;
  }, [streamId, mine, theirs, restarting]);
  let after;
  await waitFor("the ICE restart completes on both sides", TIMEOUT, async () => {
    const f = await done(from, before.from.local, before.from.remote, true);
    const t = await done(to, before.to.local, before.to.remote, false);
    after = { from: f, to: t };
    return f && t;
  }).catch(async (e) => {
    const now = { from: await from.evaluate((id) => window.sdk.ufrags(id), streamId),
      to: await to.evaluate((id) => window.sdk.ufrags(id), streamId) };
    throw new Error(`${e.message}: before ${JSON.stringify(before)}, now ${JSON.stringify(now)}`);
  });
  assert.equal(after.to.remote, after.from.local, "the partner has the restarting side's new ufrag");
  assert.equal(after.from.remote, after.to.local, "the restarting side has the partner's new ufrag");
}

test("the official SDK: a tab whose node is SIGKILLed resumes through the Service; the call goes on and renegotiates",
  { skip }, async () => {
    await withPages("sdk-resume", async (pages) => {
      const proxy = await startProxy([0, 2]); // node 1, and after its loss node 3 (tab B is on node 2)
      try {
        await clusterReady([]);
        // GIVEN tab A, through the Service on node 1, and tab B on node 2, both following the resume recipe, in a
        // call: ICE connected, data channels open both ways, and each sending a data-channel message every 200 ms
        const a = await sdkTab(pages, "A-via-service", `ws://127.0.0.1:${proxy.port}/WebRTCAppEE/websocket`,
          { resume: true });
        const b = await sdkTab(pages, "B-node2", urls[PARTNER_NODE], { resume: true });
        assert.deepEqual(proxy.routed, [0], "tab A's socket goes to node 1");
        const id = `resume-sdk-${process.pid}`;
        await sdkCall(a, b, id);
        await exchangeData(a, b, id, "before the loss, from A");
        await exchangeData(b, a, id, "before the loss, from B");
        await startTicks(a, id, "A");
        await startTicks(b, id, "B");
        const since = { a: await mark(a), b: await mark(b) };

        // WHEN node 1 is SIGKILLed, and the Service has no node for A's next connection for a while
        proxy.hold();
        const killed = kill(0);
        // THEN A's SDK loses its socket
        await until(a, (m) => window.sdk.events.slice(m.events).some((e) => e.info === "closed"), since.a);
        // AND while A has no signaling at all, the data channel carries messages both ways
        await exchangeData(a, b, id, "in the gap, from A");
        await exchangeData(b, a, id, "in the gap, from B");
        await waitFor("A's page tries to reconnect", TIMEOUT, async () => proxy.waiting() > 0);
        assert.equal(await a.evaluate((m) => window.sdk.events.slice(m.events).filter((e) => e.info === "joined")
          .length, since.a), 0, "A has not joined again before it had a socket");

        // WHEN the Service forwards again, to a live node
        proxy.release();
        // THEN A's page joins again on node 3 and gets joined, within the window
        await until(a, (m) => window.sdk.events.slice(m.events).some((e) => e.info === "joined"), since.a,
          RESUME_DEADLINE_MS - (Date.now() - killed));
        console.log(`# tab A resumed ${Date.now() - killed} ms after the kill`);
        assert.equal(proxy.routed.at(-1), 2, "A's new socket goes to node 3");
        // AND relays go both ways between A's new socket and B, through the server; since a node's notices and
        // relays to one socket keep their order, whatever the loss made the server send B (a stop, a start) has
        // arrived before A's relay
        await relay(a, b, id, "resumed, from A");
        await relay(b, a, id, "resumed, from B");
        // AND nothing ends the call on either side: no stop and no start to anyone, B's socket never closed, no
        // peer connection or data channel closed or failed
        assert.deepEqual(await callEnders(a, id, since.a, true), [], "tab A");
        assert.deepEqual(await callEnders(b, id, since.b), [], "tab B");
        // AND every message each side sent over the gap arrived, in order, none missing
        const sent = { a: await stopTicks(a), b: await stopTicks(b) };
        for (const [page, label, count] of [[b, "A", sent.a], [a, "B", sent.b]]) {
          await waitFor(`${count} messages from ${label} arrive`, TIMEOUT,
            async () => (await ticksReceived(page, label)).length >= count);
          assert.deepEqual(await ticksReceived(page, label), Array.from({ length: count }, (_, i) => i + 1));
        }
        console.log(`# ${sent.a} and ${sent.b} data-channel messages across the loss, none missing`);

        // WHEN A restarts ICE after the resume, and then B does: offers and answers through the server, between A
        // on node 3 and B on node 2
        // THEN each restart completes (new credentials in use, connected), and data still flows both ways
        await sdkIceRestart(a, b, id);
        await sdkIceRestart(b, a, id);
        await exchangeData(a, b, id, "after the ICE restarts, from A");
        await exchangeData(b, a, id, "after the ICE restarts, from B");
        assert.deepEqual(await callEnders(a, id, since.a, true), [], "tab A, at the end");
        assert.deepEqual(await callEnders(b, id, since.b), [], "tab B, at the end");
      } finally {
        await proxy.close();
      }
    });
  });

// ---- the demo page ----------------------------------------------------------------------------------------------

/** Records the page's peer connections (the demo page keeps its own in a module). */
function recordPeerConnections() {
  window.peerConnections = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.peerConnections.push(this);
    }
  };
}

/** The ICE ufrags of the page's latest peer connection, as in sdk-page.js. */
const demoUfrags = (page) => page.evaluate(async () => {
  const pc = window.peerConnections.at(-1);
  const ufrag = (d) => (d && /a=ice-ufrag:(\S+)/.exec(d.sdp) || [])[1] || null;
  const stats = await pc.getStats();
  let selected = null;
  stats.forEach((s) => { if (s.type === "transport" && s.selectedCandidatePairId) selected = s.selectedCandidatePairId; });
  const pair = selected && stats.get(selected);
  const local = pair && stats.get(pair.localCandidateId);
  return { count: window.peerConnections.length, local: ufrag(pc.currentLocalDescription),
    remote: ufrag(pc.currentRemoteDescription), selected: (local && local.usernameFragment) || null,
    state: pc.connectionState, signaling: pc.signalingState };
});

/** The signaling messages the demo page logged as received, parsed. */
const demoReceived = (page) => page.evaluate(() => [...document.querySelectorAll("#signalLog li.in")]
  .map((li) => JSON.parse(li.textContent.slice(2))));

async function chat(from, to, text) {
  await from.fill("#chatText", text);
  await from.click("#send");
  await until(to, (t) => [...document.querySelectorAll("#chatLog li.them")].some((li) => li.textContent
    === `Partner: ${t}`), text);
}

test("the demo page: a window whose node is SIGKILLed resumes through the Service; chat goes on, ICE restarts",
  { skip }, async () => {
    await withPages("demo-resume", async (pages) => {
      const proxy = await startProxy([3, 2]); // node 4, and after its loss node 3 (window B is on node 2)
      try {
        await clusterReady([0]);
        // GIVEN window A, served and connected through the Service, on node 4, and window B on node 2, in a call:
        // video both ways, chat both ways ("localhost" keeps them secure contexts)
        const a = await demoTab(pages, `http://127.0.0.1:${proxy.port}`, "demo-A-via-service",
          { init: recordPeerConnections });
        const b = await demoTab(pages, httpBases[PARTNER_NODE], "demo-B-node2", { init: recordPeerConnections });
        await demoJoin(a, b, `resume-demo-${process.pid}`);
        await demoInCall(a);
        await demoInCall(b);
        await chat(a, b, "before the loss, from A");
        await chat(b, a, "before the loss, from B");
        assert.ok(proxy.routed.length > 0 && proxy.routed.every((n) => n === 3), "window A is on node 4");
        const routedBefore = proxy.routed.length;
        const received = { a: (await demoReceived(a)).length, b: (await demoReceived(b)).length };
        const before = { a: await demoUfrags(a), b: await demoUfrags(b) };

        // WHEN node 4 is SIGKILLed, and the Service has no node for A's next connection for a while
        proxy.hold();
        const killed = kill(3);
        // THEN A's page sees its socket lost and says it is resuming
        await until(a, () => document.getElementById("status").textContent.includes("resuming"));
        // AND while A has no signaling, chat goes both ways over the data channel
        await chat(a, b, "in the gap, from A");
        await chat(b, a, "in the gap, from B");
        await waitFor("A's page tries to reconnect", TIMEOUT, async () => proxy.waiting() > 0);

        // WHEN the Service forwards again, to a live node
        proxy.release();
        // THEN A's page joins again on node 3 and gets joined, within the window
        await until(a, (n) => [...document.querySelectorAll("#signalLog li.in")].slice(n)
          .some((li) => li.textContent.includes('"definition":"joined"')), received.a,
        RESUME_DEADLINE_MS - (Date.now() - killed));
        console.log(`# window A resumed ${Date.now() - killed} ms after the kill`);
        assert.ok(proxy.routed.slice(routedBefore).every((n) => n === 2), "A's new connections go to node 3");
        // AND the page, resumed, restarts ICE: its offer reaches B through the server, B's answer comes back, both
        // are connected on the new descriptions in the same peer connection, and A's pair in use has A's new
        // credentials (B's may keep its old local ufrag: see sdkIceRestart)
        let after;
        await waitFor("the ICE restart completes on both sides", TIMEOUT, async () => {
          after = { a: await demoUfrags(a), b: await demoUfrags(b) };
          const done = (u, was, restarting) => u.count === was.count && u.local !== was.local
            && u.remote !== was.remote && u.signaling === "stable" && u.state === "connected"
            && (!restarting || u.selected === u.local);
          return done(after.a, before.a, true) && done(after.b, before.b, false);
        }).catch((e) => {
          throw new Error(`${e.message}: before ${JSON.stringify(before)}, now ${JSON.stringify(after)}`);
        });
        assert.equal(after.b.remote, after.a.local, "B has A's new ufrag");
        assert.equal(after.a.remote, after.b.local, "A has B's new ufrag");
        // AND chat goes on both ways
        await chat(a, b, "after the resume, from A");
        await chat(b, a, "after the resume, from B");
        // AND B was told nothing: no stop, no start, no error; its page never showed the partner leaving; A got no
        // start either
        const toB = (await demoReceived(b)).slice(received.b).map((m) => m.command);
        assert.deepEqual(toB.filter((c) => ["stop", "start", "error"].includes(c)), [], "to B since the kill");
        const toA = (await demoReceived(a)).slice(received.a).map((m) => m.command);
        assert.deepEqual(toA.filter((c) => ["stop", "start", "error"].includes(c)), [], "to A since the kill");
        assert.ok(await b.evaluate(() => !document.getElementById("remoteCaption").textContent.includes("left")
          && document.getElementById("remoteVideo").srcObject !== null), "B still shows its partner");
      } finally {
        await proxy.close();
      }
    });
  });
