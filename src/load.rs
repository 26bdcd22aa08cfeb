//! Stage 1, load: read the `content/` folder from disk.
//!
//! The result, [`Content`], is every Markdown file's text (as a
//! [`SourceFile`]) and every other file (an asset such as an image) that is
//! copied beside the pages. Nothing is parsed here; the only content errors
//! found at this stage are files that cannot be read or are not UTF-8.
//!
//! Hidden files and folders (`.git`, `.DS_Store`) and editors' temporary
//! files (`foo.md~`, `.foo.md.swp`, `#foo.md#`) are skipped, so a save in
//! progress never shows up as content.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, Span};

/// The name of the content folder under the site root.
pub const CONTENT_DIR: &str = "content";

/// One Markdown file: its path relative to `content/` and its text.
#[derive(Debug, Clone)]
pub struct MarkdownFile {
    /// Relative to `content/`, with `/` separators: `conditions/sciatica.md`.
    pub rel_path: String,
    /// The text; its `path` is relative to the site root (`content/conditions/sciatica.md`).
    pub source: Arc<SourceFile>,
}

/// A non-Markdown file inside `content/`, copied to the same relative path in the output.
#[derive(Debug, Clone)]
pub struct Asset {
    pub rel_path: String,
    pub absolute: PathBuf,
}

/// Everything read from `content/`, each list in the order a walk of the
/// folder sorted by file name gives (see [`content_order`]).
#[derive(Debug, Default)]
pub struct Content {
    pub markdown: Vec<MarkdownFile>,
    pub assets: Vec<Asset>,
    /// Every folder under `content/` (relative, `/`-separated; `""` is the root).
    pub folders: Vec<String>,
    /// Files and folders that could not be read, by path relative to `content/`.
    problems: Vec<(String, Diagnostic)>,
}

/// Reads `root/content`, reporting unreadable and non-UTF-8 files as diagnostics.
pub fn load_content(root: &Path) -> (Content, Diagnostics) {
    let mut content = Content::default();
    content.read_under(root, "");
    let diagnostics = content.problems();
    (content, diagnostics)
}

impl Content {
    /// The read errors, as a fresh [`load_content`] would report them.
    pub fn problems(&self) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        diagnostics.extend(self.problems.iter().map(|(_, d)| d.clone()));
        diagnostics
    }

    /// Reads again what changed at `changed` (paths relative to `content/`:
    /// files or folders, created, edited, deleted or renamed), leaving the
    /// rest as it is. The result is what [`load_content`] would read now.
    pub fn update(&mut self, root: &Path, changed: &[String]) {
        for rel in changed {
            if rel.split('/').any(is_ignored) {
                continue;
            }
            // A deleted folder may be reported only through the files it held.
            let gone_ancestor = ancestors(rel)
                .filter(|dir| !dir.is_empty())
                .filter(|dir| !root.join(CONTENT_DIR).join(dir).is_dir())
                .last();
            let rel = gone_ancestor.unwrap_or(rel);
            self.forget_under(rel);
            self.read_under(root, rel);
        }
    }

    /// The Markdown file at `rel_path`, if there is one.
    pub fn markdown_file(&self, rel_path: &str) -> Option<&MarkdownFile> {
        let at = self
            .markdown
            .binary_search_by(|f| content_order(&f.rel_path, rel_path))
            .ok()?;
        Some(&self.markdown[at])
    }

    /// Whether `rel` is a file or folder of the content as last read.
    pub fn knows(&self, rel: &str) -> bool {
        self.markdown_file(rel).is_some()
            || self.assets.iter().any(|a| a.rel_path == rel)
            || self.folders.iter().any(|f| f == rel)
            || self.problems.iter().any(|(p, _)| p == rel)
    }

    /// Puts a Markdown file's new text in place (it must be known already).
    pub fn replace_markdown(&mut self, rel_path: &str, source: Arc<SourceFile>) {
        if let Ok(at) = self
            .markdown
            .binary_search_by(|f| content_order(&f.rel_path, rel_path))
        {
            self.markdown[at].source = source;
        }
    }

    /// Forgets `rel` and everything under it.
    fn forget_under(&mut self, rel: &str) {
        let gone = |path: &str| {
            rel.is_empty()
                || path == rel
                || path
                    .strip_prefix(rel)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        self.markdown.retain(|f| !gone(&f.rel_path));
        self.assets.retain(|a| !gone(&a.rel_path));
        self.folders.retain(|f| !gone(f));
        self.problems.retain(|(p, _)| !gone(p));
    }

    /// Reads `rel` (a file, or a folder and everything in it) if it exists,
    /// with the folders above it, keeping every list in walk order.
    fn read_under(&mut self, root: &Path, rel: &str) {
        let content_dir = root.join(CONTENT_DIR);
        if !content_dir.is_dir() {
            if rel.is_empty() {
                self.problems
                    .push((String::new(), missing_content_folder()));
            }
            return;
        }
        let start = if rel.is_empty() {
            content_dir.clone()
        } else {
            content_dir.join(rel)
        };
        if !rel.is_empty() && std::fs::symlink_metadata(&start).is_err() {
            return;
        }
        self.add_parent_folders(rel);
        let walker = WalkDir::new(&start)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref())
            });
        for entry in walker {
            match entry {
                Ok(entry) => self.add_entry(root, &content_dir, &entry),
                Err(e) => {
                    let path = e.path().unwrap_or(&start);
                    self.problems.push((
                        relative_slash_path(&content_dir, path),
                        Diagnostic::file_error(
                            display_path(root, path),
                            format!("cannot read: {e}"),
                        ),
                    ));
                }
            }
        }
        self.sort();
    }

    fn add_entry(&mut self, root: &Path, content_dir: &Path, entry: &walkdir::DirEntry) {
        let rel = relative_slash_path(content_dir, entry.path());
        if entry.file_type().is_dir() {
            self.folders.push(rel);
        } else if rel.ends_with(".md") {
            match read_markdown(root, entry.path()) {
                Ok(source) => self.markdown.push(MarkdownFile {
                    rel_path: rel,
                    source: Arc::new(source),
                }),
                Err(d) => self.problems.push((rel, d)),
            }
        } else {
            self.assets.push(Asset {
                rel_path: rel,
                absolute: entry.path().to_path_buf(),
            });
        }
    }

    /// A file can be reported without its new folder; a walk would list the folder too.
    fn add_parent_folders(&mut self, rel: &str) {
        for up in ancestors(rel) {
            if !self.folders.iter().any(|f| f == up) {
                self.folders.push(up.to_string());
            }
        }
    }

    fn sort(&mut self) {
        self.markdown
            .sort_by(|a, b| content_order(&a.rel_path, &b.rel_path));
        self.assets
            .sort_by(|a, b| content_order(&a.rel_path, &b.rel_path));
        self.folders.sort_by(|a, b| content_order(a, b));
        self.folders.dedup();
        self.problems.sort_by(|a, b| content_order(&a.0, &b.0));
    }
}

/// `a/b/c.md` → `a/b`, `a`, `""`.
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(rel), |p| p.rsplit_once('/').map(|(up, _)| up))
        .skip(1)
        .chain((!rel.is_empty()).then_some(""))
}

/// The order of a walk sorted by file name: folder by folder, name by name
/// (`a/b.md` comes before `a-b.md`, although `/` sorts after `-` as a byte).
pub fn content_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

fn missing_content_folder() -> Diagnostic {
    Diagnostic::file_error(CONTENT_DIR, "the content folder is missing").with_hint(
        "create `content/` with an `_index.md` for the home page, or run `carebook init`",
    )
}

/// Reads one Markdown file; a non-UTF-8 file is an error at its first bad byte.
pub fn read_markdown(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let shown = display_path(root, path);
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::file_error(&shown, format!("cannot read: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(shown, text)),
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // The valid prefix is enough to place the first bad byte on its line.
            let mut prefix = String::from_utf8_lossy(&bytes[..valid_up_to]).into_owned();
            let line_end = bytes[valid_up_to..].iter().position(|&b| b == b'\n');
            let rest =
                &bytes[valid_up_to..valid_up_to + line_end.unwrap_or(bytes.len() - valid_up_to)];
            prefix.push_str(&String::from_utf8_lossy(rest));
            let source = SourceFile::new(shown, prefix);
            Err(Diagnostic::error(
                &source,
                Span::new(valid_up_to, valid_up_to + 1),
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02X})",
                    bytes[valid_up_to]
                ),
            )
            .with_hint(
                "save the file as UTF-8 in your editor (often under \"Save with encoding\")",
            ))
        }
    }
}

/// Files and folders that are never content: hidden ones and editors' temporary files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        // JetBrains IDEs' "safe write" temporary and backup files.
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
}

/// `path` relative to `base`, with `/` separators on every platform.
pub fn relative_slash_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The path shown in messages: relative to the site root when it is inside it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_temp_files_are_ignored() {
        for name in [
            ".git",
            ".foo.md.swp",
            "foo.md~",
            "#foo.md#",
            "x.tmp",
            "foo.md___jb_tmp___",
            "foo.md___jb_old___",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("sciatica.md"));
    }

    /// What a loaded content folder holds, comparably.
    fn summary(content: &Content) -> Vec<String> {
        let markdown = content
            .markdown
            .iter()
            .map(|f| format!("md {} {:?}", f.rel_path, f.source.text));
        let assets = content
            .assets
            .iter()
            .map(|a| format!("asset {}", a.rel_path));
        let folders = content.folders.iter().map(|f| format!("folder {f}"));
        let problems = content
            .problems()
            .iter()
            .map(|d| d.headline())
            .collect::<Vec<_>>();
        markdown
            .chain(assets)
            .chain(folders)
            .chain(problems)
            .collect()
    }

    fn write(root: &Path, rel: &str, text: &[u8]) {
        let path = root.join(CONTENT_DIR).join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn an_update_reads_what_a_fresh_load_would() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a.md", b"a");
        write(root, "a/b.md", b"b");
        write(root, "a-b.md", b"dash");
        write(root, "a/img.png", b"png");
        write(root, "old/x.md", b"x");
        let (mut content, _) = load_content(root);
        write(root, "new/deeper/y.md", b"y");
        write(root, "a/b.md", b"b2");
        write(root, "bad.md", b"caf\xe9");
        std::fs::rename(root.join("content/old"), root.join("content/renamed")).unwrap();
        std::fs::remove_file(root.join("content/a/img.png")).unwrap();
        // Reported as notify would: one path each, a folder's files not listed.
        let changed = [
            "new/deeper/y.md",
            "a/b.md",
            "bad.md",
            "old",
            "renamed",
            "a/img.png",
        ];
        content.update(root, &changed.map(String::from));
        assert_eq!(summary(&content), summary(&load_content(root).0));
        std::fs::remove_dir_all(root.join("content/new")).unwrap();
        // Only the file's deletion reported: its folders go with it.
        content.update(root, &["new/deeper/y.md".to_string()]);
        assert_eq!(summary(&content), summary(&load_content(root).0));
    }

    #[test]
    fn walk_order_is_folder_by_folder() {
        let mut paths = vec!["a-b.md", "a/b.md", "a.md", "", "a"];
        paths.sort_by(|a, b| content_order(a, b));
        assert_eq!(paths, ["", "a", "a/b.md", "a-b.md", "a.md"]);
    }

    #[test]
    fn non_utf8_points_at_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.md");
        std::fs::write(&path, b"---\ntitle: caf\xe9\n---\n").unwrap();
        let err = read_markdown(dir.path(), &path).unwrap_err();
        assert_eq!(err.location(), "bad.md:2:11");
    }
}
