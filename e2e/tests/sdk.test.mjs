// The official Ant Media JS SDK (@antmedia/webrtc_adaptor, unmodified) in headless Chromium, with fake camera
// and microphone, against two nodes of one cluster: tab A on node 1, tab B on node 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withBrowser, withPages, urls, until, sdkConnected, sdkCall, exchangeData } from "./lib.mjs";

let rooms = 0;
const room = () => `sdk-${process.pid}-${++rooms}`;
const { sdkTab: tab } = withBrowser();

test("tabs on different nodes pair: ICE connects, data both ways, video both ways, peerMessage relayed", async () => {
  await withPages("sdk-pair", async (pages) => {
    // GIVEN tab A on node 1 and tab B on node 2
    const a = await tab(pages, "A-node1", urls[0]);
    const b = await tab(pages, "B-node2", urls[1]);
    const id = room();

    // WHEN both join one room
    await a.evaluate((s) => window.sdk.adaptor.join(s), id);
    await until(a, (s) => window.sdk.has("joined"), id);
    await b.evaluate((s) => window.sdk.adaptor.join(s), id);

    // THEN ICE connects and the data channels open on both sides
    await sdkConnected(a, id);
    await sdkConnected(b, id);
    // AND sendData arrives both ways
    await exchangeData(a, b, id, "hello from node 1");
    await exchangeData(b, a, id, "hello from node 2");
    // AND the remote video has frames on both sides
    await until(a, () => window.sdk.remoteFrames() > 5);
    await until(b, () => window.sdk.remoteFrames() > 5);
    // AND a peerMessage reaches the other tab through the cluster
    await a.evaluate((s) => window.sdk.adaptor.peerMessage(s, "greeting", "hi through the cluster"), id);
    await until(b, () => window.sdk.has("peerMessageCommand", (e) => e.data === "hi through the cluster"));
  });
});

test("a third tab joining a full room gets NoSpaceForNewPeer and the call goes on", async () => {
  await withPages("sdk-full", async (pages) => {
    const a = await tab(pages, "A-node1", urls[0]);
    const b = await tab(pages, "B-node2", urls[1]);
    const c = await tab(pages, "C-node1", urls[0]);
    const id = room();
    await sdkCall(a, b, id);

    // WHEN a third tab joins
    await c.evaluate((s) => window.sdk.adaptor.join(s), id);

    // THEN it is told NoSpaceForNewPeer, and A and B still talk
    await until(c, () => window.sdk.errors.some((e) => e.error === "NoSpaceForNewPeer"));
    assert.equal(await c.evaluate(() => window.sdk.has("joined")), false);
    await exchangeData(a, b, id, "still here");
  });
});

test("leave and re-join renegotiate, with a working data channel", async () => {
  await withPages("sdk-rejoin", async (pages) => {
    const a = await tab(pages, "A-node1", urls[0]);
    const b = await tab(pages, "B-node2", urls[1]);
    const id = room();
    await sdkCall(a, b, id);

    // WHEN B leaves
    await b.evaluate((s) => window.sdk.adaptor.leave(s), id);
    // THEN B is told "leaved" and A's side of the call closes (the server's stop)
    await until(b, () => window.sdk.has("leaved"));
    await until(a, (s) => window.sdk.has("data_channel_closed"), id);

    // WHEN B joins again THEN a new offer/answer runs and the new data channel works both ways
    const opened = await a.evaluate(() => window.sdk.count("data_channel_opened"));
    await b.evaluate((s) => window.sdk.adaptor.join(s), id);
    await until(a, (n) => window.sdk.count("data_channel_opened") > n, opened);
    await until(b, () => window.sdk.count("data_channel_opened") >= 2);
    await exchangeData(a, b, id, "after the re-join");
    await exchangeData(b, a, id, "and back");
  });
});

test("closing a tab closes the partner's peer connection", async () => {
  await withPages("sdk-close", async (pages) => {
    const a = await tab(pages, "A-node1", urls[0]);
    const b = await tab(pages, "B-node2", urls[1]);
    const id = room();
    await sdkCall(a, b, id);

    // WHEN tab B is closed (its socket goes with it)
    await b.context().close();
    pages.splice(pages.indexOf(b), 1);

    // THEN A's SDK gets stop and closes its peer connection for the room
    await until(a, (s) => !window.sdk.adaptor.remotePeerConnection[s]
      && window.sdk.peerConnections[s].signalingState === "closed", id);
  });
});

test("a play-only tab joining first still receives video", async () => {
  await withPages("sdk-play-only", async (pages) => {
    // GIVEN a play-only tab (no camera) on node 1 that joins first
    const viewer = await tab(pages, "viewer-node1", urls[0], { playOnly: true });
    const id = room();
    await viewer.evaluate((s) => window.sdk.adaptor.join(s), id);
    await until(viewer, () => window.sdk.has("joined"));

    // WHEN a publishing tab on node 2 joins
    const publisher = await tab(pages, "publisher-node2", urls[1]);
    await publisher.evaluate((s) => window.sdk.adaptor.join(s), id);

    // THEN the publisher is the offerer and the viewer's remote video has frames
    await sdkConnected(viewer, id);
    await until(viewer, () => window.sdk.remoteFrames() > 5);
  });
});
