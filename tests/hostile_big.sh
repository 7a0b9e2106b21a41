#!/usr/bin/env bash
# Hostile inputs too big to commit, generated into a temp dir by
# test-data/hostile/make_hostile.py --big: a 4 GiB decompression bomb, 1,000,000 events in one
# Records array, a 32 MiB string field and 100,000 levels of nesting (in one value and in
# NDJSON). Each run must end with the expected exit code and message, within a peak RSS and a
# wall-time bound, with its record counts adding up (read = used + rejected).
# Usage: tests/hostile_big.sh TRAILHOUND
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

python3 "$root/test-data/hostile/make_hostile.py" --big "$tmp" || { echo "FAIL: generating"; exit 1; }

# Peak RSS in KiB and wall seconds, from GNU time when present, else from Python's resource.
measure() {  # measure OUT ERR ARGS... ; sets code rss_kb secs
  local out=$1 err=$2
  shift 2
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M %e' -o "$tmp/time" "$bin" "$@" >"$out" 2>"$err"
    code=$?
    # GNU time puts "Command exited with non-zero status N" first when N is not 0.
    read -r rss_kb secs < <(tail -n 1 "$tmp/time")
  else
    python3 - "$bin" "$out" "$err" "$tmp/time" "$@" <<'PY'
import resource, subprocess, sys, time
b, out, err, tf, *args = sys.argv[1:]
t = time.time()
with open(out, "wb") as o, open(err, "wb") as e:
    code = subprocess.call([b] + args, stdout=o, stderr=e)
secs = time.time() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(tf, "w").write(f"{rss} {secs:.2f} {code}\n")
PY
    read -r rss_kb secs code <"$tmp/time"
  fi
}

# check NAME EXIT_REGEX MAX_RSS_MIB MAX_SECONDS STDERR_REGEX SUMMARY_REGEX ARGS...
check() {
  local name=$1 want=$2 max_mib=$3 max_s=$4 err_re=$5 sum_re=$6
  shift 6
  local out=$tmp/$name.out err=$tmp/$name.err ok=1
  measure "$out" "$err" "$@"
  local mib=$((rss_kb / 1024))
  [[ "$code" =~ ^($want)$ ]] || { echo "  exit $code, expected $want"; ok=0; }
  [ "$mib" -lt "$max_mib" ] || { echo "  peak RSS ${mib} MiB, bound $max_mib MiB"; ok=0; }
  awk -v s="$secs" -v m="$max_s" 'BEGIN { exit !(s < m) }' || { echo "  ${secs}s, bound ${max_s}s"; ok=0; }
  if [ -n "$err_re" ] && ! grep -Eq "$err_re" "$err"; then
    echo "  stderr lacks /$err_re/:"; head -c 600 "$err"; ok=0
  fi
  if [ -n "$sum_re" ] && ! tail -n 1 "$out" | grep -Eq "$sum_re"; then
    echo "  summary lacks /$sum_re/:"; tail -n 1 "$out" | head -c 600; echo; ok=0
  fi
  # read = used + rejected, whatever the case
  if tail -n 1 "$out" | grep -q '"records"'; then
    tail -n 1 "$out" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())["records"]
sys.exit(0 if r["read"] == r["used"] + r["rejected"] else 1)' || { echo "  records read != used + rejected"; ok=0; }
  fi
  if grep -Eq 'AddressSanitizer|runtime error|Assertion' "$err"; then
    echo "  sanitizer or assertion report:"; head -20 "$err"; ok=0
  fi
  if [ $ok = 1 ]; then
    echo "ok   $name (exit $code, ${mib} MiB, ${secs}s)"
  else
    echo "FAIL $name (exit $code, ${mib} MiB, ${secs}s)"
    fail=1
  fi
}

# Sanitizer builds use far more memory and time; the bounds scale by TH_BIG_SCALE (default 1).
scale=${TH_BIG_SCALE:-1}
b() { echo $(( $1 * scale )); }

good=$root/test-data/hostile/good.json
check bomb-64m 3 "$(b 200)" "$(b 60)" \
  'bomb-4g\.json\.gz: inflates to more than the limit of 67108864 bytes \(--max-file-bytes\); refused as a possible decompression bomb' \
  '"files":\{"read":1,"skipped":0,"failed":1' \
  timeline "$tmp/bomb-4g.json.gz" "$good" --max-file-bytes 67108864 --format jsonl -j1
# The default budget (--max-memory 1G): one worker may inflate 384 MiB of a file (3/8 of the
# budget, see MEMORY in the man page) less its compressed bytes, then the bomb is refused.
check bomb-default 3 "$(b 600)" "$(b 60)" \
  'bomb-4g\.json\.gz: inflates to more than the limit of [0-9]+ bytes \(--max-memory\)' \
  '"files":\{"read":1,"skipped":0,"failed":1' \
  timeline "$tmp/bomb-4g.json.gz" "$good" --format jsonl -j1
check million 0 "$(b 400)" "$(b 60)" '' \
  '"records":\{"read":1000000,"used":1000000,"rejected":0' \
  summary "$tmp/million.json.gz" --format jsonl
check field-32m 0 "$(b 400)" "$(b 60)" '' \
  '"records":\{"read":2,"used":2,"rejected":0' \
  scan "$tmp/field-32m.json" --format jsonl
# 100,000 levels of nesting: no crash, no hang; the deep record is rejected under the
# default --max-depth and the others are used.
check deep-100k 3 "$(b 200)" "$(b 60)" 'nests deeper than 256 levels' '"records":\{"read":2,"used":1,"rejected":1' \
  timeline "$tmp/deep-100k.json" --format jsonl
check deep-100k-ndjson 3 "$(b 200)" "$(b 60)" 'nests deeper than 256 levels' '"records":\{"read":3,"used":2,"rejected":1' \
  timeline "$tmp/deep-100k.ndjson" --format jsonl

exit $fail
