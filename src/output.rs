//! Stage 8, output: where rendered files go, and how a build replaces the
//! previous one atomically.
//!
//! Rendering writes through the [`OutputSink`] trait. `build` uses a
//! [`StagingDir`]: a fresh temporary folder beside the target, swapped into
//! place with renames only after every file is written, so a failed build
//! leaves the previous output exactly as it was. `check` uses [`Discard`].
//!
//! Before anything is written, [`refuse_dangerous_output`] makes sure the
//! output folder is not the site itself, its content, its theme, or a folder
//! holding any of them: a build replaces its output folder wholesale.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::Diagnostic;

/// Receives the files a build produces; shared by parallel render jobs.
pub trait OutputSink: Sync {
    /// Writes a generated file at `rel_path` (`/`-separated, relative to the output root).
    fn write(&self, rel_path: &str, bytes: &[u8]) -> io::Result<()>;
    /// Copies an existing file to `rel_path`.
    fn copy(&self, rel_path: &str, from: &Path) -> io::Result<()>;
}

/// Accepts and forgets everything: `carebook check` renders without writing.
pub struct Discard;

impl OutputSink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn copy(&self, _: &str, _: &Path) -> io::Result<()> {
        Ok(())
    }
}

/// A temporary folder beside the output folder that becomes the output on success.
pub struct StagingDir {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl StagingDir {
    /// Creates the staging folder next to `target` (same file system, so the swap is a rename).
    pub fn new(target: &Path) -> io::Result<StagingDir> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let dir = tempfile::Builder::new()
            .prefix(".carebook-staging-")
            .tempdir_in(parent)?;
        Ok(StagingDir {
            dir,
            target: target.to_path_buf(),
        })
    }

    /// Where `rel_path` goes in the staging folder; refuses paths that
    /// would leave it.
    fn path_for(&self, rel_path: &str) -> io::Result<PathBuf> {
        let rel = Path::new(rel_path);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe output path {rel_path}"),
            ));
        }
        Ok(self.dir.path().join(rel))
    }

    /// Runs `create` on `path`, creating its folders first only if the
    /// first attempt finds them missing. Most files go into a folder that
    /// already exists (the search index's fragments share one), and asking
    /// for it again every time cost a `mkdir` that locks the folder.
    fn create_in_place(path: &Path, create: impl Fn(&Path) -> io::Result<()>) -> io::Result<()> {
        match create(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                create(path)
            }
            done => done,
        }
    }

    /// Swaps the staged files into place. The old output is moved aside first
    /// and deleted only once the new one is in place.
    pub fn commit(self) -> io::Result<()> {
        let staged = self.dir.keep();
        let old = if self.target.exists() {
            let parent = staged.parent().unwrap_or(Path::new("."));
            let aside = tempfile::Builder::new()
                .prefix(".carebook-old-")
                .tempdir_in(parent)?
                .keep();
            fs::remove_dir(&aside)?;
            fs::rename(&self.target, &aside)?;
            Some(aside)
        } else {
            None
        };
        if let Err(e) = fs::rename(&staged, &self.target) {
            if let Some(aside) = &old {
                // Put the previous output back rather than leave nothing.
                let _ = fs::rename(aside, &self.target);
            }
            let _ = fs::remove_dir_all(&staged);
            return Err(e);
        }
        if let Some(aside) = old {
            fs::remove_dir_all(aside)?;
        }
        Ok(())
    }
}

impl OutputSink for StagingDir {
    fn write(&self, rel_path: &str, bytes: &[u8]) -> io::Result<()> {
        Self::create_in_place(&self.path_for(rel_path)?, |path| fs::write(path, bytes))
    }

    fn copy(&self, rel_path: &str, from: &Path) -> io::Result<()> {
        Self::create_in_place(&self.path_for(rel_path)?, |path| {
            fs::copy(from, path).map(|_| ())
        })
    }
}

/// What a build must never replace, and whether its inside is off limits too.
pub struct Precious {
    pub what: &'static str,
    pub path: PathBuf,
    /// Sources (content, themes) must not receive output either; the site root may.
    pub inside_too: bool,
}

/// Refuses an output folder whose replacement would destroy something precious.
pub fn refuse_dangerous_output(output: &Path, precious: &[Precious]) -> Result<(), Diagnostic> {
    let output_abs = absolute(output);
    for Precious {
        what,
        path,
        inside_too,
    } in precious
    {
        let path_abs = absolute(path);
        let relation = if path_abs == output_abs {
            "is"
        } else if path_abs.starts_with(&output_abs) {
            "contains"
        } else if *inside_too && output_abs.starts_with(&path_abs) {
            "is inside"
        } else {
            continue;
        };
        {
            return Err(Diagnostic::file_error(
                output,
                format!("refusing to build into {}: it {relation} the {what} ({})", output.display(), path.display()),
            )
            .with_hint("a build replaces its output folder entirely; choose a folder of its own, such as `public`"));
        }
    }
    Ok(())
}

/// An absolute, lexically normalized path (`..` resolved), whether or not it exists.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let resolved = joined.canonicalize().unwrap_or(joined);
    let mut out = PathBuf::new();
    for component in resolved.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("old.html"), "old").unwrap();
        let staging = StagingDir::new(&target).unwrap();
        staging.write("a/index.html", b"new").unwrap();
        staging.commit().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            fs::read_to_string(target.join("a/index.html")).unwrap(),
            "new"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging and old folders are cleaned up");
    }

    #[test]
    fn dropped_staging_leaves_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("old.html"), "old").unwrap();
        {
            let staging = StagingDir::new(&target).unwrap();
            staging.write("new.html", b"new").unwrap();
        }
        assert!(target.join("old.html").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_unsafe_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let staging = StagingDir::new(&dir.path().join("public")).unwrap();
        assert!(staging.write("../escape.html", b"x").is_err());
    }

    #[test]
    fn refuses_root_and_ancestors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let precious = [
            Precious {
                what: "site root",
                path: root.clone(),
                inside_too: false,
            },
            Precious {
                what: "content folder",
                path: root.join("content"),
                inside_too: true,
            },
        ];
        assert!(refuse_dangerous_output(&root, &precious).is_err());
        assert!(refuse_dangerous_output(dir.path(), &precious).is_err());
        assert!(refuse_dangerous_output(&root.join("content"), &precious).is_err());
        assert!(refuse_dangerous_output(&root.join("content/out"), &precious).is_err());
        assert!(refuse_dangerous_output(&root.join("public"), &precious).is_ok());
    }
}
