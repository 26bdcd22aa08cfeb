//! Collect: the assembled [`Site`] → one [`Document`] per indexed page, each
//! split into its heading sections, with the words of every field.
//!
//! Everything comes from the rendered documents' table of contents and text
//! blocks; nothing is parsed again.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::config::SearchConfig;
use crate::front_matter::Kind;
use crate::links::DocId;
use crate::markdown::{BlockKind, RenderedDoc};
use crate::page::Page;
use crate::site::Site;

use super::analyzer::{STOPWORDS, for_each_word_in, word_hash};
use super::{FastMap, group_in_order};

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
/// Its texts are the site's, borrowed: a copy of every heading was a good
/// part of collecting's allocations.
#[derive(Debug, Clone, Default)]
pub struct Unit<'s> {
    /// The heading's text; empty for the top of the page.
    pub heading: &'s str,
    /// The heading's `id` (the link is `page/#id`); empty for the top.
    pub id: &'s str,
    /// Each indexed word of the section once, as its place in the page's
    /// [`Document::words`], with its count in each field ([`Field::ALL`]
    /// order), in order of first appearance.
    pub terms: Vec<(u32, [u16; 5])>,
    /// How many indexed words each field has.
    pub lengths: [u32; 5],
    /// The start of the section's text, for the result snippet.
    pub excerpt: Excerpt<'s>,
}

/// The start of a section's text, for a result's snippet: most often a
/// piece of one of its texts as it stands, borrowed. (A `String` for each
/// section, with room for a whole excerpt, was about 70 MB of fresh memory
/// at 10,000 pages.)
#[derive(Debug, Clone, Default)]
pub struct Excerpt<'s> {
    pub text: Cow<'s, str>,
    /// Whether the section's text goes on: the snippet then ends in `…`.
    pub cut: bool,
}

impl<'s> Excerpt<'s> {
    /// Adds `piece`, after a space if `spaced`.
    fn push(&mut self, piece: &'s str, spaced: bool) {
        if self.text.is_empty() {
            self.text = Cow::Borrowed(piece);
            return;
        }
        let text = self.text.to_mut();
        text.reserve((EXCERPT_CHARS + 1).saturating_sub(text.len()));
        if spaced {
            text.push(' ');
        }
        text.push_str(piece);
    }

    /// Ends the excerpt where the text goes on, without the punctuation
    /// that ended its last word.
    fn cut(mut self) -> Self {
        let trimmed = self.text.trim_end_matches([',', ';', ':', '.']).len();
        match &mut self.text {
            Cow::Borrowed(text) => *text = &text[..trimmed],
            Cow::Owned(text) => text.truncate(trimmed),
        }
        self.cut = true;
        self
    }

    /// The excerpt as shown, in two parts: its text, and the ellipsis if
    /// it was cut (else nothing).
    pub fn parts(&self) -> [&str; 2] {
        [&self.text, if self.cut { "…" } else { "" }]
    }
}

impl std::fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.parts().iter().try_for_each(|part| f.write_str(part))
    }
}

/// Ids from here up are stopwords: `FIRST_STOPWORD + i` is `STOPWORDS[i]`.
/// Telling which stopword lets a stopword's hash be checked like any other
/// word's, and stopwords are a good part of every text.
const FIRST_STOPWORD: u32 = u32::MAX - STOPWORDS.len() as u32;

/// A word of a vocabulary: its id, and where it was last counted. Kept in
/// the word's own map entry, so that counting a word is one lookup: the
/// same state in arrays beside the map cost two more reads of cold memory
/// per word, and collecting waits on memory more than it computes.
#[derive(Debug, Clone, Copy)]
struct Seen {
    id: u32,
    /// The unit it was last counted in, plus one, and its place in that
    /// unit's terms. Saves a map per unit.
    unit: u32,
    at: u32,
    /// Its place in the words of the page of that unit. (Units are counted
    /// page after page, so the unit tells the page too.)
    place: u32,
}

impl Seen {
    fn new(id: u32) -> Seen {
        Seen {
            id,
            unit: 0,
            at: 0,
            place: 0,
        }
    }

    fn is_stopword(&self) -> bool {
        self.id >= FIRST_STOPWORD
    }
}

/// The words of the pages one thread collects, each stored once however
/// many pages and sections use it, and the counting of them per section.
/// (One `String` per word and section was most of the index's memory and
/// allocations on big sites; one vocabulary per page made every page learn
/// its words again, and the index look each of them up again by spelling.)
///
/// A page refers to its words by their place in the page (see
/// [`Document::words`]), which the vocabulary hands out as it meets them.
#[derive(Debug)]
pub struct Vocabulary {
    known: Known,
    words: Words,
    units: u32,
    /// How many units were counted before the page being counted.
    page_base: u32,
    /// The page being counted's words (ids), in order of first appearance.
    page_words: Vec<u32>,
    /// The unit being counted's terms, copied to it once complete: one
    /// allocation of the right size instead of a vector growing per unit.
    terms: Vec<(u32, [u16; 5])>,
    /// Where words that must be folded are folded, reused text after text.
    buffer: String,
}

/// Every word a vocabulary has met, by spelling.
///
/// A word of up to eight bytes (most words) is found by its bytes, read as
/// a number: one lookup, and nothing to check. A longer word is found by
/// its [`word_hash`] and checked against [`Words`], so a new word costs no
/// allocation of its own; a long word whose hash another word already has
/// is kept in `others`. The stopwords are known from the start, so a word
/// not found is not one.
#[derive(Debug, Default)]
struct Known {
    /// Short word ([`short_key`]) → its state (ids from [`FIRST_STOPWORD`]
    /// up for stopwords).
    short: FastMap<u64, Seen>,
    /// Long word's hash → its state.
    long: FastMap<u64, Seen>,
    /// Long words whose hash belongs to another word → their state.
    others: FastMap<String, Seen>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary {
            known: Known::with_stopwords(),
            words: Words::default(),
            units: 0,
            page_base: 0,
            page_words: Vec::new(),
            terms: Vec::new(),
            buffer: String::new(),
        }
    }
}

impl Vocabulary {
    /// Counts the indexed words of each field's texts ([`Field::ALL`]
    /// order) into `unit`, which must not have been counted before.
    pub fn count(&mut self, unit: &mut Unit, fields: [&[&str]; 5]) {
        self.units += 1;
        let (current, page_base) = (self.units, self.page_base);
        unit.lengths = [0; 5];
        self.terms.clear();
        for (f, texts) in fields.iter().enumerate() {
            for text in *texts {
                for_each_word_in(text, &mut self.buffer, |w| {
                    let seen = self.known.intern(&mut self.words, w);
                    if seen.is_stopword() {
                        return;
                    }
                    unit.lengths[f] += 1;
                    if seen.unit != current {
                        if seen.unit <= page_base {
                            // First met on this page.
                            seen.place = self.page_words.len() as u32;
                            self.page_words.push(seen.id);
                        }
                        seen.unit = current;
                        seen.at = self.terms.len() as u32;
                        self.terms.push((seen.place, [0; 5]));
                    }
                    let counts = &mut self.terms[seen.at as usize].1;
                    counts[f] = counts[f].saturating_add(1);
                });
            }
        }
        unit.terms = self.terms.clone();
    }

    /// The id of `word`; `None` for a stopword.
    #[cfg(test)]
    fn intern(&mut self, word: &str) -> Option<u32> {
        let seen = self.known.intern(&mut self.words, word);
        (!seen.is_stopword()).then_some(seen.id)
    }

    /// Ends the page being counted: its words' ids, each at its place in
    /// the page.
    pub fn end_page(&mut self) -> Vec<u32> {
        self.page_base = self.units;
        let words = self.page_words.clone();
        self.page_words.clear();
        words
    }

    /// Every word met, each at its id.
    pub fn into_words(self) -> Words {
        self.words
    }
}

impl Known {
    /// Knows each stopword, with its id, as [`Known::intern`] would.
    fn with_stopwords() -> Known {
        let mut known = Known::default();
        for (i, &word) in STOPWORDS.iter().enumerate() {
            let seen = Seen::new(FIRST_STOPWORD + i as u32);
            if let Some(key) = short_key(word) {
                known.short.insert(key, seen);
                continue;
            }
            match known.long.entry(word_hash(word)) {
                Entry::Vacant(place) => {
                    place.insert(seen);
                }
                Entry::Occupied(_) => {
                    known.others.insert(word.to_string(), seen);
                }
            }
        }
        known
    }

    /// The state of `word`, which is added to `words` if it is new.
    /// Stopwords are known too, so that a word costs one lookup however
    /// common it is.
    fn intern(&mut self, words: &mut Words, word: &str) -> &mut Seen {
        match short_key(word) {
            Some(key) => self
                .short
                .entry(key)
                .or_insert_with(|| Seen::new(words.push(word))),
            None => self.intern_long(words, word, word_hash(word)),
        }
    }

    /// The state of `word`, longer than eight bytes, whose [`word_hash`]
    /// is `hash`.
    fn intern_long(&mut self, words: &mut Words, word: &str, hash: u64) -> &mut Seen {
        match self.long.entry(hash) {
            Entry::Occupied(found) if spelling(words, found.get().id) == word => found.into_mut(),
            Entry::Occupied(_) => self
                .others
                .entry(word.to_string())
                .or_insert_with(|| Seen::new(words.push(word))),
            Entry::Vacant(place) => place.insert(Seen::new(words.push(word))),
        }
    }
}

/// The word whose id is `id`, a stopword or one of `words`.
fn spelling(words: &Words, id: u32) -> &str {
    match id.checked_sub(FIRST_STOPWORD) {
        Some(stopword) => STOPWORDS[stopword as usize],
        None => words.get(id),
    }
}

/// A word of up to eight bytes as a number: its bytes, zero-padded. No word
/// has a zero byte, so no two words have the same number.
fn short_key(word: &str) -> Option<u64> {
    (word.len() <= 8).then(|| {
        word.bytes()
            .rev()
            .fold(0u64, |key, byte| key << 8 | u64::from(byte))
    })
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
    /// Adds `word`; returns its index.
    fn push(&mut self, word: &str) -> u32 {
        self.text.push_str(word);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    /// Word `i`.
    fn get(&self, i: u32) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i as usize - 1] };
        &self.text[start as usize..self.ends[i as usize] as usize]
    }

    /// Each word, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.text[start as usize..end as usize])
    }
}

/// One indexed page; its texts borrowed from the site.
#[derive(Debug, Clone)]
pub struct Document<'s> {
    pub url: String,
    pub title: &'s str,
    pub kind: Kind,
    pub also_called: &'s [String],
    /// Which of [`Collected::vocabularies`] the page's words are in.
    pub vocabulary: usize,
    /// The page's distinct indexed words, as ids in its vocabulary, in
    /// order of first appearance; [`Unit::terms`] refer to them by place.
    pub words: Vec<u32>,
    /// Unit 0 is the top of the page; unit `k + 1` is heading `k` of its toc.
    pub units: Vec<Unit<'s>>,
}

/// Whether a page is indexed: `[search] sections` empty, or its top folder listed.
fn indexed(config: &SearchConfig, section_dir: &str) -> bool {
    config.sections.is_empty() || {
        let top = section_dir.split('/').next().unwrap_or("");
        config.sections.iter().any(|s| s.trim_matches('/') == top)
    }
}

/// The indexed pages and the words they use.
#[derive(Debug, Clone)]
pub struct Collected<'s> {
    /// Every indexed page, in the site's page order.
    pub documents: Vec<Document<'s>>,
    /// The words of the pages, one vocabulary per collecting thread.
    pub vocabularies: Vec<Words>,
}

/// Every indexed page of the site, in the site's page order.
///
/// Each thread of the pool counts its pages' words into a vocabulary of
/// its own, so that a word costs a lookup by spelling once per thread
/// rather than once per page (here and again in the index).
pub fn collect(site: &Site) -> Collected<'_> {
    let base_path = site.config.base_path();
    let config = &site.config.search;
    let vocabularies: Vec<Mutex<Vocabulary>> = (0..rayon::current_num_threads())
        .map(|_| Mutex::new(Vocabulary::default()))
        .collect();
    let documents = site
        .pages
        .par_iter()
        .zip(&site.page_docs)
        .filter(|(page, _)| indexed(config, &page.section))
        .map(|(page, doc)| {
            // Only this thread takes its own vocabulary's lock.
            let vocabulary = rayon::current_thread_index().unwrap_or(0) % vocabularies.len();
            let mut words = vocabularies[vocabulary]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let meta = &page.meta;
            let units = count_units(&mut words, page, doc);
            Document {
                url: format!("{base_path}{}", page.path),
                title: &meta.title,
                kind: meta.kind,
                also_called: &meta.also_called,
                vocabulary,
                words: words.end_page(),
                units,
            }
        })
        .collect();
    let vocabularies = vocabularies
        .into_iter()
        .map(|v| {
            v.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .into_words()
        })
        .collect();
    Collected {
        documents,
        vocabularies,
    }
}

/// A page's units, their words counted into `vocabulary`.
fn count_units<'s>(
    vocabulary: &mut Vocabulary,
    page: &'s Page,
    doc: &'s RenderedDoc<DocId>,
) -> Vec<Unit<'s>> {
    let meta = &page.meta;
    let mut units: Vec<Unit> = std::iter::once(Unit::default())
        .chain(doc.toc.iter().map(|h| Unit {
            heading: &h.title,
            id: &h.id,
            ..Unit::default()
        }))
        .collect();
    let texts = UnitTexts::of(doc, units.len());
    let also_called = meta.also_called.join(" · ");
    let summary: Vec<&str> = meta.summary.iter().map(String::as_str).collect();
    for (u, unit) in units.iter_mut().enumerate() {
        let text = texts.of_unit(u);
        let heading = [unit.heading];
        // The top of a page is shown by its summary, if it has one.
        unit.excerpt = match u {
            0 if !summary.is_empty() => excerpt(summary.iter().copied()),
            _ => excerpt(text.iter().copied()),
        };
        if u == 0 {
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
    units
}

/// The body texts of each unit of a page, in order, in one list: a list per
/// unit, each grown block by block, was most of collecting's allocations.
struct UnitTexts<'s> {
    texts: Vec<&'s str>,
    /// Where each unit's texts start, plus their end.
    starts: Vec<usize>,
}

impl<'s> UnitTexts<'s> {
    /// The texts of `doc`'s blocks but headings, by unit (of `units`).
    fn of(doc: &'s RenderedDoc<DocId>, units: usize) -> UnitTexts<'s> {
        let unit_of = |section: Option<usize>| section.map_or(0, |s| s + 1).min(units - 1);
        let body = || {
            doc.text
                .blocks
                .iter()
                .filter(|b| !matches!(b.kind, BlockKind::Heading { .. }))
        };
        let (texts, starts) = group_in_order(
            body().map(|b| unit_of(b.section)),
            body().map(|b| b.text.as_str()),
            units,
        );
        UnitTexts { texts, starts }
    }

    /// Unit `u`'s texts.
    fn of_unit(&self, u: usize) -> &[&'s str] {
        &self.texts[self.starts[u]..self.starts[u + 1]]
    }
}

/// The first [`EXCERPT_CHARS`] characters of the texts, joined by spaces,
/// cut at a space.
pub fn excerpt<'a>(texts: impl Iterator<Item = &'a str>) -> Excerpt<'a> {
    let mut out = Excerpt::default();
    let mut chars = 0usize;
    for text in texts {
        let mut at = 0;
        loop {
            while let space @ 1.. = space_at(text, at) {
                at += space;
            }
            if at == text.len() {
                break;
            }
            let gap = usize::from(chars > 0);
            let run = Run::read(text, at, EXCERPT_CHARS.saturating_sub(chars + gap));
            if run.end > at {
                out.push(&text[at..run.end], gap > 0);
                chars += gap + run.chars;
            }
            if !run.whole {
                return out.cut();
            }
            at = run.end;
        }
    }
    out
}

/// Words of a text separated by single spaces, which an excerpt copies as
/// they are: copying word by word was most of the cost of an excerpt.
struct Run {
    /// Where the words that fit end.
    end: usize,
    /// How many characters they have.
    chars: usize,
    /// Whether all the run's words fit (otherwise the excerpt is full).
    whole: bool,
}

impl Run {
    /// The run starting at `start` (a word), as far as `budget` characters
    /// allow; it is only read that far.
    fn read(text: &str, start: usize, budget: usize) -> Run {
        let bytes = text.as_bytes();
        let (mut at, mut chars) = (start, 0);
        let mut fits = Run {
            end: start,
            chars: 0,
            whole: false,
        };
        loop {
            let word_start = at;
            // Printable ASCII (never whitespace, a character per byte) is
            // all most words have; anything else is read character by
            // character.
            at = bytes[at..]
                .iter()
                .position(|&b| !b.is_ascii_graphic())
                .map_or(bytes.len(), |n| at + n);
            let ascii = bytes
                .get(at)
                .is_none_or(|&b| b == b' ' || space_at(text, at) > 0);
            if !ascii {
                while at < bytes.len() && space_at(text, at) == 0 {
                    at += 1;
                }
            }
            chars += if ascii {
                at - word_start
            } else {
                text[word_start..at].chars().count()
            };
            if chars > budget {
                return fits;
            }
            fits = Run {
                end: at,
                chars,
                whole: false,
            };
            let another = bytes.get(at) == Some(&b' ')
                && bytes
                    .get(at + 1)
                    .is_some_and(|&n| n.is_ascii_graphic() || space_at(text, at + 1) == 0);
            if !another {
                return Run {
                    whole: true,
                    ..fits
                };
            }
            at += 1;
            chars += 1;
        }
    }
}

/// The length in bytes of the whitespace character (as
/// [`char::is_whitespace`] has it) at byte `at` of `text`; 0 if there is
/// none there (not whitespace, not a character's start, or the end).
fn space_at(text: &str, at: usize) -> usize {
    match text.as_bytes().get(at) {
        // ASCII's whitespace, without decoding.
        Some(b) if b.is_ascii() => usize::from(matches!(b, b' ' | b'\t'..=b'\r')),
        Some(_) => text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
        None => 0,
    }
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
        assert!(
            matches!(e.text, Cow::Borrowed(_)),
            "one text's piece, as it is"
        );
        let e = e.to_string();
        assert!(e.ends_with("word…"), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        let joined = excerpt(["  short ", "  text "].into_iter());
        assert_eq!(joined.to_string(), "short text");
        assert!(!joined.cut);
    }

    /// [`excerpt`] as first written: word by word.
    fn excerpt_by_words<'a>(texts: impl Iterator<Item = &'a str>) -> String {
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

    #[test]
    fn excerpts_copy_runs_as_words_would() {
        let pieces = [
            "word",
            "Lé",
            "x",
            "ab,",
            "end.",
            " ",
            " ",
            "  ",
            "\t",
            "\n",
            "\u{0B}",
            "\u{A0}",
            "\u{2003}",
            "\u{3000}",
            "\u{85}",
            "“quoted”",
            "日本語",
            "long-hyphenated-word",
            "bell\u{7}",
            "\u{7F}",
        ];
        let mut next = crate::search::test_sequence();
        for _ in 0..3000 {
            let texts: Vec<String> = (0..1 + next(3))
                .map(|_| (0..next(120)).map(|_| pieces[next(pieces.len())]).collect())
                .collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let want = excerpt_by_words(texts.iter().copied());
            let got = excerpt(texts.iter().copied());
            assert_eq!(got.to_string(), want, "{texts:?}");
            assert_eq!(got.cut, want.ends_with('…'), "{texts:?}");
        }
        let excerpt = |texts: &[&str]| excerpt(texts.iter().copied()).to_string();
        let exact = "a".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&[&exact]), exact);
        let cut = format!("{exact}…");
        assert_eq!(excerpt(&[&format!("{exact} b")]), cut);
        assert_eq!(excerpt(&[&exact, "b"]), cut);
        assert_eq!(excerpt(&[&format!("{exact}a")]), "…");
        let shorter = &exact[1..];
        assert_eq!(
            excerpt(&[&format!("{shorter}, b")]),
            format!("{shorter}…"),
            "a comma before the cut goes"
        );
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
        assert_eq!(vocabulary.end_page(), [0, 1, 2], "ids of back, pain, legs");
        // The next page numbers its words from 0 again; the ids stay.
        let mut again = Unit::default();
        vocabulary.count(&mut again, [&["legs"], &[], &[], &[], &["knees back"]]);
        assert_eq!(
            again.terms,
            [
                (0, [1, 0, 0, 0, 0]),
                (1, [0, 0, 0, 0, 1]),
                (2, [0, 0, 0, 0, 1])
            ]
        );
        assert_eq!(vocabulary.end_page(), [2, 3, 0], "ids of legs, knees, back");
        let words = vocabulary.into_words();
        assert_eq!(
            words.iter().collect::<Vec<_>>(),
            ["back", "pain", "legs", "knees"]
        );
    }

    #[test]
    fn long_words_sharing_a_hash_are_told_apart() {
        let mut vocabulary = Vocabulary::default();
        let long = |v: &mut Vocabulary, word: &str, hash: u64| {
            v.known.intern_long(&mut v.words, word, hash).id
        };
        assert_eq!(long(&mut vocabulary, "backaches", 7), 0);
        assert_eq!(
            long(&mut vocabulary, "hamstrings", 7),
            1,
            "same hash, other word"
        );
        assert_eq!(long(&mut vocabulary, "hamstrings", 7), 1);
        assert_eq!(long(&mut vocabulary, "backaches", 7), 0);
        let themselves = word_hash("themselves");
        assert_eq!(vocabulary.intern("themselves"), None, "a long stopword");
        assert!(
            long(&mut vocabulary, "stretching", themselves) < FIRST_STOPWORD,
            "a stopword's hash"
        );
        assert_eq!(vocabulary.intern("themselves"), None);
        vocabulary.end_page();
        assert_eq!(vocabulary.intern("themselves"), None, "known on every page");
        assert_eq!(long(&mut vocabulary, "stretching", themselves), 2);
        let words = vocabulary.into_words();
        assert_eq!(
            words.iter().collect::<Vec<_>>(),
            ["backaches", "hamstrings", "stretching"]
        );
    }

    #[test]
    fn short_words_are_their_own_keys() {
        assert_eq!(short_key("ab"), Some(0x6261));
        assert_ne!(short_key("ab"), short_key("ba"));
        assert_ne!(short_key("a"), short_key("a\u{1}"));
        assert!(short_key("abcdefgh").is_some());
        assert_eq!(short_key("abcdefghi"), None);
        let mut vocabulary = Vocabulary::default();
        assert_eq!(vocabulary.intern("the"), None, "a short stopword");
        assert_eq!(vocabulary.intern("knee"), Some(0));
        assert_eq!(vocabulary.intern("knees"), Some(1));
        assert_eq!(vocabulary.intern("knee"), Some(0));
        assert_eq!(vocabulary.intern("ischiás"), Some(2), "bytes, not letters");
        assert_eq!(vocabulary.intern("ischiás"), Some(2));
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
