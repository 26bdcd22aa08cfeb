//! The search index of the bundled guide, end to end: deterministic bytes,
//! content-hashed names, `[search]` settings.

use std::path::PathBuf;
use std::sync::Mutex;

use carebook::build::{BuildOptions, Validated, validate};
use carebook::config::{Config, SearchConfig};
use carebook::diagnostic::SourceFile;
use carebook::output::OutputSink;
use carebook::search::{self, shards};

fn bundled() -> Validated {
    let options = BuildOptions {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        ..BuildOptions::default()
    };
    validate(&options).unwrap_or_else(|d| panic!("the bundled guide does not build: {d:?}"))
}

/// Remembers the paths written.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl OutputSink for Recorder {
    fn write(&self, rel_path: &str, _: &[u8]) -> std::io::Result<()> {
        self.0.lock().unwrap().push(rel_path.to_string());
        Ok(())
    }
    fn copy(&self, rel_path: &str, _: &std::path::Path) -> std::io::Result<()> {
        self.0.lock().unwrap().push(rel_path.to_string());
        Ok(())
    }
}

#[test]
fn the_same_content_gives_the_same_bytes() {
    let site = bundled().site;
    let a = search::files(&site);
    let b = search::files(&bundled().site);
    assert_eq!(a, b);
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"search/manifest.json"));
    for (name, bytes) in &a {
        if let Some(hash) = name.strip_prefix("search/terms-") {
            let hash = hash.trim_end_matches(".bin");
            assert_eq!(hash, &shards::content_hash(bytes)[..12], "{name}");
        }
    }
}

#[test]
fn the_manifest_lists_every_shard_in_word_order() {
    let files = search::files(&bundled().site);
    let manifest = files
        .iter()
        .find(|(n, _)| n == "search/manifest.json")
        .map(|(_, b)| serde_json::from_slice::<serde_json::Value>(b).unwrap())
        .unwrap();
    let shards = manifest["shards"].as_array().unwrap();
    let firsts: Vec<&str> = shards.iter().map(|s| s[0].as_str().unwrap()).collect();
    assert!(firsts.windows(2).all(|w| w[0] < w[1]), "{firsts:?}");
    for s in shards {
        let file = format!("search/{}", s[1].as_str().unwrap());
        assert!(files.iter().any(|(n, _)| *n == file), "{file}");
    }
    let pages = manifest["pages"].as_u64().unwrap() as usize;
    let group = manifest["group"].as_u64().unwrap() as usize;
    let docs = manifest["docs"].as_str().unwrap();
    let groups = files
        .iter()
        .filter(|(n, _)| n.starts_with(&format!("search/{docs}")))
        .count();
    assert_eq!(groups, pages.div_ceil(group));
}

#[test]
fn disabled_search_writes_nothing() {
    let mut validated = bundled();
    validated.site.config.search.enable = false;
    let sink = Recorder::default();
    assert!(search::write_index(&validated.site, &sink).is_empty());
    assert!(sink.0.lock().unwrap().is_empty());
}

#[test]
fn sections_setting_limits_the_pages() {
    let mut validated = bundled();
    let all = search::collect::collect(&validated.site).documents.len();
    validated.site.config.search.sections = vec!["exercises".to_string()];
    let docs = search::collect::collect(&validated.site).documents;
    assert!(!docs.is_empty() && docs.len() < all);
    assert!(docs.iter().all(|d| d.url.starts_with("/exercises/")));
}

#[test]
fn search_keys_parse_and_unknown_ones_are_errors() {
    let text = r#"title = "T"
base_url = "https://example.org/"
[search]
enable = false
sections = ["conditions"]
[search.boosts]
title = 9.0
condition = 2.0
[search.synonyms]
"water tablets" = ["diuretics"]
"#;
    let config = Config::parse(SourceFile::new("site.toml", text.to_string())).unwrap();
    let s: &SearchConfig = &config.search;
    assert!(!s.enable);
    assert_eq!(s.sections, ["conditions"]);
    assert_eq!(
        (s.boosts.title, s.boosts.condition, s.boosts.body),
        (9.0, 2.0, 1.0)
    );
    assert_eq!(s.synonyms["water tablets"], ["diuretics"]);
    let bad = "title = \"T\"\nbase_url = \"https://e.org/\"\n[search]\nenabled = true\n";
    let err = Config::parse(SourceFile::new("site.toml", bad.to_string())).unwrap_err();
    assert!(
        err.message.contains("unknown key `enabled`"),
        "{}",
        err.message
    );
    assert_eq!(err.hint.as_deref(), Some("did you mean `enable`?"));
}
