//! Search: a prebuilt, sharded index that a small script in the browser
//! queries, so readers find pages in their own words.
//!
//! Like the rest of the pipeline it is one stage per noun:
//!
//! 1. [`analyzer`]: text → folded words → Snowball English stems. The
//!    browser engine (`themes/default/static/search.js`) repeats it exactly;
//!    a shared test-vector file keeps the two in step.
//! 2. [`collect`]: the assembled [`Site`] → one [`collect::Document`] per
//!    page, one unit per heading section, from the rendered documents' table
//!    of contents and text blocks (nothing is parsed again).
//! 3. [`index`]: documents → BM25F-scored postings per word (fields: title,
//!    also called, headings, summary, body; condition pages boosted) and
//!    synonyms (each page's `also_called` → its name, plus `[search.synonyms]`).
//! 4. [`shards`]: the index → `search/manifest.json`, content-hashed term
//!    shards and page fragments, and the [`typos`] lists (words only, by
//!    beginning and by ending), written through the [`OutputSink`].
//!
//! The browser does the rest at query time: exact, stemmed, synonym, prefix
//! and typo matches, ranked in that order, pages with every word first, and
//! at most three sections per page.

pub mod analyzer;
pub mod collect;
pub mod index;
pub mod shards;
pub mod typos;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::output::OutputSink;
use crate::site::Site;

/// A fast, deterministic hasher for interning words (FxHash's mixing).
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    // A multiplication carries bits only upwards, and hash tables pick a
    // slot by the low bits: rotated, those depend on every byte of the key,
    // not only on its first (as rustc-hash 2 does).
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(buf));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(u64::from_le_bytes(i.to_ne_bytes()));
    }
}

impl FastHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

pub(crate) type FastMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
pub(crate) type FastSet<K> =
    std::collections::HashSet<K, std::hash::BuildHasherDefault<FastHasher>>;

/// `items` grouped by their `keys` (each below `groups`, one per item), in
/// their order within each group: a counting sort, in one list. Returns
/// the list and where each group starts in it, plus its end.
pub(crate) fn group_in_order<T: Copy + Default>(
    keys: impl Iterator<Item = usize> + Clone,
    items: impl Iterator<Item = T>,
    groups: usize,
) -> (Vec<T>, Vec<usize>) {
    let mut starts = vec![0; groups + 1];
    for key in keys.clone() {
        starts[key + 1] += 1;
    }
    for g in 1..starts.len() {
        starts[g] += starts[g - 1];
    }
    let mut next = starts.clone();
    let mut grouped = vec![T::default(); starts[groups]];
    for (key, item) in keys.zip(items) {
        grouped[next[key]] = item;
        next[key] += 1;
    }
    (grouped, starts)
}

/// A fixed pseudo-random sequence (xorshift) for tests, so that failures
/// repeat: each call gives a number below its argument.
#[cfg(test)]
pub(crate) fn test_sequence() -> impl FnMut(usize) -> usize {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}

/// Where the search page and the index live, under the output root.
pub const SEARCH_PATH: &str = "search/";

/// Builds the index of `site` and writes it into `sink` (nothing when
/// `[search] enable = false`); returns the files that could not be written.
pub fn write_index(site: &Site, sink: &dyn OutputSink) -> Vec<Diagnostic> {
    if !site.config.search.enable {
        return Vec::new();
    }
    files(site)
        .par_iter()
        .filter_map(|(path, bytes)| {
            sink.write(path, bytes).err().map(|e| {
                Diagnostic::file_error(path, format!("cannot write the search index: {e}"))
            })
        })
        .collect()
}

/// Every file of the site's search index.
pub fn files(site: &Site) -> Vec<shards::File> {
    let (index, documents) = index::build(collect::collect(site), &site.config.search);
    shards::files(&index, &documents)
}
