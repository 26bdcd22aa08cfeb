//! Stage 3, page: turn raw files with front matter into validated [`Page`]s
//! and [`Section`]s.
//!
//! Each Markdown file's front matter is parsed (in parallel) and checked on
//! its own (a title is present, a condition has a summary), then the set of
//! pages is checked as a whole: slugs are unique, and every slug named in a
//! `conditions:` list is a condition page. The result, [`PageSet`], is the
//! first stage where content is known to be well-formed; everything after it
//! may rely on that.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::front_matter::{self, Dose, KeySpans, Kind, SourceRef};
use crate::load::{Content, MarkdownFile};
use crate::memo::Memo;

/// The file name that makes a folder's Markdown describe the section itself.
pub const SECTION_INDEX: &str = "_index.md";

/// A page's validated front matter.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageMeta {
    pub title: String,
    pub summary: Option<String>,
    pub kind: Kind,
    pub also_called: Vec<String>,
    pub conditions: Vec<String>,
    pub tags: Vec<String>,
    pub reviewed: Option<Date>,
    pub review_due: Option<Date>,
    pub reviewed_by: Option<String>,
    pub sources: Vec<SourceRef>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub draft: bool,
    pub weight: Option<i64>,
    pub dose: Option<Dose>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One content page, validated.
#[derive(Debug, Clone)]
pub struct Page {
    /// Shared with the loaded file, so that unchanged pages can be recognised and reused.
    pub source: Arc<SourceFile>,
    /// Relative to `content/`: `conditions/sciatica.md`.
    pub rel_path: String,
    /// The section folder (`conditions`; `""` at the top level).
    pub section: String,
    /// The name used in URLs and `[[slug]]` links.
    pub slug: String,
    /// The URL path relative to the site root, always ending in `/`: `conditions/sciatica/`.
    pub path: String,
    pub meta: PageMeta,
    pub spans: KeySpans,
    pub body_start: usize,
    /// A hash of the file's path and text: everything the page's own data comes from.
    pub fingerprint: u64,
}

impl Page {
    pub fn body(&self) -> &str {
        &self.source.text[self.body_start..]
    }
}

/// A section: a folder under `content/`, described by its `_index.md` when it has one.
#[derive(Debug, Clone)]
pub struct Section {
    /// Relative to `content/`; `""` is the home page.
    pub dir: String,
    /// URL path relative to the site root: `conditions/` (`""` for home).
    pub path: String,
    pub title: String,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The `_index.md`, if the folder has one.
    pub source: Option<Arc<SourceFile>>,
    pub body_start: usize,
}

impl Section {
    pub fn body(&self) -> &str {
        self.source
            .as_ref()
            .map_or("", |s| &s.text[self.body_start..])
    }

    /// The folder holding this section (`None` for the home page).
    pub fn parent_dir(&self) -> Option<&str> {
        if self.dir.is_empty() {
            None
        } else {
            Some(self.dir.rsplit_once('/').map_or("", |(parent, _)| parent))
        }
    }
}

/// Every page and section of the site, validated, sorted by path.
#[derive(Debug, Default)]
pub struct PageSet {
    pub pages: Vec<Arc<Page>>,
    pub sections: Vec<Section>,
    /// Paths (relative to `content/`) of drafts left out of this build.
    pub drafts: Vec<String>,
    /// Paths of pages whose front matter has errors (already reported). Links
    /// to them are not reported again: one mistake gives one error, not one
    /// per page that links to it.
    pub invalid: Vec<String>,
}

/// Pages parsed in an earlier run, by path, reused while their file is unchanged.
pub type PageMemo = Memo<SourceFile, Result<Arc<Page>, Diagnostic>>;

/// Validates every Markdown file of the site, parsing only files that `memo`
/// has not seen (all of them, with an empty memo).
pub fn build_pages(
    content: &Content,
    include_drafts: bool,
    memo: &mut PageMemo,
) -> (PageSet, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let (index_files, page_files): (Vec<&MarkdownFile>, Vec<&MarkdownFile>) =
        content.markdown.iter().partition(|f| {
            f.rel_path.ends_with(SECTION_INDEX) && file_name(&f.rel_path) == SECTION_INDEX
        });

    let parsed: Vec<Result<Arc<Page>, Diagnostic>> = page_files
        .par_iter()
        .map(|f| {
            memo.get(&f.rel_path, &f.source)
                .unwrap_or_else(|| parse_page(f).map(Arc::new))
        })
        .collect();
    memo.keep(
        page_files
            .iter()
            .zip(&parsed)
            .map(|(f, result)| (f.rel_path.clone(), f.source.clone(), result.clone())),
    );
    let mut set = PageSet::default();
    for (result, file) in parsed.into_iter().zip(&page_files) {
        match result {
            Ok(page) if page.meta.draft && !include_drafts => {
                set.drafts.push(page.rel_path.clone())
            }
            Ok(page) => set.pages.push(page),
            Err(d) => {
                diagnostics.push(d);
                set.invalid.push(file.rel_path.clone());
            }
        }
    }
    set.sections = build_sections(&content.folders, &index_files, &mut diagnostics);
    diagnostics.extend(check_unique_slugs(&set.pages));
    diagnostics.extend(check_condition_slugs(&set.pages, &set.invalid));
    (set, diagnostics)
}

fn file_name(rel_path: &str) -> &str {
    rel_path.rsplit('/').next().unwrap_or(rel_path)
}

pub(crate) fn parse_page(file: &MarkdownFile) -> Result<Page, Diagnostic> {
    let parsed = front_matter::parse_page(&file.source)?;
    let front = parsed.front;
    let source = &file.source;
    let Some(title) = front.title.filter(|t| !t.trim().is_empty()) else {
        return Err(
            Diagnostic::error(source, parsed.spans.header, "the page has no `title`")
                .with_hint("add a line such as `title: Sciatica` to the front matter"),
        );
    };
    let kind = front.kind.unwrap_or_default();
    let summary = front.summary.filter(|s| !s.trim().is_empty());
    if kind == Kind::Condition && summary.is_none() {
        return Err(Diagnostic::error(source, parsed.spans.key("kind"), "a condition page needs a `summary`")
            .with_hint("add `summary:` with one or two plain sentences; it is shown in listings and search results"));
    }
    let PageAddress {
        section,
        slug,
        path,
    } = page_address(&file.rel_path);
    Ok(Page {
        source: Arc::clone(source),
        rel_path: file.rel_path.clone(),
        section,
        slug,
        path,
        meta: PageMeta {
            title,
            summary,
            kind,
            also_called: front.also_called,
            conditions: front.conditions,
            tags: front.tags,
            reviewed: front.reviewed,
            review_due: front.review_due,
            reviewed_by: front.reviewed_by,
            sources: front.sources,
            date: front.date,
            updated: front.updated,
            draft: front.draft,
            weight: front.weight,
            dose: front.dose,
            extra: front.extra,
        },
        spans: parsed.spans,
        body_start: parsed.body_start,
        fingerprint: crate::memo::fingerprint(&(&file.rel_path, &source.text)),
    })
}

/// Where a page file lives in the site.
pub struct PageAddress {
    /// The section folder (`conditions`; `""` at the top level).
    pub section: String,
    pub slug: String,
    /// URL path relative to the site root: `conditions/sciatica/`.
    pub path: String,
}

/// `conditions/sciatica.md` → section `conditions`, slug `sciatica`, path `conditions/sciatica/`.
pub fn page_address(rel_path: &str) -> PageAddress {
    let (section, stem) = split_rel_path(rel_path);
    let slug = slugify(stem);
    let path = if section.is_empty() {
        format!("{slug}/")
    } else {
        format!("{section}/{slug}/")
    };
    PageAddress {
        section: section.to_string(),
        slug,
        path,
    }
}

/// `conditions/sciatica.md` → (`conditions`, `sciatica`).
fn split_rel_path(rel_path: &str) -> (&str, &str) {
    let without_ext = rel_path.strip_suffix(".md").unwrap_or(rel_path);
    without_ext.rsplit_once('/').unwrap_or(("", without_ext))
}

fn build_sections(
    folders: &[String],
    index_files: &[&MarkdownFile],
    diagnostics: &mut Diagnostics,
) -> Vec<Section> {
    let by_dir: HashMap<&str, &MarkdownFile> = index_files
        .iter()
        .map(|f| {
            (
                f.rel_path
                    .strip_suffix(SECTION_INDEX)
                    .unwrap_or("")
                    .trim_end_matches('/'),
                *f,
            )
        })
        .collect();
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    for dir in folders {
        let mut section = Section {
            dir: dir.clone(),
            path: if dir.is_empty() {
                String::new()
            } else {
                format!("{}/", slugify_path(dir))
            },
            title: title_from_folder(dir),
            summary: None,
            weight: None,
            extra: serde_json::Map::new(),
            source: None,
            body_start: 0,
        };
        if let Some(file) = by_dir.get(dir.as_str()) {
            match front_matter::parse_section(&file.source) {
                Ok(parsed) => {
                    if let Some(title) = parsed.front.title.filter(|t| !t.trim().is_empty()) {
                        section.title = title;
                    }
                    section.summary = parsed.front.summary;
                    section.weight = parsed.front.weight;
                    section.extra = parsed.front.extra;
                    section.body_start = parsed.body_start;
                    section.source = Some(file.source.clone());
                }
                Err(d) => diagnostics.push(d),
            }
        }
        sections.insert(dir.clone(), section);
    }
    sections.into_values().collect()
}

fn title_from_folder(dir: &str) -> String {
    let name = dir
        .rsplit('/')
        .next()
        .unwrap_or(dir)
        .replace(['-', '_'], " ");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Home".to_string(),
    }
}

fn check_unique_slugs(pages: &[Arc<Page>]) -> Vec<Diagnostic> {
    let mut first_with_slug: HashMap<&str, &Page> = HashMap::new();
    let mut found = Vec::new();
    for page in pages {
        if let Some(first) = first_with_slug.get(page.slug.as_str()) {
            found.push(
                Diagnostic::error(
                    &page.source,
                    page.spans.header,
                    format!("duplicate slug `{}`: {} has the same one", page.slug, first.source.path.display()),
                )
                .with_hint("every page needs a unique file name, because `[[slug]]` links find pages by it; rename one file"),
            );
        } else {
            first_with_slug.insert(&page.slug, page);
        }
    }
    found
}

fn check_condition_slugs(pages: &[Arc<Page>], invalid: &[String]) -> Vec<Diagnostic> {
    let kinds: HashMap<&str, Kind> = pages
        .iter()
        .map(|p| (p.slug.as_str(), p.meta.kind))
        .collect();
    let invalid_slugs: Vec<String> = invalid.iter().map(|p| page_address(p).slug).collect();
    let condition_slugs: Vec<&str> = pages
        .iter()
        .filter(|p| p.meta.kind == Kind::Condition)
        .map(|p| p.slug.as_str())
        .collect();
    let mut found = Vec::new();
    for page in pages {
        for slug in &page.meta.conditions {
            let span = page.spans.value(&page.source, "conditions", slug);
            let problem = match kinds.get(slug.as_str()) {
                Some(Kind::Condition) => continue,
                None if invalid_slugs.contains(slug) => continue,
                Some(other) => format!(
                    "`{slug}` in `conditions` is a {} page, not a condition",
                    other.as_str()
                ),
                None => format!("unknown condition `{slug}` in `conditions`"),
            };
            let hint = match did_you_mean(slug, condition_slugs.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "list the slugs (file names without .md) of condition pages".to_string(),
            };
            found.push(Diagnostic::error(&page.source, span, problem).with_hint(hint));
        }
    }
    found
}

/// A URL- and anchor-safe name: lowercase letters and digits joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_' || c == '/')
            && !slug.ends_with('-')
            && !slug.is_empty()
        {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

fn slugify_path(dir: &str) -> String {
    dir.split('/').map(slugify).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_url_safe_names() {
        assert_eq!(slugify("When to see a doctor?"), "when-to-see-a-doctor");
        assert_eq!(
            slugify("Hip flexor  stretch (kneeling)"),
            "hip-flexor-stretch-kneeling"
        );
        assert_eq!(slugify("Ça va"), "ça-va");
        assert_eq!(slugify("  --x--  "), "x");
    }

    #[test]
    fn splits_section_and_stem() {
        assert_eq!(
            split_rel_path("conditions/sciatica.md"),
            ("conditions", "sciatica")
        );
        assert_eq!(split_rel_path("about.md"), ("", "about"));
    }

    #[test]
    fn folder_titles_are_readable() {
        assert_eq!(title_from_folder("self-care"), "Self care");
        assert_eq!(title_from_folder(""), "Home");
    }
}
