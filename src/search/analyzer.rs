//! Text → words → stems, exactly as the browser engine does it.
//!
//! The JavaScript engine in `themes/default/static/search.js` repeats every
//! step below; `tests/search/vectors.jsonl` (checked by a Rust and a JS test)
//! holds thousands of cases so that the two cannot drift apart.
//!
//! 1. Lowercase (Unicode), decompose (NFD) and drop combining marks, so
//!    `Pilates`, `pilatès` and `PILATES` are one word.
//! 2. Split into words: runs of alphabetic or numeric characters. An
//!    apostrophe between two such characters is dropped (`runner's` →
//!    `runners`, `don’t` → `dont`); every other character separates words.
//!    Words longer than [`MAX_WORD_CHARS`] are ignored.
//! 3. Drop [`STOPWORDS`].
//! 4. Stem words made only of ASCII letters with the Snowball English
//!    (Porter2) stemmer; other words (numbers, `l5`, non-Latin scripts) are
//!    their own stem.

use std::hash::Hasher;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use super::{FastHasher, FastSet};
use unicode_normalization::char::is_combining_mark;

/// Longer "words" are ignored: they are URLs, hashes or accidents.
pub const MAX_WORD_CHARS: usize = 40;

/// Words too common to help find a page. Sorted, for binary search; the JS
/// engine has the same list.
pub const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Lowercases and folds diacritics: `Pilatès` → `pilates`.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Every word of `text`, folded, stopwords included, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |w| out.push(w.to_string()));
    out
}

/// Calls `f` with every word of `text`, folded, stopwords included.
pub fn for_each_word(text: &str, f: impl FnMut(&str)) {
    for_each_word_in(text, &mut String::new(), f);
}

/// [`for_each_word`], folding the words that must be copied in `buffer`:
/// a caller that reads many texts saves an allocation per text.
pub fn for_each_word_in(text: &str, buffer: &mut String, f: impl FnMut(&str)) {
    if text.is_ascii() {
        for_each_ascii_word(text, buffer, f);
    } else {
        for_each_unicode_word(text, buffer, f);
    }
}

/// A folded word's hash for interning.
pub fn word_hash(word: &str) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(word.as_bytes());
    hasher.finish()
}

/// [`for_each_word`] for text that is not all ASCII.
fn for_each_unicode_word(text: &str, word: &mut String, mut f: impl FnMut(&str)) {
    word.clear();
    let mut len = 0usize;
    let mut emit = |word: &mut String, len: &mut usize| {
        if !word.is_empty() && *len <= MAX_WORD_CHARS {
            f(word);
        }
        word.clear();
        *len = 0;
    };
    if text.chars().all(|c| c.is_ascii() || is_plain(c)) {
        // The common case (ASCII, perhaps with typographic punctuation),
        // and the same result: nothing in it has a case or marks to fold.
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_ascii_alphanumeric() {
                word.push(c.to_ascii_lowercase());
                len += 1;
            } else if is_apostrophe(c)
                && !word.is_empty()
                && chars.peek().is_some_and(|n| n.is_ascii_alphanumeric())
            {
                // Joined: `runner's` → `runners`.
            } else {
                emit(word, &mut len);
            }
        }
        emit(word, &mut len);
        return;
    }
    let folded = fold(text);
    let chars: Vec<char> = folded.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if is_word_char(c) {
            word.push(c);
            len += 1;
        } else if is_apostrophe(c)
            && !word.is_empty()
            && chars.get(i + 1).is_some_and(|&n| is_word_char(n))
        {
            // Joined: `runner's` → `runners`.
        } else {
            emit(word, &mut len);
        }
    }
    emit(word, &mut len);
}

/// Each ASCII byte's folded form if it is a word character (a letter,
/// lowercased, or a digit), else 0: one lookup both classifies and folds.
static ASCII_FOLDED: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            table[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// [`for_each_word`] for ASCII text, byte by byte: most text is ASCII, and
/// this was the slowest part of collecting a big site's words. A word that
/// is already lowercase and has no apostrophe is passed as a slice of
/// `text`, without copying.
fn for_each_ascii_word(text: &str, buffer: &mut String, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if ASCII_FOLDED[usize::from(b)] == 0 {
            at += 1;
            continue;
        }
        let word = AsciiWord::read(bytes, at);
        let raw = &text[at..word.end];
        at = word.end;
        let folded = if word.copy {
            buffer.clear();
            buffer.extend(
                raw.bytes()
                    .filter(|&b| b != b'\'')
                    .map(|b| char::from(ASCII_FOLDED[usize::from(b)])),
            );
            buffer.as_str()
        } else {
            raw
        };
        if folded.len() <= MAX_WORD_CHARS {
            f(folded);
        }
    }
}

/// One word of ASCII text, as [`for_each_ascii_word`] reads it.
struct AsciiWord {
    /// Where it ends in the text.
    end: usize,
    /// Whether the folded word differs from the text (uppercase letters or
    /// joined apostrophes), so must be copied.
    copy: bool,
}

impl AsciiWord {
    /// The word starting at `start`, which must be a word character. The
    /// inner loop is all most bytes see, so it does no more than it must.
    fn read(bytes: &[u8], start: usize) -> AsciiWord {
        // Any bit set where a byte differs from its folded form.
        let mut changed = 0u8;
        let mut end = start;
        loop {
            end += bytes[end..]
                .iter()
                .take_while(|&&b| {
                    let folded = ASCII_FOLDED[usize::from(b)];
                    if folded == 0 {
                        return false;
                    }
                    changed |= folded ^ b;
                    true
                })
                .count();
            let joined = bytes.get(end) == Some(&b'\'')
                && bytes
                    .get(end + 1)
                    .is_some_and(|&n| ASCII_FOLDED[usize::from(n)] != 0);
            if !joined {
                break;
            }
            // Joined: `runner's` → `runners`.
            changed = 1;
            end += 1;
        }
        AsciiWord {
            end,
            copy: changed != 0,
        }
    }
}

/// A character outside ASCII that can only separate words and that folding
/// leaves alone: punctuation such as `“`, `’` or `–`.
fn is_plain(c: char) -> bool {
    let mut decomposed = 0;
    unicode_normalization::char::decompose_canonical(c, |d| decomposed += usize::from(d != c) + 1);
    !c.is_alphanumeric() && !is_combining_mark(c) && decomposed == 1 && c.to_lowercase().eq([c])
}

/// Whether a folded word is a stopword.
pub fn is_stopword(word: &str) -> bool {
    static SET: LazyLock<FastSet<&str>> = LazyLock::new(|| STOPWORDS.iter().copied().collect());
    // Every stopword has at most 10 letters; most words are rejected here.
    word.len() <= 10 && SET.contains(word)
}

/// The stem of a folded word (itself unless it is all ASCII letters).
pub fn stem(word: &str) -> String {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()) {
        ENGLISH.stem(word).into_owned()
    } else {
        word.to_string()
    }
}

/// The words of `text` that are indexed: folded, without stopwords.
pub fn index_words(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| !is_stopword(w))
        .collect()
}

/// Whether a word may match with typos: not a number or code like `l5`.
pub fn typo_tolerant(word: &str) -> bool {
    !word.chars().any(|c| c.is_numeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_and_unique() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOPWORDS.iter().all(|w| w.len() <= 10));
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Pilatès ÉCOLE naïve"), "pilates ecole naive");
        assert_eq!(index_words("Crème brûlée"), ["creme", "brulee"]);
    }

    #[test]
    fn splits_words_and_joins_apostrophes() {
        assert_eq!(
            words("The runner's L5-S1 disc — don’t 'quote' it!"),
            ["the", "runners", "l5", "s1", "disc", "dont", "quote", "it"]
        );
        assert_eq!(index_words("pain down my leg"), ["pain", "leg"]);
    }

    #[test]
    fn plain_characters_fold_to_themselves_and_separate_words() {
        for c in (0x80u32..0x3_0000)
            .filter_map(char::from_u32)
            .filter(|&c| is_plain(c))
        {
            let s = c.to_string();
            assert_eq!(fold(&s), s, "{c:?} U+{:04X}", c as u32);
            let text = format!("Ab{c}cD");
            let mut fast = Vec::new();
            for_each_word(&text, |w| fast.push(w.to_string()));
            let slow = words(&format!("{text} é"));
            assert_eq!(fast, slow[..slow.len() - 1], "{c:?} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn ascii_text_splits_as_any_other() {
        let long = "x".repeat(MAX_WORD_CHARS);
        let texts = [
            "The runner's L5-S1 disc, 'quoted' words' end ABC'd x' don't".to_string(),
            "'start end' '' a''b DON'T Runner's ''".to_string(),
            format!("{long} {long}y {long}'s {}", long.to_uppercase()),
            "2024 l5 L5 3rd 1,000 x1y2 A".to_string(),
            "Pilatès “quoted” naïve ÉCOLE don’t Ångström 日本語 ß".to_string(),
            "  ".to_string(),
            String::new(),
        ];
        for text in &texts {
            let mut fast = Vec::new();
            for_each_word(text, |w| fast.push(w.to_string()));
            // With a non-ASCII word at the end, every text takes the general path.
            let slow = words(&format!("{text} é"));
            assert_eq!(fast, slow[..slow.len() - 1], "{text}");
        }
    }

    #[test]
    fn long_tokens_are_ignored() {
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(words(&format!("a {long} b")), ["a", "b"]);
    }

    #[test]
    fn stems_english_words_only() {
        assert_eq!(stem("running"), "run");
        assert_eq!(stem("herniated"), "herniat");
        assert_eq!(stem("stretches"), "stretch");
        assert_eq!(stem("generously"), "generous");
        assert_eq!(stem("l5"), "l5");
        assert_eq!(stem("2024"), "2024");
        assert_eq!(stem("ischiás"), "ischiás");
    }

    #[test]
    fn numbers_get_no_typos() {
        assert!(typo_tolerant("sciatica"));
        assert!(!typo_tolerant("l5"));
        assert!(!typo_tolerant("2024"));
    }
}
