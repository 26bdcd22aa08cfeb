//! A tiny web server for link-check tests: it listens on 127.0.0.1 only,
//! answers fixed statuses by path, records every request with the time it
//! arrived, and stops when dropped (or after [`LIFETIME`], whichever is
//! first). Nothing else on any network is ever contacted.
//!
//! | path | answer |
//! |---|---|
//! | `/ok` | 200 |
//! | `/missing` | 404 |
//! | `/gone` | 410 |
//! | `/forbidden` | 403 |
//! | `/slow-down` | 429 |
//! | `/no-robots` | 999 |
//! | `/broken` | 503 |
//! | `/moved` | 301 to `/ok` (relative `Location`) |
//! | `/elsewhere` | 302 to `http://127.0.0.1:PORT/ok` (absolute) |
//! | `/moved-away` | 301 to `/missing` |
//! | `/loop` | 302 to `/loop` |
//! | `/head-refused` | 405 to HEAD, 200 to GET |
//! | anything else | 404 |

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a server runs at most, whatever the test does.
const LIFETIME: Duration = Duration::from_secs(120);
/// How many connections a server answers at most.
const MAX_CONNECTIONS: usize = 1000;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub at: Instant,
}

pub struct WebServer {
    pub port: u16,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl WebServer {
    pub fn start() -> WebServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (log, stop) = (log.clone(), stop.clone());
            std::thread::spawn(move || serve(&listener, port, &log, &stop))
        };
        WebServer {
            port,
            log,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().expect("request log").clone()
    }

    /// `METHOD /path` of every request so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on: connections to it are refused.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1");
    listener.local_addr().expect("local address").port()
}

fn serve(listener: &TcpListener, port: u16, log: &Mutex<Vec<Request>>, stop: &AtomicBool) {
    let started = Instant::now();
    for stream in listener.incoming().take(MAX_CONNECTIONS) {
        if stop.load(Ordering::SeqCst) || started.elapsed() > LIFETIME {
            return;
        }
        if let Ok(stream) = stream {
            answer(stream, port, log);
        }
    }
}

fn answer(mut stream: TcpStream, port: u16, log: &Mutex<Vec<Request>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let at = Instant::now();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim_end().is_empty() => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return;
    };
    log.lock().expect("request log").push(Request {
        method: method.to_string(),
        path: path.to_string(),
        at,
    });
    let (status, location) = route(method, path, port);
    let location = location.map_or(String::new(), |l| format!("Location: {l}\r\n"));
    let body = if method == "HEAD" { "" } else { "page\n" };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n{location}\r\n{body}"
    );
    let _ = stream.flush();
}

fn route(method: &str, path: &str, port: u16) -> (&'static str, Option<String>) {
    match path.split('?').next().unwrap_or_default() {
        "/ok" => ("200 OK", None),
        "/missing" => ("404 Not Found", None),
        "/gone" => ("410 Gone", None),
        "/forbidden" => ("403 Forbidden", None),
        "/slow-down" => ("429 Too Many Requests", None),
        "/no-robots" => ("999 Request denied", None),
        "/broken" => ("503 Service Unavailable", None),
        "/moved" => ("301 Moved Permanently", Some("/ok".to_string())),
        "/elsewhere" => ("302 Found", Some(format!("http://127.0.0.1:{port}/ok"))),
        "/moved-away" => ("301 Moved Permanently", Some("/missing".to_string())),
        "/loop" => ("302 Found", Some("/loop".to_string())),
        "/head-refused" if method == "HEAD" => ("405 Method Not Allowed", None),
        "/head-refused" => ("200 OK", None),
        _ => ("404 Not Found", None),
    }
}
