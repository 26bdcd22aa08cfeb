// The set-up most test files share: build the bundled guide once, optionally serve the output
// over a local static server and launch Chromium, and undo all of it when the file's tests end.
// Call it at the top level of a test file; the returned object is filled in before the first test:
//   const env = builtSite({ serve: true, browser: true });
//   test("...", async () => { await openPage(env.browser) ... env.url + "/" ... env.site ... });
import { before, after } from "node:test";
import { buildSite, removeSite } from "./site.js";
import { serveStatic } from "./serve.js";
import { launch } from "./browser.js";

export function builtSite({ serve = false, browser = false } = {}) {
  const env = { site: undefined, server: undefined, url: undefined, browser: undefined };
  before(async () => {
    env.site = buildSite();
    if (serve) {
      env.server = await serveStatic(env.site);
      env.url = env.server.url;
    }
    if (browser) env.browser = await launch();
  });
  after(async () => {
    // In this order, and tolerant of a half-done set-up: a failed launch still stops the server.
    await env.browser?.close();
    await env.server?.close();
    removeSite();
  });
  return env;
}
