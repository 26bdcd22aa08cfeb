//! Sentence, word, syllable and polysyllable counts of one piece of text: a
//! faithful port of the npm package `text-readability` 1.1.1 (`sentenceCount`,
//! `lexiconCount`, `syllableCount`, `polySyllableCount`), whose syllables come
//! from [`super::syllable`].
//!
//! Its rules, kept as they are so the counts match the reference:
//!
//! - punctuation is ASCII punctuation plus U+2000–U+206F (curly quotes,
//!   dashes, ellipsis) and U+2E00–U+2E7F; it is removed before counting, so
//!   `low-back` is one word;
//! - words are split on spaces, commas and line breaks only;
//! - a sentence ends at `.`, `?` or `!` (and closing quotes or brackets)
//!   followed by a space and a capital A–Z; sentences of two words or fewer
//!   are not counted, and every text has at least one sentence;
//! - a polysyllable is a word of three syllables or more.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::AddAssign;
use std::sync::LazyLock;

use fancy_regex::Regex;

use super::syllable;

/// What the readability formulas are computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub sentences: u64,
    pub words: u64,
    pub syllables: i64,
    pub polysyllables: u64,
    /// Sentences of more than 25 words (by the same sentence split and word count).
    pub long_sentences: u64,
}

/// Sentences longer than this many words are "long".
pub const LONG_SENTENCE_WORDS: u64 = 25;

impl Counts {
    /// The counts of one text, as text-readability counts them.
    pub fn of(text: &str) -> Counts {
        Counts {
            sentences: sentence_count(text),
            words: lexicon_count(text),
            syllables: syllable_count(text),
            polysyllables: poly_syllable_count(text),
            long_sentences: sentences(text)
                .filter(|s| lexicon_count(s) > LONG_SENTENCE_WORDS)
                .count() as u64,
        }
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.sentences += other.sentences;
        self.words += other.words;
        self.syllables += other.syllables;
        self.polysyllables += other.polysyllables;
        self.long_sentences += other.long_sentences;
    }
}

/// text-readability's `punctuationRE`.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || ('\u{2000}'..='\u{206F}').contains(&c)
        || ('\u{2E00}'..='\u{2E7F}').contains(&c)
}

fn remove_punctuation(text: &str) -> String {
    text.chars().filter(|&c| !is_punctuation(c)).collect()
}

/// `text.split(/,| |\n|\r/g).filter(n => n)`.
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ' ', '\n', '\r']).filter(|w| !w.is_empty())
}

/// `lexiconCount`: the words, punctuation removed. The reference removes
/// punctuation (commas included) and then splits on commas, spaces and line
/// breaks; counting the space-separated pieces that hold anything but
/// punctuation is the same count without building the stripped text.
pub fn lexicon_count(text: &str) -> u64 {
    text.split([' ', '\n', '\r'])
        .filter(|piece| piece.chars().any(|c| !is_punctuation(c)))
        .count() as u64
}

static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#" *[.?!]['")\]]*[ |\n](?=[A-Z])"#).expect("a constant expression compiles")
});

/// `text.split(/ *[.?!]['")\]]*[ |\n](?=[A-Z])/g)`.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut pieces = Vec::new();
    let mut last = 0;
    for m in SENTENCE_END.find_iter(text).filter_map(Result::ok) {
        pieces.push(&text[last..m.start()]);
        last = m.end();
    }
    pieces.push(&text[last..]);
    pieces.into_iter()
}

/// `sentenceCount`: sentences of three words or more, at least one.
pub fn sentence_count(text: &str) -> u64 {
    let valid = sentences(text).filter(|s| lexicon_count(s) > 2).count() as u64;
    valid.max(1)
}

/// `syllableCount`: lowercased, punctuation removed, then `syllable()`.
pub fn syllable_count(text: &str) -> i64 {
    let text = remove_punctuation(&text.to_lowercase());
    if text.is_empty() {
        return 0;
    }
    syllable::count(&text)
}

thread_local! {
    /// Words already judged: a site repeats its vocabulary on every page, and
    /// counting one word allocates several strings.
    static POLYSYLLABIC: RefCell<HashMap<String, bool>> = RefCell::new(HashMap::new());
}

/// `polySyllableCount`: words (punctuation kept) of three syllables or more.
pub fn poly_syllable_count(text: &str) -> u64 {
    split_words(text)
        .filter(|word| is_polysyllabic(word))
        .count() as u64
}

fn is_polysyllabic(word: &str) -> bool {
    if let Some(known) = POLYSYLLABIC.with_borrow(|seen| seen.get(word).copied()) {
        return known;
    }
    let answer = syllable_count(word) >= 3;
    POLYSYLLABIC.with_borrow_mut(|seen| {
        // A long-running `serve` sees new words forever; keep the memory bounded.
        if seen.len() >= 100_000 {
            seen.clear();
        }
        seen.insert(word.to_string(), answer)
    });
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_short_passage() {
        let c = Counts::of(
            "Rest for a day or two. Then walk a little more each day. Stop if the pain gets worse!",
        );
        assert_eq!(
            (c.sentences, c.words, c.syllables, c.polysyllables),
            (3, 19, 20, 0)
        );
    }

    #[test]
    fn short_sentences_are_not_counted_but_a_text_has_one() {
        assert_eq!(sentence_count("Symptoms"), 1);
        assert_eq!(sentence_count("Stop. Call an ambulance now."), 1);
        assert_eq!(sentence_count("Call an ambulance. Do it now."), 2);
    }

    #[test]
    fn punctuation_joins_hyphenated_words() {
        assert_eq!(lexicon_count("A low-back, well-known plan…"), 4);
    }
}
