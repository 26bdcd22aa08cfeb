//! Clinical governance: every clinical page says who reviewed it, when, when
//! the next review is due and what evidence it rests on; reviews happen on
//! time; and dates make sense.
//!
//! Clinical pages are conditions, articles and exercises (`kind: page` is for
//! pages such as "About" that give no clinical advice). Drafts are skipped:
//! they are not published.

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Severity};
use crate::front_matter::Kind;
use crate::page::Page;

use super::{Context, plural};

fn is_clinical(page: &Page) -> bool {
    !page.meta.draft && page.meta.kind != Kind::Page
}

fn published<'a>(ctx: &Context<'a>) -> impl Iterator<Item = &'a Page> + use<'a> {
    ctx.site
        .pages
        .iter()
        .map(|p| &**p)
        .filter(|p| !p.meta.draft)
}

/// The span of a date written in front matter.
fn date_span(page: &Page, key: &str, date: Date) -> crate::diagnostic::Span {
    page.spans.value(&page.source, key, &date.to_string())
}

/// `review_fields`: a clinical page without `reviewed`, `review_due`,
/// `reviewed_by` or `sources`; one finding per page, naming what is missing.
pub fn review_fields(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    ctx.site
        .pages
        .iter()
        .filter(|p| is_clinical(p))
        .filter_map(|page| {
            let meta = &page.meta;
            let missing: Vec<&str> = [
                ("reviewed", meta.reviewed.is_none()),
                ("review_due", meta.review_due.is_none()),
                (
                    "reviewed_by",
                    meta.reviewed_by
                        .as_deref()
                        .is_none_or(|s| s.trim().is_empty()),
                ),
                ("sources", meta.sources.is_empty()),
            ]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(|(key, _)| key)
            .collect();
            if missing.is_empty() {
                return None;
            }
            let names: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
            Some(
                Diagnostic::at(
                    severity,
                    &page.source,
                    page.spans.header,
                    format!(
                        "clinical {} page without review details: missing {}",
                        page.meta.kind.as_str(),
                        join_and(&names)
                    ),
                )
                .with_hint(
                    "say who reviewed the page (`reviewed_by`), when (`reviewed`), when it is due \
                     again (`review_due`) and its evidence (`sources`); use `kind: page` for pages \
                     that give no clinical advice",
                ),
            )
        })
        .collect()
}

/// `review_overdue`: `review_due` has passed.
pub fn review_overdue(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    published(ctx)
        .filter_map(|page| {
            let due = page.meta.review_due?;
            let late = ctx.today.days() - due.days();
            (late > 0).then(|| {
                Diagnostic::at(
                    severity,
                    &page.source,
                    date_span(page, "review_due", due),
                    format!(
                        "review overdue: `review_due` {due} passed {} ago",
                        plural(late, "day")
                    ),
                )
                .with_hint(
                    "have a clinician review the page, then update `reviewed`, `reviewed_by` and `review_due`",
                )
            })
        })
        .collect()
}

/// `review_due_soon`: `review_due` is today or within the configured days.
pub fn review_due_soon(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let window = i64::from(ctx.config.review_due_soon.days);
    published(ctx)
        .filter_map(|page| {
            let due = page.meta.review_due?;
            let left = due.days() - ctx.today.days();
            (0..=window).contains(&left).then(|| {
                let when = if left == 0 {
                    "today".to_string()
                } else {
                    format!("in {}", plural(left, "day"))
                };
                Diagnostic::at(
                    severity,
                    &page.source,
                    date_span(page, "review_due", due),
                    format!("review due soon: `review_due` {due} is {when}"),
                )
                .with_hint("plan the review; `carebook check --due` lists every page due soon")
            })
        })
        .collect()
}

/// `review_interval`: `review_due` more than the configured years after `reviewed`.
pub fn review_interval(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let years = ctx.config.review_interval.max_years;
    published(ctx)
        .filter_map(|page| {
            let (reviewed, due) = (page.meta.reviewed?, page.meta.review_due?);
            (due > reviewed.add_years(years)).then(|| {
                Diagnostic::at(
                    severity,
                    &page.source,
                    date_span(page, "review_due", due),
                    format!(
                        "review interval too long: `review_due` {due} is more than {} after `reviewed` {reviewed}",
                        plural(i64::from(years), "year")
                    ),
                )
                .with_hint(format!(
                    "clinical advice changes; set `review_due` to {} or earlier",
                    reviewed.add_years(years)
                ))
            })
        })
        .collect()
}

/// `date_order`: `updated` before `date`, or `review_due` before `reviewed`.
pub fn date_order(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for page in published(ctx) {
        let meta = &page.meta;
        if let (Some(date), Some(updated)) = (meta.date, meta.updated)
            && updated < date
        {
            found.push(
                Diagnostic::at(
                    severity,
                    &page.source,
                    date_span(page, "updated", updated),
                    format!("`updated` {updated} is before `date` {date}"),
                )
                .with_hint("a page cannot be edited before it was published; check both dates"),
            );
        }
        if let (Some(reviewed), Some(due)) = (meta.reviewed, meta.review_due)
            && due < reviewed
        {
            found.push(
                Diagnostic::at(
                    severity,
                    &page.source,
                    date_span(page, "review_due", due),
                    format!("`review_due` {due} is before `reviewed` {reviewed}"),
                )
                .with_hint("the next review comes after the last one; check both dates"),
            );
        }
    }
    found
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{headlines, home_linking};

    #[test]
    fn joins_lists_in_english() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&s(&["a"])), "a");
        assert_eq!(join_and(&s(&["a", "b"])), "a and b");
        assert_eq!(join_and(&s(&["a", "b", "c"])), "a, b and c");
    }

    #[test]
    fn pages_that_give_no_advice_and_drafts_need_no_review() {
        let about = "---\ntitle: About\nkind: page\n---\n\nUs.\n";
        let draft = "---\ntitle: Soon\ndraft: true\n---\n\nLater.\n";
        assert!(
            headlines(&[
                ("content/_index.md", &home_linking(&["about"])),
                ("content/about.md", about),
                ("content/soon.md", draft),
            ])
            .is_empty()
        );
    }

    #[test]
    fn a_review_due_today_is_due_soon_not_overdue() {
        let a = "---\ntitle: A\nreviewed: 2025-11-23\nreview_due: 2026-11-23\nreviewed_by: J\nsources:\n  - title: S\n---\n\nText.\n";
        assert_eq!(
            headlines(&[
                ("content/_index.md", &home_linking(&["a"])),
                ("content/a.md", a)
            ]),
            ["content/a.md:4:13: warning: review due soon: `review_due` 2026-11-23 is today"]
        );
    }

    #[test]
    fn every_missing_field_is_named_once() {
        let a = "---\ntitle: A\nkind: exercise\n---\n\nText.\n";
        assert_eq!(
            headlines(&[
                ("content/_index.md", &home_linking(&["a"])),
                ("content/a.md", a)
            ]),
            [
                "content/a.md:1:1: error: clinical exercise page without review details: missing `reviewed`, `review_due`, `reviewed_by` and `sources`"
            ]
        );
    }

    #[test]
    fn a_review_due_before_the_review_is_out_of_order() {
        let a = "---\ntitle: A\nreviewed: 2026-11-01\nreview_due: 2026-10-01\nreviewed_by: J\nsources:\n  - title: S\n---\n\nText.\n";
        let found = headlines(&[
            ("content/_index.md", &home_linking(&["a"])),
            ("content/a.md", a),
        ]);
        assert!(
            found.contains(&"content/a.md:4:13: error: `review_due` 2026-10-01 is before `reviewed` 2026-11-01".to_string()),
            "{found:?}"
        );
    }
}
