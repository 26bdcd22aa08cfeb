//! `carebook check`: one fixture per content rule, each with exactly one
//! finding, asserted by its message and `file:line:col`; the levels set in
//! `site.toml`; the JSON report; the due list; builds that only warn; and the
//! bundled guide, which passes with no finding at all.
//!
//! Every run passes `--today 2026-11-23` so review dates never rot.

mod common;

use common::{Run, SiteTest};

const TODAY: &str = "2026-11-23";

fn check(site: &SiteTest, extra: &[&str]) -> Run {
    site.check_on(TODAY, extra)
}

fn headlines(run: &Run) -> Vec<&str> {
    run.headlines()
}

fn stdout(run: &Run) -> String {
    String::from_utf8_lossy(&run.output.stdout).into_owned()
}

/// Runs `check` on a fixture and asserts its only finding is `headline`.
fn only_finding(fixture: &str, extra: &[&str], headline: &str) -> Run {
    let site = SiteTest::fixture(fixture);
    let run = check(&site, extra);
    let expected_code = if headline.contains(": error: ") { 1 } else { 0 };
    let run = run.exits_with(expected_code);
    assert_eq!(headlines(&run), [headline], "stderr:\n{}", run.stderr);
    run.stderr_has("= hint: ")
}

#[test]
fn draft_link() {
    only_finding(
        "check-draft-link",
        &["--drafts"],
        "content/a.md:9:18: error: link to a draft page: content/secret.md is a draft",
    )
    .stderr_has("= rule: draft_link (site.toml [check.draft_link])");
}

#[test]
fn orphan_page() {
    only_finding(
        "check-orphan-page",
        &[],
        "content/b.md:2:1: warning: orphan page: no other page links to it",
    )
    .stderr_has("e.g. `[[b]]`");
}

#[test]
fn image_without_alt_text() {
    only_finding(
        "check-image-alt",
        &[],
        "content/a.md:11:1: error: image without alt text",
    );
}

#[test]
fn insecure_link() {
    only_finding(
        "check-insecure-link",
        &[],
        "content/a.md:9:20: warning: insecure link: http://example.org/back",
    );
}

#[test]
fn readability_grade() {
    only_finding(
        "check-readability",
        &[],
        "content/a.md:2:1: warning: hard to read: Flesch-Kincaid grade 9.3, above the limit of 8",
    )
    .stderr_has("= hint: the hardest paragraph is at line 11 (grade 16.3)");
}

#[test]
fn readability_thresholds_are_configurable() {
    let site = SiteTest::fixture("check-readability").with_file(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\n\n[check.readability]\nmax_grade = 10\nmax_smog = 3\nmin_reading_ease = 90\nmax_long_sentence_share = 0.5\n",
    );
    let run = check(&site, &[]).succeeds();
    assert_eq!(
        headlines(&run),
        [
            "content/a.md:2:1: warning: hard to read: 67% of sentences have more than 25 words, above the limit of 50%",
            "content/a.md:2:1: warning: hard to read: Flesch reading ease 87.6, below the minimum of 90",
            "content/a.md:2:1: warning: hard to read: SMOG grade 3.1, above the limit of 3",
        ]
    );
}

#[test]
fn review_fields() {
    only_finding(
        "check-review-fields",
        &[],
        "content/a.md:1:1: error: clinical article page without review details: missing `sources`",
    );
}

#[test]
fn review_overdue() {
    only_finding(
        "check-review-overdue",
        &[],
        "content/a.md:5:13: error: review overdue: `review_due` 2026-10-01 passed 53 days ago",
    );
}

#[test]
fn review_due_soon() {
    only_finding(
        "check-review-due-soon",
        &[],
        "content/a.md:5:13: warning: review due soon: `review_due` 2026-12-23 is in 30 days",
    );
}

#[test]
fn review_interval() {
    only_finding(
        "check-review-interval",
        &[],
        "content/a.md:5:13: warning: review interval too long: `review_due` 2030-11-01 is more than 3 years after `reviewed` 2026-11-01",
    );
}

#[test]
fn date_order() {
    only_finding(
        "check-date-order",
        &[],
        "content/a.md:6:10: error: `updated` 2026-09-01 is before `date` 2026-10-01",
    );
}

#[test]
fn multiple_h1() {
    only_finding(
        "check-multiple-h1",
        &[],
        "content/a.md:11:1: warning: more than one H1: the title is already the page's H1",
    );
}

#[test]
fn skipped_heading_level() {
    only_finding(
        "check-heading-levels",
        &[],
        "content/a.md:11:1: warning: skipped heading level: H4 after an H2",
    )
    .stderr_has("= hint: use `###` here");
}

#[test]
fn empty_section() {
    only_finding(
        "check-empty-section",
        &[],
        "content/a.md:7:1: warning: empty section: `## Part one` has nothing under it",
    );
}

#[test]
fn duplicate_title() {
    only_finding(
        "check-duplicate-title",
        &[],
        "content/b.md:2:1: warning: duplicate title: content/a.md has the same title",
    );
}

#[test]
fn summary_length() {
    only_finding(
        "check-summary-length",
        &[],
        "content/a.md:3:1: warning: summary too long: 236 characters, above the limit of 200",
    );
}

#[test]
fn emergency_card_with_too_many_links() {
    only_finding(
        "check-emergency-card",
        &[],
        "content/a.md:9:1: warning: emergency card with 2 links, above the limit of 1",
    );
}

#[test]
fn condition_page_without_the_red_flag_link() {
    only_finding(
        "check-red-flags-link",
        &[],
        "content/conditions/strain.md:2:1: error: condition page without a link to the red-flag page `red-flags`",
    )
    .stderr_has("= hint: add a line such as `See [[red-flags]] for the signs that need urgent care.`");
}

#[test]
fn red_flags_page_naming_no_page_points_at_site_toml() {
    let site = SiteTest::fixture("check-red-flags-link").with_file(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\n\n[check]\nred_flags_page = \"red-flag\"\n",
    );
    check(&site, &[])
        .fails()
        .stderr_has("site.toml:5:18: error: `red_flags_page` names no page: `red-flag`")
        .stderr_has("= hint: did you mean `red-flags`?");
}

#[test]
fn a_rule_set_to_off_reports_nothing() {
    let site = SiteTest::fixture("check-orphan-page").with_file(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\n\n[check.orphan_page]\nlevel = \"off\"\n",
    );
    let run = check(&site, &[])
        .succeeds()
        .stderr_has("Check passed: 0 warning(s).");
    assert!(headlines(&run).is_empty(), "{}", run.stderr);
}

#[test]
fn a_rule_set_to_error_fails_the_check_but_not_the_build() {
    let site = SiteTest::fixture("check-orphan-page").with_file(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\n\n[check.orphan_page]\nlevel = \"error\"\n",
    );
    let run = check(&site, &[])
        .fails()
        .stderr_has("check failed: 1 error(s), 0 warning(s).");
    assert_eq!(
        headlines(&run),
        ["content/b.md:2:1: error: orphan page: no other page links to it"]
    );
    site.build()
        .succeeds()
        .stderr_has("content/b.md:2:1: warning: orphan page: no other page links to it");
}

#[test]
fn an_error_rule_is_only_a_warning_in_a_build() {
    let site = SiteTest::fixture("check-review-overdue");
    let build = site
        .run(&["build"])
        .succeeds()
        .stderr_has("content/a.md:5:13: warning: review overdue: `review_due` 2026-10-01 passed")
        .stderr_has("Built 1 pages");
    assert_eq!(build.error_count(), 0, "{}", build.stderr);
    assert!(site.exists("public/a/index.html"));
}

#[test]
fn an_unknown_rule_in_site_toml_is_an_error_with_a_suggestion() {
    let site = SiteTest::fixture("check-orphan-page").with_file(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\n\n[check.orphan_pages]\nlevel = \"off\"\n",
    );
    check(&site, &[])
        .fails()
        .stderr_has("site.toml:4:8: error: unknown key `orphan_pages`")
        .stderr_has("= hint: did you mean `orphan_page`?");
}

#[test]
fn an_unknown_level_is_an_error() {
    let site = SiteTest::fixture("check-orphan-page").with_file(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\n\n[check.orphan_page]\nlevel = \"loud\"\n",
    );
    check(&site, &[]).fails().stderr_has(
        "site.toml:5:9: error: unknown variant `loud`, expected one of `off`, `warning`, `error`",
    );
}

#[test]
fn text_output_ends_with_a_summary_table() {
    let site = SiteTest::fixture("check-review-overdue");
    check(&site, &[]).fails().stderr_has(
        "rule            errors  warnings\n\
         review_overdue       1         0\n\
         total                1         0\n\
         check failed: 1 error(s), 0 warning(s).\n",
    );
}

#[test]
fn findings_of_the_build_and_of_the_checks_are_reported_together() {
    let site = SiteTest::fixture("check-orphan-page").with_file(
        "content/a.md",
        "---\ntitle: A page\nsummary: Just a page.\nkind: page\n---\n\nSee [[missing]].\n",
    );
    let run = check(&site, &[]).fails();
    assert_eq!(
        headlines(&run),
        [
            "content/a.md:7:7: error: broken link: no page has the slug `missing`",
            "content/b.md:2:1: warning: orphan page: no other page links to it",
        ]
    );
    run.stderr_has("build             1         0\norphan_page       0         1\n");
}

#[test]
fn json_report_follows_the_documented_schema() {
    let site = SiteTest::fixture("check-review-overdue");
    let run = check(&site, &["--format", "json"]).fails();
    assert!(
        run.stderr.is_empty(),
        "JSON mode prints nothing else: {}",
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&run)).expect("valid JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["today"], TODAY);
    assert_eq!(
        json["findings"],
        serde_json::json!([{
            "rule": "review_overdue",
            "severity": "error",
            "file": "content/a.md",
            "line": 5,
            "column": 13,
            "message": "review overdue: `review_due` 2026-10-01 passed 53 days ago",
            "hint": "have a clinician review the page, then update `reviewed`, `reviewed_by` and `review_due`",
        }])
    );
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["warnings"], 0);
    let rules = json["summary"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 21);
    assert!(rules.contains(&serde_json::json!(
        {"rule": "review_overdue", "level": "error", "errors": 1, "warnings": 0}
    )));
    assert_eq!(
        json["due"],
        serde_json::json!([{
            "file": "content/a.md",
            "title": "A page",
            "review_due": "2026-10-01",
            "days_left": -53,
            "reviewed_by": "Jordan Lee, physiotherapist",
        }])
    );
    let page = &json["pages"][0];
    assert_eq!(page["file"], "content/a.md");
    assert_eq!(page["words"], 3);
    assert!(page["flesch_kincaid_grade"].is_number());
}

#[test]
fn due_lists_pages_due_for_review_soonest_first() {
    let site = SiteTest::fixture("check-review-due-soon").with_file(
        "content/b.md",
        "---\ntitle: B page\nsummary: Another.\nreviewed: 2025-11-01\nreview_due: 2026-11-01\nreviewed_by: Sam Green, physiotherapist\nsources:\n  - title: A book\n---\n\n## Part one\n\nSee [[a]].\n",
    );
    let run = check(&site, &["--due"]).fails();
    assert_eq!(
        stdout(&run),
        "Due for review by 2027-01-22 (2 pages):\n\
         2026-11-01  overdue by 22 days  content/b.md  B page\n\
         2026-12-23  in 30 days          content/a.md  A page\n"
    );
    // --today moves the window: nothing is due before either date.
    let early = site.run(&["check", "--today", "2025-12-01", "--due"]);
    assert_eq!(stdout(&early), "No page is due for review by 2026-01-30.\n");
}

#[test]
fn bad_today_is_a_usage_error() {
    SiteTest::fixture("check-orphan-page")
        .run(&["check", "--today", "23/11/2026"])
        .exits_with(2)
        .stderr_has("`23/11/2026` is not a date");
}

#[test]
fn the_bundled_guide_passes_with_no_errors_and_no_warnings() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_carebook"))
        .args([
            "check", "--root", root, "--today", TODAY, "--format", "json",
        ])
        .output()
        .expect("run carebook");
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("valid JSON report");
    assert_eq!(
        json["findings"],
        serde_json::json!([]),
        "{:#}",
        json["findings"]
    );
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["warnings"], 0);
    assert!(output.status.success());
    // Every page is graded, and graded as plain language.
    let pages = json["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 49);
    for page in pages {
        let grade = page["flesch_kincaid_grade"].as_f64().expect("graded");
        assert!(grade <= 8.0, "{page}");
    }
    // The red-flag rule is on: every condition page links to the red-flag page.
    let levels: Vec<&serde_json::Value> = json["summary"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["rule"] == "red_flags_link")
        .collect();
    assert_eq!(levels[0]["level"], "error");
}

#[test]
fn builds_count_review_dates_from_source_date_epoch() {
    let site = SiteTest::fixture("check-review-due-soon");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_carebook"))
        .arg("build")
        .current_dir(site.root())
        .env("SOURCE_DATE_EPOCH", "1795392000") // 2026-11-23
        .output()
        .expect("run carebook");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "content/a.md:5:13: warning: review due soon: `review_due` 2026-12-23 is in 30 days"
        ),
        "{stderr}"
    );
}

/// `carebook check … | head -1`: the reader goes away before the report is
/// written. Here its end of the pipe is closed before the run even starts,
/// so the write is sure to meet a closed pipe.
fn run_into_closed_pipe(site: &SiteTest, args: &[&str], stderr_too: bool) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_carebook"));
    command.args(args).current_dir(site.root());
    if stderr_too {
        command.stderr(writer.try_clone().expect("a second handle"));
    } else {
        command.stderr(std::process::Stdio::piped());
    }
    command.stdout(writer).output().expect("run carebook")
}

#[test]
fn a_closed_stdout_ends_the_json_report_quietly() {
    let site = SiteTest::fixture("check-review-overdue");
    let output = run_into_closed_pipe(
        &site,
        &["check", "--today", TODAY, "--format", "json"],
        false,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    // The check's own exit code: the fixture has an error.
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_closed_pipe_on_stdout_and_stderr_ends_the_text_report_quietly() {
    // `carebook check --due 2>&1 | head -1`: findings, table and due list all meet the closed pipe.
    let site = SiteTest::fixture("check-review-overdue");
    let output = run_into_closed_pipe(&site, &["check", "--today", TODAY, "--due"], true);
    assert_eq!(output.status.code(), Some(1), "not a panic (101)");
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_is_a_failure() {
    // Unlike a reader that left, a full disk loses the report: CI must notice.
    let site = SiteTest::fixture("check-orphan-page");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_carebook"))
        .args(["check", "--today", TODAY, "--format", "json"])
        .current_dir(site.root())
        .stdout(full)
        .output()
        .expect("run carebook");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: cannot write the report to stdout: "),
        "{stderr}"
    );
}
