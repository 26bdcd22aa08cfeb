//! Timing of the search index against the rest of a build, in one process
//! (the fastest of several runs, so that a busy machine disturbs it less).
//!
//! ```sh
//! CAREBOOK_BENCH_ROOT=path/to/site cargo test --release --test search_bench -- --ignored --nocapture
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use carebook::build::{BuildOptions, validate};
use carebook::output::Discard;
use carebook::render;
use carebook::search;

fn fastest(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
#[ignore = "a benchmark: set CAREBOOK_BENCH_ROOT"]
fn search_index_time_against_the_build() {
    let root = std::env::var_os("CAREBOOK_BENCH_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let runs = 5;
    let options = BuildOptions {
        root,
        ..BuildOptions::default()
    };
    let validate_time = fastest(runs, || {
        let _ = validate(&options);
    });
    let validated = validate(&options).unwrap_or_else(|d| panic!("{d:?}"));
    let render_time = fastest(runs, || {
        render::render_site(
            &validated.site,
            &validated.theme,
            &Discard,
            &|| {},
            &Default::default(),
        );
    });
    let documents = search::collect::collect(&validated.site);
    let collect_time = fastest(runs, || {
        search::collect::collect(&validated.site);
    });
    let index = search::index::build(&documents, &validated.site.config.search);
    let index_time = fastest(runs, || {
        search::index::build(&documents, &validated.site.config.search);
    });
    let mut files = Vec::new();
    let files_time = fastest(runs, || {
        files = search::shards::files(&index, &documents);
    });
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let search_time = collect_time + index_time + files_time;
    let build = validate_time + render_time;
    println!(
        "{} pages: validate {validate_time:?} + render {render_time:?} = {build:?}; search index \
         {search_time:?} = collect {collect_time:?} + index {index_time:?} + files {files_time:?} \
         ({:.0}% of the build), {} files, {bytes} bytes",
        validated.site.pages.len(),
        100.0 * search_time.as_secs_f64() / build.as_secs_f64(),
        files.len()
    );
}
