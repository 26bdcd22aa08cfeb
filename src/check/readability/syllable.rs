//! Syllables of English words: a faithful port of the npm package
//! `syllable` 5.0.1 (Titus Wormer, MIT), with the two helpers it calls:
//! `pluralize` 8.0.0's `singular` (to look up plurals of hard words) and
//! `normalize-strings` 1.1.1 (accented letters to plain ones, table in
//! [`super::charmap`]).
//!
//! The expressions are copied verbatim from the JavaScript source, so a
//! reader can check them side by side; two of them need a backreference and a
//! lookahead, which is why this uses `fancy-regex`. JavaScript's `\b` and `\w`
//! are ASCII-only; every word reaching an expression here has already been
//! reduced to `a`–`z`, where the two definitions agree.
//!
//! `tests/readability_vectors.json` holds the reference's count for every
//! word of the bundled guide plus a list of awkward ones; the test in
//! `tests/readability.rs` checks this port against all of them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use fancy_regex::Regex;

use super::charmap::CHARMAP;

/// The syllables in `text`, as `syllable(text)` counts them. It can be
/// negative in theory, as in the original (`count || 1` keeps a negative count).
pub fn count(text: &str) -> i64 {
    let normalized: String = text.chars().map(normalize_char).collect();
    let lower = normalized.to_lowercase().replace(['\'', '’'], "");
    // `split(/\b/)` then `replace(/[^a-z]/g, '')`: only runs of JavaScript
    // word characters (ASCII letters, digits, `_`) can hold letters.
    lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(|run| {
            let letters: String = run.chars().filter(char::is_ascii_lowercase).collect();
            one(&letters)
        })
        .sum()
}

fn normalize_char(c: char) -> char {
    CHARMAP
        .binary_search_by_key(&c, |&(from, _)| from)
        .map_or(c, |i| CHARMAP[i].1)
}

/// Words whose syllables the expressions get wrong.
const PROBLEMATIC: &[(&str, i64)] = &[
    ("abalone", 4),
    ("abare", 3),
    ("abbruzzese", 4),
    ("abed", 2),
    ("aborigine", 5),
    ("abruzzese", 4),
    ("acreage", 3),
    ("adame", 3),
    ("adieu", 2),
    ("adobe", 3),
    ("anemone", 4),
    ("anyone", 3),
    ("apache", 3),
    ("aphrodite", 4),
    ("apostrophe", 4),
    ("ariadne", 4),
    ("cafe", 2),
    ("calliope", 4),
    ("catastrophe", 4),
    ("chile", 2),
    ("chloe", 2),
    ("circe", 2),
    ("coyote", 3),
    ("daphne", 2),
    ("epitome", 4),
    ("eurydice", 4),
    ("euterpe", 3),
    ("every", 2),
    ("everywhere", 3),
    ("forever", 3),
    ("gethsemane", 4),
    ("guacamole", 4),
    ("hermione", 4),
    ("hyperbole", 4),
    ("jesse", 2),
    ("jukebox", 2),
    ("karate", 3),
    ("machete", 3),
    ("maybe", 2),
    ("naive", 2),
    ("newlywed", 3),
    ("penelope", 4),
    ("people", 2),
    ("persephone", 4),
    ("phoebe", 2),
    ("pulse", 1),
    ("queue", 1),
    ("recipe", 3),
    ("riverbed", 3),
    ("sesame", 3),
    ("shoreline", 2),
    ("simile", 3),
    ("snuffleupagus", 5),
    ("sometimes", 2),
    ("syncope", 3),
    ("tamale", 3),
    ("waterbed", 3),
    ("wednesday", 2),
    ("yosemite", 4),
    ("zoe", 2),
];

fn problematic(word: &str) -> Option<i64> {
    PROBLEMATIC
        .iter()
        .find(|(w, _)| *w == word)
        .map(|&(_, n)| n)
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the expressions are constants and compile")
}

// Two expressions of occurrences which normally would be counted as two
// syllables, but should be counted as one.
static MONOSYLLABIC_ONE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        "awe($|d|so)|cia(?:l|$)|tia|cius|cious|[^aeiou]giu|[aeiouy][^aeiouy]ion|iou|sia$|eous$",
        "|[oa]gue$|.[^aeiuoycgltdb]{2,}ed$|.ely$|^jua|uai|eau|^busi$",
        "|(?:[aeiouy](?:[bcfgklmnprsvwxyz]|ch|dg|g[hn]|lch|l[lv]|mm|nch|n[cgn]|r[bcnsv]|squ|s[chkls]|th)ed$)",
        "|(?:[aeiouy](?:[bdfklmnprstvy]|ch|g[hn]|lch|l[lv]|mm|nch|nn|r[nsv]|squ|s[cklst]|th)es$)",
    ))
});

static MONOSYLLABIC_TWO: LazyLock<Regex> = LazyLock::new(|| {
    regex("[aeiouy](?:[bcdfgklmnprstvyz]|ch|dg|g[hn]|l[lv]|mm|n[cgns]|r[cnsv]|squ|s[cklst]|th)e$")
});

// Four expressions of occurrences which normally would be counted as one
// syllable, but should be counted as two.
static DOUBLE_SYLLABIC_ONE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?:([^aeiouy])\1l|[^aeiouy]ie(?:r|s?t)|[aeiouym]bl|eo|ism|asm|thm|dnt|snt|uity|dea|gean|oa",
        "|ua|react?|orbed|shred|eings?|[aeiouy]sh?e[rs])$",
    ))
});

static DOUBLE_SYLLABIC_TWO: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        "creat(?!u)|[^gq]ua[^auieo]|[aeiou]{3}|^(?:ia|mc|coa[dglx].)|^re(app|es|im|us)|(th|d)eist",
    )
});

static DOUBLE_SYLLABIC_THREE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        "[^aeiou]y[ae]|[^l]lien|riet|dien|iu|io|ii|uen|[aeilotu]real|real[aeilotu]|iell|eo[^aeiou]|[aeiou]y[aeiou]",
    )
});

/// Not global in the original: it adds at most one.
static DOUBLE_SYLLABIC_FOUR: LazyLock<Regex> = LazyLock::new(|| regex("[^s]ia"));

// Single syllable pre- and suffixes.
static SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        "^(?:un|fore|ware|none?|out|post|sub|pre|pro|dis|side|some)",
        "|(?:ly|less|some|ful|ers?|ness|cians?|ments?|ettes?|villes?|ships?|sides?|ports?|shires?|[gnst]ion(?:ed|s)?)$",
    ))
});

// Double syllable pre- and suffixes.
static DOUBLE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        "^(?:above|anti|ante|counter|hyper|afore|agri|infra|intra|inter|over|semi|ultra|under|extra",
        "|dia|micro|mega|kilo|pico|nano|macro|somer)",
        "|(?:fully|berry|woman|women|edly|union|((?:[bcdfghjklmnpqrstvwxz])|[aeiou])ye?ing)$",
    ))
});

// Triple syllable suffixes.
static TRIPLE: LazyLock<Regex> =
    LazyLock::new(|| regex("(creations?|ology|ologist|onomy|onomist)$"));

thread_local! {
    /// Words already counted: a site's vocabulary is small and every word is
    /// counted twice (for syllables, then for polysyllables).
    static COUNTED: RefCell<HashMap<String, i64>> = RefCell::new(HashMap::new());
}

/// [`one_uncached`], remembered per thread.
fn one(value: &str) -> i64 {
    if let Some(n) = COUNTED.with_borrow(|counted| counted.get(value).copied()) {
        return n;
    }
    let n = one_uncached(value);
    COUNTED.with_borrow_mut(|counted| {
        // A long-running `serve` sees new words forever; keep the memory bounded.
        if counted.len() >= 100_000 {
            counted.clear();
        }
        counted.insert(value.to_string(), n)
    });
    n
}

/// `syllable`'s `one()`: the syllables of one word of lowercase ASCII letters.
fn one_uncached(value: &str) -> i64 {
    if value.is_empty() {
        return 0;
    }
    if value.len() < 3 {
        return 1;
    }
    if let Some(n) = problematic(value) {
        return n;
    }
    if let Some(n) = problematic(&singular(value)) {
        return n;
    }

    let mut count = 0;
    // Count some prefixes and suffixes, and remove their matched ranges.
    let value = remove_matches(&TRIPLE, value, 3, &mut count);
    let value = remove_matches(&DOUBLE, &value, 2, &mut count);
    let value = remove_matches(&SINGLE, &value, 1, &mut count);

    // Count runs of vowels.
    count += value
        .split(|c: char| !"aeiouy".contains(c))
        .filter(|part| !part.is_empty())
        .count() as i64;

    count -= matches(&MONOSYLLABIC_ONE, &value) + matches(&MONOSYLLABIC_TWO, &value);
    count += matches(&DOUBLE_SYLLABIC_ONE, &value)
        + matches(&DOUBLE_SYLLABIC_TWO, &value)
        + matches(&DOUBLE_SYLLABIC_THREE, &value)
        + i64::from(DOUBLE_SYLLABIC_FOUR.is_match(&value).unwrap_or(false));

    if count == 0 { 1 } else { count }
}

/// `value.replace(/…/g, counter)`: adds `each` per match and removes the matches.
fn remove_matches(re: &Regex, value: &str, each: i64, count: &mut i64) -> String {
    let mut kept = String::with_capacity(value.len());
    let mut last = 0;
    for m in re.find_iter(value).filter_map(Result::ok) {
        kept.push_str(&value[last..m.start()]);
        last = m.end();
        *count += each;
    }
    kept.push_str(&value[last..]);
    kept
}

/// How many times a global expression matches, without overlaps.
fn matches(re: &Regex, value: &str) -> i64 {
    re.find_iter(value).filter_map(Result::ok).count() as i64
}

/// `pluralize.singular(word)` for a lowercase word.
pub fn singular(word: &str) -> String {
    let token = word.to_lowercase();
    if IRREGULAR.iter().any(|(single, _)| *single == token) {
        return token;
    }
    if let Some(single) = IRREGULAR_PLURALS.get(token.as_str()) {
        return (*single).to_string();
    }
    if token.is_empty() || UNCOUNTABLE.contains(&token.as_str()) {
        return word.to_string();
    }
    // The rules added last are tried first.
    for (re, replacement) in SINGULAR_RULES.iter().rev() {
        if let Ok(Some(caps)) = re.captures(word) {
            let Some(whole) = caps.get(0) else { continue };
            let mut out = word[..whole.start()].to_string();
            out.push_str(&interpolate(replacement, &caps));
            out.push_str(&word[whole.end()..]);
            // restoreCase: the word is lowercase, so the result is too.
            return out.to_lowercase();
        }
    }
    word.to_string()
}

/// pluralize's `interpolate`: `$n` becomes group `n`, or nothing.
fn interpolate(template: &str, caps: &fancy_regex::Captures<'_, str>) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while digits.len() < 2 {
            match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    digits.push(*d);
                    chars.next();
                }
                _ => break,
            }
        }
        match digits.parse::<usize>() {
            Ok(group) => out.push_str(caps.get(group).map_or("", |m| m.as_str())),
            Err(_) => out.push('$'),
        }
    }
    out
}

/// pluralize's irregular words, `(single, plural)`, in its order.
const IRREGULAR: &[(&str, &str)] = &[
    ("i", "we"),
    ("me", "us"),
    ("he", "they"),
    ("she", "they"),
    ("them", "them"),
    ("myself", "ourselves"),
    ("yourself", "yourselves"),
    ("itself", "themselves"),
    ("herself", "themselves"),
    ("himself", "themselves"),
    ("themself", "themselves"),
    ("is", "are"),
    ("was", "were"),
    ("has", "have"),
    ("this", "these"),
    ("that", "those"),
    ("echo", "echoes"),
    ("dingo", "dingoes"),
    ("volcano", "volcanoes"),
    ("tornado", "tornadoes"),
    ("torpedo", "torpedoes"),
    ("genus", "genera"),
    ("viscus", "viscera"),
    ("stigma", "stigmata"),
    ("stoma", "stomata"),
    ("dogma", "dogmata"),
    ("lemma", "lemmata"),
    ("schema", "schemata"),
    ("anathema", "anathemata"),
    ("ox", "oxen"),
    ("axe", "axes"),
    ("die", "dice"),
    ("yes", "yeses"),
    ("foot", "feet"),
    ("eave", "eaves"),
    ("goose", "geese"),
    ("tooth", "teeth"),
    ("quiz", "quizzes"),
    ("human", "humans"),
    ("proof", "proofs"),
    ("carve", "carves"),
    ("valve", "valves"),
    ("looey", "looies"),
    ("thief", "thieves"),
    ("groove", "grooves"),
    ("pickaxe", "pickaxes"),
    ("passerby", "passersby"),
];

/// plural → single; as in pluralize, a later pair wins (`they` → `she`).
static IRREGULAR_PLURALS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    IRREGULAR
        .iter()
        .map(|&(single, plural)| (plural, single))
        .collect()
});

/// pluralize's uncountable words given as strings.
const UNCOUNTABLE: &[&str] = &[
    "adulthood",
    "advice",
    "agenda",
    "aid",
    "aircraft",
    "alcohol",
    "ammo",
    "analytics",
    "anime",
    "athletics",
    "audio",
    "bison",
    "blood",
    "bream",
    "buffalo",
    "butter",
    "carp",
    "cash",
    "chassis",
    "chess",
    "clothing",
    "cod",
    "commerce",
    "cooperation",
    "corps",
    "debris",
    "diabetes",
    "digestion",
    "elk",
    "energy",
    "equipment",
    "excretion",
    "expertise",
    "firmware",
    "flounder",
    "fun",
    "gallows",
    "garbage",
    "graffiti",
    "hardware",
    "headquarters",
    "health",
    "herpes",
    "highjinks",
    "homework",
    "housework",
    "information",
    "jeans",
    "justice",
    "kudos",
    "labour",
    "literature",
    "machinery",
    "mackerel",
    "mail",
    "media",
    "mews",
    "moose",
    "music",
    "mud",
    "manga",
    "news",
    "only",
    "personnel",
    "pike",
    "plankton",
    "pliers",
    "police",
    "pollution",
    "premises",
    "rain",
    "research",
    "rice",
    "salmon",
    "scissors",
    "series",
    "sewage",
    "shambles",
    "shrimp",
    "software",
    "species",
    "staff",
    "swine",
    "tennis",
    "traffic",
    "transportation",
    "trout",
    "tuna",
    "wealth",
    "welfare",
    "whiting",
    "wildebeest",
    "wildlife",
    "you",
];

/// pluralize's singularization rules in the order it adds them: its own
/// rules, then the uncountable expressions (which keep the word, `$0`).
static SINGULAR_RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"s$", ""),
        (r"(ss)$", "$1"),
        (
            r"(wi|kni|(?:after|half|high|low|mid|non|night|[^\w]|^)li)ves$",
            "$1fe",
        ),
        (r"(ar|(?:wo|[ae])l|[eo][ao])ves$", "$1f"),
        (r"ies$", "y"),
        (
            r"\b([pl]|zomb|(?:neck|cross)?t|coll|faer|food|gen|goon|group|lass|talk|goal|cut)ies$",
            "$1ie",
        ),
        (r"\b(mon|smil)ies$", "$1ey"),
        (r"\b((?:tit)?m|l)ice$", "$1ouse"),
        (r"(seraph|cherub)im$", "$1"),
        (
            r"(x|ch|ss|sh|zz|tto|go|cho|alias|[^aou]us|t[lm]as|gas|(?:her|at|gr)o|[aeiou]ris)(?:es)?$",
            "$1",
        ),
        (
            r"(analy|diagno|parenthe|progno|synop|the|empha|cri|ne)(?:sis|ses)$",
            "$1sis",
        ),
        (r"(movie|twelve|abuse|e[mn]u)s$", "$1"),
        (r"(test)(?:is|es)$", "$1is"),
        (
            r"(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$",
            "$1us",
        ),
        (
            r"(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|quor)a$",
            "$1um",
        ),
        (
            r"(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)a$",
            "$1on",
        ),
        (r"(alumn|alg|vertebr)ae$", "$1a"),
        (r"(cod|mur|sil|vert|ind)ices$", "$1ex"),
        (r"(matr|append)ices$", "$1ix"),
        (r"(pe)(rson|ople)$", "$1rson"),
        (r"(child)ren$", "$1"),
        (r"(eau)x?$", "$1"),
        (r"men$", "man"),
        // Uncountable expressions.
        (r"pok[eé]mon$", "$0"),
        (r"[^aeiou]ese$", "$0"),
        (r"deer$", "$0"),
        (r"fish$", "$0"),
        (r"measles$", "$0"),
        (r"o[iu]s$", "$0"),
        (r"pox$", "$0"),
        (r"sheep$", "$0"),
    ]
    .into_iter()
    .map(|(pattern, replacement)| (regex(&format!("(?i){pattern}")), replacement))
    .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_expression_compiles() {
        for re in [
            &MONOSYLLABIC_ONE,
            &MONOSYLLABIC_TWO,
            &DOUBLE_SYLLABIC_ONE,
            &DOUBLE_SYLLABIC_TWO,
            &DOUBLE_SYLLABIC_THREE,
            &DOUBLE_SYLLABIC_FOUR,
            &SINGLE,
            &DOUBLE,
            &TRIPLE,
        ] {
            assert!(re.is_match("x").is_ok());
        }
        assert_eq!(SINGULAR_RULES.len(), 31);
    }

    #[test]
    fn counts_common_words() {
        let cases = [
            ("the", 1),
            ("runner", 2),
            ("physiotherapist", 6),
            ("people", 2),
            ("recipes", 3),
            ("café", 2),
            ("", 0),
            ("42", 0),
            ("don't stop", 2),
        ];
        for (word, expected) in cases {
            assert_eq!(count(word), expected, "{word}");
        }
    }

    #[test]
    fn singular_follows_pluralize() {
        assert_eq!(singular("recipes"), "recipe");
        assert_eq!(singular("knives"), "knife");
        assert_eq!(singular("wolves"), "wolf");
        assert_eq!(singular("they"), "she");
        assert_eq!(singular("series"), "series");
        assert_eq!(singular("chinese"), "chinese");
        assert_eq!(singular("women"), "woman");
        assert_eq!(singular("cherubim"), "cherub");
    }
}
