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
    pub source: SourceFile,
}

/// A non-Markdown file inside `content/`, copied to the same relative path in the output.
#[derive(Debug, Clone)]
pub struct Asset {
    pub rel_path: String,
    pub absolute: PathBuf,
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    pub markdown: Vec<MarkdownFile>,
    pub assets: Vec<Asset>,
    /// Every folder under `content/` (relative, `/`-separated; `""` is the root).
    pub folders: Vec<String>,
}

/// Reads `root/content`, reporting unreadable and non-UTF-8 files as diagnostics.
pub fn load_content(root: &Path) -> (Content, Diagnostics) {
    let content_dir = root.join(CONTENT_DIR);
    let mut content = Content::default();
    let mut diagnostics = Diagnostics::new();
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::file_error(CONTENT_DIR, "the content folder is missing").with_hint(
                "create `content/` with an `_index.md` for the home page, or run `carebook init`",
            ),
        );
        return (content, diagnostics);
    }
    let walker = WalkDir::new(&content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| display_path(root, p))
                    .unwrap_or_else(|| CONTENT_DIR.into());
                diagnostics.push(Diagnostic::file_error(path, format!("cannot read: {e}")));
                continue;
            }
        };
        let rel = relative_slash_path(&content_dir, entry.path());
        if entry.file_type().is_dir() {
            content.folders.push(rel);
        } else if rel.ends_with(".md") {
            match read_markdown(root, entry.path()) {
                Ok(source) => content.markdown.push(MarkdownFile {
                    rel_path: rel,
                    source,
                }),
                Err(d) => diagnostics.push(d),
            }
        } else {
            content.assets.push(Asset {
                rel_path: rel,
                absolute: entry.path().to_path_buf(),
            });
        }
    }
    (content, diagnostics)
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
        for name in [".git", ".foo.md.swp", "foo.md~", "#foo.md#", "x.tmp"] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("sciatica.md"));
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
