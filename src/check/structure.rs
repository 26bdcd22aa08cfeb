//! Structure: headings that screen readers and skimming readers can follow,
//! no empty sections, titles that tell pages apart, and summaries short
//! enough for listings and search results.
//!
//! The theme shows a page's (or section's) title as its only H1, so a body's
//! headings start at `##`.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::markdown::{BlockKind, RenderedDoc};

use super::Context;
use crate::links::DocId;

/// The headings of a document: level and span, in order.
fn headings(doc: &RenderedDoc<DocId>) -> impl Iterator<Item = (u8, Span)> + '_ {
    doc.text.blocks.iter().filter_map(|b| match b.kind {
        BlockKind::Heading { level } => Some((level, b.span)),
        _ => None,
    })
}

/// `multiple_h1`: a `#` heading in a body, beside the title's H1.
pub fn multiple_h1(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for document in ctx.documents() {
        for (_, span) in headings(document.doc).filter(|(level, _)| *level == 1) {
            found.push(
                Diagnostic::at(
                    severity,
                    document.source,
                    span,
                    "more than one H1: the title is already the page's H1",
                )
                .with_hint("start the body's headings at `##`"),
            );
        }
    }
    found
}

/// `heading_levels`: a heading more than one level below the one before it
/// (the title counts as the H1 before the first).
pub fn heading_levels(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for document in ctx.documents() {
        let mut previous = 1;
        for (level, span) in headings(document.doc) {
            if level > previous + 1 {
                let after = if previous == 1 {
                    "the title (H1)".to_string()
                } else {
                    format!("an H{previous}")
                };
                found.push(
                    Diagnostic::at(
                        severity,
                        document.source,
                        span,
                        format!("skipped heading level: H{level} after {after}"),
                    )
                    .with_hint(format!(
                        "use `{}` here: screen-reader users move through a page by its heading levels",
                        "#".repeat(usize::from(previous) + 1)
                    )),
                );
            }
            previous = level;
        }
    }
    found
}

/// `empty_section`: a heading with no text, image or care card under it
/// before the next heading of the same or a higher level.
pub fn empty_sections(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for document in ctx.documents() {
        let doc = document.doc;
        let heads: Vec<(u8, Span)> = headings(doc).collect();
        for (i, &(level, span)) in heads.iter().enumerate() {
            let next = heads.get(i + 1);
            if next.is_some_and(|&(next_level, _)| next_level > level) {
                continue; // it has subsections
            }
            let end = next.map_or(usize::MAX, |(_, s)| s.start);
            let inside = |start: usize| start > span.start && start < end;
            let has_content = doc
                .text
                .blocks
                .iter()
                .any(|b| !matches!(b.kind, BlockKind::Heading { .. }) && inside(b.span.start))
                || doc.text.images.iter().any(|im| inside(im.span.start))
                || doc.text.callouts.iter().any(|c| inside(c.span.start));
            if !has_content {
                let title = document
                    .source
                    .text
                    .get(span.start..span.end)
                    .unwrap_or("")
                    .trim();
                found.push(
                    Diagnostic::at(
                        severity,
                        document.source,
                        span,
                        format!("empty section: `{title}` has nothing under it"),
                    )
                    .with_hint("write the section, or remove its heading"),
                );
            }
        }
    }
    found
}

/// `duplicate_title`: a page with the same title as an earlier one (by path).
pub fn duplicate_titles(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut found = Vec::new();
    for (i, page) in ctx.site.pages.iter().enumerate() {
        let key = page
            .meta
            .title
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        match first.get(&key) {
            Some(&earlier) => found.push(
                Diagnostic::at(
                    severity,
                    &page.source,
                    page.spans.key("title"),
                    format!(
                        "duplicate title: content/{} has the same title",
                        ctx.site.pages[earlier].rel_path
                    ),
                )
                .with_hint(
                    "give each page a title that tells it apart in listings and search results",
                ),
            ),
            None => {
                first.insert(key, i);
            }
        }
    }
    found
}

/// `summary_length`: a summary longer than the configured characters.
pub fn summary_length(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let max = ctx.config.summary_length.max_chars;
    ctx.site
        .pages
        .iter()
        .filter_map(|page| {
            let length = page.meta.summary.as_deref()?.trim().chars().count();
            (length > max).then(|| {
                Diagnostic::at(
                    severity,
                    &page.source,
                    page.spans.key("summary"),
                    format!("summary too long: {length} characters, above the limit of {max}"),
                )
                .with_hint(
                    "one or two plain sentences: it is shown in listings, search results and search engines",
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{headlines, home_linking};

    #[test]
    fn a_heading_with_only_subsections_or_an_image_is_not_empty() {
        let page = "---\ntitle: A\nkind: page\n---\n\n## Exercises\n\n### Bridge\n\nLift.\n\n## Picture\n\n![A bridge](b.png)\n\n## Last\n";
        assert_eq!(
            headlines(&[
                ("content/_index.md", &home_linking(&["a"])),
                ("content/a.md", page),
                ("content/b.png", "png"),
            ]),
            ["content/a.md:16:1: warning: empty section: `## Last` has nothing under it"]
        );
    }

    #[test]
    fn section_index_pages_are_checked_too() {
        let index = "---\ntitle: Home\n---\n\n# Welcome\n\nRead [[a]].\n";
        let page = "---\ntitle: A\nkind: page\n---\n\nText.\n";
        assert_eq!(
            headlines(&[("content/_index.md", index), ("content/a.md", page)]),
            [
                "content/_index.md:5:1: warning: more than one H1: the title is already the page's H1"
            ]
        );
    }

    #[test]
    fn heading_levels_may_climb_back_up() {
        let page = "---\ntitle: A\nkind: page\n---\n\n## One\n\n### Two\n\nx\n\n## Three\n\ny\n\n### Four\n\nz\n";
        assert!(
            headlines(&[
                ("content/_index.md", &home_linking(&["a"])),
                ("content/a.md", page)
            ])
            .is_empty()
        );
    }
}
