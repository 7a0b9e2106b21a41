#!/usr/bin/env python3
"""Times `trailhound scan BIG.ndjson` on one large NDJSON file (a CloudTrail Lake or
lookup-events dump's shape): read whole by one worker (--split-size 0, with the budget raised
so that the file is not refused) against read in ranges (the default) with -j 1 and -j 2.
Runs alternate between the settings; medians of wall-clock and CPU (user + sys) seconds, the
peak RSS, and the load average before and after, printed as a Markdown section.

usage: bench/split_bench.py TRAILHOUND [--size-mb 500] [--runs 3]
The file is made in bench/out/ (ignored by git) from bench/gen_corpus.py's corpus with
bench/to_ndjson.py, once."""
import argparse
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_once(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trailhound")
    ap.add_argument("--size-mb", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    out = os.path.join(HERE, "out")
    corpus = os.path.join(out, "split-corpus-64m")
    big = os.path.join(out, f"split-{a.size_mb}m.ndjson")
    if not os.path.exists(os.path.join(corpus, "manifest.json")):
        subprocess.run(["python3", os.path.join(HERE, "gen_corpus.py"), corpus, "--size-mb", "64",
                        "--days", "2", "--jobs", "2"], check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(big):
        subprocess.run(["python3", os.path.join(HERE, "to_ndjson.py"), corpus, big,
                        "--size-mb", str(a.size_mb)], check=True)
    size = os.path.getsize(big)
    th = a.trailhound
    settings = [
        ("whole file, one worker (--split-size 0 --max-memory 4G)",
         [th, "scan", big, "-j", "2", "--split-size", "0", "--max-memory", "4G"]),
        ("in ranges, -j 1", [th, "scan", big, "-j", "1", "-v"]),
        ("in ranges, -j 2", [th, "scan", big, "-j", "2", "-v"]),
    ]
    for _, cmd in settings:  # warm the page cache
        run_once(cmd)
    load_before = os.getloadavg()
    results = {name: [] for name, _ in settings}
    notes = {}
    for _ in range(a.runs):
        for name, cmd in settings:
            wall, cpu, rss, err = run_once(cmd)
            results[name].append((wall, cpu, rss))
            notes[name] = [l for l in err.splitlines() if "note: read in" in l]
    load_after = os.getloadavg()
    print(f"File: {size / 2**20:.0f} MiB of NDJSON ({os.path.basename(big)}), runs: {a.runs} each, "
          f"alternating. Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"(1 min), on {os.cpu_count()} cores.\n")
    print("| reading | wall median s | CPU median s | CPUs busy | MB/s (wall) | peak RSS MiB | walls (s) |")
    print("|---|---|---|---|---|---|---|")
    for name, _ in settings:
        r = results[name]
        wall = statistics.median(x[0] for x in r)
        cpu = statistics.median(x[1] for x in r)
        rss = max(x[2] for x in r)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / wall:.2f} | {size / 1e6 / wall:.0f} | {rss:.0f} | "
              f"{' '.join(f'{x[0]:.2f}' for x in r)} |")
    for name, lines in notes.items():
        for line in lines:
            print(f"\n{name}: `{line.split(': ', 1)[-1]}`")


if __name__ == "__main__":
    main()
