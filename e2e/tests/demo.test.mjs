// The demo page each node serves at "/": two windows on different nodes call each other, chat, and one
// sees the other leave.
import { test } from "node:test";
import { withBrowser, withPages, httpBases, until, demoJoin, demoInCall } from "./lib.mjs";

const { demoTab } = withBrowser({ sdkPage: false });

test("two demo windows on different nodes call, chat both ways, and see the partner leave", async () => {
  await withPages("demo-call", async (pages) => {
    // GIVEN the demo page of node 1 and of node 2 (the "localhost" name keeps them secure contexts)
    const a = await demoTab(pages, httpBases[0], "demo-node1");
    const b = await demoTab(pages, httpBases[1], "demo-node2");
    const roomName = `demo-${process.pid}`;

    // WHEN both join one room
    await demoJoin(a, b, roomName);

    // THEN each shows the other's video and can chat
    await demoInCall(a);
    await demoInCall(b);
    await a.fill("#chatText", "hello from node 1");
    await a.click("#send");
    await until(b, () => document.getElementById("chatLog").textContent.includes("hello from node 1"));
    await b.fill("#chatText", "hi back from node 2");
    await b.click("#send");
    await until(a, () => document.getElementById("chatLog").textContent.includes("hi back from node 2"));

    // WHEN one leaves THEN the other sees the partner leave and its remote video cleared
    await b.click("#leave");
    await until(a, () => document.getElementById("remoteCaption").textContent.includes("left"));
    await until(a, () => !document.getElementById("remoteVideo").srcObject);
  });
});
