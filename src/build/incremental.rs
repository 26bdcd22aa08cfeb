//! Incremental rebuilds: the pipeline again after some files changed,
//! redoing only the work that depends on them. `carebook serve` runs it.
//!
//! There are two paths, and both end in exactly the output a fresh build of
//! the same files gives (the `serve` tests compare the two after each kind of
//! change):
//!
//! 1. **Body edits.** When every changed file is an existing page whose front
//!    matter is byte for byte the same, whose links resolve as before and go
//!    to the same places, and whose headings are the same, nothing that any
//!    other page shows or checks has changed. The page is rendered again
//!    (its links answered from what the last run recorded), patched into the
//!    last site, checked by the rules that read bodies, and its own output
//!    file rendered. The cost does not grow with the size of the site.
//! 2. **Everything else** runs every stage, reusing each stage's results
//!    whose inputs are the same ([`StageMemo`]) and rendering only output
//!    files whose fingerprint changed ([`render::render_site`]). A changed
//!    `site.toml` starts afresh; a template or static file reloads the theme.

use std::cell::RefCell;
use std::sync::Arc;

use super::{
    Answer, BuildOptions, Remembered, Request, Sources, StageMemo, Stages, Validated, run_stages_on,
};
use crate::check::{self, Finding};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::links::{DocId, Targets};
use crate::load::{self, CONTENT_DIR, MarkdownFile, content_order};
use crate::markdown::{self, LinkRequest, LinkResolver, MarkdownInput, RenderedDoc};
use crate::output::OutputSink;
use crate::page::{self, Page};
use crate::render::{self, RenderMemo, Theme};
use crate::site::Site;

/// A build kept up to date as files change, for `carebook serve`.
///
/// [`Incremental::rebuild`] is told which paths changed and brings the site
/// up to date (see the module docs). The search index is left to the caller
/// ([`crate::search::files`] on the returned site), so that a server can
/// update pages first.
pub struct Incremental {
    options: BuildOptions,
    sources: Option<Sources>,
    memo: StageMemo,
    /// The fingerprints of the files the caller holds from the last good rebuild.
    rendered: RenderMemo,
    /// The last good rebuild, which body edits patch.
    last: Option<LastGood>,
}

/// What a good rebuild leaves for the next one to patch.
struct LastGood {
    site: Arc<Site>,
    theme: Arc<Theme>,
    /// The stages' own diagnostics (warnings: the rebuild was good).
    stage_diagnostics: Vec<Diagnostic>,
    /// The content checks' findings.
    findings: Vec<Finding>,
    /// Both of the above as reported, shared while unchanged.
    diagnostics: Arc<Diagnostics>,
    outputs: Arc<Vec<String>>,
    renderable: usize,
    /// The day the checks counted from.
    today: Date,
}

/// What a good [`Incremental::rebuild`] did.
pub struct Rebuilt {
    pub site: Arc<Site>,
    /// Every output path except the search index: pages, listings and
    /// static files. Those rendered this time (and, after a full pass,
    /// every static file) were written to the sink; the rest are unchanged
    /// since the last good rebuild. The same `Arc` as the last rebuild's
    /// when no output file came or went.
    pub outputs: Arc<Vec<String>>,
    /// How many pages and listings were rendered, of how many the site has.
    pub rendered: usize,
    pub renderable: usize,
    /// Warnings only; the same `Arc` as the last rebuild's when they are unchanged.
    pub diagnostics: Arc<Diagnostics>,
}

impl Incremental {
    pub fn new(options: BuildOptions) -> Incremental {
        Incremental {
            options,
            sources: None,
            memo: StageMemo::default(),
            rendered: RenderMemo::new(),
            last: None,
        }
    }

    /// Brings the site up to date after `changed` (paths relative to the
    /// site root, `/`-separated; nothing for the first build) and writes
    /// the output files that changed since the last good rebuild to `sink`.
    pub fn rebuild(
        &mut self,
        changed: &[String],
        sink: &dyn OutputSink,
    ) -> Result<Rebuilt, Diagnostics> {
        let today = Date::today();
        if let Some(pages) = self.body_edits(changed, today)
            && let Some(rebuilt) = self.patch_bodies(&pages, sink)
        {
            return Ok(rebuilt);
        }
        self.last = None;
        self.rebuild_all(changed, today, sink)
    }

    /// The pages whose files are `changed`, if every change is to an
    /// existing page of the last good site, checked on the same day.
    /// Editors' temporary files, and files that came and went between two
    /// builds, are no change.
    fn body_edits(&self, changed: &[String], today: Date) -> Option<Vec<(usize, String)>> {
        let last = self.last.as_ref()?;
        let content = &self.sources.as_ref()?.content;
        if last.today != today {
            return None;
        }
        let mut pages = Vec::new();
        for path in changed {
            let rel = content_path(path)?;
            let exists = self.options.root.join(path).exists();
            if rel.split('/').any(load::is_ignored) || (!exists && !content.knows(&rel)) {
                continue;
            }
            let at = last
                .site
                .pages
                .binary_search_by(|p| content_order(&p.rel_path, &rel))
                .ok()?;
            if !self.options.root.join(path).is_file() {
                return None;
            }
            pages.push((at, rel));
        }
        (!pages.is_empty()).then_some(pages)
    }

    /// Applies body edits to the last good site; `None` when one of them
    /// turns out to be more than a body edit (the full pass then runs).
    fn patch_bodies(
        &mut self,
        pages: &[(usize, String)],
        sink: &dyn OutputSink,
    ) -> Option<Rebuilt> {
        let mut last = self.last.take()?;
        let mut prints = Vec::new();
        for (index, rel_path) in pages {
            let edit = self.body_edit(&last.site, *index, rel_path)?;
            if let Some(print) = self.apply_body_edit(&mut last, *index, edit, sink)? {
                prints.push(print);
            }
        }
        // Only now that every edit went through: had one failed, the full pass
        // would run, and if it failed the caller would keep the old files.
        let rendered = prints.len();
        self.rendered.extend(prints);
        let rebuilt = Rebuilt {
            site: last.site.clone(),
            outputs: last.outputs.clone(),
            rendered,
            renderable: last.renderable,
            diagnostics: last.diagnostics.clone(),
        };
        self.last = Some(last);
        Some(rebuilt)
    }

    /// Reads and renders one edited page; `None` unless only its body changed.
    fn body_edit(&mut self, site: &Site, index: usize, rel_path: &str) -> Option<BodyEdit> {
        let old_page = &site.pages[index];
        let path = self.options.root.join(CONTENT_DIR).join(rel_path);
        let source = Arc::new(load::read_markdown(&self.options.root, &path).ok()?);
        let sources = self.sources.as_mut()?;
        sources.content.replace_markdown(rel_path, source.clone());
        let file = MarkdownFile {
            rel_path: rel_path.to_string(),
            source,
        };
        let page = Arc::new(page::parse_page(&file).ok()?);
        if front_matter_text(&page) != front_matter_text(old_page) {
            return None;
        }
        let known = self.memo.documents.get(rel_path, &old_page.source)?;
        let replay = Replay {
            known: &known.answers,
            answers: RefCell::new(Vec::new()),
            missed: RefCell::new(false),
        };
        let input = MarkdownInput {
            source: &page.source,
            body_start: page.body_start,
            dir: &page.section,
        };
        let doc = markdown::render(&input, &sources.config.markdown, &replay);
        let old_doc = &site.page_docs[index];
        let same_links = |a: &RenderedDoc<DocId>, b: &RenderedDoc<DocId>| {
            a.links.len() == b.links.len()
                && a.links
                    .iter()
                    .zip(&b.links)
                    .all(|(x, y)| x.target == y.target && x.anchor == y.anchor)
        };
        let clean = !doc
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error);
        if replay.missed.into_inner()
            || !clean
            || doc.toc != old_doc.toc
            || !same_links(&doc, old_doc)
        {
            return None;
        }
        let remembered = Remembered {
            doc: Arc::new(doc),
            table: known.table,
            answers: Arc::new(replay.answers.into_inner()),
        };
        self.memo
            .pages
            .insert(rel_path.to_string(), page.source.clone(), Ok(page.clone()));
        self.memo.documents.insert(
            rel_path.to_string(),
            page.source.clone(),
            remembered.clone(),
        );
        Some(BodyEdit {
            page,
            doc: remembered.doc,
        })
    }

    /// Patches one body edit into `last`; returns the output file it
    /// rendered and its fingerprint, if it was not unchanged.
    fn apply_body_edit(
        &mut self,
        last: &mut LastGood,
        index: usize,
        edit: BodyEdit,
        sink: &dyn OutputSink,
    ) -> Option<Option<(String, u64)>> {
        let file = edit.page.source.path.clone();
        let old_own = own_diagnostics(&last.site, index);
        let mut site = (*last.site).clone();
        site.pages[index] = edit.page;
        site.page_docs[index] = edit.doc;
        let new_own = own_diagnostics(&site, index);
        let is_body_finding = |f: &Finding| f.rule.reads_bodies() && f.diagnostic.file == file;
        let old_findings: Vec<Finding> = last
            .findings
            .iter()
            .filter(|f| is_body_finding(f))
            .cloned()
            .collect();
        let new_findings = check::run_on_body(&site, last.today, index, &mut self.memo.readability);
        // Most saves change no finding: the report, and its Arc, stay as they are.
        if old_own != new_own || old_findings != new_findings {
            for gone in old_own {
                if let Some(at) = last.stage_diagnostics.iter().position(|d| *d == gone) {
                    last.stage_diagnostics.remove(at);
                }
            }
            last.stage_diagnostics.extend(new_own);
            last.findings.retain(|f| !is_body_finding(f));
            last.findings.extend(new_findings);
            check::sort_findings(&mut last.findings);
            last.diagnostics = Arc::new(all_diagnostics(&last.stage_diagnostics, &last.findings));
        }
        let rendered =
            render::render_one_page(&site, &last.theme, sink, index, &self.rendered).ok()?;
        last.site = Arc::new(site);
        Some(rendered)
    }

    /// Runs every stage, reusing what the memo holds, and renders the output
    /// files whose inputs changed.
    fn rebuild_all(
        &mut self,
        changed: &[String],
        today: Date,
        sink: &dyn OutputSink,
    ) -> Result<Rebuilt, Diagnostics> {
        let sources = self.updated_sources(changed)?;
        let sources = &*self.sources.insert(sources);
        let stages = run_stages_on(sources, self.options.drafts, today, &mut self.memo);
        let stage_diagnostics: Vec<Diagnostic> = stages.diagnostics.iter().cloned().collect();
        let findings = stages.checks.findings.clone();
        let validated = Stages::validated(stages)?;
        let rendered = render::render_site(
            &validated.site,
            &validated.theme,
            sink,
            &|| {},
            &self.rendered,
        );
        let Validated {
            site,
            theme,
            assets,
            diagnostics: mut all,
        } = validated;
        all.extend(rendered.problems);
        all.extend(render::copy_static(&theme, &assets, sink));
        let all = all.sorted();
        if all.has_errors() {
            // The caller keeps the last good files, so the memo must keep describing them.
            return Err(all);
        }
        self.rendered = rendered.memo;
        let mut outputs = rendered.outputs;
        let renderable = outputs.len();
        outputs.extend(theme.static_files.iter().map(|(rel, _)| rel.clone()));
        outputs.extend(assets.iter().map(|a| a.rel_path.clone()));
        let outputs = Arc::new(outputs);
        let site = Arc::new(site);
        let all = Arc::new(all);
        self.last = Some(LastGood {
            site: site.clone(),
            theme,
            stage_diagnostics,
            findings,
            diagnostics: all.clone(),
            outputs: outputs.clone(),
            renderable,
            today,
        });
        Ok(Rebuilt {
            site,
            outputs,
            rendered: rendered.rendered,
            renderable,
            diagnostics: all,
        })
    }

    /// Reads what changed; everything on the first run or when `site.toml` changed.
    fn updated_sources(&mut self, changed: &[String]) -> Result<Sources, Diagnostics> {
        let root = &self.options.root;
        let config_changed = changed.iter().any(|p| p == crate::config::CONFIG_FILE);
        let sources = match self.sources.take() {
            Some(mut sources) if !config_changed => {
                let content: Vec<String> = changed.iter().filter_map(|p| content_path(p)).collect();
                sources.content.update(root, &content);
                if changed.iter().any(|p| content_path(p).is_none()) {
                    sources.theme = Theme::load(root, &sources.config).map(Arc::new);
                }
                sources
            }
            _ => {
                // New settings may change every stage's output: nothing is reused.
                self.memo = StageMemo::default();
                self.rendered = RenderMemo::new();
                Sources::read(&self.options)?
            }
        };
        Ok(sources)
    }
}

/// One page read and rendered again after an edit to its body only.
struct BodyEdit {
    page: Arc<Page>,
    doc: Arc<RenderedDoc<DocId>>,
}

/// A page's file up to its body: front matter and all.
fn front_matter_text(page: &Page) -> &str {
    &page.source.text[..page.body_start]
}

/// Answers link requests from the answers a page's last rendering got, so
/// a body edit needs no link table; a request not among them is a miss.
struct Replay<'a> {
    known: &'a [(Request, Answer)],
    answers: RefCell<Vec<(Request, Answer)>>,
    missed: RefCell<bool>,
}

impl LinkResolver for Replay<'_> {
    type Target = DocId;

    fn resolve(&self, _from_dir: &str, request: &LinkRequest) -> Answer {
        let request = Request::of(request);
        let answer = match self.known.iter().find(|(r, _)| *r == request) {
            Some((_, answer)) => answer.clone(),
            None => {
                *self.missed.borrow_mut() = true;
                Err((String::new(), String::new()))
            }
        };
        self.answers.borrow_mut().push((request, answer.clone()));
        answer
    }
}

/// The diagnostics of page `index`'s own stages: its document's and its
/// anchor links'.
fn own_diagnostics(site: &Site, index: usize) -> Vec<Diagnostic> {
    let targets = Targets {
        pages: &site.pages,
        sections: &site.sections,
        page_docs: &site.page_docs,
        section_docs: &site.section_docs,
    };
    let (page, doc) = (&site.pages[index], &site.page_docs[index]);
    let mut own = doc.diagnostics.clone();
    own.extend(targets.check_anchors_of(&page.source, doc));
    own
}

/// The stages' diagnostics and the findings as warnings, sorted, as a full pass reports them.
fn all_diagnostics(stage_diagnostics: &[Diagnostic], findings: &[Finding]) -> Diagnostics {
    let mut all = Diagnostics::new();
    all.extend(stage_diagnostics.iter().cloned());
    all.extend(findings.iter().map(Finding::as_warning));
    all.sorted()
}

/// `content/a/b.md` → `a/b.md`; `content` → `` (the whole folder); else `None`.
fn content_path(changed: &str) -> Option<String> {
    if changed == CONTENT_DIR {
        return Some(String::new());
    }
    changed
        .strip_prefix(CONTENT_DIR)?
        .strip_prefix('/')
        .map(str::to_string)
}
