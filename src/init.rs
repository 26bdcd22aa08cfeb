//! `carebook init`: a new site that builds cleanly as created.
//!
//! The new site holds a `site.toml`, two sections (conditions and
//! treatments), a condition page, an article that links to it, and a copy of
//! the default theme, which is compiled into the binary so `init` works
//! anywhere. The example pages are reviewed today and due for review in a
//! year, so a new site also passes `carebook check`.

use std::fs;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::date::Date;
use crate::diagnostic::Diagnostic;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The starter files of a new site, relative to its folder.
const STARTER_FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("init/site.toml")),
    ("content/_index.md", include_str!("init/_index.md")),
    (
        "content/conditions/_index.md",
        include_str!("init/conditions_index.md"),
    ),
    (
        "content/conditions/example-condition.md",
        include_str!("init/example-condition.md"),
    ),
    (
        "content/treatments/_index.md",
        include_str!("init/treatments_index.md"),
    ),
    (
        "content/treatments/example-treatment.md",
        include_str!("init/example-treatment.md"),
    ),
];

/// Creates a new site in `dir`, which must be missing or empty.
pub fn init(dir: &Path) -> Result<(), Diagnostic> {
    let not_empty = fs::read_dir(dir)
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if not_empty {
        return Err(Diagnostic::file_error(
            dir,
            "refusing to create a site here: the folder is not empty",
        )
        .with_hint("pass the name of a new or empty folder, e.g. `carebook init my-clinic`"));
    }
    let io_error =
        |e: std::io::Error| Diagnostic::file_error(dir, format!("cannot create the site: {e}"));
    // A new site's example review is today's, due in a year, so it checks cleanly.
    let today = Date::today();
    for (rel, text) in STARTER_FILES {
        let text = text
            .replace("{reviewed}", &today.to_string())
            .replace("{review_due}", &today.add_years(1).to_string());
        write_file(&dir.join(rel), text.as_bytes()).map_err(io_error)?;
    }
    write_dir(&DEFAULT_THEME, &dir.join("themes/default")).map_err(io_error)
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, bytes)
}

fn write_dir(embedded: &Dir, to: &Path) -> std::io::Result<()> {
    for file in embedded.files() {
        write_file(&to.join(file.path()), file.contents())?;
    }
    for sub in embedded.dirs() {
        write_dir(sub, to)?;
    }
    Ok(())
}
