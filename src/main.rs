//! The `carebook` command line: parses arguments, runs a command, prints its
//! findings to stderr and chooses the exit code (0 success, 1 content errors,
//! 2 usage or internal failure).
//!
//! Output goes through [`emit`] rather than `println!`: a reader that stops
//! reading (`carebook check --format json | head -1`) must end the output
//! quietly, not panic.

use std::io::{self, IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use carebook::build::{self, BuildOptions, CheckOptions, Progress};
use carebook::check;
use carebook::date::Date;
use carebook::diagnostic::{Diagnostic, Diagnostics};
use carebook::serve::ServeOptions;

#[derive(Parser)]
#[command(
    name = "carebook",
    version,
    about = "Build patient-education websites from Markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site in DIR (default: the current folder), which must be empty.
    Init { dir: Option<PathBuf> },
    /// Build the site into its output folder (atomically: a failed build changes nothing).
    Build(SiteArgs),
    /// Validate everything a build would and run the content checks (review dates,
    /// readability, links, structure, care cards); write nothing, report every finding.
    Check(CheckArgs),
    /// Build the site in memory, serve it, and rebuild and reload the browser on every change.
    Serve(ServeArgs),
}

#[derive(Args)]
struct SiteArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where to write the site (default: `[build] output_dir`, `public`).
    #[arg(long)]
    output_dir: Option<PathBuf>,
    /// Override `base_url` from site.toml.
    #[arg(long)]
    base_url: Option<String>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
}

#[derive(Args)]
struct CheckArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// `text` (findings and a summary on stderr) or `json` (one document on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Count review dates from this day (YYYY-MM-DD) instead of today.
    #[arg(long)]
    today: Option<Date>,
    /// Also list the pages due for review, soonest first (on stdout).
    #[arg(long)]
    due: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Also check external links over the network (paced per host, cached in
    /// .carebook-cache/; see `[check.external]`).
    #[arg(long)]
    external: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Args)]
struct ServeArgs {
    /// The site folder (holding site.toml).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    interface: IpAddr,
    /// The port to listen on; the next ones are tried if it is taken. 0 picks any free port.
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Open the site in the default web browser once it is served.
    #[arg(long)]
    open: bool,
    /// Poll for changes instead of relying on file system events (network drives, WSL, containers).
    #[arg(long)]
    poll: bool,
}

const CONTENT_ERRORS: u8 = 1;
const FAILURE: u8 = 2;

/// Where output goes.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Writes `text` to stdout or stderr. A closed pipe is not a failure: the
/// reader has what it wanted (`| head -1`), so the rest is dropped quietly
/// and the exit code stays the command's own. Other write errors (a full
/// disk under `> report.json`) are returned.
fn emit(stream: Stream, text: &str) -> io::Result<()> {
    let written = match stream {
        Stream::Stdout => {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
        Stream::Stderr => io::stderr().lock().write_all(text.as_bytes()),
    };
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `eprintln!` that never panics: if stderr itself cannot be written to,
/// there is nowhere left to say so.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = emit(Stream::Stderr, &format!("{}\n", format_args!($($arg)*)));
    }};
}

/// Writes a report to stdout; `false` (after saying why) if it could not be.
fn print_report(text: &str) -> bool {
    match emit(Stream::Stdout, text) {
        Ok(()) => true,
        Err(e) => {
            say!("error: cannot write the report to stdout: {e}");
            false
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir } => run_init(dir.unwrap_or_else(|| PathBuf::from("."))),
        Command::Build(args) => run_build(&BuildOptions {
            root: args.root,
            output_dir: args.output_dir,
            base_url: args.base_url,
            drafts: args.drafts,
        }),
        Command::Check(args) => run_check(&args),
        Command::Serve(args) => run_serve(&ServeOptions {
            root: args.root,
            interface: args.interface,
            port: args.port,
            drafts: args.drafts,
            open: args.open,
            poll: args.poll,
        }),
    }
}

fn run_init(dir: PathBuf) -> ExitCode {
    match carebook::init::init(&dir) {
        Ok(()) => {
            say!(
                "Created a new site in {}. Next: cd {} && carebook build",
                dir.display(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(d) => {
            report(std::iter::once(&d));
            ExitCode::from(FAILURE)
        }
    }
}

fn run_build(options: &BuildOptions) -> ExitCode {
    let progress = TerminalProgress::new("rendering {pos}/{len} pages");
    let result = build::build(options, &progress);
    progress.finish();
    match result {
        Ok(summary) => {
            report(summary.diagnostics.iter());
            let shown = summary
                .output_dir
                .strip_prefix(&options.root)
                .unwrap_or(&summary.output_dir);
            say!(
                "Built {} pages in {:.2}s → {}/",
                summary.pages,
                summary.elapsed.as_secs_f64(),
                shown.display()
            );
            ExitCode::SUCCESS
        }
        Err(diagnostics) => fail(
            &diagnostics,
            "the build failed; the previous output is unchanged",
        ),
    }
}

fn run_check(args: &CheckArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root.clone(),
        drafts: args.drafts,
        ..BuildOptions::default()
    };
    let check_options = CheckOptions {
        today: args.today.unwrap_or_else(Date::today),
        external: args.external,
    };
    let progress = TerminalProgress::new("checking {pos}/{len} external links");
    let report = build::check(&options, check_options, &progress);
    progress.finish();
    let printed = match args.format {
        Format::Json => print_report(&format!("{:#}\n", check::report::to_json(&report))),
        Format::Text => print_text_report(&report, args.due),
    };
    if !printed {
        ExitCode::from(FAILURE)
    } else if report.has_errors() {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Findings, the summary table and the verdict on stderr; the due list on
/// stdout. `false` if stdout could not be written.
fn print_text_report(report: &check::Report, due: bool) -> bool {
    for finding in &report.findings {
        say!("{}\n", check::report::render_finding(finding));
    }
    if !report.findings.is_empty() {
        say!("{}", check::report::summary_table(report).trim_end());
    }
    if let Some(external) = &report.external {
        say!("{}", check::report::external_summary(external));
    }
    let printed = !due || print_report(&check::report::due_list(report));
    if report.has_errors() {
        say!(
            "check failed: {} error(s), {} warning(s).",
            report.error_count(),
            report.warning_count()
        );
    } else {
        say!("Check passed: {} warning(s).", report.warning_count());
    }
    printed
}

fn run_serve(options: &ServeOptions) -> ExitCode {
    match carebook::serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(d) => {
            report(std::iter::once(&d));
            ExitCode::from(FAILURE)
        }
    }
}

fn fail(diagnostics: &Diagnostics, what: &str) -> ExitCode {
    report(diagnostics.iter());
    say!(
        "{what}: {} error(s), {} warning(s).",
        diagnostics.error_count(),
        diagnostics.warning_count()
    );
    ExitCode::from(CONTENT_ERRORS)
}

fn report<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) {
    for d in diagnostics {
        say!("{}\n", d.render());
    }
}

/// A progress bar that appears only on a terminal, and only once a job has run for a second.
struct TerminalProgress {
    bar: ProgressBar,
    started: Instant,
    shown: OnceLock<()>,
    enabled: bool,
}

impl TerminalProgress {
    /// `what` is the bar's label, with indicatif's `{pos}` and `{len}`.
    fn new(what: &str) -> Self {
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template(&format!("{{spinner}} {what} {{wide_bar}} {{eta}}"))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        TerminalProgress {
            bar,
            started: Instant::now(),
            shown: OnceLock::new(),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for TerminalProgress {
    fn start(&self, total: u64) {
        self.bar.set_length(total);
    }

    fn tick(&self) {
        self.bar.inc(1);
        if self.enabled && self.started.elapsed() > Duration::from_secs(1) {
            self.shown
                .get_or_init(|| self.bar.set_draw_target(ProgressDrawTarget::stderr()));
        }
    }
}
