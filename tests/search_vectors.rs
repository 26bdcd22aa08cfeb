//! The shared analyzer test vectors: `tests/search/vectors.jsonl`.
//!
//! Each line is `[text, words, stems]`: the indexed words of `text` (folded,
//! stopwords dropped) and their Snowball English stems, as the Rust analyzer
//! gives them. `tests/browser/test/search-vectors.test.js` checks the browser
//! engine against the same file, so the two analyzers cannot drift apart.
//!
//! The cases are every word and every title, heading, summary and other name
//! of the bundled guide, the stopwords, the synthetic benchmark vocabulary's
//! tricky cases, and Porter2's special cases. After changing the analyzer or
//! the guide, regenerate with:
//!
//! ```sh
//! CAREBOOK_UPDATE_VECTORS=1 cargo test --test search_vectors
//! ```

use std::collections::BTreeSet;
use std::path::PathBuf;

use carebook::build::{BuildOptions, validate};
use carebook::search::analyzer::{STOPWORDS, index_words, stem, words};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Porter2's exceptions and one or more words for each of its rules.
const SPECIAL: &str = "skis skies sky dying lying tying idly gently ugly early only singly news howe atlas \
cosmos bias andes inning innings outing outings canning cannings herring herrings earring earrings proceed \
proceeding proceeds exceed exceeding exceeds succeed succeeded succeeding generate generates generation \
generations general generally generous generously generosity communal community communities communism \
communication arsenal arsenals arsenic caresses ponies ties cries cry crying says sayings boy boys boyish \
youth youths yelling yearly by bye happy happiness enjoy enjoyed enjoying gas gaps kiwis abyss bus \
feed agreed agreedly bleed feeding hopping hoped hoping hopeful hopefully hopefulness filing failing \
controlling controlled rolling fizzed luxuriating conflated troubled sized hissing bled plastered motoring \
sing singing relational conditional rational valenci valency hesitanci hesitancy digitizer conformabli \
radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness \
callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical \
goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement \
adjustment dependent adoption homologou angulariti homologous effective bowdlerize probate rate cease \
controll roll apology apologies archaeology logically fluently mostly lively tenderly oily \
sky's dogs' consign consigned consigning consignment consist consisted consistency consistent consistently \
consolation consolatory console consoled consoles consolidate consolidating consoling consolingly \
conspicuous conspiracy conspirator conspire conspired constable constancy constant knack knackeries knacks \
knave knavish kneaded kneading knee kneel kneeled kneeling kneels knees knell knelt knew knife knight \
knightly knit knits knitted knitting knives knob knock knocked knocker knocking knot knots \
bey beyond ay aye ayes yay yaying Yvonne y ya yoyo yoyos eyed eying emptying studies studying studied \
meeting meetings herbal hers herself ambitious absurdity absurdly abstractions abstraction fixation \
overstriding overstride cadence tendinopathy tendinopathies tendonitis spondylolisthesis spondylolysis \
sacroiliac lumbosacral herniated herniation herniations radiculopathy stenosis claudication physiotherapist \
physiotherapy stretches stretching stretched strengthening strengthens weakness numbness tingling \
piriformis gluteal glutes hamstrings quadratus lumborum iliotibial ischial osteoporotic vertebrae \
vertebral vertebra discs disc's runner's runners' don't it's can't won't i'm you're";

/// Text that exercises folding, splitting and joining.
const TEXTS: &[&str] = &[
    "Pilatès, yoga and Tai-Chi",
    "Crème brûlée for the CAFÉ",
    "Ångström Øresund Þór ßtraße",
    "The runner's L5-S1 disc — don’t 'quote' it!",
    "10 x 30 s holds, 3×/week; 2–3 sets",
    "flare-up, warm-up, cool-down and follow-up",
    "Ibuprofen (e.g. Advil®) 200 mg",
    "COVID-19 and the 5k parkrun",
    "naïve coöperate façade résumé",
    "ΑΒΓ δέλτα Ωμέγα",
    "Пример текста по-русски",
    "日本語のテキスト and English",
    "emoji 🏃‍♀️ runner 💪 strong",
    "tabs\tand\nnew lines\r\nmixed",
    "don't won't can't shouldn't",
    "rock'n'roll o'clock ʼokina",
    "’leading and trailing’ apostrophes'",
    "straße STRASSE Straße",
    "İstanbul ıi",
    "ǅemal ǈ ǋ",
    "x².y³ ½ ⅔ Ⅻ ①",
    "über-über-long-word-that-keeps-going-on-and-on-and-on-forever-and-ever",
    "antidisestablishmentarianismantidisestablishmentarianism is long",
    "",
    "   ",
    "a the and of",
];

fn bundled_texts() -> (BTreeSet<String>, BTreeSet<String>) {
    let options = BuildOptions {
        root: repo(),
        ..BuildOptions::default()
    };
    let site = match validate(&options) {
        Ok(v) => v.site,
        Err(d) => panic!("the bundled guide does not build: {d:?}"),
    };
    let mut phrases = BTreeSet::new();
    let mut vocabulary = BTreeSet::new();
    for (page, doc) in site.pages.iter().zip(&site.page_docs) {
        phrases.insert(page.meta.title.clone());
        phrases.extend(page.meta.summary.clone());
        phrases.extend(page.meta.also_called.iter().cloned());
        phrases.extend(page.meta.tags.iter().cloned());
        phrases.extend(doc.toc.iter().map(|h| h.title.clone()));
        for block in &doc.text.blocks {
            vocabulary.extend(raw_words(&block.text));
        }
    }
    for p in &phrases {
        vocabulary.extend(raw_words(p));
    }
    (phrases, vocabulary)
}

/// The words of `text` as written (case and accents kept), split like the analyzer.
fn raw_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .map(|w| w.trim_matches(['\'', '\u{2019}']))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn cases() -> Vec<String> {
    let (phrases, vocabulary) = bundled_texts();
    let mut texts: Vec<String> = Vec::new();
    texts.extend(TEXTS.iter().map(|s| s.to_string()));
    texts.extend(STOPWORDS.iter().map(|s| s.to_string()));
    texts.extend(SPECIAL.split(' ').map(str::to_string));
    texts.extend(vocabulary);
    texts.extend(phrases);
    // Lowercased forms too: the stemmer sees folded words.
    let lower: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
    texts.extend(lower);
    let mut seen = BTreeSet::new();
    texts.retain(|t| seen.insert(t.clone()));
    texts
        .iter()
        .map(|text| {
            let indexed = index_words(text);
            let stems: Vec<String> = indexed.iter().map(|w| stem(w)).collect();
            serde_json::to_string(&(text, &indexed, &stems)).unwrap()
        })
        .collect()
}

#[test]
fn vectors_match_the_analyzer() {
    let path = repo().join("tests/search/vectors.jsonl");
    let expected = cases();
    if std::env::var_os("CAREBOOK_UPDATE_VECTORS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, expected.join("\n") + "\n").unwrap();
        return;
    }
    let regenerate = "regenerate it with `CAREBOOK_UPDATE_VECTORS=1 cargo test --test search_vectors`, \
                      then run the JS test (tests/browser/test/search-vectors.test.js) too";
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    // Every case of the file is what the analyzer says…
    let mut texts = BTreeSet::new();
    for line in file.lines() {
        let (text, _, _): (String, Vec<String>, Vec<String>) =
            serde_json::from_str(line).expect("a JSON line");
        let indexed = index_words(&text);
        let stems: Vec<String> = indexed.iter().map(|w| stem(w)).collect();
        let want = serde_json::to_string(&(&text, &indexed, &stems)).unwrap();
        assert_eq!(
            line,
            want,
            "{} disagrees with the analyzer; {regenerate}",
            path.display()
        );
        texts.insert(text);
    }
    // …and the file covers every word of the bundled guide.
    let missing: Vec<String> = expected
        .iter()
        .map(|line| {
            serde_json::from_str::<(String, Vec<String>, Vec<String>)>(line)
                .unwrap()
                .0
        })
        .filter(|text| !texts.contains(text))
        .collect();
    assert!(
        missing.is_empty(),
        "{} lacks {} cases ({:?}…); {regenerate}",
        path.display(),
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(texts.len() >= 2000, "a few thousand cases");
}

#[test]
fn words_keep_stopwords_and_index_words_drop_them() {
    assert_eq!(words("pain down my leg"), ["pain", "down", "my", "leg"]);
    assert_eq!(index_words("pain down my leg"), ["pain", "leg"]);
}
