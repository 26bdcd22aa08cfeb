//! `site.toml`: the site's configuration.
//!
//! The file is parsed straight into typed structs that deny unknown keys, so
//! a misspelt key is an error naming the key, its line and the valid keys
//! rather than a setting that silently does nothing. Command-line overrides
//! (`--base-url`, `--output-dir`) are applied afterwards by the caller.

use std::num::{NonZeroU64, NonZeroUsize};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, SourceFile, Span, did_you_mean};

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// The whole of `site.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    /// Where the site will be published, always ending in `/`.
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub clinic: Clinic,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// The client-side search index (`[search]`).
    #[serde(default)]
    pub search: SearchConfig,
    /// Reserved for the dev server; no keys are defined yet.
    #[serde(default)]
    pub serve: ReservedTable,
    /// The content checks of `carebook check` (`[check]`).
    #[serde(default)]
    pub check: CheckConfig,
}

/// The clinic that publishes the site, shown in the footer and structured data.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Clinic {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            output_dir: default_output_dir(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    #[serde(default = "yes")]
    pub smart_punctuation: bool,
    #[serde(default)]
    pub raw_html: RawHtml,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            smart_punctuation: true,
            raw_html: RawHtml::default(),
        }
    }
}

/// What happens to HTML written inside Markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Passed through unchanged.
    #[default]
    Allow,
    /// Shown as text, for sites whose authors should not write HTML.
    Escape,
}

/// `[search]`: what the search index holds and how it ranks.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Build the index, the header search box and `/search/` (default true).
    #[serde(default = "yes")]
    pub enable: bool,
    /// Content sections (top-level folders, e.g. `conditions`) whose pages are
    /// indexed; empty (the default) indexes every page.
    #[serde(default)]
    pub sections: Vec<String>,
    #[serde(default)]
    pub boosts: SearchBoosts,
    /// Extra synonyms: `"water tablets" = ["diuretics"]` makes a search for
    /// the key also find pages about each listed name.
    #[serde(default)]
    pub synonyms: std::collections::BTreeMap<String, Vec<String>>,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enable: true,
            sections: Vec::new(),
            boosts: SearchBoosts::default(),
            synonyms: std::collections::BTreeMap::new(),
        }
    }
}

/// `[search.boosts]`: field weights of the BM25F score, and the condition-page boost.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchBoosts {
    pub title: f64,
    pub also_called: f64,
    pub headings: f64,
    pub summary: f64,
    pub body: f64,
    /// Multiplies the score of condition pages.
    pub condition: f64,
}

impl Default for SearchBoosts {
    fn default() -> Self {
        SearchBoosts {
            title: 6.0,
            also_called: 5.0,
            headings: 3.0,
            summary: 2.0,
            body: 1.0,
            condition: 1.5,
        }
    }
}

/// A table later parts of carebook will fill; until then any key in it is an error.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReservedTable {}

/// How a content check reports what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The check does not run.
    Off,
    /// Reported; `carebook check` still succeeds.
    Warning,
    /// Reported, and `carebook check` fails (`build` only ever warns).
    Error,
}

/// `[check]`: the content checks. Each rule has a table of its own holding its
/// `level` (absent: the rule's default, listed in the README) and thresholds.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// The slug of the page listing the signs that need urgent care
    /// (`when-to-see-a-doctor`); every condition page must link to it.
    pub red_flags_page: Option<toml::Spanned<String>>,
    #[serde(default)]
    pub draft_link: RuleConfig,
    #[serde(default)]
    pub orphan_page: RuleConfig,
    #[serde(default)]
    pub image_alt: RuleConfig,
    #[serde(default)]
    pub insecure_link: RuleConfig,
    #[serde(default)]
    pub readability: ReadabilityConfig,
    #[serde(default)]
    pub review_fields: RuleConfig,
    #[serde(default)]
    pub review_overdue: RuleConfig,
    #[serde(default)]
    pub review_due_soon: ReviewDueSoonConfig,
    #[serde(default)]
    pub review_interval: ReviewIntervalConfig,
    #[serde(default)]
    pub date_order: RuleConfig,
    #[serde(default)]
    pub multiple_h1: RuleConfig,
    #[serde(default)]
    pub heading_levels: RuleConfig,
    #[serde(default)]
    pub empty_section: RuleConfig,
    #[serde(default)]
    pub duplicate_title: RuleConfig,
    #[serde(default)]
    pub summary_length: SummaryLengthConfig,
    #[serde(default)]
    pub emergency_card: EmergencyCardConfig,
    #[serde(default)]
    pub red_flags_link: RuleConfig,
    #[serde(default)]
    pub dead_link: RuleConfig,
    #[serde(default)]
    pub blocked_link: RuleConfig,
    #[serde(default)]
    pub unverified_link: RuleConfig,
    /// How `carebook check --external` visits other sites.
    #[serde(default)]
    pub external: ExternalConfig,
    /// The text of `site.toml`, so findings about these settings can point at their line.
    #[serde(skip)]
    pub source: Option<SourceFile>,
}

/// A rule with nothing to set but its level.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub level: Option<Level>,
}

/// `[check.readability]`: per-page grades, computed on the rendered text.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadabilityConfig {
    pub level: Option<Level>,
    /// Highest Flesch-Kincaid grade (default 8).
    pub max_grade: f64,
    /// Highest SMOG grade (default 11).
    pub max_smog: f64,
    /// Lowest Flesch reading ease (default: not checked).
    pub min_reading_ease: Option<f64>,
    /// Highest share (0 to 1) of sentences over 25 words (default: not checked).
    pub max_long_sentence_share: Option<f64>,
    /// Pages with fewer words are not graded: the formulas need text (default 100).
    pub min_words: u64,
}

impl Default for ReadabilityConfig {
    fn default() -> Self {
        ReadabilityConfig {
            level: None,
            max_grade: 8.0,
            max_smog: 11.0,
            min_reading_ease: None,
            max_long_sentence_share: None,
            min_words: 100,
        }
    }
}

/// `[check.review_due_soon]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewDueSoonConfig {
    pub level: Option<Level>,
    /// How many days ahead a coming review is reported (default 60).
    pub days: u32,
}

impl Default for ReviewDueSoonConfig {
    fn default() -> Self {
        ReviewDueSoonConfig {
            level: None,
            days: 60,
        }
    }
}

/// `[check.review_interval]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewIntervalConfig {
    pub level: Option<Level>,
    /// Longest time from `reviewed` to `review_due`, in years (default 3).
    pub max_years: u16,
}

impl Default for ReviewIntervalConfig {
    fn default() -> Self {
        ReviewIntervalConfig {
            level: None,
            max_years: 3,
        }
    }
}

/// `[check.summary_length]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SummaryLengthConfig {
    pub level: Option<Level>,
    /// Longest `summary`, in characters (default 200).
    pub max_chars: usize,
}

impl Default for SummaryLengthConfig {
    fn default() -> Self {
        SummaryLengthConfig {
            level: None,
            max_chars: 200,
        }
    }
}

/// `[check.emergency_card]`: `> [!CAUTION]` cards must stay short and clear.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmergencyCardConfig {
    pub level: Option<Level>,
    /// Most links in one card (default 1).
    pub max_links: usize,
    /// Most bullets in one card (default 5).
    pub max_bullets: usize,
}

impl Default for EmergencyCardConfig {
    fn default() -> Self {
        EmergencyCardConfig {
            level: None,
            max_links: 1,
            max_bullets: 5,
        }
    }
}

/// `[check.external]`: how `carebook check --external` visits the sites a
/// page links to. The defaults are meant to be polite to small clinic and
/// charity sites, which are the ones most often linked to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalConfig {
    /// Least time from the end of one request to a host to the start of the
    /// next, in milliseconds (default 1000).
    pub host_interval_ms: u64,
    /// How many hosts are checked at the same time (default 4).
    pub concurrency: NonZeroUsize,
    /// How long one request may take, in seconds (default 15).
    pub timeout_secs: NonZeroU64,
    /// How many redirects are followed from one link (default 10).
    pub max_redirects: u32,
    /// How long a result that a link works, or that its site blocks
    /// checkers, is reused, in hours; 0 turns the cache off (default 24).
    pub cache_hours: u64,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        ExternalConfig {
            host_interval_ms: 1000,
            concurrency: NonZeroUsize::new(4).unwrap_or(NonZeroUsize::MIN),
            timeout_secs: NonZeroU64::new(15).unwrap_or(NonZeroU64::MIN),
            max_redirects: 10,
            cache_hours: 24,
        }
    }
}

fn default_language() -> String {
    "en".to_string()
}

fn default_theme() -> String {
    "default".to_string()
}

fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}

fn yes() -> bool {
    true
}

impl Config {
    /// Reads and validates `site.toml` in `root`.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::file_error(CONFIG_FILE, format!("cannot read the site configuration: {e}"))
                .with_hint(format!(
                    "run carebook in a site folder (one holding {CONFIG_FILE}), pass --root DIR, or create a site with `carebook init`"
                ))
        })?;
        Config::parse(SourceFile::new(CONFIG_FILE, text))
    }

    /// Parses the text of `site.toml`.
    pub fn parse(source: SourceFile) -> Result<Config, Diagnostic> {
        let mut config: Config =
            toml::from_str(&source.text).map_err(|e| toml_error(&source, &e))?;
        config.base_url = normalize_base_url(&config.base_url);
        if !(config.base_url.starts_with("http://") || config.base_url.starts_with("https://")) {
            let span = find_value_span(&source, "base_url");
            return Err(Diagnostic::error(
                &source,
                span,
                "`base_url` must be an absolute http(s) URL",
            )
            .with_hint("for example `base_url = \"https://example.org/\"`"));
        }
        config.check.source = Some(source);
        Ok(config)
    }

    /// Replaces `base_url`, e.g. from `--base-url`.
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = normalize_base_url(url);
    }

    /// The path part of `base_url` (`/` or e.g. `/guide/`): every internal URL starts with it.
    pub fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    }

    /// The scheme and host part of `base_url`, without a trailing slash.
    pub fn origin(&self) -> &str {
        let path = self.base_path();
        &self.base_url[..self.base_url.len() - path.len()]
    }
}

fn normalize_base_url(url: &str) -> String {
    let trimmed = url.trim();
    if trimmed.ends_with('/') {
        trimmed.to_string()
    } else {
        format!("{trimmed}/")
    }
}

fn toml_error(source: &SourceFile, error: &toml::de::Error) -> Diagnostic {
    let span = error
        .span()
        .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
    let message = error.message().trim().replace("field", "key");
    let hint = if message.starts_with("unknown key") {
        unknown_key_hint(&message)
    } else if message.starts_with("missing key") {
        "add the key; `title` and `base_url` are required".to_string()
    } else {
        "see the README's site.toml reference".to_string()
    };
    Diagnostic::error(
        source,
        span,
        format!("{message} in {}", source.path.display()),
    )
    .with_hint(hint)
}

/// "did you mean" for toml's "unknown key `x`, expected one of `a`, `b`" message.
fn unknown_key_hint(message: &str) -> String {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    match quoted.split_first() {
        Some((key, valid)) => match did_you_mean(key, valid.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "remove the key or correct its spelling; see the README's site.toml reference"
                .to_string(),
        },
        None => "see the README's site.toml reference".to_string(),
    }
}

/// The span of `key = value` on its line, for errors found after parsing.
fn find_value_span(source: &SourceFile, key: &str) -> Span {
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        if line.trim_start().starts_with(key) {
            let start = offset + (line.len() - line.trim_start().len());
            return Span::new(start, offset + line.trim_end().len());
        }
        offset += line.len();
    }
    Span::new(0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Diagnostic> {
        Config::parse(SourceFile::new("site.toml", text.to_string()))
    }

    #[test]
    fn defaults_apply() {
        let c = parse("title = \"T\"\nbase_url = \"https://example.org\"\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/");
        assert_eq!(c.language, "en");
        assert_eq!(c.theme, "default");
        assert_eq!(c.build.output_dir, PathBuf::from("public"));
        assert!(c.markdown.smart_punctuation);
        assert_eq!(c.base_path(), "/");
        assert_eq!(c.origin(), "https://example.org");
    }

    #[test]
    fn base_path_keeps_a_subfolder() {
        let c = parse("title = \"T\"\nbase_url = \"https://example.org/guide\"\n").unwrap();
        assert_eq!(c.base_path(), "/guide/");
        assert_eq!(c.origin(), "https://example.org");
    }

    #[test]
    fn unknown_key_names_key_line_and_valid_keys() {
        let err =
            parse("title = \"T\"\nbase_url = \"https://e.org\"\ntheem = \"x\"\n").unwrap_err();
        assert_eq!(err.location(), "site.toml:3:1");
        assert!(
            err.message.contains("unknown key `theem`"),
            "{}",
            err.message
        );
        assert!(err.message.contains("`theme`"), "{}", err.message);
        assert_eq!(err.hint.as_deref(), Some("did you mean `theme`?"));
    }

    #[test]
    fn relative_base_url_is_refused() {
        let err = parse("title = \"T\"\nbase_url = \"example.org\"\n").unwrap_err();
        assert_eq!(err.location(), "site.toml:2:1");
    }
}
