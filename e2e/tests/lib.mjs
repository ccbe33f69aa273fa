// Shared by the browser suites: the browser, pages that record console errors, screenshots on failure,
// and a small static server for the SDK test page.
import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");

export const urls = (process.env.SIGNALING_URLS || "").split(",").filter(Boolean);
export const httpBases = urls.map((u) => u.replace(/^ws/, "http").replace(/\/[^/]+\/websocket.*$/, ""));
const screenshots = process.env.SCREENSHOT_DIR || path.join(root, "target", "screenshots");

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

/** A tab of the SDK test page (served at {@code siteUrl}) whose SDK connects to {@code nodeUrl}. */
export async function sdkTab(browser, siteUrl, pages, name, nodeUrl) {
  const page = await open(browser, siteUrl, name);
  pages.push(page);
  await page.evaluate((url) => window.sdk.start(url), nodeUrl);
  return page;
}

/** Waits until the SDK's peer connection is up and its data channel for {@code streamId} open. */
export async function sdkConnected(page, streamId) {
  await until(page, () => window.sdk.has("ice_connection_state_changed",
    (e) => e.state === "connected" || e.state === "completed"));
  await until(page, (id) => window.sdk.has("data_channel_opened", (e) => e.streamId === id), streamId);
}
