#!/usr/bin/env bash
# Reproducible build benchmark: carebook vs Hugo on the same synthetic corpus, and the dev
# server's edit-to-reload latency.
# See BENCHMARKS.md for what it measures, why, and the latest results.
#
# Usage (from anywhere):
#   bench/run.sh            corpus + measure + profile + rebuild scenario + summary (the default)
#   bench/run.sh corpus     only generate / refresh the corpora
#   bench/run.sh measure    corpus + the side-by-side timings + summary (no profile, no rebuild)
#   bench/run.sh profile    corpus + the perf profile only
#   bench/run.sh serve      corpus + `carebook serve` edit-to-reload latency in headless Chromium
#                           (bench/serve-latency.mjs) on the bundled guide and each corpus, each
#                           served from a fresh copy; writes results/serve-latency.md and
#                           results/serve-latency-*.json. Needs node and tests/browser/node_modules
#                           (npm ci there) and Chromium (CHROME_PATH or /usr/bin/chromium). Each
#                           row first waits for an idle machine, up to BENCH_IDLE_TIMEOUT seconds
#   bench/run.sh clean      delete bench-out/ entirely
#
# Environment overrides (defaults in brackets):
#   GEN_CORPUS           corpus generator [../shared/bench/gen_corpus.py, relative to the repo root]
#   BENCH_OUT            work folder, gitignored [bench-out]
#   BENCH_SIZES          page counts [1000 10000]
#   BENCH_RUNS           measured runs per tool and size; the median is reported [3]
#   BENCH_SEED           corpus seed [42]
#   BENCH_TOOLS          tools to time [carebook hugo]
#   BENCH_IDLE_MAX       a run starts only once other processes use < this share of the CPUs [0.10]
#   BENCH_IDLE_TIMEOUT   give up waiting for idle after this many seconds, and say so [900]
#   BENCH_MAX_FOREIGN    a run is repeated if other processes used more than this many cores
#                        on average while it ran [0.25]
#   BENCH_RETRIES        extra attempts for such a run before it is kept and flagged [3]
#   BENCH_SETTLE         seconds to wait after deleting many files before timing anything [65]
#   BENCH_PROFILE        1 = perf profile of carebook at the largest size [1]
#   BENCH_PERF_HZ        perf sampling frequency [499]
#   BENCH_REBUILD        1 = also time rebuilding over an existing output folder [1]
#   BENCH_KEEP           1 = keep the run output folders afterwards [0]
#   BENCH_REF            the commit to benchmark: its tree is exported to $BENCH_OUT/src and built
#                        there with `cargo build --release` (own target dir) [HEAD]
#   BENCH_SOURCE         commit | worktree: `worktree` builds the working tree as it is, uncommitted
#                        edits included, with `cargo build --release` in the repo [commit]
#   CAREBOOK_BIN         use this binary as is (skips building)
#   BENCH_SERVE_RUNS     serve: measured edits per site and save kind; median, p90, max reported [10]
#   BENCH_SERVE_SAVES    serve: how each edit is saved: inplace (rewrite the file) and/or atomic
#                        (temp file + rename, as vim and JetBrains do) [inplace atomic]
#   BENCH_SERVE_SITES    serve: guide and/or corpus sizes from BENCH_SIZES to measure [guide $BENCH_SIZES]
#   BENCH_SERVE_HUGO     serve: 1 = also time `hugo server` on each corpus's Hugo half, in-place saves [0]
#
# Results go to $BENCH_OUT/results/: raw.tsv (every run), summary.md (tables), profile-*.txt.
# Idempotent: corpora are regenerated only when N, seed or the generator change; every run
# writes into a fresh output folder; earlier run folders are deleted, and the script waits
# BENCH_SETTLE seconds after any large deletion before timing anything (why: BENCHMARKS.md,
# "Method, and why", point 4).
set -euo pipefail
trap 'echo "[bench] FAILED: line $LINENO exited with status $?" >&2' ERR

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

GEN_CORPUS=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
OUT=${BENCH_OUT:-bench-out}
SIZES=${BENCH_SIZES:-1000 10000}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-42}
TOOLS=${BENCH_TOOLS:-carebook hugo}
IDLE_MAX=${BENCH_IDLE_MAX:-0.10}
IDLE_TIMEOUT=${BENCH_IDLE_TIMEOUT:-900}
MAX_FOREIGN=${BENCH_MAX_FOREIGN:-0.25}
RETRIES=${BENCH_RETRIES:-3}
SETTLE=${BENCH_SETTLE:-65}
PROFILE=${BENCH_PROFILE:-1}
PERF_HZ=${BENCH_PERF_HZ:-499}
REBUILD=${BENCH_REBUILD:-1}
KEEP=${BENCH_KEEP:-0}
MODE=${1:-all}
THEME_SRC=themes   # the theme copied into the carebook corpus; the exported commit's in commit mode
GUIDE_SRC=.        # the bundled guide served by `serve` mode; likewise the exported commit's
DELETED=0   # set when this invocation deleted many files; timing waits BENCH_SETTLE seconds first

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RESULTS=$OUT/results
RUNDIR=$OUT/runs
BIN=$OUT/bin/carebook
RAW=$RESULTS/raw.tsv
LARGEST=$(printf '%s\n' $SIZES | sort -n | tail -1)

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ----------------------------------------------------------------- tools

need_tools() {
    local missing=()
    command -v python3 >/dev/null || missing+=("python3")
    [[ -n ${CAREBOOK_BIN:-} ]] || command -v cargo >/dev/null || missing+=("cargo (https://rustup.rs)")
    if [[ " $TOOLS " == *" hugo "* ]] && ! command -v hugo >/dev/null; then missing+=("hugo"); fi
    if [[ ! -x /usr/bin/time ]] || [[ $(/usr/bin/time -v true 2>&1) != *"Maximum resident"* ]]; then
        missing+=("GNU time at /usr/bin/time")
    fi
    if ((${#missing[@]})); then
        log "missing: ${missing[*]}"
        log "install with:  apt-get update && apt-get install -y hugo time linux-perf"
        exit 1
    fi
    [[ -f $GEN_CORPUS ]] || die "corpus generator not found at $GEN_CORPUS (set GEN_CORPUS=/path/to/gen_corpus.py)"
}

have_perf() {
    command -v perf >/dev/null && perf record -q -o /dev/null true >/dev/null 2>&1
}

# ----------------------------------------------------------------- machine state

# Busy and total jiffies of all CPUs from /proc/stat (iowait counts as idle).
cpu_jiffies() {
    awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; total=busy+$5+$6; print busy, total; exit}' /proc/stat
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# Milliseconds the disk holding $OUT has been busy (io_ticks), to spot runs slowed by I/O.
DISK_STAT=
disk_ms() {
    if [[ -z $DISK_STAT ]]; then
        local dev
        dev=$(basename "$(df --output=source "$OUT" | tail -1)")
        DISK_STAT=/sys/class/block/$dev/stat
        [[ -r $DISK_STAT ]] || DISK_STAT=/dev/null
    fi
    awk '{print $10 + 0}' "$DISK_STAT"
}

# Waits until other processes use less than IDLE_MAX of the machine for 3 s in a row.
wait_idle() {
    local start=$SECONDS quiet=0 b0 t0 b1 t1
    while ((quiet < 3)); do
        read -r b0 t0 < <(cpu_jiffies)
        sleep 1
        read -r b1 t1 < <(cpu_jiffies)
        if awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v m="$IDLE_MAX" 'BEGIN{exit !(t > 0 && b / t < m)}'; then
            quiet=$((quiet + 1))
        else
            quiet=0
        fi
        if ((SECONDS - start > IDLE_TIMEOUT)); then
            log "machine still busy after ${IDLE_TIMEOUT}s (load $(load1)); measuring anyway, the run is flagged"
            return 1
        fi
    done
    (( SECONDS - start > 5 )) && log "waited $((SECONDS - start))s for the machine to be idle"
    return 0
}

settle() {
    sync
    log "settling ${SETTLE}s after deleting files (ext4 'recently deleted' inode scan, see BENCHMARKS.md)"
    sleep "$SETTLE"
}

# ----------------------------------------------------------------- binary

build_carebook() {
    mkdir -p "$OUT/bin"
    local src ref=${BENCH_REF:-HEAD} what
    if [[ -n ${CAREBOOK_BIN:-} ]]; then
        src=$CAREBOOK_BIN
        what="binary $CAREBOOK_BIN"
    elif [[ ${BENCH_SOURCE:-commit} == worktree ]]; then
        log "cargo build --release (working tree, uncommitted edits included)"
        cargo build --release --quiet
        src=target/release/carebook
        what="working tree at $(git describe --always --dirty), $(git status --porcelain -- src Cargo.toml Cargo.lock | wc -l) uncommitted paths under src/ and Cargo.*"
    else
        local commit
        commit=$(git rev-parse --verify "$ref^{commit}") || die "no such commit: $ref"
        if [[ ! -f $OUT/src/.commit || $(cat "$OUT/src/.commit") != "$commit" ]]; then
            log "exporting $ref ($commit) to $OUT/src"
            rm -rf "$OUT/src"
            mkdir -p "$OUT/src"
            git archive "$commit" | tar -x -C "$OUT/src"
            echo "$commit" >"$OUT/src/.commit"
        fi
        log "cargo build --release of $(git rev-parse --short "$commit") (target dir $OUT/target)"
        cargo build --release --quiet --manifest-path "$OUT/src/Cargo.toml" --target-dir "$OUT/target"
        src=$OUT/target/release/carebook
        what="commit $commit (clean export)"
        THEME_SRC=$OUT/src/themes
        GUIDE_SRC=$OUT/src
    fi
    # A private copy, so a colleague's rebuild cannot swap the binary mid-benchmark.
    cp -f "$src" "$BIN.tmp" && mv -f "$BIN.tmp" "$BIN"
    {
        echo "source=$what"
        echo "version=$("$BIN" --version 2>/dev/null)"
        echo "sha256=$(sha256sum "$BIN" | cut -c1-16)"
        echo "built_at=$(date -u +%FT%TZ)"
    } >"$OUT/bin/carebook.info"
}

# ----------------------------------------------------------------- corpus

corpus_dir() { echo "$OUT/corpus/n$1"; }

make_corpus() {
    local n=$1 dir stamp want
    dir=$(corpus_dir "$n")
    want="pages=$n seed=$SEED gen=$(sha256sum "$GEN_CORPUS" | cut -c1-16) patch=reviewed_by-v1"
    stamp=$dir/.stamp
    if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
        log "corpus n=$n up to date ($dir)"
    else
        log "generating corpus n=$n"
        [[ -d $dir ]] && DELETED=1
        rm -rf "$dir"
        mkdir -p "$dir"
        python3 "$GEN_CORPUS" --pages "$n" --out "$dir" --seed "$SEED" 2>"$dir/.gen-stats.json"
        rm -rf "$dir/zola" "$dir/mdbook"   # not benchmarked here; saves disk and page cache
        DELETED=1
        add_reviewed_by "$dir/carebook/content" "$dir/hugo/content"
        echo "$want" >"$stamp"
    fi
    # The generated site.toml names no theme, so carebook uses `default`, which it loads from
    # <site>/themes/default: give the corpus the theme of the carebook being measured.
    if ! diff -rq "$THEME_SRC" "$dir/carebook/themes" >/dev/null 2>&1; then
        rm -rf "$dir/carebook/themes"
        cp -r "$THEME_SRC" "$dir/carebook/themes"
    fi
}

# carebook's governance check (`review_fields`) requires `reviewed_by` on every clinical page
# (condition, article, exercise); gen_corpus.py writes `reviewed` and `review_due` but no
# reviewer, so `carebook check` would fail on every page and `build` would print one warning per
# page. Add one front-matter line to every page, in both formats so they stay identical.
add_reviewed_by() {
    python3 - "$@" <<'PY'
import os, sys
for top in sys.argv[1:]:
    for root, _, files in os.walk(top):
        for f in files:
            if not f.endswith(".md") or f == "_index.md":
                continue
            p = os.path.join(root, f)
            text = open(p, encoding="utf-8").read()
            head, sep, body = text.partition("\n---\n")
            if not sep or "\nreviewed_by:" in head:
                continue
            lines = head.split("\n")
            i = next((i for i, l in enumerate(lines) if l.startswith("reviewed: ")), None)
            if i is None:
                continue
            lines.insert(i + 1, 'reviewed_by: "Benchmark Reviewer"')
            open(p, "w", encoding="utf-8").write("\n".join(lines) + sep + body)
PY
}

# The timings mean nothing unless both tools build the corpus: `measure` dies on any failed
# build. Here `carebook check` records what carebook finds in the corpus (it may warn:
# the word salad is hard to read and some pages are orphans; see BENCHMARKS.md).
validate_corpus() {
    local n=$1 dir
    dir=$(corpus_dir "$n")
    if "$BIN" check --root "$dir/carebook" >"$RESULTS/check-n$n.log" 2>&1; then
        log "carebook check n=$n: $(tail -1 "$RESULTS/check-n$n.log")"
    else
        log "carebook check n=$n FAILED: $(tail -1 "$RESULTS/check-n$n.log") (log: $RESULTS/check-n$n.log)"
    fi
    # Keep only the summary table; the full log is one finding per page.
    awk '/^rule +errors/{f=1} f' "$RESULTS/check-n$n.log" >"$RESULTS/check-n$n.txt"
    rm -f "$RESULTS/check-n$n.log"
}

# ----------------------------------------------------------------- one timed run

# measure LABEL N TOOL RUN [OUT]: times one build into a fresh output folder (or into OUT,
# which may hold an earlier build) and appends a row to raw.tsv.
measure() {
    local label=$1 n=$2 tool=$3 run=$4 fixed_out=${5:-} dir out attempt=0 idle status
    dir=$(corpus_dir "$n")
    while :; do
        attempt=$((attempt + 1))
        out=${fixed_out:-$RUNDIR/$label-n$n-$tool-r$run-a$attempt}
        case $tool in
            carebook) cmd=("$BIN" build --root "$dir/carebook" --output-dir "$out") ;;
            hugo) cmd=(hugo --quiet -s "$dir/hugo" -d "$out") ;;
            carebook-check) cmd=("$BIN" check --root "$dir/carebook") ;;
            *) die "unknown tool $tool" ;;
        esac
        idle=ok
        sync
        wait_idle || idle=busy
        local l1 b0 t0 b1 t1 ns0 ns1 d0 d1
        l1=$(load1)
        d0=$(disk_ms)
        read -r b0 t0 < <(cpu_jiffies)
        ns0=$(date +%s%N)
        set +e
        /usr/bin/time -v -o "$RESULTS/time.tmp" "${cmd[@]}" >"$RESULTS/last-run.log" 2>&1
        status=$?
        set -e
        ns1=$(date +%s%N)
        read -r b1 t1 < <(cpu_jiffies)
        d1=$(disk_ms)
        if ((status != 0)); then
            cat "$RESULTS/last-run.log" >&2
            die "$tool failed on n=$n (exit $status): ${cmd[*]}"
        fi
        local row verdict
        row=$(python3 - "$RESULTS/time.tmp" "$ns0" "$ns1" "$b0" "$b1" "$(getconf CLK_TCK)" "$MAX_FOREIGN" "$d0" "$d1" <<'PY'
import re, sys
path, ns0, ns1, b0, b1, hz, max_foreign, d0, d1 = sys.argv[1:]
text = open(path).read()
get = lambda key: float(re.search(re.escape(key) + r":\s*([\d.]+)", text).group(1))
wall = (int(ns1) - int(ns0)) / 1e9
user, sys_ = get("User time (seconds)"), get("System time (seconds)")
rss_kb = get("Maximum resident set size (kbytes)")
busy = (int(b1) - int(b0)) / int(hz)
foreign = max(0.0, busy - user - sys_) / wall          # cores used by other processes
ok = "ok" if foreign <= float(max_foreign) else "noisy"
disk = (int(d1) - int(d0)) / 1000 / wall                # share of the run the disk was busy
print(f"{wall:.3f}\t{rss_kb / 1024:.1f}\t{user:.2f}\t{sys_:.2f}\t{foreign:.2f}\t{disk:.2f}\t{ok}")
PY
)
        verdict=${row##*$'\t'}
        [[ $idle == busy ]] && verdict=noisy
        row=${row%$'\t'*}
        local files=-
        [[ -d $out ]] && files=$(find "$out" -type f | wc -l)
        local final=$verdict
        if [[ $verdict == noisy && $attempt -le $RETRIES ]]; then final=retried; fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$n" "$tool" "$run" "$attempt" "$row" "$l1" "$files" "$final" >>"$RAW"
        log "$(printf '%-8s n=%-6s %-9s run %s: %6.2fs %7.1f MiB  other-cpu %s cores  disk busy %s  load %s  %s' \
            "$label" "$n" "$tool" "$run" "$(cut -f1 <<<"$row")" "$(cut -f2 <<<"$row")" "$(cut -f5 <<<"$row")" "$(cut -f6 <<<"$row")" "$l1" "$final")"
        [[ $final == retried ]] || break
    done
}

init_raw() {
    mkdir -p "$RESULTS"
    printf 'label\tn\ttool\trun\tattempt\twall_s\tpeak_rss_mib\tuser_s\tsys_s\tother_cores\tdisk_busy\tload1\tfiles\tverdict\n' >"$RAW"
}

# Deletes earlier run folders; waits if this invocation deleted many files (see BENCHMARKS.md, "Settling").
fresh_rundir() {
    if [[ -d $RUNDIR ]] && [[ -n $(ls -A "$RUNDIR") ]]; then
        log "deleting earlier run outputs"
        rm -rf "$RUNDIR"
        DELETED=1
    fi
    mkdir -p "$RUNDIR"
    if ((DELETED)); then
        settle
    elif [[ -f $OUT/.deleted-at ]]; then
        # The previous invocation deleted its outputs when it finished; wait out the rest.
        local left=$(( $(cat "$OUT/.deleted-at") + SETTLE - $(date +%s) ))
        if ((left > 0)); then
            log "waiting ${left}s: the previous run deleted its outputs less than ${SETTLE}s ago"
            sync
            sleep "$left"
        fi
    fi
}

warm_up() {
    local n=$1 dir
    dir=$(corpus_dir "$n")
    log "warming the page cache and binaries for n=$n"
    find "$dir" -type f -exec cat {} + >/dev/null
    local tool
    for tool in $TOOLS; do measure warmup "$n" "$tool" 0; done
}

# ----------------------------------------------------------------- scenarios

run_measure() {
    local n run tool order
    for n in $SIZES; do
        warm_up "$n"
        for run in $(seq 1 "$RUNS"); do
            # Interleaved, alternating which tool goes first.
            order=$TOOLS
            ((run % 2 == 0)) && order=$(printf '%s\n' $TOOLS | tac | xargs)
            for tool in $order; do measure main "$n" "$tool" "$run"; done
        done
    done
}


run_profile() {
    local n=$LARGEST dir out data
    dir=$(corpus_dir "$n")
    if ! have_perf; then
        log "perf is not usable; skipping the profile (apt-get install -y linux-perf; needs perf_event_paranoid <= 2 or root)"
        return 0
    fi
    out=$RUNDIR/profile-n$n
    data=$OUT/perf-n$n.data
    sync
    wait_idle || true
    log "perf record: carebook build n=$n"
    rm -f "$data" "$data.old"
    perf record -q -F "$PERF_HZ" --call-graph dwarf,16384 -o "$data" \
        "$BIN" build --root "$dir/carebook" --output-dir "$out" >"$RESULTS/last-run.log" 2>&1
    local r=$RESULTS
    perf report -i "$data" --no-children --stdio -g none --sort dso 2>/dev/null | grep -v '^#' | grep -v '^$' | sed -n '1,15p' >"$r/profile-dso.txt"
    perf report -i "$data" --no-children --stdio -g none --sort sym --percent-limit 0.4 2>/dev/null |
        grep -v '^#' | grep -v '^$' | sed -n '1,45p' >"$r/profile-self.txt"
    perf report -i "$data" --children --stdio -g none --sort sym --percent-limit 0.5 2>/dev/null |
        grep -v '^#' | grep -v '^$' | grep -E 'carebook::|tera::|pulldown_cmark::|serde_yaml::|std::fs::|sys_(write|openat|mkdir|read)|_int_malloc|memmove' |
        grep -v -E 'rayon|\(inlined\)' | sed -n '1,60p' >"$r/profile-inclusive.txt"
    # When each pipeline stage ran (first and last sample), and how many samples it had.
    perf script -i "$data" -F tid,time,ip,sym >"$data.script" 2>/dev/null
    python3 - "$data.script" "$r/profile-stages.txt" "$PERF_HZ" <<'PY'
import re, sys
HZ = int(sys.argv[3])
# Each sample goes to the outermost pipeline stage on its call chain; samples inside
# render_site are then split by what they were doing (file output, tera, anything else).
stages = [
    ("config + theme load", r"carebook::config::Config::load|carebook::render::Theme::load"),
    ("load: walk + read content/", r"carebook::load::load_content"),
    ("pages: front matter (YAML)", r"carebook::page::build_pages"),
    ("markdown -> HTML", r"carebook::build::render_markdown"),
    ("links: anchors + graph", r"carebook::links::check_anchors|carebook::links::LinkGraph::build"),
    ("site model (assemble)", r"carebook::site::Site::assemble"),
    ("content checks (readability, rules)", r"carebook::check::"),
    ("render", r"carebook::render::render_site"),
    ("search index", r"carebook::search::write_index|carebook::search::"),
    ("static files", r"carebook::render::copy_static"),
    ("output: commit / cleanup", r"carebook::output::StagingDir::commit"),
    ("print diagnostics", r"carebook::report\b|carebook::report<|Diagnostic::render|Diagnostics::sorted"),
    ("free memory at the end", r"drop_in_place<carebook::(build::Validated|site::Site)"),
]
WRITE = re.compile(r"OutputSink>::write|carebook::output::StagingDir::path_for|std::fs::write")
TERA = re.compile(r"tera::")
compiled = [(label, re.compile(rx)) for label, rx in stages]
OTHER = "other (process start, rayon, unattributed)"
MOD = re.compile(r"carebook::(\w+)::")

def classify(frames):
    """(stage, module) of one sample's call chain, leaf first."""
    stage = OTHER
    for frame in reversed(frames):
        hit = next((label for label, rx in compiled if rx.search(frame)), None)
        if hit:
            stage = hit; break
    if stage == OTHER and frames and frames[-1] == "[unknown]":  # stack too deep for the dwarf copy
        mods = [m for f in reversed(frames) for m in MOD.findall(f)]
        by_mod = {"search": "search index", "check": "content checks (readability, rules)", "render": "render",
                  "markdown": "markdown -> HTML", "page": "pages: front matter (YAML)",
                  "front_matter": "pages: front matter (YAML)", "load": "load: walk + read content/",
                  "links": "links: anchors + graph", "site": "site model (assemble)"}
        if mods and mods[0] in by_mod: stage = by_mod[mods[0]]
        elif any(TERA.search(f) for f in frames): stage = "render"
        elif any("pulldown_cmark" in f for f in frames): stage = "markdown -> HTML"
        elif any("serde_yaml" in f or "unsafe_libyaml" in f for f in frames): stage = "pages: front matter (YAML)"
    if stage == "render":
        if any(WRITE.search(f) for f in frames): stage = "render: mkdir + write files"
        elif any(TERA.search(f) for f in frames): stage = "render: tera (incl. context -> Value)"
        else: stage = "render: build contexts, other"
    # The same sample by carebook module: the outermost frame that is carebook code
    # (generic frames name carebook types, not carebook code).
    mod = "(no carebook frame)"
    for frame in reversed(frames):
        if frame.startswith(("carebook::", "<carebook::")):
            m = [x for x in MOD.findall(frame)[:1] if x not in ("main", "build")]
            if m:
                mod = m[0]; break
    return stage, mod

# Streamed: a 10,000-page profile is ~0.5 GB of text.
samples = []   # (tid, time, kernel leaf, stage, module)
cur = None
def flush():
    if cur is not None:
        stage, mod = classify(cur[3])
        samples.append((cur[0], cur[1], cur[2], stage, mod))
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\s*(\d+)\s+([\d.]+):\s*$", line)
    if m:
        flush()
        cur = [int(m.group(1)), float(m.group(2)), None, []]
    elif cur is not None and line.strip():
        addr, _, sym = line.strip().partition(" ")
        if cur[2] is None:
            cur[2] = addr.startswith("ffffffff")  # leaf in the kernel
        cur[3].append(sym)
flush()
if not samples:
    open(sys.argv[2], "w").write("no samples\n"); sys.exit()
t0 = min(s[1] for s in samples); t1 = max(s[1] for s in samples)
main_tid = samples[0][0]
by = {}
for tid, t, kern, stage, mod in samples:
    e = by.setdefault(stage, [0, 0, t, t, set()])
    e[0] += 1; e[1] += bool(kern); e[2] = min(e[2], t); e[3] = max(e[3], t); e[4].add(tid)
n = len(samples)
out = [f"{n} samples (~{n/HZ:.2f} CPU-s at {HZ} Hz) over {t1 - t0:.2f} s wall; main thread tid {main_tid}",
       "",
       f"{'stage':44} {'samples':>7} {'share':>6} {'kernel':>6} {'from':>6} {'to':>6} threads",
       ]
order = [l for l, _ in stages if l != "render"] + [OTHER]
order[order.index("search index"):order.index("search index")] = [
    "render: build contexts, other", "render: tera (incl. context -> Value)", "render: mkdir + write files"]
for label in order:
    if label not in by: continue
    c, k, a, b, th = by[label]
    out.append(f"{label:44} {c:7d} {100*c/n:5.1f}% {100*k/max(c,1):5.0f}% {a-t0:6.2f} {b-t0:6.2f} {len(th)}")
mods = {}
for sample in samples:
    mods[sample[4]] = mods.get(sample[4], 0) + 1
out.append("")
out.append("by carebook module (outermost frame): " + ", ".join(
    f"{k} {100*v/n:.1f}%" for k, v in sorted(mods.items(), key=lambda kv: -kv[1])))
kern = sum(bool(s[2]) for s in samples)
out.append("")
out.append(f"kernel (leaf frame in the kernel): {100*kern/n:.1f}% of samples; main thread: {100*sum(s[0]==main_tid for s in samples)/n:.1f}%")
buckets = {}
for s in samples:
    b = int((s[1] - t0) / 0.25)
    e = buckets.setdefault(b, [0, set()]); e[0] += 1; e[1].add(s[0])
out.append(f"timeline, 0.25 s buckets: samples / threads seen ({HZ // 4} samples per busy thread):")
cells = [f"{b*0.25:5.2f}s {buckets.get(b, [0, ()])[0]:4d}/{len(buckets.get(b, [0, ()])[1])}" for b in range(int((t1 - t0) / 0.25) + 1)]
for i in range(0, len(cells), 6):
    out.append("  " + "   ".join(cells[i:i+6]))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
    rm -f "$data.script"
    log "profile written to $r/profile-*.txt"
}

# Rebuilding over an existing output folder, as an edit-and-rebuild loop does. carebook
# replaces its output wholesale (stage, swap, delete the old tree); Hugo overwrites in place.
run_rebuild() {
    local n=$LARGEST run tool
    for tool in $TOOLS; do
        local out=$RUNDIR/rebuild-n$n-$tool
        measure rebuild-first "$n" "$tool" 0 "$out"
        for run in $(seq 1 "$RUNS"); do measure rebuild "$n" "$tool" "$run" "$out"; done
    done
}

# `carebook serve` edit-to-reload latency (bench/serve-latency.mjs) on fresh copies of the
# bundled guide and the corpora. Copies, because the script edits the site it serves.
run_serve() {
    command -v node >/dev/null || die "serve needs node (>= 20)"
    [[ -d tests/browser/node_modules/playwright-core ]] || die "serve needs playwright-core: (cd tests/browser && npm ci)"
    local runs=${BENCH_SERVE_RUNS:-10} saves=${BENCH_SERVE_SAVES:-inplace atomic}
    local sites=${BENCH_SERVE_SITES:-guide $SIZES} md=$RESULTS/serve-latency.md site label src copy save status=0
    {
        echo "Generated $(date -u +%FT%TZ) by bench/run.sh serve"
        echo
        echo "- carebook: $(grep -E '^(version|source)=' "$OUT/bin/carebook.info" | cut -d= -f2- | paste -sd' ' -), sha256 $(grep '^sha256=' "$OUT/bin/carebook.info" | cut -d= -f2)"
        echo "- machine: $(nproc) CPUs, load at start $(load1); Chromium: $("${CHROME_PATH:-/usr/bin/chromium}" --version 2>/dev/null | head -1)"
        echo "- $runs measured edits per row after 1 warm-up; edit→load is file write → the reloaded page's load event (Node clock);"
        echo "  server rebuild is the time on carebook's own terminal line for that rebuild"
        echo
        echo "| site | pages | save | edit→load median ms | p90 | max | server rebuild median ms | p90 | max | runs (failed) | load1 start, end |"
        echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    } >"$md"
    for site in $sites; do
        copy=$(mktemp -d "${TMPDIR:-/tmp}/carebook-serve-bench-XXXXXX")
        if [[ $site == guide ]]; then
            label="bundled guide"
            # The guide is the repo root: only its site parts, never target/ or bench-out/.
            cp -r "$GUIDE_SRC/site.toml" "$GUIDE_SRC/content" "$copy/"
            cp -r "$THEME_SRC" "$copy/themes"
        else
            label="synthetic n=$site"
            src=$(corpus_dir "$site")/carebook
            [[ -d $src ]] || die "no corpus for n=$site (is it in BENCH_SIZES?)"
            cp -r "$src/." "$copy/"
        fi
        for save in $saves; do
            local flag=()
            [[ $save == atomic ]] && flag=(--atomic)
            wait_idle || true
            log "serve latency: $label, $save saves, $runs edits (load $(load1))"
            node bench/serve-latency.mjs --bin "$BIN" --site "$copy" --label "$label" --runs "$runs" "${flag[@]}" \
                --json "$RESULTS/serve-latency-${site}-${save}.json" --md "$md" >/dev/null || status=1
        done
        # Hugo's half of the same corpus, for scale (Hugo has no bundled guide).
        if [[ ${BENCH_SERVE_HUGO:-0} == 1 && $site != guide ]]; then
            local hcopy
            hcopy=$(mktemp -d "${TMPDIR:-/tmp}/hugo-serve-bench-XXXXXX")
            cp -r "$(corpus_dir "$site")/hugo/." "$hcopy/"
            wait_idle || true
            log "serve latency: hugo server, $label, inplace saves, $runs edits (load $(load1))"
            node bench/serve-latency.mjs --tool hugo --site "$hcopy" --label "hugo server, $label" --runs "$runs" \
                --json "$RESULTS/serve-latency-${site}-hugo.json" --md "$md" >/dev/null || status=1
            rm -rf "$hcopy"
        fi
        rm -rf "$copy"
    done
    cat "$md"
    ((status == 0)) || log "some edits never showed up in the browser: see the 'failed' column and the JSON files"
    return "$status"
}

summarize() {
    python3 - "$RAW" "$OUT/bin/carebook.info" "$RESULTS/summary.md" "$MAX_FOREIGN" <<'PY'
import csv, math, statistics, sys, subprocess, platform, os
raw, info_path, out_path, max_foreign = sys.argv[1:]
rows = list(csv.DictReader(open(raw), delimiter="\t"))
info = dict(l.strip().split("=", 1) for l in open(info_path) if "=" in l)
def sh(cmd):
    try: return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception: return "?"
lines = []
P = lines.append
P(f"Generated {sh('date -u +%FT%TZ')} by bench/run.sh")
P("")
P(f"- carebook: {info.get('version','?')} built from {info.get('source','?')}, binary sha256 {info.get('sha256','?')}, built {info.get('built_at','?')}")
P(f"- theme: `default`, copied into the corpus from the same source as the binary")
P(f"- hugo: {sh('hugo version')}")
cpu_model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem_gib = sh("free -g | awk '/Mem:/{print $2}'")
fs_type = sh("df -T . | awk 'NR==2{print $2}'")
P(f"- machine: {sh('nproc')} CPUs ({cpu_model}), {mem_gib} GiB RAM, kernel {platform.release()}, fs {fs_type}")
P("")
def med(xs): return statistics.median(xs) if xs else float("nan")
def kept(label):
    return [r for r in rows if r["label"] == label and r["verdict"] != "retried"]
main = kept("main")
sizes = sorted({int(r["n"]) for r in main})
tools = []
for r in main:
    if r["tool"] not in tools: tools.append(r["tool"])
stats = {}
for n in sizes:
    for t in tools:
        rs = [r for r in main if int(r["n"]) == n and r["tool"] == t]
        if not rs: continue
        w = [float(r["wall_s"]) for r in rs]; m = [float(r["peak_rss_mib"]) for r in rs]
        cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in rs]
        stats[(n, t)] = dict(wall=med(w), wmin=min(w), wmax=max(w), rss=med(m), cpu=med(cpu),
                             sys=med([float(r["sys_s"]) for r in rs]),
                             load=max(float(r["load1"]) for r in rs), other=max(float(r["other_cores"]) for r in rs),
                             disk=max(float(r["disk_busy"]) for r in rs),
                             noisy=sum(r["verdict"] == "noisy" for r in rs), runs=len(rs),
                             files=rs[-1]["files"])
retried = sum(r["verdict"] == "retried" for r in rows)
P(f"## Full builds (median of {max((s['runs'] for s in stats.values()), default=0)} runs, warm cache, fresh output folder per run)")
P("")
P("| N | tool | wall s (median) | min–max s | peak RSS MiB | CPU s (user+sys) | of which sys | files written | load1 at start (max) | other procs, cores (max) | disk busy (max) | carebook/hugo wall | carebook/hugo RSS |")
P("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in sizes:
    for t in tools:
        s = stats.get((n, t))
        if not s: continue
        ratio_w = ratio_m = ""
        if t == "carebook" and (n, "hugo") in stats:
            h = stats[(n, "hugo")]
            ratio_w = f"**{s['wall']/h['wall']:.3f}**"; ratio_m = f"{s['rss']/h['rss']:.3f}"
        flag = f" ({s['noisy']} noisy)" if s["noisy"] else ""
        P(f"| {n:,} | {t}{flag} | {s['wall']:.2f} | {s['wmin']:.2f}–{s['wmax']:.2f} | {s['rss']:.0f} | {s['cpu']:.2f} | {s['sys']:.2f} | {s['files']} | {s['load']:.2f} | {s['other']:.2f} | {s['disk']:.2f} | {ratio_w} | {ratio_m} |")
P("")
P(f"Runs repeated because other processes used > {max_foreign} cores meanwhile: {retried}.")
P("")
if len(sizes) >= 2:
    P("## Linearity")
    P("")
    P("| tool | N₁ → N₂ | wall ×  | ms/page at N₁ → N₂ | growth exponent (wall) | RSS × | MiB/1k pages above N₁ |")
    P("|---|---|---:|---:|---:|---:|---:|")
    for t in tools:
        for a, b in zip(sizes, sizes[1:]):
            if (a, t) not in stats or (b, t) not in stats: continue
            sa, sb = stats[(a, t)], stats[(b, t)]
            k = sb["wall"] / sa["wall"]; e = math.log(k) / math.log(b / a)
            marg = (sb["rss"] - sa["rss"]) / ((b - a) / 1000)
            P(f"| {t} | {a:,} → {b:,} | {k:.2f} (ideal {b/a:.0f}) | {1000*sa['wall']/a:.3f} → {1000*sb['wall']/b:.3f} | {e:.3f} | {sb['rss']/sa['rss']:.2f} | {marg:.1f} |")
    P("")
reb = [r for r in rows if r["label"].startswith("rebuild") and r["verdict"] != "retried"]
if reb:
    P("## Rebuild over an existing output folder (not part of the targets)")
    P("")
    P("| N | tool | first build s | rebuilds s (each over the previous output) | median rebuild s | sys s of the rebuilds | peak RSS MiB |")
    P("|---:|---|---:|---|---:|---|---:|")
    for t in tools:
        rs = [r for r in reb if r["tool"] == t]
        if not rs: continue
        first = [r for r in rs if r["label"] == "rebuild-first"]
        again = [r for r in rs if r["label"] == "rebuild"]
        fw = f"{float(first[0]['wall_s']):.2f}" if first else "-"
        P(f"| {int(rs[0]['n']):,} | {t} | {fw} | {', '.join(r['wall_s'] for r in again)} | "
          f"{med([float(r['wall_s']) for r in again]):.2f} | {', '.join(r['sys_s'] for r in again)} | {max(float(r['peak_rss_mib']) for r in rs):.0f} |")
    P("")
rdir = os.path.dirname(out_path)
for n in sizes:
    f = os.path.join(rdir, f"check-n{n}.txt")
    if os.path.exists(f) and open(f).read().strip():
        P(f"## What `carebook check` reports on the N={n:,} corpus")
        P("")
        P("```")
        P(open(f).read().rstrip())
        P("```")
        P("")
f = os.path.join(rdir, "profile-stages.txt")
if os.path.exists(f):
    P("## Profile: where carebook's build time goes (perf, largest N)")
    P("")
    P("```")
    P(open(f).read().rstrip())
    P("```")
    P("")
P("## Targets")
P("")
big = max(sizes) if sizes else None
cb, hg = stats.get((big, "carebook")), stats.get((big, "hugo"))
if cb and hg:
    r = cb["wall"] / hg["wall"]
    P(f"- wall ≤ 0.25 × Hugo at N={big:,}: {cb['wall']:.2f} s / {hg['wall']:.2f} s = {r:.3f} → {'MET' if r <= 0.25 else 'MISSED'}")
if cb:
    P(f"- peak RSS < 500 MiB at N={big:,}: {cb['rss']:.0f} MiB → {'MET' if cb['rss'] < 500 else 'MISSED'}")
if len(sizes) >= 2 and (sizes[0], "carebook") in stats and cb:
    k = cb["wall"] / stats[(sizes[0], "carebook")]["wall"]; ideal = big / sizes[0]
    P(f"- linear growth (wall at N={big:,} ≤ 1.15 × {ideal:.0f} × wall at N={sizes[0]:,}): ×{k:.2f} → {'MET' if k <= 1.15 * ideal else 'MISSED'}")
open(out_path, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
}

cleanup() {
    if [[ $KEEP == 1 ]]; then
        log "keeping run outputs in $RUNDIR"
    else
        log "deleting run outputs"
        rm -rf "$RUNDIR" "$OUT"/perf-*.data "$OUT"/perf-*.data.old
        date +%s >"$OUT/.deleted-at"
    fi
}

# ----------------------------------------------------------------- main

case $MODE in
    clean)
        rm -rf "$OUT"
        log "removed $OUT"
        exit 0
        ;;
    all | measure | profile | corpus | serve) ;;
    *) die "unknown mode '$MODE' (all | corpus | measure | profile | serve | clean)" ;;
esac

need_tools
mkdir -p "$RESULTS"
[[ $MODE == corpus ]] || build_carebook
for n in $SIZES; do make_corpus "$n"; done
[[ $MODE == corpus ]] && exit 0
if [[ $MODE == serve ]]; then
    run_serve
    log "done: $RESULTS/serve-latency.md"
    exit 0
fi
for n in $SIZES; do validate_corpus "$n"; done

init_raw
fresh_rundir
log "uptime: $(uptime)"
case $MODE in
    all)
        run_measure
        if [[ $PROFILE == 1 ]]; then run_profile; fi
        if [[ $REBUILD == 1 ]]; then run_rebuild; fi
        ;;
    measure) run_measure ;;
    profile) run_profile ;;
esac
summarize
cleanup
log "done: $RESULTS/summary.md"
