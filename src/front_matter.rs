//! Stage 2, front matter: split a Markdown file into its YAML header and body
//! and parse the header into typed, raw values.
//!
//! This is the only module that knows YAML exists (serde_yaml is deprecated
//! upstream and may be swapped out; only this file would change). Positions
//! reported by the YAML parser are relative to the YAML block, so they are
//! moved back into the coordinates of the whole Markdown file here: every
//! diagnostic names the line in the `.md` file the editor has open.
//!
//! Unknown keys are found by a scan of the header's top-level keys before
//! deserializing, so each gets its own precise position and a "did you mean"
//! hint. Checks that need the whole site (does a condition slug exist?) happen
//! later, in [`crate::page`] and [`crate::site`], using [`KeySpans`] to point
//! back at the offending YAML.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::date::Date;
use crate::diagnostic::{Diagnostic, SourceFile, Span, did_you_mean};

/// What a page is, which decides its template and how it is listed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A condition guide: the hub other pages link to.
    Condition,
    /// A general clinical article (causes, treatments, prevention).
    #[default]
    Article,
    /// An exercise with a dose.
    Exercise,
    /// A non-clinical page such as "About".
    Page,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Condition => "condition",
            Kind::Article => "article",
            Kind::Exercise => "exercise",
            Kind::Page => "page",
        }
    }
}

/// One piece of evidence behind a page.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub title: String,
    pub url: Option<String>,
}

/// How much of an exercise to do.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    pub sets: Option<u32>,
    pub reps: Option<u32>,
    pub hold_seconds: Option<u32>,
    pub per_week: Option<u32>,
}

/// A page's front matter as written, with types checked but nothing cross-checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub kind: Option<Kind>,
    #[serde(default)]
    pub also_called: Vec<String>,
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub reviewed: Option<Date>,
    pub review_due: Option<Date>,
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    #[serde(default)]
    pub draft: bool,
    pub weight: Option<i64>,
    pub dose: Option<Dose>,
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The keys a page's front matter may have, in the order the README lists them.
pub const PAGE_KEYS: &[&str] = &[
    "title",
    "summary",
    "kind",
    "also_called",
    "conditions",
    "tags",
    "reviewed",
    "review_due",
    "reviewed_by",
    "sources",
    "date",
    "updated",
    "draft",
    "weight",
    "dose",
    "extra",
];

/// A section's `_index.md` front matter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionFrontMatter {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The keys an `_index.md` may have.
pub const SECTION_KEYS: &[&str] = &["title", "summary", "weight", "extra"];

/// Where each top-level key sits in the file, to point errors found later at it.
#[derive(Debug, Clone, Default)]
pub struct KeySpans {
    /// The opening `---` line: where "missing key" errors point.
    pub header: Span,
    keys: Vec<(String, Span, Span)>,
}

impl KeySpans {
    /// The span of `key` itself, or of the header when the key is absent.
    pub fn key(&self, key: &str) -> Span {
        self.keys
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(self.header, |(_, span, _)| *span)
    }

    /// The span of `needle` inside `key`'s value (e.g. one slug in a list), or of the key.
    pub fn value(&self, source: &SourceFile, key: &str, needle: &str) -> Span {
        let Some((_, key_span, region)) = self.keys.iter().find(|(k, _, _)| k == key) else {
            return self.header;
        };
        let text = &source.text[region.start..region.end];
        text.match_indices(needle)
            .find(|(i, _)| is_word_boundary(text, *i, needle.len()))
            .map_or(*key_span, |(i, _)| {
                Span::new(region.start + i, region.start + i + needle.len())
            })
    }
}

fn is_word_boundary(text: &str, start: usize, len: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[start + len..].chars().next();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    !is_word(before) && !is_word(after)
}

/// A Markdown file split into typed front matter and body.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub front: T,
    pub spans: KeySpans,
    /// Byte offset in the file where the Markdown body starts.
    pub body_start: usize,
}

/// Splits and parses a page file.
pub fn parse_page(source: &SourceFile) -> Result<Parsed<PageFrontMatter>, Diagnostic> {
    parse(source, PAGE_KEYS)
}

/// Splits and parses a section's `_index.md`.
pub fn parse_section(source: &SourceFile) -> Result<Parsed<SectionFrontMatter>, Diagnostic> {
    parse(source, SECTION_KEYS)
}

fn parse<T: DeserializeOwned + Default>(
    source: &SourceFile,
    allowed: &[&str],
) -> Result<Parsed<T>, Diagnostic> {
    let block = split(source)?;
    let yaml = &source.text[block.yaml.start..block.yaml.end];
    let spans = scan_top_level_keys(source, &block);
    check_keys_allowed(source, &spans, allowed)?;
    let front = if yaml.trim().is_empty() {
        T::default()
    } else {
        serde_yaml::from_str(yaml).map_err(|e| yaml_error(source, &spans, block.yaml.start, &e))?
    };
    Ok(Parsed {
        front,
        spans,
        body_start: block.body_start,
    })
}

/// The byte ranges of the parts of a file with front matter.
struct Block {
    header: Span,
    yaml: Span,
    body_start: usize,
}

fn split(source: &SourceFile) -> Result<Block, Diagnostic> {
    let text = &source.text;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_line_end = text[bom..].find('\n').map_or(text.len(), |i| bom + i);
    let header = Span::new(bom, first_line_end);
    if text[bom..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error(source, Span::new(bom, bom), "the file has no front matter")
            .with_hint("start the file with a YAML block between `---` lines, holding at least `title: …`"));
    }
    let yaml_start = (first_line_end + 1).min(text.len());
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(Block {
                header,
                yaml: Span::new(yaml_start, offset),
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error(source, header, "the front matter is never closed")
            .with_hint("add a line holding only `---` after the last front-matter key"),
    )
}

/// Finds `key:` lines at the start of a line: YAML's top-level block-mapping keys.
fn scan_top_level_keys(source: &SourceFile, block: &Block) -> KeySpans {
    let mut found: Vec<(String, Span)> = Vec::new();
    let mut offset = block.yaml.start;
    for line in source.text[block.yaml.start..block.yaml.end].split_inclusive('\n') {
        let starts_key = line
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '#' && c != '-');
        if let (true, Some(colon)) = (starts_key, line.find(':')) {
            let key = line[..colon].trim().trim_matches(|c| c == '"' || c == '\'');
            found.push((key.to_string(), Span::new(offset, offset + colon)));
        }
        offset += line.len();
    }
    let keys = found
        .iter()
        .enumerate()
        .map(|(i, (key, span))| {
            let region_end = found
                .get(i + 1)
                .map_or(block.yaml.end, |(_, next)| next.start);
            (key.clone(), *span, Span::new(span.start, region_end))
        })
        .collect();
    KeySpans {
        header: block.header,
        keys,
    }
}

fn check_keys_allowed(
    source: &SourceFile,
    spans: &KeySpans,
    allowed: &[&str],
) -> Result<(), Diagnostic> {
    for (key, span, _) in &spans.keys {
        if !allowed.contains(&key.as_str()) {
            let hint = match did_you_mean(key, allowed.iter().copied()) {
                Some(close) => {
                    format!("did you mean `{close}`? Valid keys: {}", allowed.join(", "))
                }
                None => format!(
                    "valid keys: {}; put custom values under `extra:`",
                    allowed.join(", ")
                ),
            };
            return Err(Diagnostic::error(
                source,
                *span,
                format!("unknown front-matter key `{key}`"),
            )
            .with_hint(hint));
        }
    }
    Ok(())
}

fn yaml_error(
    source: &SourceFile,
    spans: &KeySpans,
    yaml_start: usize,
    error: &serde_yaml::Error,
) -> Diagnostic {
    let text = error.to_string();
    // serde_yaml appends " at line L column C" (relative to the YAML block) and, for an
    // unclosed `[`/`{`/quote, ", while parsing a … at line L column C": that second place
    // is where the editor has to look, so it is the one we point at.
    let (main, context) = match text.split_once(", while parsing ") {
        Some((main, context)) => (main, Some(context)),
        None => (text.as_str(), None),
    };
    let mut message = main.split(" at line ").next().unwrap_or(main).to_string();
    let yaml = &source.text[yaml_start..];
    let context_offset = context.and_then(|c| {
        let (what, position) = c.split_once(" at line ")?;
        let what = what.trim_start_matches("a ").trim_start_matches("an ");
        message.push_str(&format!(" (in the {what} that starts here)"));
        let (line, column) = position.split_once(" column ")?;
        offset_of(yaml, line.trim().parse().ok()?, column.trim().parse().ok()?)
    });
    let located = error.location().map(|loc| loc.index()).filter(|&i| i > 0);
    let span = match context_offset.or(located) {
        Some(offset) => Span::new(yaml_start + offset, yaml_start + offset),
        // Errors raised by a value's own check (a bad date) come without a place;
        // the path serde_yaml puts in front of the message ("reviewed: …") names the key.
        // A check's message quotes the bad value (`2026-02-30`), which finds it otherwise.
        None => value_span_of_path(source, spans, &message)
            .or_else(|| quoted_value_span(source, yaml_start, &message))
            .unwrap_or(Span::new(yaml_start, yaml_start)),
    };
    let hint = if message.contains("invalid type") || message.contains("unknown variant") {
        "check the value's type against the front-matter reference in the README"
    } else {
        "check the YAML syntax: `key: value`, lists as `[a, b]` or `- item` lines; quote text containing `: `"
    };
    Diagnostic::error(source, span, format!("invalid front matter: {message}")).with_hint(hint)
}

/// The start of the value of the top-level key that begins a "key.sub[0]: message" path.
fn value_span_of_path(source: &SourceFile, spans: &KeySpans, message: &str) -> Option<Span> {
    let (path, _) = message.split_once(": ")?;
    let key = path.split(['.', '[']).next()?;
    let (_, key_span, region) = spans.keys.iter().find(|(k, _, _)| k == key)?;
    let after_colon = key_span.end + 1;
    let value = &source.text[after_colon..region.end];
    let start = after_colon + (value.len() - value.trim_start().len());
    Some(Span::new(start, start))
}

/// The first place in the YAML where the first `quoted` value of the message is written.
fn quoted_value_span(source: &SourceFile, yaml_start: usize, message: &str) -> Option<Span> {
    let quoted = message.split('`').nth(1).filter(|q| !q.is_empty())?;
    let at = source.text[yaml_start..].find(quoted)?;
    Some(Span::new(yaml_start + at, yaml_start + at + quoted.len()))
}

/// The byte offset of a 1-based line and character column in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let in_line = text[line_start..]
        .char_indices()
        .nth(column.checked_sub(1)?)
        .map_or(0, |(i, _)| i);
    Some(line_start + in_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceFile {
        SourceFile::new("p.md", text.to_string())
    }

    #[test]
    fn parses_fields_and_body_offset() {
        let s = src(
            "---\ntitle: Sciatica\nkind: condition\nalso_called: [pain down my leg]\ndose: {sets: 3}\n---\nBody\n",
        );
        let p = parse_page(&s).unwrap();
        assert_eq!(p.front.title.as_deref(), Some("Sciatica"));
        assert_eq!(p.front.kind, Some(Kind::Condition));
        assert_eq!(p.front.also_called, vec!["pain down my leg"]);
        assert_eq!(p.front.dose.unwrap().sets, Some(3));
        assert_eq!(&s.text[p.body_start..], "Body\n");
    }

    #[test]
    fn unknown_key_gets_position_and_suggestion() {
        let s = src("---\ntitle: A\nsumary: x\n---\n");
        let e = parse_page(&s).unwrap_err();
        assert_eq!(e.location(), "p.md:3:1");
        assert_eq!(e.message, "unknown front-matter key `sumary`");
        assert!(e.hint.unwrap().starts_with("did you mean `summary`?"));
    }

    #[test]
    fn type_errors_point_into_the_markdown_file() {
        let s = src("---\ntitle: A\nweight: heavy\n---\n");
        let e = parse_page(&s).unwrap_err();
        assert_eq!(e.location(), "p.md:3:9");
        assert!(e.message.contains("weight: invalid type"), "{}", e.message);
    }

    #[test]
    fn unclosed_list_points_where_it_opens() {
        let s = src("---\ntitle: A\ntags: [unclosed\n---\n");
        let e = parse_page(&s).unwrap_err();
        assert_eq!(e.location(), "p.md:3:7");
        assert!(
            e.message
                .contains("(in the flow sequence that starts here)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn bad_date_is_reported_at_the_value() {
        let s = src("---\ntitle: A\nreviewed: 2026-02-30\n---\n");
        let e = parse_page(&s).unwrap_err();
        assert_eq!(e.location(), "p.md:3:11");
        assert!(
            e.message.contains("not a day of the calendar"),
            "{}",
            e.message
        );
    }

    #[test]
    fn missing_and_unclosed_front_matter() {
        assert_eq!(
            parse_page(&src("# Hi\n")).unwrap_err().message,
            "the file has no front matter"
        );
        assert_eq!(
            parse_page(&src("---\ntitle: A\n")).unwrap_err().message,
            "the front matter is never closed"
        );
    }

    #[test]
    fn value_span_finds_one_list_item() {
        let s = src("---\ntitle: A\nconditions:\n  - sciatica\n  - sciatca\ntags: [x]\n---\n");
        let p = parse_page(&s).unwrap();
        let span = p.spans.value(&s, "conditions", "sciatca");
        assert_eq!(s.line_col(span.start).line, 5);
        assert_eq!(s.line_col(span.start).col, 5);
    }
}
