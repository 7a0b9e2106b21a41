#!/usr/bin/env bash
# timeline --unsorted streams: the first events are out while a later input is still being
# written (a FIFO whose writer stays open), and its lines are the sorted timeline's lines in
# another order. The document formats (json, html) are refused.
# Usage: unsorted.sh TRAILHOUND PROJECT_ROOT
set -u
th=$1 root=$2
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  exec 3>&- 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export NO_COLOR=1
fail=0
d=$tmp/in
mkdir -p "$d"
# a.json is whole on disk; z.json (read last: files go in path order) is a FIFO.
python3 - "$d" <<'PY'
import json, sys
d = sys.argv[1]
def recs(tag, n, day):
    return [{"eventVersion": "1.08", "eventTime": f"2026-03-{day:02d}T10:{i % 60:02d}:00Z",
             "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
             "awsRegion": "eu-west-1", "sourceIPAddress": f"198.51.100.{i % 250}",
             "userAgent": "aws-cli/2", "eventID": f"{tag}-{i:05d}", "recipientAccountId": "111122223333",
             "userIdentity": {"type": "IAMUser", "userName": f"u{i % 3}", "accountId": "111122223333"}}
            for i in range(n)]
# z's events are earlier: the sorted timeline starts with them, the stream cannot.
json.dump({"Records": recs("a", 50, 20)}, open(f"{d}/a.json", "w"))
json.dump({"Records": recs("z", 50, 1)}, open(f"{d}/z.data", "w"))
PY
mkfifo "$d/z.json"
"$th" timeline "$d/a.json" "$d/z.json" --unsorted --format jsonl -j 1 >"$tmp/stream" 2>"$tmp/err" &
pid=$!
exec 3<>"$d/z.json"  # the writer (read-write: opening does not wait for the reader): open until the first line has been seen
first=
for _ in $(seq 1 600); do  # up to 30 s
  first=$(head -n 1 "$tmp/stream")
  [ -n "$first" ] && break
  sleep 0.05
done
if [ -z "$first" ]; then
  echo "FAIL no line out while the FIFO's writer is open"; fail=1
elif ! kill -0 "$pid" 2>/dev/null; then
  echo "FAIL trailhound ended before the FIFO was written"; fail=1
elif ! grep -q '"a-00000"' <<<"$first"; then
  echo "FAIL the first streamed line is not a.json's first event: $first"; fail=1
else
  echo "ok   the first line is out while the input is still open"
fi
cat "$d/z.data" >&3
exec 3>&-
wait "$pid"
code=$?
pid=
[ $code -eq 0 ] || { echo "FAIL --unsorted exited $code: $(head -2 "$tmp/err")"; fail=1; }
# The same inputs as plain files: the sorted timeline's lines, as a multiset.
rm "$d/z.json" && mv "$d/z.data" "$d/z.json"
for f in jsonl csv ocsf text; do
  "$th" timeline "$d/a.json" "$d/z.json" --format "$f" -j 1 >"$tmp/sorted" 2>/dev/null
  for j in 1 2; do
    "$th" timeline "$d/a.json" "$d/z.json" --unsorted --format "$f" -j $j >"$tmp/unsorted" 2>/dev/null
    # One worker reads a.json before z.json; two may finish z.json first and, by chance,
    # print the sorted order: only the one-worker stream must differ from it.
    [ $j = 1 ] && cp "$tmp/unsorted" "$tmp/unsorted-j1"
    # (text lays its table out whole at the end: its rows, not their order, must match)
    same=$(cmp -s <(sort "$tmp/sorted") <(sort "$tmp/unsorted") && echo yes)
    if [ "$same" != yes ]; then
      echo "FAIL --format $f -j $j: the lines differ from the sorted timeline's"
      diff <(sort "$tmp/sorted") <(sort "$tmp/unsorted") | head -4
      fail=1
    fi
  done
  if [ "$f" = jsonl ] && cmp -s "$tmp/sorted" "$tmp/unsorted-j1"; then
    echo "FAIL --unsorted printed the sorted order: the test proves nothing"; fail=1
  fi
done
echo "ok   the lines equal the sorted timeline's (jsonl, csv, ocsf, text; -j1, -j2)"
for f in json html; do
  "$th" timeline "$d" --unsorted --format "$f" >/dev/null 2>"$tmp/err"
  code=$?
  if [ $code -ne 2 ] || ! grep -q -- "--unsorted" "$tmp/err"; then
    echo "FAIL --unsorted --format $f: exit $code, $(head -1 "$tmp/err")"; fail=1
  fi
done
[ $fail = 0 ] && echo "unsorted: ok"
exit $fail
