//! Stage 5, links: resolve internal links, check their anchors, and build
//! the link graph that condition pages and backlinks are generated from.
//!
//! [`LinkTable`] answers the markdown stage's questions ("where does
//! `../conditions/sciatica.md` go?") while documents render in parallel.
//! Once every document is rendered, each heading id is known, so
//! [`check_anchors`] checks `page.md#anchor` links against their targets and
//! [`LinkGraph::build`] records who links to whom.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::diagnostic::SourceFile;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::load::Asset;
use crate::markdown::{LinkRequest, LinkResolver, RenderedDoc, Resolved, missing_anchor};
use crate::page::{Page, PageSet, SECTION_INDEX, Section, page_address, slugify};

/// A document a link can point at: a page or a section's `_index.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocId {
    Page(usize),
    Section(usize),
}

/// Everything a link may point at, indexed for the markdown stage.
pub struct LinkTable<'a> {
    set: &'a PageSet,
    base_path: &'a str,
    by_path: HashMap<String, DocId>,
    by_slug: HashMap<&'a str, usize>,
    assets: HashSet<&'a str>,
    drafts: HashSet<&'a str>,
    /// Pages with front-matter errors: links to them resolve quietly (to no document).
    invalid_paths: HashMap<&'a str, String>,
    invalid_slugs: HashMap<String, String>,
}

impl<'a> LinkTable<'a> {
    pub fn new(set: &'a PageSet, assets: &'a [Asset], base_path: &'a str) -> Self {
        let page_paths = set
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rel_path.clone(), DocId::Page(i)));
        let section_paths = set
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (section_index_path(&s.dir), DocId::Section(i)));
        LinkTable {
            set,
            base_path,
            by_path: page_paths.chain(section_paths).collect(),
            by_slug: set
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.slug.as_str(), i))
                .collect(),
            assets: assets.iter().map(|a| a.rel_path.as_str()).collect(),
            drafts: set.drafts.iter().map(String::as_str).collect(),
            invalid_paths: set
                .invalid
                .iter()
                .map(|p| (p.as_str(), page_address(p).path))
                .collect(),
            invalid_slugs: set
                .invalid
                .iter()
                .map(|p| page_address(p))
                .map(|a| (a.slug, a.path))
                .collect(),
        }
    }

    /// A hash of everything a link can be resolved against: the same
    /// fingerprint means every request gets the same answer as before.
    pub fn fingerprint(&self) -> u64 {
        let pages: Vec<(&str, &str, &str, &str)> = self
            .set
            .pages
            .iter()
            .map(|p| {
                (
                    p.rel_path.as_str(),
                    p.slug.as_str(),
                    p.path.as_str(),
                    p.meta.title.as_str(),
                )
            })
            .collect();
        let sections: Vec<(&str, &str, &str)> = self
            .set
            .sections
            .iter()
            .map(|s| (s.dir.as_str(), s.path.as_str(), s.title.as_str()))
            .collect();
        let mut assets: Vec<&str> = self.assets.iter().copied().collect();
        assets.sort_unstable();
        crate::memo::fingerprint(&(
            self.base_path,
            pages,
            sections,
            assets,
            &self.set.drafts,
            &self.set.invalid,
        ))
    }

    /// The site-relative URL of a document, including the base path.
    pub fn url(&self, doc: DocId) -> String {
        match doc {
            DocId::Page(i) => format!("{}{}", self.base_path, self.set.pages[i].path),
            DocId::Section(i) => format!("{}{}", self.base_path, self.set.sections[i].path),
        }
    }

    fn title(&self, doc: DocId) -> String {
        match doc {
            DocId::Page(i) => self.set.pages[i].meta.title.clone(),
            DocId::Section(i) => self.set.sections[i].title.clone(),
        }
    }

    fn found(&self, doc: DocId) -> Resolved<DocId> {
        Resolved {
            url: self.url(doc),
            title: self.title(doc),
            target: Some(doc),
        }
    }

    /// A link to a page whose own errors are already reported.
    fn unchecked(&self, url_path: &str, title: &str) -> Resolved<DocId> {
        Resolved {
            url: format!("{}{url_path}", self.base_path),
            title: title.to_string(),
            target: None,
        }
    }

    fn resolve_markdown(
        &self,
        from_dir: &str,
        written: &str,
    ) -> Result<Resolved<DocId>, (String, String)> {
        let path = join_content_path(from_dir, written).ok_or_else(|| outside_content(written))?;
        if let Some(doc) = self.by_path.get(&path) {
            return Ok(self.found(*doc));
        }
        if let Some(url_path) = self.invalid_paths.get(path.as_str()) {
            return Ok(self.unchecked(url_path, &path));
        }
        if self.drafts.contains(path.as_str()) {
            return Err((
                format!("link to a draft page: content/{path} is a draft"),
                "publish the page (remove `draft: true`), build with --drafts, or remove the link"
                    .to_string(),
            ));
        }
        let hint = match did_you_mean(&path, self.by_path.keys().map(String::as_str)) {
            Some(close) => {
                format!("did you mean content/{close}? Paths are relative to this file's folder")
            }
            None => "link to an existing .md file, relative to this file's folder".to_string(),
        };
        Err((
            format!("broken link: there is no page content/{path}"),
            hint,
        ))
    }

    fn resolve_slug(&self, slug: &str) -> Result<Resolved<DocId>, (String, String)> {
        if let Some(i) = self.by_slug.get(slugify(slug).as_str()) {
            return Ok(self.found(DocId::Page(*i)));
        }
        if let Some(url_path) = self.invalid_slugs.get(&slugify(slug)) {
            return Ok(self.unchecked(url_path, slug));
        }
        let hint = match did_you_mean(slug, self.by_slug.keys().copied()) {
            Some(close) => format!("did you mean `[[{close}]]`?"),
            None => "a slug is a page's file name without .md".to_string(),
        };
        Err((format!("broken link: no page has the slug `{slug}`"), hint))
    }

    fn resolve_file(
        &self,
        from_dir: &str,
        written: &str,
    ) -> Result<Resolved<DocId>, (String, String)> {
        let path = join_content_path(from_dir, written).ok_or_else(|| outside_content(written))?;
        if self.assets.contains(path.as_str()) {
            return Ok(Resolved {
                url: format!("{}{path}", self.base_path),
                title: path,
                target: None,
            });
        }
        Err((
            format!("broken link: there is no file content/{path}"),
            "put the file in content/ beside the page, or correct the path".to_string(),
        ))
    }
}

impl LinkResolver for LinkTable<'_> {
    type Target = DocId;

    fn resolve(
        &self,
        from_dir: &str,
        request: &LinkRequest,
    ) -> Result<Resolved<DocId>, (String, String)> {
        match request {
            LinkRequest::MarkdownFile(path) => self.resolve_markdown(from_dir, path),
            LinkRequest::Slug(slug) => self.resolve_slug(slug),
            LinkRequest::File(path) => self.resolve_file(from_dir, path),
        }
    }
}

/// `conditions` → `conditions/_index.md`; `` → `_index.md`.
pub fn section_index_path(dir: &str) -> String {
    if dir.is_empty() {
        SECTION_INDEX.to_string()
    } else {
        format!("{dir}/{SECTION_INDEX}")
    }
}

fn outside_content(written: &str) -> (String, String) {
    (
        format!("broken link: `{written}` points outside the content folder"),
        "links to pages and files must stay inside content/".to_string(),
    )
}

/// Joins a link written in folder `from_dir` to a path relative to `content/`.
/// A leading `/` means the content root. `None` if `..` climbs above it.
pub fn join_content_path(from_dir: &str, written: &str) -> Option<String> {
    let (base, rest) = match written.strip_prefix('/') {
        Some(rest) => ("", rest),
        None => (from_dir, written),
    };
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

/// Checks every `other.md#anchor` link against the headings of its target.
pub fn check_anchors(
    set: &PageSet,
    page_docs: &[Arc<RenderedDoc<DocId>>],
    section_docs: &[Arc<RenderedDoc<DocId>>],
) -> Vec<Diagnostic> {
    let targets = Targets {
        pages: &set.pages,
        sections: &set.sections,
        page_docs,
        section_docs,
    };
    let sources = set.pages.iter().map(|p| &p.source).zip(page_docs).chain(
        set.sections
            .iter()
            .zip(section_docs)
            .filter_map(|(s, d)| s.source.as_ref().map(|src| (src, d))),
    );
    sources
        .flat_map(|(source, rendered)| targets.check_anchors_of(source, rendered))
        .collect()
}

/// Every document a link can point at, with its rendered headings.
pub struct Targets<'a> {
    pub pages: &'a [Arc<Page>],
    pub sections: &'a [Section],
    pub page_docs: &'a [Arc<RenderedDoc<DocId>>],
    pub section_docs: &'a [Arc<RenderedDoc<DocId>>],
}

impl Targets<'_> {
    /// Checks the `other.md#anchor` links of one document.
    pub fn check_anchors_of(
        &self,
        source: &SourceFile,
        rendered: &RenderedDoc<DocId>,
    ) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        for link in &rendered.links {
            let Some(anchor) = &link.anchor else { continue };
            let (target, name) = match link.target {
                DocId::Page(i) => (&self.page_docs[i], &self.pages[i].rel_path),
                DocId::Section(i) => (
                    &self.section_docs[i],
                    &section_index_path(&self.sections[i].dir),
                ),
            };
            if !target.has_anchor(anchor) {
                let name = format!("content/{name}");
                found.push(missing_anchor(
                    source,
                    link.span,
                    anchor,
                    &name,
                    &target.toc,
                ));
            }
        }
        found
    }
}

/// Who links to whom, between pages.
#[derive(Debug, Default, Clone)]
pub struct LinkGraph {
    /// For each page, the pages its body links to (sorted, no repeats, never itself).
    pub outbound: Vec<Vec<usize>>,
    /// For each page, the pages whose bodies link to it: its backlinks.
    pub inbound: Vec<Vec<usize>>,
}

impl LinkGraph {
    pub fn build(page_docs: &[Arc<RenderedDoc<DocId>>]) -> Self {
        let outbound: Vec<Vec<usize>> = page_docs
            .iter()
            .enumerate()
            .map(|(from, doc)| {
                let targets: BTreeSet<usize> = doc
                    .links
                    .iter()
                    .filter_map(|l| match l.target {
                        DocId::Page(to) if to != from => Some(to),
                        _ => None,
                    })
                    .collect();
                targets.into_iter().collect()
            })
            .collect();
        let mut inbound = vec![Vec::new(); page_docs.len()];
        for (from, targets) in outbound.iter().enumerate() {
            for &to in targets {
                inbound[to].push(from);
            }
        }
        LinkGraph { outbound, inbound }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_and_root_paths() {
        assert_eq!(
            join_content_path("conditions", "../treatments/home-care.md").as_deref(),
            Some("treatments/home-care.md")
        );
        assert_eq!(
            join_content_path("conditions", "sciatica.md").as_deref(),
            Some("conditions/sciatica.md")
        );
        assert_eq!(
            join_content_path("", "./about.md").as_deref(),
            Some("about.md")
        );
        assert_eq!(
            join_content_path("a/b", "/about.md").as_deref(),
            Some("about.md")
        );
        assert_eq!(join_content_path("", "../x.md"), None);
    }
}
