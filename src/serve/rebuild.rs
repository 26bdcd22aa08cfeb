//! Rebuilding for the dev server: an [`Incremental`] build into memory, the
//! new files merged over the last good ones, and the search index brought up
//! to date in the background.
//!
//! The page build renders only files whose inputs changed, so a save shows
//! in the browser in milliseconds even on a large site. The search index is
//! the one part that is rebuilt whole; it runs once the site has been quiet
//! for a second, on a thread pool of its own (one thread, lowest priority),
//! so it never holds up a page rebuild or reload, and its result is dropped
//! if a newer site is already waiting to be indexed.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::sync::watch;

use crate::build::{BuildOptions, Incremental, Rebuilt};
use crate::config::CONFIG_FILE;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::OutputSink;
use crate::site::Site;

/// Output path (`conditions/sciatica/index.html`) → contents. Keys are
/// shared, so that copying the map after an edit allocates no strings.
pub(super) type Files = HashMap<Arc<str>, Bytes>;

/// Files written by one rebuild, by output path.
type Written = HashMap<String, Bytes>;

/// An [`OutputSink`] that keeps every file in memory.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<Written>,
}

impl MemorySink {
    fn insert(&self, rel_path: &str, bytes: Bytes) -> io::Result<()> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| io::Error::other("a render job panicked"))?;
        files.insert(rel_path.to_string(), bytes);
        Ok(())
    }

    /// The files written so far.
    fn into_files(self) -> Written {
        // A poisoned lock means a render job panicked; its files are still usable.
        self.files
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl OutputSink for MemorySink {
    fn write(&self, rel_path: &str, bytes: &[u8]) -> io::Result<()> {
        self.insert(rel_path, Bytes::copy_from_slice(bytes))
    }

    fn copy(&self, rel_path: &str, from: &Path) -> io::Result<()> {
        self.insert(rel_path, Bytes::from(std::fs::read(from)?))
    }
}

/// A good rebuild: what it built and the files it wrote.
pub(super) struct Built {
    pub(super) rebuilt: Rebuilt,
    pub(super) written: Written,
}

/// The outcome of one rebuild, with how long it took.
pub(super) struct BuildRun {
    pub(super) result: Result<Built, Diagnostics>,
    pub(super) elapsed: Duration,
}

/// Rebuilds on a blocking thread (the pipeline is CPU-bound and uses rayon);
/// gives the builder back for the next change.
pub(super) async fn run_build(
    mut builder: Incremental,
    options: &BuildOptions,
    changed: Vec<String>,
) -> (Incremental, BuildRun) {
    let started = Instant::now();
    let joined = tokio::task::spawn_blocking(move || {
        let sink = MemorySink::default();
        let result = builder.rebuild(&changed, &sink);
        let result = result.map(|rebuilt| Built {
            rebuilt,
            written: sink.into_files(),
        });
        (builder, result)
    })
    .await;
    let (builder, result) = joined.unwrap_or_else(|e| {
        // A panic in the pipeline is a carebook bug; report it like a build
        // error so serving goes on, and start the next build afresh.
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(Diagnostic::file_error(
            CONFIG_FILE,
            format!("internal error while building: {e}"),
        ));
        (Incremental::new(options.clone()), Err(diagnostics))
    });
    let run = BuildRun {
        result,
        elapsed: started.elapsed(),
    };
    (builder, run)
}

/// The served files after a good rebuild, and the output paths whose bytes
/// changed (added and removed ones included), sorted. `previous` is what was
/// served, built from `previous_outputs`.
pub(super) fn merge(
    previous: Option<(&Files, &Arc<Vec<String>>)>,
    search_keys: &BTreeSet<String>,
    built: Built,
) -> (Files, Vec<String>) {
    let Built { rebuilt, written } = built;
    match previous {
        // The same output paths as before (a body edit): patch a copy.
        Some((files, outputs)) if Arc::ptr_eq(outputs, &rebuilt.outputs) => {
            let mut files = files.clone();
            let mut changed = Vec::new();
            for (key, bytes) in written {
                if files.get(key.as_str()) != Some(&bytes) {
                    files.insert(Arc::from(key.as_str()), bytes);
                    changed.push(key);
                }
            }
            changed.sort();
            (files, changed)
        }
        _ => merge_all(
            previous.map(|(files, _)| files),
            search_keys,
            &rebuilt,
            written,
        ),
    }
}

/// [`merge`] when output paths may have come or gone.
fn merge_all(
    previous: Option<&Files>,
    search_keys: &BTreeSet<String>,
    rebuilt: &Rebuilt,
    mut written: Written,
) -> (Files, Vec<String>) {
    let empty = Files::new();
    let previous = previous.unwrap_or(&empty);
    let mut files = Files::with_capacity(rebuilt.outputs.len() + search_keys.len());
    let mut changed = Vec::new();
    for key in rebuilt.outputs.iter() {
        let old = previous.get(key.as_str());
        let bytes = match written.remove(key) {
            Some(new) => {
                if old != Some(&new) {
                    changed.push(key.clone());
                }
                new
            }
            // Not rendered: unchanged since the last good build, which holds it.
            None => match old {
                Some(old) => old.clone(),
                None => continue,
            },
        };
        files.insert(Arc::from(key.as_str()), bytes);
    }
    // The index stays until the new one is ready.
    for key in search_keys {
        if let Some(bytes) = previous.get(key.as_str()) {
            files.insert(Arc::from(key.as_str()), bytes.clone());
        }
    }
    changed.extend(
        previous
            .keys()
            .filter(|k| !files.contains_key(&***k))
            .map(|k| k.to_string()),
    );
    changed.sort();
    (files, changed)
}

/// `files` with the search index `index` in place of the one at `old_keys`.
pub(super) fn with_index(
    files: &Files,
    old_keys: &BTreeSet<String>,
    index: Vec<crate::search::shards::File>,
) -> (Files, BTreeSet<String>) {
    let mut merged = files.clone();
    for key in old_keys {
        merged.remove(key.as_str());
    }
    let mut keys = BTreeSet::new();
    for (path, bytes) in index {
        merged.insert(Arc::from(path.as_str()), Bytes::from(bytes));
        keys.insert(path);
    }
    (merged, keys)
}

/// How long the site must go unchanged before its search index is rebuilt:
/// on two processors a build running beside the reload an editor waits for
/// made that reload half as slow again (1,000 pages: 105 → 150 ms).
const INDEX_AFTER: Duration = Duration::from_secs(1);

/// Waits until no new site has come for `quiet`; `false` once the sender is gone.
async fn quiet_for(sites: &mut watch::Receiver<Generation>, quiet: Duration) -> bool {
    loop {
        match tokio::time::timeout(quiet, sites.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) => return false,
            Err(_) => return true,
        }
    }
}

/// The search index files of `site` (none when `[search] enable = false`).
pub(super) fn index_files(site: &Site) -> Vec<crate::search::shards::File> {
    if site.config.search.enable {
        crate::search::files(site)
    } else {
        Vec::new()
    }
}

/// Gives the calling thread the lowest scheduling priority (on Linux,
/// `setpriority` with 0 affects only the calling thread).
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: setpriority only reads its plain integer arguments.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// A good build's site, numbered by the build's generation.
pub(super) type Generation = Option<(u64, Arc<Site>)>;

/// Builds search indexes one at a time on a thread of their own, always of
/// the newest site sent on `sites`; calls `install` with each finished one
/// that is still the newest, and the generation it indexes.
pub(super) async fn index_in_background(
    mut sites: watch::Receiver<Generation>,
    install: impl Fn(u64, Vec<crate::search::shards::File>),
) {
    // One thread, and the lowest priority: page rebuilds, which an editor
    // waits for, keep rayon's global pool and the processors to themselves.
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "carebook-search".to_string())
        .start_handler(|_| lower_priority())
        .build()
    {
        Ok(pool) => Arc::new(pool),
        Err(e) => {
            super::say(&format!("warning: the search index will not update: {e}"));
            return;
        }
    };
    while sites.changed().await.is_ok() {
        if !quiet_for(&mut sites, INDEX_AFTER).await {
            return;
        }
        let Some((generation, site)) = sites.borrow_and_update().clone() else {
            continue;
        };
        let pool = pool.clone();
        let index = tokio::task::spawn_blocking(move || pool.install(|| index_files(&site))).await;
        match index {
            // A newer site is waiting: this index is already out of date.
            Ok(_) if sites.has_changed().unwrap_or(true) => {}
            Ok(index) => install(generation, index),
            Err(e) => super::say(&format!("warning: building the search index failed: {e}")),
        }
    }
}
