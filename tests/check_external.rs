//! `carebook check --external`, against web servers the tests start on
//! 127.0.0.1 (see `common/web.rs`): every kind of answer and the finding it
//! makes, redirects, HEAD refused, pacing per host measured on the server's
//! own clock, the cache, the rules' levels, and that nothing is asked
//! without `--external`. No other address is ever contacted.

mod common;

use std::time::Duration;

use common::web::{WebServer, closed_port};
use common::{Run, SiteTest};

const TODAY: &str = "2026-11-23";

/// The fixture site with `content/a.md` holding `body`, and `settings`
/// appended to its `site.toml`.
fn site(body: &str, settings: &str) -> SiteTest {
    let site = SiteTest::fixture("check-external");
    let toml = format!("{}{settings}", site.read("site.toml"));
    site.with_file("site.toml", &toml).with_file(
        "content/a.md",
        &format!("---\ntitle: A page\nsummary: Just a page.\nkind: page\n---\n\n{body}"),
    )
}

fn check(site: &SiteTest, extra: &[&str]) -> Run {
    site.check_on(TODAY, extra)
}

fn headlines(run: &Run) -> Vec<&str> {
    run.headlines()
}

#[test]
fn each_answer_makes_its_finding() {
    let server = WebServer::start();
    let closed = format!("http://127.0.0.1:{}/x", closed_port());
    let links = [
        "/ok",
        "/missing",
        "/gone",
        "/forbidden",
        "/slow-down",
        "/no-robots",
        "/broken",
        "/moved",
        "/elsewhere",
        "/moved-away",
        "/head-refused",
    ];
    let mut body: String = links
        .iter()
        .map(|path| format!("- [link]({})\n", server.url(path)))
        .collect();
    body.push_str(&format!("- [closed]({closed})\n"));
    let run = check(&site(&body, ""), &["--external"]).fails();
    let url = |path| server.url(path);
    assert_eq!(
        headlines(&run),
        [
            format!(
                "content/a.md:8:10: error: dead link: {} (404 Not Found)",
                url("/missing")
            ),
            format!(
                "content/a.md:9:10: error: dead link: {} (410 Gone)",
                url("/gone")
            ),
            format!(
                "content/a.md:10:10: warning: blocked link: {} (403 Forbidden)",
                url("/forbidden")
            ),
            format!(
                "content/a.md:11:10: warning: blocked link: {} (429 Too Many Requests)",
                url("/slow-down")
            ),
            format!(
                "content/a.md:12:10: warning: blocked link: {} (status 999)",
                url("/no-robots")
            ),
            format!(
                "content/a.md:13:10: warning: unverified link: {} (503 Service Unavailable)",
                url("/broken")
            ),
            format!(
                "content/a.md:16:10: error: dead link: {} (404 Not Found at {})",
                url("/moved-away"),
                url("/missing")
            ),
            format!("content/a.md:18:12: error: dead link: {closed} (connection refused)"),
        ],
        "{}",
        run.stderr
    );
    run.stderr_has("= rule: dead_link (site.toml [check.dead_link])")
        .stderr_has("= rule: blocked_link (site.toml [check.blocked_link])")
        .stderr_has("= rule: unverified_link (site.toml [check.unverified_link])")
        .stderr_has("= hint: the page is gone")
        .stderr_has("Checked 12 external links.")
        .stderr_has("check failed: 4 error(s), 4 warning(s).");

    let lines = server.request_lines();
    let asked = |line: &str| lines.iter().filter(|l| *l == line).count();
    // HEAD first; GET only when HEAD is refused, and never after a 429.
    assert_eq!(asked("HEAD /ok"), 3, "{lines:?}"); // itself, /moved's and /elsewhere's target
    assert_eq!(asked("GET /ok"), 0, "{lines:?}");
    assert_eq!(asked("HEAD /head-refused"), 1, "{lines:?}");
    assert_eq!(asked("GET /head-refused"), 1, "{lines:?}");
    assert_eq!(asked("HEAD /slow-down"), 1, "{lines:?}");
    assert_eq!(asked("GET /slow-down"), 0, "{lines:?}");
    assert_eq!(asked("GET /missing"), 2, "{lines:?}"); // itself, and at the end of /moved-away
}

#[test]
fn sources_are_checked_and_found_at_their_line() {
    let server = WebServer::start();
    let site = SiteTest::fixture("check-external").with_file(
        "content/a.md",
        &format!(
            "---\ntitle: A page\nsummary: Just a page.\nkind: page\nsources:\n  - title: Old study\n    url: {}\n---\n\nText.\n",
            server.url("/gone")
        ),
    );
    let run = check(&site, &["--external"]).fails();
    assert_eq!(
        headlines(&run),
        [format!(
            "content/a.md:7:10: error: dead link in `sources`: {} (410 Gone)",
            server.url("/gone")
        )]
    );
}

#[test]
fn one_address_is_asked_once_wherever_it_is_written() {
    let server = WebServer::start();
    let missing = server.url("/missing");
    let body = format!("See [one]({missing}) and [two]({missing}#part).\n");
    let run = check(&site(&body, ""), &["--external"]).fails();
    assert_eq!(headlines(&run).len(), 2, "{}", run.stderr);
    run.stderr_has(&format!(
        "content/a.md:7:11: error: dead link: {missing} (404"
    ))
    .stderr_has(&format!(
        "content/a.md:7:53: error: dead link: {missing}#part (404"
    ))
    .stderr_has("Checked 1 external link.");
    assert_eq!(server.request_lines(), ["HEAD /missing", "GET /missing"]);
}

#[test]
fn redirects_are_followed_up_to_the_limit() {
    let server = WebServer::start();
    let body = format!("See [loop]({}).\n", server.url("/loop"));
    let run = check(&site(&body, "max_redirects = 3\n"), &["--external"]).succeeds();
    assert_eq!(
        headlines(&run),
        [format!(
            "content/a.md:7:12: warning: unverified link: {} (more than 3 redirects)",
            server.url("/loop")
        )]
    );
    assert_eq!(server.request_lines(), ["HEAD /loop"; 4]);
}

#[test]
fn a_server_that_never_answers_times_out() {
    // Listening but never accepting: the connection is made, no answer ever comes.
    let silent = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1");
    let url = format!("http://127.0.0.1:{}/x", silent.local_addr().unwrap().port());
    let body = format!("See [slow]({url}).\n");
    let run = check(&site(&body, "timeout_secs = 1\n"), &["--external"]).succeeds();
    assert_eq!(
        headlines(&run),
        [format!(
            "content/a.md:7:12: warning: unverified link: {url} (no answer within 1 s)"
        )]
    );
    drop(silent);
}

#[test]
fn requests_to_one_host_are_paced() {
    let server = WebServer::start();
    let body = format!(
        "- [a]({})\n- [b]({})\n- [c]({})\n",
        server.url("/ok"),
        server.url("/moved"),
        server.url("/head-refused"),
    );
    let site = site(&body, "").with_file(
        "site.toml",
        "title = \"Fixture\"\nbase_url = \"https://example.org/\"\n\n[check.insecure_link]\nlevel = \"off\"\n\n[check.external]\nhost_interval_ms = 300\nconcurrency = 4\n",
    );
    check(&site, &["--external"]).succeeds();
    let requests = server.requests();
    // /ok, /moved and its target, /head-refused by HEAD and by GET.
    assert_eq!(requests.len(), 5, "{requests:?}");
    for pair in requests.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= Duration::from_millis(300),
            "{} then {} only {gap:?} apart",
            pair[0].path,
            pair[1].path
        );
    }
}

#[test]
fn a_second_run_answers_from_the_cache() {
    let server = WebServer::start();
    let body = format!(
        "- [a]({})\n- [b]({})\n",
        server.url("/ok"),
        server.url("/forbidden")
    );
    let site = site(&body, "");
    let first = check(&site, &["--external"]).succeeds();
    let asked = server.requests().len();
    assert_eq!(asked, 3, "{:?}", server.request_lines()); // HEAD /ok, HEAD and GET /forbidden
    assert!(site.exists(".carebook-cache/external-links.json"));

    let second = check(&site, &["--external"]).succeeds().stderr_has(
        "Checked 2 external links, 2 of them from the cache (.carebook-cache/external-links.json).",
    );
    assert_eq!(
        server.requests().len(),
        asked,
        "the second run asked nothing"
    );
    assert_eq!(headlines(&first), headlines(&second));

    // Dead links are asked again every run, so a fix shows at once.
    let body = format!("{body}- [c]({})\n", server.url("/missing"));
    let site = site.with_file(
        "content/a.md",
        &format!("---\ntitle: A page\nsummary: Just a page.\nkind: page\n---\n\n{body}"),
    );
    check(&site, &["--external"]).fails();
    check(&site, &["--external"]).fails();
    assert_eq!(
        server.request_lines()[asked..],
        [
            "HEAD /missing",
            "GET /missing",
            "HEAD /missing",
            "GET /missing"
        ]
    );
}

#[test]
fn cache_hours_0_turns_the_cache_off() {
    let server = WebServer::start();
    let body = format!("See [a]({}).\n", server.url("/ok"));
    let site = site(&body, "cache_hours = 0\n");
    check(&site, &["--external"]).succeeds();
    check(&site, &["--external"]).succeeds();
    assert_eq!(server.request_lines(), ["HEAD /ok", "HEAD /ok"]);
    assert!(!site.exists(".carebook-cache"));
}

#[test]
fn each_rule_has_its_own_level() {
    let server = WebServer::start();
    let body = format!(
        "- [a]({})\n- [b]({})\n- [c]({})\n",
        server.url("/missing"),
        server.url("/forbidden"),
        server.url("/broken")
    );
    let settings = "\n[check.dead_link]\nlevel = \"warning\"\n\n[check.blocked_link]\nlevel = \"off\"\n\n[check.unverified_link]\nlevel = \"error\"\n";
    let run = check(&site(&body, settings), &["--external"]).fails();
    assert_eq!(
        headlines(&run),
        [
            format!(
                "content/a.md:7:7: warning: dead link: {} (404 Not Found)",
                server.url("/missing")
            ),
            format!(
                "content/a.md:9:7: error: unverified link: {} (503 Service Unavailable)",
                server.url("/broken")
            ),
        ]
    );
}

#[test]
fn all_three_rules_off_asks_nothing() {
    let server = WebServer::start();
    let body = format!("See [a]({}).\n", server.url("/missing"));
    let settings = "\n[check.dead_link]\nlevel = \"off\"\n\n[check.blocked_link]\nlevel = \"off\"\n\n[check.unverified_link]\nlevel = \"off\"\n";
    check(&site(&body, settings), &["--external"]).succeeds();
    assert!(server.requests().is_empty());
}

#[test]
fn nothing_is_asked_without_external() {
    let server = WebServer::start();
    let body = format!("See [a]({}).\n", server.url("/missing"));
    let site = site(&body, "");
    let run = check(&site, &["--format", "json"]).succeeds();
    let json: serde_json::Value = serde_json::from_slice(&run.output.stdout).expect("valid JSON");
    assert_eq!(json["external"], serde_json::Value::Null);
    assert_eq!(json["findings"], serde_json::json!([]));
    site.build().succeeds();
    assert!(server.requests().is_empty());
    assert!(!site.exists(".carebook-cache"));
}

#[test]
fn json_reports_external_findings_and_counts() {
    let server = WebServer::start();
    let body = format!("See [a]({}).\n", server.url("/gone"));
    let run = check(&site(&body, ""), &["--external", "--format", "json"]).fails();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_slice(&run.output.stdout).expect("valid JSON");
    assert_eq!(
        json["external"],
        serde_json::json!({"links": 1, "cached": 0})
    );
    assert_eq!(json["findings"][0]["rule"], "dead_link");
    assert_eq!(json["findings"][0]["line"], 7);
    assert_eq!(json["findings"][0]["column"], 9);
    let rules: Vec<&str> = json["summary"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["rule"].as_str())
        .collect();
    assert_eq!(
        rules[rules.len() - 3..],
        ["dead_link", "blocked_link", "unverified_link"]
    );
}

#[test]
fn an_unknown_external_setting_is_an_error_with_a_suggestion() {
    check(&site("Text.\n", "host_interval = 5\n"), &["--external"])
        .fails()
        .stderr_has("site.toml:10:1: error: unknown key `host_interval`")
        .stderr_has("= hint: did you mean `host_interval_ms`?");
    check(&site("Text.\n", "concurrency = 0\n"), &[])
        .fails()
        .stderr_has("site.toml:10:15: error: ");
}
