// Typo recall: how often the engine finds a word of the index from a random
// typo of it, and how many typo-list bytes it fetches for that, on a built site.
//
//   node tests/browser/lib/typo-recall.js OUT_DIR [--edits 1|2] [--min N] [--max N] [--n N] [--engine FILE]
//
// Each case takes a word of the index of --min to --max letters (default 9
// and up), makes --edits random edits (insert, delete, substitute,
// transpose; default 2, and at least as many as the edit distance counts),
// and keeps it if the typed word is allowed that many edits and is no word
// of the index. Cases come from a fixed seed, so runs compare. --engine
// runs another copy of search.js (e.g. an older commit's, from `git show`).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SEARCH_JS } from "./search.js";

function engineFrom(file) {
  const saved = globalThis.CarebookSearch;
  // eslint-disable-next-line no-new-func
  new Function(fs.readFileSync(file, "utf8"))();
  const S = globalThis.CarebookSearch;
  globalThis.CarebookSearch = saved;
  return S;
}

// A fresh engine on `out`, counting the typo-list files and bytes it reads.
function listCountingEngine(S, out, counts) {
  return new S.Engine(async p => {
    const bytes = fs.readFileSync(path.join(out, "search", p));
    if (/^(heads|middles|tails)-/.test(p)) {
      counts.files++;
      counts.bytes += bytes.length;
    }
    return p.endsWith(".bin") ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) : bytes.toString("utf8");
  });
}

// A linear congruential generator: the same cases on every run.
function random(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

// `letters` with one random edit, or null for one that changes nothing.
function edited(letters, rnd) {
  const c = letters.slice();
  const kind = Math.floor(rnd() * 4);
  const at = Math.floor(rnd() * c.length);
  const x = "abcdefghijklmnopqrstuvwxyz"[Math.floor(rnd() * 26)];
  if (kind === 0) c.splice(at, 0, x);
  else if (kind === 1) c.splice(at, 1);
  else if (kind === 2) c[at] = x;
  else if (at + 1 < c.length) [c[at], c[at + 1]] = [c[at + 1], c[at]];
  return c.join("") === letters.join("") ? null : c;
}

export async function typoRecall(out, { edits = 2, min = 9, max = Infinity, n = 1500, engine = SEARCH_JS } = {}) {
  const S = engineFrom(engine);
  const counts = { files: 0, bytes: 0 };
  const first = listCountingEngine(S, out, counts);
  await first.init();
  const index = (await Promise.all(first.manifest.heads.map(h => first.fetchList(h[1])))).flat();
  const known = new Set(index);
  const pool = index.filter(w => S.typoTolerant(w) && Array.from(w).length >= min && Array.from(w).length <= max);
  const rnd = random(12345);
  const cases = [];
  while (cases.length < n) {
    const word = pool[Math.floor(rnd() * pool.length)];
    let typed = Array.from(word);
    for (let e = 0; e < edits && typed; e++) typed = edited(typed, rnd);
    if (!typed) continue;
    const allowed = typed.length >= 9 ? 2 : typed.length >= 5 ? 1 : 0;
    const q = typed.join("");
    if (edits > allowed || known.has(q) || S.editDistance(typed, Array.from(word), edits) !== edits) continue;
    cases.push([q, word]);
  }
  counts.files = counts.bytes = 0;
  let found = 0;
  for (const [q, word] of cases) {
    const engine = listCountingEngine(S, out, counts);
    const outcome = await engine.search(q, { prefix: false });
    if (outcome.terms[0]?.expansions.some(e => e.word === word)) found++;
  }
  return { found, n, listFiles: counts.files / n, listBytes: counts.bytes / n };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [out, ...args] = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const r = await typoRecall(out, {
    edits: Number(option("edits", 2)),
    min: Number(option("min", 9)),
    max: Number(option("max", Infinity)),
    n: Number(option("n", 1500)),
    engine: path.resolve(option("engine", SEARCH_JS)),
  });
  console.log(`found ${r.found}/${r.n}; typo lists per case: ${r.listFiles.toFixed(2)} files, ${(r.listBytes / 1024).toFixed(1)} KB raw`);
}
