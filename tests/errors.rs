//! Every bad input gets its own fixture and a test asserting the exact
//! message and its `file:line:col`, and that nothing was written.

mod common;

use common::SiteTest;

fn fails_with(fixture: &str, headline: &str) {
    let site = SiteTest::fixture(fixture);
    site.build()
        .fails()
        .stderr_has(headline)
        .stderr_has("= hint: ");
    assert!(
        !site.exists("public"),
        "a failed build must not create output"
    );
}

#[test]
fn invalid_yaml_points_at_the_unclosed_list() {
    fails_with(
        "invalid-yaml",
        "content/bad.md:3:7: error: invalid front matter: did not find expected ',' or ']' (in the flow sequence that starts here)",
    );
}

#[test]
fn unknown_front_matter_key_suggests_the_right_one() {
    let site = SiteTest::fixture("unknown-key");
    site.build()
        .fails()
        .stderr_has("content/bad.md:3:1: error: unknown front-matter key `sumary`")
        .stderr_has("= hint: did you mean `summary`?");
}

#[test]
fn missing_title() {
    fails_with(
        "missing-title",
        "content/bad.md:1:1: error: the page has no `title`",
    );
}

#[test]
fn wrong_type_points_at_the_value() {
    fails_with(
        "wrong-type",
        "content/bad.md:3:9: error: invalid front matter: weight: invalid type: string \"heavy\", expected i64",
    );
}

#[test]
fn unknown_condition_slug_points_at_the_list_item() {
    let site = SiteTest::fixture("unknown-condition");
    site.build()
        .fails()
        .stderr_has("content/bad.md:5:5: error: unknown condition `sciatca` in `conditions`")
        .stderr_has("= hint: did you mean `sciatica`?");
}

#[test]
fn all_broken_links_are_reported_in_one_run() {
    let site = SiteTest::fixture("broken-link");
    let run = site
        .build()
        .fails()
        .stderr_has(
            "content/a.md:7:12: error: broken link: there is no page content/conditions/missing.md",
        )
        .stderr_has("content/b.md:5:8: error: broken link: no page has the slug `sciatca`")
        .stderr_has("= hint: did you mean `[[sciatica]]`?");
    assert_eq!(run.error_count(), 2);
}

#[test]
fn broken_anchor_names_target_and_suggests_heading() {
    let site = SiteTest::fixture("broken-anchor");
    site.build()
        .fails()
        .stderr_has("content/a.md:5:21: error: broken anchor: content/conditions/sciatica.md has no heading `#symptom`")
        .stderr_has("= hint: did you mean `#symptoms`?");
}

#[test]
fn duplicate_slug_names_both_files() {
    fails_with(
        "duplicate-slug",
        "content/treatments/sciatica.md:1:1: error: duplicate slug `sciatica`: content/conditions/sciatica.md has the same one",
    );
}

#[test]
fn non_utf8_file_points_at_the_bad_byte() {
    let site = SiteTest::fixture("non-utf8")
        .with_bytes("content/latin1.md", b"---\ntitle: Caf\xe9\n---\n");
    site.build()
        .fails()
        .stderr_has("content/latin1.md:2:11: error: the file is not valid UTF-8 (byte 0xE9)")
        .stderr_has("= hint: save the file as UTF-8");
}

#[test]
fn template_syntax_error_names_template_and_line() {
    fails_with(
        "template-error",
        "templates/page.html:3:19: error: template syntax error: Found `}` but expected }}.",
    );
}

#[test]
fn unknown_site_toml_key_names_key_line_and_valid_keys() {
    let site = SiteTest::fixture("unknown-config-key");
    site.build()
        .fails()
        .stderr_has(
            "site.toml:3:1: error: unknown key `theem`, expected one of `title`, `base_url`",
        )
        .stderr_has("= hint: did you mean `theme`?");
}

#[test]
fn output_dir_that_would_destroy_sources_is_refused() {
    let site = SiteTest::fixture("minimal");
    for dir in [
        ".",
        "content",
        "themes",
        "themes/default",
        "content/out",
        "..",
    ] {
        site.run(&["build", "--output-dir", dir])
            .fails()
            .stderr_has("error: refusing to build into");
    }
    assert!(site.exists("content/a.md") && site.exists("themes/default/templates/base.html"));
}

#[test]
fn failed_build_leaves_previous_output_intact() {
    let site = SiteTest::fixture("minimal");
    site.build().succeeds();
    let before = site.read("public/a/index.html");
    let site = site.with_file(
        "content/a.md",
        "---\ntitle: A page\nweight: heavy\n---\n\nChanged.\n",
    );
    site.build()
        .fails()
        .stderr_has("the previous output is unchanged");
    assert_eq!(site.read("public/a/index.html"), before);
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".carebook"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn check_reports_errors_and_writes_nothing() {
    let site = SiteTest::fixture("broken-link");
    let run = site.check().fails().stderr_has("check failed: ");
    // The content checks report too (the fixture's pages have no review details).
    assert_eq!(run.stderr.matches(": error: broken link").count(), 2);
    assert!(!site.exists("public"));
}

#[test]
fn missing_site_toml_is_a_usage_hint() {
    let site = SiteTest::empty();
    site.build()
        .fails()
        .stderr_has("site.toml: error: cannot read the site configuration")
        .stderr_has("carebook init");
}

#[test]
fn a_page_with_bad_front_matter_gives_one_error_not_one_per_link_to_it() {
    let site = SiteTest::fixture("unknown-condition").with_file(
        "content/conditions/sciatica.md",
        "---\ntitle: [unclosed\nkind: condition\n---\n",
    );
    let site = site.with_file(
        "content/links.md",
        "---\ntitle: Links\n---\n\nSee [[sciatica]] and [it](conditions/sciatica.md).\n",
    );
    let run = site
        .build()
        .fails()
        .stderr_has("content/conditions/sciatica.md:2:8: error: invalid front matter");
    // bad.md lists `sciatica` and `sciatca`: only the typo is reported.
    let run = run.stderr_has("content/bad.md:5:5: error: unknown condition `sciatca`");
    assert_eq!(run.error_count(), 2, "{}", run.stderr);
}
