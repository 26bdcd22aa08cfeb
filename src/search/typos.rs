//! Typo lists: the words a typo can be meant for, without their postings,
//! sorted three ways and cut into small files, so that the browser can find
//! a word whatever letters the reader got wrong.
//!
//! Term shards are cut by word range, so a word typed with a wrong first
//! letter (`ciatica`, `dtenosis`) points the browser at the wrong shards.
//! One edit leaves either the first half of a word or the rest after its
//! middle letter intact, so for a typed word of 5–8 letters the browser
//! looks its first half up in the *heads* (words in dictionary order) and
//! the rest in the *tails* (words sorted by their reversed spelling),
//! measures the edit distance to each word there, and only then fetches the
//! shards of the few that are close.
//!
//! From [`TWO_EDIT_CHARS`] letters two edits are allowed, and they may spoil
//! both halves (`pondylolisthesys`). Cut into thirds instead, the typed word
//! keeps at least one of them intact: its first third is looked up in the
//! heads, its last third in the tails, and its middle third in the
//! *middles*. Those hold each word of 7+ letters rotated to begin where a
//! typed word's middle third may begin in it: the edit in the first third
//! shifted the rest by a letter either way or not at all, the one in the
//! last third made the typed word a letter longer, shorter or neither, so
//! that is at one of three places (see `middle_offsets`). A rotation
//! `w[p..] + ' ' + w[..p]` sorts by the part looked up, and the browser
//! recovers the word from it.
//! The known gap: a transposition across the border of two thirds is one
//! edit but spoils both, so with another edit in the remaining third
//! nothing is left intact (`sarcoiliak`: `rc` straddles the first border).
//!
//! The browser fetches at most two files a key. A short key (three letters
//! for typed words of 9–11) can span more on a large site (`-ing`, `-ion`
//! in the tails); it then takes the two around where the typed word itself
//! would be, as the word meant most likely shares more than the key with it.
//!
//! A list file is the front-coded words of its range (see
//! [`front_code`]); tails hold the reversed words, middles the rotations.

use rayon::prelude::*;

use super::analyzer::typo_tolerant;
use super::shards::{FrontCoder, cut_by_size, front_code};

/// The size a list file is cut at (raw; about a third of that gzipped).
pub const LIST_BYTES: usize = 8 * 1024;
/// Shorter words are in no list: the shortest word a typo is looked for
/// has five letters, and one edit away from it are words of four.
pub const MIN_CHARS: usize = 4;
/// The fewest letters a typed word needs to be allowed two edits (as
/// `maxEdits` in search.js says).
pub const TWO_EDIT_CHARS: usize = 9;
/// Between the two parts of a rotation in the middles. No word holds a
/// space (it ends words), and a space sorts before every letter and digit,
/// so rotations sort by the part after the rotation point first, in Rust
/// (bytes) and in the browser (UTF-16) alike.
pub const MIDDLE_SEPARATOR: char = ' ';

/// One list file: the first word (reversed for tails, rotated for middles)
/// and its contents.
pub type List = (String, Vec<u8>);

/// The typo lists of a dictionary.
pub struct Lists {
    /// Words in dictionary order.
    pub heads: Vec<List>,
    /// Words rotated at each place a typed word's middle third may start.
    pub middles: Vec<List>,
    /// Reversed words.
    pub tails: Vec<List>,
}

/// The typo lists of `words` (the dictionary, sorted).
pub fn lists(words: &[String]) -> Lists {
    let words: Vec<&str> = words
        .par_iter()
        .filter(|w| typo_tolerant(w) && w.chars().count() >= MIN_CHARS)
        .map(String::as_str)
        .collect();
    let ((heads, tails), middles) = rayon::join(
        || rayon::join(|| cut(&words), || cut(&reversed(&words))),
        || middles(&words),
    );
    Lists {
        heads,
        middles,
        tails,
    }
}

/// The words spelled backwards, sorted.
fn reversed(words: &[&str]) -> Vec<String> {
    let mut tails: Vec<String> = words
        .par_iter()
        .map(|w| w.chars().rev().collect())
        .collect();
    tails.par_sort_unstable();
    tails
}

/// Cuts sorted keys into files of about [`LIST_BYTES`].
fn cut<S: AsRef<str> + Sync>(keys: &[S]) -> Vec<List> {
    let sizes = keys.iter().map(|key| key.as_ref().len() + 1);
    cut_by_size(sizes, LIST_BYTES)
        .into_par_iter()
        .map(|(start, end)| {
            let range = &keys[start..end];
            let first = range[0].as_ref().to_string();
            (first, front_code(range).into_bytes())
        })
        .collect()
}

/// The middles: every word's rotations, sorted and cut into files of about
/// [`LIST_BYTES`].
fn middles(words: &[&str]) -> Vec<List> {
    let mut rotations: Vec<Rotation> = Vec::with_capacity(words.len() * 3);
    for word in words {
        rotations.extend(rotations_of(word).map(Rotation::new));
    }
    rotations.par_sort_unstable();
    let sizes = rotations.iter().map(|r| r.after.len() + r.before.len() + 2);
    cut_by_size(sizes, LIST_BYTES)
        .into_par_iter()
        .map(|(start, end)| middles_file(&rotations[start..end]))
        .collect()
}

/// A word rotated: the part from the rotation point on and the part
/// before, pointing into the word (no string per rotation). Rotations sort
/// as their keys `after + ' ' + before` do (see [`MIDDLE_SEPARATOR`]), and
/// mostly by the first eight bytes of the key alone, kept as a number.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Rotation<'a> {
    prefix: u64,
    after: &'a str,
    before: &'a str,
}

impl<'a> Rotation<'a> {
    fn new((after, before): (&'a str, &'a str)) -> Self {
        // Zeros after a short key sort it before any key it begins.
        let mut first = [0u8; 8];
        let key = after
            .bytes()
            .chain([MIDDLE_SEPARATOR as u8])
            .chain(before.bytes());
        for (slot, byte) in first.iter_mut().zip(key) {
            *slot = byte;
        }
        Rotation {
            prefix: u64::from_be_bytes(first),
            after,
            before,
        }
    }

    /// Writes the rotation's key into `key`.
    fn write(&self, key: &mut String) {
        key.clear();
        key.push_str(self.after);
        key.push(MIDDLE_SEPARATOR);
        key.push_str(self.before);
    }
}

/// One middles file: the rotations front-coded, each written out in one
/// reused buffer.
fn middles_file(rotations: &[Rotation]) -> List {
    let bytes = rotations
        .iter()
        .map(|r| r.after.len() + r.before.len() + 3)
        .sum();
    let mut coder = FrontCoder::with_capacity(bytes);
    let mut key = String::new();
    for rotation in rotations {
        rotation.write(&mut key);
        coder.push(&key);
    }
    let mut first = String::new();
    if let Some(rotation) = rotations.first() {
        rotation.write(&mut first);
    }
    (first, coder.finish().into_bytes())
}

/// `word` rotated at each of its [`middle_offsets`] (in characters): the
/// part from there on, and the part before.
fn rotations_of(word: &str) -> impl Iterator<Item = (&str, &str)> {
    // Most words are ASCII, where characters are bytes.
    let ascii = word.is_ascii();
    let n = if ascii {
        word.len()
    } else {
        word.chars().count()
    };
    middle_offsets(n).map(move |p| {
        let at = if ascii {
            p
        } else {
            word.char_indices().nth(p).map_or(word.len(), |(i, _)| i)
        };
        (&word[at..], &word[..at])
    })
}

/// Where, in a word of `n` characters, the middle third of a typed word
/// begins when that is two edits away from it, one in its first third and
/// one in its last, in increasing order and each once.
///
/// The browser cuts a typed word of `m` letters at `⌊m / 3⌋` and at
/// `m − ⌊m / 3⌋`. An edit in the first third makes the word's middle begin
/// `a` letters later than the typed word's (`a` = −1, 0 or 1), one in the
/// last third makes the word `c` letters longer after it, so that
/// `m = n − a − c`: the middle begins at `⌊m / 3⌋ + a`, for any such `a`
/// and `c` with `m` of [`TWO_EDIT_CHARS`] or more. So words of under 7
/// letters have none, those of 7 and 8 one and two, longer ones three.
fn middle_offsets(n: usize) -> impl Iterator<Item = usize> {
    const SHIFTS: [isize; 3] = [-1, 0, 1];
    let n = n as isize;
    let begins_at = move |p: isize| {
        SHIFTS.iter().any(|&a| {
            SHIFTS.iter().any(|&c| {
                let m = n - a - c;
                m >= TWO_EDIT_CHARS as isize && m / 3 + a == p
            })
        })
    };
    // ⌊m / 3⌋ is within one of ⌊n / 3⌋, and a adds at most one more.
    (n / 3 - 2..=n / 3 + 2)
        .filter(move |&p| begins_at(p))
        .map(|p| p as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::words;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    /// A list file's lines, front coding undone.
    fn unfront(bytes: &[u8]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in String::from_utf8_lossy(bytes).split('\n') {
            let mut chars = line.chars();
            let shared = chars.next().map_or(0, |c| c as usize - '0' as usize);
            let previous = out.last().map_or("", String::as_str);
            let mut word: String = previous.chars().take(shared).collect();
            word.extend(chars);
            out.push(word);
        }
        out
    }

    fn keys(lists: &[List]) -> Vec<String> {
        lists.iter().flat_map(|(_, bytes)| unfront(bytes)).collect()
    }

    #[test]
    fn heads_and_tails_hold_typo_tolerant_words_both_ways() {
        let words = strings(&["back", "l5s1", "leg", "sciatica", "stenosis"]);
        let Lists { heads, tails, .. } = lists(&words);
        assert_eq!(
            heads,
            [("back".to_string(), b"0back\n0sciatica\n1tenosis".to_vec())]
        );
        // Reversed: kcab, acitaics, sisonets.
        assert_eq!(
            tails,
            [(
                "acitaics".to_string(),
                b"0acitaics\n0kcab\n0sisonets".to_vec()
            )]
        );
    }

    #[test]
    fn lists_are_cut_by_size_and_cover_every_word() {
        // Letters only: words with digits get no typos.
        let letter = |i: usize| char::from(b'a' + (i % 26) as u8);
        let words: Vec<String> = (0..5000)
            .map(|i| format!("word{}{}{}", letter(i / 676), letter(i / 26), letter(i)))
            .collect();
        let Lists { heads, middles, .. } = lists(&words);
        for list in [&heads, &middles] {
            assert!(list.len() > 1);
            assert!(list.iter().all(|(_, b)| b.len() <= LIST_BYTES));
            assert!(list.windows(2).all(|w| w[0].0 < w[1].0));
        }
        assert_eq!(keys(&heads), words);
        // Seven letters: rotated at 2 only.
        assert_eq!(keys(&middles).len(), words.len());
        assert_eq!(middles[0].0, keys(&middles)[0]);
    }

    #[test]
    fn middle_offsets_are_where_a_middle_third_may_begin() {
        let offsets = |n| middle_offsets(n).collect::<Vec<_>>();
        assert_eq!(offsets(6), [0; 0]);
        // Several shifts give the same place; it is listed once.
        assert_eq!(offsets(7), [2]);
        assert_eq!(offsets(8), [2, 3]);
        assert_eq!(offsets(9), [2, 3, 4]);
        assert_eq!(offsets(11), [2, 3, 4]);
        assert_eq!(offsets(12), [3, 4, 5]);
        assert_eq!(offsets(17), [4, 5, 6]);
        assert_eq!(offsets(40), [12, 13, 14]);
    }

    /// The typed word's middle third, cut as search.js cuts it.
    fn middle_third(typed: &[char]) -> String {
        let a = typed.len() / 3;
        typed[a..typed.len() - a].iter().collect()
    }

    /// `word` with one edit at `at`: inserted before it, deleted,
    /// substituted, and transposed with the next letter if there is one.
    fn edits(word: &[char], at: usize) -> Vec<Vec<char>> {
        let mut inserted = word.to_vec();
        inserted.insert(at, 'X');
        let mut deleted = word.to_vec();
        deleted.remove(at);
        let mut substituted = word.to_vec();
        substituted[at] = 'X';
        let mut out = vec![inserted, deleted, substituted];
        if at + 1 < word.len() {
            let mut transposed = word.to_vec();
            transposed.swap(at, at + 1);
            out.push(transposed);
        }
        out
    }

    #[test]
    fn every_middle_third_two_edits_apart_begins_a_rotation() {
        // Edits among the first two letters and among the last two: inside
        // the first and the last third (three letters or more), whatever
        // their kind. Distinct letters, some of two bytes.
        let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyzàéîõü".chars().collect();
        for n in 7..=alphabet.len() {
            let word: String = alphabet[..n].iter().collect();
            let rotated: Vec<&str> = rotations_of(&word).map(|(after, _)| after).collect();
            for front in [0, 1] {
                for once in edits(&alphabet[..n], front) {
                    for back in [once.len() - 1, once.len() - 2] {
                        for typed in edits(&once, back) {
                            if typed.len() < TWO_EDIT_CHARS {
                                continue;
                            }
                            let middle = middle_third(&typed);
                            assert!(
                                rotated.iter().any(|r| r.starts_with(&middle)),
                                "{word} typed {}: {middle} begins none of {rotated:?}",
                                typed.iter().collect::<String>()
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn middles_hold_rotations_sorted_by_their_second_part() {
        let words = strings(&["back", "piriformis", "sciatica"]);
        let Lists { middles, .. } = lists(&words);
        assert_eq!(
            keys(&middles),
            [
                "atica sci",
                "formis piri",
                "iatica sc",
                "iformis pir",
                "riformis pi"
            ]
        );
        assert_eq!(
            middles[0].1,
            b"0atica sci\n0formis piri\n0iatica sc\n1formis pir\n0riformis pi"
        );
        // A rotation whose second part begins another's sorts first, whatever its first part.
        let Lists { middles, .. } = lists(&strings(&["aaabcdef", "zzabcde"]));
        assert_eq!(keys(&middles), ["abcde zz", "abcdef aa", "bcdef aaa"]);
    }

    #[test]
    fn middles_count_characters_not_bytes() {
        let Lists { middles, .. } = lists(&strings(&["ñandúes", "ischémie"]));
        assert_eq!(keys(&middles), ["chémie is", "hémie isc", "ndúes ña"]);
    }

    #[test]
    fn the_separator_is_never_in_a_word_and_sorts_before_them() {
        let text = format!("sciatica{MIDDLE_SEPARATOR}stenosis");
        assert_eq!(words(&text), ["sciatica", "stenosis"]);
        let first_letter_or_digit = ('\0'..=char::MAX).find(|c| c.is_alphanumeric());
        assert!(first_letter_or_digit > Some(MIDDLE_SEPARATOR));
    }
}
