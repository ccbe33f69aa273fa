// Shared by the browser suites: the browser and the SDK test page's server for a whole suite (withBrowser),
// pages that record console errors, screenshots on failure, the waits, the call steps every suite takes, and the
// nodes named by the environment BrowserSuitesIT sets.
import { before, after } from "node:test";
import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");

export const urls = list("SIGNALING_URLS");
export const httpBases = urls.map((u) => u.replace(/^ws/, "http").replace(/\/[^/]+\/websocket.*$/, ""));
/** The nodes' management URLs (health, admin API), in the order of SIGNALING_URLS; empty when not set. */
export const managementBases = list("SIGNALING_MANAGEMENT_URLS");
/** The nodes' pids, in the order of SIGNALING_URLS, for the suites that stop nodes; empty when not set. */
export const pids = list("SIGNALING_PIDS").map(Number);
const screenshots = process.env.SCREENSHOT_DIR || path.join(root, "target", "screenshots");

function list(name) {
  return (process.env[name] || "").split(",").filter(Boolean);
}

if (urls.length < 2) {
  throw new Error("SIGNALING_URLS must name at least two nodes' WebSocket URLs, comma-separated");
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      "--disable-features=WebRtcHideLocalIpsWithMdns", "--autoplay-policy=no-user-gesture-required",
      "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
}

/**
 * Opens a page in a fresh context; console errors and uncaught exceptions are recorded on it. {@code init}, when
 * given, is a function run in the page before any of its own scripts (to observe what the page does).
 */
export async function open(browser, url, name, { init } = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  page.problems = [];
  page.label = name;
  page.on("console", (m) => {
    if (m.type() === "error") page.problems.push(`${name}: console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => page.problems.push(`${name}: uncaught: ${e.message}`));
  await page.goto(url);
  return page;
}

/**
 * Runs a test body with its pages; on failure writes a screenshot of every page still open, then fails.
 * Console errors and uncaught exceptions on any page fail the test too.
 */
export async function withPages(testName, body) {
  const pages = [];
  try {
    await body(pages);
    const problems = pages.flatMap((p) => p.problems);
    if (problems.length > 0) {
      throw new Error("browser console errors or page exceptions:\n" + problems.join("\n"));
    }
  } catch (e) {
    fs.mkdirSync(screenshots, { recursive: true });
    for (const p of pages) {
      if (!p.isClosed()) {
        const file = path.join(screenshots, `${testName.replace(/[^a-z0-9]+/gi, "-")}-${p.label}.png`);
        await p.screenshot({ path: file }).catch(() => {});
      }
    }
    throw e;
  } finally {
    for (const p of pages) {
      await p.context().close().catch(() => {});
    }
  }
}

/**
 * The suite's browser and, unless {@code sdkPage} is false, the SDK test page's server: started before the suite's
 * tests (not at all when {@code skip} is set) and closed after them. Returns the ways a test opens its tabs, each
 * recorded in the test's {@code pages} (see withPages):
 * - {@code sdkTab(pages, name, nodeUrl, options)}: the SDK test page, its SDK started against a node with the
 *   page's options ({@code playOnly}, {@code relay}, {@code resume});
 * - {@code demoTab(pages, base, name, { init })}: the demo page a node serves at {@code base} (an http URL),
 *   opened as "localhost", which keeps it a secure context ({@code init}: see open).
 */
export function withBrowser({ sdkPage = true, skip = false } = {}) {
  let browser;
  let site;
  before(async () => {
    if (skip) return;
    browser = await launch();
    if (sdkPage) site = await serveSdkPage();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });
  const page = async (pages, url, name, options) => {
    const p = await open(browser, url, name, options);
    pages.push(p);
    return p;
  };
  return {
    sdkTab: async (pages, name, nodeUrl, options = {}) => {
      const p = await page(pages, site.url, name);
      await p.evaluate(([url, opts]) => window.sdk.start(url, opts), [nodeUrl, options]);
      return p;
    },
    demoTab: (pages, base, name, options) => page(pages, base.replace("127.0.0.1", "localhost") + "/", name, options),
  };
}

/** Serves the SDK test page and the SDK's browser build from the npm package, on loopback. */
export function serveSdkPage() {
  const files = {
    "/sdk.html": [path.join(root, "pages", "sdk.html"), "text/html"],
    "/sdk-page.js": [path.join(root, "pages", "sdk-page.js"), "text/javascript"],
    "/sdk/webrtc_adaptor.js": [path.join(root, "node_modules", "@antmedia", "webrtc_adaptor", "dist", "browser",
      "webrtc_adaptor.js"), "text/javascript"],
  };
  const mediapipe = path.join(root, "node_modules", "@mediapipe", "selfie_segmentation");
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url, "http://localhost").pathname;
    let file = files[pathname];
    const name = pathname.startsWith("/selfie-segmentation/") ? path.basename(pathname) : null;
    if (!file && name && fs.existsSync(path.join(mediapipe, name))) {
      file = [path.join(mediapipe, name), name.endsWith(".js") ? "text/javascript" : "application/octet-stream"];
    }
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file[1], "cache-control": "no-store" });
    fs.createReadStream(file[0]).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    // "localhost" is a secure context, as getUserMedia needs
    url: `http://localhost:${server.address().port}/sdk.html`,
    close: () => new Promise((r) => server.close(r)),
  })));
}

/** How long a suite waits for something a browser tab should see. */
export const TIMEOUT = 30000;

/** Waits until {@code fn(arg)} holds in the page. */
export const until = (page, fn, arg, timeout = TIMEOUT) => page.waitForFunction(fn, arg, { timeout });

/** Waits until the SDK's peer connection is up and its data channel for {@code streamId} open. */
export async function sdkConnected(page, streamId) {
  await until(page, () => window.sdk.has("ice_connection_state_changed",
    (e) => e.state === "connected" || e.state === "completed"));
  await until(page, (id) => window.sdk.has("data_channel_opened", (e) => e.streamId === id), streamId);
}

/** Tab {@code a} joins {@code streamId} and is told joined, then {@code b} joins: both connected (sdkConnected). */
export async function sdkCall(a, b, streamId) {
  await a.evaluate((s) => window.sdk.adaptor.join(s), streamId);
  await until(a, () => window.sdk.has("joined"));
  await b.evaluate((s) => window.sdk.adaptor.join(s), streamId);
  await sdkConnected(a, streamId);
  await sdkConnected(b, streamId);
}

/** A data-channel message from one SDK tab arrives at the other. */
export async function exchangeData(from, to, streamId, text) {
  await from.evaluate(([id, t]) => window.sdk.adaptor.sendData(id, t), [streamId, text]);
  await until(to, (t) => window.sdk.has("data_received", (e) => e.data === t), text);
}

/** What a page's SDK has seen so far, to look only at what comes after. */
export const mark = (page) => page.evaluate(() => ({ events: window.sdk.events.length,
  received: window.sdk.received.length }));

/** Demo window {@code a} joins {@code roomName} and waits for its partner, then {@code b} joins. */
export async function demoJoin(a, b, roomName) {
  await a.fill("#room", roomName);
  await a.click("#join");
  await until(a, () => document.getElementById("status").textContent.includes("waiting"));
  await b.fill("#room", roomName);
  await b.click("#join");
}

/** Waits until a demo window shows its partner's video and can chat. */
export async function demoInCall(page) {
  await until(page, () => {
    const v = document.getElementById("remoteVideo");
    return v.srcObject && v.videoWidth > 0;
  });
  await until(page, () => !document.getElementById("chatText").disabled);
}

/** Polls an async condition until it holds or the deadline passes. */
export async function waitFor(what, timeoutMs, condition) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The status of a node's /health/ready ({@code base}: its management URL), or -1 when nothing answers. */
export async function readyStatus(base) {
  try {
    return (await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return -1;
  }
}
