// Added by `carebook serve` for live reload; built pages never contain it.
(() => {
  let served = __SERVED__;
  let overlay = null;
  let warningsPanel = null;
  // A dismissed report stays dismissed, across reloads, until its text changes.
  const DISMISSED = "carebook-dismissed-warnings";
  const clearWarnings = () => { if (warningsPanel) { warningsPanel.remove(); warningsPanel = null; } };
  const clearOverlay = () => { if (overlay) { overlay.remove(); overlay = null; } };
  const showOverlay = (text) => {
    clearOverlay();
    clearWarnings(); // an error takes precedence over warnings
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;top:1rem;left:1rem;right:1rem;max-height:calc(100vh - 2rem);overflow:auto;z-index:2147483647;box-sizing:border-box;padding:1rem 1.25rem;background:#1f1f1f;color:#f5f5f5;border:3px solid #e5484d;border-radius:6px;box-shadow:0 8px 32px rgba(0,0,0,.45);font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;text-align:left";
    const heading = document.createElement("strong");
    heading.textContent = "The site failed to build. This is the last good version.";
    const report = document.createElement("pre");
    report.style.cssText = "margin:.75rem 0 0;padding:0;border:0;white-space:pre-wrap;font:inherit;color:inherit;background:none";
    report.textContent = text; // textContent: the report is shown as text, never parsed as HTML
    overlay.append(heading, report);
    document.body.append(overlay);
  };
  const dismissed = (text) => { try { return sessionStorage.getItem(DISMISSED) === text; } catch { return false; } };
  const showWarnings = (text) => {
    clearWarnings();
    if (overlay || dismissed(text)) return;
    // A corner panel, not a cover: the page stays readable and usable beside it.
    warningsPanel = document.createElement("div");
    warningsPanel.setAttribute("role", "status");
    warningsPanel.style.cssText = "position:fixed;right:1rem;bottom:1rem;width:min(48rem,calc(100vw - 2rem));max-height:40vh;overflow:auto;z-index:2147483646;box-sizing:border-box;padding:.75rem 1rem;background:#fff8e1;color:#1f1f1f;border:2px solid #b45309;border-left-width:8px;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.25);font:13px/1.45 ui-monospace,Menlo,Consolas,monospace;text-align:left";
    const top = document.createElement("div");
    top.style.cssText = "display:flex;gap:1rem;align-items:flex-start;justify-content:space-between";
    const heading = document.createElement("strong");
    // Reports are separated by a blank line, as on the terminal; a long list ends "… and N more".
    const blocks = text.split("\n\n");
    const more = /^… and (\d+) more/.exec(blocks[blocks.length - 1]);
    const count = more ? blocks.length - 1 + Number(more[1]) : blocks.length;
    heading.textContent = `The site built with ${count} ${count === 1 ? "warning" : "warnings"}:`;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = "Dismiss";
    dismiss.style.cssText = "flex:none;font:inherit;padding:.2rem .6rem;color:#1f1f1f;background:#fff;border:1px solid #b45309;border-radius:4px;cursor:pointer";
    dismiss.addEventListener("click", () => {
      try { sessionStorage.setItem(DISMISSED, text); } catch {}
      clearWarnings();
    });
    const report = document.createElement("pre");
    report.style.cssText = "margin:.5rem 0 0;padding:0;border:0;white-space:pre-wrap;font:inherit;color:inherit;background:none";
    report.textContent = text; // textContent: the report is shown as text, never parsed as HTML
    top.append(heading, dismiss);
    warningsPanel.append(top, report);
    document.body.append(warningsPanel);
  };
  const swapStylesheets = (generation) => {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("v", generation);
      link.href = url.href;
    }
  };
  // The output file this address would be served from now, were it built.
  const ownKey = () => {
    let path = location.pathname.slice(1);
    try { path = decodeURIComponent(path); } catch {}
    return path === "" || path.endsWith("/") ? path + "index.html" : path;
  };
  // Whether a build that changed `changed` (output paths; null: everything) concerns this tab.
  const concernsThisPage = (changed) =>
    changed === null || changed.includes(served.key) || changed.includes(ownKey());
  const catchUp = (stamp) => {
    if (stamp.instance === served.instance && stamp.generation === served.generation) return;
    const next = stamp.instance === served.instance && stamp.generation === served.generation + 1;
    if (next && stamp.css_only) {
      clearOverlay();
      clearWarnings(); // the build's own warnings, if any, follow this event
      swapStylesheets(stamp.generation);
      served = { ...served, generation: stamp.generation };
      return;
    }
    if (next && !concernsThisPage(stamp.changed)) {
      clearOverlay(); // the site builds again; this page is still what it shows
      served = { ...served, generation: stamp.generation };
      return;
    }
    location.reload();
  };
  const events = new EventSource("__EVENTS_PATH__");
  events.addEventListener("hello", (e) => catchUp(JSON.parse(e.data)));
  events.addEventListener("reload", (e) => catchUp(JSON.parse(e.data)));
  // After the page has loaded: a long report must not hold up the page the editor is waiting for.
  const afterLoad = (show) => document.readyState === "complete" ? show() : addEventListener("load", show, { once: true });
  events.addEventListener("warnings", (e) => afterLoad(() => showWarnings(e.data)));
  // Only the server's error events carry data; the browser's own connection errors have none.
  events.addEventListener("error", (e) => { if (typeof e.data === "string") showOverlay(e.data); });
})();
