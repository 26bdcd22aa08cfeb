//! The pipeline, end to end: what `carebook build` and `carebook check` run.
//!
//! [`validate`] runs every stage up to the assembled [`Site`] and collects all
//! diagnostics of the run; [`build`] then renders into an atomic staging
//! folder, and [`check`] renders into nothing (so template errors are still
//! found). The content checks ([`crate::check`]) run on the assembled site in
//! both: as warnings in a build, at their configured levels in `check`.
//! Neither knows anything about terminals or the dev server: progress is
//! reported through the [`Progress`] trait and findings are returned as
//! values.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::check::readability::ReadabilityMemo;
use crate::check::{self, Finding};
use crate::config::Config;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::links::{self, DocId, LinkGraph, LinkTable};
use crate::load::{self, Asset, Content};
use crate::markdown::{self, LinkRequest, LinkResolver, MarkdownInput, RenderedDoc, Resolved};
use crate::memo::Memo;
use crate::output::{self, Discard, OutputSink, Precious, StagingDir};
use crate::page::{self, PageMemo, PageSet};
use crate::render::{self, RenderMemo, Theme};
use crate::site::Site;

mod incremental;

pub use incremental::{Incremental, Rebuilt};

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output_dir: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
}

/// Told about rendering progress, e.g. to draw a progress bar.
pub trait Progress: Sync {
    fn start(&self, total: u64);
    fn tick(&self);
}

/// A progress sink that shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64) {}
    fn tick(&self) {}
}

/// A validated site with what is needed to render it.
pub struct Validated {
    pub site: Site,
    pub theme: Arc<Theme>,
    pub assets: Vec<Asset>,
    /// Warnings found on the way, the content checks' findings among them
    /// (errors stop validation).
    pub diagnostics: Diagnostics,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildSummary {
    pub pages: usize,
    pub output_dir: PathBuf,
    pub elapsed: Duration,
    pub diagnostics: Diagnostics,
}

/// Runs every stage up to the assembled site; returns all diagnostics on failure.
///
/// The content checks ([`crate::check`]) run too, counting dates from
/// [`Date::today`]; their findings are added as warnings only, whatever their
/// configured level: a lapsed review must never stop a clinic publishing.
pub fn validate(options: &BuildOptions) -> Result<Validated, Diagnostics> {
    validate_on(options, Date::today())
}

/// [`validate`], with the content checks counting dates from `today`.
pub fn validate_on(options: &BuildOptions, today: Date) -> Result<Validated, Diagnostics> {
    let sources = Sources::read(options)?;
    let stages = run_stages_on(&sources, options.drafts, today, &mut StageMemo::default());
    stages.validated()
}

/// What the pipeline reads from disk: the configuration, the theme and the content.
pub struct Sources {
    config: Config,
    theme: Result<Arc<Theme>, Vec<Diagnostic>>,
    content: Content,
}

impl Sources {
    /// Reads everything; fails only when there is no configuration to go on with.
    pub fn read(options: &BuildOptions) -> Result<Sources, Diagnostics> {
        let config = load_config(options).map_err(|d| {
            let mut diagnostics = Diagnostics::new();
            diagnostics.push(d);
            diagnostics
        })?;
        let theme = Theme::load(&options.root, &config).map(Arc::new);
        let (content, _) = load::load_content(&options.root);
        Ok(Sources {
            config,
            theme,
            content,
        })
    }
}

/// Each stage's results from the previous run, reused by the next while
/// their inputs are the same (see [`crate::memo`]); empty for a one-off build.
#[derive(Default)]
pub struct StageMemo {
    pages: PageMemo,
    documents: DocumentMemo,
    readability: ReadabilityMemo,
}

/// What the stages produced, kept even when they found errors so that
/// `check` can still report the content checks of the whole site.
pub(crate) struct Stages {
    pub(crate) site: Site,
    theme: Result<Arc<Theme>, ()>,
    assets: Vec<Asset>,
    pub(crate) diagnostics: Diagnostics,
    pub(crate) checks: check::Report,
}

impl Stages {
    /// The site, if the stages found no error; the checks' findings become warnings.
    fn validated(self) -> Result<Validated, Diagnostics> {
        let Stages {
            site,
            theme,
            assets,
            mut diagnostics,
            checks,
        } = self;
        let Ok(theme) = theme else {
            return Err(diagnostics.sorted());
        };
        if diagnostics.has_errors() {
            return Err(diagnostics.sorted());
        }
        diagnostics.extend(checks.findings.iter().map(Finding::as_warning));
        Ok(Validated {
            site,
            theme,
            assets,
            diagnostics: diagnostics.sorted(),
        })
    }
}

/// Every stage up to the assembled site, and the content checks on it;
/// fails only when there is no configuration to go on with.
pub(crate) fn run_stages(options: &BuildOptions, today: Date) -> Result<Stages, Diagnostics> {
    let sources = Sources::read(options)?;
    Ok(run_stages_on(
        &sources,
        options.drafts,
        today,
        &mut StageMemo::default(),
    ))
}

/// Every stage on sources already read, reusing what `memo` holds.
fn run_stages_on(sources: &Sources, drafts: bool, today: Date, memo: &mut StageMemo) -> Stages {
    let config = &sources.config;
    let mut diagnostics = Diagnostics::new();
    if let Err(errors) = &sources.theme {
        diagnostics.extend(errors.iter().cloned());
    }
    diagnostics.extend(sources.content.problems());
    let (set, page_diagnostics) = page::build_pages(&sources.content, drafts, &mut memo.pages);
    diagnostics.extend(page_diagnostics);

    let table = LinkTable::new(&set, &sources.content.assets, config.base_path());
    let (page_docs, section_docs) = render_markdown(&set, config, &table, &mut memo.documents);
    diagnostics.extend(
        page_docs
            .iter()
            .chain(&section_docs)
            .flat_map(|d| d.diagnostics.iter().cloned()),
    );
    diagnostics.extend(links::check_anchors(&set, &page_docs, &section_docs));
    let graph = LinkGraph::build(&page_docs);
    let site = Site::assemble(config.clone(), set, page_docs, section_docs, graph);
    let checks = check::run(&site, today, &mut memo.readability);
    Stages {
        site,
        theme: sources.theme.clone().map_err(|_| ()),
        assets: sources.content.assets.clone(),
        diagnostics,
        checks,
    }
}

fn load_config(options: &BuildOptions) -> Result<Config, Diagnostic> {
    let mut config = Config::load(&options.root)?;
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    if let Some(dir) = &options.output_dir {
        config.build.output_dir = dir.clone();
    }
    Ok(config)
}

type Doc = Arc<RenderedDoc<DocId>>;

/// A link request as a document made it, kept to ask again.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Request {
    MarkdownFile(String),
    Slug(String),
    File(String),
}

impl Request {
    fn of(request: &LinkRequest) -> Request {
        match request {
            LinkRequest::MarkdownFile(p) => Request::MarkdownFile(p.to_string()),
            LinkRequest::Slug(s) => Request::Slug(s.to_string()),
            LinkRequest::File(p) => Request::File(p.to_string()),
        }
    }

    fn as_request(&self) -> LinkRequest<'_> {
        match self {
            Request::MarkdownFile(p) => LinkRequest::MarkdownFile(p),
            Request::Slug(s) => LinkRequest::Slug(s),
            Request::File(p) => LinkRequest::File(p),
        }
    }
}

type Answer = Result<Resolved<DocId>, (String, String)>;

/// A rendered document with every link answer it was rendered with.
#[derive(Clone)]
struct Remembered {
    doc: Doc,
    /// The [`LinkTable::fingerprint`] the answers came from.
    table: u64,
    answers: Arc<Vec<(Request, Answer)>>,
}

/// Documents rendered in an earlier run, by file path.
type DocumentMemo = Memo<SourceFile, Remembered>;

/// A [`LinkResolver`] that remembers what it was asked and what it answered.
struct Recording<'t, 'a> {
    table: &'t LinkTable<'a>,
    answers: RefCell<Vec<(Request, Answer)>>,
}

impl LinkResolver for Recording<'_, '_> {
    type Target = DocId;

    fn resolve(&self, from_dir: &str, request: &LinkRequest) -> Answer {
        let answer = self.table.resolve(from_dir, request);
        self.answers
            .borrow_mut()
            .push((Request::of(request), answer.clone()));
        answer
    }
}

/// One document: reused when its file is unchanged and every link it holds
/// still resolves the same way (always, when nothing a link can point at
/// changed); rendered otherwise.
fn render_document(
    input: &MarkdownInput,
    config: &Config,
    table: &LinkTable,
    table_print: u64,
    known: Option<Remembered>,
) -> Remembered {
    if let Some(known) = known {
        let same_answers = || {
            known
                .answers
                .iter()
                .all(|(request, answer)| table.resolve(input.dir, &request.as_request()) == *answer)
        };
        if known.table == table_print || same_answers() {
            return Remembered {
                table: table_print,
                ..known
            };
        }
    }
    let recording = Recording {
        table,
        answers: RefCell::new(Vec::new()),
    };
    let doc = markdown::render(input, &config.markdown, &recording);
    Remembered {
        doc: Arc::new(doc),
        table: table_print,
        answers: Arc::new(recording.answers.into_inner()),
    }
}

/// Renders every page's and section's Markdown in parallel, reusing what `memo` holds.
fn render_markdown(
    set: &PageSet,
    config: &Config,
    table: &LinkTable,
    memo: &mut DocumentMemo,
) -> (Vec<Doc>, Vec<Doc>) {
    let table_print = table.fingerprint();
    let pages: Vec<Remembered> = set
        .pages
        .par_iter()
        .map(|p| {
            let input = MarkdownInput {
                source: &p.source,
                body_start: p.body_start,
                dir: &p.section,
            };
            let known = memo.get(&p.rel_path, &p.source);
            render_document(&input, config, table, table_print, known)
        })
        .collect();
    let empty = Arc::new(SourceFile::new("", String::new()));
    let sections: Vec<Remembered> = set
        .sections
        .par_iter()
        .map(|s| {
            let source = s.source.as_ref().unwrap_or(&empty);
            let input = MarkdownInput {
                source,
                body_start: s.body_start,
                dir: &s.dir,
            };
            let known = memo.get(&links::section_index_path(&s.dir), source);
            render_document(&input, config, table, table_print, known)
        })
        .collect();
    let page_entries = set
        .pages
        .iter()
        .zip(&pages)
        .map(|(p, r)| (p.rel_path.clone(), p.source.clone(), r.clone()));
    let section_entries = set.sections.iter().zip(&sections).filter_map(|(s, r)| {
        Some((
            links::section_index_path(&s.dir),
            s.source.clone()?,
            r.clone(),
        ))
    });
    memo.keep(page_entries.chain(section_entries));
    let docs = |all: Vec<Remembered>| all.into_iter().map(|r| r.doc).collect();
    (docs(pages), docs(sections))
}

/// Renders a validated site into `sink`: pages, listings and static files
/// (the search index is [`crate::search::write_index`]'s). `build` and
/// `check` both render through here, so that `check` finds every template
/// error a build would.
pub fn render_into(
    validated: &Validated,
    sink: &dyn OutputSink,
    progress: &dyn Progress,
) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    progress.start((validated.site.pages.len() + validated.site.sections.len()) as u64);
    let rendered = render::render_site(
        &validated.site,
        &validated.theme,
        sink,
        &|| progress.tick(),
        &RenderMemo::new(),
    );
    diagnostics.extend(rendered.problems);
    diagnostics.extend(render::copy_static(
        &validated.theme,
        &validated.assets,
        sink,
    ));
    diagnostics
}

/// The output folder, resolved against the site root.
pub fn output_dir(root: &Path, config: &Config) -> PathBuf {
    root.join(&config.build.output_dir)
}

/// Builds the site into its output folder, atomically.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildSummary, Diagnostics> {
    let started = Instant::now();
    let validated = validate(options)?;
    let root = &options.root;
    let config = &validated.site.config;
    let output = output_dir(root, config);
    let precious = [
        Precious {
            what: "site root",
            path: root.clone(),
            inside_too: false,
        },
        Precious {
            what: "content folder",
            path: root.join(load::CONTENT_DIR),
            inside_too: true,
        },
        Precious {
            what: "theme",
            path: Theme::dir(root, config),
            inside_too: true,
        },
    ];
    let fail = |d: Diagnostic| {
        let mut all = validated.diagnostics.clone();
        all.push(d);
        all.sorted()
    };
    output::refuse_dangerous_output(&output, &precious).map_err(fail)?;
    let staging = StagingDir::new(&output).map_err(|e| {
        fail(Diagnostic::file_error(
            &output,
            format!("cannot create a staging folder beside the output: {e}"),
        ))
    })?;
    let mut diagnostics = validated.diagnostics.clone();
    // The search index does not depend on the rendered pages: built beside
    // them, it takes up the time rendering leaves a core idle. (`check`
    // renders too, but has no use for an index.)
    let (rendered, search) = rayon::join(
        || render_into(&validated, &staging, progress),
        || crate::search::write_index(&validated.site, &staging),
    );
    diagnostics.extend(rendered);
    diagnostics.extend(search);
    if diagnostics.has_errors() {
        // Dropping the staging folder deletes it; the previous output is untouched.
        return Err(diagnostics.sorted());
    }
    staging.commit().map_err(|e| {
        fail(Diagnostic::file_error(
            &output,
            format!("cannot move the new output into place: {e}"),
        ))
    })?;
    Ok(BuildSummary {
        pages: validated.site.pages.len(),
        output_dir: output,
        elapsed: started.elapsed(),
        diagnostics: diagnostics.sorted(),
    })
}

/// What `carebook check` was asked for, besides the site.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// The day review dates are counted from.
    pub today: Date,
    /// Also check external links over the network (`--external`).
    pub external: bool,
}

/// Everything `build` validates, rendering included, without writing a file,
/// and the content checks at their configured severity: `carebook check`.
/// The build's own problems are findings of the rule `build`. `progress` is
/// told about external links as they are checked.
pub fn check(
    options: &BuildOptions,
    check_options: CheckOptions,
    progress: &dyn Progress,
) -> check::Report {
    let Stages {
        site,
        theme,
        assets,
        mut diagnostics,
        mut checks,
    } = match run_stages(options, check_options.today) {
        Ok(stages) => stages,
        Err(diagnostics) => return check::Report::failed(diagnostics, check_options.today),
    };
    let site = match (theme, diagnostics.has_errors()) {
        (Ok(theme), false) => {
            let validated = Validated {
                site,
                theme,
                assets,
                diagnostics: Diagnostics::new(),
            };
            diagnostics.extend(render_into(&validated, &Discard, &Silent));
            validated.site
        }
        _ => site,
    };
    checks.add_build_diagnostics(diagnostics.sorted());
    if check_options.external {
        let (findings, summary) = check::external::check(&site, &options.root, progress);
        checks.add_findings(findings);
        checks.external = Some(summary);
    }
    checks
}
