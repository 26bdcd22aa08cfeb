//! How `carebook check` shows a [`Report`]: the text summary table, the
//! "due for review" list, and the JSON document for CI dashboards.
//!
//! # The JSON schema (version 1)
//!
//! ```json
//! {
//!   "version": 1,
//!   "today": "2026-11-23",
//!   "findings": [
//!     {"rule": "review_overdue", "severity": "error", "file": "content/conditions/sciatica.md",
//!      "line": 9, "column": 13, "message": "review overdue: …", "hint": "have a clinician …"}
//!   ],
//!   "summary": {
//!     "errors": 1, "warnings": 0,
//!     "rules": [{"rule": "build", "level": "error", "errors": 0, "warnings": 0}, …]
//!   },
//!   "due": [
//!     {"file": "content/conditions/sciatica.md", "title": "Sciatica", "review_due": "2026-11-01",
//!      "days_left": -22, "reviewed_by": "Jordan Lee, DPT"}
//!   ],
//!   "pages": [
//!     {"file": "content/conditions/sciatica.md", "title": "Sciatica", "sentences": 41, "words": 512,
//!      "syllables": 702, "polysyllables": 38, "long_sentences": 0, "flesch_kincaid_grade": 5.43,
//!      "smog_grade": 8.12, "flesch_reading_ease": 73.9, "long_sentence_share": 0.0}
//!   ],
//!   "external": {"links": 12, "cached": 9}
//! }
//! ```
//!
//! - `version` changes only when a key is removed or changes meaning; new
//!   keys may be added within a version.
//! - `findings` are sorted by file, line and column. `rule` is a rule id (the
//!   table under `[check]` that configures it) or `build` for the build's own
//!   problems (broken links, front matter, templates). `severity` is `error`
//!   or `warning`. `line` and `column` are 1-based (the column counts
//!   characters) and `null` for a finding about a whole file; `hint` may be
//!   `null`.
//! - `summary.rules` lists `build` and every content rule, in a fixed order,
//!   with its level in force (`off`, `warning`, `error`) and its counts.
//! - `due` lists published pages whose `review_due` is on or before today plus
//!   `[check.review_due_soon] days`, soonest first; `days_left` is negative
//!   when the review is overdue.
//! - `pages` holds every page's readability counts and grades (rounded to two
//!   decimals; a grade is `null` when the page has no text to grade).
//! - `external` is `null` without `--external`; with it, `links` counts the
//!   distinct addresses checked and `cached` those answered from the cache.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::config::Level;
use crate::diagnostic::Severity;

use super::{Finding, Report, Rule, counts_by_rule, external};

/// The version of the JSON document.
pub const JSON_VERSION: u32 = 1;

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Off => "off",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

fn round2(x: Option<f64>) -> Value {
    x.filter(|x| x.is_finite())
        .map_or(Value::Null, |x| json!((x * 100.0).round() / 100.0))
}

/// The whole report as a JSON document (schema above).
pub fn to_json(report: &Report) -> Value {
    let findings: Vec<Value> = report.findings.iter().map(finding_json).collect();
    let counts = counts_by_rule(&report.findings);
    let rules: Vec<Value> = std::iter::once((Rule::Build, Level::Error))
        .chain(report.levels.iter().copied())
        .map(|(rule, level)| {
            let (errors, warnings) = counts.get(&rule).copied().unwrap_or((0, 0));
            json!({
                "rule": rule.id(),
                "level": level_name(level),
                "errors": errors,
                "warnings": warnings,
            })
        })
        .collect();
    let due: Vec<Value> = report
        .due
        .iter()
        .map(|d| {
            json!({
                "file": path_string(&d.file),
                "title": d.title,
                "review_due": d.review_due.to_string(),
                "days_left": d.days_left,
                "reviewed_by": d.reviewed_by,
            })
        })
        .collect();
    let pages: Vec<Value> = report
        .pages
        .iter()
        .map(|p| {
            json!({
                "file": path_string(&p.file),
                "title": p.title,
                "sentences": p.counts.sentences,
                "words": p.counts.words,
                "syllables": p.counts.syllables,
                "polysyllables": p.counts.polysyllables,
                "long_sentences": p.counts.long_sentences,
                "flesch_kincaid_grade": round2(p.scores.flesch_kincaid_grade),
                "smog_grade": round2(p.scores.smog_grade),
                "flesch_reading_ease": round2(p.scores.flesch_reading_ease),
                "long_sentence_share": round2(p.scores.long_sentence_share),
            })
        })
        .collect();
    json!({
        "version": JSON_VERSION,
        "today": report.today.to_string(),
        "findings": findings,
        "summary": {
            "errors": report.error_count(),
            "warnings": report.warning_count(),
            "rules": rules,
        },
        "due": due,
        "pages": pages,
        "external": report.external.map(|e| json!({"links": e.links, "cached": e.cached})),
    })
}

/// Paths with `/` on every platform, so reports compare equal everywhere.
fn path_string(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn finding_json(f: &Finding) -> Value {
    let d = &f.diagnostic;
    let (line, column) = d.position.as_ref().map_or((Value::Null, Value::Null), |p| {
        (json!(p.start.line), json!(p.start.col))
    });
    json!({
        "rule": f.rule.id(),
        "severity": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "file": path_string(&d.file),
        "line": line,
        "column": column,
        "message": d.message,
        "hint": d.hint,
    })
}

/// One finding for the terminal: the diagnostic, and the rule that can be configured.
pub fn render_finding(f: &Finding) -> String {
    let mut out = f.diagnostic.render();
    if f.rule != Rule::Build {
        let _ = write!(
            out,
            "\n  = rule: {} (site.toml [check.{}])",
            f.rule.id(),
            f.rule.id()
        );
    }
    out
}

/// The summary table: one line per rule with findings, then the total.
pub fn summary_table(report: &Report) -> String {
    let counts = counts_by_rule(&report.findings);
    let width = counts
        .keys()
        .map(|r| r.id().len())
        .chain(["total".len(), "rule".len()])
        .max()
        .unwrap_or(5);
    let mut out = format!("{:<width$}  errors  warnings\n", "rule");
    for (rule, (errors, warnings)) in &counts {
        let _ = writeln!(out, "{:<width$}  {errors:>6}  {warnings:>8}", rule.id());
    }
    let _ = writeln!(
        out,
        "{:<width$}  {:>6}  {:>8}",
        "total",
        report.error_count(),
        report.warning_count()
    );
    out
}

/// One line on what `--external` did.
pub fn external_summary(summary: &external::Summary) -> String {
    let links = super::plural(summary.links as i64, "external link");
    if summary.cached == 0 {
        format!("Checked {links}.")
    } else {
        format!(
            "Checked {links}, {} of them from the cache ({}).",
            summary.cached,
            external::cache::CACHE_FILE
        )
    }
}

/// The "due for review" list, soonest first.
pub fn due_list(report: &Report) -> String {
    let horizon = report.due_by;
    if report.due.is_empty() {
        return format!("No page is due for review by {horizon}.\n");
    }
    let mut out = format!(
        "Due for review by {horizon} ({} pages):\n",
        report.due.len()
    );
    for d in &report.due {
        let when = match d.days_left {
            n if n < 0 => format!("overdue by {}", super::plural(-n, "day")),
            0 => "due today".to_string(),
            n => format!("in {}", super::plural(n, "day")),
        };
        let _ = writeln!(
            out,
            "{}  {:<18}  {}  {}",
            d.review_due,
            when,
            path_string(&d.file),
            d.title
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, SourceFile, Span};

    fn report() -> Report {
        let source = SourceFile::new("content/a.md", "---\ntitle: A\n---\n".to_string());
        let mut report = Report::failed([], "2026-11-23".parse().unwrap());
        report.findings.push(Finding {
            rule: Rule::OrphanPage,
            diagnostic: Diagnostic::warning(&source, Span::new(4, 9), "orphan page")
                .with_hint("link it"),
        });
        report.add_build_diagnostics([Diagnostic::file_error("site.toml", "bad")]);
        report
    }

    #[test]
    fn json_has_a_stable_shape() {
        let json = to_json(&report());
        assert_eq!(json["version"], 1);
        assert_eq!(json["today"], "2026-11-23");
        assert_eq!(
            json["findings"][0],
            json!({"rule": "orphan_page", "severity": "warning", "file": "content/a.md",
                   "line": 2, "column": 1, "message": "orphan page", "hint": "link it"})
        );
        assert_eq!(json["findings"][1]["line"], Value::Null);
        assert_eq!(json["summary"]["errors"], 1);
        assert_eq!(json["summary"]["warnings"], 1);
        let rules = json["summary"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 1 + Rule::CHECKS.len());
        assert_eq!(
            rules[0],
            json!({"rule": "build", "level": "error", "errors": 1, "warnings": 0})
        );
    }

    #[test]
    fn summary_table_lists_rules_with_findings() {
        assert_eq!(
            summary_table(&report()),
            "rule         errors  warnings\n\
             build             1         0\n\
             orphan_page       0         1\n\
             total             1         1\n"
        );
    }
}
