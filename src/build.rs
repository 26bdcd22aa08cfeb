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

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::check::{self, Finding};
use crate::config::Config;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::links::{self, LinkGraph, LinkTable};
use crate::load::{self, Asset};
use crate::markdown::{self, MarkdownInput};
use crate::output::{self, Discard, OutputSink, Precious, StagingDir};
use crate::page::{self, PageSet};
use crate::render::{self, Theme};
use crate::site::Site;

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
    pub theme: Theme,
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
    let Stages {
        site,
        theme,
        assets,
        mut diagnostics,
        checks,
    } = run_stages(options, today)?;
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

/// What the stages produced, kept even when they found errors so that
/// `check` can still report the content checks of the whole site.
pub(crate) struct Stages {
    pub(crate) site: Site,
    theme: Result<Theme, ()>,
    assets: Vec<Asset>,
    pub(crate) diagnostics: Diagnostics,
    pub(crate) checks: check::Report,
}

/// Every stage up to the assembled site, and the content checks on it;
/// fails only when there is no configuration to go on with.
pub(crate) fn run_stages(options: &BuildOptions, today: Date) -> Result<Stages, Diagnostics> {
    let root = &options.root;
    let mut diagnostics = Diagnostics::new();
    let config = match load_config(options) {
        Ok(config) => config,
        Err(d) => {
            diagnostics.push(d);
            return Err(diagnostics);
        }
    };
    let theme = Theme::load(root, &config).map_err(|errors| diagnostics.extend(errors));
    let (content, load_diagnostics) = load::load_content(root);
    diagnostics.extend(load_diagnostics);
    let (set, page_diagnostics) = page::build_pages(&content, options.drafts);
    diagnostics.extend(page_diagnostics);

    let table = LinkTable::new(&set, &content.assets, config.base_path());
    let (page_docs, section_docs) = render_markdown(&set, &config, &table);
    diagnostics.extend(
        page_docs
            .iter()
            .chain(&section_docs)
            .flat_map(|d| d.diagnostics.iter().cloned()),
    );
    diagnostics.extend(links::check_anchors(&set, &page_docs, &section_docs));
    let graph = LinkGraph::build(&page_docs);
    let site = Site::assemble(config, set, page_docs, section_docs, graph);
    let checks = check::run(&site, today);
    Ok(Stages {
        site,
        theme,
        assets: content.assets,
        diagnostics,
        checks,
    })
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

type Docs = Vec<markdown::RenderedDoc<links::DocId>>;

/// Renders every page's and section's Markdown in parallel.
fn render_markdown(set: &PageSet, config: &Config, table: &LinkTable) -> (Docs, Docs) {
    let pages = set
        .pages
        .par_iter()
        .map(|p| {
            let input = MarkdownInput {
                source: &p.source,
                body_start: p.body_start,
                dir: &p.section,
            };
            markdown::render(&input, &config.markdown, table)
        })
        .collect();
    let empty = crate::diagnostic::SourceFile::new("", String::new());
    let sections = set
        .sections
        .par_iter()
        .map(|s| {
            let input = MarkdownInput {
                source: s.source.as_ref().unwrap_or(&empty),
                body_start: s.body_start,
                dir: &s.dir,
            };
            markdown::render(&input, &config.markdown, table)
        })
        .collect();
    (pages, sections)
}

/// Renders a validated site into `sink`: pages, listings, the search index
/// and static files. `build`, `check` and `serve` all render through here, so
/// what the preview shows is what a build writes.
pub fn render_into(
    validated: &Validated,
    sink: &dyn OutputSink,
    progress: &dyn Progress,
) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    progress.start((validated.site.pages.len() + validated.site.sections.len()) as u64);
    diagnostics.extend(render::render_site(
        &validated.site,
        &validated.theme,
        sink,
        &|| progress.tick(),
    ));
    diagnostics.extend(crate::search::write_index(&validated.site, sink));
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
    diagnostics.extend(render_into(&validated, &staging, progress));
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
