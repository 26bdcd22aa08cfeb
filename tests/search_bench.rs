//! Timing of the search index against the rest of a build, in one process:
//! the fastest of several runs, so that a busy machine disturbs it less, in
//! wall time and in CPU time (all threads), which load disturbs less still.
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

/// A stage's fastest wall time and smallest CPU time over its runs.
#[derive(Clone, Copy, Default)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

impl std::ops::Add for Timing {
    type Output = Timing;
    fn add(self, other: Timing) -> Timing {
        Timing {
            wall: self.wall + other.wall,
            cpu: self.cpu + other.cpu,
        }
    }
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{:.1?} (cpu {:.1?})", self.wall, self.cpu)
    }
}

/// CPU time of every thread of this process so far (Linux: each thread's
/// `schedstat`, in nanoseconds; rayon's threads live as long as the process).
fn process_cpu() -> Duration {
    let nanos = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

fn fastest(runs: usize, mut f: impl FnMut()) -> Timing {
    let each: Vec<Timing> = (0..runs)
        .map(|_| {
            let (t, cpu) = (Instant::now(), process_cpu());
            f();
            Timing {
                wall: t.elapsed(),
                cpu: process_cpu().saturating_sub(cpu),
            }
        })
        .collect();
    Timing {
        wall: each.iter().map(|t| t.wall).min().unwrap_or_default(),
        cpu: each.iter().map(|t| t.cpu).min().unwrap_or_default(),
    }
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
    let collected = search::collect::collect(&validated.site);
    let collect_time = fastest(runs, || {
        search::collect::collect(&validated.site);
    });
    // The index uses up what it is given: a copy per run, made and dropped
    // outside the timing.
    let mut copies = vec![collected.clone(); runs];
    let mut spent = Vec::new();
    let index_time = fastest(runs, || {
        let copy = copies.pop().unwrap_or_else(|| collected.clone());
        spent.push(search::index::build(copy, &validated.site.config.search));
    });
    drop(spent);
    let (index, documents) = search::index::build(collected, &validated.site.config.search);
    let mut files = Vec::new();
    let files_time = fastest(runs, || {
        files = search::shards::files(&index, &documents);
    });
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let search_time = collect_time + index_time + files_time;
    let build = validate_time + render_time;
    let share = |of: fn(&Timing) -> Duration| {
        100.0 * of(&search_time).as_secs_f64() / of(&build).as_secs_f64()
    };
    println!(
        "{} pages: validate {validate_time} + render {render_time} = {build}; search index \
         {search_time} = collect {collect_time} + index {index_time} + files {files_time} \
         ({:.0}% of the build, cpu {:.0}%), {} files, {bytes} bytes",
        validated.site.pages.len(),
        share(|t| t.wall),
        share(|t| t.cpu),
        files.len()
    );
}
