// Screenshots for a person to look at when the theme changes (CI keeps them as artifacts):
// a condition page and an exercise page at phone (375px) and desktop (1280px) widths, in light
// and dark mode, plus each printed to A4 PDF (and to PNG pages when poppler's pdftoppm is
// installed). Written to $SCREENSHOT_DIR, default tests/browser/out/screenshots/.
// Pixels are not compared: Chromium's version floats with Debian's updates.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtSite } from "../lib/setup.js";
import { PAGE_TYPES, openPage } from "../lib/pages.js";

const OUT = path.resolve(process.env.SCREENSHOT_DIR ||
  path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "out", "screenshots"));
const SHOTS = { condition: PAGE_TYPES.condition, exercise: PAGE_TYPES.exercise };
const env = builtSite({ serve: true, browser: true });

before(() => {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
});

for (const [name, pathname] of Object.entries(SHOTS)) {
  test(`screenshots of the ${name} page at 375 and 1280px, light and dark`, async () => {
    for (const width of [375, 1280]) {
      for (const colorScheme of ["light", "dark"]) {
        const { page, close } = await openPage(env.browser, { width, colorScheme, reducedMotion: "reduce" });
        try {
          await page.goto(env.url + pathname);
          const file = path.join(OUT, `${name}-${width}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          assert.ok(fs.statSync(file).size > 10_000, `${file} looks empty`);
        } finally {
          await close();
        }
      }
    }
  });

  test(`the ${name} page printed to PDF`, async () => {
    const { page, close } = await openPage(env.browser);
    try {
      await page.goto(env.url + pathname);
      await page.emulateMedia({ media: "print" });
      const pdf = path.join(OUT, `${name}-print.pdf`);
      await page.pdf({ path: pdf, format: "A4", printBackground: true });
      const bytes = fs.readFileSync(pdf);
      assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
      const pdftoppm = spawnSync("pdftoppm", ["-png", "-r", "60", pdf, path.join(OUT, `${name}-print`)]);
      if (pdftoppm.error) console.error(`# pdftoppm not found (apt-get install poppler-utils): ${pdf} left as PDF only`);
      else assert.equal(pdftoppm.status, 0, String(pdftoppm.stderr));
    } finally {
      await close();
    }
  });
}
