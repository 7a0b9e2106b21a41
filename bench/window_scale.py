#!/usr/bin/env python3
"""A one-hour window's time on an archive and on the same month four times as large.

  bench/window_scale.py --bin build-bench/trailhound CORPUS [--times 4] [--runs 9] [--jobs 2]

CORPUS is a folder made by bench/gen_corpus.py (its manifest gives the month). The larger
archive is built beside it, in CORPUS-xN: the corpus's AWSLogs folder linked (hard links, no
copy) under N-1 more account folders, so every hour holds N times the files and bytes. The
copies are the same records: trailhound reads each and drops it as a duplicate, so the
window prints the same events from both archives (their records compared) and the larger one costs the
reading of N times the data in that hour. Times `timeline ROOT --since S --until U -q
--format jsonl` over the two, alternating, medians of --runs, with the bytes each reads
(`-v`: the files the window keeps)."""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time


def link_tree(src, dst):
    """Hard-links every file of `src` into `dst`, folders made as needed."""
    for root, _, files in os.walk(src):
        out = os.path.join(dst, os.path.relpath(root, src))
        os.makedirs(out, exist_ok=True)
        for f in files:
            target = os.path.join(out, f)
            if not os.path.exists(target):
                os.link(os.path.join(root, f), target)


def build_larger(corpus, times):
    """CORPUS-xN/AWSLogs: the corpus's accounts, and N-1 copies of them under new ids."""
    big = f"{corpus.rstrip('/')}-x{times}"
    logs = os.path.join(corpus, "AWSLogs")
    accounts = sorted(os.listdir(logs))
    for k in range(times):
        for acct in accounts:
            name = acct if k == 0 else f"{int(acct) + k:012d}"[-12:]
            link_tree(os.path.join(logs, acct), os.path.join(big, "AWSLogs", name))
    return big


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()[-2000:]}")
    return wall, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--times", type=int, default=4)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    man = json.load(open(os.path.join(a.corpus, "manifest.json")))
    start = datetime.datetime.fromisoformat(man["start"].replace("Z", "+00:00"))
    since = (start + datetime.timedelta(days=15, hours=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (start + datetime.timedelta(days=15, hours=11)).strftime("%Y-%m-%dT%H:%M:%SZ")
    big = build_larger(a.corpus, a.times)
    roots = {"1x": os.path.join(a.corpus, "AWSLogs"), f"{a.times}x": os.path.join(big, "AWSLogs")}
    cmds = {k: [a.bin, "timeline", r, "--since", since, "--until", until, "-q", "--format", "jsonl",
                "-j", str(a.jobs)] for k, r in roots.items()}
    sizes = {}
    for k, r in roots.items():
        total = 0
        for root, _, files in os.walk(r):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        sizes[k] = total
    outputs, walls = {}, {k: [] for k in cmds}
    for k, c in cmds.items():  # one warm-up each (page cache), and the outputs compared
        _, outputs[k] = timed(c)
    # The events' records, in order (paths and totals differ between the two roots).
    def records(out):
        return [json.loads(line)["record"] for line in out.splitlines()
                if line.startswith(b'{"type":"event"')]
    events = {k: records(v) for k, v in outputs.items()}
    same = len({json.dumps(v) for v in events.values()}) == 1 and len(events["1x"]) > 0
    for _ in range(a.runs):
        for k, c in cmds.items():
            walls[k].append(timed(c)[0])
    load = os.getloadavg()[0]
    print(f"window {since} .. {until}; {a.runs} alternating runs, -j {a.jobs}; load {load:.2f}")
    print("| archive | gzip bytes | median s | runs (s) |")
    print("|---|---|---|---|")
    for k in cmds:
        runs = ", ".join(f"{w:.3f}" for w in walls[k])
        print(f"| {k} | {sizes[k]:,} | {statistics.median(walls[k]):.3f} | {runs} |")
    ratio = statistics.median(walls[f"{a.times}x"]) / statistics.median(walls["1x"])
    print(f"\n{a.times}x / 1x: {ratio:.2f} (target: within 1.20); the same {len(events['1x'])} "
          f"events from both: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
