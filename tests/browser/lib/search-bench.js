// Search benchmark: bytes a browser downloads for a first one-word query
// (gzipped, engine included) and per-keystroke query time, on a built site.
//
//   node tests/browser/lib/search-bench.js OUT_DIR [--browser] [word ...]
//
// OUT_DIR is a `carebook build` output folder. Without words, it measures a
// set of common and rare words of the synthetic corpus
// (../shared/bench/gen_corpus.py). Bytes are counted as the engine fetches
// them: search.js and search.css, the manifest, the term shards of the word
// (as typed: the last word may be a beginning), and the page groups of the
// first six results (and, for a word with a typo, its typo lists). With --browser, it also times every keystroke of each
// word in Chromium once the shards it needs are loaded.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { pathToFileURL } from "node:url";
import { diskEngine, SEARCH_JS } from "./search.js";

const gz = file => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const kb = n => (n / 1024).toFixed(1);

export async function firstQueryBytes(out, word) {
  const { engine, fetched } = await diskEngine(out);
  const outcome = await engine.search(word, { prefix: true });
  await engine.documents(outcome, 0, 6);
  const files = [path.join(out, "search.js"), path.join(out, "search.css"), ...fetched.map(f => path.join(out, "search", f))];
  const sizes = files.map(f => ({ file: path.relative(out, f), raw: fs.statSync(f).size, gz: gz(f) }));
  return { word, results: outcome.results.length, sizes, total: sizes.reduce((a, s) => a + s.gz, 0) };
}

export function indexTotals(out) {
  const dir = path.join(out, "search");
  let raw = 0, zipped = 0, files = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const f = path.join(e.parentPath ?? e.path, e.name);
    if (f.endsWith("index.html")) continue;
    raw += fs.statSync(f).size;
    zipped += gz(f);
    files++;
  }
  return { raw, zipped, files };
}

async function browserLatency(out, words) {
  const { launch } = await import("./browser.js");
  const { serveStatic } = await import("./serve.js");
  const server = await serveStatic(out);
  const browser = await launch();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url + "/search/");
    return await page.evaluate(async words => {
      const form = document.querySelector("form[data-search-index]");
      const base = form.getAttribute("data-search-index");
      const engine = new window.CarebookSearch.Engine(p => fetch(base + p).then(r => /\.bin$/.test(p) ? r.arrayBuffer() : r.text()));
      const times = [];
      for (const w of words) {
        for (let n = 1; n <= w.length; n++) {
          // Load what this keystroke needs, then time it with everything loaded.
          const q = w.slice(0, n);
          const o = await engine.search(q, { prefix: true });
          await engine.documents(o, 0, 6);
          const t0 = performance.now();
          const o2 = await engine.search(q, { prefix: true });
          await engine.documents(o2, 0, 6);
          times.push(performance.now() - t0);
        }
      }
      times.sort((a, b) => a - b);
      const at = p => times[Math.min(times.length - 1, Math.floor(p * times.length))];
      return { keystrokes: times.length, median: at(0.5), p95: at(0.95), max: times[times.length - 1] };
    }, words);
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const out = args.shift();
  const useBrowser = args.includes("--browser");
  const words = args.filter(a => a !== "--browser");
  const queries = words.length ? words : ["pain", "sciatica", "hamstring", "stretching", "spondylolisthesis", "cadence", "physiotherapist", "running"];
  const totals = indexTotals(out);
  console.log(`index: ${totals.files} files, ${kb(totals.raw)} KB raw, ${kb(totals.zipped)} KB gzipped (each file gzipped on its own)`);
  console.log(`engine: search.js ${kb(fs.statSync(SEARCH_JS).size)} KB raw, ${kb(gz(path.join(out, "search.js")))} KB gzipped`);
  const rows = [];
  for (const w of queries) {
    const r = await firstQueryBytes(out, w);
    rows.push(r.total);
    const shards = r.sizes.filter(s => s.file.includes("terms-"));
    const docs = r.sizes.filter(s => s.file.includes("docs-"));
    const lists = r.sizes.filter(s => /(heads|middles|tails)-/.test(s.file));
    const manifest = r.sizes.find(s => s.file.endsWith("manifest.json"));
    console.log(`${w.padEnd(18)} ${String(r.results).padStart(6)} results: ${kb(r.total)} KB gz = engine+css ${kb(r.sizes[0].gz + r.sizes[1].gz)}` +
      ` + manifest ${kb(manifest.gz)} + ${shards.length} shard(s) ${kb(shards.reduce((a, s) => a + s.gz, 0))}` +
      ` + ${docs.length} page group(s) ${kb(docs.reduce((a, s) => a + s.gz, 0))}` +
      (lists.length ? ` + ${lists.length} typo list(s) ${kb(lists.reduce((a, s) => a + s.gz, 0))}` : ""));
  }
  rows.sort((a, b) => a - b);
  console.log(`first one-word query: median ${kb(rows[Math.floor(rows.length / 2)])} KB, max ${kb(rows[rows.length - 1])} KB gzipped`);
  if (useBrowser) {
    const l = await browserLatency(out, queries);
    console.log(`Chromium, shards loaded: ${l.keystrokes} keystrokes, median ${l.median.toFixed(2)} ms, p95 ${l.p95.toFixed(2)} ms, max ${l.max.toFixed(2)} ms per keystroke`);
  }
}
