//! Diagnostics: every finding of a run, as a value.
//!
//! A [`Diagnostic`] is a severity, a file, an optional byte span inside that
//! file, a message and an optional hint. Stages never print and never stop at
//! the first problem: they return diagnostics, the caller collects them into
//! [`Diagnostics`] and reports them all together at the end of the run.
//!
//! Line and column numbers are computed in exactly one place,
//! [`SourceFile::line_col`], 1-based, from byte offsets. Every other module
//! works in byte offsets only, so positions in front matter, Markdown bodies,
//! `site.toml` and templates are all counted the same way.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Stops the build: nothing is written.
    Error,
    /// Reported, but the build still succeeds.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A half-open byte range `start..end` inside a [`SourceFile`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Moves a span found in a slice back into the coordinates of the whole file.
    pub fn offset(self, by: usize) -> Self {
        Span::new(self.start + by, self.end + by)
    }
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// The text of one input file together with where its lines start.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path shown to the user: relative to the site root where possible.
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The one place where byte offsets become 1-based lines and columns.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp_to_char_boundary(offset);
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        let col = self.text[line_start..offset].chars().count() + 1;
        LineCol {
            line: line_index + 1,
            col,
        }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    fn clamp_to_char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Where a diagnostic points: a position and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    pub span: Span,
    pub start: LineCol,
    /// The source line holding `start`, for the excerpt under the message.
    pub line_text: String,
    /// How many characters of `line_text` the span covers (at least 1).
    pub width: usize,
}

/// One finding: severity, file, span, message and hint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// Boxed: most diagnostics are passed around in `Result`s and should stay small.
    pub position: Option<Box<Position>>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A finding at a span of a file whose text we have.
    pub fn at(
        severity: Severity,
        source: &SourceFile,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        let start = source.line_col(span.start);
        let line_text = source.line_text(start.line).to_string();
        let end_in_line = source.line_col(span.end.max(span.start));
        let width = if end_in_line.line == start.line {
            end_in_line.col.saturating_sub(start.col).max(1)
        } else {
            line_text
                .chars()
                .count()
                .saturating_sub(start.col - 1)
                .max(1)
        };
        Diagnostic {
            severity,
            file: source.path.clone(),
            position: Some(Box::new(Position {
                span,
                start,
                line_text,
                width,
            })),
            message: message.into(),
            hint: None,
        }
    }

    /// An error at a span of a file.
    pub fn error(source: &SourceFile, span: Span, message: impl Into<String>) -> Self {
        Diagnostic::at(Severity::Error, source, span, message)
    }

    /// A warning at a span of a file.
    pub fn warning(source: &SourceFile, span: Span, message: impl Into<String>) -> Self {
        Diagnostic::at(Severity::Warning, source, span, message)
    }

    /// An error about a whole file (or directory) with no position inside it.
    pub fn file_error(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            position: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` (or just `path` without a position).
    pub fn location(&self) -> String {
        match &self.position {
            Some(p) => format!("{}:{}:{}", self.file.display(), p.start.line, p.start.col),
            None => self.file.display().to_string(),
        }
    }

    /// The first line of the report: `path:line:col: error: message`.
    pub fn headline(&self) -> String {
        format!("{}: {}: {}", self.location(), self.severity, self.message)
    }

    /// The full report: headline, source excerpt with a caret, and the hint.
    pub fn render(&self) -> String {
        let mut out = self.headline();
        if let Some(p) = &self.position {
            let gutter = p.start.line.to_string().len();
            let pad = " ".repeat(gutter);
            let caret_pad: String = p
                .line_text
                .chars()
                .take(p.start.col - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "\n{pad} |\n{} | {}\n{pad} | {caret_pad}{}",
                p.start.line,
                p.line_text,
                "^".repeat(p.width)
            ));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("\n  = hint: {hint}"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// All the findings of one run, in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorts by file and position so reports read top to bottom and are
    /// identical from run to run, whatever order parallel stages finished in.
    pub fn sorted(mut self) -> Self {
        let start = |d: &Diagnostic| d.position.as_ref().map(|p| p.start);
        self.0.sort_by(|a, b| {
            a.file
                .cmp(&b.file)
                .then_with(|| start(a).cmp(&start(b)))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.0.dedup();
        self
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The closest candidate to `word`, if any is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based_and_counts_characters() {
        let src = SourceFile::new("a.md", "ab\nçd\n".to_string());
        assert_eq!(src.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(src.line_col(3), LineCol { line: 2, col: 1 });
        // 'ç' is two bytes; 'd' is the second character of line 2.
        assert_eq!(src.line_col(5), LineCol { line: 2, col: 2 });
        assert_eq!(src.line_col(100), LineCol { line: 3, col: 1 });
    }

    #[test]
    fn render_shows_excerpt_caret_and_hint() {
        let src = SourceFile::new("p.md", "---\ntitel: x\n---\n".to_string());
        let d = Diagnostic::error(&src, Span::new(4, 9), "unknown key `titel`")
            .with_hint("did you mean `title`?");
        assert_eq!(
            d.render(),
            "p.md:2:1: error: unknown key `titel`\n  |\n2 | titel: x\n  | ^^^^^\n  = hint: did you mean `title`?"
        );
    }

    #[test]
    fn did_you_mean_finds_close_words_only() {
        assert_eq!(did_you_mean("titel", ["title", "summary"]), Some("title"));
        assert_eq!(did_you_mean("zzz", ["title", "summary"]), None);
    }
}
