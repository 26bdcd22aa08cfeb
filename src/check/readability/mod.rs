//! Readability: Flesch-Kincaid grade, SMOG grade, Flesch reading ease and the
//! share of long sentences, per page, on the text a reader sees.
//!
//! # What is measured
//!
//! A page's text is its headings, paragraphs and list items (from
//! [`crate::markdown::DocumentText`]); code blocks and table cells are
//! skipped. Each block is counted on its own and the counts are added up, so
//! a heading or a list item is always at least one sentence, even without a
//! full stop. The grades come from the page's totals with the published
//! formulas:
//!
//! - Flesch-Kincaid grade: `0.39 × words/sentences + 11.8 × syllables/words − 15.59`
//! - SMOG grade: `1.043 × √(polysyllables × 30/sentences) + 3.1291`
//! - Flesch reading ease: `206.835 − 1.015 × words/sentences − 84.6 × syllables/words`
//!
//! # The reference
//!
//! Counts (sentences, words, syllables, polysyllables) are a faithful port of
//! the npm package `text-readability` 1.1.1 ([`counts`]), which counts
//! syllables with `syllable` 5.0.1 ([`syllable`], with `pluralize` 8.0.0 and
//! `normalize-strings` 1.1.1). The formulas are those of `flesch-kincaid`
//! 2.0.1, `smog-formula` 2.0.1 and `flesch` 2.0.1 (unrounded). Running
//! `node scripts/readability-vectors/generate.mjs` (after `npm ci` in that
//! folder; versions pinned in its lock file) writes
//! `tests/readability_vectors.json`: the reference's syllables for about 2,400
//! words and its counts and grades for about 1,800 passages (curated edge
//! cases and every block of the bundled guide). `tests/readability.rs` checks
//! this port against every one of them.

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::links::DocId;
use crate::markdown::{BlockKind, RenderedDoc};
use crate::memo::Memo;
use crate::site::Site;

use super::Context;

mod charmap;
pub mod counts;
pub mod syllable;

pub use counts::Counts;

/// The three grades and the long-sentence share of some counts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Scores {
    /// `None` when there are no words or syllables to grade.
    pub flesch_kincaid_grade: Option<f64>,
    pub smog_grade: Option<f64>,
    pub flesch_reading_ease: Option<f64>,
    /// Sentences over 25 words, as a share of all sentences (0 to 1).
    pub long_sentence_share: Option<f64>,
}

impl Scores {
    /// The formulas, as `flesch-kincaid`, `smog-formula` and `flesch` compute them.
    pub fn of(c: &Counts) -> Scores {
        let (sentences, words, syllables) =
            (c.sentences as f64, c.words as f64, c.syllables as f64);
        let graded = c.sentences > 0 && c.words > 0 && c.syllables != 0;
        Scores {
            flesch_kincaid_grade: graded
                .then(|| 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59),
            smog_grade: (c.sentences > 0)
                .then(|| 3.1291 + 1.043 * (c.polysyllables as f64 * (30.0 / sentences)).sqrt()),
            flesch_reading_ease: graded
                .then(|| 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)),
            long_sentence_share: (c.sentences > 0).then(|| c.long_sentences as f64 / sentences),
        }
    }
}

/// One page's readability.
#[derive(Debug, Clone, PartialEq)]
pub struct PageReadability {
    pub page: usize,
    pub counts: Counts,
    pub scores: Scores,
    /// The block with the highest Flesch-Kincaid grade among those of ten
    /// words or more, and that grade: where a writer should start.
    pub hardest: Option<(Span, f64)>,
}

/// Blocks shorter than this are not offered as "the hardest paragraph".
const HARDEST_MIN_WORDS: u64 = 10;

/// Pages measured in an earlier run, by path, reused while their rendered
/// document is the same.
pub type ReadabilityMemo = Memo<RenderedDoc<DocId>, PageReadability>;

/// Measures every page, in parallel, except those `memo` has measured.
pub fn measure(site: &Site, memo: &mut ReadabilityMemo) -> Vec<PageReadability> {
    let measured: Vec<PageReadability> = (0..site.pages.len())
        .into_par_iter()
        .map(|page| remembered_or_measured(site, page, memo))
        .collect();
    memo.keep(
        site.pages
            .iter()
            .zip(&site.page_docs)
            .zip(&measured)
            .map(|((p, doc), m)| (p.rel_path.clone(), doc.clone(), m.clone())),
    );
    measured
}

/// One page's readability, measured unless `memo` has it; the memo keeps it.
pub fn measure_one(site: &Site, page: usize, memo: &mut ReadabilityMemo) -> PageReadability {
    let measured = remembered_or_measured(site, page, memo);
    let (rel_path, doc) = (&site.pages[page].rel_path, &site.page_docs[page]);
    memo.insert(rel_path.clone(), doc.clone(), measured.clone());
    measured
}

/// Page `page`'s readability from `memo` if its document is unchanged, else measured.
fn remembered_or_measured(site: &Site, page: usize, memo: &ReadabilityMemo) -> PageReadability {
    let doc = &site.page_docs[page];
    let known = memo.get(&site.pages[page].rel_path, doc);
    PageReadability {
        page,
        ..known.unwrap_or_else(|| measure_page(doc))
    }
}

/// One page's readability (its `page` is left 0 for the caller to set).
fn measure_page(doc: &RenderedDoc<DocId>) -> PageReadability {
    let mut total = Counts::default();
    let mut hardest: Option<(Span, f64)> = None;
    for block in doc.text.blocks.iter().filter(|b| is_prose(b.kind)) {
        let counts = Counts::of(&block.text);
        total += counts;
        if counts.words < HARDEST_MIN_WORDS {
            continue;
        }
        if let Some(grade) = Scores::of(&counts).flesch_kincaid_grade
            && hardest.is_none_or(|(_, g)| grade > g)
        {
            hardest = Some((block.span, grade));
        }
    }
    PageReadability {
        page: 0,
        counts: total,
        scores: Scores::of(&total),
        hardest,
    }
}

fn is_prose(kind: BlockKind) -> bool {
    matches!(
        kind,
        BlockKind::Heading { .. } | BlockKind::Paragraph | BlockKind::ListItem
    )
}

/// The `readability` rule: one finding per limit a page goes over.
pub fn hard_to_read(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let limits = &ctx.config.readability;
    let mut found = Vec::new();
    for measured in ctx.readability {
        let page = &ctx.site.pages[measured.page];
        if measured.counts.words < limits.min_words {
            continue;
        }
        let scores = &measured.scores;
        let mut problems = Vec::new();
        if let Some(grade) = scores
            .flesch_kincaid_grade
            .filter(|&g| g > limits.max_grade)
        {
            problems.push(format!(
                "hard to read: Flesch-Kincaid grade {grade:.1}, above the limit of {}",
                limits.max_grade
            ));
        }
        if let Some(grade) = scores.smog_grade.filter(|&g| g > limits.max_smog) {
            problems.push(format!(
                "hard to read: SMOG grade {grade:.1}, above the limit of {}",
                limits.max_smog
            ));
        }
        if let (Some(ease), Some(min)) = (scores.flesch_reading_ease, limits.min_reading_ease)
            && ease < min
        {
            problems.push(format!(
                "hard to read: Flesch reading ease {ease:.1}, below the minimum of {min}"
            ));
        }
        if let (Some(share), Some(max)) =
            (scores.long_sentence_share, limits.max_long_sentence_share)
            && share > max
        {
            problems.push(format!(
                "hard to read: {:.0}% of sentences have more than {} words, above the limit of {:.0}%",
                share * 100.0,
                counts::LONG_SENTENCE_WORDS,
                max * 100.0
            ));
        }
        let hint = match measured.hardest {
            Some((span, grade)) => format!(
                "the hardest paragraph is at line {} (grade {grade:.1}); use shorter sentences and everyday words",
                page.source.line_col(span.start).line
            ),
            None => "use shorter sentences and everyday words".to_string(),
        };
        found.extend(problems.into_iter().map(|message| {
            Diagnostic::at(severity, &page.source, page.spans.key("title"), message)
                .with_hint(hint.clone())
        }));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_the_published_formulas() {
        let c = Counts {
            sentences: 3,
            words: 19,
            syllables: 20,
            polysyllables: 0,
            long_sentences: 0,
        };
        let s = Scores::of(&c);
        assert!((s.flesch_kincaid_grade.unwrap() - -0.6989473684210523).abs() < 1e-9);
        assert!((s.smog_grade.unwrap() - 3.1291).abs() < 1e-9);
        assert!((s.flesch_reading_ease.unwrap() - 111.35403508771931).abs() < 1e-9);
        assert_eq!(s.long_sentence_share, Some(0.0));
    }

    #[test]
    fn nothing_to_grade_has_no_scores() {
        let s = Scores::of(&Counts::default());
        assert_eq!(s.flesch_kincaid_grade, None);
        assert_eq!(s.smog_grade, None);
    }
}
