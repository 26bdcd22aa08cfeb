//! Stage 7, render: fill the theme's Tera templates from the [`Site`] and
//! hand every output file to an [`OutputSink`].
//!
//! Templates come from `themes/<theme>/templates/`; a file of the same name
//! in the site's own `templates/` replaces the theme's, file by file. Static
//! files work the same way. The template contexts are plain serializable
//! structs built here from the site model, so a theme author sees exactly
//! the fields documented in the README and nothing internal.
//!
//! Rendering is parallel (rayon) and streams each file to the sink as soon as
//! it is rendered, so a large site never holds all its HTML in memory.
//!
//! # Rendering only what changed
//!
//! Each output file (a *job*) has a fingerprint: a hash of everything its
//! template context is made from, i.e. the page's own file and rendered
//! document, what it shows of every page it lists or links to (title, URL,
//! summary, kind, other names, dates), the sections in its breadcrumbs, its
//! tags' counts, and the site-wide part (configuration, navigation, theme
//! templates). [`render_site`] renders a job only when its fingerprint
//! differs from the one in the [`RenderMemo`] it is given, so after an
//! edit to one page's body only that page is rendered again, and after a
//! title change also every page that lists it. A one-off build passes an
//! empty memo and renders everything.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, ErrorKind, Tera};

use crate::config::{Clinic, Config};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, SourceFile, Span};
use crate::front_matter::{Dose, Kind, SourceRef};
use crate::load::{is_ignored, relative_slash_path};
use crate::markdown::Heading;
use crate::output::OutputSink;
use crate::site::Site;

mod json_ld;

/// Templates every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "page.html",
    "section.html",
    "index.html",
    "conditions.html",
    "tags.html",
    "tag.html",
    "404.html",
    "sitemap.xml",
    "atom.xml",
];

/// A loaded theme: compiled templates plus the static files to copy.
pub struct Theme {
    tera: Tera,
    /// Template name → the file it came from, to point render errors at it.
    template_sources: HashMap<String, SourceFile>,
    /// Output path → file on disk, site files overriding the theme's.
    pub static_files: Vec<(String, PathBuf)>,
    /// A hash of every template's name and text.
    fingerprint: u64,
}

impl Theme {
    /// Loads `themes/<name>` with the site's `templates/` and `static/` layered over it.
    pub fn load(root: &Path, config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let theme_dir = root.join("themes").join(&config.theme);
        if !theme_dir.is_dir() {
            return Err(vec![
                Diagnostic::file_error("site.toml", format!("the theme `{}` is not in themes/{}/", config.theme, config.theme))
                    .with_hint("set `theme` in site.toml to a folder under themes/, or copy the default theme there (`carebook init` creates one)"),
            ]);
        }
        let mut templates: HashMap<String, SourceFile> = HashMap::new();
        let mut errors = Vec::new();
        for dir in [theme_dir.join("templates"), root.join("templates")] {
            for (name, path) in list_files(&dir) {
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        let shown = crate::load::display_path(root, &path);
                        templates.insert(name, SourceFile::new(shown, text));
                    }
                    Err(e) => errors.push(Diagnostic::file_error(
                        &path,
                        format!("cannot read the template: {e}"),
                    )),
                }
            }
        }
        let missing: Vec<&str> = REQUIRED_TEMPLATES
            .iter()
            .copied()
            .filter(|t| !templates.contains_key(*t))
            .collect();
        if !missing.is_empty() {
            errors.push(
                Diagnostic::file_error(
                    crate::load::display_path(root, &theme_dir.join("templates")),
                    format!("the theme lacks the templates {}", missing.join(", ")),
                )
                .with_hint("copy them from the default theme"),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = Tera::default();
        let mut names: Vec<&String> = templates.keys().collect();
        names.sort();
        let fingerprint = crate::memo::fingerprint(
            &names
                .iter()
                .map(|n| (n.as_str(), templates[*n].text.as_str()))
                .collect::<Vec<_>>(),
        );
        if let Err(e) = tera.add_raw_templates(
            names
                .iter()
                .map(|n| (n.as_str(), templates[*n].text.as_str())),
        ) {
            return Err(vec![template_error(&e, &templates)]);
        }
        tera.register_filter("urlencode", |s: &str, _: tera::Kwargs, _: &tera::State| {
            urlencode(s)
        });
        let mut static_files: HashMap<String, PathBuf> = HashMap::new();
        for dir in [theme_dir.join("static"), root.join("static")] {
            static_files.extend(list_files(&dir));
        }
        let mut static_files: Vec<(String, PathBuf)> = static_files.into_iter().collect();
        static_files.sort();
        Ok(Theme {
            tera,
            template_sources: templates,
            static_files,
            fingerprint,
        })
    }

    /// The absolute theme folder path, to refuse it as an output folder.
    pub fn dir(root: &Path, config: &Config) -> PathBuf {
        root.join("themes").join(&config.theme)
    }

    fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(&e, &self.template_sources))
    }

    fn has(&self, name: &str) -> bool {
        self.template_sources.contains_key(name)
    }
}

/// Every file under `dir` as (path relative to `dir`, absolute path), skipping hidden and temporary files.
fn list_files(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (relative_slash_path(dir, e.path()), e.path().to_path_buf()))
        .collect()
}

/// Turns a Tera error into a diagnostic at the template line it names.
fn template_error(error: &tera::Error, sources: &HashMap<String, SourceFile>) -> Diagnostic {
    let report = match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => Some(report),
        _ => None,
    };
    let hint = "fix the template; see the Tera documentation for its syntax";
    match report.and_then(|r| sources.get(r.filename()).map(|s| (r, s))) {
        Some((report, source)) => {
            let range = &report.span().range;
            let kind = if matches!(error.kind(), ErrorKind::SyntaxError(_)) {
                "template syntax error"
            } else {
                "template error"
            };
            Diagnostic::error(
                source,
                Span::new(range.start, range.end),
                format!("{kind}: {}", report.message()),
            )
            .with_hint(hint)
        }
        None => {
            let file = report.map_or_else(
                || "templates".to_string(),
                |r| format!("templates/{}", r.filename()),
            );
            Diagnostic::file_error(
                file,
                format!("template error: {}", first_line(&error.to_string())),
            )
            .with_hint(hint)
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Template contexts: what a theme can use. Documented in the README.
// ---------------------------------------------------------------------------

/// `config` in every template.
#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    /// The path every internal URL starts with (`/` or e.g. `/guide/`).
    base_path: &'a str,
    /// Scheme and host of `base_url`, no trailing slash (`https://example.org`):
    /// `origin ~ url` is a link's absolute address.
    origin: &'a str,
    clinic: &'a Clinic,
    /// Top-level sections, for the main navigation.
    nav: Vec<LinkContext>,
    /// `None` when the site has no conditions listing (and so no page there).
    conditions_url: Option<String>,
    /// `None` when no page has tags.
    tags_url: Option<String>,
    /// The page `[check] red_flags_page` names (when to get urgent help), if set.
    red_flags: Option<LinkContext>,
    /// `None` when `[search] enable = false`.
    search_url: Option<String>,
    feed_url: String,
}

#[derive(Serialize, Clone)]
struct LinkContext {
    title: String,
    url: String,
    summary: Option<String>,
    kind: Option<Kind>,
    also_called: Vec<String>,
}

#[derive(Serialize)]
struct DateContext {
    iso: String,
    human: String,
}

impl From<Date> for DateContext {
    fn from(d: Date) -> Self {
        DateContext {
            iso: d.to_string(),
            human: d.human(),
        }
    }
}

#[derive(Serialize)]
struct Group {
    title: String,
    url: String,
    /// The section's folder (`causes`; `""` for top-level pages), for themes
    /// that title a section's group their own way.
    key: String,
    pages: Vec<LinkContext>,
}

#[derive(Serialize)]
struct TagContext {
    name: String,
    url: String,
    count: usize,
}

/// `page` in page templates.
#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    kind: Kind,
    kind_label: &'static str,
    /// Condition, article or exercise: shows review dates and sources.
    clinical: bool,
    slug: &'a str,
    url: String,
    permalink: String,
    content: &'a str,
    toc: &'a [Heading],
    also_called: &'a [String],
    tags: Vec<TagContext>,
    reviewed: Option<DateContext>,
    review_due: Option<DateContext>,
    reviewed_by: Option<&'a str>,
    sources: &'a [SourceRef],
    date: Option<DateContext>,
    /// Only when it differs from `date`.
    updated: Option<DateContext>,
    dose: Option<&'a Dose>,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    /// The conditions this page is about.
    conditions: Vec<LinkContext>,
    /// Condition pages: the pages about this condition, grouped by section.
    linked_from: Vec<Group>,
    related_conditions: Vec<LinkContext>,
    backlinks: Vec<LinkContext>,
    breadcrumbs: Vec<LinkContext>,
    /// schema.org JSON-LD, escaped for printing as is inside `<script>`.
    json_ld: String,
}

/// `section` in section, home and conditions templates.
#[derive(Serialize)]
struct SectionContext<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    url: String,
    permalink: String,
    content: &'a str,
    toc: &'a [Heading],
    extra: &'a serde_json::Map<String, serde_json::Value>,
    pages: Vec<LinkContext>,
    subsections: Vec<Group>,
    breadcrumbs: Vec<LinkContext>,
    /// schema.org JSON-LD, escaped for printing as is inside `<script>`.
    json_ld: String,
}

/// One entry of `sitemap.xml` / `atom.xml`.
#[derive(Serialize)]
struct FeedEntry {
    title: String,
    summary: Option<String>,
    permalink: String,
    updated: Option<String>,
    published: Option<String>,
}

/// What is rendered, one job per output file.
#[derive(Debug, Clone, Copy)]
enum Job {
    Page(usize),
    Section(usize),
    ConditionsIndex,
    TagsIndex,
    Tag(usize),
    NotFound,
    Search,
    Sitemap,
    Atom,
    Robots,
}

/// Where the generated conditions A–Z lives.
pub const CONDITIONS_PATH: &str = "conditions/";
/// Where the tag listings live.
pub const TAGS_PATH: &str = "tags/";

/// The fingerprint each output file was last rendered from, by output path.
pub type RenderMemo = HashMap<String, u64>;

/// What [`render_site`] did.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Every output file of the site's templates, rendered now or not.
    pub outputs: Vec<String>,
    /// How many were rendered (the rest were unchanged).
    pub rendered: usize,
    /// The memo to pass next time: this run's fingerprints, except for files
    /// that failed.
    pub memo: RenderMemo,
    pub problems: Vec<Diagnostic>,
}

/// Renders into `sink` every output file of the site whose fingerprint is
/// not the one in `previous` (every file, with an empty memo).
pub fn render_site(
    site: &Site,
    theme: &Theme,
    sink: &dyn OutputSink,
    progress: &(dyn Fn() + Sync),
    previous: &RenderMemo,
) -> Rendered {
    let renderer = Renderer::new(site, theme);
    let problems = renderer.check_output_collisions();
    if !problems.is_empty() {
        return Rendered {
            problems,
            ..Rendered::default()
        };
    }
    let inputs = renderer.inputs();
    let jobs: Vec<(Job, String, u64)> = renderer
        .jobs()
        .into_par_iter()
        .map(|job| {
            (
                job,
                renderer.output_path(job),
                renderer.fingerprint(job, &inputs),
            )
        })
        .collect();
    let results: Vec<Option<Result<(), Diagnostic>>> = jobs
        .par_iter()
        .map(|(job, path, print)| {
            if previous.get(path) == Some(print) {
                return None;
            }
            let result = renderer.render_job(*job).and_then(|html| {
                sink.write(path, html.as_bytes()).map_err(|e| {
                    Diagnostic::file_error(path, format!("cannot write the output file: {e}"))
                })
            });
            progress();
            Some(result)
        })
        .collect();
    let mut done = Rendered {
        rendered: results.iter().flatten().count(),
        ..Rendered::default()
    };
    for ((_, path, print), result) in jobs.into_iter().zip(results) {
        match result {
            Some(Err(problem)) => done.problems.push(problem),
            None | Some(Ok(())) => {
                done.memo.insert(path.clone(), print);
            }
        }
        done.outputs.push(path);
    }
    done
}

/// Renders page `page` into `sink` unless `memo` shows it unchanged, and
/// returns its output path and fingerprint for the memo: for an edit that
/// changed only that page's body, after which no other output file's inputs
/// changed.
pub fn render_one_page(
    site: &Site,
    theme: &Theme,
    sink: &dyn OutputSink,
    page: usize,
    memo: &RenderMemo,
) -> Result<Option<(String, u64)>, Diagnostic> {
    let renderer = Renderer::new(site, theme);
    let job = Job::Page(page);
    let path = renderer.output_path(job);
    let print = renderer.fingerprint(job, &renderer.inputs());
    if memo.get(&path) == Some(&print) {
        return Ok(None);
    }
    let html = renderer.render_job(job)?;
    sink.write(&path, html.as_bytes())
        .map_err(|e| Diagnostic::file_error(&path, format!("cannot write the output file: {e}")))?;
    Ok(Some((path, print)))
}

/// What many jobs' fingerprints are made of, hashed once per run.
struct JobInputs {
    /// Configuration, navigation and theme: what every file shows.
    site_wide: u64,
    /// What a listing or link shows of each page.
    pages: Vec<u64>,
    /// What a breadcrumb, listing or group heading shows of each section.
    sections: Vec<u64>,
}

struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    base_path: &'a str,
    origin: &'a str,
    conditions_section: Option<usize>,
    /// `config`, serialized once and shared by every job.
    config_value: tera::Value,
}

impl<'a> Renderer<'a> {
    fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let mut renderer = Renderer {
            site,
            theme,
            base_path: site.config.base_path(),
            origin: site.config.origin(),
            conditions_section: site.sections.iter().position(|s| s.path == CONDITIONS_PATH),
            config_value: tera::Value::none(),
        };
        renderer.config_value = tera::Value::from_serializable(&renderer.site_context());
        renderer
    }

    fn jobs(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = (0..self.site.pages.len()).map(Job::Page).collect();
        jobs.extend(
            (0..self.site.sections.len())
                .filter(|&i| Some(i) != self.conditions_section)
                .map(Job::Section),
        );
        if self.has_conditions_index() {
            jobs.push(Job::ConditionsIndex);
        }
        if !self.site.tags.is_empty() {
            jobs.push(Job::TagsIndex);
            jobs.extend((0..self.site.tags.len()).map(Job::Tag));
        }
        jobs.extend([Job::NotFound, Job::Sitemap, Job::Atom, Job::Robots]);
        if self.has_search_page() {
            jobs.push(Job::Search);
        }
        jobs
    }

    fn has_search_page(&self) -> bool {
        self.site.config.search.enable && self.theme.has("search.html")
    }

    fn has_conditions_index(&self) -> bool {
        self.conditions_section.is_some() || !self.site.conditions_az.is_empty()
    }

    /// Two sources that would write the same output file are an error, not a silent overwrite.
    fn check_output_collisions(&self) -> Vec<Diagnostic> {
        let mut owners: HashMap<&str, &SourceFile> = HashMap::new();
        for section in &self.site.sections {
            if let Some(source) = &section.source {
                owners.insert(&section.path, source);
            }
        }
        let mut found = Vec::new();
        for page in &self.site.pages {
            let reserved = page.path == TAGS_PATH
                || (page.path == crate::search::SEARCH_PATH && self.has_search_page())
                || (page.path == CONDITIONS_PATH && self.conditions_section.is_none());
            if let Some(other) = owners.get(page.path.as_str()) {
                found.push(
                    Diagnostic::error(
                        &page.source,
                        page.spans.header,
                        format!(
                            "this page's URL /{} is also the URL of {}",
                            page.path,
                            other.path.display()
                        ),
                    )
                    .with_hint("rename the file or the folder"),
                );
            } else if reserved {
                found.push(
                    Diagnostic::error(
                        &page.source,
                        page.spans.header,
                        format!("the URL /{} is reserved for a generated listing", page.path),
                    )
                    .with_hint("rename the file"),
                );
            }
        }
        found
    }

    fn context(&self) -> Context {
        let mut context = Context::new();
        context.insert_value("config", self.config_value.clone());
        context
    }

    fn render_job(&self, job: Job) -> Result<String, Diagnostic> {
        match job {
            Job::Page(i) => self.render_page(i),
            Job::Section(i) => self.render_section(i),
            Job::ConditionsIndex => self.render_conditions_index(),
            Job::TagsIndex => self.render_tags_index(),
            Job::Tag(i) => self.render_tag(i),
            Job::NotFound => self.render_simple("404.html", "Page not found"),
            Job::Search => {
                let mut context = self.context();
                let section = self.generated_section("Search", crate::search::SEARCH_PATH);
                context.insert("section", &section);
                self.theme.render("search.html", &context)
            }
            Job::Sitemap => self.render_feed("sitemap.xml"),
            Job::Atom => self.render_feed("atom.xml"),
            Job::Robots => Ok(self.robots()),
        }
    }

    /// The file a job writes, relative to the output folder.
    fn output_path(&self, job: Job) -> String {
        match job {
            Job::Page(i) => format!("{}index.html", self.site.pages[i].path),
            Job::Section(i) => format!("{}index.html", self.site.sections[i].path),
            Job::ConditionsIndex => format!("{CONDITIONS_PATH}index.html"),
            Job::TagsIndex => format!("{TAGS_PATH}index.html"),
            Job::Tag(i) => format!("{TAGS_PATH}{}/index.html", self.site.tags[i].slug),
            Job::NotFound => "404.html".to_string(),
            Job::Search => format!("{}index.html", crate::search::SEARCH_PATH),
            Job::Sitemap => "sitemap.xml".to_string(),
            Job::Atom => "atom.xml".to_string(),
            Job::Robots => "robots.txt".to_string(),
        }
    }

    fn inputs(&self) -> JobInputs {
        use crate::memo::fingerprint;
        let site = self.site;
        let config = serde_json::to_string(&site.config).unwrap_or_default();
        let context = serde_json::to_string(&self.site_context()).unwrap_or_default();
        JobInputs {
            site_wide: fingerprint(&(self.theme.fingerprint, config, context)),
            pages: site
                .pages
                .par_iter()
                .map(|p| {
                    let m = &p.meta;
                    fingerprint(&(
                        &m.title,
                        &p.path,
                        &m.summary,
                        m.kind,
                        &m.also_called,
                        m.date,
                        m.updated,
                    ))
                })
                .collect(),
            sections: site
                .sections
                .iter()
                .map(|s| {
                    let extra = serde_json::to_string(&s.extra).unwrap_or_default();
                    fingerprint(&(&s.dir, &s.path, &s.title, &s.summary, s.weight, extra))
                })
                .collect(),
        }
    }

    /// A hash of everything `job`'s output is made from (see the module docs).
    /// It must name every input `render_job` reads; the equivalence tests of
    /// `carebook serve` (an edited site against a fresh build) keep it honest.
    fn fingerprint(&self, job: Job, inputs: &JobInputs) -> u64 {
        use crate::memo::fingerprint;
        let site = self.site;
        let pages = |list: &[usize]| list.iter().map(|&j| inputs.pages[j]).collect::<Vec<u64>>();
        let crumbs = |dir: &str| {
            self.breadcrumb_sections(dir)
                .iter()
                .map(|&s| inputs.sections[s])
                .collect::<Vec<u64>>()
        };
        let tag = |name: &str| {
            let slug = crate::page::slugify(name);
            let count = site
                .tags
                .iter()
                .find(|t| t.slug == slug)
                .map(|t| t.pages.len());
            (name.to_string(), count)
        };
        let section = |i: usize| {
            let s = &site.sections[i];
            let subsections: Vec<(u64, Vec<u64>)> = site.subsections[i]
                .iter()
                .map(|&sub| (inputs.sections[sub], pages(&site.section_pages[sub])))
                .collect();
            let parent = s.parent_dir().map(crumbs);
            fingerprint(&(
                inputs.sections[i],
                site.section_docs[i].fingerprint,
                pages(&site.section_pages[i]),
                subsections,
                parent,
            ))
        };
        let own = match job {
            Job::Page(i) => {
                let page = &site.pages[i];
                let linked_from: Vec<(u64, Option<u64>)> = site.about_this[i]
                    .iter()
                    .map(|&j| {
                        (
                            inputs.pages[j],
                            site.section_of(j).map(|s| inputs.sections[s]),
                        )
                    })
                    .collect();
                let tags: Vec<(String, Option<usize>)> =
                    page.meta.tags.iter().map(|t| tag(t)).collect();
                fingerprint(&(
                    page.fingerprint,
                    site.page_docs[i].fingerprint,
                    tags,
                    pages(&site.about[i]),
                    linked_from,
                    pages(&site.related_conditions[i]),
                    pages(&site.graph.inbound[i]),
                    crumbs(&page.section),
                ))
            }
            Job::Section(i) => section(i),
            Job::ConditionsIndex => fingerprint(&(
                self.conditions_section.map(section),
                pages(&site.conditions_az),
                crumbs(""),
            )),
            Job::TagsIndex | Job::Tag(_) => {
                let tags: Vec<(String, Option<usize>)> =
                    site.tags.iter().map(|t| tag(&t.name)).collect();
                let listed = match job {
                    Job::Tag(i) => pages(&site.tags[i].pages),
                    _ => Vec::new(),
                };
                fingerprint(&(tags, listed, crumbs("")))
            }
            Job::NotFound | Job::Search | Job::Robots => fingerprint(&crumbs("")),
            Job::Sitemap | Job::Atom => fingerprint(&(
                &inputs.pages,
                &inputs.sections,
                site.tags
                    .iter()
                    .map(|t| (&t.name, &t.slug))
                    .collect::<Vec<_>>(),
            )),
        };
        fingerprint(&(inputs.site_wide, own))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_path)
    }

    fn permalink(&self, path: &str) -> String {
        format!("{}{}{path}", self.origin, self.base_path)
    }

    fn site_context(&self) -> SiteContext<'a> {
        let config = &self.site.config;
        let top_level = self.site.sections.iter().position(|s| s.dir.is_empty());
        let nav = top_level.map_or_else(Vec::new, |root| {
            self.site.subsections[root]
                .iter()
                .map(|&i| self.section_link(i))
                .collect()
        });
        SiteContext {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            base_url: &config.base_url,
            base_path: self.base_path,
            origin: self.origin,
            clinic: &config.clinic,
            nav,
            conditions_url: self
                .has_conditions_index()
                .then(|| self.url(CONDITIONS_PATH)),
            tags_url: (!self.site.tags.is_empty()).then(|| self.url(TAGS_PATH)),
            red_flags: self.red_flags_page().map(|i| self.page_link(i)),
            search_url: self
                .has_search_page()
                .then(|| self.url(crate::search::SEARCH_PATH)),
            feed_url: self.url("atom.xml"),
        }
    }

    /// The page `[check] red_flags_page` names, by slug or by path under `content/`.
    fn red_flags_page(&self) -> Option<usize> {
        let wanted = self.site.config.check.red_flags_page.as_ref()?;
        let wanted = wanted.get_ref().trim();
        let as_path = wanted
            .trim_start_matches("content/")
            .trim_start_matches('/');
        let slug = crate::page::slugify(wanted);
        self.site
            .pages
            .iter()
            .position(|p| p.rel_path == as_path || p.slug == slug)
    }

    fn json_ld_site(&self) -> json_ld::SiteInfo<'_> {
        json_ld::SiteInfo {
            config: &self.site.config,
            origin: self.origin,
        }
    }

    fn page_link(&self, i: usize) -> LinkContext {
        let page = &self.site.pages[i];
        LinkContext {
            title: page.meta.title.clone(),
            url: self.url(&page.path),
            summary: page.meta.summary.clone(),
            kind: Some(page.meta.kind),
            also_called: page.meta.also_called.clone(),
        }
    }

    fn section_link(&self, i: usize) -> LinkContext {
        let section = &self.site.sections[i];
        LinkContext {
            title: section.title.clone(),
            url: self.url(&section.path),
            summary: section.summary.clone(),
            kind: None,
            also_called: Vec::new(),
        }
    }

    fn links(&self, pages: &[usize]) -> Vec<LinkContext> {
        pages.iter().map(|&i| self.page_link(i)).collect()
    }

    /// Home › Section › … for a document in content folder `dir`.
    fn breadcrumbs(&self, dir: &str) -> Vec<LinkContext> {
        self.breadcrumb_sections(dir)
            .into_iter()
            .map(|i| self.section_link(i))
            .collect()
    }

    /// The sections of [`Self::breadcrumbs`], home first.
    fn breadcrumb_sections(&self, dir: &str) -> Vec<usize> {
        let mut crumbs = Vec::new();
        let mut current = Some(dir);
        while let Some(d) = current {
            if let Some(i) = self.site.sections.iter().position(|s| s.dir == d) {
                crumbs.push(i);
                current = self.site.sections[i].parent_dir();
            } else {
                current = None;
            }
        }
        crumbs.reverse();
        crumbs
    }

    fn tag_link(&self, name: &str) -> TagContext {
        let slug = crate::page::slugify(name);
        let count = self
            .site
            .tags
            .iter()
            .find(|t| t.slug == slug)
            .map_or(0, |t| t.pages.len());
        TagContext {
            name: name.to_string(),
            url: self.url(&format!("{TAGS_PATH}{slug}/")),
            count,
        }
    }

    /// The pages about a condition, grouped by their sections in navigation order.
    fn linked_from(&self, condition: usize) -> Vec<Group> {
        let about = &self.site.about_this[condition];
        let mut groups: Vec<(Option<i64>, String, Group)> = Vec::new();
        for &i in about {
            let section = self.site.section_of(i);
            let (weight, title, url, key) = match section {
                Some(s) => (
                    self.site.sections[s].weight,
                    self.site.sections[s].title.clone(),
                    self.url(&self.site.sections[s].path),
                    self.site.sections[s].dir.clone(),
                ),
                None => (None, "Other pages".to_string(), self.url(""), String::new()),
            };
            match groups.iter_mut().find(|(_, t, _)| *t == title) {
                Some((_, _, group)) => group.pages.push(self.page_link(i)),
                None => groups.push((
                    weight,
                    title.clone(),
                    Group {
                        title,
                        url,
                        key,
                        pages: vec![self.page_link(i)],
                    },
                )),
            }
        }
        groups
            .sort_by(|a, b| (a.0.unwrap_or(i64::MAX), &a.1).cmp(&(b.0.unwrap_or(i64::MAX), &b.1)));
        groups.into_iter().map(|(_, _, g)| g).collect()
    }

    fn render_page(&self, i: usize) -> Result<String, Diagnostic> {
        let page = &self.site.pages[i];
        let meta = &page.meta;
        let doc = &self.site.page_docs[i];
        let mut context_page = PageContext {
            title: &meta.title,
            summary: meta.summary.as_deref(),
            kind: meta.kind,
            kind_label: kind_label(meta.kind),
            clinical: meta.kind != Kind::Page,
            slug: &page.slug,
            url: self.url(&page.path),
            permalink: self.permalink(&page.path),
            content: &doc.html,
            toc: &doc.toc,
            also_called: &meta.also_called,
            tags: meta.tags.iter().map(|t| self.tag_link(t)).collect(),
            reviewed: meta.reviewed.map(Into::into),
            review_due: meta.review_due.map(Into::into),
            reviewed_by: meta.reviewed_by.as_deref(),
            sources: &meta.sources,
            date: meta.date.map(Into::into),
            updated: meta
                .updated
                .filter(|u| Some(*u) != meta.date)
                .map(Into::into),
            dose: meta.dose.as_ref(),
            extra: &meta.extra,
            conditions: self.links(&self.site.about[i]),
            linked_from: if meta.kind == Kind::Condition {
                self.linked_from(i)
            } else {
                Vec::new()
            },
            related_conditions: self.links(&self.site.related_conditions[i]),
            backlinks: self.links(&self.site.by_title(self.site.graph.inbound[i].clone())),
            breadcrumbs: self.breadcrumbs(&page.section),
            json_ld: String::new(),
        };
        context_page.json_ld =
            json_ld::script_json(&json_ld::page(&self.json_ld_site(), &context_page));
        let mut context = self.context();
        context.insert("page", &context_page);
        let template = match meta.kind {
            Kind::Condition if self.theme.has("condition.html") => "condition.html",
            Kind::Exercise if self.theme.has("exercise.html") => "exercise.html",
            _ => "page.html",
        };
        self.theme.render(template, &context)
    }

    fn section_context(&self, i: usize) -> SectionContext<'_> {
        let section = &self.site.sections[i];
        let doc = &self.site.section_docs[i];
        let subsections = self.site.subsections[i]
            .iter()
            .map(|&s| {
                let link = self.section_link(s);
                Group {
                    title: link.title,
                    url: link.url,
                    key: self.site.sections[s].dir.clone(),
                    pages: self.links(&self.site.section_pages[s]),
                }
            })
            .collect();
        let parent_crumbs = section
            .parent_dir()
            .map_or_else(Vec::new, |p| self.breadcrumbs(p));
        let mut context = SectionContext {
            title: &section.title,
            summary: section.summary.as_deref(),
            url: self.url(&section.path),
            permalink: self.permalink(&section.path),
            content: &doc.html,
            toc: &doc.toc,
            extra: &section.extra,
            pages: self.links(&self.site.section_pages[i]),
            subsections,
            breadcrumbs: parent_crumbs,
            json_ld: String::new(),
        };
        self.set_section_json_ld(&mut context, None, section.dir.is_empty());
        context
    }

    /// Fills `section.json_ld`; `name` replaces an empty title (tag pages).
    fn set_section_json_ld(&self, section: &mut SectionContext, name: Option<&str>, home: bool) {
        let graph = json_ld::section(&self.json_ld_site(), section, name, home);
        section.json_ld = json_ld::script_json(&graph);
    }

    fn render_section(&self, i: usize) -> Result<String, Diagnostic> {
        let section = &self.site.sections[i];
        let mut context = self.context();
        context.insert("section", &self.section_context(i));
        let template = if section.dir.is_empty() {
            "index.html"
        } else {
            "section.html"
        };
        self.theme.render(template, &context)
    }

    fn render_conditions_index(&self) -> Result<String, Diagnostic> {
        let mut context = self.context();
        match self.conditions_section {
            Some(i) => context.insert("section", &self.section_context(i)),
            None => context.insert(
                "section",
                &self.generated_section("Conditions A–Z", CONDITIONS_PATH),
            ),
        }
        context.insert("conditions", &self.links(&self.site.conditions_az));
        self.theme.render("conditions.html", &context)
    }

    /// A section context for a listing that has no `_index.md`.
    fn generated_section(&self, title: &'a str, path: &str) -> SectionContext<'a> {
        let mut section = SectionContext {
            title,
            summary: None,
            url: self.url(path),
            permalink: self.permalink(path),
            content: "",
            toc: &[],
            extra: &EMPTY_MAP,
            pages: Vec::new(),
            subsections: Vec::new(),
            breadcrumbs: self.breadcrumbs(""),
            json_ld: String::new(),
        };
        self.set_section_json_ld(&mut section, None, false);
        section
    }

    fn render_tags_index(&self) -> Result<String, Diagnostic> {
        let mut context = self.context();
        context.insert("section", &self.generated_section("Topics", TAGS_PATH));
        let tags: Vec<TagContext> = self
            .site
            .tags
            .iter()
            .map(|t| self.tag_link(&t.name))
            .collect();
        context.insert("tags", &tags);
        self.theme.render("tags.html", &context)
    }

    fn render_tag(&self, i: usize) -> Result<String, Diagnostic> {
        let tag = &self.site.tags[i];
        let path = format!("{TAGS_PATH}{}/", tag.slug);
        let mut section = self.generated_section("", &path);
        section.pages = self.links(&tag.pages);
        section.breadcrumbs.push(LinkContext {
            title: "Topics".to_string(),
            url: self.url(TAGS_PATH),
            summary: None,
            kind: None,
            also_called: Vec::new(),
        });
        self.set_section_json_ld(&mut section, Some(&format!("Topic: {}", tag.name)), false);
        let mut context = self.context();
        context.insert("section", &section);
        context.insert("tag", &self.tag_link(&tag.name));
        self.theme.render("tag.html", &context)
    }

    fn render_simple(&self, template: &str, title: &'a str) -> Result<String, Diagnostic> {
        let mut context = self.context();
        context.insert("section", &self.generated_section(title, ""));
        self.theme.render(template, &context)
    }

    fn feed_entries(&self) -> Vec<FeedEntry> {
        let pages = self.site.pages.iter().map(|p| FeedEntry {
            title: p.meta.title.clone(),
            summary: p.meta.summary.clone(),
            permalink: self.permalink(&p.path),
            updated: p.meta.updated.or(p.meta.date).map(|d| d.rfc3339()),
            published: p.meta.date.map(|d| d.rfc3339()),
        });
        let sections = self.site.sections.iter().map(|s| FeedEntry {
            title: s.title.clone(),
            summary: s.summary.clone(),
            permalink: self.permalink(&s.path),
            updated: None,
            published: None,
        });
        pages.chain(sections).collect()
    }

    fn render_feed(&self, template: &str) -> Result<String, Diagnostic> {
        let mut entries = self.feed_entries();
        if template == "atom.xml" {
            entries.retain(|e| e.updated.is_some());
            entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.title.cmp(&b.title)));
            entries.truncate(50);
        } else {
            entries.sort_by(|a, b| a.permalink.cmp(&b.permalink));
        }
        let tag_entries = self.site.tags.iter().map(|t| FeedEntry {
            title: t.name.clone(),
            summary: None,
            permalink: self.permalink(&format!("{TAGS_PATH}{}/", t.slug)),
            updated: None,
            published: None,
        });
        if template == "sitemap.xml" {
            entries.extend(tag_entries);
        }
        let mut context = self.context();
        context.insert(
            "feed_updated",
            &entries.iter().filter_map(|e| e.updated.clone()).max(),
        );
        context.insert("entries", &entries);
        context.insert("feed_url", &self.permalink(template));
        self.theme.render(template, &context)
    }

    fn robots(&self) -> String {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            self.permalink("sitemap.xml")
        )
    }
}

static EMPTY_MAP: std::sync::LazyLock<serde_json::Map<String, serde_json::Value>> =
    std::sync::LazyLock::new(serde_json::Map::new);

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Condition => "Condition",
        Kind::Article => "Article",
        Kind::Exercise => "Exercise",
        Kind::Page => "Page",
    }
}

/// Copies the theme's and site's static files and the content's assets into `sink`.
pub fn copy_static(
    theme: &Theme,
    assets: &[crate::load::Asset],
    sink: &dyn OutputSink,
) -> Vec<Diagnostic> {
    let theme_files = theme
        .static_files
        .iter()
        .map(|(rel, path)| (rel.as_str(), path.as_path()));
    let asset_files = assets
        .iter()
        .map(|a| (a.rel_path.as_str(), a.absolute.as_path()));
    let files: Vec<(&str, &Path)> = theme_files.chain(asset_files).collect();
    files
        .par_iter()
        .filter_map(|(rel, path)| {
            sink.copy(rel, path)
                .err()
                .map(|e| Diagnostic::file_error(path, format!("cannot copy to the output: {e}")))
        })
        .collect()
}
