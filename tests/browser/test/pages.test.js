// Real-Chromium smoke test (Debian chromium via playwright-core) on the built example site,
// served over a local static server, plus axe-core WCAG 2.1 A/AA checks at two widths.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { buildSite, removeSite } from "../lib/site.js";
import { serveStatic } from "../lib/serve.js";
import { launch } from "../lib/browser.js";
import { runAxe, formatViolations, WCAG_TAGS } from "../lib/axe.js";

const AXE_PAGES = ["/", "/conditions/sciatica/", "/exercises/plank/", "/conditions/", "/404.html"];
const WIDTHS = [375, 1280];
let server, browser;

before(async () => {
  const dir = buildSite();
  server = await serveStatic(dir);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  removeSite();
});

// A fresh context per test: its own viewport, cookies and cache.
async function newPage(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", e => problems.push(`page error: ${e.message}`));
  page.on("console", m => {
    // Chromium asks for /favicon.ico on its own; the theme has none, and that 404 is not a page problem.
    if (m.type() === "error" && !m.location().url?.endsWith("/favicon.ico")) {
      problems.push(`console error: ${m.text()}${m.location().url ? ` (${m.location().url})` : ""}`);
    }
  });
  page.on("response", r => {
    // The 404 page itself is expected to be served with status 404.
    if (r.status() >= 400 && !new URL(r.url()).pathname.endsWith("/404.html")) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return { page, problems, close: () => context.close() };
}

test("home page links through to the sciatica page, which shows its emergency card", async () => {
  const { page, problems, close } = await newPage();
  try {
    const res = await page.goto(server.url + "/");
    assert.equal(res.status(), 200);
    assert.equal(await page.locator("h1").count(), 1, "the home page has one h1");
    assert.ok(await page.locator("link[rel=stylesheet]").count() > 0, "the home page links a stylesheet");

    const link = page.locator('main a[href$="/conditions/sciatica/"]').first();
    await link.waitFor({ state: "visible" });
    await Promise.all([page.waitForURL("**/conditions/sciatica/"), link.click()]);
    assert.equal(new URL(page.url()).pathname, "/conditions/sciatica/");

    const h1 = page.locator("h1");
    assert.equal(await h1.count(), 1, "the condition page has one h1");
    await h1.waitFor({ state: "visible" });
    const heading = (await h1.innerText()).trim();
    assert.match(heading, /sciatica/i);
    assert.equal(heading, (await page.title()).split(" | ")[0], "the h1 matches the page title");

    const caution = page.locator(".callout-caution");
    assert.ok(await caution.count() >= 1, "the sciatica page has a callout-caution block");
    assert.ok(await caution.first().isVisible(), "the callout-caution block is visible");
    assert.match(await caution.first().innerText(), /emergency|ambulance/i);
    const box = await caution.first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 20, `callout-caution has a real size: ${JSON.stringify(box)}`);

    assert.deepEqual(problems, [], "no page errors, console errors or failed requests");
  } finally {
    await close();
  }
});

for (const width of WIDTHS) {
  for (const pathname of AXE_PAGES) {
    test(`axe (${WCAG_TAGS.join(", ")}): ${pathname} at ${width}px`, async () => {
      const { page, problems, close } = await newPage(width);
      try {
        const res = await page.goto(server.url + pathname);
        assert.ok(res.ok(), `GET ${pathname} returned ${res.status()}`);
        const { violations } = await runAxe(page);
        assert.equal(violations.length, 0,
          `axe found ${violations.length} violation(s) on ${pathname} at ${width}px:\n${formatViolations(violations)}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${pathname} scrolls sideways by ${overflow}px at ${width}px`);
        assert.deepEqual(problems, [], "no page errors, console errors or failed requests");
      } finally {
        await close();
      }
    });
  }
}

// Guards against a harness that silently passes: axe must flag an obviously broken page.
test("axe-core catches violations on a deliberately broken page", async () => {
  const { page, close } = await newPage(375);
  try {
    await page.setContent(`<!DOCTYPE html><html><head><title>bad</title></head><body>
      <p style="color:#bbb;background:#fff">low contrast text</p><img src="data:,">
      <input type="text"></body></html>`);
    const ids = (await runAxe(page)).violations.map(v => v.id).sort();
    for (const id of ["color-contrast", "html-has-lang", "image-alt", "label"]) assert.ok(ids.includes(id), `axe missed ${id}: got ${ids}`);
  } finally {
    await close();
  }
});
