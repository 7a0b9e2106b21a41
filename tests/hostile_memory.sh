#!/usr/bin/env bash
# --max-memory holds on hostile input. Generates, into a temp dir: a gzip bomb inflating to
# 300 MiB (one member), a 2 MiB multi-member bomb (2 GiB of zeros in 1 MiB members), /dev/zero
# behind a symlink and behind a FIFO, a 60 MiB plain file with one invalid UTF-8 byte, a record
# with a 64 MiB string field, and a folder of good files with the bomb among them. Each run
# (--max-memory 256M) must name the file with its reason on stderr and count it in the totals,
# and stay under a peak RSS bound derived from the budget (300 MiB), or tighter where the old
# behaviour held a second copy of the file. The RSS bounds are skipped when TH_SANITIZED=1
# (AddressSanitizer's shadow memory inflates RSS); the messages and totals are still checked.
# Usage: tests/hostile_memory.sh TRAILHOUND
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tmp=$(mktemp -d)
writer=
cleanup() {
  [ -n "$writer" ] && kill "$writer" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
sanitized=${TH_SANITIZED:-0}
[ -x /usr/bin/time ] || { echo "SKIP: no /usr/bin/time to measure peak RSS"; exit 77; }

python3 - "$tmp" <<'PY' || { echo "FAIL: generating"; exit 1; }
import gzip, json, os, sys, zlib
out = sys.argv[1]

def event(i, agent="aws-cli/2.15.0"):
    return json.dumps({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAMEMORY0000000001",
                         "arn": "arn:aws:iam::111122223333:user/alice",
                         "accountId": "111122223333", "userName": "alice"},
        "eventTime": "2026-03-14T10:%02d:%02dZ" % (i // 60 % 60, i % 60),
        "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets",
        "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.10",
        "userAgent": agent, "eventID": "memory-%d" % i,
    }, separators=(",", ":")).encode()

def member(data):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()

# One member inflating to 300 MiB of JSON-looking text, compressed chunk by chunk.
c = zlib.compressobj(9, zlib.DEFLATED, 31)
parts = [c.compress(b'{"Records":[')]
chunk = b" " * (1 << 20)
for _ in range(300):
    parts.append(c.compress(chunk))
parts.append(c.flush())
open(f"{out}/bomb-300m.json.gz", "wb").write(b"".join(parts))
# 2,048 members of 1 MiB of zeros each: about 2 MiB on disk, 2 GiB inflated.
open(f"{out}/bomb-members.json.gz", "wb").write(member(b"\0" * (1 << 20)) * 2048)
# About 60 MiB of records, one of them with a byte that is not UTF-8.
n = 60 * (1 << 20) // 420
body = [event(i) for i in range(n)]
body[n // 2] = event(n // 2, agent="aws-cli/BADBYTE").replace(b"BADBYTE", b"\xff")
open(f"{out}/utf8-60m.json", "wb").write(b'{"Records":[' + b",".join(body) + b"]}")
# A record whose userAgent is a 64 MiB string beside a good one; --max-record-bytes 16 MiB
# rejects it.
huge = event(1, agent="A" * (64 << 20))
open(f"{out}/string-64m.json", "wb").write(b'{"Records":[' + event(0) + b"," + huge + b"]}")
# A folder: eight good files and the 300 MiB bomb.
os.makedirs(f"{out}/folder")
for k in range(8):
    open(f"{out}/folder/good-{k}.json", "wb").write(
        b'{"Records":[' + b",".join(event(k * 100 + i) for i in range(100)) + b"]}")
os.link(f"{out}/bomb-300m.json.gz", f"{out}/folder/bomb-300m.json.gz")
PY
ln -s /dev/zero "$tmp/zero.json"
mkfifo "$tmp/fifo.json"

# check NAME MAX_RSS_MIB STDERR_REGEX SUMMARY_REGEX ARGS...: exit 0 or 3 (3: a file failed or a
# record was rejected), stderr names the file and the reason, the summary line counts it.
check() {
  local name=$1 max_mib=$2 err_re=$3 sum_re=$4
  shift 4
  local out=$tmp/$name.out err=$tmp/$name.err ok=1
  /usr/bin/time -f '%M %e' -o "$tmp/time" "$bin" "$@" >"$out" 2>"$err"
  local code=$?
  local rss_kb secs
  read -r rss_kb secs < <(tail -n 1 "$tmp/time")
  local mib=$((rss_kb / 1024))
  [[ "$code" =~ ^(0|3)$ ]] || { echo "  exit $code, expected 0 or 3"; ok=0; }
  if [ "$sanitized" != 1 ] && [ "$mib" -ge "$max_mib" ]; then
    echo "  peak RSS ${mib} MiB, bound $max_mib MiB"; ok=0
  fi
  if ! grep -Eq "$err_re" "$err"; then
    echo "  stderr lacks /$err_re/:"; head -c 600 "$err"; ok=0
  fi
  if ! tail -n 1 "$out" | grep -Eq "$sum_re"; then
    echo "  summary lacks /$sum_re/:"; tail -n 1 "$out" | head -c 600; echo; ok=0
  fi
  if grep -Eq 'AddressSanitizer|runtime error|Assertion|internal error' "$err"; then
    echo "  sanitizer, assertion or internal error:"; head -20 "$err"; ok=0
  fi
  if [ $ok = 1 ]; then
    echo "ok   $name (exit $code, ${mib} MiB, ${secs}s)"
  else
    echo "FAIL $name (exit $code, ${mib} MiB, ${secs}s)"
    fail=1
  fi
}

run=(--max-memory 256M --format jsonl)
# With one worker, 256M plans 96 MiB a file (3/8 of the budget), less the compressed bytes:
# both bombs stop there.
check bomb-300m 300 \
  'bomb-300m\.json\.gz: inflates to more than the limit of [0-9]+ bytes \(--max-memory\); refused' \
  '"files":\{"read":0,"skipped":0,"failed":1' \
  timeline "$tmp/bomb-300m.json.gz" "${run[@]}"
check bomb-members 300 \
  'bomb-members\.json\.gz: inflates to more than the limit of [0-9]+ bytes \(--max-memory\); refused' \
  '"files":\{"read":0,"skipped":0,"failed":1' \
  timeline "$tmp/bomb-members.json.gz" "${run[@]}"
# Two workers: the bomb takes the large-file turn while the good files go on; each of the
# nine files is counted.
check folder-bomb 300 \
  'bomb-300m\.json\.gz: inflates to more than the limit of [0-9]+ bytes \(--max-memory\); refused' \
  '"files":\{"read":8,"skipped":0,"failed":1.*"records":\{"read":800,"used":800' \
  timeline "$tmp/folder" -j 2 "${run[@]}"
# /dev/zero is refused from its first KiB, not read up to the limit.
check dev-zero 64 \
  'zero\.json: binary data, not JSON text \(byte 0x00 at offset 0' \
  '"files":\{"read":0,"skipped":1,"failed":0' \
  timeline "$tmp/zero.json" "${run[@]}"
cat /dev/zero >"$tmp/fifo.json" 2>/dev/null &
writer=$!
check fifo-zero 64 \
  'fifo\.json: binary data, not JSON text' \
  '"files":\{"read":0,"skipped":1,"failed":0' \
  timeline "$tmp/fifo.json" "${run[@]}"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
writer=
# One bad byte in 60 MiB: repaired in place; a copy of the file would pass the bound (the file,
# its copy and the parser's index of it). summary keeps no events, so the RSS is the reading's.
n_utf8=$(( 60 * 1048576 / 420 ))
check utf8-60m 170 \
  'utf8-60m\.json: 1 invalid UTF-8 bytes and 0 raw control characters in strings were replaced' \
  "\"files\":\\{\"read\":1,\"skipped\":0,\"failed\":0.*\"records\":\\{\"read\":$n_utf8,\"used\":$n_utf8" \
  summary "$tmp/utf8-60m.json" "${run[@]}"
# The 64 MiB string is not unescaped: the record is rejected from its raw size; its neighbour
# is used.
check string-64m 120 \
  'string-64m\.json: record 1: record of [0-9]+ bytes is over the record size limit of 16777216 bytes' \
  '"records":\{"read":2,"used":1,"rejected":1' \
  timeline "$tmp/string-64m.json" --max-record-bytes 16777216 "${run[@]}"
exit $fail
