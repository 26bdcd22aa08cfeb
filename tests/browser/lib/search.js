// Helpers for the search tests: the engine from the theme, loaded into Node,
// and a loader that reads a built site's index files from disk.
import fs from "node:fs";
import path from "node:path";
import { REPO } from "./site.js";

export const SEARCH_JS = path.join(REPO, "themes/default/static/search.js");

// search.js is a classic script: it sets globalThis.CarebookSearch and, with
// no `document`, sets up no UI.
export async function loadSearch() {
  if (!globalThis.CarebookSearch) {
    // eslint-disable-next-line no-new-func
    new Function(fs.readFileSync(SEARCH_JS, "utf8"))();
  }
  return globalThis.CarebookSearch;
}

// An engine reading `<site>/search/…` from disk; `fetched` records every file read.
export async function diskEngine(siteDir) {
  const S = await loadSearch();
  const fetched = [];
  const engine = new S.Engine(async p => {
    const file = path.join(siteDir, "search", p);
    fetched.push(p);
    const bytes = fs.readFileSync(file);
    return p.endsWith(".bin") ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) : bytes.toString("utf8");
  });
  return { S, engine, fetched };
}

// Ranked result URLs for a query, as the /search/ page shows them (pages, no anchors).
export async function rankedPages(engine, query, n = 10) {
  const outcome = await engine.search(query, { prefix: true });
  const docs = await engine.documents(outcome, 0, n);
  return { outcome, pages: docs.map(d => d.page), docs };
}
