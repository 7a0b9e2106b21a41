#!/usr/bin/env python3
"""Writes the records of a corpus of gzip {"Records":[...]} files as one NDJSON file, one record
per line, in path order: the shape of a CloudTrail Lake or lookup-events dump, for the split
reading of one large file (bench/run --split, tests/split_file.sh).

usage: to_ndjson.py CORPUS_DIR OUT.ndjson [--size-mb N]
With --size-mb, the records are written again (with eventIDs made unique per pass) until the
file holds N MiB."""
import argparse
import gzip
import json
import os


def records(root):
    paths = []
    for d, _, names in os.walk(root):
        paths += [os.path.join(d, n) for n in names if n.endswith(".json.gz")]
    for path in sorted(paths):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for r in json.load(f).get("Records", []):
                yield r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=0)
    a = ap.parse_args()
    want = int(a.size_mb * (1 << 20))
    written = 0
    lines = [json.dumps(r, separators=(",", ":")) for r in records(a.corpus)]
    if not lines:
        raise SystemExit("no records under " + a.corpus)
    with open(a.out, "w", encoding="utf-8") as out:
        rnd = 0
        while True:
            for line in lines:
                if rnd > 0:
                    line = line.replace('"eventID":"', '"eventID":"r%d-' % rnd, 1)
                out.write(line + "\n")
                written += len(line) + 1
                if want and written >= want:
                    return
            rnd += 1
            if not want:
                return


if __name__ == "__main__":
    main()
