//! The reader-visible text of a rendered document, as blocks.
//!
//! Later stages need the text, not the HTML: the search index indexes it
//! section by section, and content checks measure its readability and look at
//! care cards, images and external links. Collecting it here, from the same
//! parser events the HTML is made from, means nothing downstream ever parses
//! Markdown or HTML again.

use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, Event, LinkType, Tag, TagEnd};

use crate::diagnostic::Span;

/// What kind of block a piece of text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Heading { level: u8 },
    Paragraph,
    ListItem,
    TableCell,
    Code,
}

/// One block of text, with the heading section it sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBlock {
    pub kind: BlockKind,
    pub text: String,
    /// Index into the document's table of contents of the heading this block
    /// is under (for a heading: the heading itself); `None` before the first.
    pub section: Option<usize>,
    /// Where the block starts in the source file.
    pub span: Span,
}

/// A GitHub-style alert (care card) and what is inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callout {
    /// `caution`, `warning`, `important`, `tip` or `note`.
    pub kind: &'static str,
    pub span: Span,
    pub links: usize,
    pub bullets: usize,
}

/// An image and its alternative text (empty when the author gave none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub alt: String,
    pub span: Span,
}

/// Everything text-like about a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentText {
    pub blocks: Vec<TextBlock>,
    pub callouts: Vec<Callout>,
    pub images: Vec<Image>,
    /// Links with a scheme (`https:`, `http:`, `mailto:` …) and where they are written.
    pub external_links: Vec<(String, Span)>,
}

/// The name a callout kind is known by in Markdown (`> [!CAUTION]` → `caution`).
pub fn callout_name(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Caution => "caution",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Note => "note",
    }
}

/// Walks parser events (with byte ranges relative to the body) once.
pub fn collect(events: &[(Event, Range<usize>)], body_start: usize) -> DocumentText {
    let mut collector = Collector {
        body_start,
        ..Collector::default()
    };
    for (event, range) in events {
        collector.event(event, range);
    }
    collector.text
}

#[derive(Default)]
struct Collector {
    body_start: usize,
    text: DocumentText,
    current: Option<TextBlock>,
    headings_seen: usize,
    open_callout: Option<usize>,
    open_image: Option<Image>,
}

impl Collector {
    fn span(&self, range: &Range<usize>) -> Span {
        Span::new(range.start, range.end).offset(self.body_start)
    }

    fn section(&self) -> Option<usize> {
        self.headings_seen.checked_sub(1)
    }

    fn open(&mut self, kind: BlockKind, range: &Range<usize>) {
        self.flush();
        self.current = Some(TextBlock {
            kind,
            text: String::new(),
            section: self.section(),
            span: self.span(range),
        });
    }

    fn flush(&mut self) {
        if let Some(mut block) = self.current.take() {
            let trimmed = block.text.trim();
            if !trimmed.is_empty() {
                block.text = trimmed.to_string();
                self.text.blocks.push(block);
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(image) = &mut self.open_image {
            image.alt.push_str(text);
        } else if let Some(block) = &mut self.current {
            block.text.push_str(text);
        }
    }

    fn event(&mut self, event: &Event, range: &Range<usize>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.headings_seen += 1;
                self.open(
                    BlockKind::Heading {
                        level: *level as u8,
                    },
                    range,
                );
            }
            Event::Start(Tag::Paragraph) if self.current.is_none() => {
                self.open(BlockKind::Paragraph, range)
            }
            Event::Start(Tag::Item) => {
                if let Some(i) = self.open_callout {
                    self.text.callouts[i].bullets += 1;
                }
                self.open(BlockKind::ListItem, range);
            }
            Event::Start(Tag::List(_)) => self.flush(),
            Event::Start(Tag::TableCell) => self.open(BlockKind::TableCell, range),
            Event::Start(Tag::CodeBlock(_)) => self.open(BlockKind::Code, range),
            Event::End(
                TagEnd::Heading(_)
                | TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => self.flush(),
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                self.open_callout = Some(self.text.callouts.len());
                self.text.callouts.push(Callout {
                    kind: callout_name(*kind),
                    span: self.span(range),
                    links: 0,
                    bullets: 0,
                });
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => self.open_callout = None,
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                if let Some(i) = self.open_callout {
                    self.text.callouts[i].links += 1;
                }
                let has_scheme = dest_url.split_once(':').is_some_and(|(s, _)| {
                    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric())
                });
                if has_scheme && !matches!(link_type, LinkType::WikiLink { .. }) {
                    self.text
                        .external_links
                        .push((dest_url.to_string(), self.span(range)));
                }
            }
            Event::Start(Tag::Image { .. }) => {
                self.open_image = Some(Image {
                    alt: String::new(),
                    span: self.span(range),
                })
            }
            Event::End(TagEnd::Image) => {
                if let Some(mut image) = self.open_image.take() {
                    image.alt = image.alt.trim().to_string();
                    self.text.images.push(image);
                }
            }
            Event::Text(t) | Event::Code(t) => self.push_text(t),
            Event::SoftBreak | Event::HardBreak => self.push_text(" "),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn text_of(markdown: &str) -> DocumentText {
        let events: Vec<_> = Parser::new_ext(markdown, Options::all())
            .into_offset_iter()
            .collect();
        collect(&events, 0)
    }

    #[test]
    fn blocks_follow_headings_lists_and_tables() {
        let t = text_of(
            "Intro *here*.\n\n## Symptoms\n\n- one\n- two\n  - nested\n\n| a |\n|---|\n| b |\n\n```\ncode\n```\n",
        );
        let kinds: Vec<(BlockKind, &str, Option<usize>)> = t
            .blocks
            .iter()
            .map(|b| (b.kind, b.text.as_str(), b.section))
            .collect();
        assert_eq!(
            kinds,
            [
                (BlockKind::Paragraph, "Intro here.", None),
                (BlockKind::Heading { level: 2 }, "Symptoms", Some(0)),
                (BlockKind::ListItem, "one", Some(0)),
                (BlockKind::ListItem, "two", Some(0)),
                (BlockKind::ListItem, "nested", Some(0)),
                (BlockKind::TableCell, "a", Some(0)),
                (BlockKind::TableCell, "b", Some(0)),
                (BlockKind::Code, "code", Some(0)),
            ]
        );
    }

    #[test]
    fn callouts_count_links_and_bullets() {
        let t = text_of(
            "> [!CAUTION]\n> Call now if:\n>\n> - a\n> - b [x](y.md)\n\n![](pic.png) ![A spine](s.png) [w](https://e.org)\n",
        );
        assert_eq!(t.callouts.len(), 1);
        assert_eq!(
            (
                t.callouts[0].kind,
                t.callouts[0].bullets,
                t.callouts[0].links
            ),
            ("caution", 2, 1)
        );
        let alts: Vec<&str> = t.images.iter().map(|i| i.alt.as_str()).collect();
        assert_eq!(alts, ["", "A spine"]);
        assert_eq!(t.external_links.len(), 1);
        assert_eq!(t.external_links[0].0, "https://e.org");
    }
}
