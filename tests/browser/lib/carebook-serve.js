// Runs the real `carebook serve --port 0` on a site folder and follows its terminal, for the
// dev-server browser test and bench/serve-latency.mjs. The server prints one line per build
// ("Changed content/a.md: rendered 1 of 42 pages and listings in 12 ms"); callers wait on those lines rather
// than sleeping, because a rebuild takes from milliseconds to seconds depending on the site.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { REPO } from "./site.js";

export const EVENTS_PATH = "/__carebook/events";

// The carebook binary: $CAREBOOK_BIN, else a release build of this checkout. Not `cargo run`:
// killing cargo would leave the server it started running.
export function carebookBin() {
  if (process.env.CAREBOOK_BIN) return path.resolve(REPO, process.env.CAREBOOK_BIN);
  const r = spawnSync("cargo", ["build", "--release", "--quiet"], { cwd: REPO, stdio: "inherit" });
  if (r.status !== 0) throw new Error("cargo build --release failed; set CAREBOOK_BIN to a carebook binary");
  return path.join(process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, "target"),
    "release", "carebook");
}

// A temporary copy of the bundled guide (the repo root is the example site), so tests can edit it.
export function copyGuide() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carebook-serve-"));
  for (const part of ["site.toml", "content", "themes"]) {
    fs.cpSync(path.join(REPO, part), path.join(dir, part), { recursive: true });
  }
  return dir;
}

// The one terminal line per build. `ms` is the server's own build time.
const BUILD_LINE = /^(Built|Changed (\S+)(?: and (\d+) more)?): (?:rendered (\d+) of \d+ pages and listings in|the build failed in) ([\d.]+) (ms|s)\b/;

export function parseBuildLine(line) {
  const m = BUILD_LINE.exec(line);
  if (!m) return null;
  return {
    changed: m[2] ?? null, more: Number(m[3] ?? 0), ok: m[4] !== undefined,
    pages: m[4] === undefined ? null : Number(m[4]),
    ms: Number(m[5]) * (m[6] === "s" ? 1000 : 1),
  };
}

// Starts serving `root`; resolves once the server prints its address.
export function startServe(root, { bin = carebookBin(), args = [], startupMs = 120_000 } = {}) {
  return follow(bin, ["serve", "--root", root, "--port", "0", ...args],
    { ready: /^Serving (http:\/\/\S+)/, startupMs, name: "carebook serve" });
}

// Runs a server command and follows its terminal (stdout and stderr, line by line). Resolves,
// once a line matches `ready`, with its first capture group (the address, without a trailing
// slash) as `url`. Shared with bench/serve-latency.mjs, which also follows `hugo server`.
export async function follow(cmd, argv, { ready, startupMs = 120_000, name = cmd } = {}) {
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
  // Never leave a server behind, even if the caller's cleanup does not run.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const lines = [];      // every terminal line, with the Node clock when it arrived
  const waiters = new Set();
  let exited = null;
  const log = () => lines.map(l => l.text).join("\n");
  const exitedPromise = new Promise(resolve => child.once("exit", (code, signal) => {
    exited = { code, signal };
    process.removeListener("exit", killOnExit);
    for (const w of waiters) w.fail(new Error(`${name} exited (${code ?? signal}); its terminal:\n${log()}`));
    resolve(exited);
  }));
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on("line", text => {
      const entry = { text, at: performance.now(), index: lines.length };
      lines.push(entry);
      if (process.env.CAREBOOK_SERVE_LOG) process.stderr.write(`# ${name}: ${text}\n`);
      for (const w of [...waiters]) w.check(entry);
    });
  }

  // Waits for a line matching `wanted` among those from index `since` on (default: lines not
  // yet printed), so a caller can note `lines.length` before an edit and miss nothing.
  function waitForLine(wanted, { since = lines.length, timeout = 30_000 } = {}) {
    const match = typeof wanted === "function" ? wanted : l => wanted.test(l);
    const seen = lines.slice(since).find(l => match(l.text));
    if (seen) return Promise.resolve(seen);
    if (exited) return Promise.reject(new Error(`${name} has exited; its terminal:\n${log()}`));
    return new Promise((resolve, reject) => {
      const w = {
        check: l => { if (l.index >= since && match(l.text)) { done(); resolve(l); } },
        fail: e => { done(); reject(e); },
      };
      const timer = setTimeout(() => w.fail(new Error(`no terminal line matching ${wanted} within ${timeout} ms; ` +
        `${name} printed:\n${log()}`)), timeout);
      const done = () => { clearTimeout(timer); waiters.delete(w); };
      waiters.add(w);
    });
  }

  let url;
  try {
    const line = await waitForLine(ready, { since: 0, timeout: startupMs });
    url = ready.exec(line.text)[1].replace(/\/$/, "");
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  return {
    url, lines, log, waitForLine, pid: child.pid,
    // SIGTERM is a clean stop for both servers; SIGKILL if it has not gone within 5 s.
    async stop() {
      if (exited) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exitedPromise;
      clearTimeout(timer);
      return exited;
    },
  };
}

// Resolves when `page` has opened the live-reload event stream: the server subscribes the
// stream to rebuilds before it answers, so after this no rebuild can go unnoticed by the page.
export function eventStreamOpened(page, timeout = 30_000) {
  return page.waitForResponse(r => new URL(r.url()).pathname === EVENTS_PATH, { timeout });
}
