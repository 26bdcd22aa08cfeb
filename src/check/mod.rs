//! Content checks: clinical governance, readability, link health, structure
//! and care cards, for `carebook check` and as warnings in every build.
//!
//! # Design
//!
//! A rule is a function from the assembled [`Site`] (with its `[check]`
//! settings and today's date, in a [`Context`]) to the [`Diagnostic`]s it
//! finds, at the severity its level asks for. Rules never read the disk and
//! never parse Markdown: they use the front matter and its key spans
//! ([`crate::front_matter::KeySpans`]), the text blocks, care cards, images
//! and external links the markdown stage collected
//! ([`crate::markdown::DocumentText`]) and the link graph. Every finding
//! therefore points at a `file:line:col`, and one run reports the whole site.
//!
//! [`run`] runs every rule whose level is not `off` and returns a [`Report`]:
//! the [`Finding`]s (a diagnostic and the [`Rule`] that made it), each page's
//! readability, and the pages due for review. `carebook check` reports the
//! findings at their configured severity and fails on any error;
//! [`crate::build::validate`] adds them to a build's diagnostics as warnings
//! only, so a lapsed review never stops a clinic publishing an urgent fix.
//!
//! # The rules
//!
//! Each rule's id is also its table in `site.toml` (`[check.orphan_page]
//! level = "error"`); the level is `off`, `warning` or `error`.
//!
//! | rule | default | finds |
//! |---|---|---|
//! | `draft_link` | error | a published page linking to a draft (seen with `--drafts`; otherwise the link is a build error) |
//! | `orphan_page` | warning | a page no other page or section links to |
//! | `image_alt` | error | an image without alternative text |
//! | `insecure_link` | warning | an `http://` link, in the body or in `sources` |
//! | `readability` | warning | Flesch-Kincaid grade over `max_grade` (8) or SMOG grade over `max_smog` (11); optionally Flesch reading ease under `min_reading_ease` and a share of sentences over 25 words above `max_long_sentence_share` |
//! | `review_fields` | error | a clinical page (condition, article, exercise) without `reviewed`, `review_due`, `reviewed_by` or `sources` |
//! | `review_overdue` | error | `review_due` has passed |
//! | `review_due_soon` | warning | `review_due` is within `days` (60) |
//! | `review_interval` | warning | `review_due` is more than `max_years` (3) after `reviewed` |
//! | `date_order` | error | `updated` before `date`, or `review_due` before `reviewed` |
//! | `multiple_h1` | warning | an H1 (`# …`) in a body: the title is already the page's H1 |
//! | `heading_levels` | warning | a heading that skips a level (`####` after `##`) |
//! | `empty_section` | warning | a heading with nothing under it before the next heading of its level |
//! | `duplicate_title` | warning | two pages with the same title |
//! | `summary_length` | warning | a `summary` over `max_chars` (200) characters |
//! | `emergency_card` | warning | a `> [!CAUTION]` card with more than `max_links` (1) links or `max_bullets` (5) bullets |
//! | `red_flags_link` | error | a condition page that does not link to `[check] red_flags_page` (only when it is set) |
//! | `dead_link` | error | with `--external`: an external link answering 404 or 410, to a host that does not exist, or refusing connections |
//! | `blocked_link` | warning | with `--external`: an external link whose site turns checkers away (403, 429, 999) |
//! | `unverified_link` | warning | with `--external`: an external link with no clear answer (timeouts, server errors, other statuses) |
//!
//! Governance rules skip drafts: they are not published. The last three visit
//! other sites, so they run only when asked for; see [`external`].
//!
//! # Readability
//!
//! Grades are computed on the text a reader sees (headings, paragraphs and
//! list items, each its own sentence at least; code and tables skipped), from
//! counts that match the npm package `text-readability` 1.1.1 with `syllable`
//! 5.0.1 exactly; see [`readability`] for the reference and its test vectors.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::{CheckConfig, Level};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Severity, SourceFile};
use crate::markdown::RenderedDoc;
use crate::site::Site;

pub mod care_cards;
pub mod external;
pub mod governance;
pub mod links;
pub mod readability;
pub mod report;
pub mod structure;

use crate::links::DocId;

/// What made a finding: one of the content rules, or the build itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The build's own problems (broken links, bad front matter, templates):
    /// always reported, and not configurable.
    Build,
    DraftLink,
    OrphanPage,
    ImageAlt,
    InsecureLink,
    Readability,
    ReviewFields,
    ReviewOverdue,
    ReviewDueSoon,
    ReviewInterval,
    DateOrder,
    MultipleH1,
    HeadingLevels,
    EmptySection,
    DuplicateTitle,
    SummaryLength,
    EmergencyCard,
    RedFlagsLink,
    DeadLink,
    BlockedLink,
    UnverifiedLink,
}

type RuleFn = fn(&Context, Severity) -> Vec<Diagnostic>;

impl Rule {
    /// Every content rule, in the order they are listed in the README.
    pub const CHECKS: [Rule; 20] = [
        Rule::DraftLink,
        Rule::OrphanPage,
        Rule::ImageAlt,
        Rule::InsecureLink,
        Rule::Readability,
        Rule::ReviewFields,
        Rule::ReviewOverdue,
        Rule::ReviewDueSoon,
        Rule::ReviewInterval,
        Rule::DateOrder,
        Rule::MultipleH1,
        Rule::HeadingLevels,
        Rule::EmptySection,
        Rule::DuplicateTitle,
        Rule::SummaryLength,
        Rule::EmergencyCard,
        Rule::RedFlagsLink,
        Rule::DeadLink,
        Rule::BlockedLink,
        Rule::UnverifiedLink,
    ];

    /// Whether the rule reads documents' bodies, one document at a time
    /// (through [`Context::documents`] or the readability measurements). The
    /// other rules read only front matter, the link graph and settings.
    pub fn reads_bodies(self) -> bool {
        matches!(
            self,
            Rule::DraftLink
                | Rule::ImageAlt
                | Rule::InsecureLink
                | Rule::Readability
                | Rule::MultipleH1
                | Rule::HeadingLevels
                | Rule::EmptySection
                | Rule::EmergencyCard
        )
    }

    /// The rules only `carebook check --external` runs, over the network.
    pub const EXTERNAL: [Rule; 3] = [Rule::DeadLink, Rule::BlockedLink, Rule::UnverifiedLink];

    /// The rule's id in reports, and its table under `[check]`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Build => "build",
            Rule::DraftLink => "draft_link",
            Rule::OrphanPage => "orphan_page",
            Rule::ImageAlt => "image_alt",
            Rule::InsecureLink => "insecure_link",
            Rule::Readability => "readability",
            Rule::ReviewFields => "review_fields",
            Rule::ReviewOverdue => "review_overdue",
            Rule::ReviewDueSoon => "review_due_soon",
            Rule::ReviewInterval => "review_interval",
            Rule::DateOrder => "date_order",
            Rule::MultipleH1 => "multiple_h1",
            Rule::HeadingLevels => "heading_levels",
            Rule::EmptySection => "empty_section",
            Rule::DuplicateTitle => "duplicate_title",
            Rule::SummaryLength => "summary_length",
            Rule::EmergencyCard => "emergency_card",
            Rule::RedFlagsLink => "red_flags_link",
            Rule::DeadLink => "dead_link",
            Rule::BlockedLink => "blocked_link",
            Rule::UnverifiedLink => "unverified_link",
        }
    }

    /// The level a rule has when `site.toml` does not set one.
    pub fn default_level(self) -> Level {
        match self {
            Rule::Build
            | Rule::DraftLink
            | Rule::ImageAlt
            | Rule::ReviewFields
            | Rule::ReviewOverdue
            | Rule::DateOrder
            | Rule::RedFlagsLink
            | Rule::DeadLink => Level::Error,
            Rule::OrphanPage
            | Rule::InsecureLink
            | Rule::Readability
            | Rule::ReviewDueSoon
            | Rule::ReviewInterval
            | Rule::MultipleH1
            | Rule::HeadingLevels
            | Rule::EmptySection
            | Rule::DuplicateTitle
            | Rule::SummaryLength
            | Rule::EmergencyCard
            | Rule::BlockedLink
            | Rule::UnverifiedLink => Level::Warning,
        }
    }

    /// The level in force: `site.toml`'s, else the default.
    pub fn level(self, config: &CheckConfig) -> Level {
        let configured = match self {
            Rule::Build => None,
            Rule::DraftLink => config.draft_link.level,
            Rule::OrphanPage => config.orphan_page.level,
            Rule::ImageAlt => config.image_alt.level,
            Rule::InsecureLink => config.insecure_link.level,
            Rule::Readability => config.readability.level,
            Rule::ReviewFields => config.review_fields.level,
            Rule::ReviewOverdue => config.review_overdue.level,
            Rule::ReviewDueSoon => config.review_due_soon.level,
            Rule::ReviewInterval => config.review_interval.level,
            Rule::DateOrder => config.date_order.level,
            Rule::MultipleH1 => config.multiple_h1.level,
            Rule::HeadingLevels => config.heading_levels.level,
            Rule::EmptySection => config.empty_section.level,
            Rule::DuplicateTitle => config.duplicate_title.level,
            Rule::SummaryLength => config.summary_length.level,
            Rule::EmergencyCard => config.emergency_card.level,
            Rule::RedFlagsLink => config.red_flags_link.level,
            Rule::DeadLink => config.dead_link.level,
            Rule::BlockedLink => config.blocked_link.level,
            Rule::UnverifiedLink => config.unverified_link.level,
        };
        configured.unwrap_or(self.default_level())
    }

    fn function(self) -> RuleFn {
        match self {
            Rule::Build => |_, _| Vec::new(),
            Rule::DraftLink => links::draft_links,
            Rule::OrphanPage => links::orphan_pages,
            Rule::ImageAlt => links::image_alt,
            Rule::InsecureLink => links::insecure_links,
            Rule::Readability => readability::hard_to_read,
            Rule::ReviewFields => governance::review_fields,
            Rule::ReviewOverdue => governance::review_overdue,
            Rule::ReviewDueSoon => governance::review_due_soon,
            Rule::ReviewInterval => governance::review_interval,
            Rule::DateOrder => governance::date_order,
            Rule::MultipleH1 => structure::multiple_h1,
            Rule::HeadingLevels => structure::heading_levels,
            Rule::EmptySection => structure::empty_sections,
            Rule::DuplicateTitle => structure::duplicate_titles,
            Rule::SummaryLength => structure::summary_length,
            Rule::EmergencyCard => care_cards::emergency_cards,
            Rule::RedFlagsLink => care_cards::red_flags_links,
            // Never part of a local run: the network is visited only when
            // asked for, by `external::check`.
            Rule::DeadLink | Rule::BlockedLink | Rule::UnverifiedLink => |_, _| Vec::new(),
        }
    }
}

/// One finding and the rule that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub diagnostic: Diagnostic,
}

impl Finding {
    /// The same finding as a warning: how a build reports content checks.
    pub fn as_warning(&self) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..self.diagnostic.clone()
        }
    }
}

/// What every rule is given.
pub struct Context<'a> {
    pub site: &'a Site,
    pub config: &'a CheckConfig,
    pub today: Date,
    /// Each page's readability, measured once for the rule and the report.
    pub readability: &'a [readability::PageReadability],
    /// Only this page's document, when the checks run for one page's body.
    pub only_page: Option<usize>,
}

/// A document with Markdown of its own: a page, or a section's `_index.md`.
pub struct Document<'a> {
    pub source: &'a SourceFile,
    pub doc: &'a RenderedDoc<DocId>,
    /// The page's index, for pages.
    pub page: Option<usize>,
}

impl<'a> Context<'a> {
    /// Every page, then every section that has an `_index.md` (or only
    /// [`Context::only_page`]).
    pub fn documents(&self) -> impl Iterator<Item = Document<'a>> + use<'a> {
        let only = self.only_page;
        documents(self.site).filter(move |d| only.is_none() || d.page == only)
    }
}

/// Every page of `site`, then every section that has an `_index.md`.
pub fn documents(site: &Site) -> impl Iterator<Item = Document<'_>> {
    let pages = site
        .pages
        .iter()
        .zip(&site.page_docs)
        .enumerate()
        .map(|(i, (p, doc))| Document {
            source: &p.source,
            doc,
            page: Some(i),
        });
    let sections = site
        .sections
        .iter()
        .zip(&site.section_docs)
        .filter_map(|(s, doc)| {
            s.source.as_ref().map(|source| Document {
                source,
                doc,
                page: None,
            })
        });
    pages.chain(sections)
}

/// A page whose clinical review is due, for `carebook check --due`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReview {
    /// The page's file, as diagnostics name it (`content/conditions/sciatica.md`).
    pub file: PathBuf,
    pub title: String,
    pub review_due: Date,
    /// Days from today to `review_due`: negative when overdue.
    pub days_left: i64,
    pub reviewed_by: Option<String>,
}

/// One page's readability, for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct PageStats {
    pub file: PathBuf,
    pub title: String,
    pub counts: readability::Counts,
    pub scores: readability::Scores,
}

/// Everything one run of the checks found.
#[derive(Debug)]
pub struct Report {
    pub today: Date,
    /// Every finding, sorted by file and position.
    pub findings: Vec<Finding>,
    /// The level in force for each content rule, in [`Rule::CHECKS`] order.
    pub levels: Vec<(Rule, Level)>,
    /// Each page's readability, in path order.
    pub pages: Vec<PageStats>,
    /// The last day of the "due for review" window: today plus `[check.review_due_soon] days`.
    pub due_by: Date,
    /// Pages due for review by `due_by`, soonest first.
    pub due: Vec<DueReview>,
    /// What `--external` checked; `None` without it.
    pub external: Option<external::Summary>,
}

impl Report {
    /// A report of problems found before the site could be checked (e.g. a bad `site.toml`).
    pub fn failed(diagnostics: impl IntoIterator<Item = Diagnostic>, today: Date) -> Report {
        let config = CheckConfig::default();
        Report {
            today,
            findings: diagnostics
                .into_iter()
                .map(|diagnostic| Finding {
                    rule: Rule::Build,
                    diagnostic,
                })
                .collect(),
            levels: levels(&config),
            pages: Vec::new(),
            due_by: today.add_days(i64::from(config.review_due_soon.days)),
            due: Vec::new(),
            external: None,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.diagnostic.is_error())
    }

    pub fn error_count(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.diagnostic.is_error())
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.findings.len() - self.error_count()
    }

    /// Adds the build's own diagnostics (rule `build`), keeping the order.
    pub fn add_build_diagnostics(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.add_findings(diagnostics.into_iter().map(|diagnostic| Finding {
            rule: Rule::Build,
            diagnostic,
        }));
    }

    /// Adds findings made outside [`run`] (the build's, `--external`'s), keeping the order.
    pub fn add_findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
        sort_findings(&mut self.findings);
    }
}

fn levels(config: &CheckConfig) -> Vec<(Rule, Level)> {
    Rule::CHECKS
        .iter()
        .map(|&rule| (rule, rule.level(config)))
        .collect()
}

/// Runs `rules` (those not `off`) in parallel; the findings come sorted.
fn run_rules(context: &Context, rules: &[Rule]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = rules
        .par_iter()
        .flat_map_iter(|&rule| {
            let Some(severity) = severity(rule.level(context.config)) else {
                return Vec::new();
            };
            rule.function()(context, severity)
                .into_iter()
                .map(|diagnostic| Finding { rule, diagnostic })
                .collect()
        })
        .collect();
    sort_findings(&mut findings);
    findings
}

/// The findings of the rules that read bodies ([`Rule::reads_bodies`]) on
/// one page's document: after an edit that changed only that page's body,
/// these are the only findings that can change.
pub fn run_on_body(
    site: &Site,
    today: Date,
    page: usize,
    memo: &mut readability::ReadabilityMemo,
) -> Vec<Finding> {
    let measured = [readability::measure_one(site, page, memo)];
    let context = Context {
        site,
        config: &site.config.check,
        today,
        readability: &measured,
        only_page: Some(page),
    };
    let body_rules: Vec<Rule> = Rule::CHECKS
        .into_iter()
        .filter(|r| r.reads_bodies())
        .collect();
    run_rules(&context, &body_rules)
}

/// Runs every rule that is not `off` on the whole site.
pub fn run(site: &Site, today: Date, memo: &mut readability::ReadabilityMemo) -> Report {
    let config = &site.config.check;
    let measured = readability::measure(site, memo);
    let context = Context {
        site,
        config,
        today,
        readability: &measured,
        only_page: None,
    };
    let findings = run_rules(&context, &Rule::CHECKS);
    let pages = measured
        .into_iter()
        .map(|m| {
            let page = &site.pages[m.page];
            PageStats {
                file: page.source.path.clone(),
                title: page.meta.title.clone(),
                counts: m.counts,
                scores: m.scores,
            }
        })
        .collect();
    Report {
        today,
        findings,
        levels: levels(config),
        pages,
        due_by: today.add_days(i64::from(config.review_due_soon.days)),
        due: due_for_review(site, today),
        external: None,
    }
}

/// The severity of a rule's findings at `level`; `None` when it is off.
pub fn severity(level: Level) -> Option<Severity> {
    match level {
        Level::Off => None,
        Level::Warning => Some(Severity::Warning),
        Level::Error => Some(Severity::Error),
    }
}

/// By file, position, then message, so reports read top to bottom and never change order.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.diagnostic.file.clone(),
                f.diagnostic.position.as_ref().map(|p| p.start),
                f.rule,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.diagnostic.message.cmp(&b.diagnostic.message))
    });
    findings.dedup();
}

/// Published pages whose `review_due` is on or before today plus the due-soon window.
fn due_for_review(site: &Site, today: Date) -> Vec<DueReview> {
    let horizon = today.add_days(i64::from(site.config.check.review_due_soon.days));
    let mut due: Vec<DueReview> = site
        .pages
        .iter()
        .filter(|p| !p.meta.draft)
        .filter_map(|p| {
            let review_due = p.meta.review_due?;
            (review_due <= horizon).then(|| DueReview {
                file: p.source.path.clone(),
                title: p.meta.title.clone(),
                review_due,
                days_left: review_due.days() - today.days(),
                reviewed_by: p.meta.reviewed_by.clone(),
            })
        })
        .collect();
    due.sort_by(|a, b| (a.review_due, &a.file).cmp(&(b.review_due, &b.file)));
    due
}

/// Findings counted by rule: `(errors, warnings)`.
pub fn counts_by_rule(findings: &[Finding]) -> BTreeMap<Rule, (usize, usize)> {
    let mut counts = BTreeMap::new();
    for f in findings {
        let entry = counts.entry(f.rule).or_insert((0, 0));
        match f.diagnostic.severity {
            Severity::Error => entry.0 += 1,
            Severity::Warning => entry.1 += 1,
        }
    }
    counts
}

/// `1 day`, `3 days`.
pub(crate) fn plural(n: i64, word: &str) -> String {
    if n.abs() == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Runs the checks on a small site written to a temporary folder, for the
/// rules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::build::{BuildOptions, run_stages};

    /// `site.toml` with only what is required.
    pub const SITE_TOML: &str = "title = \"T\"\nbase_url = \"https://example.org/\"\n";

    /// The headlines of every finding of the content checks (not the build's)
    /// on a site of these files, as if today were 2026-11-23.
    pub fn headlines(files: &[(&str, &str)]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut files = files.to_vec();
        if !files.iter().any(|(path, _)| *path == "site.toml") {
            files.push(("site.toml", SITE_TOML));
        }
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
            std::fs::write(path, text).expect("a file");
        }
        let options = BuildOptions {
            root: dir.path().to_path_buf(),
            ..BuildOptions::default()
        };
        let today = "2026-11-23".parse().expect("a date");
        let Ok(stages) = run_stages(&options, today) else {
            panic!("the site.toml is valid");
        };
        stages
            .checks
            .findings
            .iter()
            .map(|f| f.diagnostic.headline())
            .collect()
    }

    /// A page that every rule is happy with, linked from the home page.
    pub fn home_linking(slugs: &[&str]) -> String {
        let links: Vec<String> = slugs.iter().map(|s| format!("[[{s}]]")).collect();
        format!("---\ntitle: Home\n---\n\nRead {}.\n", links.join(", "))
    }
}
