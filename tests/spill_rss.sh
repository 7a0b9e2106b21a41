#!/usr/bin/env bash
# A timeline far larger than --max-memory keeps its peak RSS bounded: the events past a quarter
# of the budget are sorted on disk. 48 files of 2 MiB of JSON each (96 MiB, big request
# payloads, the shape of a noisy data-plane trail): in memory the timeline holds them all;
# spilled at --max-memory 16M its peak must stay under 48 MiB, and its output is the same.
# Skipped under AddressSanitizer (TH_SANITIZED=1), whose shadow memory makes RSS meaningless.
# Usage: spill_rss.sh TRAILHOUND
set -u
th=$1
if [ -n "${TH_SANITIZED:-}" ]; then
  echo "skipped: peak RSS means nothing under AddressSanitizer"
  exit 77
fi
[ -x /usr/bin/time ] || { echo "skipped: no /usr/bin/time"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp
python3 - "$tmp/logs" <<'PY'
import json, os, random, sys
d = sys.argv[1]
os.makedirs(d)
rng = random.Random(7)
pad = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(1 << 16))
n = 0
for f in range(48):
    recs = []
    size = 0
    while size < 2 << 20:
        blob = pad[rng.randrange(0, 1 << 15):][: rng.randrange(2000, 30000)]
        r = {"eventVersion": "1.08", "eventTime": "2026-03-%02dT%02d:%02d:%02dZ" % (
                1 + rng.randrange(28), rng.randrange(24), rng.randrange(60), rng.randrange(60)),
             "eventSource": "s3.amazonaws.com", "eventName": "PutObject", "awsRegion": "us-east-1",
             "sourceIPAddress": "198.51.100.%d" % rng.randrange(256), "userAgent": "aws-cli/2",
             "eventID": "e-%08d" % n, "recipientAccountId": "111122223333",
             "userIdentity": {"type": "IAMUser", "userName": "u%d" % rng.randrange(8),
                              "accountId": "111122223333"},
             "requestParameters": {"bucketName": "b", "key": "k/%d" % n, "blob": blob}}
        n += 1
        size += len(blob) + 600
        recs.append(r)
    with open(os.path.join(d, "f%02d.json" % f), "w") as out:
        json.dump({"Records": recs}, out)
PY
peak() {  # peak RSS in KiB of the timeline with the extra arguments, output to $tmp/out.$1
  local tag=$1
  shift
  /usr/bin/time -f %M -o "$tmp/rss.$tag" "$th" timeline "$tmp/logs" --format jsonl -j 2 "$@" \
    >"$tmp/out.$tag" 2>/dev/null
  tail -n 1 "$tmp/rss.$tag"
}
fail=0
in_memory=$(peak mem)
spilled=$(peak spill --max-memory 16M)
echo "peak RSS: in memory ${in_memory} KiB, --max-memory 16M ${spilled} KiB"
# The corpus must be big enough for the bound to mean something.
if [ "$in_memory" -lt $((96 * 1024)) ]; then
  echo "FAIL the in-memory run peaked at only ${in_memory} KiB: the corpus proves nothing"; fail=1
fi
if [ "$spilled" -ge $((48 * 1024)) ]; then
  echo "FAIL the spilled run peaked at ${spilled} KiB, not under 48 MiB"; fail=1
fi
cmp -s "$tmp/out.mem" "$tmp/out.spill" || { echo "FAIL the spilled output differs"; fail=1; }
[ $fail = 0 ] && echo "spill rss: ok"
exit $fail
