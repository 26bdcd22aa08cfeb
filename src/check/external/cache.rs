//! The link cache, `.carebook-cache/external-links.json` under the site root:
//! what each address answered and when, so that running the check again
//! soon after does not ask every site again.
//!
//! Only answers that are unlikely to change soon are kept: that a link
//! works, and that a site turns checkers away (asking again at once is what
//! got us turned away). Dead and unverified links are asked again on every
//! run, so a fixed link or a server back from an outage shows at once.
//!
//! The file is a cache, never a source of truth: one that is missing, cannot
//! be read or has another version is started afresh, and it is replaced
//! atomically so an interrupted run never leaves half a file.
//!
//! ```json
//! {"version": 1, "links": {
//!   "https://example.org/a": {"checked": 1795392000, "outcome": "ok"},
//!   "https://example.org/b": {"checked": 1795392000, "outcome": "blocked", "detail": "403 Forbidden"}
//! }}
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Outcome;

/// Where the cache lives, relative to the site root.
pub const CACHE_FILE: &str = ".carebook-cache/external-links.json";

/// Changes when entries change meaning; a file of another version is ignored.
const VERSION: u32 = 1;

/// Every cached answer, by the address requested.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    version: u32,
    links: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// When the answer was had, in seconds since the Unix epoch.
    checked: u64,
    #[serde(flatten)]
    outcome: Outcome,
}

/// Seconds since the Unix epoch, the cache's clock.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Cache {
    /// The cache at `path`, or an empty one if there is none to use.
    pub fn load(path: &Path) -> Cache {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Cache>(&bytes).ok())
            .filter(|cache| cache.version == VERSION)
            .unwrap_or_default()
    }

    /// The answer for `url` if it was had less than `max_age` seconds before `now`.
    pub fn fresh(&self, url: &str, now: u64, max_age: u64) -> Option<&Outcome> {
        let entry = self.links.get(url)?;
        is_fresh(entry.checked, now, max_age).then_some(&entry.outcome)
    }

    /// Keeps `outcome` if it is worth keeping (see the module docs); forgets
    /// an older answer otherwise, so a link that just died is asked again.
    pub fn record(&mut self, url: &str, outcome: &Outcome, now: u64) {
        if matches!(outcome, Outcome::Ok | Outcome::Blocked(_)) {
            let entry = Entry {
                checked: now,
                outcome: outcome.clone(),
            };
            self.links.insert(url.to_string(), entry);
        } else {
            self.links.remove(url);
        }
    }

    /// Forgets answers too old to be used, so the file does not grow forever.
    pub fn prune(&mut self, now: u64, max_age: u64) {
        self.links
            .retain(|_, entry| is_fresh(entry.checked, now, max_age));
    }

    /// Writes the cache to `path`, creating its folder, replacing any old file atomically.
    pub fn save(&mut self, path: &Path) -> io::Result<()> {
        self.version = VERSION;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer_pretty(&mut file, self)?;
        file.write_all(b"\n")?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// An answer from the future (a clock set back) is not trusted.
fn is_fresh(checked: u64, now: u64, max_age: u64) -> bool {
    checked <= now && now - checked < max_age
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * 3600;

    #[test]
    fn keeps_working_and_blocked_links_only() {
        let mut cache = Cache::default();
        cache.record("https://a.org/", &Outcome::Ok, 1000);
        cache.record(
            "https://b.org/",
            &Outcome::Blocked("403 Forbidden".into()),
            1000,
        );
        cache.record(
            "https://c.org/",
            &Outcome::Dead("404 Not Found".into()),
            1000,
        );
        cache.record(
            "https://d.org/",
            &Outcome::Unverified("timed out".into()),
            1000,
        );
        assert_eq!(cache.fresh("https://a.org/", 1000, DAY), Some(&Outcome::Ok));
        assert_eq!(
            cache.fresh("https://b.org/", 1000, DAY),
            Some(&Outcome::Blocked("403 Forbidden".into()))
        );
        assert_eq!(cache.fresh("https://c.org/", 1000, DAY), None);
        assert_eq!(cache.fresh("https://d.org/", 1000, DAY), None);
        // A link that was fine and is now dead is forgotten, not left fine.
        cache.record("https://a.org/", &Outcome::Dead("410 Gone".into()), 2000);
        assert_eq!(cache.fresh("https://a.org/", 2000, DAY), None);
    }

    #[test]
    fn answers_expire() {
        let mut cache = Cache::default();
        cache.record("https://a.org/", &Outcome::Ok, 1000);
        assert!(cache.fresh("https://a.org/", 1000 + DAY - 1, DAY).is_some());
        assert!(cache.fresh("https://a.org/", 1000 + DAY, DAY).is_none());
        assert!(
            cache.fresh("https://a.org/", 999, DAY).is_none(),
            "from the future"
        );
        cache.prune(1000 + DAY, DAY);
        assert!(cache.links.is_empty());
    }

    #[test]
    fn round_trips_through_the_file_and_ignores_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        assert!(Cache::load(&path).links.is_empty(), "missing file");
        let mut cache = Cache::default();
        cache.record(
            "https://b.org/",
            &Outcome::Blocked("429 Too Many Requests".into()),
            5,
        );
        cache.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"outcome\": \"blocked\""), "{text}");
        assert!(
            text.contains("\"detail\": \"429 Too Many Requests\""),
            "{text}"
        );
        assert_eq!(
            Cache::load(&path).fresh("https://b.org/", 5, DAY),
            Some(&Outcome::Blocked("429 Too Many Requests".into()))
        );
        std::fs::write(&path, "{ not json").unwrap();
        assert!(Cache::load(&path).links.is_empty(), "corrupt file");
        std::fs::write(&path, r#"{"version": 99, "links": {}}"#).unwrap();
        assert!(Cache::load(&path).links.is_empty(), "other version");
    }
}
