//! Typo lists: the words a typo can be meant for, without their postings,
//! sorted two ways and cut into small files, so that the browser can find a
//! word whatever letters the reader got wrong.
//!
//! Term shards are cut by word range, so a word typed with a wrong first
//! letter (`ciatica`, `dtenosis`) points the browser at the wrong shards.
//! One edit leaves either the first half of a word or the rest after it
//! intact, so the browser looks the word's first half up in the *heads*
//! (words in dictionary order) and its second half in the *tails* (words
//! sorted by their reversed spelling), measures the edit distance to each
//! word there, and only then fetches the shards of the few that are close.
//!
//! A list file is the front-coded words of its range (see
//! [`front_code`]); tails hold the reversed words.

use rayon::prelude::*;

use super::analyzer::typo_tolerant;
use super::shards::{cut_by_size, front_code};

/// The size a list file is cut at (raw; about a third of that gzipped).
pub const LIST_BYTES: usize = 8 * 1024;
/// Shorter words are in no list: the shortest word a typo is looked for
/// has five letters, and one edit away from it are words of four.
pub const MIN_CHARS: usize = 4;

/// One list file: the first word (reversed for tails) and its contents.
pub type List = (String, Vec<u8>);

/// The heads and tails of `words` (the dictionary, sorted).
pub fn lists(words: &[String]) -> (Vec<List>, Vec<List>) {
    let heads: Vec<&str> = words
        .par_iter()
        .filter(|w| typo_tolerant(w) && w.chars().count() >= MIN_CHARS)
        .map(String::as_str)
        .collect();
    let mut tails: Vec<String> = heads
        .par_iter()
        .map(|w| w.chars().rev().collect())
        .collect();
    tails.par_sort_unstable();
    rayon::join(|| cut(&heads), || cut(&tails))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn heads_and_tails_hold_typo_tolerant_words_both_ways() {
        let words = strings(&["back", "l5s1", "leg", "sciatica", "stenosis"]);
        let (heads, tails) = lists(&words);
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
        let (heads, _) = lists(&words);
        assert!(heads.len() > 1);
        assert!(heads.iter().all(|(_, b)| b.len() <= LIST_BYTES));
        let count: usize = heads
            .iter()
            .map(|(_, b)| b.split(|&c| c == b'\n').count())
            .sum();
        assert_eq!(count, words.len());
        assert!(heads.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
