//! Stage 6, site: assemble validated pages, rendered documents and the link
//! graph into the [`Site`], the complete model that templates are rendered from.
//!
//! This is where the cross-links a patient follows are derived:
//!
//! - a page is *about* a condition when it lists the condition's slug in
//!   `conditions:` or links to the condition page in its body;
//! - each condition page lists every page about it, grouped by section
//!   (Causes, Treatments, Prevention, Exercises …);
//! - two conditions are *related* when either one is about the other;
//! - every page knows its backlinks (pages whose bodies link to it).
//!
//! Nothing here touches the disk or knows about templates.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::config::Config;
use crate::front_matter::Kind;
use crate::links::{DocId, LinkGraph};
use crate::markdown::RenderedDoc;
use crate::page::{Page, PageSet, Section, slugify};

/// A tag and the pages that carry it.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub slug: String,
    pub pages: Vec<usize>,
}

/// The whole site, ready to render.
///
/// Cloning is cheap (the dev server patches a clone after a body edit):
/// pages and documents are shared, and so is everything derived from them.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub pages: Vec<Arc<Page>>,
    pub sections: Vec<Section>,
    pub page_docs: Vec<Arc<RenderedDoc<DocId>>>,
    pub section_docs: Vec<Arc<RenderedDoc<DocId>>>,
    pub graph: Arc<LinkGraph>,
    /// For each page, the condition pages it is about (sorted by title).
    pub about: Arc<Vec<Vec<usize>>>,
    /// For each condition page, the pages about it (other than itself).
    pub about_this: Arc<Vec<Vec<usize>>>,
    /// For each page, its related conditions (sorted by title).
    pub related_conditions: Arc<Vec<Vec<usize>>>,
    /// For each section, its pages in reading order.
    pub section_pages: Arc<Vec<Vec<usize>>>,
    /// For each section, its direct subsections in reading order.
    pub subsections: Arc<Vec<Vec<usize>>>,
    /// Every condition page, A–Z by title.
    pub conditions_az: Arc<Vec<usize>>,
    pub tags: Arc<Vec<Tag>>,
}

impl Site {
    pub fn assemble(
        config: Config,
        set: PageSet,
        page_docs: Vec<Arc<RenderedDoc<DocId>>>,
        section_docs: Vec<Arc<RenderedDoc<DocId>>>,
        graph: LinkGraph,
    ) -> Site {
        let PageSet {
            pages, sections, ..
        } = set;
        let about = about_conditions(&pages, &graph);
        let about_this = invert(&about, pages.len());
        let related_conditions = related_conditions(&pages, &about, &about_this);
        let section_pages = pages_by_section(&pages, &sections);
        let subsections = subsections(&sections);
        let mut conditions_az: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].meta.kind == Kind::Condition)
            .collect();
        conditions_az.sort_by_cached_key(|&i| pages[i].meta.title.to_lowercase());
        let tags = collect_tags(&pages);
        Site {
            config,
            pages,
            sections,
            page_docs,
            section_docs,
            graph: Arc::new(graph),
            about: Arc::new(about),
            about_this: Arc::new(about_this),
            related_conditions: Arc::new(related_conditions),
            section_pages: Arc::new(section_pages),
            subsections: Arc::new(subsections),
            conditions_az: Arc::new(conditions_az),
            tags: Arc::new(tags),
        }
    }

    /// The section a page belongs to.
    pub fn section_of(&self, page: usize) -> Option<usize> {
        let dir = &self.pages[page].section;
        self.sections.iter().position(|s| &s.dir == dir)
    }

    /// Sorts page indices by title, case-insensitively.
    pub fn by_title(&self, mut pages: Vec<usize>) -> Vec<usize> {
        pages.sort_by_cached_key(|&i| self.pages[i].meta.title.to_lowercase());
        pages
    }
}

fn about_conditions(pages: &[Arc<Page>], graph: &LinkGraph) -> Vec<Vec<usize>> {
    let by_slug: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.slug.as_str(), i))
        .collect();
    let is_condition = |i: usize| pages[i].meta.kind == Kind::Condition;
    pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let listed = page
                .meta
                .conditions
                .iter()
                .filter_map(|s| by_slug.get(s.as_str()).copied());
            let linked = graph.outbound[i].iter().copied();
            let set: BTreeSet<usize> = listed
                .chain(linked)
                .filter(|&c| c != i && is_condition(c))
                .collect();
            sorted_by_title(pages, set)
        })
        .collect()
}

fn invert(relation: &[Vec<usize>], len: usize) -> Vec<Vec<usize>> {
    let mut inverted = vec![Vec::new(); len];
    for (from, targets) in relation.iter().enumerate() {
        for &to in targets {
            inverted[to].push(from);
        }
    }
    inverted
}

fn related_conditions(
    pages: &[Arc<Page>],
    about: &[Vec<usize>],
    about_this: &[Vec<usize>],
) -> Vec<Vec<usize>> {
    (0..pages.len())
        .map(|i| {
            let mut set: BTreeSet<usize> = about[i].iter().copied().collect();
            if pages[i].meta.kind == Kind::Condition {
                set.extend(
                    about_this[i]
                        .iter()
                        .copied()
                        .filter(|&j| pages[j].meta.kind == Kind::Condition),
                );
            }
            sorted_by_title(pages, set)
        })
        .collect()
}

fn sorted_by_title(pages: &[Arc<Page>], set: BTreeSet<usize>) -> Vec<usize> {
    let mut list: Vec<usize> = set.into_iter().collect();
    list.sort_by_cached_key(|&i| pages[i].meta.title.to_lowercase());
    list
}

/// Pages in reading order: by `weight` (unweighted last), then title.
fn pages_by_section(pages: &[Arc<Page>], sections: &[Section]) -> Vec<Vec<usize>> {
    sections
        .iter()
        .map(|section| {
            let mut list: Vec<usize> = (0..pages.len())
                .filter(|&i| pages[i].section == section.dir)
                .collect();
            list.sort_by_cached_key(|&i| {
                (
                    pages[i].meta.weight.unwrap_or(i64::MAX),
                    pages[i].meta.title.to_lowercase(),
                )
            });
            list
        })
        .collect()
}

fn subsections(sections: &[Section]) -> Vec<Vec<usize>> {
    sections
        .iter()
        .map(|parent| {
            let mut children: Vec<usize> = (0..sections.len())
                .filter(|&i| sections[i].parent_dir() == Some(parent.dir.as_str()))
                .collect();
            children.sort_by_cached_key(|&i| {
                (
                    sections[i].weight.unwrap_or(i64::MAX),
                    sections[i].title.to_lowercase(),
                )
            });
            children
        })
        .collect()
}

fn collect_tags(pages: &[Arc<Page>]) -> Vec<Tag> {
    let mut by_slug: BTreeMap<String, Tag> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        for name in &page.meta.tags {
            let slug = slugify(name);
            if slug.is_empty() {
                continue;
            }
            let tag = by_slug.entry(slug.clone()).or_insert_with(|| Tag {
                name: name.clone(),
                slug,
                pages: Vec::new(),
            });
            if !tag.pages.contains(&i) {
                tag.pages.push(i);
            }
        }
    }
    by_slug
        .into_values()
        .map(|mut tag| {
            tag.pages
                .sort_by_cached_key(|&i| pages[i].meta.title.to_lowercase());
            tag
        })
        .collect()
}
