//! Index: documents → scored postings, one list per word, plus synonyms.
//!
//! Terms are the folded *words* readers write (not stems), so the browser can
//! tell an exact match from a stemmed one, and find words by prefix or with a
//! typo; it groups words by stem itself, with the same stemmer.
//!
//! Every (word, page) pair gets a BM25F score: each field's term frequency
//! is weighted and length-normalised, summed, saturated and multiplied by the
//! word's IDF and the page's kind boost. Pages rank by it. Each (word,
//! section) pair gets the same score computed over sections, which orders a
//! page's sections (its sub-hits).
//! The browser only adds these scores up, so they are stored as one byte
//! each ([`quantize`]): the square root of the score over the largest one.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::config::SearchConfig;
use crate::front_matter::Kind;

use super::FastMap;
use super::analyzer::{index_words, stem};
use super::collect::{Document, Field, canonical_name};

/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// Length normalisation per field (title, also called, headings, summary, body).
pub const B: [f64; 5] = [0.3, 0.3, 0.5, 0.5, 0.75];
/// Sections kept per page in a posting for the best pages of a word…
pub const SECTIONS_PER_PAGE: usize = 3;
/// …which are this many pages; other pages keep their best section only.
pub const DETAILED_PAGES: usize = 64;
/// Pages kept for one synonym.
pub const SYNONYM_PAGES: usize = 16;

/// A page, its field counts for a word summed over its sections, and its best sections.
type PageCounts = (u32, [u32; 5], Best);

/// A page's score for a word, and its best sections' (unit, score).
#[derive(Debug, Clone)]
struct Scored {
    page: u32,
    score: f64,
    /// The word is in the page's name (title or other names).
    named: bool,
    sections: Best,
}

/// The best [`SECTIONS_PER_PAGE`] sections (unit, score), best first: by
/// score, then the earlier section. Kept inline: a site has millions.
#[derive(Debug, Clone, Copy, Default)]
struct Best {
    items: [(u32, f64); SECTIONS_PER_PAGE],
    len: usize,
}

impl Best {
    fn push(&mut self, unit: u32, score: f64) {
        let better = |a: (u32, f64), b: (u32, f64)| a.1 > b.1 || (a.1 == b.1 && a.0 < b.0);
        let mut at = self.len;
        while at > 0 && better((unit, score), self.items[at - 1]) {
            at -= 1;
        }
        if at >= SECTIONS_PER_PAGE {
            return;
        }
        let mut i = self.len.min(SECTIONS_PER_PAGE - 1);
        while i > at {
            self.items[i] = self.items[i - 1];
            i -= 1;
        }
        self.items[at] = (unit, score);
        self.len = (self.len + 1).min(SECTIONS_PER_PAGE);
    }

    fn as_slice(&self) -> &[(u32, f64)] {
        &self.items[..self.len]
    }
}

/// One page that contains a word: its score and its best sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    /// Index into the documents.
    pub page: u32,
    pub impact: u8,
    /// The word is in the page's title or `also_called`: such pages rank
    /// first among those matching as many of the query's words.
    pub named: bool,
    /// (unit index in the page, impact), best first.
    pub sections: Vec<(u32, u8)>,
}

/// A phrase that also means another: `slipped disc` → `disc herniation`.
#[derive(Debug, Clone, PartialEq)]
pub struct Synonym {
    /// The phrase's indexed words, space-separated.
    pub phrase: String,
    /// What to tell the reader the search was for.
    pub canonical: String,
    pub postings: Vec<Posting>,
}

/// The whole index, before it is cut into files.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Every indexed word, sorted by its UTF-8 bytes.
    pub words: Vec<String>,
    /// Parallel to `words`, pages in ascending order.
    pub postings: Vec<Vec<Posting>>,
    /// For each word, the synonyms whose phrase starts with it.
    pub synonyms: Vec<Vec<Synonym>>,
}

/// Field weights in [`Field::ALL`] order.
fn weights(config: &SearchConfig) -> [f64; 5] {
    let b = &config.boosts;
    [b.title, b.also_called, b.headings, b.summary, b.body].map(|w| w.max(0.0))
}

/// `score` as a byte, relative to the largest score `max`.
pub fn quantize(score: f64, max: f64) -> u8 {
    if score <= 0.0 || max <= 0.0 {
        return 0;
    }
    ((score / max).sqrt() * 255.0).round().clamp(1.0, 255.0) as u8
}

/// Builds the index of `documents`.
pub fn build(documents: &[Document], config: &SearchConfig) -> Index {
    let weights = weights(config);
    // Intern words; count per unit and field.
    let mut ids: FastMap<&str, u32> = FastMap::default();
    let mut names: Vec<&str> = Vec::new();
    // (word, page, unit) → per-field term frequencies.
    let mut occurrences: Vec<Vec<(u32, u32, [u16; 5])>> = Vec::new();
    let mut lengths: Vec<[u32; 5]> = Vec::new();
    let mut unit_count = 0usize;
    let table = synonym_table(documents, config);
    // A synonym's phrase lives with its first word, which must be in the
    // dictionary even if no page uses it (`water tablets` = [`diuretics`]).
    for phrase in table.keys() {
        let first = phrase.split(' ').next().unwrap_or("");
        if !ids.contains_key(first) {
            ids.insert(first, names.len() as u32);
            names.push(first);
            occurrences.push(Vec::new());
        }
    }
    for (page, doc) in documents.iter().enumerate() {
        for (u, unit) in doc.units.iter().enumerate() {
            unit_count += 1;
            for (word, counts) in &unit.terms {
                let id = *ids.entry(word.as_str()).or_insert_with(|| {
                    names.push(word.as_str());
                    occurrences.push(Vec::new());
                    (names.len() - 1) as u32
                });
                occurrences[id as usize].push((page as u32, u as u32, *counts));
            }
            lengths.push(unit.lengths);
        }
    }
    let average = |lengths: &[[u32; 5]]| -> [f64; 5] {
        std::array::from_fn(|f| {
            let present: Vec<u32> = lengths.iter().map(|l| l[f]).filter(|&l| l > 0).collect();
            if present.is_empty() {
                1.0
            } else {
                present.iter().map(|&l| f64::from(l)).sum::<f64>() / present.len() as f64
            }
        })
    };
    let unit_offsets: Vec<usize> = documents
        .iter()
        .scan(0usize, |acc, d| {
            let start = *acc;
            *acc += d.units.len();
            Some(start)
        })
        .collect();
    // A page's fields are the sums of its sections'.
    let page_lengths: Vec<[u32; 5]> = documents
        .iter()
        .zip(&unit_offsets)
        .map(|(d, &start)| {
            lengths[start..start + d.units.len()]
                .iter()
                .fold([0; 5], |acc, l| std::array::from_fn(|f| acc[f] + l[f]))
        })
        .collect();
    let unit_avg = average(&lengths);
    let page_avg = average(&page_lengths);
    let boost = |page: u32| match documents[page as usize].kind {
        Kind::Condition => config.boosts.condition.max(0.0),
        _ => 1.0,
    };
    let bm25f = |counts: &[u32; 5], len: &[u32; 5], avg: &[f64; 5], idf: f64| {
        let tf: f64 = (0..5)
            .filter(|&f| counts[f] > 0)
            .map(|f| {
                let norm = 1.0 - B[f] + B[f] * f64::from(len[f]) / avg[f];
                weights[f] * f64::from(counts[f]) / norm
            })
            .sum();
        idf * tf / (K1 + tf)
    };
    let idf = |n: usize, df: usize| {
        let (n, df) = (n as f64, df as f64);
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    };

    // Raw (float) scores: per word, per page, the page's score (pages rank
    // by it) and its sections' (they order the sub-hits).
    let mut raw: Vec<Vec<Scored>> = occurrences
        .par_iter()
        .map(|occ| {
            let unit_idf = idf(unit_count, occ.len());
            // (page, its summed field counts, its sections' scores)
            let mut pages: Vec<PageCounts> = Vec::new();
            for &(page, unit, counts) in occ {
                let len = &lengths[unit_offsets[page as usize] + unit as usize];
                let counts32 = counts.map(u32::from);
                let score = bm25f(&counts32, len, &unit_avg, unit_idf) * boost(page);
                match pages.last_mut() {
                    Some((p, total, sections)) if *p == page => {
                        *total = std::array::from_fn(|f| total[f] + counts32[f]);
                        sections.push(unit, score);
                    }
                    _ => {
                        let mut sections = Best::default();
                        sections.push(unit, score);
                        pages.push((page, counts32, sections));
                    }
                }
            }
            let page_idf = idf(documents.len(), pages.len());
            pages
                .into_iter()
                .map(|(page, counts, sections)| Scored {
                    page,
                    score: bm25f(&counts, &page_lengths[page as usize], &page_avg, page_idf)
                        * boost(page),
                    named: counts[Field::Title as usize] + counts[Field::AlsoCalled as usize] > 0,
                    sections,
                })
                .collect()
        })
        .collect();
    let max_page = raw.iter().flatten().map(|s| s.score).fold(0.0, f64::max);
    let max_section = raw
        .iter()
        .flatten()
        .flat_map(|s| s.sections.as_slice().iter().map(|u| u.1))
        .fold(0.0, f64::max);
    let max = (max_page, max_section);

    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(names[b]));
    let words: Vec<String> = order.iter().map(|&i| names[i].to_string()).collect();
    let position: HashMap<&str, usize> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    let mut stem_groups: HashMap<String, Vec<usize>> = HashMap::new();
    if !table.is_empty() {
        for (sorted, word) in words.iter().enumerate() {
            stem_groups
                .entry(stem(word))
                .or_default()
                .push(order[sorted]);
        }
    }
    let mut expander = Expander {
        stem_groups: &stem_groups,
        raw: &raw,
        by_stem: HashMap::new(),
        lists: Vec::new(),
        by_target: HashMap::new(),
    };
    let mut synonyms: Vec<Vec<Synonym>> = vec![Vec::new(); words.len()];
    for (phrase, targets) in table {
        let first = phrase.split(' ').next().unwrap_or("");
        let Some(&at) = position.get(first) else {
            continue;
        };
        let scored = expander.expand(&targets);
        synonyms[at].push(Synonym {
            phrase,
            canonical: targets[0].clone(),
            postings: encode_postings(scored, max, SYNONYM_PAGES),
        });
    }
    let mut sorted_raw: Vec<Vec<Scored>> =
        order.iter().map(|&i| std::mem::take(&mut raw[i])).collect();
    let postings: Vec<Vec<Posting>> = sorted_raw
        .par_iter_mut()
        .map(|r| encode_postings(std::mem::take(r), max, DETAILED_PAGES))
        .collect();
    Index {
        words,
        postings,
        synonyms,
    }
}

/// Sorts one word's pages, keeps the best sections, and quantizes.
/// `keep` limits the number of pages (best first) for synonyms; for words
/// every page is kept and `keep` pages keep several sections.
fn encode_postings(mut scored: Vec<Scored>, max: (f64, f64), keep: usize) -> Vec<Posting> {
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.page.cmp(&b.page)));
    let truncate = keep == SYNONYM_PAGES;
    if truncate {
        scored.truncate(keep);
    }
    let mut postings: Vec<Posting> = scored
        .into_iter()
        .enumerate()
        .map(|(rank, s)| {
            let limit = if rank < keep { SECTIONS_PER_PAGE } else { 1 };
            Posting {
                page: s.page,
                impact: quantize(s.score, max.0),
                named: s.named,
                sections: s
                    .sections
                    .as_slice()
                    .iter()
                    .take(limit)
                    .map(|&(u, s)| (u, quantize(s, max.1)))
                    .collect(),
            }
        })
        .collect();
    postings.sort_by_key(|p| p.page);
    postings
}

/// Synonym phrase (indexed words) → names it stands for, first one shown.
/// From every page's `also_called` (→ the page's name) and `[search.synonyms]`.
fn synonym_table(documents: &[Document], config: &SearchConfig) -> BTreeMap<String, Vec<String>> {
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |phrase: &str, target: &str| {
        let words = index_words(phrase);
        let stems: Vec<String> = words.iter().map(|w| stem(w)).collect();
        let target_stems: Vec<String> = index_words(target).iter().map(|w| stem(w)).collect();
        if words.is_empty() || target_stems.is_empty() || stems == target_stems {
            return;
        }
        let names = table.entry(words.join(" ")).or_default();
        if !names.iter().any(|n| n == target) {
            names.push(target.to_string());
        }
    };
    for (phrase, targets) in &config.synonyms {
        for target in targets {
            add(phrase, target);
        }
    }
    for doc in documents {
        let name = canonical_name(&doc.title);
        for other in &doc.also_called {
            add(other, &name);
        }
    }
    table
}

/// Finds the pages a synonym's names are about, remembering work shared
/// between synonyms (a page's other names all point at its one name).
struct Expander<'a> {
    stem_groups: &'a HashMap<String, Vec<usize>>,
    raw: &'a [Vec<Scored>],
    /// Stem → index into `lists`.
    by_stem: HashMap<String, usize>,
    lists: Vec<StemPages<'a>>,
    by_target: HashMap<String, Vec<Scored>>,
}

/// The pages of a stem: for each page (ascending), its best-scoring word of
/// that stem; and the best pages, where a synonym's pages are looked for.
struct StemPages<'a> {
    by_page: Vec<&'a Scored>,
    best: Vec<u32>,
}

/// How many of a stem's best pages are candidates for a synonym's pages.
const CANDIDATES_PER_STEM: usize = 64;

impl<'a> Expander<'a> {
    fn pages_of(&mut self, stem: &str) -> usize {
        if let Some(&i) = self.by_stem.get(stem) {
            return i;
        }
        let (groups, raw) = (self.stem_groups, self.raw);
        let mut by_page: Vec<&Scored> = groups
            .get(stem)
            .into_iter()
            .flatten()
            .flat_map(|&w| raw[w].iter())
            .collect();
        by_page.sort_by(|a, b| a.page.cmp(&b.page).then(b.score.total_cmp(&a.score)));
        by_page.dedup_by_key(|s| s.page);
        let mut ranked: Vec<&Scored> = by_page.clone();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.page.cmp(&b.page)));
        let best = ranked
            .iter()
            .take(CANDIDATES_PER_STEM)
            .map(|s| s.page)
            .collect();
        self.lists.push(StemPages { by_page, best });
        self.by_stem.insert(stem.to_string(), self.lists.len() - 1);
        self.lists.len() - 1
    }

    /// Pages that contain every word of `target` (a word's stem-mates count
    /// too), scored by the sum of those words' scores; the best few, looked
    /// for among each word's best pages.
    fn target(&mut self, target: &str) -> Vec<Scored> {
        if let Some(done) = self.by_target.get(target) {
            return done.clone();
        }
        let stems: Vec<String> = index_words(target).iter().map(|w| stem(w)).collect();
        let ids: Vec<usize> = stems.iter().map(|s| self.pages_of(s)).collect();
        let lists: Vec<&StemPages> = ids.iter().map(|&i| &self.lists[i]).collect();
        let mut candidates: Vec<u32> = lists.iter().flat_map(|l| l.best.iter().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut found = Vec::new();
        for page in candidates {
            let hits: Option<Vec<&Scored>> = lists
                .iter()
                .map(|l| {
                    l.by_page
                        .binary_search_by_key(&page, |s| s.page)
                        .ok()
                        .map(|i| l.by_page[i])
                })
                .collect();
            let Some(hits) = hits else { continue };
            let mut units: BTreeMap<u32, f64> = BTreeMap::new();
            for h in &hits {
                for &(u, v) in h.sections.as_slice() {
                    *units.entry(u).or_default() += v;
                }
            }
            let mut sections = Best::default();
            for (u, v) in units {
                sections.push(u, v);
            }
            found.push(Scored {
                page,
                score: hits.iter().map(|h| h.score).sum(),
                named: hits.iter().all(|h| h.named),
                sections,
            });
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.page.cmp(&b.page)));
        found.truncate(SYNONYM_PAGES);
        self.by_target.insert(target.to_string(), found.clone());
        found
    }

    /// The best pages for any of `targets`.
    fn expand(&mut self, targets: &[String]) -> Vec<Scored> {
        let mut best: BTreeMap<u32, Scored> = BTreeMap::new();
        for target in targets {
            for scored in self.target(target) {
                match best.get(&scored.page) {
                    Some(b) if b.score >= scored.score => {}
                    _ => {
                        best.insert(scored.page, scored);
                    }
                }
            }
        }
        best.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::collect::Unit;

    fn doc(title: &str, kind: Kind, also: &[&str], body: &[(&str, &str)]) -> Document {
        let mut top = Unit::default();
        top.set_fields([
            index_words(title),
            index_words(&also.join(" · ")),
            vec![],
            vec![],
            vec![],
        ]);
        let mut units = vec![top];
        for (heading, text) in body {
            let mut unit = Unit {
                heading: heading.to_string(),
                id: heading.to_lowercase(),
                ..Unit::default()
            };
            unit.set_fields([
                vec![],
                vec![],
                index_words(heading),
                vec![],
                index_words(text),
            ]);
            units.push(unit);
        }
        Document {
            url: format!("/{}/", title.to_lowercase()),
            title: title.to_string(),
            kind,
            also_called: also.iter().map(|s| s.to_string()).collect(),
            units,
        }
    }

    fn impact(index: &Index, word: &str, page: u32) -> u8 {
        let i = index.words.iter().position(|w| w == word).unwrap();
        index.postings[i]
            .iter()
            .find(|p| p.page == page)
            .map_or(0, |p| p.impact)
    }

    fn corpus() -> Vec<Document> {
        vec![
            doc(
                "Sciatica",
                Kind::Condition,
                &["trapped nerve"],
                &[("Symptoms", "pain in the leg and the back")],
            ),
            doc(
                "Back pain",
                Kind::Article,
                &[],
                &[(
                    "Overview",
                    "sciatica is mentioned once in a long body of text about many other things and words",
                )],
            ),
            doc(
                "Plank",
                Kind::Exercise,
                &[],
                &[("How", "hold the plank, breathe; the plank helps the back")],
            ),
        ]
    }

    #[test]
    fn title_beats_body_and_rare_beats_common() {
        let index = build(&corpus(), &SearchConfig::default());
        assert!(impact(&index, "sciatica", 0) > impact(&index, "sciatica", 1));
        assert!(impact(&index, "plank", 2) > impact(&index, "back", 2));
        assert!(index.words.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn condition_boost_is_applied() {
        let mut docs = corpus();
        docs[1].kind = Kind::Condition;
        let mut config = SearchConfig::default();
        let plain = build(&docs, &config);
        config.boosts.condition = 1.0;
        let unboosted = build(&docs, &config);
        // Scores are relative to the largest, so compare with another page.
        let ratio = |index: &Index| {
            f64::from(impact(index, "back", 1)) / f64::from(impact(index, "back", 2))
        };
        assert!(ratio(&plain) > ratio(&unboosted) * 1.1);
    }

    #[test]
    fn postings_list_pages_in_order_with_best_sections() {
        let index = build(&corpus(), &SearchConfig::default());
        let i = index.words.iter().position(|w| w == "back").unwrap();
        let pages: Vec<u32> = index.postings[i].iter().map(|p| p.page).collect();
        assert_eq!(pages, [0, 1, 2]);
        assert_eq!(index.postings[i][0].sections[0].0, 1, "sciatica's Symptoms");
    }

    #[test]
    fn also_called_becomes_a_synonym_for_the_name() {
        let index = build(&corpus(), &SearchConfig::default());
        let i = index.words.iter().position(|w| w == "trapped").unwrap();
        let synonym = &index.synonyms[i][0];
        assert_eq!(synonym.phrase, "trapped nerve");
        assert_eq!(synonym.canonical, "Sciatica");
        let pages: Vec<u32> = synonym.postings.iter().map(|p| p.page).collect();
        assert_eq!(pages, [0, 1], "both pages that say sciatica");
    }

    #[test]
    fn configured_synonyms_expand_to_their_targets() {
        let mut config = SearchConfig::default();
        config
            .synonyms
            .insert("core work".into(), vec!["plank".into()]);
        let index = build(&corpus(), &config);
        let i = index.words.iter().position(|w| w == "core").unwrap();
        // `core` is in no page but stays in the dictionary to carry the phrase.
        assert!(index.postings[i].is_empty());
        assert_eq!(index.synonyms[i][0].postings[0].page, 2);
        config
            .synonyms
            .insert("back exercise".into(), vec!["plank".into()]);
        let index = build(&corpus(), &config);
        let i = index.words.iter().position(|w| w == "back").unwrap();
        let s = &index.synonyms[i][0];
        assert_eq!(
            (s.phrase.as_str(), s.canonical.as_str()),
            ("back exercise", "plank")
        );
        assert_eq!(s.postings[0].page, 2);
    }

    #[test]
    fn best_keeps_the_top_sections_in_order() {
        let mut best = Best::default();
        for (u, v) in [(0, 1.0), (1, 3.0), (2, 2.0), (3, 3.0), (4, 0.5)] {
            best.push(u, v);
        }
        assert_eq!(best.as_slice(), [(1, 3.0), (3, 3.0), (2, 2.0)]);
    }

    #[test]
    fn quantize_is_monotonic() {
        assert_eq!(quantize(0.0, 1.0), 0);
        assert_eq!(quantize(1.0, 1.0), 255);
        assert_eq!(quantize(1e-9, 1.0), 1);
        assert!(quantize(0.3, 1.0) < quantize(0.4, 1.0));
    }
}
