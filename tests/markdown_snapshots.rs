//! Snapshot tests of rendered Markdown: alerts, headings, tables, footnotes
//! and resolved links, exactly as templates receive them.

mod common;

use carebook::build::{BuildOptions, validate};
use common::SiteTest;

/// The rendered body HTML of the page at `rel_path` in a fixture site.
fn rendered(fixture: &str, rel_path: &str) -> String {
    let site = SiteTest::fixture(fixture);
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let validated = validate(&options)
        .unwrap_or_else(|d| panic!("{:?}", d.iter().map(|d| d.render()).collect::<Vec<_>>()));
    let index = validated
        .site
        .pages
        .iter()
        .position(|p| p.rel_path == rel_path)
        .expect("page exists");
    validated.site.page_docs[index].html.clone()
}

#[test]
fn alerts_tables_footnotes_and_task_lists() {
    insta::assert_snapshot!(rendered("markdown-features", "a.md"));
}

#[test]
fn headings_and_links() {
    insta::assert_snapshot!(rendered("cross-links", "treatments/home-care.md"));
    insta::assert_snapshot!(rendered("cross-links", "conditions/sciatica.md"));
}
