//! End-to-end tests of `carebook serve`: the real binary, run on a temporary
//! copy of `tests/fixtures/serve-basic` (plus the repository's default
//! theme), talked to over plain HTTP/1.1 on loopback with bounded timeouts.
//! Every server is killed when its test ends, pass or fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to start, and a change to show up.
const STARTUP: Duration = Duration::from_secs(60);
const CHANGE: Duration = Duration::from_secs(20);
const IO_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------

/// A running `carebook serve`, killed on drop (before its site folder is deleted).
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
    lines: Receiver<String>,
    site: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Copies the fixture site, lets `prepare` change it, and starts serving it on a free port.
    fn start(extra_args: &[&str], prepare: impl FnOnce(&Path)) -> Server {
        Server::start_fixture("serve-basic", extra_args, prepare)
    }

    /// [`Server::start`] on `tests/fixtures/<fixture>`.
    fn start_fixture(fixture: &str, extra_args: &[&str], prepare: impl FnOnce(&Path)) -> Server {
        let site = fixture_site(fixture);
        prepare(site.path());
        Server::spawn(site, &["--port", "0"], extra_args, None)
    }

    /// Starts the server; `path` replaces `PATH` (to stand in for a desktop's programs).
    fn spawn(
        site: tempfile::TempDir,
        port_args: &[&str],
        extra_args: &[&str],
        path: Option<&Path>,
    ) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_carebook"));
        if let Some(path) = path {
            command.env("PATH", path);
        }
        let mut child = command
            .arg("serve")
            .arg("--root")
            .arg(site.path())
            .args(port_args)
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start carebook serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr is piped");
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                log.lock().unwrap().push_str(&format!("{line}\n"));
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr,
            lines,
            site,
        };
        let serving = server.wait_for_line(|l| l.starts_with("Serving http://"), STARTUP);
        server.port = parse_port(&serving).unwrap_or_else(|| panic!("no port in {serving:?}"));
        server
    }

    /// Waits for a stderr line matching `wanted`; panics with the whole log on timeout.
    fn wait_for_line(&self, wanted: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(e) => panic!(
                    "no expected line on stderr ({e:?}); stderr so far:\n{}",
                    self.log()
                ),
            }
        }
    }

    fn log(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.path().join(rel)
    }

    fn get(&self, target: &str) -> Response {
        http_get(self.port, target)
    }

    fn events(&self) -> Events {
        Events::connect(self.port)
    }
}

/// A temporary copy of `tests/fixtures/<fixture>` with the default theme.
fn fixture_site(fixture: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("temp dir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("tests/fixtures").join(fixture), site.path());
    copy_dir(
        &repo.join("themes/default"),
        &site.path().join("themes/default"),
    );
    site
}

fn parse_port(line: &str) -> Option<u16> {
    let rest = line.strip_prefix("Serving http://127.0.0.1:")?;
    rest.trim_end().strip_suffix('/')?.parse().ok()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Replaces a file the way careful editors do (write a hidden temp file, rename it
/// over), so a rebuild never reads it half-written.
fn save(path: &Path, text: &str) {
    let name = path.file_name().unwrap().to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    save(path, &text.replace(from, to));
}

// ---------------------------------------------------------------------------
// A minimal HTTP/1.1 client
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET target` exactly as written (no client-side normalization of `..`).
fn http_get(port: u16, target: &str) -> Response {
    http_get_with(port, target, "")
}

/// [`http_get`] with extra header lines (each ending in `\r\n`).
fn http_get_with(port: u16, target: &str, headers: &str) -> Response {
    let mut stream = connect(port);
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    let mut raw = Vec::new();
    reader
        .read_to_end(&mut raw)
        .expect("read the response body");
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked { dechunk(&raw) } else { raw };
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream
}

fn read_head(reader: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut status_line = String::new();
    reader
        .read_line(&mut status_line)
        .expect("read the status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("read a header");
        let line = line.trim_end();
        if line.is_empty() {
            return (status, headers);
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).unwrap().trim(), 16)
            .unwrap();
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
    out
}

// ---------------------------------------------------------------------------
// A server-sent events client
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct SseEvent {
    event: String,
    data: String,
}

/// One `/__carebook/events` connection; a reader thread parses events into a channel.
struct Events {
    received: Receiver<SseEvent>,
}

impl Events {
    fn connect(port: u16) -> Events {
        let mut stream = connect(port);
        // The stream is long-lived: keep-alive comments arrive every 15 s, changes at any time.
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        write!(stream, "GET /__carebook/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        let mut reader = BufReader::new(stream);
        let (status, headers) = read_head(&mut reader);
        assert_eq!(status, 200);
        let content_type = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone());
        assert_eq!(content_type.as_deref(), Some("text/event-stream"));
        let chunked = headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
        let (tx, received) = mpsc::channel();
        std::thread::spawn(move || read_events(reader, chunked, &tx));
        Events { received }
    }

    /// The next event, if one arrives within `timeout`.
    fn next(&self, timeout: Duration) -> Option<SseEvent> {
        self.received.recv_timeout(timeout).ok()
    }

    /// Events up to and including the first named `name`; panics if it does not come.
    fn until(&self, name: &str, server: &Server) -> Vec<SseEvent> {
        let deadline = Instant::now() + CHANGE;
        let mut seen = Vec::new();
        while let Some(event) = self.next(deadline.saturating_duration_since(Instant::now())) {
            let done = event.event == name;
            seen.push(event);
            if done {
                return seen;
            }
        }
        panic!(
            "no `{name}` event; got {seen:?}; server stderr:\n{}",
            server.log()
        );
    }
}

fn read_events(mut reader: BufReader<TcpStream>, chunked: bool, tx: &mpsc::Sender<SseEvent>) {
    let mut parser = SseParser::default();
    loop {
        let bytes = if chunked {
            read_chunk(&mut reader)
        } else {
            read_some(&mut reader)
        };
        let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
            return;
        };
        for event in parser.feed(&bytes) {
            if tx.send(event).is_err() {
                return;
            }
        }
    }
}

fn read_chunk(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut size_line = String::new();
    reader.read_line(&mut size_line).ok()?;
    let size = usize::from_str_radix(size_line.trim(), 16).ok()?;
    let mut chunk = vec![0; size + 2];
    reader.read_exact(&mut chunk).ok()?;
    chunk.truncate(size);
    Some(chunk)
}

fn read_some(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut buf = [0; 4096];
    let n = reader.read(&mut buf).ok()?;
    Some(buf[..n].to_vec())
}

/// The text/event-stream format: `field: value` lines, events ended by a blank line.
#[derive(Default)]
struct SseParser {
    pending: String,
    event: String,
    data: Vec<String>,
}

impl SseParser {
    fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        self.pending.push_str(&String::from_utf8_lossy(bytes));
        let mut events = Vec::new();
        while let Some(end) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=end).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    events.push(SseEvent {
                        event: std::mem::take(&mut self.event),
                        data: std::mem::take(&mut self.data).join("\n"),
                    });
                }
                self.event.clear();
            } else if let Some(value) = line.strip_prefix("event:") {
                self.event = value.strip_prefix(' ').unwrap_or(value).to_string();
            } else if let Some(value) = line.strip_prefix("data:") {
                self.data
                    .push(value.strip_prefix(' ').unwrap_or(value).to_string());
            }
        }
        events
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn serves_the_site_from_memory_with_the_reload_script() {
    let server = Server::start(&[], |_| {});

    let home = server.get("/");
    assert_eq!(home.status, 200, "{home:?}");
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("Welcome to the serve test guide"));
    // Served under "/", whatever base_url site.toml has (here /guide/).
    assert!(
        home.body.contains("href=\"/conditions/sciatica/\""),
        "{}",
        home.body
    );
    let script = home
        .body
        .find("/__carebook/events")
        .expect("the reload script is injected");
    assert!(
        script < home.body.rfind("</body>").unwrap(),
        "the script comes before </body>"
    );

    let page = server.get("/conditions/sciatica/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Original sciatica text"));

    // The preview renders through the same stage as `build`, search index included.
    let manifest = server.get("/search/manifest.json");
    assert_eq!(manifest.status, 200, "{manifest:?}");
    assert_eq!(manifest.header("content-type"), Some("application/json"));

    let redirect = server.get("/conditions/sciatica");
    assert!(
        [301, 302, 307, 308].contains(&redirect.status),
        "{redirect:?}"
    );
    assert_eq!(redirect.header("location"), Some("/conditions/sciatica/"));

    let css = server.get("/carebook.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    // Stylesheets and scripts are revalidated, so a reload costs a 304 for each unchanged one.
    assert_eq!(css.header("cache-control"), Some("no-cache"));
    let etag = css.header("etag").expect("an ETag").to_string();
    let again = http_get_with(
        server.port,
        "/carebook.css",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(again.status, 304, "{again:?}");
    assert!(again.body.is_empty());
    // Pages carry the build they came from: never reused.
    assert_eq!(home.header("cache-control"), Some("no-store"));
    assert!(
        !css.body.contains("__carebook"),
        "only HTML gets the script"
    );
    assert_eq!(
        server.get("/sitemap.xml").header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert_eq!(
        server.get("/robots.txt").header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    let missing = server.get("/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Page not found"),
        "the site's own 404.html: {}",
        missing.body
    );
    assert!(missing.body.contains("/__carebook/events"));

    let output = server.path("public");
    assert!(!output.exists(), "serve must not write the output folder");
    let leftovers: Vec<_> = std::fs::read_dir(server.site.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".carebook"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn editing_a_page_reloads_and_deleting_it_gives_404() {
    let server = Server::start(&[], |_| {});
    let events = server.events();
    events.until("hello", &server);

    edit(
        &server.path("content/about.md"),
        "Original about text",
        "Edited about text",
    );
    let seen = events.until("reload", &server);
    assert!(seen.iter().all(|e| e.event != "error"), "{seen:?}");
    let reload = seen.last().unwrap();
    assert!(reload.data.contains("\"css_only\":false"), "{reload:?}");
    // Only tabs showing this page reload: the event names the one file the edit changed.
    assert!(
        reload.data.contains("\"changed\":[\"about/index.html\"]"),
        "{reload:?}"
    );
    let about = server.get("/about/");
    assert_eq!(about.status, 200);
    assert!(about.body.contains("Edited about text"), "{}", about.body);
    server.wait_for_line(
        |l| l.starts_with("Changed content/about.md") && l.contains(": rendered 1 of "),
        CHANGE,
    );

    std::fs::remove_file(server.path("content/about.md")).unwrap();
    let seen = events.until("reload", &server);
    let reload = seen.last().unwrap();
    assert!(reload.data.contains("\"about/index.html\""), "{reload:?}");
    assert_eq!(server.get("/about/").status, 404);
    assert!(!server.path("public").exists());
}

#[test]
fn a_broken_edit_shows_the_error_and_keeps_the_last_good_site() {
    let server = Server::start(&[], |_| {});
    let events = server.events();
    events.until("hello", &server);
    let page = server.path("content/conditions/sciatica.md");
    let good = std::fs::read_to_string(&page).unwrap();

    edit(&page, "title: Sciatica", "title: [unclosed");
    let error = events.until("error", &server).pop().unwrap();
    assert!(
        error.data.contains("content/conditions/sciatica.md:2:"),
        "{}",
        error.data
    );
    // Rendered exactly like the terminal: headline, excerpt with caret, hint.
    assert!(error.data.contains(": error: "), "{}", error.data);
    assert!(
        error.data.contains("2 | title: [unclosed"),
        "{}",
        error.data
    );
    assert!(error.data.contains("= hint: "), "{}", error.data);
    server.wait_for_line(
        |l| l.contains("the build failed") && l.contains("still serving the last good site"),
        CHANGE,
    );

    let still = server.get("/conditions/sciatica/");
    assert_eq!(still.status, 200);
    assert!(
        still.body.contains("Original sciatica text"),
        "the last good site is still served"
    );

    // A browser that connects now gets the current error at once.
    let late = server.events();
    let greeting = late.until("error", &server);
    assert!(
        greeting
            .last()
            .unwrap()
            .data
            .contains("content/conditions/sciatica.md:2:")
    );

    save(
        &page,
        &good.replace("Original sciatica text", "Fixed sciatica text"),
    );
    let seen = events.until("reload", &server);
    assert!(seen.iter().all(|e| e.event != "error"), "{seen:?}");
    late.until("reload", &server);
    assert!(
        server
            .get("/conditions/sciatica/")
            .body
            .contains("Fixed sciatica text")
    );

    // Once fixed, a new browser gets no error.
    let fresh = server.events();
    fresh.until("hello", &server);
    assert!(fresh.next(Duration::from_millis(1500)).is_none());
}

#[test]
fn check_warnings_are_shown_until_fixed() {
    let server = Server::start(&[], |_| {});
    let events = server.events();
    events.until("hello", &server);
    // The fixture checks cleanly: nothing follows the greeting.
    assert!(events.next(Duration::from_millis(1500)).is_none());

    let page = server.path("content/about.md");
    let summary = "summary: Who wrote this guide and why.";
    let too_long = format!(
        "summary: {}",
        "Who wrote this guide and why. ".repeat(8).trim_end()
    );
    edit(&page, summary, &too_long);
    let seen = events.until("warnings", &server);
    assert!(
        seen.iter().any(|e| e.event == "reload"),
        "the reload comes first: {seen:?}"
    );
    let warnings = &seen.last().unwrap().data;
    // Rendered exactly like the terminal: headline, excerpt with caret, hint, joined by blank lines.
    assert!(
        warnings.contains("content/about.md:3:1: warning: summary too long: 239 characters"),
        "{warnings}"
    );
    assert!(
        warnings.contains("3 | summary: Who wrote this guide"),
        "{warnings}"
    );
    assert!(warnings.contains("= hint: "), "{warnings}");
    server.wait_for_line(
        |l| l.starts_with("content/about.md:3:1: warning: summary too long"),
        CHANGE,
    );
    let html = server.get("/about/").body;
    assert!(
        html.contains(r#"warningsPanel.setAttribute("role", "status")"#),
        "warnings are shown in a polite status panel"
    );

    // A browser that connects now gets the warnings at once.
    let late = server.events();
    let greeting = late.until("warnings", &server);
    assert_eq!(greeting[0].event, "hello", "{greeting:?}");
    assert!(greeting[1].data.contains("content/about.md:3:1"));

    // An error takes precedence: while the site is broken, only the error is sent.
    edit(&page, "title: About this guide", "title: [unclosed");
    let broken = events.until("error", &server);
    assert!(broken.iter().all(|e| e.event != "warnings"), "{broken:?}");
    let during = server.events();
    let greeting = during.until("error", &server);
    assert!(
        greeting.iter().all(|e| e.event != "warnings"),
        "{greeting:?}"
    );
    assert!(during.next(Duration::from_millis(1500)).is_none());
    edit(&page, "title: [unclosed", "title: About this guide");
    events.until("warnings", &server);

    // Fixing the summary clears them: the reload comes alone, and new browsers get none.
    edit(&page, &too_long, summary);
    events.until("reload", &server);
    assert!(events.next(Duration::from_millis(1500)).is_none());
    let fresh = server.events();
    fresh.until("hello", &server);
    assert!(fresh.next(Duration::from_millis(1500)).is_none());
}

#[test]
fn paths_outside_the_site_are_refused() {
    let server = Server::start(&[], |_| {});
    for target in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/conditions/../../site.toml",
        "/..%2fsite.toml",
        "/..%5csite.toml",
        "//etc/passwd",
        "//site.toml",
        "/site.toml",
        "/content/about.md",
    ] {
        let response = server.get(target);
        assert!(
            [400, 404].contains(&response.status),
            "{target}: {response:?}"
        );
        assert!(
            !response.body.contains("base_url"),
            "{target} leaked site.toml"
        );
        assert!(
            !response.body.contains("root:"),
            "{target} leaked /etc/passwd"
        );
    }
}

#[test]
fn a_site_broken_at_startup_is_served_with_its_error_until_fixed() {
    let server = Server::start(&[], |site| {
        edit(
            &site.join("content/about.md"),
            "title: About this guide",
            "title: [unclosed",
        );
    });
    let page = server.get("/");
    assert_eq!(page.status, 503, "{page:?}");
    assert!(page.body.contains("content/about.md:2:"), "{}", page.body);
    assert!(page.body.contains("/__carebook/events"));
    let events = server.events();
    let error = events.until("error", &server).pop().unwrap();
    assert!(error.data.contains("content/about.md:2:"), "{}", error.data);

    edit(
        &server.path("content/about.md"),
        "title: [unclosed",
        "title: About this guide",
    );
    events.until("reload", &server);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome to the serve test guide"));
}

#[test]
fn stylesheet_changes_reload_only_the_styles() {
    let server = Server::start(&[], |_| {});
    let events = server.events();
    events.until("hello", &server);

    // static/ does not exist at startup: its creation must be noticed and watched.
    std::fs::create_dir(server.path("static")).unwrap();
    save(&server.path("static/extra.css"), "body { color: black; }\n");
    events.until("reload", &server);
    assert!(server.get("/extra.css").body.contains("black"));

    save(&server.path("static/extra.css"), "body { color: navy; }\n");
    let reload = events.until("reload", &server).pop().unwrap();
    assert!(reload.data.contains("\"css_only\":true"), "{reload:?}");
    assert!(server.get("/extra.css").body.contains("navy"));
}

#[test]
fn poll_mode_picks_up_changes() {
    let server = Server::start(&["--poll"], |_| {});
    let events = server.events();
    events.until("hello", &server);
    edit(
        &server.path("content/about.md"),
        "Original about text",
        "Polled about text",
    );
    events.until("reload", &server);
    assert!(server.get("/about/").body.contains("Polled about text"));
}

#[test]
fn a_taken_port_moves_on_to_the_next() {
    let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    if port > u16::MAX - 10 {
        return; // no room above it to try; the OS rarely picks such a port
    }
    let site = fixture_site("serve-basic");
    let server = Server::spawn(site, &["--port", &port.to_string()], &[], None);
    assert!(
        server.port > port && server.port < port + 10,
        "{} after {port}",
        server.port
    );
    assert!(
        server.log().contains(&format!("Port {port} is in use")),
        "{}",
        server.log()
    );
    assert_eq!(server.get("/").status, 200);
    drop(taken);
}

// ---------------------------------------------------------------------------
// Incremental rebuilds end in what a fresh build gives
// ---------------------------------------------------------------------------

/// What the server lists at `/__carebook/files`.
#[derive(Debug)]
struct Listing {
    indexing: bool,
    error: bool,
    /// The headline of every warning, sorted.
    warnings: Vec<String>,
    files: Vec<String>,
}

impl Server {
    fn listing(&self) -> Listing {
        let response = self.get("/__carebook/files");
        assert_eq!(response.status, 200, "{}", response.body);
        let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        Listing {
            indexing: json["indexing"].as_bool().unwrap(),
            error: json["error"].as_bool().unwrap(),
            warnings: warning_headlines(json["warnings"].as_str().unwrap_or("")),
            files: json["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_string())
                .collect(),
        }
    }

    /// Builds the site as it is on disk with `carebook build`, for the
    /// server's own address, into a folder outside it.
    fn fresh_build(&self) -> FreshBuild {
        let out = tempfile::tempdir().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_carebook"))
            .arg("build")
            .arg("--root")
            .arg(self.site.path())
            .arg("--output-dir")
            .arg(out.path())
            .arg("--base-url")
            .arg(format!("http://127.0.0.1:{}/", self.port))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "the fresh build failed:\n{stderr}");
        let files = walkdir::WalkDir::new(out.path())
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(out.path()).unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(e.path()).unwrap();
                (rel, String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect();
        FreshBuild {
            files,
            warnings: warning_headlines(&stderr),
        }
    }

    /// How the served site differs from `fresh` (empty when it is the same).
    fn differences(&self, fresh: &FreshBuild) -> Vec<String> {
        let listing = self.listing();
        if listing.indexing || listing.error {
            return vec![format!("not settled: {listing:?}")];
        }
        if listing.warnings != fresh.warnings {
            return vec![format!(
                "warnings differ:\n  fresh:  {:?}\n  served: {:?}",
                fresh.warnings, listing.warnings
            )];
        }
        let fresh = &fresh.files;
        let served: Vec<&String> = listing.files.iter().collect();
        let built: Vec<&String> = fresh.keys().collect();
        if served != built {
            let only_served: Vec<_> = served.iter().filter(|p| !fresh.contains_key(**p)).collect();
            let only_built: Vec<_> = built
                .iter()
                .filter(|p| !listing.files.contains(p))
                .collect();
            return vec![format!(
                "only served: {only_served:?}; only built: {only_built:?}"
            )];
        }
        fresh
            .iter()
            .filter_map(|(path, text)| {
                let url = format!("/{}", path.strip_suffix("index.html").unwrap_or(path));
                let response = self.get(&url);
                let body = without_reload_script(&response.body);
                (body != *text)
                    .then(|| format!("{path} differs:\n{}", first_difference(text, &body)))
            })
            .collect()
    }

    /// Waits until the server serves exactly what a fresh build of the site
    /// on disk gives; panics with the differences on timeout.
    fn assert_serves_a_fresh_build(&self, after: &str) {
        let fresh = self.fresh_build();
        let deadline = Instant::now() + CHANGE;
        loop {
            let differences = self.differences(&fresh);
            if differences.is_empty() {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "after {after}, the served site is not a fresh build:\n{}\n\nstderr:\n{}",
                    differences.join("\n"),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A fresh build's files (path → contents) and warning headlines.
struct FreshBuild {
    files: std::collections::BTreeMap<String, String>,
    warnings: Vec<String>,
}

/// The `file:line:col: warning: message` lines of a report, sorted.
fn warning_headlines(report: &str) -> Vec<String> {
    let mut headlines: Vec<String> = report
        .lines()
        .filter(|l| l.contains(": warning: "))
        .map(str::to_string)
        .collect();
    headlines.sort();
    headlines
}

/// An HTML page as built: the live-reload script the server adds taken out.
fn without_reload_script(html: &str) -> String {
    let Some(start) = html.find("<script>\n// Added by `carebook serve`") else {
        return html.to_string();
    };
    let end = html[start..].find("</script>\n").unwrap() + start + "</script>\n".len();
    format!("{}{}", &html[..start], &html[end..])
}

/// The first line where the served file differs from the fresh one.
fn first_difference(expected: &str, got: &str) -> String {
    let line = expected
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(got.lines().count()));
    format!(
        "  line {}\n  fresh:  {}\n  served: {}",
        line + 1,
        expected.lines().nth(line).unwrap_or("(end)"),
        got.lines().nth(line).unwrap_or("(end)")
    )
}

fn incremental_server() -> Server {
    let server = Server::start_fixture("serve-incremental", &[], |_| {});
    server.assert_serves_a_fresh_build("the first build");
    server
}

#[test]
fn edits_to_bodies_titles_tags_and_links_end_in_a_fresh_build() {
    let server = incremental_server();
    let sciatica = server.path("content/conditions/sciatica.md");
    edit(
        &sciatica,
        "Pain.\n",
        "Pain that shoots down the back of the leg.\n",
    );
    server.assert_serves_a_fresh_build("a body edit");
    // Body edits that add and then remove a content check's warning.
    edit(
        &sciatica,
        "Pain that",
        "See [an old page](http://example.com/). Pain that",
    );
    server.assert_serves_a_fresh_build("a body edit that adds a warning");
    edit(&sciatica, "See [an old page](http://example.com/). ", "");
    server.assert_serves_a_fresh_build("a body edit that removes a warning");
    // Listings, related conditions, backlinks and the feeds show titles.
    edit(&sciatica, "title: Sciatica", "title: Sciatica (nerve pain)");
    server.assert_serves_a_fresh_build("a title change");
    edit(
        &sciatica,
        "summary: Pain down the leg.",
        "summary: Pain along the sciatic nerve.",
    );
    server.assert_serves_a_fresh_build("a summary change");
    let home_care = server.path("content/treatments/home-care.md");
    edit(
        &home_care,
        "tags: [Self care, Discs]",
        "tags: [Self care, Nerves]",
    );
    server.assert_serves_a_fresh_build("a tag change");
    // A new link: a backlink and an "about" list appear elsewhere.
    edit(
        &home_care,
        "Rest a little.",
        "Rest a little, as for [[disc-herniation]].",
    );
    server.assert_serves_a_fresh_build("a new link");
    edit(
        &home_care,
        "conditions: [sciatica]",
        "conditions: [sciatica, disc-herniation]",
    );
    server.assert_serves_a_fresh_build("a new condition in front matter");
    // The exercise is no condition: only its backlinks show who links to it.
    edit(
        &home_care,
        "title: Home care",
        "title: Caring for yourself at home",
    );
    server.assert_serves_a_fresh_build("a title shown in another page's backlinks");
    edit(
        &sciatica,
        "Often from",
        "Try the [[glute-bridge]]. Often from",
    );
    server.assert_serves_a_fresh_build("a new backlink");
    edit(
        &server.path("content/exercises/_index.md"),
        "weight: 30",
        "weight: 5",
    );
    server.assert_serves_a_fresh_build("a section's order");
}

#[test]
fn created_deleted_and_renamed_files_and_folders_end_in_a_fresh_build() {
    let server = incremental_server();
    save(
        &server.path("content/conditions/back-strain.md"),
        "---\ntitle: Back strain\nsummary: A pulled muscle.\nkind: condition\n---\n\nLinked to [[sciatica]].\n",
    );
    server.assert_serves_a_fresh_build("creating a page (its index shifts every later page)");
    std::fs::create_dir_all(server.path("content/advice/running")).unwrap();
    save(
        &server.path("content/advice/running/cadence.md"),
        "---\ntitle: Cadence\ntags: [Running]\n---\n\nTake shorter steps. See [[back-strain]].\n",
    );
    server.assert_serves_a_fresh_build("creating a page in new folders");
    std::fs::rename(
        server.path("content/conditions/back-strain.md"),
        server.path("content/conditions/low-back-strain.md"),
    )
    .unwrap();
    // The cadence page now links to a page that is gone: fix the link too.
    edit(
        &server.path("content/advice/running/cadence.md"),
        "[[back-strain]]",
        "[[low-back-strain]]",
    );
    server.assert_serves_a_fresh_build("renaming a page");
    std::fs::rename(server.path("content/advice"), server.path("content/guides")).unwrap();
    server.assert_serves_a_fresh_build("renaming a folder");
    std::fs::remove_dir_all(server.path("content/guides")).unwrap();
    server.assert_serves_a_fresh_build("deleting a folder");
    std::fs::remove_file(server.path("content/about.md")).unwrap();
    server.assert_serves_a_fresh_build("deleting a page");
}

#[test]
fn editors_atomic_saves_end_in_a_fresh_build() {
    let server = incremental_server();
    let page = server.path("content/exercises/glute-bridge.md");
    let text = std::fs::read_to_string(&page).unwrap();
    // vim: move the original to a backup, write anew, delete the backup.
    let backup = server.path("content/exercises/glute-bridge.md~");
    std::fs::rename(&page, &backup).unwrap();
    std::fs::write(&page, text.replace("2. Lift.", "2. Lift slowly.")).unwrap();
    std::fs::remove_file(&backup).unwrap();
    server.assert_serves_a_fresh_build("a vim-style save");
    // JetBrains and others: write a temporary file, rename it over the page.
    let temp = server.path("content/exercises/glute-bridge.md___jb_tmp___");
    std::fs::write(&temp, text.replace("2. Lift.", "2. Lift and hold.")).unwrap();
    std::fs::rename(&temp, &page).unwrap();
    server.assert_serves_a_fresh_build("a write-and-rename save");
}

#[test]
fn a_body_edit_saved_with_a_broken_page_ends_in_a_fresh_build_once_fixed() {
    let server = incremental_server();
    let exercise = server.path("content/exercises/glute-bridge.md");
    let home_care = server.path("content/treatments/home-care.md");
    // One batch: a body-only edit, then (in path order too) a broken page.
    edit(&exercise, "2. Lift.", "2. Lift your hips.");
    edit(&home_care, "title: Home care", "title: [Home care");
    server.wait_for_line(|l| l.contains("the build failed"), CHANGE);
    edit(&home_care, "title: [Home care", "title: Home care");
    server.assert_serves_a_fresh_build("fixing the broken page of a failed batch");
}

#[test]
fn templates_styles_settings_and_fixed_errors_end_in_a_fresh_build() {
    let server = incremental_server();
    let template = server.path("themes/default/templates/base.html");
    let text = std::fs::read_to_string(&template).unwrap();
    save(
        &template,
        &text.replacen("</main>", "<p>Template edited.</p></main>", 1),
    );
    server.assert_serves_a_fresh_build("a template edit");
    let css = server.path("themes/default/static/carebook.css");
    let styles = std::fs::read_to_string(&css).unwrap();
    save(&css, &format!("{styles}\n.edited {{ color: red; }}\n"));
    server.assert_serves_a_fresh_build("a stylesheet edit");
    edit(
        &server.path("site.toml"),
        "title = \"Incremental Fixture\"",
        "title = \"Renamed Guide\"",
    );
    server.assert_serves_a_fresh_build("a settings change");
    let sciatica = server.path("content/conditions/sciatica.md");
    edit(&sciatica, "kind: condition", "kind: [condition");
    server.wait_for_line(|l| l.contains("the build failed"), CHANGE);
    edit(
        &sciatica,
        "kind: [condition",
        "kind: condition\ntags: [Nerves]",
    );
    server.assert_serves_a_fresh_build("fixing a broken edit differently");
}

#[cfg(target_os = "linux")]
#[test]
fn open_asks_the_desktop_to_show_the_site() {
    use std::os::unix::fs::PermissionsExt;
    let desktop = tempfile::tempdir().unwrap();
    let opener = desktop.path().join("xdg-open");
    let opened = desktop.path().join("opened");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let site = fixture_site("serve-basic");
    let server = Server::spawn(site, &["--port", "0"], &["--open"], Some(desktop.path()));
    let deadline = Instant::now() + CHANGE;
    let mut url = String::new();
    // The script may be caught between creating the file and writing the line.
    while !url.ends_with('\n') && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        url = std::fs::read_to_string(&opened).unwrap_or_default();
    }
    assert_eq!(url.trim(), format!("http://127.0.0.1:{}/", server.port));
}
