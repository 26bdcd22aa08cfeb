#!/usr/bin/env node
// Edit-to-reload latency of `carebook serve`, measured the way an editor feels it: from the
// moment a page's Markdown is saved to the reloaded page's `load` event in headless Chromium.
// Also records the server's own rebuild time from its terminal line for each rebuild.
//
// Usage (from the repo root; needs tests/browser/node_modules, i.e. `npm ci` there, and Chromium):
//   node bench/serve-latency.mjs --bin target/release/carebook --site DIR [options]
//
// The site is EDITED IN PLACE (one page's Markdown gets a probe word appended, and is restored at
// the end) unless --copy is given; bench/run.sh serve copies every site first.
//
// Options:
//   --bin PATH      carebook binary [$CAREBOOK_BIN, else cargo build --release]
//   --tool NAME     carebook, or hugo to time `hugo server` (default fast render mode) the same
//                   way on a Hugo site, e.g. the hugo/ half of a gen_corpus.py corpus [carebook]
//   --site DIR      the site folder (holding site.toml)
//   --copy          serve and edit a temporary copy of DIR (site.toml, content/, templates/,
//                   static/, themes/), deleted afterwards
//   --page /p/      the page to open and edit [/conditions/sciatica/ if the site has it, else
//                   the first condition page by file name]
//   --runs N        measured edits [10]
//   --warmup N      edits before the measured ones, reported but not counted [1]
//   --atomic        save like vim/JetBrains: write a hidden temp file, then rename it over the page
//   --gap MS        pause after each reload, so the server's ~100 ms debounce windows never merge [300]
//   --timeout MS    give up on one edit after this long [60000]
//   --label NAME    the site's name in the results [the folder name]
//   --json FILE     write every run and the summary as JSON (also printed on stdout)
//   --md FILE       append the Markdown table row to FILE
//
// Exit status: 0 if every edit showed up in the browser, 1 if any did not (lost or stale reload).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { launch } from "../tests/browser/lib/browser.js";
import net from "node:net";
import { carebookBin, startServe, parseBuildLine, eventStreamOpened, follow } from "../tests/browser/lib/carebook-serve.js";

const { values: opt } = parseArgs({
  options: {
    bin: { type: "string" }, tool: { type: "string", default: "carebook" }, site: { type: "string" }, copy: { type: "boolean", default: false },
    page: { type: "string" }, runs: { type: "string", default: "10" }, warmup: { type: "string", default: "1" },
    atomic: { type: "boolean", default: false }, gap: { type: "string", default: "300" },
    timeout: { type: "string", default: "60000" }, label: { type: "string" },
    json: { type: "string" }, md: { type: "string" }, help: { type: "boolean", short: "h" },
  },
});
if (opt.help || !opt.site) {
  const head = fs.readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(1).filter(l => l.startsWith("//"));
  console.error(head.map(l => l.slice(3)).join("\n"));
  process.exit(opt.help ? 0 : 2);
}
const RUNS = Number(opt.runs), WARMUP = Number(opt.warmup), GAP = Number(opt.gap), TIMEOUT = Number(opt.timeout);
const HUGO = opt.tool === "hugo";
if (!["carebook", "hugo"].includes(opt.tool)) throw new Error(`--tool is carebook or hugo, not ${opt.tool}`);
const bin = opt.bin ? path.resolve(opt.bin) : HUGO ? "hugo" : carebookBin();
const given = path.resolve(opt.site);
const config = HUGO ? ["config.toml", "hugo.toml", "config.yaml"].find(c => fs.existsSync(path.join(given, c))) : "site.toml";
if (!config || !fs.existsSync(path.join(given, config))) throw new Error(`${given} is not a ${opt.tool} site (no ${config ?? "config.toml"})`);

let site = given;
if (opt.copy) {
  site = fs.mkdtempSync(path.join(os.tmpdir(), "carebook-serve-bench-"));
  // Only what a site is made of (and serve watches): a repo-root site like the bundled guide
  // also holds target/ and bench-out/.
  for (const part of [config, "content", "templates", "static", "themes", "layouts"]) {
    if (fs.existsSync(path.join(given, part))) fs.cpSync(path.join(given, part), path.join(site, part), { recursive: true });
  }
}

// The Markdown file behind a page URL: content/a/b.md, content/a/b/index.md or content/a/b/_index.md.
function sourceOf(pathname) {
  const rel = pathname.replace(/^\/|\/$/g, "");
  const candidates = [`content/${rel}.md`, `content/${rel}/index.md`, `content/${rel}/_index.md`];
  const found = candidates.find(c => fs.existsSync(path.join(site, c)));
  if (!found) throw new Error(`no Markdown file for ${pathname} in ${site} (tried ${candidates.join(", ")})`);
  return found;
}

function defaultPage() {
  if (fs.existsSync(path.join(site, "content/conditions/sciatica.md"))) return "/conditions/sciatica/";
  const first = fs.readdirSync(path.join(site, "content/conditions")).filter(f => f.endsWith(".md") && f !== "_index.md").sort()[0];
  if (!first) throw new Error("no condition page to edit; pass --page");
  return `/conditions/${first.slice(0, -3)}/`;
}

const pathname = opt.page ?? defaultPage();
const rel = sourceOf(pathname);
const file = path.join(site, rel);
const original = fs.readFileSync(file, "utf8");

// A plain save rewrites the file in place; an atomic one renames a finished temp file over it,
// which watchers see as a rename rather than a modification. The temp name starts with a dot, as
// editors' do, so the server ignores it.
function save(text) {
  if (!opt.atomic) return fs.writeFileSync(file, text);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];  // nearest rank
};
const median = xs => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = xs => xs.length ? { median: median(xs), p90: quantile(xs, 0.9), max: Math.max(...xs), n: xs.length } : null;
const round = x => Math.round(x * 10) / 10;

// What differs between the servers: how to start one, which terminal line ends a rebuild and
// what it says, and how a page listens for reloads (carebook: server-sent events; Hugo: a
// livereload.js websocket).
async function freePort() {
  const probe = net.createServer();
  await new Promise(r => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address();
  await new Promise(r => probe.close(r));
  return port;
}
const servers = {
  carebook: {
    start: () => startServe(site, { bin }),
    rebuilt: l => l.startsWith("Changed "),  // a batch may name other paths first; this script is the only editor
    parse: parseBuildLine,
    first: lines => lines.map(l => parseBuildLine(l.text)).find(b => b),
    listening: page => eventStreamOpened(page, TIMEOUT),
  },
  hugo: {
    // Hugo prints port 0 as it was given, so pick a free port for it.
    start: async () => follow(bin, ["server", "-s", site, "--bind", "127.0.0.1", "--port", String(await freePort())],
      { ready: /^Web Server is available at (http:\/\/\S+)/, name: "hugo server" }),
    rebuilt: l => /^Total in /.test(l),
    parse: l => { const m = /^Total in ([\d.]+) (ms|s)/.exec(l); return m && { ok: true, ms: Number(m[1]) * (m[2] === "s" ? 1000 : 1) }; },
    first: lines => {
      const pages = lines.map(l => /^\s*Pages\s*\|\s*(\d+)/.exec(l.text)).find(m => m);
      const built = lines.map(l => /^Built in (\d+) ms/.exec(l.text)).find(m => m);
      return { pages: pages ? Number(pages[1]) : null, ms: built ? Number(built[1]) : null };
    },
    listening: page => page.waitForEvent("websocket", { predicate: ws => ws.url().includes("/livereload"), timeout: TIMEOUT }),
  },
};
const tool = servers[opt.tool];
const loadAtStart = os.loadavg()[0];  // the machine is often shared: say how busy it was
const runs = [];
let failed = 0, server, browser, firstBuild;
try {
  server = await tool.start();
  firstBuild = tool.first(server.lines);
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const streaming = tool.listening(page);
  const res = await page.goto(server.url + pathname, { timeout: TIMEOUT });
  if (res.status() !== 200) throw new Error(`GET ${pathname} returned ${res.status()}`);
  await streaming;
  const nonce = Date.now().toString(36);

  for (let i = 0; i < WARMUP + RUNS; i++) {
    const word = `probe${nonce}x${i}`;
    const text = `${original.replace(/\s*$/, "")}\n\nLatency probe ${word}.\n`;
    const since = server.lines.length;
    const built = server.waitForLine(tool.rebuilt, { since, timeout: TIMEOUT });
    const loaded = page.waitForEvent("load", { timeout: TIMEOUT });
    // The new page's own event stream: once it is open, the next edit cannot be missed.
    const restreamed = tool.listening(page);
    // Awaited below, but only as far as this run gets; unawaited failures are not crashes.
    for (const p of [built, loaded, restreamed]) p.catch(() => {});
    const run = { run: i + 1, warmup: i < WARMUP, word };
    const t0 = performance.now();
    save(text);
    try {
      await loaded;
      run.edit_to_load_ms = round(performance.now() - t0);
      // The browser's own clock for the same moment, to cross-check Node's event timing.
      const nav = await page.evaluate(w => {
        const n = performance.getEntriesByType("navigation")[0];
        const end = n.loadEventEnd || n.loadEventStart;
        return { loadEnd: performance.timeOrigin + end, legacy: performance.timing.loadEventEnd || performance.timing.loadEventStart,
          responseEnd: performance.timeOrigin + n.responseEnd, fresh: document.body.innerText.includes(w) };
      }, word);
      const t0Epoch = performance.timeOrigin + t0;
      run.browser_load_end_ms = round(nav.loadEnd - t0Epoch);
      run.browser_legacy_load_end_ms = round(nav.legacy - t0Epoch);
      run.response_end_ms = round(nav.responseEnd - t0Epoch);
      run.fresh = nav.fresh;
      if (!nav.fresh) run.error = "stale reload: the reloaded page does not show the edit";
      const line = await built;
      run.server_line = line.text;
      run.server_line_ms = round(line.at - t0);  // write → the server says it is done
      const b = tool.parse(line.text);
      run.server_rebuild_ms = b?.ms ?? null;
      if (b && !b.ok) run.error = "the rebuild failed";
      await restreamed;
    } catch (e) {
      run.error = String(e.message ?? e).split("\n")[0];
    }
    if (run.error && !run.warmup) failed++;
    runs.push(run);
    console.error(`# ${run.warmup ? "warmup" : `run ${run.run - WARMUP}`}: edit→load ${run.edit_to_load_ms ?? "-"} ms` +
      ` (browser ${run.browser_load_end_ms ?? "-"} ms), server rebuild ${run.server_rebuild_ms ?? "-"} ms` +
      `${run.error ? `  ERROR: ${run.error}` : ""}`);
    if (run.error) {
      // Let whatever is still in flight land before the next edit, then reopen the page.
      await server.waitForLine(tool.rebuilt, { since: since + 1, timeout: 5_000 }).catch(() => {});
      const again = tool.listening(page);
      await page.goto(server.url + pathname, { timeout: TIMEOUT });
      await again;
    }
    // A fixed pause on purpose: edits closer than the server's debounce window would merge.
    await new Promise(r => setTimeout(r, GAP));
  }
} finally {
  // Even when start-up failed: no server left running, no copy left behind, the page restored.
  await browser?.close().catch(() => {});
  await server?.stop();
  if (opt.copy) fs.rmSync(site, { recursive: true, force: true });
  else fs.writeFileSync(file, original);
}

const measured = runs.filter(r => !r.warmup && !r.error);
const result = {
  label: opt.label ?? path.basename(given), tool: opt.tool,
  site: given, page: pathname, source: rel, save: opt.atomic ? "atomic (temp file + rename)" : "in place (writeFileSync)",
  pages: firstBuild?.pages ?? null, first_build_ms: firstBuild?.ms ?? null,
  bin, version: spawnSync(bin, [HUGO ? "version" : "--version"], { encoding: "utf8" }).stdout?.trim() ?? null,
  runs_asked: RUNS, failed, load1_start: loadAtStart, load1_end: os.loadavg()[0], date: new Date().toISOString(),
  edit_to_load_ms: stats(measured.map(r => r.edit_to_load_ms)),
  browser_load_end_ms: stats(measured.map(r => r.browser_load_end_ms)),
  server_rebuild_ms: stats(measured.map(r => r.server_rebuild_ms).filter(x => x !== null)),
  server_line_ms: stats(measured.map(r => r.server_line_ms)),
  runs,
};
const f = x => x === undefined || x === null ? "-" : String(Math.round(x));
const e = result.edit_to_load_ms ?? {}, s = result.server_rebuild_ms ?? {};
result.markdown_header = "| site | pages | save | edit→load median ms | p90 | max | server rebuild median ms | p90 | max | runs (failed) | load1 start, end |\n" +
  "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|";
result.markdown_row = `| ${result.label} | ${result.pages?.toLocaleString("en-US") ?? "?"} | ${opt.atomic ? "atomic" : "in place"} | ` +
  `**${f(e.median)}** | ${f(e.p90)} | ${f(e.max)} | **${f(s.median)}** | ${f(s.p90)} | ${f(s.max)} | ${measured.length} (${failed}) | ${result.load1_start.toFixed(1)}, ${result.load1_end.toFixed(1)} |`;

const json = JSON.stringify(result, null, 2);
if (opt.json) fs.writeFileSync(opt.json, json + "\n");
if (opt.md) fs.appendFileSync(opt.md, result.markdown_row + "\n");
console.log(json);
console.error(result.markdown_header + "\n" + result.markdown_row);
process.exit(failed ? 1 : 0);
