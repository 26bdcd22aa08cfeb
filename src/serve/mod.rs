//! `carebook serve`: a development server that builds the site into memory,
//! serves it over HTTP, rebuilds on every change and reloads open browsers.
//!
//! # Design
//!
//! - **The build does not know about the server.** A build here is the
//!   ordinary pipeline, kept up to date by [`Incremental`]: told which files
//!   changed, it reads only those, reuses every stage's results whose inputs
//!   are the same, and renders only output files whose inputs changed, into
//!   a [`MemorySink`]. The new files are merged over the last good ones
//!   ([`rebuild`]); the search index follows in the background. Nothing is
//!   written to disk, so the site's output folder is never touched. The only
//!   thing serve changes is `base_url`, set to the server's own address so
//!   every internal link starts with `/`.
//! - **One value holds what is shown.** [`Live`] is the last good site (a map
//!   from output path to bytes), its generation, and the report of the
//!   current build failure, if any. It sits in a `tokio::sync::watch`
//!   channel, which is an `Arc` swapped behind a lock: requests clone the
//!   `Arc` and never see half a site, and the live-reload streams are woken
//!   on every swap. A failed build keeps the last good files and only sets
//!   the error.
//! - **Requests only look up keys.** A URL path is percent-decoded segment by
//!   segment; `.` and `..` segments, encoded slashes, backslashes and NULs are
//!   refused, and what is left is looked up in the map. There is no file
//!   system path to escape from.
//! - **Live reload is injected, never built.** HTML responses get a small
//!   script before `</body>` that listens to server-sent events on
//!   [`EVENTS_PATH`]: `hello` on connect, `reload` after a good build (with
//!   `css_only` when only stylesheets changed, so the page just re-fetches
//!   them), `error` with the diagnostics rendered exactly as on the
//!   terminal, shown in an overlay, and `warnings` with a good build's
//!   warnings (the content checks' findings among them), rendered the same
//!   way and shown in a smaller panel that can be dismissed. An error hides
//!   the warnings: while the site is broken only the error is sent. A page
//!   that connects gets the current error or warnings at once, after
//!   `hello`. Every `hello` and `reload` names the generation and the output
//!   files the build changed, and every injected script knows the
//!   generation and file its page came from: a page reloads only when its
//!   own file changed (or appeared, or went: a deleted page's tab shows the
//!   404 page), and a page that missed an event (loaded mid-rebuild, or
//!   across a server restart) still catches up.
//! - **Watching** uses notify (OS events, or `--poll` for network drives and
//!   WSL) on `content/`, `templates/`, `static/`, `themes/` and `site.toml`.
//!   Changes are collected until 15 ms pass without another (100 ms while a
//!   changed path is missing: editors save in several steps), then the
//!   site is rebuilt on a blocking thread.
//!   Rebuilds run one at a time; changes arriving meanwhile make the next
//!   batch. [`FILES_PATH`] lists what is served, and whether the search
//!   index has caught up, for tools and tests.

use std::collections::{BTreeSet, HashSet};
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::build::{BuildOptions, Incremental};
use crate::config::CONFIG_FILE;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::is_ignored;

mod rebuild;

pub use rebuild::MemorySink;
use rebuild::{BuildRun, Files, Generation};

/// Where browsers subscribe to live-reload events.
pub const EVENTS_PATH: &str = "/__carebook/events";

/// What the server is serving: every output path, as JSON, for tools and tests.
pub const FILES_PATH: &str = "/__carebook/files";

/// Folders under the site root whose changes trigger a rebuild (besides `site.toml`).
const WATCHED_DIRS: [&str; 4] = ["content", "templates", "static", "themes"];

/// How long the watcher waits for quiet before rebuilding. The steps of one
/// save (write a temporary file, rename it over the page) arrive within a
/// few milliseconds; an editor waits for everything after the last one.
const QUIET: Duration = Duration::from_millis(15);

/// The wait when a changed path is gone: it may be a save in progress (vim
/// moves the page aside before writing it anew), and a build in between
/// would show a deleted page.
const QUIET_AFTER_REMOVAL: Duration = Duration::from_millis(100);

/// How often `--poll` scans the watched folders.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How many ports are tried, counting up from `--port`, when one is taken.
const PORT_TRIES: u16 = 10;

/// How long open connections get to finish after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// What `carebook serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder (holding `site.toml`).
    pub root: PathBuf,
    /// The address to listen on.
    pub interface: IpAddr,
    /// The first port to try; 0 lets the system pick a free one.
    pub port: u16,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Open the site in the default web browser once it is served.
    pub open: bool,
    /// Poll the file system instead of relying on OS change notifications.
    pub poll: bool,
}

/// Builds, serves and watches the site until Ctrl-C. Returns an error only
/// when the server cannot run at all; content errors are served, not returned.
pub fn run(options: &ServeOptions) -> Result<(), Diagnostic> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Diagnostic::file_error(
                &options.root,
                format!("cannot start the server runtime: {e}"),
            )
        })?;
    let result = runtime.block_on(serve(options));
    // A rebuild may still be running on a blocking thread; don't wait for it.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}

async fn serve(options: &ServeOptions) -> Result<(), Diagnostic> {
    let root = site_root(&options.root)?;
    let listener = bind(options.interface, options.port).await?;
    let addr = listener.local_addr().map_err(|e| {
        Diagnostic::file_error(&root, format!("cannot read the server address: {e}"))
    })?;
    let url = format!("http://{addr}/");
    let build_options = BuildOptions {
        root: root.clone(),
        output_dir: None,
        base_url: Some(url.clone()),
        drafts: options.drafts,
    };
    let app = Arc::new(App::new());
    let (sites_tx, mut sites_rx) = watch::channel(None);

    // Watch before the first build, so an edit made while it runs is not lost.
    let (changes_tx, changes_rx) = mpsc::unbounded_channel();
    let watcher = start_watcher(&root, options.poll, changes_tx)?;
    let builder = Incremental::new(build_options.clone());
    let (builder, first) = rebuild::run_build(builder, &build_options, Vec::new()).await;
    let mut terminal = Terminal::default();
    apply_build(&app, first, &[], &sites_tx, &mut terminal);
    // The first index is built before serving, with every core, so that
    // search works from the first page; later ones follow each rebuild.
    let first_site = sites_rx.borrow_and_update().clone();
    if let Some((generation, site)) = first_site
        && let Ok(index) = tokio::task::spawn_blocking(move || rebuild::index_files(&site)).await
    {
        install_index(&app, generation, index);
    }
    let indexer = app.clone();
    tokio::spawn(rebuild::index_in_background(
        sites_rx,
        move |generation, index| install_index(&indexer, generation, index),
    ));
    tokio::spawn(rebuild_on_changes(
        app.clone(),
        Rebuilding {
            builder,
            options: build_options,
            sites: sites_tx,
            terminal,
        },
        root,
        watcher,
        changes_rx,
    ));

    say(&format!("Serving {url}"));
    say("Watching content/, templates/, static/, themes/ and site.toml; press Ctrl-C to stop.");
    if options.open {
        open_in_browser(&url);
    }
    run_server(listener, app).await
}

/// Asks the desktop to open `url` in the default browser; a failure is only
/// reported, since the address is on the terminal anyway.
fn open_in_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut start = std::process::Command::new("cmd");
        start.args(["/C", "start", ""]);
        start
    } else {
        std::process::Command::new("xdg-open")
    };
    let opened = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = opened {
        say(&format!(
            "warning: could not open a browser ({e}); open {url} yourself"
        ));
    }
}

/// The site root, made absolute so watcher paths and diagnostics agree.
fn site_root(root: &Path) -> Result<PathBuf, Diagnostic> {
    let absolute = root
        .canonicalize()
        .map_err(|e| Diagnostic::file_error(root, format!("cannot open the site folder: {e}")))?;
    if !absolute.join(CONFIG_FILE).is_file() {
        return Err(Diagnostic::file_error(root.join(CONFIG_FILE), "this is not a site folder: it has no site.toml")
            .with_hint("run carebook serve in a site folder, pass --root DIR, or create a site with `carebook init`"));
    }
    Ok(absolute)
}

// ---------------------------------------------------------------------------
// Building into memory
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// What is shown, and how it changes
// ---------------------------------------------------------------------------

/// Everything a request or an event stream needs, replaced whole after every build.
#[derive(Default)]
struct Live {
    /// The last good site; `None` until a build has succeeded.
    files: Option<Arc<Files>>,
    /// Which of `files` are the search index (updated after the pages).
    search_keys: Arc<BTreeSet<String>>,
    /// The build's output paths, which (with the index) `files` holds.
    outputs: Option<Arc<Vec<String>>>,
    /// Counts successful builds; pages and events carry it.
    generation: u64,
    /// The output files the latest good build changed; `None` for all of them.
    changed: Option<Arc<Vec<String>>>,
    /// Whether the latest good build changed only stylesheets.
    css_only: bool,
    /// The failed build's report, while the site is broken.
    error: Option<String>,
    /// The good build's warnings, rendered as on the terminal; `None` when it has none.
    warnings: Option<String>,
}

/// The server's state: [`Live`] plus what tells streams to stop.
struct App {
    live: watch::Sender<Arc<Live>>,
    /// Set on Ctrl-C so that event streams end and the server can stop.
    shutdown: watch::Sender<bool>,
    /// Tells this server run from an earlier one, so pages reload after a restart.
    instance: String,
    /// The generation of the build the served search index comes from.
    indexed: AtomicU64,
}

impl App {
    fn new() -> App {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        App {
            live: watch::Sender::new(Arc::new(Live::default())),
            shutdown: watch::Sender::new(false),
            instance: format!("{:x}{nanos:x}", std::process::id()),
            indexed: AtomicU64::new(0),
        }
    }

    fn current(&self) -> Arc<Live> {
        self.live.borrow().clone()
    }

    /// The JSON an event uses to tell pages which build is current and what it changed.
    fn stamp(&self, live: &Live) -> String {
        serde_json::json!({
            "instance": self.instance,
            "generation": live.generation,
            "css_only": live.css_only,
            "changed": live.changed.as_deref(),
        })
        .to_string()
    }

    /// The JSON a served page starts with: its build, and the file it shows
    /// (`404.html` for a page that is not there).
    fn page_stamp(&self, live: &Live, key: &str) -> String {
        serde_json::json!({
            "instance": self.instance,
            "generation": live.generation,
            "key": key,
        })
        .to_string()
    }
}

/// Past this many changed files, pages are told that everything changed.
const CHANGED_LIST_MAX: usize = 1000;

/// Prints one line to the terminal; a closed terminal is not worth stopping the server for.
pub(crate) fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Swaps in a finished build, hands its site to the search indexer and
/// prints one line about it.
fn apply_build(
    app: &App,
    run: BuildRun,
    changed_sources: &[String],
    sites: &watch::Sender<Generation>,
    terminal: &mut Terminal,
) {
    let what = describe_changes(changed_sources);
    let took = format_duration(run.elapsed);
    match run.result {
        Ok(built) => {
            // Most saves leave the report as it was: then so is its text.
            let same_report = terminal.is_showing(&built.rebuilt.diagnostics);
            let new = terminal.report(&built.rebuilt.diagnostics);
            let warned = warning_count(built.rebuilt.diagnostics.len(), new);
            let (rendered, renderable) = (built.rebuilt.rendered, built.rebuilt.renderable);
            let site = built.rebuilt.site.clone();
            let outputs = built.rebuilt.outputs.clone();
            let mut generation = 0;
            let warnings = (!same_report).then(|| {
                (!built.rebuilt.diagnostics.is_empty())
                    .then(|| render_report(&built.rebuilt.diagnostics))
            });
            app.live.send_modify(|live| {
                let first = live.files.is_none();
                let previous = live.files.as_deref().zip(live.outputs.as_ref());
                let (files, changed) = rebuild::merge(previous, &live.search_keys, built);
                // A style tweak may skip the full reload, but only on top of a good page.
                let css_only = !changed.is_empty()
                    && changed.iter().all(|p| p.ends_with(".css"))
                    && !first
                    && live.error.is_none();
                let changed =
                    (!first && changed.len() <= CHANGED_LIST_MAX).then(|| Arc::new(changed));
                generation = live.generation + 1;
                *live = Arc::new(Live {
                    files: Some(Arc::new(files)),
                    search_keys: live.search_keys.clone(),
                    outputs: Some(outputs),
                    generation,
                    changed,
                    css_only,
                    error: None,
                    warnings: warnings.unwrap_or_else(|| live.warnings.clone()),
                });
            });
            sites.send_replace(Some((generation, site)));
            say(&format!(
                "{what}: rendered {rendered} of {renderable} pages and listings in {took}{warned}"
            ));
        }
        Err(diagnostics) => {
            terminal.report(&Arc::new(diagnostics.clone()));
            let text = render_report(&diagnostics);
            app.live.send_modify(|live| {
                *live = Arc::new(Live {
                    files: live.files.clone(),
                    search_keys: live.search_keys.clone(),
                    outputs: live.outputs.clone(),
                    generation: live.generation,
                    changed: live.changed.clone(),
                    css_only: false,
                    error: Some(text),
                    // Shown again by the next good build; an error takes precedence meanwhile.
                    warnings: None,
                });
            });
            let keeping = if app.current().files.is_some() {
                "still serving the last good site"
            } else {
                "serving the error until it is fixed"
            };
            say(&format!(
                "{what}: the build failed in {took} with {} error(s); {keeping}",
                diagnostics.error_count()
            ));
        }
    }
}

/// Puts a new search index in place, quietly: no page shows the index
/// files, so no page needs to reload.
fn install_index(app: &App, generation: u64, index: Vec<crate::search::shards::File>) {
    app.live.send_if_modified(|live| {
        let Some(files) = &live.files else {
            return false;
        };
        let (files, search_keys) = rebuild::with_index(files, &live.search_keys, index);
        *live = Arc::new(Live {
            files: Some(Arc::new(files)),
            search_keys: Arc::new(search_keys),
            outputs: live.outputs.clone(),
            generation: live.generation,
            changed: live.changed.clone(),
            css_only: live.css_only,
            error: live.error.clone(),
            warnings: live.warnings.clone(),
        });
        false
    });
    app.indexed.store(generation, Ordering::SeqCst);
}

/// `` or `; 12 warnings (1 new)`.
fn warning_count(all: usize, new: usize) -> String {
    match (all, new) {
        (0, _) => String::new(),
        (1, 1) => "; 1 warning (new)".to_string(),
        (1, _) => "; 1 warning".to_string(),
        (all, 0) => format!("; {all} warnings"),
        (all, new) => format!("; {all} warnings ({new} new)"),
    }
}

/// `Built`, `Changed content/a.md` or `Changed content/a.md and 2 more`.
fn describe_changes(changed: &[String]) -> String {
    match changed {
        [] => "Built".to_string(),
        [one] => format!("Changed {one}"),
        [first, rest @ ..] => format!("Changed {first} and {} more", rest.len()),
    }
}

fn format_duration(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(1) {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

/// What the terminal has been shown, so that a rebuild prints only what is
/// new: on a large site, every save would otherwise repeat thousands of
/// warnings.
#[derive(Default)]
struct Terminal {
    /// The last build's diagnostics, and their fingerprints.
    last: Option<Arc<Diagnostics>>,
    shown: HashSet<u64>,
}

impl Terminal {
    /// Whether `diagnostics` are the very report it showed last.
    fn is_showing(&self, diagnostics: &Arc<Diagnostics>) -> bool {
        self.last
            .as_ref()
            .is_some_and(|last| Arc::ptr_eq(last, diagnostics))
    }

    /// Prints, exactly as `carebook build` does, the diagnostics the last
    /// build did not have; returns how many there were.
    fn report(&mut self, diagnostics: &Arc<Diagnostics>) -> usize {
        if self.is_showing(diagnostics) {
            return 0;
        }
        self.last = Some(diagnostics.clone());
        let prints: HashSet<u64> = diagnostics.iter().map(crate::memo::fingerprint).collect();
        let new: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| !self.shown.contains(&crate::memo::fingerprint(*d)))
            .collect();
        for d in &new {
            say(&format!("{}\n", d.render()));
        }
        self.shown = prints;
        new.len()
    }
}

/// How many diagnostics the browser is sent; the rest are counted.
const BROWSER_REPORT_MAX: usize = 100;

/// The diagnostics as the terminal shows them, for the browser overlay: the
/// first [`BROWSER_REPORT_MAX`], then how many more there are.
fn render_report(diagnostics: &Diagnostics) -> String {
    let mut rendered: Vec<String> = diagnostics
        .iter()
        .take(BROWSER_REPORT_MAX)
        .map(Diagnostic::render)
        .collect();
    let more = diagnostics.len().saturating_sub(BROWSER_REPORT_MAX);
    if more > 0 {
        // reload.js reads this line to count the whole report.
        rendered.push(format!(
            "… and {more} more: the terminal shows them all, and `carebook check` lists them."
        ));
    }
    // SSE splits data on both \r and \n; one kind of line break keeps the text intact.
    rendered
        .join("\n\n")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

// ---------------------------------------------------------------------------
// Watching and rebuilding
// ---------------------------------------------------------------------------

/// Either kind of notify watcher, so `--poll` can choose at run time.
type AnyWatcher = Box<dyn Watcher + Send>;

/// Starts watching the site; relevant changed paths (relative, `/`-separated) go to `changes`.
fn start_watcher(
    root: &Path,
    poll: bool,
    changes: mpsc::UnboundedSender<String>,
) -> Result<AnyWatcher, Diagnostic> {
    let filter_root = root.to_path_buf();
    let handler = move |result: notify::Result<notify::Event>| match result {
        // Reads (open, close without writing) change nothing.
        Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
        Ok(event) => {
            for path in event
                .paths
                .iter()
                .filter_map(|p| relevant_change(&filter_root, p))
            {
                // The receiver only goes away when the server stops.
                let _ = changes.send(path);
            }
        }
        Err(e) => say(&format!("warning: watching for changes: {e}")),
    };
    let watch_error = |e: notify::Error| {
        Diagnostic::file_error(root, format!("cannot watch the site for changes: {e}"))
    };
    let mut watcher: AnyWatcher = if poll {
        // mtimes are compared in whole seconds; hashing contents catches quick successive saves.
        let config = notify::Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        Box::new(PollWatcher::new(handler, config).map_err(watch_error)?)
    } else {
        Box::new(RecommendedWatcher::new(handler, notify::Config::default()).map_err(watch_error)?)
    };
    // The root itself, not recursively: `site.toml`, and watched folders being created or replaced.
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(watch_error)?;
    for dir in WATCHED_DIRS {
        watch_dir(watcher.as_mut(), &root.join(dir));
    }
    Ok(watcher)
}

/// Watches one folder recursively if it exists; a missing one is picked up when created.
fn watch_dir(watcher: &mut dyn Watcher, dir: &Path) {
    if dir.is_dir()
        && let Err(e) = watcher.watch(dir, RecursiveMode::Recursive)
    {
        say(&format!("warning: cannot watch {}: {e}", dir.display()));
    }
}

/// `path` relative to the root if a change there affects the site; `None` otherwise
/// (the output folder, `.git`, editors' swap and backup files).
fn relevant_change(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = parts.first()?;
    let watched =
        (parts.len() == 1 && first == CONFIG_FILE) || WATCHED_DIRS.contains(&first.as_str());
    (watched && !parts.iter().any(|p| is_ignored(p))).then(|| parts.join("/"))
}

/// What the rebuild loop carries from one change to the next.
struct Rebuilding {
    builder: Incremental,
    options: BuildOptions,
    /// Where each good build's site goes to be indexed for search.
    sites: watch::Sender<Generation>,
    terminal: Terminal,
}

/// Rebuilds after each quiet batch of changes, one build at a time.
async fn rebuild_on_changes(
    app: Arc<App>,
    mut state: Rebuilding,
    root: PathBuf,
    mut watcher: AnyWatcher,
    mut changes: mpsc::UnboundedReceiver<String>,
) {
    while let Some(batch) = next_batch(&mut changes, &root).await {
        // A watched folder created (or replaced) after startup needs a watch of its own.
        for path in &batch {
            if WATCHED_DIRS.contains(&path.as_str()) {
                watch_dir(watcher.as_mut(), &root.join(path));
            }
        }
        let changed: Vec<String> = batch.into_iter().collect();
        let (builder, run) =
            rebuild::run_build(state.builder, &state.options, changed.clone()).await;
        state.builder = builder;
        apply_build(&app, run, &changed, &state.sites, &mut state.terminal);
    }
}

/// Waits for a change, then collects more until none comes for [`QUIET`]
/// ([`QUIET_AFTER_REMOVAL`] while a changed path is missing).
async fn next_batch(
    changes: &mut mpsc::UnboundedReceiver<String>,
    root: &Path,
) -> Option<BTreeSet<String>> {
    let mut batch = BTreeSet::from([changes.recv().await?]);
    loop {
        let removal = batch.iter().any(|p| !root.join(p).exists());
        let quiet = if removal { QUIET_AFTER_REMOVAL } else { QUIET };
        match tokio::time::timeout(quiet, changes.recv()).await {
            Ok(next) => batch.insert(next?),
            Err(_) => return Some(batch),
        };
    }
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/// Binds `interface:port`, trying the next ports when one is taken.
async fn bind(interface: IpAddr, port: u16) -> Result<TcpListener, Diagnostic> {
    let tries = if port == 0 { 1 } else { PORT_TRIES };
    let mut last_error = None;
    for offset in 0..tries {
        let Some(candidate) = port.checked_add(offset) else {
            break;
        };
        match TcpListener::bind(SocketAddr::new(interface, candidate)).await {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && port != 0 => {
                say(&format!("Port {candidate} is in use."));
                last_error = Some(e);
            }
            Err(e) => return Err(bind_error(interface, candidate, &e)),
        }
    }
    let e = last_error.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrInUse));
    Err(bind_error(interface, port, &e)
        .with_hint("pass another --port, or --port 0 to pick any free port"))
}

fn bind_error(interface: IpAddr, port: u16, e: &io::Error) -> Diagnostic {
    Diagnostic::file_error(
        SocketAddr::new(interface, port).to_string(),
        format!("cannot listen: {e}"),
    )
}

/// Serves until Ctrl-C (or SIGTERM), then gives open connections a moment to finish.
async fn run_server(listener: TcpListener, app: Arc<App>) -> Result<(), Diagnostic> {
    let router = Router::new()
        .route(EVENTS_PATH, get(events))
        .route(FILES_PATH, get(list_files))
        .fallback(serve_file)
        .with_state(app.clone());
    let stopping = app.clone();
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        stop_signal().await;
        say("Stopping.");
        stopping.shutdown.send_replace(true);
    });
    let mut stopped = app.shutdown.subscribe();
    let deadline = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result.map_err(|e| Diagnostic::file_error("carebook serve", format!("the server stopped: {e}"))),
        () = deadline => Ok(()),
    }
}

/// Ctrl-C anywhere, and SIGTERM on Unix.
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // Without a signal handler the server runs until it is killed.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = ctrl_c => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// The live-reload event stream: `hello` and the current error or warnings
/// at once, then the events of each build.
async fn events(State(app): State<Arc<App>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut updates = app.live.subscribe();
    let live = updates.borrow_and_update().clone();
    let mut first = vec![Event::default().event("hello").data(app.stamp(&live))];
    first.extend(report_event(&live));
    let shutdown = app.shutdown.subscribe();
    let later = stream::unfold(
        (app, updates, shutdown),
        |(app, mut updates, mut shutdown)| async move {
            let changed = tokio::select! {
                changed = updates.changed() => changed.is_ok(),
                _ = shutdown.wait_for(|stop| *stop) => false,
            };
            if !changed {
                return None;
            }
            let live = updates.borrow_and_update().clone();
            Some((build_events(&app, &live), (app, updates, shutdown)))
        },
    )
    .flat_map(stream::iter);
    Sse::new(stream::iter(first).chain(later).map(Ok)).keep_alive(KeepAlive::default())
}

/// What a build tells open pages: its error; or `reload`, then its warnings
/// if it has any (after the reload, so a page that only swaps its
/// stylesheets shows them too).
fn build_events(app: &App, live: &Live) -> Vec<Event> {
    if live.error.is_some() {
        return report_event(live).into_iter().collect();
    }
    let reload = Event::default().event("reload").data(app.stamp(live));
    std::iter::once(reload).chain(report_event(live)).collect()
}

/// The error while the site is broken, else the warnings of the build shown, if any.
fn report_event(live: &Live) -> Option<Event> {
    match (&live.error, &live.warnings) {
        (Some(error), _) => Some(error_event(error)),
        (None, Some(warnings)) => Some(Event::default().event("warnings").data(warnings)),
        (None, None) => None,
    }
}

fn error_event(text: &str) -> Event {
    Event::default().event("error").data(text)
}

/// The served output paths, sorted, whether the search index is still being
/// brought up to date after the latest build, and the build's warnings.
async fn list_files(State(app): State<Arc<App>>) -> Response {
    let live = app.current();
    let mut paths: Vec<&str> = live
        .files
        .iter()
        .flat_map(|f| f.keys())
        .map(|k| &**k)
        .collect();
    paths.sort();
    let body = serde_json::json!({
        "generation": live.generation,
        "indexing": live.files.is_some() && app.indexed.load(Ordering::SeqCst) != live.generation,
        "error": live.error.is_some(),
        "warnings": live.warnings,
        "files": paths,
    });
    respond(
        StatusCode::OK,
        "application/json",
        Body::from(body.to_string()),
    )
}

/// Everything that is not the event stream: a file of the site, a redirect, or the 404 page.
async fn serve_file(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    request: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let live = app.current();
    let Some(files) = &live.files else {
        return broken_site_page(&app, &live);
    };
    match resolve(uri.path(), files) {
        Lookup::File(key) => match files.get(key.as_str()) {
            Some(bytes) if !content_type(&key).starts_with("text/html") => {
                asset_response(&request, &key, bytes)
            }
            Some(bytes) => file_response(&app, &live, StatusCode::OK, &key, bytes),
            None => not_found(&app, &live, files),
        },
        Lookup::AddSlash => {
            let location = match uri.query() {
                Some(query) => format!("{}/?{query}", uri.path()),
                None => format!("{}/", uri.path()),
            };
            (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response()
        }
        Lookup::NotFound => not_found(&app, &live, files),
        Lookup::BadRequest => (
            StatusCode::BAD_REQUEST,
            "Bad request: not a path of this site\n",
        )
            .into_response(),
    }
}

/// What a request path names in the built site.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// This output file.
    File(String),
    /// A folder with an `index.html`, asked for without the trailing slash.
    AddSlash,
    NotFound,
    /// `..`, `.`, encoded slashes and the like: never a path of the site.
    BadRequest,
}

/// Maps a raw (still percent-encoded) URL path to a key of `files`.
fn resolve(raw_path: &str, files: &Files) -> Lookup {
    let Some(rest) = raw_path.strip_prefix('/') else {
        return Lookup::BadRequest;
    };
    let mut segments = Vec::new();
    for raw in rest.split('/') {
        let Some(segment) = percent_decode(raw) else {
            return Lookup::BadRequest;
        };
        if segment == "." || segment == ".." || segment.contains(['/', '\\', '\0']) {
            return Lookup::BadRequest;
        }
        segments.push(segment);
    }
    let wants_folder = segments.last().is_some_and(String::is_empty);
    if wants_folder {
        segments.pop();
    }
    // `//x` is no output path; refusing it here also keeps the redirect below from
    // ever producing a scheme-relative `Location: //host/`.
    if segments.iter().any(String::is_empty) {
        return Lookup::NotFound;
    }
    let key = segments.join("/");
    let index = if key.is_empty() {
        "index.html".to_string()
    } else {
        format!("{key}/index.html")
    };
    if wants_folder {
        return if files.contains_key(index.as_str()) {
            Lookup::File(index)
        } else {
            Lookup::NotFound
        };
    }
    if files.contains_key(key.as_str()) {
        Lookup::File(key)
    } else if files.contains_key(index.as_str()) {
        Lookup::AddSlash
    } else {
        Lookup::NotFound
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or text that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn file_response(app: &App, live: &Live, status: StatusCode, key: &str, bytes: &Bytes) -> Response {
    let content_type = content_type(key);
    let body = if content_type.starts_with("text/html") {
        Body::from(inject_reload_script(bytes, &reload_script(app, live, key)))
    } else {
        Body::from(bytes.clone())
    };
    respond(status, content_type, body)
}

/// A file other than a page: revalidated on every use (`no-cache` and an
/// `ETag` of its contents), so a reload after an edit costs a `304` for
/// each unchanged stylesheet and script, not a new copy to parse.
fn asset_response(request: &HeaderMap, key: &str, bytes: &Bytes) -> Response {
    let etag = format!("\"{:016x}\"", crate::memo::fingerprint(&bytes.as_ref()));
    let unchanged = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    let (status, body) = if unchanged {
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else {
        (StatusCode::OK, Body::from(bytes.clone()))
    };
    let mut response = respond(status, content_type(key), body);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

fn respond(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Every build replaces files in place; a cached copy would hide the change.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The site's own `404.html` with status 404, or a plain message if it has none.
fn not_found(app: &App, live: &Live, files: &Files) -> Response {
    match files.get("404.html") {
        Some(page) => file_response(app, live, StatusCode::NOT_FOUND, "404.html", page),
        None => respond(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            Body::from("Not found\n"),
        ),
    }
}

/// Shown for every request until the first good build: the report, plus the live-reload script.
fn broken_site_page(app: &App, live: &Live) -> Response {
    let report = live
        .error
        .as_deref()
        .unwrap_or("The site has not been built yet.");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Build failed · carebook</title>\n</head>\n<body>\n\
         <h1>The site could not be built</h1>\n<p>Fix the problems below and save; this page reloads by itself.</p>\n\
         <pre>{}</pre>\n{}</body>\n</html>\n",
        escape_html(report),
        reload_script(app, live, "")
    );
    respond(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html; charset=utf-8",
        Body::from(html),
    )
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The content type for an output file, by extension.
fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------
// The live-reload script
// ---------------------------------------------------------------------------

/// Connects to [`EVENTS_PATH`]; `__SERVED__` becomes the page's build stamp.
const RELOAD_SCRIPT: &str = concat!("<script>\n", include_str!("reload.js"), "</script>\n");

fn reload_script(app: &App, live: &Live, key: &str) -> String {
    RELOAD_SCRIPT
        .replace("__SERVED__", &app.page_stamp(live, key))
        .replace("__EVENTS_PATH__", EVENTS_PATH)
}

/// Inserts `script` before the last `</body>` (any case), or at the end if there is none.
fn inject_reload_script(html: &[u8], script: &str) -> Vec<u8> {
    const CLOSE: &[u8] = b"</body>";
    let at = html
        .windows(CLOSE.len())
        .rposition(|w| w.eq_ignore_ascii_case(CLOSE))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(paths: &[&str]) -> Files {
        paths
            .iter()
            .map(|p| (Arc::from(*p), Bytes::from_static(b"x")))
            .collect()
    }

    #[test]
    fn resolves_files_folders_and_redirects() {
        let files = site(&[
            "index.html",
            "conditions/sciatica/index.html",
            "carebook.css",
            "img/a b.png",
        ]);
        assert_eq!(resolve("/", &files), Lookup::File("index.html".into()));
        assert_eq!(
            resolve("/carebook.css", &files),
            Lookup::File("carebook.css".into())
        );
        assert_eq!(
            resolve("/conditions/sciatica/", &files),
            Lookup::File("conditions/sciatica/index.html".into())
        );
        assert_eq!(resolve("/conditions/sciatica", &files), Lookup::AddSlash);
        assert_eq!(
            resolve("/img/a%20b.png", &files),
            Lookup::File("img/a b.png".into())
        );
        assert_eq!(resolve("/conditions/", &files), Lookup::NotFound);
        assert_eq!(resolve("/carebook.css/", &files), Lookup::NotFound);
    }

    #[test]
    fn refuses_paths_outside_the_site() {
        let files = site(&["index.html", "site.toml"]);
        for path in [
            "/../site.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E/site.toml",
            "/./site.toml",
            "/a%2f..%2fsite.toml",
            "/..%5csite.toml",
            "/%zz",
            "/%ff",
            "*",
        ] {
            assert_eq!(resolve(path, &files), Lookup::BadRequest, "{path}");
        }
        for path in ["//etc/passwd", "//site.toml", "/a//site.toml"] {
            assert_eq!(resolve(path, &files), Lookup::NotFound, "{path}");
        }
    }

    #[test]
    fn injects_before_the_last_body_close() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject_reload_script(html, "<script></script>")).unwrap();
        assert_eq!(out, "<html><body><p>x</p><script></script></BODY></html>");
        let bare = String::from_utf8(inject_reload_script(b"<p>x</p>", "<s>")).unwrap();
        assert_eq!(bare, "<p>x</p><s>");
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("photo.JPG"), "image/jpeg");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn only_site_sources_are_relevant_changes() {
        let root = Path::new("/site");
        assert_eq!(
            relevant_change(root, Path::new("/site/site.toml")),
            Some("site.toml".into())
        );
        assert_eq!(
            relevant_change(root, Path::new("/site/content/a.md")),
            Some("content/a.md".into())
        );
        assert_eq!(
            relevant_change(root, Path::new("/site/themes/default/static/x.css")),
            Some("themes/default/static/x.css".into())
        );
        assert_eq!(
            relevant_change(root, Path::new("/site/content")),
            Some("content".into())
        );
        assert_eq!(
            relevant_change(root, Path::new("/site/public/index.html")),
            None
        );
        assert_eq!(
            relevant_change(root, Path::new("/site/content/.a.md.swp")),
            None
        );
        assert_eq!(
            relevant_change(root, Path::new("/site/content/a.md~")),
            None
        );
        assert_eq!(
            relevant_change(root, Path::new("/elsewhere/site.toml")),
            None
        );
    }

    #[test]
    fn describes_changes_in_one_line() {
        assert_eq!(describe_changes(&[]), "Built");
        assert_eq!(
            describe_changes(&["content/a.md".into()]),
            "Changed content/a.md"
        );
        assert_eq!(
            describe_changes(&["a".into(), "b".into(), "c".into()]),
            "Changed a and 2 more"
        );
    }

    #[test]
    fn counts_warnings_and_new_ones() {
        assert_eq!(warning_count(0, 0), "");
        assert_eq!(warning_count(1, 1), "; 1 warning (new)");
        assert_eq!(warning_count(9, 0), "; 9 warnings");
        assert_eq!(warning_count(9, 2), "; 9 warnings (2 new)");
    }

    fn warnings(n: usize) -> Diagnostics {
        let mut all = Diagnostics::new();
        all.extend((0..n).map(|i| Diagnostic {
            severity: crate::diagnostic::Severity::Warning,
            ..Diagnostic::file_error(format!("content/{i}.md"), "too long")
        }));
        all
    }

    #[test]
    fn the_browser_gets_the_first_hundred_diagnostics_and_a_count() {
        let report = render_report(&warnings(250));
        assert_eq!(report.split("\n\n").count(), BROWSER_REPORT_MAX + 1);
        assert!(
            report.ends_with(
                "… and 150 more: the terminal shows them all, and `carebook check` lists them."
            ),
            "{report}"
        );
        assert!(!render_report(&warnings(3)).contains("more"));
    }

    #[test]
    fn the_terminal_is_shown_only_new_diagnostics() {
        let mut terminal = Terminal::default();
        let three = Arc::new(warnings(3));
        assert_eq!(terminal.report(&three), 3);
        assert_eq!(terminal.report(&three), 0);
        assert_eq!(terminal.report(&Arc::new(warnings(3))), 0);
        assert_eq!(terminal.report(&Arc::new(warnings(5))), 2);
    }
}
