// The default theme's promises, checked in Debian Chromium on the bundled guide: no third-party
// requests, full keyboard use with visible focus, a clean printout, structured data and social
// meta tags that parse, care cards that state their urgency in words, the condition and exercise
// page shapes, one "Conditions" entry in the menu, and reduced motion.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { htmlFiles } from "../lib/site.js";
import { builtSite } from "../lib/setup.js";
import { PAGE_TYPES, openPage } from "../lib/pages.js";

const SITE_URL = "https://example.org/";  // base_url in site.toml
const CLINIC = "Example Physiotherapy Clinic";
const env = builtSite({ serve: true, browser: true });

// --- no third-party requests ------------------------------------------------------------

test("every request of every page type goes to the local server", async () => {
  const { page, close } = await openPage(env.browser);
  const foreign = [];
  page.on("request", r => {
    const url = r.url();
    if (!url.startsWith(env.url + "/") && !/^(data|blob|about):/.test(url)) foreign.push(`${page.url()} → ${url}`);
  });
  try {
    for (const pathname of Object.values(PAGE_TYPES)) {
      await page.goto(env.url + pathname, { waitUntil: "networkidle" });
      // Use the header search too, so its index loads like a reader's would.
      const box = page.locator("#site-search-q");
      if (await box.count()) {
        await box.fill("sciatica");
        await page.waitForLoadState("networkidle");
      }
    }
    await page.emulateMedia({ media: "print" });
    await page.goto(env.url + PAGE_TYPES.condition, { waitUntil: "networkidle" });
  } finally {
    await close();
  }
  assert.deepEqual(foreign, [], "requests that left the site");
});

test("no built file loads anything from another site", () => {
  const found = [];
  // Resource-loading attributes in HTML; @import and url() in CSS; fetch/import in JS.
  const htmlLoads = /<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|href|srcset|data|poster)=["']?\s*(?:https?:)?\/\//gi;
  const cssLoads = /(?:@import|url\()\s*["']?\s*(?:https?:)?\/\//gi;
  const scriptLoads = /(?:fetch|import)\s*\(\s*["'`](?:https?:)?\/\//gi;
  for (const rel of walk(env.site)) {
    const text = fs.readFileSync(path.join(env.site, rel), "utf8");
    const ext = path.extname(rel);
    // The canonical link and feed/sitemap addresses name the site itself; they load nothing.
    const patterns = ext === ".html" ? [htmlLoads, cssLoads] : ext === ".css" ? [cssLoads] : ext === ".js" ? [scriptLoads] : [];
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        if (/rel=["']?(canonical|alternate)/i.test(m[0])) continue;
        found.push(`${rel}: ${m[0].slice(0, 120)}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

function walk(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return walk(full, base);
    return /\.(html|css|js)$/.test(e.name) ? [path.relative(base, full)] : [];
  });
}

// --- keyboard -----------------------------------------------------------------------------

// Marks every element a reader can Tab to, in document order, and describes it.
async function tabbables(page) {
  return page.evaluate(() => {
    const candidates = document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex], [contenteditable=true]");
    const out = [];
    for (const el of candidates) {
      if (el.disabled || el.tabIndex < 0 || el.closest("[hidden], [inert]")) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none") continue;
      // Skip elements inside display:none ancestors (no boxes) but keep the off-screen skip link.
      if (!el.getClientRects().length) continue;
      el.dataset.kb = String(out.length);
      out.push(`${el.tagName.toLowerCase()} ${(el.getAttribute("aria-label") || el.textContent || el.name || "").trim().slice(0, 40)}`);
    }
    return out;
  });
}

// The focused element's index and whether its focus indicator is visible.
async function focusState(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || !el.dataset.kb) return { index: null, tag: el?.tagName };
    const s = getComputedStyle(el);
    const transparent = c => /rgba\(\d+, \d+, \d+, 0\)|transparent/.test(c);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && !transparent(s.outlineColor);
    const shadow = s.boxShadow && s.boxShadow !== "none";
    const r = el.getBoundingClientRect();
    const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.left < innerWidth && r.top < innerHeight;
    return { index: Number(el.dataset.kb), visible: Boolean(outline || shadow), onScreen, focusVisible: el.matches(":focus-visible"),
      what: `${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") || el.textContent || el.name || "").trim().slice(0, 40)}"` };
  });
}

for (const width of [375, 1280]) {
  test(`keyboard at ${width}px: Tab reaches every interactive element of a condition page in order, focus always visible, no trap`, async () => {
    // Reduced motion: focus scrolls the page at once, so each focused element is on screen when checked.
    const { page, problems, close } = await openPage(env.browser, { width, reducedMotion: "reduce" });
    try {
      await page.goto(env.url + PAGE_TYPES.condition);
      const expected = await tabbables(page);
      assert.ok(expected.length > 30, `only ${expected.length} focusable elements found`);
      const seen = [];
      const invisible = [];
      for (let i = 0; i < expected.length + 3; i++) {
        await page.keyboard.press("Tab");
        const state = await focusState(page);
        if (state.index === null) break;  // focus left the page: no trap
        if (!state.visible || !state.onScreen || !state.focusVisible) invisible.push(`${state.index}: ${state.what} ${JSON.stringify(state)}`);
        if (seen.length && state.index === seen[0]) break;  // wrapped round
        seen.push(state.index);
      }
      assert.deepEqual(invisible, [], "focused elements without a visible focus indicator");
      const inOrder = seen.every((v, i) => i === 0 || v > seen[i - 1]);
      assert.ok(inOrder, `focus order jumps back: ${seen.join(",")}`);
      const missed = expected.filter((_, i) => !seen.includes(i));
      assert.deepEqual(missed, [], `Tab never reached these (reached ${seen.length} of ${expected.length})`);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
}

test("the skip link is the first Tab stop, shows on focus, and moves focus into the main content", async () => {
  const { page, close } = await openPage(env.browser, { width: 375 });
  try {
    await page.goto(env.url + PAGE_TYPES.condition);
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { text: el.textContent.trim(), href: el.getAttribute("href"), inView: r.left >= 0 && r.top >= 0 && r.width > 40 && r.right <= innerWidth };
    });
    assert.equal(skip.text, "Skip to main content");
    assert.equal(skip.href, "#main");
    assert.ok(skip.inView, "the focused skip link is on screen");
    await page.keyboard.press("Enter");
    assert.equal(new URL(page.url()).hash, "#main");
    await page.keyboard.press("Tab");
    const inMain = await page.evaluate(() => document.querySelector("main").contains(document.activeElement));
    assert.ok(inMain, "the Tab after the skip link lands inside <main>");
  } finally {
    await close();
  }
});

// --- print ---------------------------------------------------------------------------------

test("print: a clean handout with publisher, page address, review dates and link addresses", async () => {
  const { page, close } = await openPage(env.browser);
  try {
    await page.goto(env.url + PAGE_TYPES.condition);
    await page.emulateMedia({ media: "print" });
    for (const selector of [".site-nav", "#site-search", ".skip-link", ".breadcrumbs", ".toc", ".heading-anchor", ".footer-links"]) {
      const shown = await page.locator(selector).evaluateAll(els => els.filter(e => getComputedStyle(e).display !== "none" && e.getClientRects().length).length);
      assert.equal(shown, 0, `${selector} is hidden in print`);
    }
    const text = await page.evaluate(() => document.body.innerText);
    const permalink = `${SITE_URL}conditions/sciatica/`;
    assert.ok(text.includes(permalink), "the printout shows the page's address");
    assert.ok(text.includes(CLINIC), "the printout names the publisher");
    assert.match(text, /Page last reviewed: 1 November 2026/);
    assert.match(text, /Next review due: 1 November 2027/);
    assert.match(text, /Reviewed by Jordan Lee/);
    const suffixes = await page.evaluate(() => [...document.querySelectorAll("main .content a[href]")]
      .map(a => [a.getAttribute("href"), getComputedStyle(a, "::after").content]));
    const internal = suffixes.find(([href]) => href.startsWith("/"));
    assert.ok(internal, "the condition page has internal links");
    assert.ok(internal[1].includes(`https://example.org${internal[0]}`), `an internal link prints its full address: ${internal[1]}`);
    const external = await page.evaluate(() => {
      const a = document.querySelector("main a[href^='http']");
      return a && [a.getAttribute("href"), getComputedStyle(a, "::after").content];
    });
    assert.ok(external && external[1].includes(external[0]), `an external link prints its address: ${external}`);
    const emergency = await page.locator(".callout-caution").first().isVisible();
    assert.ok(emergency, "the emergency card prints");
  } finally {
    await close();
  }
});

// --- structured data and social meta tags -------------------------------------------------

function jsonLd(html) {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map(m => m[1]);
}

test("every page's JSON-LD parses, and the text inside the script cannot end it", () => {
  const files = htmlFiles(env.site).filter(f => f !== "404.html");
  let graphs = 0;
  for (const rel of files) {
    const html = fs.readFileSync(path.join(env.site, rel), "utf8");
    for (const raw of jsonLd(html)) {
      assert.ok(!/[<>]/.test(raw), `${rel}: raw < or > inside the JSON-LD`);
      const data = JSON.parse(raw);
      assert.equal(data["@context"], "https://schema.org", rel);
      assert.ok(Array.isArray(data["@graph"]) && data["@graph"].length >= 2, rel);
      graphs++;
    }
  }
  assert.ok(graphs >= files.length - 1, `only ${graphs} JSON-LD blocks in ${files.length} pages`);
});

async function pageGraph(pathname) {
  const { page, close } = await openPage(env.browser);
  try {
    await page.goto(env.url + pathname);
    return await page.evaluate(() => {
      const scripts = [...document.querySelectorAll('script[type="application/ld+json"]')];
      const meta = Object.fromEntries([...document.querySelectorAll("meta[property], meta[name]")]
        .map(m => [m.getAttribute("property") || m.getAttribute("name"), m.content]));
      return { graphs: scripts.map(s => JSON.parse(s.textContent)), meta, title: document.querySelector("h1").textContent.trim(),
        canonical: document.querySelector("link[rel=canonical]").href };
    });
  } finally {
    await close();
  }
}

const node = (graph, type) => graph["@graph"].find(n => n["@type"] === type);

test("a condition page is a MedicalWebPage about a MedicalCondition, with review data, audience, breadcrumb and publisher", async () => {
  const { graphs, meta, title, canonical } = await pageGraph(PAGE_TYPES.condition);
  assert.equal(graphs.length, 1);
  const web = node(graphs[0], "MedicalWebPage");
  assert.ok(web, "a MedicalWebPage node");
  assert.equal(web.url, canonical);
  assert.equal(web.name, title);
  assert.equal(web.lastReviewed, "2026-11-01");
  assert.deepEqual(web.reviewedBy, { "@type": "Person", name: "Jordan Lee, DPT, physiotherapist (fictional example reviewer)" });
  assert.deepEqual(web.medicalAudience, { "@type": "Patient" });
  assert.equal(web.about["@type"], "MedicalCondition");
  assert.equal(web.about.name, title);
  assert.ok(web.about.alternateName.includes("lumbar radiculopathy"));
  assert.equal(web.breadcrumb["@type"], "BreadcrumbList");
  assert.deepEqual(web.breadcrumb.itemListElement.map(i => [i.position, i.item]),
    [[1, SITE_URL], [2, `${SITE_URL}conditions/`], [3, canonical]]);
  const org = node(graphs[0], "Organization");
  assert.equal(org.name, CLINIC);
  assert.equal(org.telephone, "+1 555 0100");
  assert.deepEqual(web.publisher, { "@id": org["@id"] });
  assert.ok(web.citation.length >= 1, "sources become citations");
  // Open Graph and Twitter
  assert.equal(meta["og:type"], "article");
  assert.equal(meta["og:title"], title);
  assert.equal(meta["og:url"], canonical);
  assert.equal(meta["og:site_name"], "Lower Back Pain in Runners");
  assert.match(meta["og:description"], /^Sciatica is pain/);
  assert.equal(meta["twitter:card"], "summary");
  assert.equal(meta["twitter:title"], title);
});

test("an exercise page's main entity is an ExercisePlan with its dose", async () => {
  const { graphs } = await pageGraph(PAGE_TYPES.exercise);
  const web = node(graphs[0], "MedicalWebPage");
  const plan = web.mainEntity;
  assert.equal(plan["@type"], "ExercisePlan");
  assert.equal(plan.name, "Plank");
  assert.equal(plan.activityFrequency, "3 times a week");
  assert.deepEqual(plan.activityDuration, { "@type": "QuantitativeValue", value: 30, unitCode: "SEC" });
  assert.equal(plan.additionalVariable, "3 sets");
  assert.ok(Array.isArray(web.about) && web.about.every(c => c["@type"] === "MedicalCondition"));
});

test("the home page names the site and the clinic; listings are CollectionPages", async () => {
  const home = await pageGraph(PAGE_TYPES.home);
  assert.equal(node(home.graphs[0], "WebSite").name, "Lower Back Pain in Runners");
  assert.equal(node(home.graphs[0], "Organization").name, CLINIC);
  assert.equal(home.meta["og:type"], "website");
  const listing = await pageGraph(PAGE_TYPES.section);
  assert.ok(node(listing.graphs[0], "CollectionPage"));
});

// --- page shapes ------------------------------------------------------------------------

test("care cards say how urgent they are in words, not by colour alone", async () => {
  const { page, close } = await openPage(env.browser);
  try {
    await page.goto(env.url + "/when-to-see-a-doctor/");
    const cards = await page.evaluate(() => [...document.querySelectorAll(".callout")].map(c => ({
      kind: [...c.classList].find(k => k.startsWith("callout-")),
      role: c.getAttribute("role"),
      spoken: c.querySelector(".callout-title").textContent,
      shown: (() => { const t = c.querySelector(".callout-title").cloneNode(true); t.querySelectorAll(".visually-hidden").forEach(h => h.remove()); return t.textContent; })(),
      hiddenStyle: [...c.querySelectorAll(".visually-hidden")].map(h => getComputedStyle(h).clip),
    })));
    const caution = cards.filter(c => c.kind === "callout-caution");
    const warning = cards.filter(c => c.kind === "callout-warning");
    assert.ok(caution.length >= 1 && warning.length >= 1);
    for (const c of [...caution, ...warning]) assert.ok(c.hiddenStyle.every(clip => clip !== "auto"), "the hidden words are clipped, not shown");
    for (const c of caution) {
      assert.equal(c.spoken, "Emergency: Immediate action required");
      assert.equal(c.shown, "Immediate action required");
      assert.equal(c.role, "note");
    }
    for (const c of warning) assert.equal(c.shown, "Urgent advice");
    await page.goto(env.url + PAGE_TYPES.exercise);
    const stop = await page.evaluate(() => {
      const c = document.querySelector(".callout-important");
      return { spoken: c.querySelector(".callout-title").textContent, text: c.innerText };
    });
    assert.equal(stop.spoken, "Non-urgent advice: Important");
    assert.match(stop.text, /Stop if/);
  } finally {
    await close();
  }
});

test("a condition page: name, also called, contents, body, generated link lists, related conditions, when to get help, review", async () => {
  const { page, close } = await openPage(env.browser);
  try {
    await page.goto(env.url + PAGE_TYPES.condition);
    const shape = await page.evaluate(() => {
      const text = s => document.querySelector(s)?.innerText.trim();
      return {
        h1: text("h1"),
        also: text(".also-called"),
        contents: [...document.querySelectorAll(".toc a")].length,
        h2s: [...document.querySelectorAll("main h2")].map(h => h.firstChild.textContent.trim()),
        more: [...document.querySelectorAll("#cb-more-about ~ section h3")].map(h => h.textContent.trim()),
        help: document.querySelector(".help-card a")?.getAttribute("href"),
        review: text(".page-review"),
        byline: text(".review-byline"),
      };
    });
    assert.equal(shape.h1, "Pain down the leg (sciatica)");
    assert.match(shape.also, /^Also called: pain down my leg/);
    assert.ok(shape.contents >= 5);
    // The body's own headings, then the generated ones.
    const order = ["What it is", "When to see a doctor", "More about this condition", "Related conditions", "When to get help", "Sources"];
    const at = order.map(h => shape.h2s.indexOf(h));
    assert.ok(at.every(i => i >= 0), `missing headings: ${order.filter((_, i) => at[i] < 0)} in ${shape.h2s}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at, `headings out of order: ${shape.h2s}`);
    assert.deepEqual(shape.more, ["What can cause it", "What helps", "Exercises", "Prevention", "More information"]);
    assert.equal(shape.help, "/when-to-see-a-doctor/");
    assert.match(shape.review, /Page last reviewed: 1 November 2026 · Next review due: 1 November 2027/);
    assert.match(shape.review, /Reviewed by Jordan Lee/);
    assert.match(shape.byline, /Last reviewed 1 November 2026/);
    // The generated lists carry each page's summary.
    const firstCause = await page.locator("#cb-from-causes + ul li").first().innerText();
    assert.ok(firstCause.split("\n").length >= 2, `a cause with its summary: ${firstCause}`);
  } finally {
    await close();
  }
});

test("an exercise page: dose card, numbered steps, a Stop if card", async () => {
  const { page, close } = await openPage(env.browser, { width: 375 });
  try {
    await page.goto(env.url + PAGE_TYPES.exercise);
    const dose = await page.locator(".dose").innerText();
    assert.match(dose, /Sets\s+3/i);
    assert.match(dose, /Hold\s+30\s+seconds/i);
    assert.match(dose, /How often\s+3\s+times a week/i);
    const steps = await page.evaluate(() => {
      const heading = document.getElementById("how-to-do-it");
      const list = heading.nextElementSibling;
      const first = list.querySelector("li");
      return { tag: list.tagName, count: list.children.length, marker: getComputedStyle(first, "::before").content };
    });
    assert.equal(steps.tag, "OL");
    assert.equal(steps.count, 8);
    assert.match(steps.marker, /counter/, "steps show their numbers");
    assert.ok(await page.locator(".callout-important", { hasText: "Stop if" }).isVisible());
  } finally {
    await close();
  }
});

test("the menu has one entry for the conditions A–Z, and marks where the reader is", async () => {
  const { page, close } = await openPage(env.browser);
  try {
    await page.goto(env.url + "/conditions/");
    const links = await page.locator(".site-nav a").evaluateAll(as => as.map(a => [a.textContent, a.getAttribute("href"), a.getAttribute("aria-current")]));
    assert.equal(links.filter(([, href]) => href === "/conditions/").length, 1, JSON.stringify(links));
    assert.deepEqual(links.find(([, href]) => href === "/conditions/"), ["Conditions A–Z", "/conditions/", "page"]);
  } finally {
    await close();
  }
});

test("the home page leads to every main path", async () => {
  const { page, close } = await openPage(env.browser);
  try {
    await page.goto(env.url + "/");
    const paths = await page.locator(".paths a").evaluateAll(as => as.map(a => a.getAttribute("href")));
    for (const want of ["/conditions/", "/causes/", "/treatments/", "/prevention/", "/exercises/", "/when-to-see-a-doctor/"]) {
      assert.ok(paths.includes(want), `the home page links ${want}: ${paths}`);
    }
  } finally {
    await close();
  }
});

test("conditions A–Z lists every condition under its letter with its other names", async () => {
  const { page, close } = await openPage(env.browser);
  try {
    await page.goto(env.url + "/conditions/");
    const count = await page.locator(".conditions-az > li").count();
    assert.equal(count, fs.readdirSync(path.join(env.site, "conditions"), { withFileTypes: true }).filter(e => e.isDirectory()).length);
    assert.ok(await page.locator(".az-nav a").count() >= 5);
    assert.match(await page.locator(".conditions-az").first().innerText(), /Also called:/);
  } finally {
    await close();
  }
});

test("reduced motion turns smooth scrolling off", async () => {
  const behaviours = {};
  for (const reducedMotion of ["no-preference", "reduce"]) {
    const { page, close } = await openPage(env.browser, { reducedMotion });
    try {
      await page.goto(env.url + PAGE_TYPES.condition);
      behaviours[reducedMotion] = await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior);
    } finally {
      await close();
    }
  }
  assert.deepEqual(behaviours, { "no-preference": "smooth", reduce: "auto" });
});
