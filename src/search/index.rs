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

use super::analyzer::{index_words, stem};
use super::collect::{Document, Field, canonical_name};
use super::{FastMap, FastSet};

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
/// Short-lived: a word's postings are encoded as soon as they are made.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Posting {
    /// Index into the documents.
    pub page: u32,
    pub impact: u8,
    /// The word is in the page's title or `also_called`: such pages rank
    /// first among those matching as many of the query's words.
    pub named: bool,
    /// (unit index in the page, impact), best first; the first
    /// `section_count` are used. Inline: a big site has millions.
    pub sections: [(u32, u8); SECTIONS_PER_PAGE],
    pub section_count: usize,
}

impl Posting {
    /// The page's best sections: (unit index, impact), best first.
    pub fn sections(&self) -> &[(u32, u8)] {
        &self.sections[..self.section_count]
    }
}

/// A phrase that also means another: `slipped disc` → `disc herniation`.
#[derive(Debug, Clone, PartialEq)]
pub struct Synonym {
    /// The phrase's indexed words, space-separated.
    pub phrase: String,
    /// What to tell the reader the search was for.
    pub canonical: String,
    /// Its pages, encoded as in a shard ([`encode_postings`]).
    pub postings: Vec<u8>,
}

/// The whole index, before it is cut into files.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Every indexed word, sorted by its UTF-8 bytes.
    pub words: Vec<String>,
    /// Parallel to `words`: the pages in ascending order, encoded as in a
    /// shard ([`encode_postings`]). Encoded at once because the decoded
    /// lists of a 10,000-page site take several hundred MB.
    pub postings: Vec<Vec<u8>>,
    /// How many (word, page) postings there are in all.
    pub pairs: usize,
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
    let table = synonym_table(documents, config);
    let words = dictionary(documents, &table);
    let scorer = Scorer::new(documents, config, &words);
    let max = scorer.maxima();
    let synonyms = synonyms(table, &words, &scorer, max);
    let (postings, pairs): (Vec<Vec<u8>>, Vec<usize>) = (0..words.len())
        .into_par_iter()
        .map(|w| {
            let postings = rank_postings(scorer.score(w), max, DETAILED_PAGES);
            let mut bytes = Vec::new();
            encode_postings(&mut bytes, &postings);
            (bytes, postings.len())
        })
        .unzip();
    Index {
        words,
        postings,
        pairs: pairs.iter().sum(),
        synonyms,
    }
}

/// Every word of every page, and each synonym phrase's first word (it must
/// be in the dictionary even if no page uses it: `water tablets` =
/// [`diuretics`]), once each, sorted by UTF-8 bytes.
fn dictionary(documents: &[Document], table: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    // Per-thread sets merged: interning word by word on one thread was the
    // index's slowest step.
    let mut set: FastSet<&str> = documents
        .par_iter()
        .fold(FastSet::default, |mut set, doc| {
            set.extend(doc.words.iter());
            set
        })
        .reduce(FastSet::default, |a, b| {
            let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
            big.extend(small);
            big
        });
    set.extend(table.keys().map(|phrase| first_word(phrase)));
    let mut words: Vec<&str> = set.into_iter().collect();
    words.par_sort_unstable();
    words.into_iter().map(str::to_string).collect()
}

fn first_word(phrase: &str) -> &str {
    phrase.split(' ').next().unwrap_or("")
}

/// One (word, section) pair: the section and the word's count in each field.
#[derive(Debug, Clone, Copy, Default)]
struct Occurrence {
    page: u32,
    unit: u32,
    counts: [u16; 5],
}

/// Every (word, section) pair, grouped by word: word `w`'s are
/// `entries[starts[w]..starts[w + 1]]`, by page and section. One flat list
/// rather than a list per word: fewer, larger allocations.
struct Occurrences {
    starts: Vec<usize>,
    entries: Vec<Occurrence>,
}

impl Occurrences {
    fn gather(documents: &[Document], words: &[String]) -> Occurrences {
        let ids: FastMap<&str, u32> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.as_str(), i as u32))
            .collect();
        // Each page's words → dictionary ids.
        let page_ids: Vec<Vec<u32>> = documents
            .par_iter()
            .map(|doc| {
                doc.words
                    .iter()
                    .map(|w| ids.get(w).copied().unwrap_or_default())
                    .collect()
            })
            .collect();
        let each = || {
            documents
                .iter()
                .zip(&page_ids)
                .enumerate()
                .flat_map(|(page, (doc, ids))| {
                    doc.units.iter().enumerate().flat_map(move |(unit, u)| {
                        u.terms.iter().map(move |&(local, counts)| {
                            let occurrence = Occurrence {
                                page: page as u32,
                                unit: unit as u32,
                                counts,
                            };
                            (ids[local as usize] as usize, occurrence)
                        })
                    })
                })
        };
        let mut starts = vec![0usize; words.len() + 1];
        for (w, _) in each() {
            starts[w + 1] += 1;
        }
        for w in 0..words.len() {
            starts[w + 1] += starts[w];
        }
        let mut next = starts.clone();
        let mut entries = vec![Occurrence::default(); starts[words.len()]];
        for (w, occurrence) in each() {
            entries[next[w]] = occurrence;
            next[w] += 1;
        }
        Occurrences { starts, entries }
    }

    fn of(&self, word: usize) -> &[Occurrence] {
        &self.entries[self.starts[word]..self.starts[word + 1]]
    }
}

/// What scoring needs besides the occurrences: field weights, lengths and
/// their averages, page kinds.
struct Scorer<'a> {
    documents: &'a [Document],
    config: &'a SearchConfig,
    weights: [f64; 5],
    occurrences: Occurrences,
    /// Each unit's field lengths, pages after each other.
    lengths: Vec<[u32; 5]>,
    /// Where each page's units start in `lengths`.
    unit_offsets: Vec<usize>,
    /// A page's fields are the sums of its sections'.
    page_lengths: Vec<[u32; 5]>,
    unit_avg: [f64; 5],
    page_avg: [f64; 5],
}

/// The average length of each field, over the units (or pages) that have it.
fn average(lengths: &[[u32; 5]]) -> [f64; 5] {
    std::array::from_fn(|f| {
        let present: Vec<u32> = lengths.iter().map(|l| l[f]).filter(|&l| l > 0).collect();
        if present.is_empty() {
            1.0
        } else {
            present.iter().map(|&l| f64::from(l)).sum::<f64>() / present.len() as f64
        }
    })
}

fn idf(n: usize, df: usize) -> f64 {
    let (n, df) = (n as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

impl<'a> Scorer<'a> {
    fn new(documents: &'a [Document], config: &'a SearchConfig, words: &[String]) -> Self {
        let occurrences = Occurrences::gather(documents, words);
        let lengths: Vec<[u32; 5]> = documents
            .iter()
            .flat_map(|d| d.units.iter().map(|u| u.lengths))
            .collect();
        let unit_offsets: Vec<usize> = documents
            .iter()
            .scan(0usize, |acc, d| {
                let start = *acc;
                *acc += d.units.len();
                Some(start)
            })
            .collect();
        let page_lengths: Vec<[u32; 5]> = documents
            .iter()
            .zip(&unit_offsets)
            .map(|(d, &start)| {
                lengths[start..start + d.units.len()]
                    .iter()
                    .fold([0; 5], |acc, l| std::array::from_fn(|f| acc[f] + l[f]))
            })
            .collect();
        Scorer {
            documents,
            config,
            weights: weights(config),
            occurrences,
            unit_avg: average(&lengths),
            page_avg: average(&page_lengths),
            lengths,
            unit_offsets,
            page_lengths,
        }
    }

    fn boost(&self, page: u32) -> f64 {
        match self.documents[page as usize].kind {
            Kind::Condition => self.config.boosts.condition.max(0.0),
            _ => 1.0,
        }
    }

    fn bm25f(&self, counts: &[u32; 5], len: &[u32; 5], avg: &[f64; 5], idf: f64) -> f64 {
        let tf: f64 = (0..5)
            .filter(|&f| counts[f] > 0)
            .map(|f| {
                let norm = 1.0 - B[f] + B[f] * f64::from(len[f]) / avg[f];
                self.weights[f] * f64::from(counts[f]) / norm
            })
            .sum();
        idf * tf / (K1 + tf)
    }

    /// A word's raw (float) scores: per page, the page's score (pages rank
    /// by it) and its sections' (they order the sub-hits).
    fn score(&self, word: usize) -> Vec<Scored> {
        let occ = self.occurrences.of(word);
        let unit_idf = idf(self.lengths.len(), occ.len());
        // (page, its summed field counts, its sections' scores)
        let mut pages: Vec<PageCounts> = Vec::new();
        for o in occ {
            let len = &self.lengths[self.unit_offsets[o.page as usize] + o.unit as usize];
            let counts32 = o.counts.map(u32::from);
            let score = self.bm25f(&counts32, len, &self.unit_avg, unit_idf) * self.boost(o.page);
            match pages.last_mut() {
                Some((p, total, sections)) if *p == o.page => {
                    *total = std::array::from_fn(|f| total[f] + counts32[f]);
                    sections.push(o.unit, score);
                }
                _ => {
                    let mut sections = Best::default();
                    sections.push(o.unit, score);
                    pages.push((o.page, counts32, sections));
                }
            }
        }
        let page_idf = idf(self.documents.len(), pages.len());
        pages
            .into_iter()
            .map(|(page, counts, sections)| Scored {
                page,
                score: self.bm25f(
                    &counts,
                    &self.page_lengths[page as usize],
                    &self.page_avg,
                    page_idf,
                ) * self.boost(page),
                named: counts[Field::Title as usize] + counts[Field::AlsoCalled as usize] > 0,
                sections,
            })
            .collect()
    }

    /// The largest page score and section score of any word. Scores are
    /// worked out again when encoding rather than kept: keeping them all
    /// took most of a big site's index memory, and scoring is cheap.
    fn maxima(&self) -> (f64, f64) {
        (0..self.occurrences.starts.len() - 1)
            .into_par_iter()
            .map(|w| {
                self.score(w).iter().fold((0.0, 0.0), |(p, s), scored| {
                    let best = scored.sections.as_slice().iter().map(|u| u.1);
                    (f64::max(p, scored.score), best.fold(s, f64::max))
                })
            })
            .reduce(|| (0.0, 0.0), |a, b| (a.0.max(b.0), a.1.max(b.1)))
    }
}

/// Each word's synonyms (those whose phrase starts with it), their pages
/// found through the pages of the names they stand for.
fn synonyms(
    table: BTreeMap<String, Vec<String>>,
    words: &[String],
    scorer: &Scorer,
    max: (f64, f64),
) -> Vec<Vec<Synonym>> {
    let mut synonyms: Vec<Vec<Synonym>> = vec![Vec::new(); words.len()];
    if table.is_empty() {
        return synonyms;
    }
    let mut expander = Expander::new(scorer, words, &table);
    for (phrase, targets) in table {
        let Ok(at) = words.binary_search_by(|w| w.as_str().cmp(first_word(&phrase))) else {
            continue;
        };
        let scored = expander.expand(&targets);
        let mut postings = Vec::new();
        encode_postings(&mut postings, &rank_postings(scored, max, SYNONYM_PAGES));
        synonyms[at].push(Synonym {
            phrase,
            canonical: targets[0].clone(),
            postings,
        });
    }
    synonyms
}

/// For each stem of a synonym's names, the dictionary words with that stem
/// (ids, ascending). Only those stems: stemming the whole dictionary to
/// group it was a slow step for nothing.
fn stem_groups(
    words: &[String],
    table: &BTreeMap<String, Vec<String>>,
) -> HashMap<String, Vec<usize>> {
    let wanted: FastSet<String> = table
        .values()
        .flatten()
        .flat_map(|target| index_words(target))
        .map(|w| stem(&w))
        .collect();
    let found: Vec<(String, usize)> = words
        .par_iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let s = stem(w);
            wanted.contains(&s).then_some((s, i))
        })
        .collect();
    let mut groups: HashMap<String, Vec<usize>> =
        wanted.into_iter().map(|s| (s, Vec::new())).collect();
    for (s, i) in found {
        groups.entry(s).or_default().push(i);
    }
    groups
}

/// Quantizes one word's pages (in page order) and keeps the best sections.
/// `keep` limits the number of pages (the best) for synonyms; for words
/// every page is kept and the best `keep` pages keep several sections.
fn rank_postings(scored: Vec<Scored>, max: (f64, f64), keep: usize) -> Vec<Posting> {
    // `scored` is in page order, as postings are. The best `keep` pages are
    // those at least as good as the keep-th best, found by a selection over
    // (score, page) pairs: sorting every word's pages by score and back by
    // page was most of the index's time on big sites.
    let better = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let cutoff = (scored.len() > keep).then(|| {
        let mut ranks: Vec<(f64, u32)> = scored.iter().map(|s| (s.score, s.page)).collect();
        *ranks.select_nth_unstable_by(keep - 1, better).1
    });
    let is_top = |s: &Scored| cutoff.is_none_or(|c| better(&(s.score, s.page), &c).is_le());
    scored
        .into_iter()
        .filter_map(|s| {
            let top = is_top(&s);
            if !top && keep == SYNONYM_PAGES {
                return None;
            }
            let limit = if top { SECTIONS_PER_PAGE } else { 1 };
            let mut posting = Posting {
                page: s.page,
                impact: quantize(s.score, max.0),
                named: s.named,
                ..Posting::default()
            };
            for &(u, v) in s.sections.as_slice().iter().take(limit) {
                posting.sections[posting.section_count] = (u, quantize(v, max.1));
                posting.section_count += 1;
            }
            Some(posting)
        })
        .collect()
}

/// Appends a posting list as a shard stores it:
/// `count, { page-delta, impact-byte, 2 × sections + named, { unit, impact-byte } }`.
pub fn encode_postings(out: &mut Vec<u8>, postings: &[Posting]) {
    varint(out, postings.len() as u64);
    let mut previous = 0u32;
    for (i, p) in postings.iter().enumerate() {
        let delta = if i == 0 { p.page } else { p.page - previous };
        previous = p.page;
        varint(out, u64::from(delta));
        out.push(p.impact);
        varint(out, p.section_count as u64 * 2 + u64::from(p.named));
        for &(unit, impact) in p.sections() {
            varint(out, u64::from(unit));
            out.push(impact);
        }
    }
}

/// An unsigned LEB128 integer.
pub fn varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The inverse of [`encode_postings`], for tests.
#[cfg(test)]
pub fn decode_postings(bytes: &[u8]) -> Vec<Posting> {
    fn read(bytes: &[u8], at: &mut usize) -> u64 {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = bytes[*at];
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte < 0x80 {
                return value;
            }
        }
    }
    let mut at = 0;
    let count = read(bytes, &mut at);
    let mut page = 0u32;
    (0..count)
        .map(|_| {
            page += read(bytes, &mut at) as u32;
            let impact = bytes[at];
            at += 1;
            let flags = read(bytes, &mut at);
            let mut posting = Posting {
                page,
                impact,
                named: flags & 1 == 1,
                ..Posting::default()
            };
            for _ in 0..flags / 2 {
                let unit = read(bytes, &mut at) as u32;
                posting.sections[posting.section_count] = (unit, bytes[at]);
                posting.section_count += 1;
                at += 1;
            }
            posting
        })
        .collect()
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
struct Expander {
    /// The pages of every stem of every synonym's names.
    stems: HashMap<String, StemPages>,
    by_target: HashMap<String, Vec<Scored>>,
}

/// The pages of a stem: for each page (ascending), its best-scoring word of
/// that stem; and the best pages, where a synonym's pages are looked for.
#[derive(Default)]
struct StemPages {
    by_page: Vec<Scored>,
    best: Vec<u32>,
}

/// How many of a stem's best pages are candidates for a synonym's pages.
const CANDIDATES_PER_STEM: usize = 64;

impl StemPages {
    /// The pages of the words `ids` (one stem's, ascending).
    fn new(scorer: &Scorer, ids: &[usize]) -> StemPages {
        let mut by_page: Vec<Scored> = ids.iter().flat_map(|&w| scorer.score(w)).collect();
        by_page.sort_by(|a, b| a.page.cmp(&b.page).then(b.score.total_cmp(&a.score)));
        by_page.dedup_by_key(|s| s.page);
        let mut ranked: Vec<&Scored> = by_page.iter().collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.page.cmp(&b.page)));
        let best = ranked
            .iter()
            .take(CANDIDATES_PER_STEM)
            .map(|s| s.page)
            .collect();
        StemPages { by_page, best }
    }
}

impl Expander {
    /// Works out the pages of every stem the synonyms' names need, in
    /// parallel (one stem at a time was a slow, single-threaded step).
    fn new(scorer: &Scorer, words: &[String], table: &BTreeMap<String, Vec<String>>) -> Expander {
        let stems = stem_groups(words, table)
            .into_par_iter()
            .map(|(stem, ids)| (stem, StemPages::new(scorer, &ids)))
            .collect();
        Expander {
            stems,
            by_target: HashMap::new(),
        }
    }

    /// Pages that contain every word of `target` (a word's stem-mates count
    /// too), scored by the sum of those words' scores; the best few, looked
    /// for among each word's best pages.
    fn target(&mut self, target: &str) -> Vec<Scored> {
        if let Some(done) = self.by_target.get(target) {
            return done.clone();
        }
        let empty = StemPages::default();
        let lists: Vec<&StemPages> = index_words(target)
            .iter()
            .map(|w| self.stems.get(&stem(w)).unwrap_or(&empty))
            .collect();
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
                        .map(|i| &l.by_page[i])
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
    use crate::search::collect::{Unit, Vocabulary};

    fn doc(title: &str, kind: Kind, also: &[&str], body: &[(&str, &str)]) -> Document {
        let mut vocabulary = Vocabulary::default();
        let mut top = Unit::default();
        let also_called = also.join(" · ");
        vocabulary.count(&mut top, [&[title], &[also_called.as_str()], &[], &[], &[]]);
        let mut units = vec![top];
        for (heading, text) in body {
            let mut unit = Unit {
                heading: heading.to_string(),
                id: heading.to_lowercase(),
                ..Unit::default()
            };
            vocabulary.count(&mut unit, [&[], &[], &[heading], &[], &[text]]);
            units.push(unit);
        }
        Document {
            url: format!("/{}/", title.to_lowercase()),
            title: title.to_string(),
            kind,
            also_called: also.iter().map(|s| s.to_string()).collect(),
            words: vocabulary.take_words(),
            units,
        }
    }

    fn postings(index: &Index, word: &str) -> Vec<Posting> {
        let i = index.words.iter().position(|w| w == word).unwrap();
        decode_postings(&index.postings[i])
    }

    fn impact(index: &Index, word: &str, page: u32) -> u8 {
        postings(index, word)
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
        let back = postings(&index, "back");
        let pages: Vec<u32> = back.iter().map(|p| p.page).collect();
        assert_eq!(pages, [0, 1, 2]);
        assert_eq!(back[0].sections()[0].0, 1, "sciatica's Symptoms");
    }

    #[test]
    fn also_called_becomes_a_synonym_for_the_name() {
        let index = build(&corpus(), &SearchConfig::default());
        let i = index.words.iter().position(|w| w == "trapped").unwrap();
        let synonym = &index.synonyms[i][0];
        assert_eq!(synonym.phrase, "trapped nerve");
        assert_eq!(synonym.canonical, "Sciatica");
        let pages: Vec<u32> = decode_postings(&synonym.postings)
            .iter()
            .map(|p| p.page)
            .collect();
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
        assert!(postings(&index, "core").is_empty());
        assert_eq!(decode_postings(&index.synonyms[i][0].postings)[0].page, 2);
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
        assert_eq!(decode_postings(&s.postings)[0].page, 2);
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
