// The application backend's view of a browser call: the official Ant Media JS SDK (unmodified) in two tabs on
// different nodes; the cluster delivers the room's events to a webhook receiver run by BrowserSuitesIT, which
// records each delivery as it came, and the admin API on a management port ends the call. The signatures are
// checked here, with Node's own HMAC. Needs WEBHOOK_RECEIVER_URL (the receiver; GET /deliveries lists what it
// got), SIGNALING_WEBHOOK_SECRET, SIGNALING_ADMIN_TOKEN and SIGNALING_MANAGEMENT_URLS.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { withBrowser, withPages, urls, managementBases, until, sdkCall, TIMEOUT } from "./lib.mjs";

/** How far a delivery's timestamp may be from now: what a receiver accepts against replays. */
const REPLAY_WINDOW_SECONDS = 300;
const receiverUrl = process.env.WEBHOOK_RECEIVER_URL;
const secret = process.env.SIGNALING_WEBHOOK_SECRET;
const token = process.env.SIGNALING_ADMIN_TOKEN;
if (!receiverUrl || !secret || !token || managementBases.length < 2) {
  throw new Error("WEBHOOK_RECEIVER_URL, SIGNALING_WEBHOOK_SECRET, SIGNALING_ADMIN_TOKEN and two "
    + "SIGNALING_MANAGEMENT_URLS are needed (BrowserSuitesIT sets them)");
}
const { sdkTab: tab } = withBrowser();

/** Whether a delivery's signature is the HMAC-SHA256 of its timestamp and raw body, as a receiver checks it. */
function signedWell(d) {
  if (typeof d.timestamp !== "string" || typeof d.signature !== "string") return false;
  const body = Buffer.from(d.body, "base64");
  const expected = Buffer.from("sha256=" + crypto.createHmac("sha256", secret)
    .update(Buffer.concat([Buffer.from(d.timestamp + ".", "utf8"), body])).digest("hex"));
  const given = Buffer.from(d.signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/**
 * Every delivery so far, each checked as a receiver checks it (signature, timestamp within the replay window,
 * JSON content type), with its event parsed.
 */
async function deliveries() {
  const response = await fetch(`${receiverUrl}/deliveries`, { signal: AbortSignal.timeout(5000) });
  assert.equal(response.status, 200);
  const all = await response.json();
  const now = Math.floor(Date.now() / 1000);
  for (const d of all) {
    assert.ok(signedWell(d), `a delivery with a bad signature: ${JSON.stringify(d)}`);
    assert.ok(Math.abs(now - Number(d.timestamp)) <= REPLAY_WINDOW_SECONDS, `a stale timestamp: ${d.timestamp}`);
    assert.match(d.contentType || "", /^application\/json/);
    d.event = JSON.parse(Buffer.from(d.body, "base64").toString("utf8"));
  }
  return all;
}

/** The events of one room as they arrived, once there are at least {@code count} of them. */
async function eventsOf(streamId, count) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const events = (await deliveries()).map((d) => d.event).filter((e) => e.streamId === streamId);
    if (events.length >= count) return events;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${count} events of ${streamId}; got ${JSON.stringify(events)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function admin(base, method, path) {
  return fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10000) });
}

/** The SDK closed its peer connection for the room (it does on the server's stop). */
const closedPeerConnection = (s) => !window.sdk.adaptor.remotePeerConnection[s]
  && window.sdk.peerConnections[s] && window.sdk.peerConnections[s].signalingState === "closed";

test("a call across nodes produces its signed events in order, and DELETE of its room closes both tabs' calls",
  async () => {
    await withPages("webhooks-admin", async (pages) => {
      // GIVEN tab A on node 1 and tab B on node 2 in one room, ICE connected
      const id = `webhooks-${process.pid}-${Date.now()}`;
      const a = await tab(pages, "A-node1", urls[0]);
      const b = await tab(pages, "B-node2", urls[1]);
      await sdkCall(a, b, id);

      // THEN the receiver gets room_started, peer_joined twice and call_started, signed, numbered 1 to 4 in one
      // room life, in that order and once each, the peers on two different nodes
      const started = await eventsOf(id, 4);
      assert.deepEqual(started.map((e) => e.event), ["room_started", "peer_joined", "peer_joined", "call_started"]);
      assert.deepEqual(started.map((e) => e.seq), [1, 2, 3, 4]);
      assert.equal(new Set(started.map((e) => e.roomSid)).size, 1);
      assert.equal(new Set(started.map((e) => e.id)).size, 4);
      const joined = started.filter((e) => e.event === "peer_joined").map((e) => e.peer);
      assert.notEqual(joined[0].node, joined[1].node, "the two peers are on different nodes");
      const sessions = joined.map((p) => p.sessionId).sort();
      assert.deepEqual(started[3].peers.map((p) => p.sessionId).sort(), sessions);

      // AND the admin API on node 2's management port lists the room with those two peers
      const listed = await admin(managementBases[1], "GET", `/admin/rooms/${encodeURIComponent(id)}`);
      assert.equal(listed.status, 200);
      const room = await listed.json();
      assert.equal(room.roomSid, started[0].roomSid);
      assert.deepEqual(room.peers.map((p) => p.sessionId).sort(), sessions);

      // WHEN the room is deleted through node 1's management port
      const deleted = await admin(managementBases[0], "DELETE", `/admin/rooms/${encodeURIComponent(id)}`);

      // THEN it answers 204, and both tabs' SDKs get stop and close their peer connections
      assert.equal(deleted.status, 204);
      await until(a, closedPeerConnection, id);
      await until(b, closedPeerConnection, id);
      // AND the receiver gets call_ended and both peer_left with reason removed, then room_finished: seq 5 to 8
      const all = await eventsOf(id, 8);
      assert.equal(all.length, 8, `exactly the room life's events, once each: ${JSON.stringify(all)}`);
      const ended = all.slice(4);
      assert.deepEqual(ended.map((e) => e.event), ["call_ended", "peer_left", "peer_left", "room_finished"]);
      assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal(new Set(all.map((e) => e.roomSid)).size, 1);
      assert.deepEqual(ended.slice(0, 3).map((e) => e.reason), ["removed", "removed", "removed"]);
      assert.ok(ended[0].durationMs >= 0);
      assert.deepEqual(ended.slice(1, 3).map((e) => e.peer.sessionId).sort(), sessions);
      // AND the room is gone
      const again = await admin(managementBases[1], "DELETE", `/admin/rooms/${encodeURIComponent(id)}`);
      assert.equal(again.status, 404);
    });
  });
