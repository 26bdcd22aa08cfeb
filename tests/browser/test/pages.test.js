// Real-Chromium smoke test (Debian chromium via playwright-core) on the built example site,
// served over a local static server, plus axe-core WCAG 2.2 A/AA checks on every page type,
// in light and dark mode, at a phone and a desktop width, and no sideways scrolling at 320px.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtSite } from "../lib/setup.js";
import { runAxe, formatViolations, WCAG_TAGS } from "../lib/axe.js";
import { PAGE_TYPES, openPage, builtPage } from "../lib/pages.js";

const WIDTHS = [375, 1280];
const SCHEMES = ["light", "dark"];
const env = builtSite({ serve: true, browser: true });
// Search is optional ([search] enable = false): its page type is skipped when the build has none.
const hasPage = pathname => pathname !== PAGE_TYPES.search || Boolean(builtPage(env.site, pathname));

test("home page links through to the sciatica page, which shows its emergency card", async () => {
  const { page, problems, close } = await openPage(env.browser);
  try {
    const res = await page.goto(env.url + "/");
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
  for (const colorScheme of SCHEMES) {
    for (const [type, pathname] of Object.entries(PAGE_TYPES)) {
      test(`axe (${WCAG_TAGS.join(", ")}): ${type} page ${pathname}, ${colorScheme}, ${width}px`, async t => {
        if (!hasPage(pathname)) return t.skip(`this build has no ${pathname}`);
        const { page, problems, close } = await openPage(env.browser, { width, colorScheme });
        try {
          const res = await page.goto(env.url + pathname);
          assert.ok(res.ok() || pathname === "/404.html", `GET ${pathname} returned ${res.status()}`);
          assert.equal(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches), colorScheme === "dark");
          const { violations } = await runAxe(page);
          assert.equal(violations.length, 0,
            `axe found ${violations.length} violation(s) on ${pathname} (${colorScheme}, ${width}px):\n${formatViolations(violations)}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${pathname} scrolls sideways by ${overflow}px at ${width}px`);
          assert.deepEqual(problems, [], "no page errors, console errors or failed requests");
        } finally {
          await close();
        }
      });
    }
  }
}

test("dark mode changes the page colours", async () => {
  const colours = {};
  for (const colorScheme of SCHEMES) {
    const { page, close } = await openPage(env.browser, { colorScheme });
    try {
      await page.goto(env.url + PAGE_TYPES.condition);
      colours[colorScheme] = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
    } finally {
      await close();
    }
  }
  assert.notDeepEqual(colours.light, colours.dark, `same colours in light and dark mode: ${JSON.stringify(colours)}`);
});

test("every page type fits a 320px screen without sideways scrolling", async () => {
  const { page, close } = await openPage(env.browser, { width: 320 });
  try {
    const wide = [];
    for (const [type, pathname] of Object.entries(PAGE_TYPES)) {
      await page.goto(env.url + pathname);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) {
        const culprits = await page.evaluate(() => [...document.querySelectorAll("body *")]
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`));
        wide.push(`${type} ${pathname}: ${overflow}px (${culprits.join(", ")})`);
      }
    }
    assert.deepEqual(wide, [], "pages wider than a 320px screen");
  } finally {
    await close();
  }
});

// Guards against a harness that silently passes: axe must flag an obviously broken page.
test("axe-core catches violations on a deliberately broken page", async () => {
  const { page, close } = await openPage(env.browser, { width: 375 });
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
