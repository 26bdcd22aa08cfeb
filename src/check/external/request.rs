//! Asking a server about one address: HEAD, then GET if HEAD is refused,
//! following redirects by hand so every hop is paced and counted.
//!
//! The client is ureq: blocking (checking threads sleep between requests
//! anyway, so an async runtime would buy nothing), with rustls and Mozilla's
//! root certificates built in, so checks behave the same on every machine.
//! It honours the usual proxy variables (`HTTPS_PROXY`, `NO_PROXY`…).
//! Response bodies are never read.

use std::io;
use std::time::Duration;

use ureq::Agent;
use ureq::http::{StatusCode, header};

use super::Outcome;
use super::address::{self, has_international_host};
use super::pace::Pace;
use crate::config::ExternalConfig;

/// Sent with every request, so site owners can tell who is asking.
const USER_AGENT: &str = concat!("carebook/", env!("CARGO_PKG_VERSION"), " (link checker)");

/// Checks addresses, sharing one [`Pace`] across threads.
pub struct Checker {
    agent: Agent,
    pace: Pace,
    max_redirects: u32,
    timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Head,
    Get,
}

/// The status that ended a chain of redirects, and the address that gave it.
struct Answer {
    status: u16,
    url: String,
}

impl Checker {
    pub fn new(config: &ExternalConfig) -> Checker {
        let timeout = Duration::from_secs(config.timeout_secs.get());
        let agent = Agent::config_builder()
            // A 404 is an answer to judge, not an error.
            .http_status_as_error(false)
            // Followed by hand: each hop is paced, counted and may change host.
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(USER_AGENT)
            .build()
            .new_agent();
        Checker {
            agent,
            pace: Pace::new(Duration::from_millis(config.host_interval_ms)),
            max_redirects: config.max_redirects,
            timeout,
        }
    }

    /// What `url` (an address from [`address::request_url`]) answers.
    /// `written` is the link as the author wrote it.
    pub fn check(&self, url: &str, written: &str) -> Outcome {
        if has_international_host(written) {
            return Outcome::Unverified("international domain names are not checked".to_string());
        }
        let head = match self.follow(Method::Head, url) {
            Ok(answer) => answer,
            Err(outcome) => return outcome,
        };
        // Many servers answer HEAD wrongly (405, 403, even 404) while a
        // browser's GET works, so a refusal is asked again with GET. Not a
        // 429: the server has just asked us to slow down.
        if is_success(head.status) || head.status == 429 {
            return judge(&head, url);
        }
        match self.follow(Method::Get, url) {
            Ok(answer) => judge(&answer, url),
            Err(outcome) => outcome,
        }
    }

    /// Requests `url`, following up to `max_redirects` redirects.
    fn follow(&self, method: Method, url: &str) -> Result<Answer, Outcome> {
        let mut current = url.to_string();
        let mut redirects = 0;
        loop {
            let (status, location) = self.request(method, &current)?;
            let Some(location) = location.filter(|_| is_redirect(status)) else {
                return Ok(Answer {
                    status,
                    url: current,
                });
            };
            if redirects == self.max_redirects {
                return Err(Outcome::Unverified(format!(
                    "more than {} redirects",
                    self.max_redirects
                )));
            }
            redirects += 1;
            current = address::resolve_location(&current, &location).ok_or_else(|| {
                Outcome::Unverified(format!(
                    "redirected to `{location}`, which is not a web address"
                ))
            })?;
        }
    }

    /// One request, in its host's turn: the status and any `Location`.
    fn request(&self, method: Method, url: &str) -> Result<(u16, Option<String>), Outcome> {
        let host = address::host(url)
            .ok_or_else(|| Outcome::Dead("not a valid web address".to_string()))?;
        // Declared before the response, so dropped after it: the host's pause
        // starts once this connection is finished with.
        let _turn = self.pace.turn(&host);
        let response = match method {
            Method::Head => self.agent.head(url).call(),
            Method::Get => self.agent.get(url).call(),
        }
        .map_err(|e| classify_error(&e, self.timeout))?;
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        Ok((response.status().as_u16(), location))
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The outcome of a final status. `url` is the address first asked, so an
/// answer from elsewhere says where it came from.
fn judge(answer: &Answer, url: &str) -> Outcome {
    let mut detail = describe_status(answer.status);
    if is_redirect(answer.status) {
        detail.push_str(" without a Location");
    }
    if answer.url != url {
        detail = format!("{detail} at {}", answer.url);
    }
    classify_status(answer.status, detail)
}

/// Which finding, if any, a final status makes.
fn classify_status(status: u16, detail: String) -> Outcome {
    match status {
        200..=299 => Outcome::Ok,
        404 | 410 => Outcome::Dead(detail),
        // 999 is LinkedIn's (and others') "no robots".
        403 | 429 | 999 => Outcome::Blocked(detail),
        _ => Outcome::Unverified(detail),
    }
}

/// What a failed name lookup means, if `e` is one. std reports the C
/// library's `getaddrinfo` failures as "failed to lookup address
/// information: …" in the library's own words. A temporary failure (no
/// network, a name server down: `EAI_AGAIN`, "Temporary failure in name
/// resolution" in glibc, "Try again" in musl) says nothing about the link;
/// any other (`EAI_NONAME`, "Name or service not known") means there is no
/// such host.
fn lookup_failure(e: &io::Error) -> Option<Outcome> {
    let message = e.to_string();
    let detail = message.strip_prefix("failed to lookup address information: ")?;
    let lower = detail.to_ascii_lowercase();
    Some(
        if lower.contains("temporary") || lower.contains("try again") {
            Outcome::Unverified(format!("its host name could not be looked up: {detail}"))
        } else {
            Outcome::Dead("no such host".to_string())
        },
    )
}

/// `404 Not Found`, or `status 999` for a code with no standard name.
fn describe_status(status: u16) -> String {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map_or_else(
            || format!("status {status}"),
            |reason| format!("{status} {reason}"),
        )
}

/// Which finding a failed request makes: a host that does not exist or
/// refuses connections is dead; anything that may pass (timeouts, TLS,
/// broken answers, a name server that cannot be reached) is unverified.
fn classify_error(error: &ureq::Error, timeout: Duration) -> Outcome {
    match error {
        ureq::Error::HostNotFound => Outcome::Dead("no such host".to_string()),
        ureq::Error::Io(e) => classify_io_error(e, timeout),
        ureq::Error::Timeout(_) => timed_out(timeout),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            Outcome::Dead("not a valid web address".to_string())
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
            Outcome::Unverified(format!("no secure connection: {error}"))
        }
        other => Outcome::Unverified(other.to_string()),
    }
}

fn classify_io_error(e: &io::Error, timeout: Duration) -> Outcome {
    if let Some(outcome) = lookup_failure(e) {
        return outcome;
    }
    match e.kind() {
        io::ErrorKind::ConnectionRefused => Outcome::Dead("connection refused".to_string()),
        io::ErrorKind::TimedOut => timed_out(timeout),
        _ => Outcome::Unverified(e.to_string()),
    }
}

fn timed_out(timeout: Duration) -> Outcome {
    Outcome::Unverified(format!("no answer within {} s", timeout.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_make_the_documented_findings() {
        let outcome = |status| classify_status(status, describe_status(status));
        assert_eq!(outcome(200), Outcome::Ok);
        assert_eq!(outcome(204), Outcome::Ok);
        assert_eq!(outcome(404), Outcome::Dead("404 Not Found".into()));
        assert_eq!(outcome(410), Outcome::Dead("410 Gone".into()));
        assert_eq!(outcome(403), Outcome::Blocked("403 Forbidden".into()));
        assert_eq!(
            outcome(429),
            Outcome::Blocked("429 Too Many Requests".into())
        );
        assert_eq!(outcome(999), Outcome::Blocked("status 999".into()));
        assert_eq!(
            outcome(503),
            Outcome::Unverified("503 Service Unavailable".into())
        );
        assert_eq!(outcome(401), Outcome::Unverified("401 Unauthorized".into()));
    }

    #[test]
    fn errors_make_the_documented_findings() {
        let timeout = Duration::from_secs(15);
        assert_eq!(
            classify_error(&ureq::Error::HostNotFound, timeout),
            Outcome::Dead("no such host".into())
        );
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(
            classify_error(&ureq::Error::Io(refused), timeout),
            Outcome::Dead("connection refused".into())
        );
        assert_eq!(
            classify_error(&ureq::Error::Timeout(ureq::Timeout::Global), timeout),
            Outcome::Unverified("no answer within 15 s".into())
        );
        let lookup = |detail: &str| {
            let e = io::Error::other(format!("failed to lookup address information: {detail}"));
            classify_error(&ureq::Error::Io(e), timeout)
        };
        assert_eq!(
            lookup("Name or service not known"),
            Outcome::Dead("no such host".into())
        );
        assert_eq!(
            lookup("Temporary failure in name resolution"),
            Outcome::Unverified(
                "its host name could not be looked up: Temporary failure in name resolution".into()
            )
        );
        assert!(matches!(lookup("Try again"), Outcome::Unverified(_)));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert!(matches!(
            classify_error(&ureq::Error::Io(reset), timeout),
            Outcome::Unverified(_)
        ));
    }

    #[test]
    fn an_answer_from_a_redirect_says_where_it_came_from() {
        let answer = Answer {
            status: 404,
            url: "https://e.org/new".into(),
        };
        assert_eq!(
            judge(&answer, "https://e.org/old"),
            Outcome::Dead("404 Not Found at https://e.org/new".into())
        );
        let no_location = Answer {
            status: 302,
            url: "https://e.org/a".into(),
        };
        assert_eq!(
            judge(&no_location, "https://e.org/a"),
            Outcome::Unverified("302 Found without a Location".into())
        );
    }

    #[test]
    fn international_hosts_and_bad_addresses_are_judged_without_the_network() {
        let checker = Checker::new(&ExternalConfig::default());
        assert!(matches!(
            checker.check("https://b%C3%BCcher.de/", "https://bücher.de/"),
            Outcome::Unverified(_)
        ));
        assert_eq!(
            checker.check("https://", "https://"),
            Outcome::Dead("not a valid web address".into())
        );
    }
}
