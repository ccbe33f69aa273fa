// The official Ant Media JS SDK in headless Chromium: a call across two nodes survives SIGTERM of one of
// them (a scale-down or a rolling update), because the drain ends no call. Tab A is on node 1, tab B on
// node 2, which is told to stop. The suite stops a node, so it needs a cluster of its own and the nodes' pids
// (SIGNALING_PIDS, comma-separated, in the order of SIGNALING_URLS); without them it skips.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { withBrowser, withPages, urls, pids, managementBases, until, sdkCall, exchangeData, mark, waitFor,
  readyStatus } from "./lib.mjs";

/** How long the call must go on after the signal, and the pace of its data-channel messages. */
const AFTER_SIGNAL_MS = 10000;
const PACE_MS = 500;
/** A margin for a busy machine: a drained node exits within seconds of its last call's end. */
const EXIT_DEADLINE_MS = 60000;
const { sdkTab: tab } = withBrowser({ skip: pids.length < 2 });

/** Whether the process runs; one that exited and is not reaped yet (a zombie) does not. */
function running(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code === "ESRCH") return false;
    throw e;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Whatever would end the call for this page's SDK since the mark; empty while the call goes on. */
const callEnders = (page, streamId, since) => page.evaluate(([id, m]) => {
  const found = [];
  const pc = window.sdk.peerConnections[id];
  if (!window.sdk.adaptor.remotePeerConnection[id]) found.push("the SDK dropped its peer connection");
  if (["closed", "failed"].includes(pc.connectionState)) found.push(`connectionState ${pc.connectionState}`);
  if (["closed", "failed"].includes(pc.iceConnectionState)) found.push(`iceConnectionState ${pc.iceConnectionState}`);
  if (pc.signalingState === "closed") found.push("signalingState closed");
  for (const e of window.sdk.events.slice(m.events)) {
    if (["closed", "server_will_stop", "data_channel_closed"].includes(e.info)) found.push(`SDK event ${e.info}`);
    if (e.info === "ice_connection_state_changed" && ["closed", "failed"].includes(e.state)) {
      found.push(`ICE ${e.state}`);
    }
  }
  for (const r of window.sdk.received.slice(m.received)) {
    if (r.command === "stop") found.push(`stop received for ${r.streamId}`);
    if (r.definition === "server_will_stop") found.push("server_will_stop received");
  }
  return found;
}, [streamId, since]);

test("a call across two nodes survives SIGTERM of one of them; after a leave the drained node exits",
  { skip: pids.length < 2 && "SIGNALING_PIDS not set: this suite stops a node of a cluster of its own" }, async () => {
    await withPages("sdk-drain", async (pages) => {
      // GIVEN tab A on node 1 and tab B on node 2 in a call: ICE connected, data channels open both ways
      const a = await tab(pages, "A-node1", urls[0]);
      const b = await tab(pages, "B-node2", urls[1]);
      const id = `drain-${process.pid}`;
      await sdkCall(a, b, id);
      await exchangeData(a, b, id, "before the signal from node 1");
      await exchangeData(b, a, id, "before the signal from node 2");
      const since = { a: await mark(a), b: await mark(b) };

      // WHEN node 2 is told to stop
      process.kill(pids[1], "SIGTERM");
      const signalled = Date.now();
      // THEN it stops being ready: it took the signal (a drain that wrongly ended the call may have let it exit
      // already; the checks below tell)
      await waitFor("node 2 reports not ready", 10000, async () => (await readyStatus(managementBases[1])) !== 200);
      // AND data-channel messages keep flowing both ways for at least 10 s after the signal, and nothing ends
      // the call on either side: no stop, no server_will_stop, no closed socket, no closed or failed connection
      let rounds = 0;
      do {
        const next = Date.now() + PACE_MS;
        rounds++;
        assert.deepEqual(await callEnders(a, id, since.a), [], `tab A, ${Date.now() - signalled} ms after SIGTERM`);
        assert.deepEqual(await callEnders(b, id, since.b), [], `tab B, ${Date.now() - signalled} ms after SIGTERM`);
        await exchangeData(a, b, id, `after the signal ${rounds} from node 1`);
        await exchangeData(b, a, id, `after the signal ${rounds} from node 2`);
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      } while (Date.now() - signalled < AFTER_SIGNAL_MS);
      assert.deepEqual(await callEnders(a, id, since.a), [], "tab A, at the end");
      assert.deepEqual(await callEnders(b, id, since.b), [], "tab B, at the end");
      assert.ok(running(pids[1]), "the drained node waits for its call");
      console.log(`# ${rounds} rounds of data both ways over ${Date.now() - signalled} ms after SIGTERM`);

      // WHEN tab B, on the drained node, leaves
      const left = Date.now();
      await b.evaluate((s) => window.sdk.adaptor.leave(s), id);
      // THEN B is told "leaved", and A sees its partner leave as usual: the server's stop closes its peer
      // connection
      await until(b, () => window.sdk.has("leaved"));
      await until(a, (s) => !window.sdk.adaptor.remotePeerConnection[s]
        && window.sdk.peerConnections[s].signalingState === "closed", id);
      // AND the drained node releases B's socket, then exits
      await until(b, () => window.sdk.has("server_will_stop"));
      await waitFor("the drained node exits", EXIT_DEADLINE_MS, async () => !running(pids[1]));
      console.log(`# node 2 exited ${Date.now() - left} ms after the leave`);
      // AND node 1 is untouched: it is ready and A's socket is open
      assert.equal(await readyStatus(managementBases[0]), 200);
      assert.equal(await a.evaluate(() => window.sdk.has("closed")), false);
    });
  });
