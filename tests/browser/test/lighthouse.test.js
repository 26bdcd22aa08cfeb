// Lighthouse on a condition page of the bundled guide, in Debian's Chromium, offline:
// accessibility and best practices must score 100; performance and SEO are printed.
// About 15 s, so it audits one representative page (axe covers every page type).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtSite } from "../lib/setup.js";
import { CHROME, CHROME_ARGS } from "../lib/browser.js";
import { PAGE_TYPES } from "../lib/pages.js";

const LH = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin", "lighthouse");
const env = builtSite({ serve: true });

test("lighthouse: a condition page scores 100 for accessibility and best practices", { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carebook-lh-"));
  try {
    const out = path.join(dir, "report.json");
    await promisify(execFile)(LH, [env.url + PAGE_TYPES.condition, "--quiet",
      `--chrome-flags=--headless ${CHROME_ARGS.join(" ")}`,
      "--only-categories=performance,accessibility,best-practices,seo",
      "--output=json", `--output-path=${out}`],
    { env: { ...process.env, CHROME_PATH: CHROME }, maxBuffer: 64 << 20 });
    const report = JSON.parse(fs.readFileSync(out, "utf8"));
    assert.equal(report.runtimeError, undefined, JSON.stringify(report.runtimeError));
    const scores = Object.fromEntries(Object.entries(report.categories).map(([k, c]) => [k, c.score]));
    console.log(`lighthouse ${report.lighthouseVersion}: ${JSON.stringify(scores)}, FCP ${report.audits["first-contentful-paint"].displayValue}, LCP ${report.audits["largest-contentful-paint"].displayValue}`);
    const failing = cat => report.categories[cat].auditRefs
      .map(ref => report.audits[ref.id])
      .filter(a => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
      .map(a => `${a.id}: ${a.title}`);
    assert.equal(scores.accessibility, 1, `accessibility audits failing: ${failing("accessibility").join("; ")}`);
    assert.equal(scores["best-practices"], 1, `best-practice audits failing: ${failing("best-practices").join("; ")}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
