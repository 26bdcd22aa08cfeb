//! Care cards: emergency cards that a frightened reader can act on at a
//! glance, and condition pages that always lead to the red-flag page.

use crate::diagnostic::{Diagnostic, Severity, Span, did_you_mean};
use crate::front_matter::Kind;
use crate::page::slugify;

use super::Context;

/// `emergency_card`: a `> [!CAUTION]` card with too many links or bullets.
pub fn emergency_cards(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let limits = &ctx.config.emergency_card;
    let mut found = Vec::new();
    for document in ctx.documents() {
        for card in document
            .doc
            .text
            .callouts
            .iter()
            .filter(|c| c.kind == "caution")
        {
            if card.links > limits.max_links {
                found.push(
                    Diagnostic::at(
                        severity,
                        document.source,
                        first_line(document.source, card.span),
                        format!(
                            "emergency card with {} links, above the limit of {}",
                            card.links, limits.max_links
                        ),
                    )
                    .with_hint(
                        "an emergency card gives one clear action; move further reading below the card",
                    ),
                );
            }
            if card.bullets > limits.max_bullets {
                found.push(
                    Diagnostic::at(
                        severity,
                        document.source,
                        first_line(document.source, card.span),
                        format!(
                            "emergency card with {} bullets, above the limit of {}",
                            card.bullets, limits.max_bullets
                        ),
                    )
                    .with_hint(
                        "keep the signs that need an ambulance; move the others to an urgent (`[!WARNING]`) card",
                    ),
                );
            }
        }
    }
    found
}

/// The first line of a span (a card's `> [!CAUTION]` line).
fn first_line(source: &crate::diagnostic::SourceFile, span: Span) -> Span {
    let text = source.text.get(span.start..span.end).unwrap_or("");
    let len = text.find('\n').unwrap_or(text.len());
    Span::new(span.start, span.start + len)
}

/// `red_flags_link`: a condition page that does not link to `[check]
/// red_flags_page`; nothing when that is not set. A setting naming no page is
/// itself reported, at its line in `site.toml`.
pub fn red_flags_links(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let Some(setting) = &ctx.config.red_flags_page else {
        return Vec::new();
    };
    let site = ctx.site;
    let wanted = setting.get_ref().trim();
    let as_path = wanted
        .trim_start_matches("content/")
        .trim_start_matches('/');
    let target = site
        .pages
        .iter()
        .position(|p| p.rel_path == as_path || p.slug == slugify(wanted));
    let Some(target) = target else {
        let slugs = site.pages.iter().map(|p| p.slug.as_str());
        let hint = match did_you_mean(wanted, slugs) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "give the slug of a published page (its file name without .md)".to_string(),
        };
        let message = format!("`red_flags_page` names no page: `{wanted}`");
        let diagnostic = match &ctx.config.source {
            Some(source) => {
                let span = setting.span();
                Diagnostic::at(severity, source, Span::new(span.start, span.end), message)
            }
            None => Diagnostic {
                severity,
                ..Diagnostic::file_error(crate::config::CONFIG_FILE, message)
            },
        };
        return vec![diagnostic.with_hint(hint)];
    };
    let red_flags = &site.pages[target];
    site.pages
        .iter()
        .enumerate()
        .filter(|&(i, p)| i != target && p.meta.kind == Kind::Condition)
        .filter(|&(i, _)| !site.graph.outbound[i].contains(&target))
        .map(|(_, page)| {
            Diagnostic::at(
                severity,
                &page.source,
                page.spans.key("title"),
                format!(
                    "condition page without a link to the red-flag page `{}`",
                    red_flags.slug
                ),
            )
            .with_hint(format!(
                "add a line such as `See [[{}]] for the signs that need urgent care.`",
                red_flags.slug
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{headlines, home_linking};

    #[test]
    fn an_emergency_card_with_too_many_bullets() {
        let a = "---\ntitle: A\nkind: page\n---\n\n> [!CAUTION]\n> Call an ambulance if:\n>\n> - a\n> - b\n> - c\n> - d\n> - e\n> - f\n\n> [!WARNING]\n> - 1\n> - 2\n> - 3\n> - 4\n> - 5\n> - 6\n";
        assert_eq!(
            headlines(&[
                ("content/_index.md", &home_linking(&["a"])),
                ("content/a.md", a)
            ]),
            ["content/a.md:6:1: warning: emergency card with 6 bullets, above the limit of 5"]
        );
    }

    #[test]
    fn the_red_flag_page_may_be_named_by_its_path() {
        let toml = "title = \"T\"\nbase_url = \"https://example.org/\"\n[check]\nred_flags_page = \"help/red-flags.md\"\n";
        let flags = "---\ntitle: Red flags\nkind: page\n---\n\nCall for help.\n";
        let review = "reviewed: 2026-11-01\nreview_due: 2027-11-01\nreviewed_by: J\nsources:\n  - title: S\n";
        let condition = format!(
            "---\ntitle: Sprain\nsummary: A sprain.\nkind: condition\n{review}---\n\nText.\n"
        );
        assert_eq!(
            headlines(&[
                ("site.toml", toml),
                ("content/_index.md", &home_linking(&["red-flags", "sprain"])),
                ("content/help/red-flags.md", flags),
                ("content/sprain.md", &condition),
            ]),
            [
                "content/sprain.md:2:1: error: condition page without a link to the red-flag page `red-flags`"
            ]
        );
    }
}
