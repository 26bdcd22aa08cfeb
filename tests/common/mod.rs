//! A chaining helper for integration tests, in the spirit of mdBook's
//! `BookTest`: copy a small fixture site to a temporary folder, change it,
//! run the real `carebook` binary on it, and assert on what happened.
//!
//! ```ignore
//! SiteTest::fixture("broken-link")
//!     .build()
//!     .fails()
//!     .stderr_has("content/a.md:7:12: error: broken link");
//! ```

#![allow(dead_code)] // each test binary uses a different part of the helper

pub mod web;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The variables HTTP clients take a proxy from, in both cases.
const PROXY_VARIABLES: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A fixture site copied to a temporary folder.
pub struct SiteTest {
    dir: tempfile::TempDir,
}

/// The outcome of one run of the binary.
pub struct Run {
    pub output: Output,
    pub stderr: String,
    root: PathBuf,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("fixture readable");
        let target = to.join(entry.path().strip_prefix(from).expect("inside fixture"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("create dir");
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

impl SiteTest {
    /// Copies `tests/fixtures/NAME`, plus the default theme unless the fixture has its own.
    pub fn fixture(name: &str) -> SiteTest {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&repo_root().join("tests/fixtures").join(name), dir.path());
        if !dir.path().join("themes").exists() {
            copy_dir(
                &repo_root().join("themes/default"),
                &dir.path().join("themes/default"),
            );
        }
        SiteTest { dir }
    }

    /// An empty temporary folder (for `init`).
    pub fn empty() -> SiteTest {
        SiteTest {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn with_file(self, rel: &str, text: &str) -> Self {
        self.with_bytes(rel, text.as_bytes())
    }

    pub fn with_bytes(self, rel: &str, bytes: &[u8]) -> Self {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().expect("has parent")).expect("create dir");
        fs::write(path, bytes).expect("write file");
        self
    }

    pub fn without(self, rel: &str) -> Self {
        fs::remove_file(self.root().join(rel)).expect("remove file");
        self
    }

    /// Runs `carebook ARGS` in the site folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_carebook"));
        command.args(args).current_dir(self.root());
        // `check --external` honours proxy settings; tests talk only to their
        // own servers on 127.0.0.1, never through a proxy.
        for var in PROXY_VARIABLES {
            command.env_remove(var);
        }
        let output = command.output().expect("run carebook");
        Run {
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            output,
            root: self.root().to_path_buf(),
        }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn check(&self) -> Run {
        self.run(&["check"])
    }

    /// `carebook check --today TODAY EXTRA…`, so review dates never rot in tests.
    pub fn check_on(&self, today: &str, extra: &[&str]) -> Run {
        let mut args = vec!["check", "--today", today];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The text of a file, relative to the site root.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root().join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root().join(rel).exists()
    }
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn succeeds(self) -> Self {
        assert_eq!(self.code(), 0, "expected success, stderr:\n{}", self.stderr);
        self
    }

    pub fn fails(self) -> Self {
        assert_eq!(
            self.code(),
            1,
            "expected exit code 1 (content errors), stderr:\n{}",
            self.stderr
        );
        self
    }

    pub fn exits_with(self, code: i32) -> Self {
        assert_eq!(self.code(), code, "stderr:\n{}", self.stderr);
        self
    }

    pub fn stderr_has(self, text: &str) -> Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn stderr_lacks(self, text: &str) -> Self {
        assert!(
            !self.stderr.contains(text),
            "stderr has {text:?}:\n{}",
            self.stderr
        );
        self
    }

    /// The `path:line:col: error|warning: message` lines reported.
    pub fn headlines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
            .collect()
    }

    /// The number of `error:` headlines reported.
    pub fn error_count(&self) -> usize {
        self.stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .count()
    }

    pub fn output_has(self, rel: &str) -> Self {
        assert!(
            self.root.join("public").join(rel).exists(),
            "public/{rel} missing"
        );
        self
    }
}
