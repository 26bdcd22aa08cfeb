//! Web addresses as authors write them, made ready to request: which links
//! are checked, what is sent, which host a request is paced by, and where a
//! redirect leads.

use std::fmt::Write as _;

/// Whether `url` is a web address (`http:` or `https:`, any case): the only
/// links `--external` checks. `mailto:`, `tel:` and the like are left alone.
pub fn is_web(url: &str) -> bool {
    scheme(url).is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

/// The scheme of an absolute address (`https` in `https://…`), as RFC 3986 spells schemes.
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some(scheme)
}

/// The address to request for a link as written: without its `#fragment`
/// (browsers never send it, and it must not make two links to one page two
/// requests), with spaces and non-ASCII characters percent-encoded the way a
/// browser sends them.
pub fn request_url(written: &str) -> String {
    let without_fragment = written.trim().split('#').next().unwrap_or_default();
    let mut out = String::with_capacity(without_fragment.len());
    for c in without_fragment.chars() {
        if c.is_ascii_graphic() && !"\"<>\\^`{|}".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// The host part of an address (`example.org` in `https://user@example.org:8443/x`).
fn authority_host(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_and_port.starts_with('[') {
        // An IPv6 literal keeps its colons: `[::1]:8080`.
        host_and_port
            .find(']')
            .map_or(host_and_port, |i| &host_and_port[..=i])
    } else {
        host_and_port.split(':').next().unwrap_or_default()
    };
    (!host.is_empty()).then_some(host)
}

/// Whether the host as written has non-ASCII letters (`https://bücher.de/`):
/// such names must be converted to punycode before they can be looked up,
/// which carebook does not do, so these links are not judged.
pub fn has_international_host(written: &str) -> bool {
    authority_host(written).is_some_and(|host| !host.is_ascii())
}

/// The host a request goes to, lowercased: requests are paced per host. The
/// port is left out on purpose: two ports of one name are one machine to be
/// polite to. `None` when the address cannot be requested at all.
pub fn host(url: &str) -> Option<String> {
    if !is_web(url) {
        return None;
    }
    let uri: ureq::http::Uri = url.parse().ok()?;
    uri.host().map(str::to_ascii_lowercase)
}

/// Where a redirect from `base` to `location` leads, as an address to
/// request; `None` when it leads somewhere that is not a web address.
///
/// `Location` is usually absolute, but may be relative to the address
/// answered (RFC 9110 §10.2.2): `//host/x`, `/x`, `x` or `?q`. Dot segments
/// (`../x`) are left for the server to resolve, as they are valid in a request.
pub fn resolve_location(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if scheme(location).is_some() {
        return is_web(location).then(|| request_url(location));
    }
    let (base_scheme, rest) = base.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = &base[..base_scheme.len() + "://".len() + authority_end];
    let path_and_query = &rest[authority_end..];
    let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
    let resolved = if location.starts_with("//") {
        format!("{base_scheme}:{location}")
    } else if location.starts_with('/') {
        format!("{origin}{location}")
    } else if location.starts_with('?') {
        format!("{origin}{path}{location}")
    } else if location.is_empty() || location.starts_with('#') {
        base.to_string()
    } else {
        let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
        format!("{origin}{dir}{location}")
    };
    Some(request_url(&resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_are_checked() {
        assert!(is_web("https://example.org/"));
        assert!(is_web("HTTP://EXAMPLE.ORG"));
        assert!(!is_web("mailto:clinic@example.org"));
        assert!(!is_web("tel:+15550100"));
        assert!(!is_web("ftp://example.org/"));
        assert!(!is_web("../a.md"));
        assert!(!is_web("https"));
    }

    #[test]
    fn request_url_drops_the_fragment_and_encodes_like_a_browser() {
        assert_eq!(
            request_url("https://e.org/a?b=c#part"),
            "https://e.org/a?b=c"
        );
        assert_eq!(
            request_url("https://e.org/wiki/Rückenschmerz"),
            "https://e.org/wiki/R%C3%BCckenschmerz"
        );
        assert_eq!(request_url(" https://e.org/a b "), "https://e.org/a%20b");
        assert_eq!(request_url("https://e.org/%41"), "https://e.org/%41");
    }

    #[test]
    fn hosts_are_lowercased_without_port_or_user() {
        assert_eq!(
            host("https://User@Example.ORG:8443/x").as_deref(),
            Some("example.org")
        );
        assert_eq!(host("http://127.0.0.1:9/").as_deref(), Some("127.0.0.1"));
        assert_eq!(host("https://"), None);
        assert_eq!(host("mailto:a@b.org"), None);
    }

    #[test]
    fn international_hosts_are_recognised() {
        assert!(has_international_host("https://bücher.de/x"));
        assert!(!has_international_host("https://e.org/bücher"));
        assert!(!has_international_host("https://[::1]:8080/x"));
    }

    #[test]
    fn locations_resolve_against_the_address_answered() {
        let base = "https://e.org/guides/back.html?x=1";
        assert_eq!(
            resolve_location(base, "https://other.org/y").as_deref(),
            Some("https://other.org/y")
        );
        assert_eq!(
            resolve_location(base, "//cdn.e.org/z").as_deref(),
            Some("https://cdn.e.org/z")
        );
        assert_eq!(
            resolve_location(base, "/new").as_deref(),
            Some("https://e.org/new")
        );
        assert_eq!(
            resolve_location(base, "neck.html").as_deref(),
            Some("https://e.org/guides/neck.html")
        );
        assert_eq!(
            resolve_location(base, "?x=2").as_deref(),
            Some("https://e.org/guides/back.html?x=2")
        );
        assert_eq!(
            resolve_location("https://e.org", "a").as_deref(),
            Some("https://e.org/a")
        );
        assert_eq!(resolve_location(base, "mailto:a@b.org"), None);
    }
}
