//! Collect: the assembled [`Site`] → one [`Document`] per indexed page, each
//! split into its heading sections, with the words of every field.
//!
//! Everything comes from the rendered documents' table of contents and text
//! blocks; nothing is parsed again.

use rayon::prelude::*;

use crate::config::SearchConfig;
use crate::front_matter::Kind;
use crate::markdown::BlockKind;
use crate::site::Site;

use std::hash::Hasher;

use super::analyzer::{for_each_word, is_stopword};
use super::{FastHasher, FastMap};

/// How many characters of a section's text the result list can show.
pub const EXCERPT_CHARS: usize = 200;

/// The fields of a section, in the order of [`Field::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    AlsoCalled,
    Headings,
    Summary,
    Body,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Title,
        Field::AlsoCalled,
        Field::Headings,
        Field::Summary,
        Field::Body,
    ];
}

/// One searchable unit: the top of a page (before its first heading, with
/// the page's title, other names and summary) or one heading section.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// The heading's text; empty for the top of the page.
    pub heading: String,
    /// The heading's `id` (the link is `page/#id`); empty for the top.
    pub id: String,
    /// Each indexed word of the section once, as its place in the page's
    /// [`Document::words`], with its count in each field ([`Field::ALL`]
    /// order), in order of first appearance.
    pub terms: Vec<(u32, [u16; 5])>,
    /// How many indexed words each field has.
    pub lengths: [u32; 5],
    /// The start of the section's text, for the result snippet.
    pub excerpt: String,
}

/// The id [`Vocabulary`] gives stopwords.
const STOPWORD: u32 = u32::MAX;

/// A page's words, each stored once however many sections use it, and the
/// counting of them per section. (One `String` per word and section was
/// most of the index's memory and allocations on big sites.)
///
/// Words are found by their hash and checked against the page's [`Words`],
/// so a new word costs no allocation of its own; a word whose hash another
/// word already has is kept in `others`.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Word hash → id ([`STOPWORD`] for stopwords).
    ids: FastMap<u64, u32>,
    /// Words whose hash belongs to another word → id.
    others: FastMap<String, u32>,
    words: Words,
    /// Per word: the unit it was last counted in, plus one, and its place
    /// in that unit's terms. Saves a map per unit.
    last: Vec<(u32, u32)>,
    units: u32,
}

impl Vocabulary {
    /// Counts the indexed words of each field's texts ([`Field::ALL`]
    /// order) into `unit`, which must not have been counted before.
    pub fn count(&mut self, unit: &mut Unit, fields: [&[&str]; 5]) {
        self.units += 1;
        let current = self.units;
        unit.lengths = [0; 5];
        unit.terms.clear();
        for (f, texts) in fields.iter().enumerate() {
            for text in *texts {
                for_each_word(text, |w| {
                    let Some(id) = self.intern(w, hash_of(w)) else {
                        return;
                    };
                    unit.lengths[f] += 1;
                    let (seen_in, at) = &mut self.last[id as usize];
                    if *seen_in != current {
                        *seen_in = current;
                        *at = unit.terms.len() as u32;
                        unit.terms.push((id, [0; 5]));
                    }
                    let counts = &mut unit.terms[*at as usize].1;
                    counts[f] = counts[f].saturating_add(1);
                });
            }
        }
    }

    /// The id of `word`, whose hash is `hash`; `None` for a stopword.
    /// Stopwords are remembered too, so that a word costs one lookup
    /// however common it is.
    fn intern(&mut self, word: &str, hash: u64) -> Option<u32> {
        let id = match self.ids.get(&hash) {
            Some(&STOPWORD) if is_stopword(word) => STOPWORD,
            Some(&id) if id != STOPWORD && self.words.get(id) == word => id,
            Some(_) => self.intern_other(word),
            None => {
                let id = self.new_id(word);
                self.ids.insert(hash, id);
                id
            }
        };
        (id != STOPWORD).then_some(id)
    }

    /// The id of a word whose hash another word has.
    fn intern_other(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.others.get(word) {
            return id;
        }
        let id = self.new_id(word);
        self.others.insert(word.to_string(), id);
        id
    }

    fn new_id(&mut self, word: &str) -> u32 {
        if is_stopword(word) {
            return STOPWORD;
        }
        self.words.push(word);
        self.last.push((0, 0));
        (self.last.len() - 1) as u32
    }

    /// The words, each at its id; the vocabulary is then empty, ready for
    /// another page with the memory it has (one per thread, not per page:
    /// growing a fresh map for every page was a good part of collecting).
    pub fn take_words(&mut self) -> Words {
        self.ids.clear();
        self.others.clear();
        self.last.clear();
        self.units = 0;
        std::mem::take(&mut self.words)
    }
}

fn hash_of(word: &str) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(word.as_bytes());
    hasher.finish()
}

/// A page's distinct words in one buffer, in order of first appearance.
/// (A `String` each took over 100 MB at 10,000 pages.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Words {
    text: String,
    /// Where each word ends in `text`; it starts where the previous ends.
    ends: Vec<u32>,
}

impl Words {
    fn push(&mut self, word: &str) {
        self.text.push_str(word);
        self.ends.push(self.text.len() as u32);
    }

    /// Word `i`.
    fn get(&self, i: u32) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i as usize - 1] };
        &self.text[start as usize..self.ends[i as usize] as usize]
    }

    /// How many words there are.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Each word, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.text[start as usize..end as usize])
    }
}

/// One indexed page.
#[derive(Debug, Clone)]
pub struct Document {
    pub url: String,
    pub title: String,
    pub kind: Kind,
    pub also_called: Vec<String>,
    /// The page's distinct indexed words, in order of first appearance;
    /// [`Unit::terms`] refer to them by place.
    pub words: Words,
    /// Unit 0 is the top of the page; unit `k + 1` is heading `k` of its toc.
    pub units: Vec<Unit>,
}

/// Whether a page is indexed: `[search] sections` empty, or its top folder listed.
fn indexed(config: &SearchConfig, section_dir: &str) -> bool {
    config.sections.is_empty() || {
        let top = section_dir.split('/').next().unwrap_or("");
        config.sections.iter().any(|s| s.trim_matches('/') == top)
    }
}

/// Every indexed page of the site, in the site's page order.
pub fn collect(site: &Site) -> Vec<Document> {
    let base_path = site.config.base_path();
    let config = &site.config.search;
    site.pages
        .par_iter()
        .zip(&site.page_docs)
        .filter(|(page, _)| indexed(config, &page.section))
        .map_init(Vocabulary::default, |vocabulary, (page, doc)| {
            let meta = &page.meta;
            let mut units: Vec<Unit> = std::iter::once(Unit::default())
                .chain(doc.toc.iter().map(|h| Unit {
                    heading: h.title.clone(),
                    id: h.id.clone(),
                    ..Unit::default()
                }))
                .collect();
            let mut texts: Vec<Vec<&str>> = vec![Vec::new(); units.len()];
            for block in &doc.text.blocks {
                if matches!(block.kind, BlockKind::Heading { .. }) {
                    continue;
                }
                let unit = block.section.map_or(0, |s| s + 1).min(units.len() - 1);
                texts[unit].push(&block.text);
            }
            let also_called = meta.also_called.join(" · ");
            let summary: Vec<&str> = meta.summary.iter().map(String::as_str).collect();
            for (u, (unit, text)) in units.iter_mut().zip(&texts).enumerate() {
                let heading_text = unit.heading.clone();
                let heading = [heading_text.as_str()];
                unit.excerpt = excerpt(text.iter().copied());
                if u == 0 {
                    if !summary.is_empty() {
                        unit.excerpt = excerpt(summary.iter().copied());
                    }
                    vocabulary.count(
                        unit,
                        [
                            &[meta.title.as_str()],
                            &[also_called.as_str()],
                            &heading,
                            &summary,
                            text,
                        ],
                    );
                } else {
                    vocabulary.count(unit, [&[], &[], &heading, &[], text]);
                }
            }
            Document {
                url: format!("{base_path}{}", page.path),
                title: meta.title.clone(),
                kind: meta.kind,
                also_called: meta.also_called.clone(),
                words: vocabulary.take_words(),
                units,
            }
        })
        .collect()
}

/// The first [`EXCERPT_CHARS`] characters of the texts, joined by spaces,
/// cut at a space.
pub fn excerpt<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut chars = 0usize;
    for word in texts.flat_map(str::split_whitespace) {
        let n = word.chars().count();
        if chars + n + usize::from(chars > 0) > EXCERPT_CHARS {
            let trimmed = out.trim_end_matches([',', ';', ':', '.']).len();
            out.truncate(trimmed);
            out.push('…');
            return out;
        }
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += n;
    }
    out
}

/// A condition's name as readers will recognise it: `Pain down the leg
/// (sciatica)` → `sciatica`; a title without parentheses is itself.
pub fn canonical_name(title: &str) -> String {
    let trimmed = title.trim();
    if let (Some(open), true) = (trimmed.rfind('('), trimmed.ends_with(')')) {
        let inner = trimmed[open + 1..trimmed.len() - 1].trim();
        if !inner.is_empty() {
            return inner.to_string();
        }
    }
    trimmed.to_string()
}

/// The label shown next to a result.
pub fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Condition => "Condition",
        Kind::Article => "Article",
        Kind::Exercise => "Exercise",
        Kind::Page => "Page",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_prefer_the_parenthesis() {
        assert_eq!(canonical_name("Pain down the leg (sciatica)"), "sciatica");
        assert_eq!(
            canonical_name("Slipped disc (disc herniation)"),
            "disc herniation"
        );
        assert_eq!(canonical_name("Plank"), "Plank");
    }

    #[test]
    fn excerpts_are_cut_at_a_word() {
        let long = "word ".repeat(100);
        let e = excerpt(std::iter::once(long.as_str()));
        assert!(e.ends_with("word…"), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt(["  short ", "  text "].into_iter()), "short text");
    }

    #[test]
    fn fields_are_counted_per_word() {
        let mut vocabulary = Vocabulary::default();
        let (mut top, mut next) = (Unit::default(), Unit::default());
        vocabulary.count(
            &mut top,
            [&["Back pain"], &[], &["Pain"], &[], &["pain pain back"]],
        );
        vocabulary.count(&mut next, [&[], &[], &[], &[], &["the legs and back"]]);
        assert_eq!(top.terms, [(0, [1, 0, 0, 0, 1]), (1, [1, 0, 1, 0, 2])]);
        assert_eq!(top.lengths, [2, 0, 1, 0, 3]);
        // Counted afresh per section; a word seen before keeps its id.
        assert_eq!(next.terms, [(2, [0, 0, 0, 0, 1]), (0, [0, 0, 0, 0, 1])]);
        assert_eq!(next.lengths, [0, 0, 0, 0, 2], "stopwords are not counted");
        let words = vocabulary.take_words();
        assert_eq!(words.iter().collect::<Vec<_>>(), ["back", "pain", "legs"]);
        // Ready for the next page: ids start again from 0.
        let mut again = Unit::default();
        vocabulary.count(&mut again, [&["legs"], &[], &[], &[], &[]]);
        assert_eq!(again.terms, [(0, [1, 0, 0, 0, 0])]);
    }

    #[test]
    fn words_sharing_a_hash_are_told_apart() {
        let mut vocabulary = Vocabulary::default();
        assert_eq!(vocabulary.intern("back", 7), Some(0));
        assert_eq!(
            vocabulary.intern("pain", 7),
            Some(1),
            "same hash, other word"
        );
        assert_eq!(vocabulary.intern("the", 7), None, "a stopword");
        assert_eq!(vocabulary.intern("pain", 7), Some(1));
        assert_eq!(vocabulary.intern("back", 7), Some(0));
        assert_eq!(vocabulary.intern("the", 8), None);
        assert_eq!(vocabulary.intern("legs", 8), Some(2), "a stopword's hash");
        let words = vocabulary.take_words();
        assert_eq!(words.iter().collect::<Vec<_>>(), ["back", "pain", "legs"]);
    }

    #[test]
    fn section_filter_matches_top_folders() {
        let mut config = SearchConfig::default();
        assert!(indexed(&config, "anything"));
        config.sections = vec!["conditions".into()];
        assert!(indexed(&config, "conditions"));
        assert!(indexed(&config, "conditions/back"));
        assert!(!indexed(&config, "exercises"));
        assert!(!indexed(&config, ""));
    }
}
