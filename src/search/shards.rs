//! Output: the [`Index`] and the documents → the files the browser fetches.
//!
//! ```text
//! search/manifest.json          the first word and file of each shard and
//!                               typo list, and the document folder; fetched
//!                               first
//! search/terms-<hash>.bin       a range of words: the words, their postings
//!                               and the synonyms that start with them
//! search/docs-<hash>/<n>.json   pages 2n and 2n + 1: URL, title, kind and
//!                               sections (heading, id, excerpt)
//! search/heads-<hash>.txt       typo lists (see [`super::typos`]), words
//! search/middles-<hash>.txt     only: by beginning; rotated, by what follows
//! search/tails-<hash>.txt       a third of the way in; by ending
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

use super::collect::{Document, kind_label};
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

/// A 64-bit XXH3 hash, as 16 hex digits: stable (a published algorithm),
/// and enough to tell versions apart. (FNV-1a, a byte at a time, was a
/// quarter of writing the index's files.)
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

fn encode_synonyms(out: &mut Vec<u8>, index: &Index, i: usize) {
    for s in &index.synonyms[i] {
        for text in [&s.phrase, &s.canonical] {
            varint(out, text.len() as u64);
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(&s.postings);
    }
}

/// The bytes word `i`'s synonyms take in a shard ([`encode_synonyms`]).
fn synonyms_size(index: &Index, i: usize) -> usize {
    let text = |t: &str| varint_len(t.len() as u64) + t.len();
    index.synonyms[i]
        .iter()
        .map(|s| text(&s.phrase) + text(&s.canonical) + s.postings.len())
        .sum()
}

/// How many bytes [`varint`] writes for `value`.
fn varint_len(value: u64) -> usize {
    (64 - value.max(1).leading_zeros() as usize).div_ceil(7)
}

/// Cuts the dictionary into shards: (first word index, file bytes).
///
/// Where to cut is decided first, from sizes alone; the shards are then
/// put together in parallel.
pub fn shard(index: &Index, target: usize) -> Vec<(usize, Vec<u8>)> {
    let sizes = (0..index.words.len()).map(|i| index.postings[i].len() + synonyms_size(index, i));
    cut_by_size(sizes, target)
        .par_iter()
        .map(|&(start, end)| (start, shard_bytes(index, start, end)))
        .collect()
}

/// Consecutive ranges (start, end) of items with these sizes, each closed
/// before the item that would take it over `target`, unless that item is
/// its first.
pub fn cut_by_size(sizes: impl Iterator<Item = usize>, target: usize) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let (mut start, mut size, mut count) = (0, 0, 0);
    for (i, grows) in sizes.enumerate() {
        if i > start && size + grows > target {
            ranges.push((start, i));
            (start, size) = (i, 0);
        }
        size += grows;
        count = i + 1;
    }
    if start < count {
        ranges.push((start, count));
    }
    ranges
}

/// One shard of the words `start..end`.
fn shard_bytes(index: &Index, start: usize, end: usize) -> Vec<u8> {
    let dictionary = front_code(&index.words[start..end]);
    let postings: usize = index.postings[start..end].iter().map(Vec::len).sum();
    let mut bytes = Vec::with_capacity(dictionary.len() + postings + 16);
    varint(&mut bytes, (end - start) as u64);
    varint(&mut bytes, dictionary.len() as u64);
    bytes.extend_from_slice(dictionary.as_bytes());
    for p in &index.postings[start..end] {
        bytes.extend_from_slice(p);
    }
    let count: usize = index.synonyms[start..end].iter().map(Vec::len).sum();
    varint(&mut bytes, count as u64);
    for i in start..end {
        encode_synonyms(&mut bytes, index, i);
    }
    bytes
}

/// The dictionary as one string: each word is a character giving how many
/// leading characters it shares with the previous word (`'0'` + n), then the
/// rest of the word; words are separated by newlines.
pub fn front_code<S: AsRef<str>>(words: &[S]) -> String {
    let mut coder = FrontCoder::with_capacity(words.iter().map(|w| w.as_ref().len() + 2).sum());
    for word in words {
        coder.push(word.as_ref());
    }
    coder.finish()
}

/// [`front_code`] one word at a time, for words made on the fly (the typo
/// lists' rotated words): it keeps its own copy of the previous word, so
/// that a caller can make each word in one reused buffer.
pub struct FrontCoder {
    out: String,
    previous: String,
}

impl FrontCoder {
    /// A coder whose output has room for `bytes` without growing.
    pub fn with_capacity(bytes: usize) -> Self {
        FrontCoder {
            out: String::with_capacity(bytes),
            previous: String::new(),
        }
    }

    /// Adds the next word.
    pub fn push(&mut self, word: &str) {
        let (shared, rest) = shared_prefix(&self.previous, word);
        // Every line has at least its count, so only the first finds `out` empty.
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push(char::from(b'0' + shared as u8));
        self.out.push_str(rest);
        self.previous.clear();
        self.previous.push_str(word);
    }

    /// The front-coded words.
    pub fn finish(self) -> String {
        self.out
    }
}

/// How many leading characters `word` shares with `previous` (at most 60,
/// so that the count stays one ASCII character), and the rest of `word`.
fn shared_prefix<'a>(previous: &str, word: &'a str) -> (usize, &'a str) {
    const MAX_SHARED: usize = 60;
    // Bytes are compared, then the count goes back to the start of the
    // character it stopped in: no character's UTF-8 begins another's.
    let mut bytes = previous
        .bytes()
        .zip(word.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !word.is_char_boundary(bytes) {
        bytes -= 1;
    }
    let chars = word[..bytes].chars().count();
    if chars <= MAX_SHARED {
        return (chars, &word[bytes..]);
    }
    let at = word
        .char_indices()
        .nth(MAX_SHARED)
        .map_or(word.len(), |(at, _)| at);
    (MAX_SHARED, &word[at..])
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    pages: usize,
    /// Folder of the page fragments, relative to `search/`: page `p` is item
    /// `p % group` of `<p / group>.json`.
    docs: &'a str,
    group: usize,
    /// (the shard's first word, file name relative to `search/`), in
    /// dictionary order.
    shards: Vec<(&'a str, &'a str)>,
    /// The typo lists: (first word, file), words in dictionary order…
    heads: Vec<(&'a str, &'a str)>,
    /// …(first rotated word, file), words rotated where a typed word's
    /// middle third may begin in them, by what follows…
    middles: Vec<(&'a str, &'a str)>,
    /// …and (first reversed word, file), words by their reversed spelling.
    tails: Vec<(&'a str, &'a str)>,
}

/// Appends one page as the result list shows it, as JSON: `{"u": URL,
/// "t": title, "k": kind label, "a": [other names] (if any), "s":
/// [[heading, id, excerpt], …]}` (one `s` item per section).
///
/// Written by hand rather than derived: serde_json escapes strings a byte
/// at a time, which was a quarter of writing the index's files, and most
/// texts need no escaping at all ([`push_json_string`]).
fn push_fragment(out: &mut Vec<u8>, doc: &Document) {
    out.extend_from_slice(b"{\"u\":");
    push_json_string(out, &doc.url);
    out.extend_from_slice(b",\"t\":");
    push_json_string(out, doc.title);
    out.extend_from_slice(b",\"k\":");
    push_json_string(out, kind_label(doc.kind));
    if !doc.also_called.is_empty() {
        out.extend_from_slice(b",\"a\":[");
        for (i, name) in doc.also_called.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_string(out, name);
        }
        out.push(b']');
    }
    out.extend_from_slice(b",\"s\":[");
    for (i, unit) in doc.units.iter().enumerate() {
        out.extend_from_slice(if i > 0 { b",[" } else { b"[" });
        push_json_string(out, unit.heading);
        out.push(b',');
        push_json_string(out, unit.id);
        out.push(b',');
        push_json_string_of(out, &unit.excerpt.parts());
        out.push(b']');
    }
    out.extend_from_slice(b"]}");
}

/// Appends `text` as a JSON string, escaped exactly as serde_json escapes
/// it. A text with nothing to escape (control characters, `"`, `\\`) is
/// copied as it is; telling so, 16 bytes at a time, is what the compiler
/// can vectorise.
fn push_json_string(out: &mut Vec<u8>, text: &str) {
    push_json_string_of(out, &[text]);
}

/// [`push_json_string`] of the `parts` joined: one string, not copied into
/// one first.
fn push_json_string_of(out: &mut Vec<u8>, parts: &[&str]) {
    let plain = parts.iter().all(|part| {
        part.as_bytes().chunks(16).all(|chunk| {
            chunk.iter().fold(true, |plain, &b| {
                plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
            })
        })
    });
    if plain {
        out.push(b'"');
        for part in parts {
            out.extend_from_slice(part.as_bytes());
        }
        out.push(b'"');
    } else {
        out.extend(serde_json::to_vec(&parts.concat()).unwrap_or_default());
    }
}

/// Every file of the search index, manifest last. The page groups, the
/// term shards and the typo lists do not depend on each other, so they are
/// made side by side.
pub fn files(index: &Index, documents: &[Document]) -> Vec<File> {
    let ((docs, groups), (terms, [heads, middles, tails])) = rayon::join(
        || page_groups(documents),
        || rayon::join(|| term_shards(index), || typo_lists(index)),
    );
    let manifest = Manifest {
        version: FORMAT_VERSION,
        pages: documents.len(),
        docs: &docs,
        group: PAGES_PER_FILE,
        shards: listed(&terms),
        heads: listed(&heads),
        middles: listed(&middles),
        tails: listed(&tails),
    };
    let manifest = serde_json::to_vec(&manifest).unwrap_or_default();
    let mut files: Vec<File> = groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| (format!("search/{docs}{i}.json"), g))
        .collect();
    for (_, name, bytes) in terms.into_iter().chain(heads).chain(middles).chain(tails) {
        files.push((format!("search/{name}"), bytes));
    }
    files.push(("search/manifest.json".to_string(), manifest));
    files
}

/// (first word, file name) of each file, as the manifest lists them.
fn listed(files: &[Named]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(first, name, _)| (first.as_str(), name.as_str()))
        .collect()
}

/// The page groups, and the folder they go in (named by a hash of them all).
fn page_groups(documents: &[Document]) -> (String, Vec<Vec<u8>>) {
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
                push_fragment(&mut bytes, doc);
            }
            bytes.push(b']');
            bytes
        })
        .collect();
    let hashes: Vec<String> = groups.par_iter().map(|g| content_hash(g)).collect();
    let all = hashes.concat();
    let docs = format!("docs-{}/", &content_hash(all.as_bytes())[..12]);
    (docs, groups)
}

/// A file named by its kind and a hash of its contents: (first word, file
/// name relative to `search/`, contents).
type Named = (String, String, Vec<u8>);

/// The term shards, named.
fn term_shards(index: &Index) -> Vec<Named> {
    // Bigger shards for bigger sites, so that the manifest stays small.
    let total = index.pairs * 5;
    let target = SHARD_BYTES.max(total / MAX_SHARDS);
    let shards: Vec<(String, Vec<u8>)> = shard(index, target)
        .into_iter()
        .map(|(first, bytes)| (index.words[first].clone(), bytes))
        .collect();
    named("terms", "bin", shards)
}

/// The typo lists, named: heads, middles and tails.
fn typo_lists(index: &Index) -> [Vec<Named>; 3] {
    let typos::Lists {
        heads,
        middles,
        tails,
    } = typos::lists(&index.words);
    [
        named("heads", "txt", heads),
        named("middles", "txt", middles),
        named("tails", "txt", tails),
    ]
}

/// Names each (first word, contents) `<kind>-<hash>.<extension>`.
fn named(kind: &str, extension: &str, files: Vec<(String, Vec<u8>)>) -> Vec<Named> {
    files
        .into_par_iter()
        .map(|(first, bytes)| {
            let name = format!("{kind}-{}.{extension}", &content_hash(&bytes)[..12]);
            (first, name, bytes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::{Posting, Synonym, decode_postings, encode_postings};

    #[test]
    fn fragments_are_the_json_serde_would_write() {
        use crate::front_matter::Kind;
        use crate::search::collect::{Excerpt, Unit};
        let tricky =
            "Say \"ouch\" \\ back\tpain\n\u{1}, “curly” quotes, café, \u{7f} and </script>";
        let other_names = vec!["Lumbago".to_string(), tricky.to_string()];
        let unit = |heading, id, excerpt: &'static str, cut| Unit {
            heading,
            id,
            excerpt: Excerpt {
                text: excerpt.into(),
                cut,
            },
            ..Unit::default()
        };
        let mut doc = Document {
            url: "/conditions/back-pain/".to_string(),
            title: tricky,
            kind: Kind::Condition,
            also_called: &other_names,
            vocabulary: 0,
            words: Vec::new(),
            units: vec![
                unit("", "", "A summary.", false),
                unit(tricky, "causes", tricky, true),
                unit("Treatment", "treatment", "Rest, then", true),
            ],
        };
        let serde = |doc: &Document| {
            let sections: Vec<[String; 3]> = doc
                .units
                .iter()
                .map(|u| [u.heading.into(), u.id.into(), u.excerpt.to_string()])
                .collect();
            let mut value = serde_json::json!({
                "u": doc.url, "t": doc.title, "k": kind_label(doc.kind),
                "a": doc.also_called, "s": sections,
            });
            if doc.also_called.is_empty() {
                value.as_object_mut().map(|o| o.remove("a"));
            }
            serde_json::to_vec(&value).unwrap()
        };
        let mine = |doc: &Document| {
            let mut out = Vec::new();
            push_fragment(&mut out, doc);
            out
        };
        // `json!` sorts its keys, so the two are compared as values, and
        // the order of the keys (as the derived serialisation had them)
        // separately.
        let parsed = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
        assert_eq!(parsed(&mine(&doc)), parsed(&serde(&doc)));
        let text = String::from_utf8(mine(&doc)).unwrap();
        assert!(text.starts_with("{\"u\":\"/conditions/back-pain/\",\"t\":\"Say \\\"ouch\\\" \\\\ back\\tpain\\n\\u0001,"), "{text}");
        assert!(
            text.contains("\",\"k\":\"Condition\",\"a\":[\"Lumbago\","),
            "{text}"
        );
        assert!(
            text.contains(",\"s\":[[\"\",\"\",\"A summary.\"],[\"Say"),
            "{text}"
        );
        doc.also_called = &[];
        assert!(!String::from_utf8(mine(&doc)).unwrap().contains("\"a\""));
        assert_eq!(parsed(&mine(&doc)), parsed(&serde(&doc)));
        for text in [
            "",
            "plain",
            tricky,
            &"x".repeat(40),
            &format!("{}\"", "y".repeat(31)),
        ] {
            let mut out = Vec::new();
            push_json_string(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

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
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            varint(&mut out, v);
            assert_eq!(varint_len(v), out.len(), "{v}");
        }
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
    fn cuts_close_before_the_item_that_would_overflow() {
        let cut = |sizes: &[usize]| cut_by_size(sizes.iter().copied(), 10);
        assert_eq!(cut(&[]), []);
        assert_eq!(cut(&[4, 6, 1]), [(0, 2), (2, 3)]);
        // An item over the target gets a range of its own.
        assert_eq!(cut(&[3, 25, 2]), [(0, 1), (1, 2), (2, 3)]);
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
        // é and è share their first byte, not their character.
        assert_eq!(front_code(&["café", "cafè", "cafés"]), "0café\n3è\n3és");
        // At most 60 characters are shared, so that the count stays one character.
        let long = "a".repeat(70);
        let longer = format!("{long}b");
        assert_eq!(
            front_code(&[&long, &longer]),
            format!("0{long}\nlaaaaaaaaaab")
        );
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
        assert_eq!(content_hash(b""), "2d06800538d394c2", "XXH3-64 of nothing");
    }
}
