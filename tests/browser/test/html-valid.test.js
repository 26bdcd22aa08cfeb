// HTML validity: builds the bundled site and runs the Nu HTML Checker (vnu.jar, java >= 11)
// over every generated HTML file in one JVM. Fails listing each error as file:line:col: message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { htmlFiles } from "../lib/site.js";
import { builtSite } from "../lib/setup.js";

const VNU = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "vnu-jar", "build", "dist", "vnu.jar");
const env = builtSite();

function vnu(target) {
  const r = spawnSync("java", ["-jar", VNU, "--errors-only", "--skip-non-html", "--format", "json", "--stdout", target],
    { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.error) throw new Error(`could not run java (needs java >= 11, e.g. apt-get install openjdk-17-jre-headless): ${r.error.message}`);
  let parsed;
  try { parsed = JSON.parse(r.stdout); }
  catch { throw new Error(`vnu.jar exited with ${r.status} and no JSON report:\n${r.stdout}\n${r.stderr}`); }
  return parsed.messages;
}

test("every generated HTML file is valid HTML (vnu.jar)", () => {
  const files = htmlFiles(env.site);
  const min = process.env.CAREBOOK_SITE_ROOT ? 1 : 10;  // the bundled guide has dozens of pages
  assert.ok(files.length >= min, `expected at least ${min} HTML files in the built site, found ${files.length}`);
  const errors = vnu(env.site).filter(m => m.type === "error" || m.type === "non-document-error" || m.subType === "fatal");
  const lines = errors.map(m => {
    const file = m.url ? path.relative(env.site, fileURLToPath(m.url)) : "(no file)";
    const where = m.lastLine ? `${m.lastLine}:${m.firstColumn ?? m.lastColumn ?? 0}` : "?";
    const extract = m.extract ? `\n      ${JSON.stringify(m.extract.trim())}` : "";
    return `  ${file}:${where}: ${m.message}${extract}`;
  });
  assert.equal(errors.length, 0,
    `vnu.jar found ${errors.length} error(s) in ${new Set(errors.map(m => m.url)).size} of ${files.length} HTML files:\n${lines.join("\n")}`);
});

// Guards against a checker that silently passes (wrong path, no files seen, output format change).
test("vnu.jar reports errors in a deliberately broken page", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carebook-vnu-"));
  try {
    fs.writeFileSync(path.join(dir, "bad.html"), `<!DOCTYPE html><html lang="en"><head><title>bad</title></head>
<body><p id="x"><div id="x">block in a paragraph</div></p></body></html>`);
    const messages = vnu(dir).map(m => m.message).join("\n");
    assert.match(messages, /Duplicate ID/);
    assert.match(messages, /No .p. element in scope/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
