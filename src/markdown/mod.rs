//! Stage 4, markdown: render one Markdown body to HTML.
//!
//! On top of CommonMark (with tables, footnotes, strikethrough, task lists)
//! this stage:
//!
//! 1. gives every heading a stable, unique `id` and an anchor link, and
//!    records it in the table of contents;
//! 2. turns GitHub-style alerts (`> [!CAUTION]` …) into callout blocks the
//!    theme styles as care cards;
//! 3. asks a [`LinkResolver`] for the URL of every internal link (`foo.md`,
//!    `[[slug]]`, images and files beside the page) and records each one with
//!    its byte span, so the links stage can check anchors on other pages and
//!    build backlinks without parsing anything again.
//!
//! Unresolvable links become diagnostics; rendering always goes on so that a
//! single run reports every broken link in the site.

use std::ops::Range;

use pulldown_cmark::{
    BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html,
};

use crate::config::{MarkdownConfig, RawHtml};
use crate::diagnostic::{Diagnostic, SourceFile, Span};
use crate::page::slugify;

pub mod text;

pub use text::{BlockKind, DocumentText, TextBlock};

/// One heading of a document, for its table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// What a link written in Markdown asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRequest<'a> {
    /// A relative (or content-root `/…`) path to a Markdown file.
    MarkdownFile(&'a str),
    /// `[[slug]]` shorthand.
    Slug(&'a str),
    /// A relative path to any other file beside the content (an image, a PDF).
    File(&'a str),
}

/// A resolved internal link: where it goes and which document it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<T> {
    pub url: String,
    pub title: String,
    /// The document linked to (`None` for plain files).
    pub target: Option<T>,
}

/// Turns link requests into URLs; the links stage implements it for the whole site.
pub trait LinkResolver {
    type Target: Copy;
    /// Resolves a request made from a document in content folder `from_dir`.
    /// An error is a message and a hint.
    fn resolve(
        &self,
        from_dir: &str,
        request: &LinkRequest,
    ) -> Result<Resolved<Self::Target>, (String, String)>;
}

/// An internal link found in a document, resolved to a target document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<T> {
    pub target: T,
    pub anchor: Option<String>,
    /// Where the link's destination is written, in the source file.
    pub span: Span,
}

/// One Markdown body rendered to HTML.
#[derive(Debug, Clone)]
pub struct RenderedDoc<T> {
    pub html: String,
    pub toc: Vec<Heading>,
    pub links: Vec<Link<T>>,
    /// The reader-visible text, for the search index and content checks.
    pub text: DocumentText,
    /// `#anchor` links to this same document, checked once all headings are known.
    pub local_anchors: Vec<(String, Span)>,
    pub diagnostics: Vec<Diagnostic>,
    /// A hash of `html` and `toc`, what a page template shows of the document.
    pub fingerprint: u64,
}

impl<T> RenderedDoc<T> {
    pub fn has_anchor(&self, id: &str) -> bool {
        self.toc.iter().any(|h| h.id == id)
    }
}

/// The Markdown body of one document, with where it sits.
pub struct MarkdownInput<'a> {
    pub source: &'a SourceFile,
    pub body_start: usize,
    /// The content folder the file is in (links are relative to it).
    pub dir: &'a str,
}

fn parser_options(config: &MarkdownConfig) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if config.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// Renders a document body; never fails, but records problems as diagnostics.
pub fn render<R: LinkResolver>(
    input: &MarkdownInput,
    config: &MarkdownConfig,
    resolver: &R,
) -> RenderedDoc<R::Target> {
    let body = &input.source.text[input.body_start..];
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(body, parser_options(config))
        .into_offset_iter()
        .collect();
    let mut renderer = Renderer {
        input,
        resolver,
        raw_html: config.raw_html,
        out: Vec::with_capacity(events.len()),
        footnotes: Vec::new(),
        doc: RenderedDoc {
            html: String::new(),
            toc: Vec::new(),
            links: Vec::new(),
            text: text::collect(&events, input.body_start),
            local_anchors: Vec::new(),
            diagnostics: Vec::new(),
            fingerprint: 0,
        },
    };
    renderer.run(events);
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, renderer.out.into_iter());
    let mut doc = renderer.doc;
    doc.html = html_out;
    doc.fingerprint = crate::memo::fingerprint(&(&doc.html, &doc.toc));
    check_local_anchors(&mut doc, input.source);
    doc
}

fn check_local_anchors<T>(doc: &mut RenderedDoc<T>, source: &SourceFile) {
    let missing: Vec<Diagnostic> = doc
        .local_anchors
        .iter()
        .filter(|(id, _)| !doc.has_anchor(id))
        .map(|(id, span)| missing_anchor(source, *span, id, "this page", &doc.toc))
        .collect();
    doc.diagnostics.extend(missing);
}

/// The error for a `#anchor` that names no heading of its target.
pub fn missing_anchor(
    source: &SourceFile,
    span: Span,
    id: &str,
    target: &str,
    toc: &[Heading],
) -> Diagnostic {
    let ids: Vec<&str> = toc.iter().map(|h| h.id.as_str()).collect();
    let hint = match crate::diagnostic::did_you_mean(id, ids.iter().copied()) {
        Some(close) => format!("did you mean `#{close}`?"),
        None if ids.is_empty() => format!("{target} has no headings to link to"),
        None => format!("{target} has these anchors: {}", ids.join(", ")),
    };
    Diagnostic::error(
        source,
        span,
        format!("broken anchor: {target} has no heading `#{id}`"),
    )
    .with_hint(hint)
}

struct Renderer<'i, 'r, R: LinkResolver> {
    input: &'i MarkdownInput<'i>,
    resolver: &'r R,
    raw_html: RawHtml,
    out: Vec<Event<'i>>,
    doc: RenderedDoc<R::Target>,
    /// Footnote labels in order of first mention; ids are their numbers.
    footnotes: Vec<String>,
}

impl<'i, R: LinkResolver> Renderer<'i, '_, R> {
    fn run(&mut self, events: Vec<(Event<'i>, Range<usize>)>) {
        let mut iter = events.into_iter();
        while let Some((event, range)) = iter.next() {
            match event {
                Event::Start(Tag::Heading {
                    level, id, classes, ..
                }) => {
                    let inner = take_until_end(&mut iter);
                    self.heading(level, id, classes, inner, &range);
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    self.out.push(Event::Html(callout_open(kind).into()))
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => {
                    self.out.push(Event::Html("</div>\n".into()))
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let span = self.span_of_destination(&range, &dest_url);
                    let wiki_without_text =
                        matches!(link_type, LinkType::WikiLink { has_pothole: false });
                    let (url, target_title) = self.link_url(link_type, &dest_url, span);
                    match (wiki_without_text, target_title) {
                        (true, Some(page_title)) => {
                            // `[[slug]]` shows the target's title, not its slug.
                            take_until_end(&mut iter);
                            self.out.push(Event::Start(Tag::Link {
                                link_type,
                                dest_url: url,
                                title,
                                id,
                            }));
                            self.out.push(Event::Text(CowStr::from(page_title)));
                            self.out.push(Event::End(TagEnd::Link));
                        }
                        _ => self.out.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: url,
                            title,
                            id,
                        })),
                    }
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let span = self.span_of_destination(&range, &dest_url);
                    let (url, _) = self.link_url(link_type, &dest_url, span);
                    self.out.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url: url,
                        title,
                        id,
                    }));
                }
                Event::Html(text) | Event::InlineHtml(text) if self.raw_html == RawHtml::Escape => {
                    self.out.push(Event::Text(text));
                }
                Event::FootnoteReference(label) => {
                    let html = self.footnote_reference(&label);
                    self.out.push(Event::Html(html.into()));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let html = self.footnote_definition(&label);
                    self.out.push(Event::Html(html.into()));
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    self.out.push(Event::Html("</div>\n".into()))
                }
                Event::TaskListMarker(done) => {
                    // A disabled checkbox needs a name, or screen readers say only "checkbox".
                    let (checked, label) = if done {
                        (" checked", "Done")
                    } else {
                        ("", "Not done")
                    };
                    self.out.push(Event::Html(
                        format!(
                            "<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> "
                        )
                        .into(),
                    ));
                }
                other => self.out.push(other),
            }
        }
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'i>>,
        classes: Vec<CowStr<'i>>,
        inner: Vec<Event<'i>>,
        range: &Range<usize>,
    ) {
        let title = plain_text(&inner);
        if title.is_empty() {
            let span = Span::new(range.start, range.end).offset(self.input.body_start);
            self.doc.diagnostics.push(
                Diagnostic::error(self.input.source, span, "empty heading")
                    .with_hint("give the heading some words, or remove the `#` marks"),
            );
        }
        let wanted = id.map_or_else(|| slugify(&title), |id| id.to_string());
        let id = self.unique_id(if wanted.is_empty() {
            "section".to_string()
        } else {
            wanted
        });
        let level_number = level as u8;
        let class_attr = if classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape_attr(&classes.join(" ")))
        };
        self.out.push(Event::Html(
            format!("<h{level_number} id=\"{id}\"{class_attr}>").into(),
        ));
        self.out.extend(inner);
        self.out.push(Event::Html(
            format!(
                " <a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"Link to the section: {}\">#</a></h{level_number}>\n",
                escape_attr(&title)
            )
            .into(),
        ));
        self.doc.toc.push(Heading {
            level: level_number,
            id,
            title,
        });
    }

    /// The number of a footnote: the order of first mention.
    fn footnote_number(&mut self, label: &str) -> usize {
        match self.footnotes.iter().position(|l| l == label) {
            Some(i) => i + 1,
            None => {
                self.footnotes.push(label.to_string());
                self.footnotes.len()
            }
        }
    }

    fn footnote_reference(&mut self, label: &str) -> String {
        let n = self.footnote_number(label);
        format!(
            "<sup class=\"footnote-reference\"><a href=\"#fn-{n}\" id=\"fnref-{n}\">{n}</a></sup>"
        )
    }

    fn footnote_definition(&mut self, label: &str) -> String {
        let n = self.footnote_number(label);
        format!(
            "<div class=\"footnote-definition\" id=\"fn-{n}\"><sup class=\"footnote-definition-label\"><a href=\"#fnref-{n}\" aria-label=\"Back to the text\">{n}</a></sup>\n"
        )
    }

    fn unique_id(&self, wanted: String) -> String {
        // `main` and the `cb-`/`fn-` prefixes belong to the theme and to footnotes.
        let wanted = if wanted.starts_with("cb-") || wanted.starts_with("fn-") {
            format!("h-{wanted}")
        } else {
            wanted
        };
        let taken = |id: &str| id == "main" || self.doc.toc.iter().any(|h| h.id == id);
        if !taken(&wanted) {
            return wanted;
        }
        (1..)
            .map(|n| format!("{wanted}-{n}"))
            .find(|id| !taken(id))
            .unwrap_or(wanted)
    }

    /// The destination's span in the file: the URL text inside the link if it can be found.
    fn span_of_destination(&self, range: &Range<usize>, dest: &str) -> Span {
        let body_start = self.input.body_start;
        let written = &self.input.source.text[body_start + range.start..body_start + range.end];
        match written.find(dest).filter(|_| !dest.is_empty()) {
            Some(i) => Span::new(range.start + i, range.start + i + dest.len()).offset(body_start),
            None => Span::new(range.start, range.end).offset(body_start),
        }
    }

    /// Resolves a link destination; returns the URL to emit and, for documents, their title.
    fn link_url(
        &mut self,
        link_type: LinkType,
        dest: &CowStr<'i>,
        span: Span,
    ) -> (CowStr<'i>, Option<String>) {
        let (path, anchor) = match dest.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (dest.as_ref(), None),
        };
        let request = match classify(link_type, path) {
            Classified::External => return (dest.clone(), None),
            Classified::LocalAnchor => {
                if let Some(anchor) = anchor {
                    self.doc.local_anchors.push((anchor.to_string(), span));
                }
                return (dest.clone(), None);
            }
            Classified::Internal(request) => request,
        };
        match self.resolver.resolve(self.input.dir, &request) {
            Ok(resolved) => {
                if let Some(target) = resolved.target {
                    self.doc.links.push(Link {
                        target,
                        anchor: anchor.map(str::to_string),
                        span,
                    });
                }
                let url = match anchor {
                    Some(anchor) => format!("{}#{anchor}", resolved.url),
                    None => resolved.url,
                };
                (url.into(), Some(resolved.title))
            }
            Err((message, hint)) => {
                self.doc
                    .diagnostics
                    .push(Diagnostic::error(self.input.source, span, message).with_hint(hint));
                (dest.clone(), None)
            }
        }
    }
}

enum Classified<'a> {
    External,
    LocalAnchor,
    Internal(LinkRequest<'a>),
}

fn classify(link_type: LinkType, path: &str) -> Classified<'_> {
    if matches!(link_type, LinkType::WikiLink { .. }) {
        return if path.is_empty() {
            Classified::LocalAnchor
        } else {
            Classified::Internal(LinkRequest::Slug(path.trim()))
        };
    }
    let has_scheme = path.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if matches!(link_type, LinkType::Autolink | LinkType::Email)
        || has_scheme
        || path.starts_with("//")
    {
        Classified::External
    } else if path.is_empty() {
        Classified::LocalAnchor
    } else if path.ends_with(".md") {
        Classified::Internal(LinkRequest::MarkdownFile(path))
    } else if path.ends_with('/') {
        // A URL path such as `/conditions/` is the author's choice; leave it alone.
        Classified::External
    } else {
        Classified::Internal(LinkRequest::File(path))
    }
}

/// A care card's opening. Its title names the urgency in words, so urgency
/// never rests on colour alone: emergency and urgent cards in their visible
/// title ("Immediate action required", "Urgent advice"; screen readers hear
/// "Emergency: " first), the asides, whose titles ("Tip") do not, in visually
/// hidden text read out first ("Non-urgent advice: Tip").
fn callout_open(kind: BlockQuoteKind) -> String {
    let name = text::callout_name(kind);
    let (hidden, label) = match kind {
        BlockQuoteKind::Caution => ("Emergency: ", "Immediate action required"),
        BlockQuoteKind::Warning => ("", "Urgent advice"),
        BlockQuoteKind::Important => ("Non-urgent advice: ", "Important"),
        BlockQuoteKind::Tip => ("Non-urgent advice: ", "Tip"),
        BlockQuoteKind::Note => ("Non-urgent advice: ", "Note"),
    };
    let hidden = if hidden.is_empty() {
        String::new()
    } else {
        format!("<span class=\"visually-hidden\">{hidden}</span>")
    };
    format!(
        "<div class=\"callout callout-{name}\" role=\"note\">\n<p class=\"callout-title\">{hidden}{label}</p>\n"
    )
}

/// Collects the events up to the end of the element just started (its children).
fn take_until_end<'a>(
    iter: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> Vec<Event<'a>> {
    let mut depth = 0usize;
    let mut inner = Vec::new();
    for (event, _) in iter.by_ref() {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => break,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        inner.push(event);
    }
    inner
}

/// The text a reader sees in a run of inline events.
fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resolves `a.md` and `[[a]]` to page 0 ("Page A"); everything else is missing.
    struct OnePage;

    impl LinkResolver for OnePage {
        type Target = usize;
        fn resolve(
            &self,
            _: &str,
            request: &LinkRequest,
        ) -> Result<Resolved<usize>, (String, String)> {
            match request {
                LinkRequest::MarkdownFile("a.md") | LinkRequest::Slug("a") => Ok(Resolved {
                    url: "/a/".into(),
                    title: "Page A".into(),
                    target: Some(0),
                }),
                _ => Err(("missing".into(), "hint".into())),
            }
        }
    }

    fn render_text(text: &str) -> RenderedDoc<usize> {
        let source = SourceFile::new("t.md", text.to_string());
        let input = MarkdownInput {
            source: &source,
            body_start: 0,
            dir: "",
        };
        render(&input, &MarkdownConfig::default(), &OnePage)
    }

    #[test]
    fn headings_get_unique_ids_and_toc() {
        let doc = render_text("## Symptoms\n\n## Symptoms\n\n### What *helps*\n");
        let ids: Vec<&str> = doc.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["symptoms", "symptoms-1", "what-helps"]);
        assert!(doc.html.contains(
            "<h2 id=\"symptoms\">Symptoms <a class=\"heading-anchor\" href=\"#symptoms\""
        ));
    }

    #[test]
    fn heading_ids_avoid_the_themes_and_footnotes_ids() {
        let doc = render_text("## Main\n\n## cb-sources\n\n## fn-1\n");
        let ids: Vec<&str> = doc.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["main-1", "h-cb-sources", "h-fn-1"]);
    }

    #[test]
    fn footnotes_get_numbered_ids_that_cannot_clash() {
        let doc = render_text(
            "## Symptoms\n\nText.[^symptoms] More.[^main]\n\n[^main]: Two.\n[^symptoms]: One.\n",
        );
        assert!(
            doc.html.contains("<a href=\"#fn-1\" id=\"fnref-1\">1</a>"),
            "{}",
            doc.html
        );
        assert!(
            doc.html
                .contains("<div class=\"footnote-definition\" id=\"fn-2\">"),
            "{}",
            doc.html
        );
        assert!(!doc.html.contains("id=\"main\""));
    }

    #[test]
    fn task_list_checkboxes_have_names() {
        let doc = render_text("- [x] warm up\n- [ ] run\n");
        assert!(
            doc.html
                .contains("<input type=\"checkbox\" disabled checked aria-label=\"Done\"> warm up"),
            "{}",
            doc.html
        );
        assert!(doc.html.contains("aria-label=\"Not done\"> run"));
    }

    #[test]
    fn an_empty_heading_is_an_error() {
        let doc = render_text("Text.\n\n##\n");
        assert_eq!(
            doc.diagnostics[0].headline(),
            "t.md:3:1: error: empty heading"
        );
    }

    #[test]
    fn links_are_resolved_and_recorded_with_spans() {
        let doc = render_text("See [x](a.md#top) and [[a]].\n");
        assert!(
            doc.html.contains("<a href=\"/a/#top\">x</a>"),
            "{}",
            doc.html
        );
        assert!(
            doc.html.contains("<a href=\"/a/\">Page A</a>"),
            "{}",
            doc.html
        );
        assert_eq!(doc.links.len(), 2);
        assert_eq!(doc.links[0].span, Span::new(8, 16));
        assert_eq!(doc.links[0].anchor.as_deref(), Some("top"));
    }

    #[test]
    fn broken_links_and_local_anchors_are_diagnostics() {
        let doc = render_text("## Intro\n\n[x](b.md) [y](#intro) [z](#nope)\n");
        let messages: Vec<String> = doc.diagnostics.iter().map(|d| d.headline()).collect();
        assert_eq!(
            messages,
            [
                "t.md:3:5: error: missing",
                "t.md:3:27: error: broken anchor: this page has no heading `#nope`"
            ]
        );
    }

    #[test]
    fn external_links_are_untouched() {
        let doc =
            render_text("[a](https://example.org/x.md) [b](mailto:a@b.org) <https://e.org>\n");
        assert!(doc.diagnostics.is_empty());
        assert!(doc.links.is_empty());
        assert!(doc.html.contains("href=\"https://example.org/x.md\""));
    }

    #[test]
    fn raw_html_can_be_escaped() {
        let config = MarkdownConfig {
            smart_punctuation: false,
            raw_html: RawHtml::Escape,
        };
        let source = SourceFile::new("t.md", "<b>hi</b>\n".to_string());
        let input = MarkdownInput {
            source: &source,
            body_start: 0,
            dir: "",
        };
        let doc = render(&input, &config, &OnePage);
        assert!(doc.html.contains("&lt;b&gt;hi&lt;/b&gt;"), "{}", doc.html);
    }
}
