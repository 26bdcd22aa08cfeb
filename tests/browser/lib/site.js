// Builds the bundled example site (the repo root, or $CAREBOOK_SITE_ROOT) into a fresh temp
// dir, once per process. Uses $CAREBOOK_BIN (e.g. target/release/carebook) when set, else
// `cargo run --release` from the repo root. KEEP_SITE=1 keeps the output for inspection.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

let built;

export function buildSite() {
  if (built) return built;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "carebook-site-"));
  const siteRoot = path.resolve(REPO, process.env.CAREBOOK_SITE_ROOT || ".");
  const args = ["build", "--root", siteRoot, "--output-dir", out];
  const bin = process.env.CAREBOOK_BIN;
  const [cmd, argv] = bin
    ? [path.resolve(REPO, bin), args]
    : ["cargo", ["run", "--quiet", "--release", "--", ...args]];
  const r = spawnSync(cmd, argv, { cwd: REPO, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`\`${cmd} ${argv.join(" ")}\` exited with ${r.status}:\n${r.stderr}`);
  }
  if (!fs.existsSync(path.join(out, "index.html"))) throw new Error(`the build wrote no index.html into ${out}`);
  if (process.env.KEEP_SITE) console.error(`# built site kept in ${out}`);
  built = out;
  return out;
}

export function removeSite() {
  if (built && !process.env.KEEP_SITE) fs.rmSync(built, { recursive: true, force: true });
  built = undefined;
}

// Every *.html file under dir, as paths relative to dir.
export function htmlFiles(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile() && e.name.endsWith(".html"))
    .map(e => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}
