// Unit tests of the browser search engine (themes/default/static/search.js),
// run in Node on the index the real build writes for the bundled guide.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { buildSite, removeSite } from "../lib/site.js";
import { diskEngine, loadSearch, rankedPages } from "../lib/search.js";

const S = await loadSearch();
let site;

before(() => { site = buildSite(); });
after(() => removeSite());

async function fresh() {
  return diskEngine(site);
}

test("edit distance counts insertions, deletions, substitutions and transpositions", () => {
  const d = (a, b, max = 3) => S.editDistance(Array.from(a), Array.from(b), max);
  assert.equal(d("sciatica", "sciatica"), 0);
  assert.equal(d("sciatca", "sciatica"), 1);
  assert.equal(d("sicatica", "sciatica"), 1, "transposition");
  assert.equal(d("sxiatica", "sciatica"), 1);
  assert.equal(d("spondilolistesis", "spondylolisthesis"), 2);
  assert.equal(d("abc", "xyzw", 1), 2, "gives up past max");
});

// The kinds of match each query word got: "word/kind".
async function kinds(engine, q, prefix = false) {
  const o = await engine.search(q, { prefix });
  return o.terms.flatMap(t => t.expansions.map(e => `${e.word}/${e.kind}`));
}

test("typo tolerance: one edit at 5–8 letters, two at 9+, none below 5 or for numbers", async () => {
  const { engine } = await fresh();
  assert.ok((await kinds(engine, "sciatca")).includes("sciatica/typo"));
  assert.ok((await kinds(engine, "spondilolistesis")).includes("spondylolisthesis/typo2"));
  assert.deepEqual((await kinds(engine, "spondilolisteses")).filter(k => k.startsWith("spondylolisthesis")), [], "3 edits");
  assert.deepEqual(await kinds(engine, "plnk"), [], "4 letters: no typos");
  assert.deepEqual(await kinds(engine, "hipp"), [], "4 letters: no typos");
  assert.ok(!(await kinds(engine, "20266")).some(k => k.includes("/typo")), "numbers: no typos");
});

test("a typo in the first letters is found like any other (issue 4)", async () => {
  const { engine } = await fresh();
  // Deleted, inserted, substituted and transposed first letters.
  assert.ok((await kinds(engine, "ciatica")).includes("sciatica/typo"));
  assert.ok((await kinds(engine, "schiatica")).includes("sciatica/typo"));
  assert.ok((await kinds(engine, "vlamshell")).includes("clamshell/typo"));
  assert.ok((await kinds(engine, "ipriformis")).includes("piriformis/typo"));
  assert.ok((await kinds(engine, "dtenosis")).includes("stenosis/typo"));
  assert.ok((await kinds(engine, "xpondilolisthesis")).includes("spondylolisthesis/typo2"), "two edits, one first");
  assert.deepEqual(await kinds(engine, "iatica"), [], "two edits at 6 letters are too many");
});

// Real words of the guide, each typed with one edit in its first third (the
// first letters, so that its own shards are not those of the typed word) and
// one in its last: neither half of the typed word is intact, its middle third is.
const TWO_TYPOS_APART = [
  ["pondylolisthesys", "spondylolisthesis"], // deleted first letter, substituted one
  ["ipriformus", "piriformis"], // transposed first letters, substituted one
  ["acroiliak", "sacroiliac"], // nine letters: the fewest that may have two edits
  ["endinopahty", "tendinopathy"], // deleted first letter, transposed last ones
  ["jhamstrimgs", "hamstrings"], // inserted first letter, substituted one
];

test("two edits, one in the first letters and one in the last, are found (issue 4)", async () => {
  const { engine } = await fresh();
  for (const [typed, word] of TWO_TYPOS_APART) {
    assert.ok((await kinds(engine, typed)).includes(`${word}/typo2`), `${typed} → ${word}`);
  }
});

test("a word whose middle third is intact but both ends are not is found by its middle", async () => {
  const { engine } = await fresh();
  await engine.init();
  const typed = "adiculopaty"; // radiculopathy: deleted first letter, and the h of "thy"
  const middles = engine.typoLists(typed).filter(f => /^middles-[0-9a-f]{12}\.txt$/.test(f));
  const words = (await Promise.all(middles.map(f => engine.fetchList(f)))).flat();
  assert.ok(words.includes("radiculopathy"), middles.join(" "));
  assert.ok((await kinds(engine, typed)).includes("radiculopathy/typo2"));
});

// Two edits that leave only the middle third intact, one at each end.
const ENDS_WRONG = {
  "first and last letters substituted": c => [c[0] === "x" ? "z" : "x", ...c.slice(1, -1), c.at(-1) === "q" ? "k" : "q"],
  "first letter deleted, last two transposed": c => [...c.slice(1, -2), c.at(-1), c.at(-2)],
  "first two transposed, a letter added at the end": c => [c[1], c[0], ...c.slice(2), c.at(-1)],
};

test("every word of nine letters or more is found with a typo at each end", async () => {
  const { engine } = await fresh();
  await engine.init();
  const dictionary = (await Promise.all(engine.manifest.heads.map(h => engine.fetchList(h[1])))).flat();
  const long = dictionary.filter(w => Array.from(w).length >= 9);
  assert.ok(long.length >= 100, `${long.length} words`);
  for (const [how, typo] of Object.entries(ENDS_WRONG)) {
    const missed = [];
    for (const word of long) {
      const typed = typo(Array.from(word));
      if (typed.length < 9 || typed[0] === typed[1]) continue;
      const q = typed.join("");
      if (!(await kinds(engine, q)).includes(`${word}/typo2`)) missed.push(`${q} (${word})`);
    }
    assert.deepEqual(missed, [], how);
  }
});

test("a short key spanning many list files looks in those around the typed word", () => {
  const engine = new S.Engine(() => Promise.reject(new Error("no files")));
  const list = (kind, firsts) => firsts.map((first, i) => [first, `${kind}${i}`]);
  engine.manifest = {
    heads: list("h", ["aorta", "ent", "entd", "entm", "entre", "ents", "epz"]),
    middles: list("m", ["aorta"]),
    tails: list("t", ["aorta"]),
  };
  // "ent" spans h1–h5; entrapment sorts in h3, next to h4's "entre".
  assert.deepEqual(engine.typoLists("entrapmnt").filter(f => f.startsWith("h")), ["h3", "h4"]);
  // Sharing no more with the next border, it looks back instead.
  assert.deepEqual(engine.typoLists("entmxxxxx").filter(f => f.startsWith("h")), ["h2", "h3"]);
  // A key within one file gets just that one.
  assert.deepEqual(engine.typoLists("enaxxxxxx").filter(f => f.startsWith("h")), ["h0"]);
});

test("two edits apart are allowed from nine letters only", async () => {
  const { engine } = await fresh();
  assert.deepEqual((await kinds(engine, "amstrinh")).filter(k => k.startsWith("hamstring")), [], "eight letters, two edits");
  assert.deepEqual((await kinds(engine, "tenosys")).filter(k => k.startsWith("stenosis")), [], "seven letters, two edits");
  assert.ok(!engine.typoLists("ciatica").some(f => f.startsWith("middles-")), "one edit: heads and tails only");
});

test("prefixes of three or more letters find words", async () => {
  const { engine } = await fresh();
  const prefixes = async (q, prefix) => (await kinds(engine, q, prefix)).filter(k => k.endsWith("/prefix")).map(k => k.split("/")[0]);
  assert.ok((await prefixes("spo", true)).includes("spondylolisthesis"));
  assert.ok((await prefixes("spondylol", false)).includes("spondylolisthesis"), "a beginning that is no word");
  assert.deepEqual(await prefixes("sp", true), [], "two letters are not enough");
  assert.deepEqual(await prefixes("back", false), [], "a whole word is not a beginning once typed");
});

test("exact beats stemmed beats synonym beats prefix beats typo", () => {
  const w = S.WEIGHTS;
  assert.ok(w.exact > w.stemmed && w.stemmed > w.synonym && w.synonym > w.prefix && w.prefix > w.typo && w.typo > w.typo2);
});

test("a stemmed form finds the page: 'herniated discs'", async () => {
  const { engine } = await fresh();
  const { pages } = await rankedPages(engine, "herniated discs", 3);
  assert.equal(pages[0], "/conditions/disc-herniation/");
});

test("pages with every query word rank above pages with some", async () => {
  const { engine } = await fresh();
  const { outcome } = await rankedPages(engine, "piriformis glute");
  const matched = outcome.results.map(r => r.matched);
  assert.deepEqual(matched, [...matched].sort((a, b) => b - a));
  assert.equal(matched[0], 2);
});

test("also_called works as a synonym and says so", async () => {
  const { engine } = await fresh();
  const { outcome, pages } = await rankedPages(engine, "slipped disc", 3);
  assert.equal(pages[0], "/conditions/disc-herniation/");
  assert.deepEqual(outcome.synonym, { canonical: "disc herniation", words: ["slipped", "disc"] });
  const none = await rankedPages(engine, "sciatica", 3);
  assert.equal(none.outcome.synonym, null);
});

test("results have at most three sub-hits, each a heading of the page", async () => {
  const { engine } = await fresh();
  const { docs } = await rankedPages(engine, "running", 10);
  for (const d of docs) {
    assert.ok(d.hits.length <= 3);
    for (const h of d.hits) assert.match(h.url, new RegExp(`^${d.page}#[a-z0-9-]+$`));
    assert.ok(d.title && d.kind && d.url.startsWith(d.page));
  }
  assert.ok(docs.some(d => d.hits.length > 0));
});

test("highlighting marks matched words, their stems and prefixes", async () => {
  const { engine } = await fresh();
  const { outcome } = await rankedPages(engine, "stretch hamstr");
  const runs = S.marks("Stretching your hamstrings, then stretch again.", outcome.highlight);
  assert.deepEqual(runs.filter(r => r[1]).map(r => r[0]), ["Stretching", "hamstrings", "stretch"]);
  const text = "word ".repeat(80) + "sciatica " + "word ".repeat(80);
  const cut = S.snippetWindow(text, w => w === "sciatica", 100);
  assert.ok(cut.includes("sciatica") && cut.length <= 102, cut);
});

test("a one-word query needs the manifest, one round of shards and one of page groups", async () => {
  const { engine, fetched } = await fresh();
  await engine.init();
  assert.deepEqual(fetched, ["manifest.json"]);
  const outcome = await engine.search("sciatica", { prefix: true });
  const shards = fetched.slice(1);
  assert.ok(shards.length >= 1 && shards.length <= 3 && shards.every(f => /^terms-[0-9a-f]{12}\.bin$/.test(f)), shards.join(" "));
  await engine.documents(outcome, 0, 6);
  const docs = fetched.slice(1 + shards.length);
  assert.ok(docs.length >= 1 && docs.length <= 6, docs.join(" "));
  assert.ok(docs.every(f => /^docs-[0-9a-f]{12}\/\d+\.json$/.test(f)), docs.join(" "));
});

// An engine that counts rounds of fetches: a round starts when nothing is in flight.
async function counting() {
  const { engine, fetched } = await fresh();
  const load = engine.load;
  const state = { rounds: 0, inFlight: 0 };
  engine.load = p => {
    if (state.inFlight === 0) state.rounds++;
    state.inFlight++;
    return load(p).finally(() => { state.inFlight--; });
  };
  return { engine, fetched, state };
}

test("a first-letter typo costs at most two more rounds: its typo lists, then its word's shards", async () => {
  const { engine, fetched, state } = await counting();
  await engine.init();
  const before = { rounds: state.rounds, files: fetched.length };
  const outcome = await engine.search("ciatica", { prefix: false });
  assert.ok(state.rounds - before.rounds <= 3, `${state.rounds - before.rounds} rounds`);
  const extra = fetched.slice(before.files);
  assert.ok(extra.some(f => /^heads-[0-9a-f]{12}\.txt$/.test(f)) && extra.some(f => /^tails-[0-9a-f]{12}\.txt$/.test(f)), extra.join(" "));
  assert.ok(extra.length <= 3 + 2 * 2 + 3, extra.join(" "));
  const { pages } = await rankedPages(engine, "ciatica", 1);
  assert.equal(pages[0], "/conditions/sciatica/");
  assert.ok(outcome.results.length > 0);
});

test("two typos apart cost no more rounds than one: the typo lists, then the word's shards", async () => {
  for (const [typed, word] of TWO_TYPOS_APART) {
    const { engine, fetched, state } = await counting();
    await engine.init();
    const before = { rounds: state.rounds, files: fetched.length };
    const outcome = await engine.search(typed, { prefix: false });
    assert.ok(state.rounds - before.rounds <= 3, `${typed}: ${state.rounds - before.rounds} rounds`);
    const extra = fetched.slice(before.files);
    assert.ok(extra.some(f => /^middles-[0-9a-f]{12}\.txt$/.test(f)), extra.join(" "));
    // Its own shards, at most two list files for each of three keys, and the shards of the close words.
    assert.ok(extra.length <= 3 + 3 * 2 + 3, extra.join(" "));
    assert.ok(outcome.terms[0].expansions.some(e => e.word === word), typed);
  }
});

test("a typo costs one more round of shards, and only then", async () => {
  const { engine, fetched } = await fresh();
  await engine.init();
  await engine.search("sciatica", { prefix: false });
  const exact = fetched.length - 1;
  await engine.search("sciatcia", { prefix: false });
  assert.ok(fetched.length - 1 - exact <= 3, fetched.join(" "));
});
