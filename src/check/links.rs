//! Link health: links to drafts, orphan pages, images without alternative
//! text, and plain `http://` links.
//!
//! Broken internal links and anchors are not here: the build itself refuses
//! them (see [`crate::links`]), so they are errors in every command.

use crate::diagnostic::{Diagnostic, Severity, SourceFile, Span};
use crate::links::DocId;

use super::Context;

/// `draft_link`: a published document linking to a draft. Only visible with
/// `--drafts`; without it, drafts are left out and such a link is a build error.
pub fn draft_links(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let pages = &ctx.site.pages;
    let mut found = Vec::new();
    for document in ctx.documents() {
        if document.page.is_some_and(|i| pages[i].meta.draft) {
            continue;
        }
        for link in &document.doc.links {
            let DocId::Page(target) = link.target else {
                continue;
            };
            let target = &pages[target];
            if target.meta.draft {
                found.push(
                    Diagnostic::at(
                        severity,
                        document.source,
                        link.span,
                        format!(
                            "link to a draft page: content/{} is a draft",
                            target.rel_path
                        ),
                    )
                    .with_hint(
                        "publish the page (remove `draft: true`) first, or remove the link; \
                         without --drafts this link breaks the build",
                    ),
                );
            }
        }
    }
    found
}

/// `orphan_page`: no other page, and no section's `_index.md`, links to the page.
pub fn orphan_pages(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let site = ctx.site;
    let mut linked = vec![false; site.pages.len()];
    for (from, targets) in site.graph.outbound.iter().enumerate() {
        for &to in targets {
            if to != from {
                linked[to] = true;
            }
        }
    }
    for doc in &site.section_docs {
        for link in &doc.links {
            if let DocId::Page(to) = link.target {
                linked[to] = true;
            }
        }
    }
    site.pages
        .iter()
        .zip(linked)
        .filter(|(_, linked)| !linked)
        .map(|(page, _)| {
            Diagnostic::at(
                severity,
                &page.source,
                page.spans.key("title"),
                "orphan page: no other page links to it",
            )
            .with_hint(format!(
                "link to it from a related page, e.g. `[[{}]]`; readers rarely find a page through listings alone",
                page.slug
            ))
        })
        .collect()
}

/// `image_alt`: an image with no alternative text.
pub fn image_alt(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for document in ctx.documents() {
        for image in document.doc.text.images.iter().filter(|i| i.alt.is_empty()) {
            found.push(
                Diagnostic::at(
                    severity,
                    document.source,
                    image.span,
                    "image without alt text",
                )
                .with_hint(
                    "describe what the picture shows for readers who cannot see it: \
                         `![A runner stretching the back of the thigh](stretch.png)`",
                ),
            );
        }
    }
    found
}

/// `insecure_link`: an `http://` link in a body or in a page's `sources`.
pub fn insecure_links(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let hint = "use the https:// address: most sites have one, and browsers warn about plain http";
    let mut found = Vec::new();
    for document in ctx.documents() {
        for (url, span) in &document.doc.text.external_links {
            if is_http(url) {
                found.push(
                    Diagnostic::at(
                        severity,
                        document.source,
                        url_span(document.source, *span, url),
                        format!("insecure link: {url}"),
                    )
                    .with_hint(hint),
                );
            }
        }
    }
    for page in &ctx.site.pages {
        for url in page.meta.sources.iter().filter_map(|s| s.url.as_deref()) {
            if is_http(url) {
                found.push(
                    Diagnostic::at(
                        severity,
                        &page.source,
                        page.spans.value(&page.source, "sources", url),
                        format!("insecure link in `sources`: {url}"),
                    )
                    .with_hint(hint),
                );
            }
        }
    }
    found
}

fn is_http(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

/// The URL itself inside a link's span (`[text](url)`), or the whole link.
pub(crate) fn url_span(source: &SourceFile, link: Span, url: &str) -> Span {
    source
        .text
        .get(link.start..link.end)
        .and_then(|written| written.find(url))
        .map_or(link, |i| {
            Span::new(link.start + i, link.start + i + url.len())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{headlines, home_linking};

    #[test]
    fn only_plain_http_is_insecure() {
        assert!(is_http("http://example.org"));
        assert!(is_http("HTTP://EXAMPLE.ORG"));
        assert!(!is_http("https://example.org"));
        assert!(!is_http("mailto:a@b.org"));
        assert!(!is_http("http"));
    }

    #[test]
    fn url_span_narrows_to_the_address() {
        let source = SourceFile::new("a.md", "See [x](http://e.org) now.".to_string());
        assert_eq!(
            url_span(&source, Span::new(4, 21), "http://e.org"),
            Span::new(8, 20)
        );
        assert_eq!(
            url_span(&source, Span::new(4, 21), "http://other"),
            Span::new(4, 21)
        );
    }

    #[test]
    fn links_from_sections_count_but_links_to_itself_do_not() {
        let a = "---\ntitle: A\nkind: page\n---\n\nSee [[a]] and [[b]].\n";
        let b = "---\ntitle: B\nkind: page\n---\n\nText.\n";
        let index = "---\ntitle: Guides\n---\n\nStart with [[c]].\n";
        let c = "---\ntitle: C\nkind: page\n---\n\nText.\n";
        assert_eq!(
            headlines(&[
                ("content/a.md", a),
                ("content/b.md", b),
                ("content/guides/_index.md", index),
                ("content/guides/c.md", c),
            ]),
            ["content/a.md:2:1: warning: orphan page: no other page links to it"]
        );
    }

    #[test]
    fn http_sources_are_insecure_too() {
        let a = "---\ntitle: A\nkind: page\nsources:\n  - title: Old\n    url: http://example.org/old\n---\n\nText.\n";
        assert_eq!(
            headlines(&[
                ("content/_index.md", &home_linking(&["a"])),
                ("content/a.md", a)
            ]),
            ["content/a.md:6:10: warning: insecure link in `sources`: http://example.org/old"]
        );
    }
}
