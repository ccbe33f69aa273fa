// The demo page each node serves at "/": two windows on different nodes call each other, chat, and one
// sees the other leave.
import { test, before, after } from "node:test";
import { launch, open, withPages, httpBases } from "./lib.mjs";

const TIMEOUT = 30000;
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const until = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: TIMEOUT });

test("two demo windows on different nodes call, chat both ways, and see the partner leave", async () => {
  await withPages("demo-call", async (pages) => {
    // GIVEN the demo page of node 1 and of node 2 (the "localhost" name keeps them secure contexts)
    const local = (base) => base.replace("127.0.0.1", "localhost");
    const a = await open(browser, local(httpBases[0]) + "/", "demo-node1");
    pages.push(a);
    const b = await open(browser, local(httpBases[1]) + "/", "demo-node2");
    pages.push(b);
    const roomName = `demo-${process.pid}`;

    // WHEN both join one room
    await a.fill("#room", roomName);
    await a.click("#join");
    await until(a, () => document.getElementById("status").textContent.includes("waiting"));
    await b.fill("#room", roomName);
    await b.click("#join");

    // THEN each shows the other's video and can chat
    for (const p of [a, b]) {
      await until(p, () => {
        const v = document.getElementById("remoteVideo");
        return v.srcObject && v.videoWidth > 0;
      });
      await until(p, () => !document.getElementById("chatText").disabled);
    }
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
