#!/usr/bin/env python3
"""What the search index adds to a full `carebook build`.

Copies SITE twice into OUT_BASE, once with `[search] enable = false` and once
with `enable = true`, then times `carebook build` of each, interleaved
(off, on, off, on, ...), every build into a fresh output folder so that no
build pays for deleting the previous one (each is deleted once timed).
Prints per setting the median wall time, user and system CPU and peak
memory; the median of the per-round on/off wall-time and CPU-time ratios,
each with a 95% bootstrap interval (rounds resampled with replacement): on a
shared machine one run's median can land a few points either way, and the
interval says how far; and the ratios of the medians (steadier when load
changes from build to build rather than from minute to minute).

    bench/search-cost.py --bin target/release/carebook --site bench-out/corpus/n1000/carebook \
        --runs 21 --out-base /dev/shm

With a second binary (--bin-b), each round also builds with search on with
it, so that two versions are compared under the same conditions.

OUT_BASE on a RAM disk (/dev/shm) keeps the file system's own noise out of
the figures: on this project's shared VM, creating files after many have
been deleted costs several times more than usual, and varies from minute to
minute.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def site_copy(site, base, enable):
    """A copy of the site whose site.toml sets [search] enable."""
    dest = os.path.join(base, f"site-{'on' if enable else 'off'}")
    shutil.copytree(site, dest, ignore=shutil.ignore_patterns("public", ".carebook-*"))
    config = os.path.join(dest, "site.toml")
    with open(config, encoding="utf-8") as f:
        text = f.read()
    if "[search]" in text:
        sys.exit(f"{config} has a [search] table already; use a site without one")
    with open(config, "a", encoding="utf-8") as f:
        f.write(f"\n[search]\nenable = {'true' if enable else 'false'}\n")
    return dest


def timed_build(binary, root, output):
    """(wall s, user s, sys s, max RSS MiB) of one build."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "build", "--root", root, "--output-dir", output],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} build --root {root} failed")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024


def median_interval(values, resamples=4000):
    """95% bootstrap interval of the median of `values`: the rounds
    resampled with replacement, with a fixed seed so that a report repeats."""
    rng = random.Random(1)
    medians = sorted(
        statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples)
    )
    return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="carebook binary")
    parser.add_argument("--bin-b", help="a second binary, timed with search on only")
    parser.add_argument("--site", required=True, help="site root without a [search] table")
    parser.add_argument("--runs", type=int, default=11, help="rounds [11]")
    parser.add_argument("--out-base", default=tempfile.gettempdir(), help="where copies and outputs go")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="search-cost-", dir=args.out_base)
    try:
        off_site = site_copy(args.site, work, False)
        on_site = site_copy(args.site, work, True)
        settings = [("off", args.bin, off_site), ("on", args.bin, on_site)]
        if args.bin_b:
            settings.append(("on (b)", args.bin_b, on_site))
        rows = {name: [] for name, _, _ in settings}
        for round_ in range(args.runs):
            for name, binary, root in settings:
                out = os.path.join(work, f"out-{round_}-{name.replace(' ', '')}")
                rows[name].append(timed_build(binary, root, out))
                # Removed outside the timing: outputs left to pile up on a RAM
                # disk made later builds' system time grow.
                shutil.rmtree(out, ignore_errors=True)
        off = rows["off"]
        for name, _, _ in settings:
            runs = rows[name]
            wall, user, sys_, rss = (statistics.median(r[i] for r in runs) for i in range(4))
            line = f"{name:7} wall {wall:.3f} s  user {user:.2f} s  sys {sys_:.2f} s  peak {max(r[3] for r in runs):.0f} MiB"
            if name != "off":
                ratios = sorted(r[0] / o[0] for r, o in zip(runs, off))
                cpu_ratios = [(r[1] + r[2]) / (o[1] + o[2]) for r, o in zip(runs, off)]
                wall_low, wall_high = median_interval(ratios)
                cpu_low, cpu_high = median_interval(cpu_ratios)
                off_wall = statistics.median(o[0] for o in off)
                off_cpu = statistics.median(o[1] + o[2] for o in off)
                on_cpu = statistics.median(r[1] + r[2] for r in runs)
                line += (
                    f"\n        vs off: median ratio wall {statistics.median(ratios):.3f}"
                    f" (95% {wall_low:.3f}-{wall_high:.3f};"
                    f" middle half {ratios[len(ratios) // 4]:.3f}-{ratios[(3 * len(ratios)) // 4]:.3f}),"
                    f" cpu {statistics.median(cpu_ratios):.3f} (95% {cpu_low:.3f}-{cpu_high:.3f});"
                    f" ratio of medians: wall {wall / off_wall:.3f}, cpu {on_cpu / off_cpu:.3f}"
                )
            print(line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
