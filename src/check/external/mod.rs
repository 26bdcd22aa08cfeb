//! `carebook check --external`: do the web addresses a site links to still
//! answer? The only part of carebook that uses the network, and only when
//! asked to.
//!
//! # Design
//!
//! - **What is checked**: every `http:`/`https:` link in a body
//!   ([`crate::markdown::DocumentText::external_links`]) and every
//!   `sources[].url` in front matter. Links are grouped by the address
//!   requested (without its `#fragment`), so each address is asked once, and
//!   every place it is written gets its own finding at its `file:line:col`.
//! - **Cache** ([`cache`]): answers that a link works, or that its site turns
//!   checkers away, are kept in `.carebook-cache/external-links.json` for
//!   `[check.external] cache_hours` (24), so a rerun does not ask again.
//! - **Politeness** ([`pace`]): at most `concurrency` (4) hosts are asked at
//!   once; each host is asked one request at a time, with `host_interval_ms`
//!   (1000) from the end of one request to the start of the next. Addresses
//!   are handed out per host, the hosts with most links first.
//! - **Requests** ([`request`]): HEAD, then GET when HEAD gets an error
//!   status; redirects are followed by hand, up to `max_redirects` (10);
//!   each request may take `timeout_secs` (15).
//! - **Findings**: the answer decides the rule, each with its own level:
//!
//!   | rule | default | when |
//!   |---|---|---|
//!   | `dead_link` | error | 404 or 410, no such host, connection refused, not a valid address |
//!   | `blocked_link` | warning | 403, 429 or 999: the site turns automated checkers away, so the page may well be there |
//!   | `unverified_link` | warning | anything else that is not a success: timeouts, server errors, other statuses, TLS failures, too many redirects, a name lookup that failed for the moment (no network) |

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::build::Progress;
use crate::diagnostic::{Diagnostic, Severity, SourceFile, Span};
use crate::site::Site;

use super::links::url_span;
use super::{Finding, Rule, documents, severity};

pub mod address;
pub mod cache;
pub mod pace;
pub mod request;

use address::{is_web, request_url};
use cache::{CACHE_FILE, Cache};
use request::Checker;

/// What asking about one address found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "lowercase")]
pub enum Outcome {
    /// A success status, after any redirects.
    Ok,
    /// The page or its host is gone; the text says how.
    Dead(String),
    /// The site turned the checker away.
    Blocked(String),
    /// No clear answer.
    Unverified(String),
}

/// How much `--external` did, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Distinct addresses checked.
    pub links: usize,
    /// Of those, how many were answered from the cache.
    pub cached: usize,
}

/// One place an address is written.
struct Place<'a> {
    source: &'a SourceFile,
    span: Span,
    written: &'a str,
    in_sources: bool,
}

/// Checks every external link of `site`, using and updating the cache under `root`.
/// `progress` is told about each address asked over the network.
pub fn check(site: &Site, root: &Path, progress: &dyn Progress) -> (Vec<Finding>, Summary) {
    let config = &site.config.check;
    if Rule::EXTERNAL
        .iter()
        .all(|rule| severity(rule.level(config)).is_none())
    {
        return (Vec::new(), Summary::default());
    }
    let targets = targets(site);
    let max_age = config.external.cache_hours.saturating_mul(3600);
    let cache_path = root.join(CACHE_FILE);
    let now = cache::now();
    let mut cache = if max_age > 0 {
        Cache::load(&cache_path)
    } else {
        Cache::default()
    };

    let mut outcomes: BTreeMap<&str, Outcome> = BTreeMap::new();
    let mut to_ask = Vec::new();
    for (url, places) in &targets {
        match cache.fresh(url, now, max_age) {
            Some(outcome) => {
                outcomes.insert(url, outcome.clone());
            }
            // Any place will do: they all request the same address.
            None => to_ask.push((url.as_str(), places[0].written)),
        }
    }
    let summary = Summary {
        links: targets.len(),
        cached: outcomes.len(),
    };
    let asked = ask_all(
        &Checker::new(&config.external),
        &to_ask,
        config.external.concurrency.get(),
        progress,
    );

    let mut findings = Vec::new();
    if max_age > 0 {
        for (url, outcome) in &asked {
            cache.record(url, outcome, now);
        }
        cache.prune(now, max_age);
        if let Err(e) = cache.save(&cache_path) {
            findings.push(cache_not_saved(&e));
        }
    }
    outcomes.extend(asked);
    for (url, places) in &targets {
        if let Some(outcome) = outcomes.get(url.as_str()) {
            findings.extend(
                places
                    .iter()
                    .filter_map(|place| finding(place, outcome, site)),
            );
        }
    }
    (findings, summary)
}

/// Every web address linked from the site, with the places it is written.
fn targets(site: &Site) -> BTreeMap<String, Vec<Place<'_>>> {
    let mut targets: BTreeMap<String, Vec<Place>> = BTreeMap::new();
    for document in documents(site) {
        for (url, span) in &document.doc.text.external_links {
            if is_web(url) {
                targets.entry(request_url(url)).or_default().push(Place {
                    source: document.source,
                    span: url_span(document.source, *span, url),
                    written: url,
                    in_sources: false,
                });
            }
        }
    }
    for page in &site.pages {
        for url in page.meta.sources.iter().filter_map(|s| s.url.as_deref()) {
            if is_web(url) {
                targets.entry(request_url(url)).or_default().push(Place {
                    source: &page.source,
                    span: page.spans.value(&page.source, "sources", url),
                    written: url,
                    in_sources: true,
                });
            }
        }
    }
    targets
}

/// Asks about every address, `concurrency` hosts at a time; one host's
/// addresses are asked one after another by the same thread.
fn ask_all<'a>(
    checker: &Checker,
    to_ask: &[(&'a str, &str)],
    concurrency: usize,
    progress: &dyn Progress,
) -> Vec<(&'a str, Outcome)> {
    let groups = by_host(to_ask);
    progress.start(to_ask.len() as u64);
    let next = AtomicUsize::new(0);
    let ask_groups = || {
        let mut answers = Vec::new();
        while let Some(group) = groups.get(next.fetch_add(1, Ordering::Relaxed)) {
            for &(url, written) in group {
                answers.push((url, checker.check(url, written)));
                progress.tick();
            }
        }
        answers
    };
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..concurrency.min(groups.len()))
            .map(|_| scope.spawn(ask_groups))
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The addresses grouped by host, the largest groups first: they take the
/// longest, so they should start first. Addresses with no host (not valid)
/// each make a group of their own; they are judged without the network.
fn by_host<'a, 'b>(to_ask: &[(&'a str, &'b str)]) -> Vec<Vec<(&'a str, &'b str)>> {
    let mut hosts: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    let mut groups = Vec::new();
    for &(url, written) in to_ask {
        match address::host(url) {
            Some(host) => hosts.entry(host).or_default().push((url, written)),
            None => groups.push(vec![(url, written)]),
        }
    }
    groups.extend(hosts.into_values());
    groups.sort_by_key(|group| std::cmp::Reverse(group.len()));
    groups
}

const DEAD_HINT: &str =
    "the page is gone: link to where it has moved or to an archived copy, or remove the link";
const BLOCKED_HINT: &str = "the site turns automated checkers away, so carebook cannot tell \
     whether the page is there: open the link in a browser to be sure";
const UNVERIFIED_HINT: &str = "the site gave no clear answer, which is often temporary: \
     run the check again later, or open the link in a browser";

/// The finding for one place an address is written, if its answer makes one
/// and the rule is not off.
fn finding(place: &Place, outcome: &Outcome, site: &Site) -> Option<Finding> {
    let (rule, detail, hint) = match outcome {
        Outcome::Ok => return None,
        Outcome::Dead(detail) => (Rule::DeadLink, detail, DEAD_HINT),
        Outcome::Blocked(detail) => (Rule::BlockedLink, detail, BLOCKED_HINT),
        Outcome::Unverified(detail) => (Rule::UnverifiedLink, detail, UNVERIFIED_HINT),
    };
    let severity = severity(rule.level(&site.config.check))?;
    let kind = match rule {
        Rule::DeadLink => "dead",
        Rule::BlockedLink => "blocked",
        _ => "unverified",
    };
    let in_sources = if place.in_sources {
        " in `sources`"
    } else {
        ""
    };
    let message = format!("{kind} link{in_sources}: {} ({detail})", place.written);
    Some(Finding {
        rule,
        diagnostic: Diagnostic::at(severity, place.source, place.span, message).with_hint(hint),
    })
}

/// A cache that cannot be written costs only time, so it is a warning.
fn cache_not_saved(error: &std::io::Error) -> Finding {
    let diagnostic = Diagnostic {
        severity: Severity::Warning,
        ..Diagnostic::file_error(CACHE_FILE, format!("cannot save the link cache: {error}"))
    }
    .with_hint("the next run will ask every site again; check that the site folder is writable");
    Finding {
        rule: Rule::Build,
        diagnostic,
    }
}
