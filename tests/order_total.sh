#!/usr/bin/env bash
# The output order is total: the same files given in any order, read by any number of
# threads, give byte-identical timelines, scans and summaries, even when many events share a
# time and one principal's events describe it differently.
# Usage: tests/order_total.sh TRAILHOUND
set -u
bin=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# Three files whose events share a handful of times, with ties inside and across files.
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
for f, name in enumerate(["b.json", "a.json", "c.json"]):
    recs = []
    for i in range(40):
        recs.append({
            "eventVersion": "1.08", "eventTime": f"2026-03-14T10:00:0{i % 3}Z",
            "eventSource": "s3.amazonaws.com", "eventName": ["GetObject", "PutObject", "ListBuckets"][i % 3],
            "awsRegion": "us-east-1", "sourceIPAddress": f"198.51.100.{i}",
            "userAgent": "aws-cli/2", "eventID": f"{f:02d}-{i:04d}", "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "userName": f"u{i % 4}", "accountId": "111122223333",
                             "arn": f"arn:aws:iam::111122223333:user/u{i % 4}", "accessKeyId": f"AKIA{i % 4:016d}"}})
    # One session whose records name its issuer differently from file to file, at shared
    # times: summary shows one description of it, whichever file is read first.
    for i in range(6):
        recs.append({
            "eventVersion": "1.08", "eventTime": f"2026-03-14T10:00:0{i % 2}Z",
            "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity",
            "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.200",
            "userAgent": "aws-cli/2", "eventID": f"{f:02d}-r{i:03d}", "recipientAccountId": "111122223333",
            "userIdentity": {"type": "AssumedRole", "accountId": "111122223333",
                             "principalId": "AROAEXAMPLE:ops",
                             "arn": "arn:aws:sts::111122223333:assumed-role/Ops/ops",
                             "sessionContext": {"sessionIssuer": {
                                 "type": "Role", "userName": "Ops",
                                 "arn": f"arn:aws:iam::111122223333:role/path{f}/Ops"}}}})
    json.dump({"Records": recs}, open(f"{d}/{name}", "w"))
PY
cd "$tmp" || exit 1
run() { "$bin" "$@" 2>/dev/null; }
for cmd in "timeline --format jsonl" "timeline --format csv" "scan --format jsonl" "investigate --user u1 --format jsonl" \
           "summary --format jsonl" "summary --format csv"; do
  # shellcheck disable=SC2086
  run $cmd a.json b.json c.json -j 1 >ref.out
  n=0
  for args in "c.json b.json a.json" "b.json c.json a.json" "a.json c.json b.json"; do
    for j in 1 2 3; do
      # shellcheck disable=SC2086
      run $cmd $args -j $j >got.out
      if ! cmp -s ref.out got.out; then
        echo "FAIL $cmd: '$args' -j $j differs from 'a.json b.json c.json' -j 1"
        diff ref.out got.out | head -5
        fail=1
      fi
      n=$((n + 1))
    done
  done
  [ -s ref.out ] || { echo "FAIL $cmd: no output"; fail=1; }
  echo "ok   $cmd: $n orders and thread counts, one output"
done
[ $fail = 0 ] && echo "total order: ok"
exit $fail
