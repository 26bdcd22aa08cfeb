// `carebook serve` in a real browser: the actual binary on a temporary copy of the bundled guide,
// driven through Debian Chromium. A Markdown edit reloads the open page with the new text; a
// CSS edit swaps the stylesheet in place (no navigation); a broken edit shows the error overlay
// naming file:line:col, and fixing it clears the overlay. Every wait is on a real signal (a
// load event, a terminal line, a DOM state) with a timeout, never a fixed sleep.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch } from "../lib/browser.js";
import { openPage } from "../lib/pages.js";
import { copyGuide, startServe, eventStreamOpened } from "../lib/carebook-serve.js";

const PAGE = "/conditions/sciatica/";
const SOURCE = "content/conditions/sciatica.md";
const CSS = "themes/default/static/carebook.css";
// A full rebuild of the guide takes well under a second; this leaves room for a loaded machine.
const CHANGE_MS = 20_000;

let site, server, browser;

before(async () => {
  site = copyGuide();
  server = await startServe(site);
  browser = await launch();
});
after(async () => {
  // Each step on its own, so a failure in one still stops the server and removes the copy.
  await browser?.close().catch(() => {});
  await server?.stop();
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

const file = rel => path.join(site, rel);
const read = rel => fs.readFileSync(file(rel), "utf8");

// Writes `text` to `rel` and resolves with the server's build line for it.
function edit(rel, text) {
  const built = server.waitForLine(l => l.startsWith(`Changed ${rel}`), { timeout: CHANGE_MS });
  fs.writeFileSync(file(rel), text);
  return built;
}

// Puts `rel` back as it was and waits for that rebuild, so it cannot reload a page of the next
// test. Errors are left to the next test: here they would hide the failure being reported.
async function restore(rel, original) {
  if (read(rel) !== original) await edit(rel, original).catch(() => {});
}

// Opens `pathname` and resolves once the page listens for rebuilds, with a marker set in its
// window: the marker survives anything but a new navigation.
async function openLive(pathname) {
  const opened = await openPage(browser);
  const streaming = eventStreamOpened(opened.page);
  const res = await opened.page.goto(server.url + pathname);
  assert.equal(res.status(), 200, `GET ${pathname}`);
  await streaming;
  await opened.page.evaluate(() => { window.__marker = "before the edit"; });
  let navigations = 0;
  opened.page.on("framenavigated", f => { if (f === opened.page.mainFrame()) navigations++; });
  return { ...opened, navigations: () => navigations };
}

const marker = page => page.evaluate(() => window.__marker ?? null);

test("a Markdown edit reloads the open page, which then shows the new text", async () => {
  const original = read(SOURCE);
  const { page, problems, navigations, close } = await openLive(PAGE);
  try {
    const main = page.locator("main");
    const word = `Zebrafinch${Date.now().toString(36)}`;
    assert.doesNotMatch(await main.innerText(), new RegExp(word));
    const loaded = page.waitForEvent("load", { timeout: CHANGE_MS });
    const edited = original.replace("## What it is\n", `## What it is\n\nA new sentence about ${word}.\n`);
    assert.notEqual(edited, original, `${SOURCE} has no "## What it is" heading to edit under`);
    const built = await edit(SOURCE, edited);
    assert.match(built.text, /: rendered \d+ of \d+ pages and listings in /, `the rebuild failed:\n${server.log()}`);
    await loaded;
    assert.equal(await marker(page), null, "the page was not reloaded: the marker set before the edit survived");
    assert.ok(navigations() >= 1, "no navigation after the edit");
    assert.match(await main.innerText(), new RegExp(`A new sentence about ${word}\\.`));
    assert.deepEqual(problems, [], "no page errors, console errors or failed requests");
  } finally {
    await close();
    await restore(SOURCE, original);
  }
});

test("a CSS edit swaps the stylesheet without reloading the page", async () => {
  const original = read(CSS);
  const { page, problems, navigations, close } = await openLive(PAGE);
  try {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(await background(), "rgb(1, 2, 3)");
    const edited = original.replace("--bg: #f0f4f5;", "--bg: #010203;");
    assert.notEqual(edited, original, `${CSS} no longer sets --bg: #f0f4f5 (light mode); update this test`);
    const built = await edit(CSS, edited);
    assert.match(built.text, /: rendered \d+ of \d+ pages and listings in /, `the rebuild failed:\n${server.log()}`);
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === "rgb(1, 2, 3)", null,
      { timeout: CHANGE_MS });
    assert.equal(await marker(page), "before the edit", "the page was reloaded, not restyled in place");
    assert.equal(navigations(), 0, "the page navigated");
    const href = await page.locator('link[rel="stylesheet"][href*="carebook.css"]').getAttribute("href");
    assert.match(href, /[?&]v=\d+/, "the stylesheet link was not re-pointed at a fresh copy");
    assert.deepEqual(problems, [], "no page errors, console errors or failed requests");
  } finally {
    await close();
    await restore(CSS, original);
  }
});

test("a broken edit shows the error overlay with file:line:col over the last good page; the fix clears it", async () => {
  const original = read(SOURCE);
  const { page, navigations, close } = await openLive(PAGE);
  try {
    const overlay = page.locator('[role="alert"]');
    assert.equal(await overlay.count(), 0, "an overlay before any error");
    const broken = original.replace(/^title: .*$/m, "title: [unclosed");
    assert.notEqual(broken, original);
    const failed = await edit(SOURCE, broken);
    assert.match(failed.text, /the build failed/, `the broken edit built:\n${server.log()}`);
    await overlay.waitFor({ state: "visible", timeout: CHANGE_MS });
    const text = await overlay.innerText();
    // The YAML error is on the title line, line 2 of the file (after the opening ---).
    assert.match(text, /content\/conditions\/sciatica\.md:2:\d+/, `the overlay does not name file:line:col:\n${text}`);
    assert.match(text, /title: \[unclosed/, "the overlay quotes the broken line");
    assert.equal(await marker(page), "before the edit", "the page reloaded on an error instead of keeping the last good page");
    assert.equal(navigations(), 0);
    assert.match(await page.locator("h1").innerText(), /sciatica/i, "the last good page is still shown under the overlay");

    // The server keeps serving the last good site to new requests.
    const again = await page.context().request.get(server.url + PAGE);
    assert.equal(again.status(), 200);

    // The fix gives back the last good page: the overlay goes, with no need to reload.
    const fixed = await edit(SOURCE, original);
    assert.match(fixed.text, /: rendered \d+ of \d+ pages and listings in /, `the fixed edit did not build:\n${server.log()}`);
    await overlay.waitFor({ state: "detached", timeout: CHANGE_MS });
    assert.match(await page.locator("h1").innerText(), /sciatica/i);
  } finally {
    await close();
    await restore(SOURCE, original);
  }
});

test("only the tabs whose page changed reload", async () => {
  const original = read(SOURCE);
  const edited = await openLive(PAGE);
  const other = await openLive("/conditions/");
  try {
    const loaded = edited.page.waitForEvent("load", { timeout: CHANGE_MS });
    const word = `Quokka${Date.now().toString(36)}`;
    const built = await edit(SOURCE, original.replace("## What it is\n", `## What it is\n\n${word}.\n`));
    assert.match(built.text, /: rendered 1 of \d+ pages and listings in /, `a body edit renders one page:\n${server.log()}`);
    await loaded;
    assert.match(await edited.page.locator("main").innerText(), new RegExp(word));
    // The listing's tab got the same event; give it the time the edited tab took, and more.
    await new Promise(resolve => setTimeout(resolve, 500));
    assert.equal(await marker(other.page), "before the edit", "a tab whose page did not change reloaded");
    assert.equal(other.navigations(), 0);
  } finally {
    await edited.close();
    await other.close();
    await restore(SOURCE, original);
  }
});

test("a deleted page's open tab shows the 404 page", async () => {
  const rel = "content/articles/a-page-to-delete.md";
  fs.mkdirSync(path.dirname(file(rel)), { recursive: true });
  // The new folder may be reported first ("Changed content/articles and 1 more").
  const created = server.waitForLine(l => l.startsWith("Changed content/articles"), { timeout: CHANGE_MS });
  fs.writeFileSync(file(rel), "---\ntitle: A page to delete\nkind: page\n---\n\nShort-lived.\n");
  await created;
  const { page, close } = await openLive("/articles/a-page-to-delete/");
  try {
    const loaded = page.waitForEvent("load", { timeout: CHANGE_MS });
    const deleted = server.waitForLine(l => l.startsWith(`Changed ${rel}`), { timeout: CHANGE_MS });
    fs.rmSync(file(rel));
    await deleted;
    await loaded;
    assert.match(await page.locator("h1").innerText(), /not found/i);
  } finally {
    await close();
    fs.rmSync(file(rel), { force: true });
  }
});
