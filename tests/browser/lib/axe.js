// Runs axe-core inside a Playwright page (injects axe.source; no @axe-core/playwright,
// whose 4.14 release declares node >= 22.12).
import axe from "axe-core";

export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export async function runAxe(page, tags = WCAG_TAGS) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.addScriptTag({ content: axe.source });
  }
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    tags,
  );
}

// One readable block per violation: rule id, impact, help text and every failing node.
export function formatViolations(violations) {
  return violations.map(v => {
    const nodes = v.nodes.map(n => {
      const why = (n.failureSummary || "").split("\n").map(s => s.trim()).filter(Boolean).slice(1, 3).join(" / ");
      return `      - ${n.target.join(" ")}${why ? `  (${why})` : ""}`;
    });
    return `    ${v.id} [${v.impact}] ${v.help} (${v.nodes.length} node(s))\n${nodes.join("\n")}`;
  }).join("\n");
}
