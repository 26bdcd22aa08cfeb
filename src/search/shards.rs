//! Output: the [`Index`] and the documents → the files the browser fetches.
//!
//! ```text
//! search/manifest.json          each shard's first word and file, and the
//!                               document folder; fetched first
//! search/terms-<hash>.bin       a range of words: the words, their postings
//!                               and the synonyms that start with them
//! search/docs-<hash>/<n>.json   pages 2n and 2n + 1: URL, title, kind and
//!                               sections (heading, id, excerpt)
//! search/heads-<hash>.txt       typo lists (see [`super::typos`]): words
//! search/tails-<hash>.txt       only, by beginning and by ending
//! ```
//!
//! Shards are cut by word range at about [`SHARD_BYTES`]; a word whose
//! postings are larger gets a shard of its own. Names carry a hash of the
//! contents, so they can be cached for ever; the page fragments share one
//! folder named by the hash of all of them. The manifest has a fixed name.
//! Everything is a function of the index alone: the same content gives the
//! same bytes.
//!
//! A shard is a sequence of unsigned LEB128 integers and bytes: its words
//! (front-coded, see [`front_code`]); for each of them, in order, a posting
//! list; then its synonyms.
//!
//! ```text
//! shard    := word-count, dictionary-len, dictionary-utf8, { postings }, synonyms
//! postings := count, { page-delta, impact-byte, 2 × sections + named, { unit, impact-byte } }
//! synonyms := count, { phrase-len, phrase-utf8, name-len, name-utf8, postings }
//! ```

use rayon::prelude::*;
use serde::Serialize;

use super::collect::{Document, Unit, kind_label};
use super::index::{Index, varint};
use super::typos;

/// The size a term shard is cut at, or the index's size over
/// [`MAX_SHARDS`] if that is larger.
pub const SHARD_BYTES: usize = 12 * 1024;
/// About how many shards a site gets at most (see [`SHARD_BYTES`]).
pub const MAX_SHARDS: usize = 512;
/// Pages per document-store file.
pub const PAGES_PER_FILE: usize = 2;
/// Bumped when a file format changes.
pub const FORMAT_VERSION: u32 = 2;

/// One output file: path under the output root and contents.
pub type File = (String, Vec<u8>);

/// A 64-bit FNV-1a hash, as 16 hex digits: stable, and enough to tell versions apart.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn encode_synonyms(index: &Index, i: usize) -> Vec<u8> {
    let mut synonyms = Vec::new();
    for s in &index.synonyms[i] {
        for text in [&s.phrase, &s.canonical] {
            varint(&mut synonyms, text.len() as u64);
            synonyms.extend_from_slice(text.as_bytes());
        }
        synonyms.extend_from_slice(&s.postings);
    }
    synonyms
}

/// Cuts the dictionary into shards: (first word index, file bytes).
pub fn shard(index: &Index, target: usize) -> Vec<(usize, Vec<u8>)> {
    let mut shards = Vec::new();
    let mut start = 0;
    let mut postings = Vec::new();
    let mut synonyms = Vec::new();
    let mut synonym_count = 0u64;
    let finish =
        |words: &[String], postings: &mut Vec<u8>, synonyms: &mut Vec<u8>, count: &mut u64| {
            let dictionary = front_code(words);
            let mut bytes =
                Vec::with_capacity(dictionary.len() + postings.len() + synonyms.len() + 8);
            varint(&mut bytes, words.len() as u64);
            varint(&mut bytes, dictionary.len() as u64);
            bytes.extend_from_slice(dictionary.as_bytes());
            bytes.append(postings);
            varint(&mut bytes, *count);
            bytes.append(synonyms);
            *count = 0;
            bytes
        };
    for i in 0..index.words.len() {
        let (p, s) = (&index.postings[i], encode_synonyms(index, i));
        let size = postings.len() + synonyms.len();
        if i > start && size + p.len() + s.len() > target {
            shards.push((
                start,
                finish(
                    &index.words[start..i],
                    &mut postings,
                    &mut synonyms,
                    &mut synonym_count,
                ),
            ));
            start = i;
        }
        postings.extend_from_slice(p);
        synonyms.extend_from_slice(&s);
        synonym_count += index.synonyms[i].len() as u64;
    }
    if !index.words.is_empty() {
        shards.push((
            start,
            finish(
                &index.words[start..],
                &mut postings,
                &mut synonyms,
                &mut synonym_count,
            ),
        ));
    }
    shards
}

/// The dictionary as one string: each word is a character giving how many
/// leading characters it shares with the previous word (`'0'` + n), then the
/// rest of the word; words are separated by newlines.
pub fn front_code(words: &[String]) -> String {
    let mut out = String::new();
    let mut previous: Vec<char> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let chars: Vec<char> = word.chars().collect();
        let shared = previous
            .iter()
            .zip(&chars)
            .take_while(|(a, b)| a == b)
            .count()
            .min(60);
        if i > 0 {
            out.push('\n');
        }
        out.push(char::from(b'0' + shared as u8));
        out.extend(&chars[shared..]);
        previous = chars;
    }
    out
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    pages: usize,
    /// Folder of the page fragments, relative to `search/`: page `p` is item
    /// `p % group` of `<p / group>.json`.
    docs: String,
    group: usize,
    /// (the shard's first word, file name relative to `search/`), in
    /// dictionary order.
    shards: Vec<(&'a str, &'a str)>,
    /// The typo lists: (first word, file), words in dictionary order…
    heads: Vec<(String, String)>,
    /// …and (first reversed word, file), words by their reversed spelling.
    tails: Vec<(String, String)>,
}

/// One page as the result list shows it.
#[derive(Serialize)]
struct Fragment<'a> {
    /// URL
    u: &'a str,
    /// title
    t: &'a str,
    /// kind label
    k: &'static str,
    /// other names
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    a: &'a [String],
    /// sections: (heading, id, excerpt)
    s: Vec<(&'a str, &'a str, &'a str)>,
}

fn fragment(doc: &Document) -> Vec<u8> {
    let sections = doc
        .units
        .iter()
        .map(|u: &Unit| (u.heading.as_str(), u.id.as_str(), u.excerpt.as_str()))
        .collect();
    serde_json::to_vec(&Fragment {
        u: &doc.url,
        t: &doc.title,
        k: kind_label(doc.kind),
        a: &doc.also_called,
        s: sections,
    })
    .unwrap_or_default()
}

/// Every file of the search index, manifest last.
pub fn files(index: &Index, documents: &[Document]) -> Vec<File> {
    let mut files = Vec::new();
    // Pages go in groups of PAGES_PER_FILE: a file per page would add as
    // many files to a build as it has pages.
    let groups: Vec<Vec<u8>> = documents
        .par_chunks(PAGES_PER_FILE)
        .map(|group| {
            let mut bytes = b"[".to_vec();
            for (i, doc) in group.iter().enumerate() {
                if i > 0 {
                    bytes.push(b',');
                }
                bytes.extend(fragment(doc));
            }
            bytes.push(b']');
            bytes
        })
        .collect();
    let hashes: Vec<String> = groups.par_iter().map(|g| content_hash(g)).collect();
    let all = hashes.concat();
    let docs = format!("docs-{}/", &content_hash(all.as_bytes())[..12]);
    for (i, g) in groups.into_iter().enumerate() {
        files.push((format!("search/{docs}{i}.json"), g));
    }
    let mut names = Vec::new();
    // Bigger shards for bigger sites, so that the manifest stays small.
    let total = index.pairs * 5;
    let target = SHARD_BYTES.max(total / MAX_SHARDS);
    for (first, bytes) in shard(index, target) {
        let name = format!("terms-{}.bin", &content_hash(&bytes)[..12]);
        names.push((first, name.clone()));
        files.push((format!("search/{name}"), bytes));
    }
    let (heads, tails) = typos::lists(&index.words);
    let mut list_files = |kind: &str, lists: Vec<typos::List>| -> Vec<(String, String)> {
        lists
            .into_iter()
            .map(|(first, bytes)| {
                let name = format!("{kind}-{}.txt", &content_hash(&bytes)[..12]);
                files.push((format!("search/{name}"), bytes));
                (first, name)
            })
            .collect()
    };
    let heads = list_files("heads", heads);
    let tails = list_files("tails", tails);
    let manifest = Manifest {
        version: FORMAT_VERSION,
        pages: documents.len(),
        docs,
        group: PAGES_PER_FILE,
        shards: names
            .iter()
            .map(|(i, n)| (index.words[*i].as_str(), n.as_str()))
            .collect(),
        heads,
        tails,
    };
    files.push((
        "search/manifest.json".to_string(),
        serde_json::to_vec(&manifest).unwrap_or_default(),
    ));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::{Posting, Synonym, decode_postings, encode_postings};

    fn posting(page: u32) -> Posting {
        Posting {
            page,
            impact: 200,
            named: page == 5,
            sections: [(0, 200), (3, 10), (0, 0)],
            section_count: 2,
        }
    }

    fn encoded(postings: &[Posting]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_postings(&mut out, postings);
        out
    }

    fn index(words: usize, pages: u32) -> Index {
        let list: Vec<Posting> = (0..pages).map(posting).collect();
        Index {
            words: (0..words).map(|i| format!("w{i:04}")).collect(),
            postings: (0..words).map(|_| encoded(&list)).collect(),
            pairs: words * pages as usize,
            synonyms: (0..words)
                .map(|i| {
                    if i == 1 {
                        vec![Synonym {
                            phrase: "w0001 x".into(),
                            canonical: "X".into(),
                            postings: encoded(&[posting(7)]),
                        }]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn varints_are_leb128() {
        let mut out = Vec::new();
        for v in [0, 127, 128, 300] {
            varint(&mut out, v);
        }
        assert_eq!(out, [0, 127, 0x80, 1, 0xac, 2]);
    }

    #[test]
    fn postings_encode_deltas_impacts_and_sections() {
        let out = encoded(&[posting(5), posting(6)]);
        assert_eq!(out, [2, 5, 200, 5, 0, 200, 3, 10, 1, 200, 4, 0, 200, 3, 10]);
        assert_eq!(decode_postings(&out), [posting(5), posting(6)]);
    }

    #[test]
    fn shards_respect_the_target_and_cover_every_word() {
        let index = index(100, 20);
        let shards = shard(&index, 1000);
        assert!(shards.len() > 1);
        assert_eq!(shards[0].0, 0);
        assert!(shards.windows(2).all(|w| w[0].0 < w[1].0));
        for (_, bytes) in &shards {
            assert!(bytes.len() <= 1000 + 200, "{}", bytes.len());
        }
        // One huge word gets a shard to itself rather than being split.
        let big = index_of_one_big_word();
        assert_eq!(shard(&big, 100).len(), 1);
    }

    fn index_of_one_big_word() -> Index {
        index(1, 500)
    }

    #[test]
    fn synonyms_follow_the_postings_of_their_shard() {
        let index = index(2, 1);
        let shards = shard(&index, 1 << 20);
        let bytes = &shards[0].1;
        // Two words ("0w0000\n41", 9 bytes), two postings of 8 bytes, then 1 synonym.
        assert_eq!(&bytes[..11], b"\x02\x090w0000\n41");
        assert_eq!(bytes[11 + 16], 1);
        assert_eq!(&bytes[11 + 18..11 + 25], b"w0001 x");
    }

    #[test]
    fn front_coding_shares_prefixes() {
        let words: Vec<String> = ["back", "backache", "bad", "é"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(front_code(&words), "0back\n4ache\n2d\n0é");
    }

    #[test]
    fn files_are_deterministic_and_hashed() {
        let index = index(50, 10);
        let docs: Vec<Document> = Vec::new();
        let a = files(&index, &docs);
        let b = files(&index, &docs);
        assert_eq!(a, b);
        let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.last(), Some(&"search/manifest.json"));
        assert!(names[0].starts_with("search/terms-") && names[0].ends_with(".bin"));
        assert_eq!(content_hash(b""), "cbf29ce484222325");
    }
}
