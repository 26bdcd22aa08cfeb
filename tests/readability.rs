//! carebook's readability counts against the reference implementation.
//!
//! `tests/readability_vectors.json` was written by
//! `scripts/readability-vectors/generate.mjs`, which runs the npm packages
//! text-readability 1.1.1 and syllable 5.0.1 (and the flesch-kincaid,
//! smog-formula and flesch formulas) on every word and passage in it. Counts
//! must match exactly; grades to floating-point rounding.

use carebook::check::readability::{Counts, Scores, syllable};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    reference: serde_json::Map<String, serde_json::Value>,
    words: Vec<(String, i64)>,
    passages: Vec<Passage>,
}

#[derive(Deserialize)]
struct Passage {
    text: String,
    sentences: u64,
    words: u64,
    syllables: i64,
    polysyllables: u64,
    long_sentences: u64,
    flesch_kincaid: Option<f64>,
    smog: Option<f64>,
    flesch: Option<f64>,
}

fn vectors() -> Vectors {
    let text = include_str!("readability_vectors.json");
    serde_json::from_str(text).expect("the vectors parse")
}

#[test]
fn vectors_name_the_reference_versions() {
    let v = vectors();
    assert_eq!(v.reference["text-readability"], "1.1.1");
    assert_eq!(v.reference["syllable"], "5.0.1");
    assert!(v.words.len() > 2000, "{} words", v.words.len());
    assert!(v.passages.len() > 1000, "{} passages", v.passages.len());
}

#[test]
fn syllables_of_every_word_match_the_reference() {
    let wrong: Vec<String> = vectors()
        .words
        .iter()
        .filter(|(word, expected)| syllable::count(word) != *expected)
        .map(|(word, expected)| {
            format!(
                "{word:?}: reference {expected}, carebook {}",
                syllable::count(word)
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} words differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn counts_of_every_passage_match_the_reference() {
    let mut wrong = Vec::new();
    for p in vectors().passages {
        let c = Counts::of(&p.text);
        let expected = (
            p.sentences,
            p.words,
            p.syllables,
            p.polysyllables,
            p.long_sentences,
        );
        let got = (
            c.sentences,
            c.words,
            c.syllables,
            c.polysyllables,
            c.long_sentences,
        );
        if got != expected {
            wrong.push(format!(
                "{:?}\n  reference {expected:?}\n  carebook  {got:?}",
                p.text
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} passages differ (sentences, words, syllables, polysyllables, long sentences):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn grades_of_every_passage_match_the_reference() {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    };
    for p in vectors().passages {
        let s = Scores::of(&Counts::of(&p.text));
        assert!(
            close(s.flesch_kincaid_grade, p.flesch_kincaid),
            "{:?}: FK {:?} vs {:?}",
            p.text,
            s.flesch_kincaid_grade,
            p.flesch_kincaid
        );
        assert!(
            close(s.smog_grade, p.smog),
            "{:?}: SMOG {:?} vs {:?}",
            p.text,
            s.smog_grade,
            p.smog
        );
        assert!(
            close(s.flesch_reading_ease, p.flesch),
            "{:?}: Flesch {:?} vs {:?}",
            p.text,
            s.flesch_reading_ease,
            p.flesch
        );
    }
}
