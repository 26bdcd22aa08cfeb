// One URL for each page type of the bundled guide, and a page helper shared by the theme tests.
import fs from "node:fs";
import path from "node:path";
export const PAGE_TYPES = {
  home: "/",
  section: "/causes/",
  condition: "/conditions/sciatica/",
  article: "/treatments/home-care/",
  exercise: "/exercises/plank/",
  tag: "/tags/nerve-pain/",
  topics: "/tags/",
  "conditions A–Z": "/conditions/",
  search: "/search/",
  "404": "/404.html",
};

// A fresh context (own viewport, colour scheme, cache) and page that records page errors,
// console errors and failed requests in `problems`.
export async function openPage(browser, { width = 1280, height = 800, colorScheme = "light", reducedMotion } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, reducedMotion });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", e => problems.push(`page error: ${e.message}`));
  page.on("console", m => {
    if (m.type() === "error" && !m.location().url?.endsWith("/favicon.ico")) {
      problems.push(`console error: ${m.text()}${m.location().url ? ` (${m.location().url})` : ""}`);
    }
  });
  page.on("response", r => {
    // The 404 page itself is served with status 404.
    if (r.status() >= 400 && !new URL(r.url()).pathname.endsWith("/404.html")) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return { page, context, problems, close: () => context.close() };
}

// The built file serving `pathname` in the site folder `dir`, or null when there is none.
export function builtPage(dir, pathname) {
  const file = path.join(dir, pathname.endsWith("/") ? pathname + "index.html" : pathname);
  return fs.existsSync(file) ? file : null;
}
