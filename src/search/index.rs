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

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::config::SearchConfig;
use crate::front_matter::Kind;

use super::analyzer::{index_words, stem};
use super::collect::{Collected, Document, Field, canonical_name};
use super::{FastMap, FastSet, group_in_order};

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

/// A page's score for a word, and its best sections there.
#[derive(Debug, Clone, Copy, Default)]
struct Scored {
    page: u32,
    hit: Hit,
}

impl Scored {
    /// The order of pages by rank: the higher score first, then the
    /// earlier page.
    fn best_first(a: &Scored, b: &Scored) -> std::cmp::Ordering {
        b.hit
            .score
            .total_cmp(&a.hit.score)
            .then(a.page.cmp(&b.page))
    }
}

/// How a word does on a page: its score there, whether it names the page,
/// and its best [`SECTIONS_PER_PAGE`] sections (unit, score), best first:
/// by score, then the earlier section. Small: every page's words are held
/// until they are turned round into words, millions on a big site. So
/// scores are `f32` (the browser gets each as one byte), and the fields are
/// flat, without the padding of nested structs.
#[derive(Debug, Clone, Copy, Default)]
struct Hit {
    score: f32,
    /// The word is in the page's name (title or other names).
    named: bool,
    /// How many sections there are.
    len: u8,
    /// Sections past the 65,536th of a page are not kept: no reader could
    /// use a page with that many headings, and with units in two bytes a
    /// (word, hit) pair takes 28 bytes rather than 44 (at 10,000 pages,
    /// 2.4 million pairs: 38 MB less, and as many fewer page faults).
    units: [u16; SECTIONS_PER_PAGE],
    unit_scores: [f32; SECTIONS_PER_PAGE],
}

impl Hit {
    fn push_section(&mut self, unit: u32, score: f32) {
        let Ok(unit) = u16::try_from(unit) else {
            return;
        };
        let better = |a: (u16, f32), b: (u16, f32)| a.1 > b.1 || (a.1 == b.1 && a.0 < b.0);
        let len = usize::from(self.len);
        let mut at = len;
        while at > 0
            && better(
                (unit, score),
                (self.units[at - 1], self.unit_scores[at - 1]),
            )
        {
            at -= 1;
        }
        if at >= SECTIONS_PER_PAGE {
            return;
        }
        let mut i = len.min(SECTIONS_PER_PAGE - 1);
        while i > at {
            self.units[i] = self.units[i - 1];
            self.unit_scores[i] = self.unit_scores[i - 1];
            i -= 1;
        }
        (self.units[at], self.unit_scores[at]) = (unit, score);
        self.len = (len + 1).min(SECTIONS_PER_PAGE) as u8;
    }

    /// The best sections, (unit, score), best first.
    fn sections(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        let len = usize::from(self.len);
        self.units[..len]
            .iter()
            .zip(&self.unit_scores[..len])
            .map(|(&u, &v)| (u32::from(u), v))
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
    // Rounded half up by adding a half and truncating (`as` saturates at
    // 255): `f64::round` is a library call on baseline x86-64, and this
    // runs for every (word, page) and (word, section) pair.
    (((score / max).sqrt() * 255.0 + 0.5) as u8).max(1)
}

/// Builds the index of `documents`.
///
/// 1. [`Dictionary::new`]: every word, sorted, with how many pages and
///    sections contain it (its IDFs).
/// 2. [`score_pages`]: each page scores its own words, in parallel: the
///    BM25F of the page and of each of its sections needs nothing but the
///    page, the IDFs and the average field lengths.
/// 3. [`encode_postings_by_range`]: the pages' scores turned round into one
///    list per word, a range of words at a time in parallel, each list
///    ranked, quantized and encoded as soon as it is complete.
///
/// Gives back the documents, their word counts used up: once the pages are
/// scored they are not needed, and on a big site they were the largest part
/// of the index's memory (freed early, that memory serves the stages after).
pub fn build<'s>(
    mut collected: Collected<'s>,
    config: &SearchConfig,
) -> (Index, Vec<Document<'s>>) {
    let (table, stems) = synonym_table(&collected.documents, config);
    let dictionary = Dictionary::new(&collected, &table);
    let ranges = Ranges::new(word_ranges(
        &dictionary.pages,
        rayon::current_num_threads() * RANGES_PER_THREAD,
    ));
    let scores = score_pages(&mut collected.documents, config, &dictionary, &ranges);
    let wanted = stem_groups(&dictionary.words, &table, &stems);
    let is_wanted: FastSet<u32> = wanted.values().flatten().map(|&w| w as u32).collect();
    let encoded = encode_postings_by_range(&scores, &dictionary, &ranges, &is_wanted);
    let synonyms = synonyms(
        (table, &stems),
        &dictionary.words,
        &wanted,
        (&encoded, &scores),
    );
    let index = Index {
        words: dictionary.words,
        postings: encoded.postings,
        pairs: encoded.pairs,
        synonyms,
    };
    (index, collected.documents)
}

/// Every word of the site, sorted by its UTF-8 bytes, with its document
/// frequencies.
struct Dictionary {
    words: Vec<String>,
    /// Per word: how many pages contain it…
    pages: Vec<u32>,
    /// …and how many sections.
    units: Vec<u32>,
    /// Per vocabulary of [`Collected`], its ids → dictionary ids.
    ids: Vec<Vec<u32>>,
}

impl Dictionary {
    /// Every word of every page, and each synonym phrase's first word (it
    /// must be in the dictionary even if no page uses it: `water tablets` =
    /// [`diuretics`]), once each.
    fn new(collected: &Collected, table: &BTreeMap<String, Vec<String>>) -> Dictionary {
        let vocabularies = &collected.vocabularies;
        let mut all: FastSet<&str> = vocabularies.iter().flat_map(|v| v.iter()).collect();
        all.extend(table.keys().map(|phrase| first_word(phrase)));
        let mut words: Vec<&str> = all.into_iter().collect();
        words.par_sort_unstable();
        let place: FastMap<&str, u32> = words
            .iter()
            .enumerate()
            .map(|(i, &w)| (w, i as u32))
            .collect();
        let ids: Vec<Vec<u32>> = vocabularies
            .par_iter()
            .map(|v| {
                v.iter()
                    .map(|w| place.get(w).copied().unwrap_or_default())
                    .collect()
            })
            .collect();
        let (pages, units) = document_frequencies(&collected.documents, &ids, words.len());
        Dictionary {
            words: words.into_iter().map(str::to_string).collect(),
            pages,
            units,
            ids,
        }
    }

    /// The dictionary ids of `doc`'s words, by their place in the page.
    fn of(&self, doc: &Document) -> Vec<u32> {
        let ids = &self.ids[doc.vocabulary];
        doc.words.iter().map(|&w| ids[w as usize]).collect()
    }
}

/// Per dictionary word: how many pages contain it, and how many sections.
fn document_frequencies(
    documents: &[Document],
    ids: &[Vec<u32>],
    words: usize,
) -> (Vec<u32>, Vec<u32>) {
    // A few large chunks, each counting into arrays of its own, then summed.
    let chunk = documents
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(1);
    documents
        .par_chunks(chunk)
        .map(|docs| {
            let (mut pages, mut units) = (vec![0u32; words], vec![0u32; words]);
            for doc in docs {
                let ids = &ids[doc.vocabulary];
                for &w in &doc.words {
                    pages[ids[w as usize] as usize] += 1;
                }
                for unit in &doc.units {
                    for &(local, _) in &unit.terms {
                        units[ids[doc.words[local as usize] as usize] as usize] += 1;
                    }
                }
            }
            (pages, units)
        })
        .reduce(
            || (vec![0; words], vec![0; words]),
            |(mut pages, mut units), (more_pages, more_units)| {
                pages.iter_mut().zip(more_pages).for_each(|(a, b)| *a += b);
                units.iter_mut().zip(more_units).for_each(|(a, b)| *a += b);
                (pages, units)
            },
        )
}

fn first_word(phrase: &str) -> &str {
    phrase.split(' ').next().unwrap_or("")
}

/// What BM25F needs besides a page: field weights, the average field
/// lengths of sections and of pages, the number of each, the kind boost.
struct Bm25f<'a> {
    config: &'a SearchConfig,
    weights: [f64; 5],
    unit_avg: [f64; 5],
    page_avg: [f64; 5],
    unit_count: usize,
    page_count: usize,
}

impl<'a> Bm25f<'a> {
    fn new(documents: &[Document], config: &'a SearchConfig) -> Self {
        let units = documents
            .iter()
            .flat_map(|d| d.units.iter().map(|u| u.lengths));
        Bm25f {
            config,
            weights: weights(config),
            unit_avg: average(units),
            page_avg: average(documents.iter().map(page_lengths)),
            unit_count: documents.iter().map(|d| d.units.len()).sum(),
            page_count: documents.len(),
        }
    }

    fn boost(&self, kind: Kind) -> f64 {
        match kind {
            Kind::Condition => self.config.boosts.condition.max(0.0),
            _ => 1.0,
        }
    }

    /// What one occurrence in each field of a unit (or page) of lengths
    /// `len` is worth: its weight, normalised by length. Worked out once per
    /// unit rather than for each of its words.
    fn factors(&self, len: &[u32; 5], avg: &[f64; 5]) -> [f64; 5] {
        std::array::from_fn(|f| {
            let norm = 1.0 - B[f] + B[f] * f64::from(len[f]) / avg[f];
            self.weights[f] / norm
        })
    }

    /// The BM25F score of a word with these field counts in a unit (or
    /// page) with these [`Bm25f::factors`].
    fn score(counts: &[u32; 5], factors: &[f64; 5], idf: f64) -> f64 {
        let tf: f64 = (0..5).map(|f| f64::from(counts[f]) * factors[f]).sum();
        idf * tf / (K1 + tf)
    }
}

/// A page's fields are the sums of its sections'.
fn page_lengths(doc: &Document) -> [u32; 5] {
    doc.units.iter().fold([0; 5], |acc, u| {
        std::array::from_fn(|f| acc[f] + u.lengths[f])
    })
}

/// The average length of each field, over the units (or pages) that have it.
fn average(lengths: impl Iterator<Item = [u32; 5]>) -> [f64; 5] {
    let (mut sums, mut present) = ([0.0f64; 5], [0usize; 5]);
    for l in lengths {
        for f in 0..5 {
            if l[f] > 0 {
                sums[f] += f64::from(l[f]);
                present[f] += 1;
            }
        }
    }
    std::array::from_fn(|f| {
        if present[f] == 0 {
            1.0
        } else {
            sums[f] / present[f] as f64
        }
    })
}

fn idf(n: usize, df: usize) -> f64 {
    let (n, df) = (n as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The word ranges ([`word_ranges`]), and which one each word is in.
struct Ranges {
    /// (first, end) word ids of each range.
    bounds: Vec<(u32, u32)>,
    /// Per dictionary word, its range.
    of_word: Vec<u32>,
}

impl Ranges {
    fn new(bounds: Vec<(u32, u32)>) -> Ranges {
        let of_word = bounds
            .iter()
            .enumerate()
            .flat_map(|(r, &(first, end))| std::iter::repeat_n(r as u32, (end - first) as usize))
            .collect();
        Ranges { bounds, of_word }
    }
}

/// One page's scored words, grouped by word range ([`word_ranges`]), and
/// where each range starts among them, plus their end. Found while the
/// page is being scored: a search per page and range afterwards reached
/// into every page's cold memory and was a fifth of the index's time.
struct PageWords {
    /// (word id, how it does on the page): the page is the same for all.
    words: Vec<(u32, Hit)>,
    range_starts: Vec<usize>,
}

impl PageWords {
    /// The page's words (dictionary `ids`) with their `scores` (in the
    /// same order), grouped by range and in their order within each, each
    /// put in its place as it is scored: gathering reads a range's words in
    /// any order, and sorting each page's words by id was a third of
    /// scoring.
    fn group(ids: &[u32], hits: impl Iterator<Item = Hit>, ranges: &Ranges) -> PageWords {
        let (words, range_starts) = group_in_order(
            ids.iter()
                .map(|&word| ranges.of_word[word as usize] as usize),
            ids.iter().copied().zip(hits),
            ranges.bounds.len(),
        );
        PageWords {
            words,
            range_starts,
        }
    }

    /// The page's scored words in range `r`.
    fn in_range(&self, r: usize) -> &[(u32, Hit)] {
        &self.words[self.range_starts[r]..self.range_starts[r + 1]]
    }
}

/// Every page's words, scored: per page, sorted by word id.
struct PageScores {
    pages: Vec<PageWords>,
    /// The largest page score and section score of any word.
    max: (f64, f64),
}

/// Scores every page's words, each page on its own, and finds where each of
/// the word `ranges` starts among them. Each page's word counts are freed
/// once it is scored.
fn score_pages(
    documents: &mut [Document],
    config: &SearchConfig,
    dictionary: &Dictionary,
    ranges: &Ranges,
) -> PageScores {
    let bm25f = Bm25f::new(documents, config);
    // Per word, computed once: a logarithm per (word, section) was most of
    // the scoring.
    let idfs: Vec<(f64, f64)> = dictionary
        .pages
        .par_iter()
        .zip(&dictionary.units)
        .map(|(&pages, &units)| {
            (
                idf(bm25f.page_count, pages as usize),
                idf(bm25f.unit_count, units as usize),
            )
        })
        .collect();
    let scorer = Scorer {
        bm25f: &bm25f,
        idfs: &idfs,
        dictionary,
        ranges,
    };
    let pages: Vec<(PageWords, (f64, f64))> = documents
        .par_iter_mut()
        // A buffer per thread for the pages' word totals.
        .map_init(Vec::new, |totals, doc| {
            let scored = scorer.score_page(doc, totals);
            for unit in &mut doc.units {
                unit.terms = Vec::new();
            }
            scored
        })
        .collect();
    let max = pages.iter().fold((0.0, 0.0), |m, (_, p)| {
        (f64::max(m.0, p.0), f64::max(m.1, p.1))
    });
    PageScores {
        pages: pages.into_iter().map(|(scores, _)| scores).collect(),
        max,
    }
}

/// What scoring a page needs besides the page.
struct Scorer<'a> {
    bm25f: &'a Bm25f<'a>,
    /// Per word: its IDF over pages and over sections.
    idfs: &'a [(f64, f64)],
    dictionary: &'a Dictionary,
    ranges: &'a Ranges,
}

/// A word's field counts summed over a page's sections, and how it does
/// there (its best sections found section by section, the rest at the end).
type WordTotals = ([u32; 5], Hit);

impl Scorer<'_> {
    /// One page's words and their scores, grouped by range; and the page's
    /// largest page and section score. `totals` is a buffer.
    fn score_page(&self, doc: &Document, totals: &mut Vec<WordTotals>) -> (PageWords, (f64, f64)) {
        let (bm25f, idfs) = (self.bm25f, self.idfs);
        let boost = bm25f.boost(doc.kind);
        let global = self.dictionary.of(doc);
        totals.clear();
        totals.resize(global.len(), ([0; 5], Hit::default()));
        let mut max_section = 0.0f64;
        for (u, unit) in doc.units.iter().enumerate() {
            let factors = bm25f.factors(&unit.lengths, &bm25f.unit_avg);
            for &(local, counts) in &unit.terms {
                let word = global[local as usize] as usize;
                let counts = counts.map(u32::from);
                let score = Bm25f::score(&counts, &factors, idfs[word].1) * boost;
                max_section = max_section.max(score);
                let (total, hit) = &mut totals[local as usize];
                *total = std::array::from_fn(|f| total[f] + counts[f]);
                hit.push_section(u as u32, score as f32);
            }
        }
        let factors = bm25f.factors(&page_lengths(doc), &bm25f.page_avg);
        let mut max_page = 0.0f64;
        let hits = global
            .iter()
            .zip(totals.iter())
            .map(|(&word, &(counts, sections))| {
                let page_idf = idfs[word as usize].0;
                let score = Bm25f::score(&counts, &factors, page_idf) * boost;
                max_page = max_page.max(score);
                Hit {
                    score: score as f32,
                    named: counts[Field::Title as usize] + counts[Field::AlsoCalled as usize] > 0,
                    ..sections
                }
            });
        let words = PageWords::group(&global, hits, self.ranges);
        (words, (max_page, max_section))
    }
}

/// Every word's encoded postings, and the scored pages of the words the
/// synonyms need.
#[derive(Default)]
struct Encoded {
    postings: Vec<Vec<u8>>,
    pairs: usize,
    kept: FastMap<u32, WordPages>,
}

/// About how many word ranges each thread gets: enough to balance the
/// work, few enough that finding each range in every page stays cheap.
const RANGES_PER_THREAD: usize = 8;

/// Turns the pages' scores into one posting list per word, encoded. Words
/// are cut into ranges of about equal numbers of postings; each range
/// gathers its words' pages from every page (in page order, as postings
/// are), so the ranges run in parallel and only one range's lists per
/// thread exist at a time.
fn encode_postings_by_range(
    scores: &PageScores,
    dictionary: &Dictionary,
    ranges: &Ranges,
    wanted: &FastSet<u32>,
) -> Encoded {
    let done: Vec<Encoded> = ranges
        .bounds
        .par_iter()
        .enumerate()
        .map_init(Vec::new, |all, (r, &(first, end))| {
            let starts = gather(&scores.pages, r, (first, end), &dictionary.pages, all);
            let mut encoded = Encoded::default();
            for (word, bounds) in (first..end).zip(starts.windows(2)) {
                let list = &all[bounds[0]..bounds[1]];
                if wanted.contains(&word) {
                    encoded.kept.insert(word, list.to_vec());
                }
                let mut bytes = Vec::with_capacity(list.len() * 6);
                encoded.pairs += encode_ranked(&mut bytes, list, scores.max, DETAILED_PAGES);
                encoded.postings.push(bytes);
            }
            encoded
        })
        .collect();
    let mut encoded = Encoded::default();
    for range in done {
        encoded.postings.extend(range.postings);
        encoded.pairs += range.pairs;
        encoded.kept.extend(range.kept);
    }
    encoded
}

/// Cuts word ids into about `count` consecutive ranges (first, end) of
/// about equal numbers of pages.
fn word_ranges(pages_per_word: &[u32], count: usize) -> Vec<(u32, u32)> {
    let total: u64 = pages_per_word.iter().map(|&p| u64::from(p)).sum();
    let target = (total / count.max(1) as u64).max(1);
    let mut ranges = Vec::new();
    let (mut first, mut size) = (0usize, 0u64);
    for (word, &pages) in pages_per_word.iter().enumerate() {
        size += u64::from(pages);
        if size >= target {
            ranges.push((first as u32, word as u32 + 1));
            (first, size) = (word + 1, 0);
        }
    }
    if first < pages_per_word.len() {
        ranges.push((first as u32, pages_per_word.len() as u32));
    }
    ranges
}

/// The scored pages of the words of range `r`, `first..end`, word after
/// word, each word's in page order, into `all`; and where each word's
/// start (one more at the end). One list for the range rather than one per
/// word, and the same list for each range a thread gathers: fewer
/// allocations, and less fresh memory.
fn gather(
    pages: &[PageWords],
    r: usize,
    (first, end): (u32, u32),
    pages_per_word: &[u32],
    all: &mut Vec<Scored>,
) -> Vec<usize> {
    let counts = &pages_per_word[first as usize..end as usize];
    let starts: Vec<usize> = std::iter::once(0)
        .chain(counts.iter().scan(0usize, |at, &n| {
            *at += n as usize;
            Some(*at)
        }))
        .collect();
    let mut next = starts.clone();
    all.clear();
    all.resize(starts[counts.len()], Scored::default());
    for (page, words) in (0..).zip(pages) {
        for &(word, hit) in words.in_range(r) {
            let at = &mut next[(word - first) as usize];
            all[*at] = Scored { page, hit };
            *at += 1;
        }
    }
    starts
}

/// Each word's synonyms (those whose phrase starts with it), their pages
/// found through the pages of the names they stand for.
fn synonyms(
    (table, stems): (BTreeMap<String, Vec<String>>, &NameStems),
    words: &[String],
    wanted: &HashMap<String, Vec<usize>>,
    (encoded, scores): (&Encoded, &PageScores),
) -> Vec<Vec<Synonym>> {
    let mut synonyms: Vec<Vec<Synonym>> = vec![Vec::new(); words.len()];
    if table.is_empty() {
        return synonyms;
    }
    let expander = Expander::new(wanted, &encoded.kept, (&table, stems));
    // In parallel, one phrase at a time: on a site where most pages have
    // other names, this was a slow single-threaded step.
    let made: Vec<(usize, Synonym)> = table
        .into_par_iter()
        .filter_map(|(phrase, targets)| {
            let at = words
                .binary_search_by(|w| w.as_str().cmp(first_word(&phrase)))
                .ok()?;
            let scored = expander.expand(&targets);
            let mut postings = Vec::new();
            encode_ranked(&mut postings, &scored, scores.max, SYNONYM_PAGES);
            let canonical = targets[0].clone();
            Some((
                at,
                Synonym {
                    phrase,
                    canonical,
                    postings,
                },
            ))
        })
        .collect();
    for (at, synonym) in made {
        synonyms[at].push(synonym);
    }
    synonyms
}

/// For each stem of a synonym's names, the dictionary words with that stem
/// (ids, ascending). Only those stems: stemming the whole dictionary to
/// group it was a slow step for nothing.
fn stem_groups(
    words: &[String],
    table: &BTreeMap<String, Vec<String>>,
    stems: &NameStems,
) -> HashMap<String, Vec<usize>> {
    let wanted: FastSet<String> = table
        .values()
        .flatten()
        .flat_map(|target| index_words(target))
        .map(|w| stems.of(&w).into_owned())
        .collect();
    let beginnings: FastSet<&[u8]> = wanted.iter().map(|s| stem_beginning(s)).collect();
    let found: Vec<(String, usize)> = words
        .par_iter()
        .enumerate()
        .filter(|(_, w)| may_stem_to(w, &beginnings))
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

/// The first two bytes of a stem (all of it if it is shorter).
fn stem_beginning(stem: &str) -> &[u8] {
    &stem.as_bytes()[..stem.len().min(2)]
}

/// Whether `word`'s stem may begin with one of `beginnings`
/// ([`stem_beginning`]); if not, there is no need to stem it (stemming
/// every word of a big site's dictionary was a slow step).
///
/// A word's stem begins as the word does. Snowball's English stemmer only
/// rewrites endings: from the first region (R1), which starts at the third
/// letter at the earliest, or in step 1, which keeps the first two letters
/// or cuts the word back to its first. A word that is not stemmed is its
/// own stem. Only three exceptional forms differ in their second letter:
/// `dying`, `lying` and `tying` (→ `die`, `lie`, `tie`).
fn may_stem_to(word: &str, beginnings: &FastSet<&[u8]>) -> bool {
    let bytes = word.as_bytes();
    beginnings.contains(&bytes[..bytes.len().min(2)])
        || beginnings.contains(&bytes[..bytes.len().min(1)])
        || matches!(word, "dying" | "lying" | "tying")
}

/// Appends one word's pages (in page order) as a posting list, quantized,
/// with their best sections; returns how many pages it has. `keep` limits
/// the number of pages (the best) for synonyms; for words every page is
/// kept and the best `keep` pages keep several sections.
fn encode_ranked(out: &mut Vec<u8>, scored: &[Scored], max: (f64, f64), keep: usize) -> usize {
    // `scored` is in page order, as postings are. The best `keep` pages are
    // those at least as good as the keep-th best, found by a selection over
    // (score, page) pairs: sorting every word's pages by score and back by
    // page was most of the index's time on big sites. Pages are distinct,
    // so exactly `keep` are that good.
    let better = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let cutoff = (scored.len() > keep).then(|| {
        let mut ranks: Vec<(f32, u32)> = scored.iter().map(|s| (s.hit.score, s.page)).collect();
        *ranks.select_nth_unstable_by(keep - 1, better).1
    });
    let is_top = |s: &Scored| cutoff.is_none_or(|c| better(&(s.hit.score, s.page), &c).is_le());
    let synonym = keep == SYNONYM_PAGES;
    let count = if synonym {
        scored.len().min(keep)
    } else {
        scored.len()
    };
    varint(out, count as u64);
    let mut previous = 0;
    for s in scored {
        let top = is_top(s);
        if !top && synonym {
            continue;
        }
        let limit = if top { SECTIONS_PER_PAGE } else { 1 };
        let mut posting = Posting {
            page: s.page,
            impact: quantize(f64::from(s.hit.score), max.0),
            named: s.hit.named,
            ..Posting::default()
        };
        for (u, v) in s.hit.sections().take(limit) {
            posting.sections[posting.section_count] = (u, quantize(f64::from(v), max.1));
            posting.section_count += 1;
        }
        encode_posting(out, &mut previous, &posting);
    }
    count
}

/// Appends a posting list as a shard stores it:
/// `count, { page-delta, impact-byte, 2 × sections + named, { unit, impact-byte } }`.
#[cfg(test)]
pub fn encode_postings(out: &mut Vec<u8>, postings: &[Posting]) {
    varint(out, postings.len() as u64);
    let mut previous = 0u32;
    for p in postings {
        encode_posting(out, &mut previous, p);
    }
}

/// Appends one posting of a list whose previous page was `previous`
/// (0 before the first).
fn encode_posting(out: &mut Vec<u8>, previous: &mut u32, p: &Posting) {
    varint(out, u64::from(p.page - *previous));
    *previous = p.page;
    out.push(p.impact);
    varint(out, p.section_count as u64 * 2 + u64::from(p.named));
    for &(unit, impact) in p.sections() {
        varint(out, u64::from(unit));
        out.push(impact);
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
/// With the stems of the words of both.
fn synonym_table(
    documents: &[Document],
    config: &SearchConfig,
) -> (BTreeMap<String, Vec<String>>, NameStems) {
    let configured = config
        .synonyms
        .iter()
        .flat_map(|(phrase, targets)| targets.iter().map(move |t| (phrase.as_str(), t.clone())));
    let names: Vec<String> = documents.iter().map(|d| canonical_name(d.title)).collect();
    let other_names = documents.iter().zip(&names).flat_map(|(doc, name)| {
        doc.also_called
            .iter()
            .map(move |o| (o.as_str(), name.clone()))
    });
    let pairs: Vec<(&str, String)> = configured.chain(other_names).collect();
    // Analysed in parallel (analysing every page's other names on one
    // thread was a slow step on big sites), gathered in order: a phrase's
    // first name is the one shown.
    let analysed: Vec<(Vec<String>, Vec<String>)> = pairs
        .par_iter()
        .map(|(phrase, target)| (index_words(phrase), index_words(target)))
        .collect();
    let stems = NameStems::of_words(analysed.iter().flat_map(|(p, t)| p.iter().chain(t)));
    let phrases: Vec<Option<String>> = analysed
        .par_iter()
        .map(|(words, target)| synonym_phrase(words, target, &stems))
        .collect();
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (phrase, (_, target)) in phrases.into_iter().zip(pairs) {
        let Some(phrase) = phrase else { continue };
        let names = table.entry(phrase).or_default();
        if !names.contains(&target) {
            names.push(target);
        }
    }
    (table, stems)
}

/// A phrase of indexed `words`, space-separated, if it is a synonym for
/// a name of indexed words `target`: it has words, and they are not just
/// the name's again (word for word, stemmed).
fn synonym_phrase(words: &[String], target: &[String], stems: &NameStems) -> Option<String> {
    if words.is_empty() || target.is_empty() {
        return None;
    }
    let same = words.len() == target.len()
        && words
            .iter()
            .zip(target)
            .all(|(w, t)| stems.of(w) == stems.of(t));
    (!same).then(|| words.join(" "))
}

/// The words of the synonyms' phrases and of the names they stand for,
/// each with its stem. Sites use the same few words in many names, and
/// stemming them again for every phrase and name was a slow step on big
/// sites.
struct NameStems(FastMap<String, String>);

impl NameStems {
    /// The stems of `words`, each distinct word stemmed once.
    fn of_words<'w>(words: impl Iterator<Item = &'w String>) -> NameStems {
        let distinct: FastSet<&String> = words.collect();
        NameStems(
            distinct
                .into_par_iter()
                .map(|w| (w.clone(), stem(w)))
                .collect(),
        )
    }

    /// The stem of `word` (worked out here if it is not one of the words).
    fn of<'a>(&'a self, word: &str) -> Cow<'a, str> {
        match self.0.get(word) {
            Some(known) => Cow::Borrowed(known),
            None => Cow::Owned(stem(word)),
        }
    }
}

/// The pages a synonym's names are about, each name's worked out once
/// (a page's other names all point at its one name).
struct Expander {
    by_target: HashMap<String, Vec<Scored>>,
}

/// The pages of a stem: for each page (ascending), its best-scoring word of
/// that stem; and the best pages, where a synonym's pages are looked for.
#[derive(Default)]
struct StemPages {
    /// The stem's words (dictionary ids, ascending).
    ids: Vec<u32>,
    /// The best pages of any of them.
    best: Vec<u32>,
    /// On each candidate page that has any of them, the best of them
    /// ([`StemPages::look_up`]), by page.
    found: Vec<Scored>,
}

/// What the synonyms need of a word their names use: every page that has
/// it, in page order. (Looking the word up in each candidate page's own
/// scores afterwards reached into cold memory for every page; these lists
/// are read in order.)
type WordPages = Vec<Scored>;

/// How many of a stem's best pages are candidates for a synonym's pages.
const CANDIDATES_PER_STEM: usize = 64;

impl StemPages {
    /// The stem whose words are `ids` (ascending), its best pages found
    /// among the best pages of each of its words (their pages `kept`): a
    /// page among the stem's best is among the best of the word it scores
    /// highest by.
    fn new(kept: &FastMap<u32, WordPages>, ids: &[usize]) -> StemPages {
        let ids: Vec<u32> = ids.iter().map(|&w| w as u32).collect();
        let mut by_page: Vec<Scored> = ids
            .iter()
            .filter_map(|w| kept.get(w))
            .flat_map(|pages| best_pages(pages, CANDIDATES_PER_STEM))
            .collect();
        by_page.sort_by(|a, b| {
            a.page
                .cmp(&b.page)
                .then(b.hit.score.total_cmp(&a.hit.score))
        });
        by_page.dedup_by_key(|s| s.page);
        let best = best_pages(&by_page, CANDIDATES_PER_STEM)
            .iter()
            .map(|s| s.page)
            .collect();
        StemPages {
            ids,
            best,
            found: Vec::new(),
        }
    }

    /// Finds the stem on each of the `candidates` pages (ascending): on
    /// each, its best-scoring word there (the highest score, then the first
    /// word), going through its words' page lists `kept` in step.
    fn look_up(&mut self, kept: &FastMap<u32, WordPages>, candidates: &[u32]) {
        let lists: Vec<&WordPages> = self.ids.iter().filter_map(|w| kept.get(w)).collect();
        let mut next = vec![0usize; lists.len()];
        self.found = candidates
            .iter()
            .filter_map(|&page| {
                let mut found: Option<Scored> = None;
                for (list, at) in lists.iter().zip(&mut next) {
                    *at = seek(list, *at, page);
                    let Some(&scored) = list.get(*at).filter(|s| s.page == page) else {
                        continue;
                    };
                    if found.is_none_or(|f| scored.hit.score > f.hit.score) {
                        found = Some(scored);
                    }
                }
                found
            })
            .collect();
    }
}

/// The first place in `list` (by page, ascending) from `at` on whose page
/// is not below `page`: galloping from `at`, as lists are walked in step
/// with ascending pages, so that a near page costs a step or two rather
/// than a search of the whole list in cold memory.
fn seek(list: &[Scored], mut at: usize, page: u32) -> usize {
    let mut end = at;
    let mut step = 1;
    // Everything before `at` is below `page`.
    while end < list.len() && list[end].page < page {
        at = end + 1;
        end += step;
        step *= 2;
    }
    at + list[at..end.min(list.len())].partition_point(|s| s.page < page)
}

/// The best `keep` of `list`, best first: by score, then the earlier page.
fn best_pages(list: &[Scored], keep: usize) -> Vec<Scored> {
    let mut best = list.to_vec();
    if best.len() > keep {
        best.select_nth_unstable_by(keep - 1, Scored::best_first);
        best.truncate(keep);
    }
    best.sort_by(Scored::best_first);
    best
}

impl Expander {
    /// Works out the best pages of every stem the synonyms' names need,
    /// then the pages of every name the synonyms stand for, each in
    /// parallel (one at a time was a slow, single-threaded step).
    fn new(
        groups: &HashMap<String, Vec<usize>>,
        kept: &FastMap<u32, WordPages>,
        (table, name_stems): (&BTreeMap<String, Vec<String>>, &NameStems),
    ) -> Expander {
        let mut stems: FastMap<String, StemPages> = groups
            .par_iter()
            .map(|(stem, ids)| (stem.clone(), StemPages::new(kept, ids)))
            .collect();
        // A name's pages are looked for among its stems' best pages, so
        // each stem is looked up on each of those pages once, here, rather
        // than once per name that uses it.
        let mut candidates: Vec<u32> = stems.values().flat_map(|s| s.best.clone()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        stems
            .par_iter_mut()
            .for_each(|(_, stem)| stem.look_up(kept, &candidates));
        let targets: FastSet<&String> = table.values().flatten().collect();
        let by_target = targets
            .into_par_iter()
            .map(|target| (target.clone(), target_pages(&stems, target, name_stems)))
            .collect();
        Expander { by_target }
    }

    /// The best pages for any of `targets`.
    fn expand(&self, targets: &[String]) -> Vec<Scored> {
        let mut best: BTreeMap<u32, Scored> = BTreeMap::new();
        for target in targets {
            for &scored in self.by_target.get(target).into_iter().flatten() {
                match best.get(&scored.page) {
                    Some(b) if b.hit.score >= scored.hit.score => {}
                    _ => {
                        best.insert(scored.page, scored);
                    }
                }
            }
        }
        best.into_values().collect()
    }
}

/// Pages that contain every word of `target` (a word's stem-mates count
/// too), scored by the sum of those words' scores; the best few, looked for
/// among each word's best pages.
fn target_pages(
    stems: &FastMap<String, StemPages>,
    target: &str,
    name_stems: &NameStems,
) -> Vec<Scored> {
    let empty = StemPages::default();
    let lists: Vec<&StemPages> = index_words(target)
        .iter()
        .map(|w| stems.get(name_stems.of(w).as_ref()).unwrap_or(&empty))
        .collect();
    let mut candidates: Vec<u32> = lists.iter().flat_map(|l| l.best.iter().copied()).collect();
    candidates.sort_unstable();
    candidates.dedup();
    // Buffers reused from page to page: a map and a list per candidate
    // page were most of the synonyms' time on a site of many other names.
    let (mut hits, mut units) = (Vec::with_capacity(lists.len()), Vec::new());
    let mut found = Vec::new();
    // Each word's list is walked in step with the candidates.
    let mut next = vec![0usize; lists.len()];
    for page in candidates {
        hits.clear();
        for (list, at) in lists.iter().zip(&mut next) {
            *at = seek(&list.found, *at, page);
            match list.found.get(*at) {
                Some(&scored) if scored.page == page => hits.push(scored),
                _ => break,
            }
        }
        if hits.len() == lists.len() {
            found.push(all_found(page, &hits, &mut units));
        }
    }
    found.sort_by(Scored::best_first);
    found.truncate(SYNONYM_PAGES);
    found
}

/// A page on which every word of a name was found (`hits`): the sum of
/// their scores, and their best sections by the sum of their sections'
/// scores. `units` is a buffer.
fn all_found(page: u32, hits: &[Scored], units: &mut Vec<(u32, f32)>) -> Scored {
    units.clear();
    units.extend(hits.iter().flat_map(|h| h.hit.sections()));
    // Stable: a section's scores are summed in the order of the words.
    units.sort_by_key(|&(u, _)| u);
    let mut hit = Hit {
        score: hits.iter().map(|h| h.hit.score).sum(),
        named: hits.iter().all(|h| h.hit.named),
        ..Hit::default()
    };
    for same in units.chunk_by(|a, b| a.0 == b.0) {
        hit.push_section(same[0].0, same.iter().fold(0.0, |sum, &(_, v)| sum + v));
    }
    Scored { page, hit }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::collect::{Unit, Vocabulary};

    /// A page whose words are counted into `vocabularies[v]`.
    fn doc(
        vocabularies: &mut [Vocabulary],
        v: usize,
        (title, kind, also): (&'static str, Kind, &[&str]),
        body: &[(&'static str, &str)],
    ) -> Document<'static> {
        let vocabulary = &mut vocabularies[v];
        let mut top = Unit::default();
        let also_called = also.join(" · ");
        vocabulary.count(&mut top, [&[title], &[also_called.as_str()], &[], &[], &[]]);
        let mut units = vec![top];
        for (heading, text) in body {
            let mut unit = Unit {
                heading,
                id: heading,
                ..Unit::default()
            };
            vocabulary.count(&mut unit, [&[], &[], &[heading], &[], &[text]]);
            units.push(unit);
        }
        Document {
            url: format!("/{}/", title.to_lowercase()),
            title,
            kind,
            // A test's pages live as long as the test: leaked, as a site's
            // would be borrowed.
            also_called: Vec::leak(also.iter().map(|s| s.to_string()).collect()),
            vocabulary: v,
            words: vocabulary.end_page(),
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

    /// Three pages, counted by two "threads" as a build might.
    fn corpus() -> Collected<'static> {
        let mut vocabularies = [Vocabulary::default(), Vocabulary::default()];
        let documents = vec![
            doc(
                &mut vocabularies,
                0,
                ("Sciatica", Kind::Condition, &["trapped nerve"]),
                &[("Symptoms", "pain in the leg and the back")],
            ),
            doc(
                &mut vocabularies,
                1,
                ("Back pain", Kind::Article, &[]),
                &[(
                    "Overview",
                    "sciatica is mentioned once in a long body of text about many other things and words",
                )],
            ),
            doc(
                &mut vocabularies,
                0,
                ("Plank", Kind::Exercise, &[]),
                &[("How", "hold the plank, breathe; the plank helps the back")],
            ),
        ];
        Collected {
            documents,
            vocabularies: vocabularies.map(Vocabulary::into_words).to_vec(),
        }
    }

    #[test]
    fn title_beats_body_and_rare_beats_common() {
        let index = build(corpus(), &SearchConfig::default()).0;
        assert!(impact(&index, "sciatica", 0) > impact(&index, "sciatica", 1));
        assert!(impact(&index, "plank", 2) > impact(&index, "back", 2));
        assert!(index.words.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn condition_boost_is_applied() {
        let mut docs = corpus();
        docs.documents[1].kind = Kind::Condition;
        let mut config = SearchConfig::default();
        let plain = build(docs.clone(), &config).0;
        config.boosts.condition = 1.0;
        let unboosted = build(docs, &config).0;
        // Scores are relative to the largest, so compare with another page.
        let ratio = |index: &Index| {
            f64::from(impact(index, "back", 1)) / f64::from(impact(index, "back", 2))
        };
        assert!(ratio(&plain) > ratio(&unboosted) * 1.1);
    }

    #[test]
    fn postings_list_pages_in_order_with_best_sections() {
        let index = build(corpus(), &SearchConfig::default()).0;
        let back = postings(&index, "back");
        let pages: Vec<u32> = back.iter().map(|p| p.page).collect();
        assert_eq!(pages, [0, 1, 2]);
        assert_eq!(back[0].sections()[0].0, 1, "sciatica's Symptoms");
    }

    #[test]
    fn also_called_becomes_a_synonym_for_the_name() {
        let index = build(corpus(), &SearchConfig::default()).0;
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
        let index = build(corpus(), &config).0;
        let i = index.words.iter().position(|w| w == "core").unwrap();
        // `core` is in no page but stays in the dictionary to carry the phrase.
        assert!(postings(&index, "core").is_empty());
        assert_eq!(decode_postings(&index.synonyms[i][0].postings)[0].page, 2);
        config
            .synonyms
            .insert("back exercise".into(), vec!["plank".into()]);
        let index = build(corpus(), &config).0;
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
        let mut hit = Hit::default();
        for (u, v) in [(0, 1.0), (1, 3.0), (2, 2.0), (3, 3.0), (4, 0.5)] {
            hit.push_section(u, v);
        }
        let best: Vec<(u32, f32)> = hit.sections().collect();
        assert_eq!(std::mem::size_of::<(u32, Hit)>(), 28, "see Hit::units");
        assert_eq!(best, [(1, 3.0), (3, 3.0), (2, 2.0)]);
        // Past the 65,536th section of a page, sections are not kept.
        hit.push_section(70_000, 9.0);
        assert_eq!(hit.sections().next(), Some((1, 3.0)));
    }

    #[test]
    fn the_dictionary_counts_pages_and_sections() {
        let corpus = corpus();
        let (table, _) = synonym_table(&corpus.documents, &SearchConfig::default());
        let dictionary = Dictionary::new(&corpus, &table);
        assert!(dictionary.words.windows(2).all(|w| w[0] < w[1]));
        let count = |word: &str| {
            let i = dictionary.words.iter().position(|w| w == word).unwrap();
            (dictionary.pages[i], dictionary.units[i])
        };
        // `back`: Sciatica's Symptoms, Back pain's title, Plank's How.
        assert_eq!(count("back"), (3, 3));
        // `plank`: Plank's title (top) and its How section.
        assert_eq!(count("plank"), (1, 2));
        // `trapped` is in Sciatica's other names, and starts a synonym.
        assert_eq!(count("trapped"), (1, 1));
    }

    #[test]
    fn word_ranges_cover_every_word_once() {
        let pages = [5, 1, 1, 1, 9, 0, 2, 3];
        for count in [1, 2, 3, 8, 100] {
            let ranges = word_ranges(&pages, count);
            assert_eq!(ranges[0].0, 0);
            assert_eq!(ranges.last().unwrap().1, pages.len() as u32);
            assert!(ranges.windows(2).all(|w| w[0].1 == w[1].0));
            assert!(ranges.iter().all(|r| r.0 < r.1));
        }
        assert_eq!(word_ranges(&pages, 1), [(0, 8)]);
        assert_eq!(word_ranges(&[], 4), []);
    }

    #[test]
    fn gathering_turns_pages_round_into_words() {
        let hit = Hit {
            score: 1.0,
            ..Hit::default()
        };
        let ranges = Ranges::new(vec![(0, 1), (1, 3), (3, 4)]);
        assert_eq!(ranges.of_word, [0, 1, 1, 2]);
        let pages = [vec![3, 0, 2], vec![2, 1], vec![2]]
            .map(|ids| PageWords::group(&ids, ids.iter().map(|_| hit), &ranges));
        assert_eq!(pages[0].range_starts, [0, 1, 2, 3]);
        let words: Vec<u32> = pages[0].words.iter().map(|&(w, _)| w).collect();
        assert_eq!(words, [0, 2, 3], "grouped by range");
        assert_eq!(pages[1].range_starts, [0, 0, 2, 2]);
        let words: Vec<u32> = pages[1].words.iter().map(|&(w, _)| w).collect();
        assert_eq!(words, [2, 1], "in the page's order within a range");
        let mut all = Vec::new();
        let starts = gather(&pages, 1, (1, 3), &[1, 1, 3, 1], &mut all);
        assert_eq!(starts, [0, 1, 4], "word 1 has one page, word 2 three");
        let pages: Vec<u32> = all.iter().map(|s| s.page).collect();
        assert_eq!(pages, [1, 0, 1, 2]);
    }

    #[test]
    fn a_stem_is_found_on_each_candidate_page_by_its_best_word() {
        let scored = |page, score, named| Scored {
            page,
            hit: Hit {
                score,
                named,
                ..Hit::default()
            },
        };
        let mut kept = FastMap::default();
        let first = [
            scored(0, 1.0, true),
            scored(2, 5.0, true),
            scored(4, 2.0, true),
        ];
        let second = [
            scored(2, 5.0, false),
            scored(4, 3.0, false),
            scored(5, 1.0, false),
        ];
        kept.insert(3, first.to_vec());
        kept.insert(7, second.to_vec());
        let mut stem = StemPages::new(&kept, &[3, 7]);
        stem.look_up(&kept, &[1, 2, 4, 5]);
        let found: Vec<(u32, f32, bool)> = stem
            .found
            .iter()
            .map(|s| (s.page, s.hit.score, s.hit.named))
            .collect();
        // Page 1 has neither word; on page 2 they tie, and the first word wins.
        assert_eq!(found, [(2, 5.0, true), (4, 3.0, false), (5, 1.0, false)]);
    }

    #[test]
    fn seeking_finds_the_first_page_not_below() {
        let list: Vec<Scored> = [1, 3, 3, 4, 8, 9, 12, 20, 21, 30]
            .iter()
            .map(|&page| Scored {
                page,
                ..Scored::default()
            })
            .collect();
        for from in 0..=list.len() {
            for page in 0..32 {
                let want = from + list[from..].partition_point(|s| s.page < page);
                assert_eq!(seek(&list, from, page), want, "from {from}, page {page}");
            }
        }
        assert_eq!(seek(&[], 0, 5), 0);
    }

    #[test]
    fn a_stem_begins_as_its_word_does() {
        // Every word of the bundled guide and of the shared test vectors,
        // and a few hundred thousand made-up words: random beginnings with
        // one or two of the endings Snowball rewrites.
        // Each line: [text, tokens, stems].
        let vectors = include_str!("../../tests/search/vectors.jsonl");
        let mut words: Vec<String> = vectors
            .lines()
            .filter_map(|line| {
                serde_json::from_str::<(String, Vec<String>, Vec<String>)>(line).ok()
            })
            .flat_map(|(_, tokens, _)| tokens)
            .collect();
        assert!(words.len() > 1000, "the test vectors' words");
        let letters = b"abcdefghijklmnopqrstuvwxyzaeiouyaeiouy";
        let endings = [
            "", "s", "es", "ies", "ied", "ed", "ing", "ingly", "edly", "eed", "eedly", "ly", "y",
            "ational", "tional", "izer", "ization", "ation", "alism", "aliti", "alli", "fulness",
            "ousli", "iveness", "iviti", "biliti", "bli", "ogi", "fulli", "lessli", "alize",
            "icate", "ical", "ness", "ative", "ance", "ence", "able", "ible", "ement", "ism",
            "ate", "iti", "ous", "ive", "ize", "ion", "e", "ll", "sses", "enci", "entli",
        ];
        let mut next = crate::search::test_sequence();
        for _ in 0..300_000 {
            let mut word: String = (0..next(5))
                .map(|_| char::from(letters[next(letters.len())]))
                .collect();
            for _ in 0..1 + next(2) {
                word.push_str(endings[next(endings.len())]);
            }
            words.push(word);
        }
        words.extend(["dying", "lying", "tying", "a", "ies", "aing", "sses"].map(String::from));
        for word in words.iter().filter(|w| !w.is_empty()) {
            let stem = stem(word);
            let beginnings: FastSet<&[u8]> = [stem_beginning(&stem)].into_iter().collect();
            assert!(may_stem_to(word, &beginnings), "{word} → {stem}");
        }
    }

    #[test]
    fn quantize_is_monotonic() {
        assert_eq!(quantize(0.0, 1.0), 0);
        assert_eq!(quantize(1.0, 1.0), 255);
        assert_eq!(quantize(1e-9, 1.0), 1);
        assert!(quantize(0.3, 1.0) < quantize(0.4, 1.0));
        assert_eq!(quantize(2.0, 1.0), 255, "saturates above the largest");
        // Rounds as `f64::round` did, over the whole range.
        for i in 1..=100_000 {
            let score = f64::from(i) / 100_000.0;
            let rounded = ((score.sqrt() * 255.0).round().clamp(1.0, 255.0)) as u8;
            assert_eq!(quantize(score, 1.0), rounded, "{score}");
        }
    }
}
