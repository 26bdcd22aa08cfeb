//! carebook turns a folder of Markdown patient-education articles into a
//! static, cross-linked website.
//!
//! # The pipeline
//!
//! Each stage is a function from one named type to the next; modules are
//! listed in the order data flows through them.
//!
//! 1. [`config`]: `site.toml` → [`config::Config`].
//! 2. [`load`]: `content/` on disk → [`load::Content`] (file texts and assets).
//! 3. [`front_matter`]: one file's YAML header → raw typed front matter.
//! 4. [`page`]: raw files → validated [`page::Page`]s and [`page::Section`]s.
//! 5. [`markdown`]: one body → [`markdown::RenderedDoc`] (HTML, headings, links).
//! 6. [`links`]: link resolution, anchor checks and the [`links::LinkGraph`].
//! 7. [`site`]: everything above → the [`site::Site`] model (cross-links, tags).
//! 8. [`render`]: [`site::Site`] + theme templates → output files.
//!    [`search`] builds the client-side search index from the same site.
//! 9. [`output`]: where files go; atomic replacement of the output folder.
//!
//! [`build`] runs the pipeline for `carebook build` and `carebook check`, and
//! [`check`] the content checks (governance, readability, link health,
//! structure, care cards) on the assembled site;
//! [`init`] scaffolds a new site. Every problem found on the way is a
//! [`diagnostic::Diagnostic`] value, collected and reported together.

pub mod build;
pub mod check;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod front_matter;
pub mod init;
pub mod links;
pub mod load;
pub mod markdown;
pub mod memo;
pub mod output;
pub mod page;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
