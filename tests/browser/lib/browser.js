// Launches Debian's Chromium through playwright-core (which never downloads a browser).
import { chromium } from "playwright-core";
import fs from "node:fs";

// Override with CHROME_PATH.
export const CHROME = process.env.CHROME_PATH ||
  ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(p => fs.existsSync(p));

// Flags needed as root on a machine with no outside network.
export const CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-dev-shm-usage"];

export function launch() {
  if (!CHROME || !fs.existsSync(CHROME)) {
    throw new Error("Chromium not found: install it with `apt-get install --no-install-recommends chromium` " +
      "(Debian), or set CHROME_PATH to a Chromium/Chrome binary");
  }
  // playwright-core makes its own fresh --user-data-dir for each launch.
  return chromium.launch({ executablePath: CHROME, headless: true, args: CHROME_ARGS });
}
