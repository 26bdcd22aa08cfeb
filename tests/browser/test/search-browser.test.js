// Search in real Chromium (Debian's, through playwright-core) on the built
// bundled guide: the header combobox, the /search/ page, keyboard use, round
// trips after focus, and axe on the open result list and the results page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { buildSite, removeSite } from "../lib/site.js";
import { serveStatic } from "../lib/serve.js";
import { launch } from "../lib/browser.js";
import { runAxe, formatViolations } from "../lib/axe.js";

const BOX = "header input[type=search][name=q]";
let server, browser;

before(async () => {
  server = await serveStatic(buildSite());
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  removeSite();
});

async function newPage(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", e => problems.push(`page error: ${e.message}`));
  page.on("console", m => {
    if (m.type() === "error" && !m.location().url?.endsWith("/favicon.ico")) problems.push(`console error: ${m.text()}`);
  });
  page.on("response", r => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return { page, problems, close: () => context.close() };
}

async function resultLinks(page) {
  await page.locator("#search-results a").first().waitFor({ state: "visible" });
  return page.$$eval("#search-results a", as => as.map(a => new URL(a.href).pathname + new URL(a.href).hash));
}

async function firstPageFor(page, q) {
  await page.goto(`${server.url}/search/?q=${encodeURIComponent(q)}`);
  const links = await resultLinks(page);
  return { first: links[0], links };
}

test("every page has the header search box", async () => {
  const { page, problems, close } = await newPage();
  try {
    for (const path of ["/", "/conditions/sciatica/", "/exercises/plank/", "/conditions/", "/404.html"]) {
      await page.goto(server.url + path);
      assert.equal(await page.locator(BOX).count(), 1, `${path} has one header search box`);
      assert.equal(await page.locator(BOX).getAttribute("role"), "combobox");
    }
    assert.deepEqual(problems.filter(p => !p.includes("404.html")), []);
  } finally {
    await close();
  }
});

test("typing shows results as you type, with title, kind, section and highlighted snippet", async () => {
  const { page, problems, close } = await newPage();
  try {
    await page.goto(server.url + "/");
    await page.locator(BOX).click();
    await page.locator(BOX).pressSequentially("hamstr", { delay: 40 });
    const option = page.locator("#site-search-listbox [role=option]").first();
    await option.waitFor({ state: "visible" });
    assert.equal(await page.locator(BOX).getAttribute("aria-expanded"), "true");
    assert.match(await option.locator(".search-title").innerText(), /hamstring/i);
    assert.ok((await option.locator(".search-kind").innerText()).length > 0, "a kind label");
    assert.ok(await page.locator("#site-search-listbox mark").count() > 0, "matched words are highlighted");
    await page.waitForFunction(() => /\d+ results? for hamstr/.test(document.querySelector("[data-search-status]").textContent));
    const { violations } = await runAxe(page);
    assert.equal(violations.length, 0, `axe on the open result list:\n${formatViolations(violations)}`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("/search/?q=slipped%20disc ranks /conditions/disc-herniation/ first and names the synonym", async () => {
  const { page, problems, close } = await newPage();
  try {
    const res = await page.goto(server.url + "/search/?q=slipped%20disc");
    assert.equal(res.status(), 200);
    const links = await resultLinks(page);
    assert.equal(links[0], "/conditions/disc-herniation/");
    await page.locator("#search-synonym").waitFor({ state: "visible" });
    assert.equal(await page.locator("#search-synonym").innerText(), "Showing results for disc herniation (slipped disc)");
    assert.equal(await page.locator("#search-page-q").inputValue(), "slipped disc");
    assert.match(await page.locator("#search-summary").innerText(), /\d+ results? for “slipped disc”/);
    const { violations } = await runAxe(page);
    assert.equal(violations.length, 0, `axe on /search/:\n${formatViolations(violations)}`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("a typo query and a prefix query find their pages", async () => {
  const { page, close } = await newPage();
  try {
    assert.equal((await firstPageFor(page, "sciatca")).first, "/conditions/sciatica/");
    // A typo in the first letter points at other shards (issue 4).
    assert.equal((await firstPageFor(page, "ciatica")).first, "/conditions/sciatica/");
    assert.equal((await firstPageFor(page, "spondilolisthesis")).first, "/conditions/spondylolisthesis/");
    // Two typos, one in the first letters and one in the last: only the middle third is intact.
    assert.equal((await firstPageFor(page, "pondylolisthesys")).first, "/conditions/spondylolisthesis/");
    assert.equal((await firstPageFor(page, "piri")).first, "/exercises/piriformis-stretch/");
    const { links } = await firstPageFor(page, "running");
    assert.ok(links.some(l => l.includes("#")), "sub-hits link to page#heading");
  } finally {
    await close();
  }
});

test("keyboard: arrows move through results, Enter opens one, Escape closes the list", async () => {
  const { page, problems, close } = await newPage();
  try {
    await page.goto(server.url + "/");
    await page.keyboard.press("Tab"); // skip link
    const box = page.locator(BOX);
    await box.focus();
    await page.keyboard.type("plank", { delay: 30 });
    await page.locator("#site-search-listbox [role=option]").first().waitFor({ state: "visible" });
    await page.keyboard.press("ArrowDown");
    const first = await box.getAttribute("aria-activedescendant");
    assert.ok(first, "ArrowDown selects an option");
    assert.equal(await page.locator(`#${first}`).getAttribute("aria-selected"), "true");
    await page.keyboard.press("ArrowDown");
    const second = await box.getAttribute("aria-activedescendant");
    assert.notEqual(second, first);
    await page.keyboard.press("ArrowUp");
    assert.equal(await box.getAttribute("aria-activedescendant"), first);
    await page.keyboard.press("Escape");
    assert.equal(await box.getAttribute("aria-expanded"), "false");
    assert.ok(await page.locator(".search-popup").isHidden());
    assert.equal(await page.evaluate(() => document.activeElement.name), "q", "focus stays in the box");
    await page.keyboard.press("ArrowDown"); // reopens
    const href = await page.locator(`#${await box.getAttribute("aria-activedescendant")}`).getAttribute("href");
    await Promise.all([page.waitForURL(u => u.pathname + u.hash === href), page.keyboard.press("Enter")]);
    await page.goto(server.url + "/");
    await box.fill("sciatica");
    await Promise.all([page.waitForURL("**/search/?q=sciatica"), box.press("Enter")]);
    assert.equal((await resultLinks(page))[0], "/conditions/sciatica/");
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("after focus, a one-word query takes at most two sequential round trips", async () => {
  const { page, close } = await newPage();
  try {
    const requests = [];
    page.on("request", r => {
      if (r.url().includes("/search/")) requests.push({ url: new URL(r.url()).pathname, at: Date.now() });
    });
    const finished = new Map();
    page.on("requestfinished", r => finished.set(new URL(r.url()).pathname, Date.now()));
    await page.goto(server.url + "/exercises/plank/");
    await page.waitForFunction(() => performance.getEntriesByType("resource").some(e => e.name.endsWith("/search/manifest.json")), null, { timeout: 10000 });
    const focusAt = Date.now();
    await page.locator(BOX).focus();
    await page.locator(BOX).fill("sciatica");
    await page.locator("#site-search-listbox [role=option]").first().waitFor({ state: "visible" });
    const after = requests.filter(r => r.at >= focusAt).map(r => r.url);
    assert.ok(after.length > 0);
    assert.ok(!after.some(u => u.endsWith("manifest.json")), "the manifest was fetched before focus");
    const shards = after.filter(u => /\/search\/terms-[0-9a-f]+\.bin$/.test(u));
    const docs = after.filter(u => /\/search\/docs-[0-9a-f]+\/\d+\.json$/.test(u));
    assert.equal(shards.length + docs.length, after.length, `only shards and page fragments: ${after.join(" ")}`);
    // Wave 1: every shard request is issued before any shard has arrived;
    // wave 2: every fragment request is issued after the shards arrived.
    const firstShardDone = Math.min(...shards.map(u => finished.get(u)));
    const shardRequests = requests.filter(r => shards.includes(r.url));
    assert.ok(shardRequests.every(r => r.at <= firstShardDone), "shards are fetched in one wave");
    assert.ok(docs.length <= 8, `${docs.length} fragments`);
  } finally {
    await close();
  }
});

test("the search box and result list fit a 320 px screen", async () => {
  const { page, close } = await newPage(320);
  try {
    await page.goto(server.url + "/");
    await page.locator(BOX).fill("back pain");
    await page.locator("#site-search-listbox [role=option]").first().waitFor({ state: "visible" });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px`);
    const box = await page.locator(".search-popup").boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 320, JSON.stringify(box));
    await page.screenshot({ path: process.env.SEARCH_SCREENSHOT || "/tmp/carebook-search-320.png" });
  } finally {
    await close();
  }
});
