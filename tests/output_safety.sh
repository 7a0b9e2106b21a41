#!/usr/bin/env bash
# Outputs cannot hurt inputs: -o and --baseline-out refuse an input, are not read back from a
# scanned folder, and replace their file whole or not at all (a full disk, SIGINT, SIGKILL
# leave the previous file as it was; SIGINT removes the temporary file). -j is bounded, and a
# worker thread that cannot start does not abort the run.
# Usage: tests/output_safety.sh TRAILHOUND PROJECT_ROOT
set -u
bin=$(readlink -f "$1")
root=$2
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
logs=$root/test-data/sample/AWSLogs
one=$(find "$logs" -name '*a1Sample0000.json.gz')
mkdir -p "$tmp/in"
cp "$one" "$tmp/in/ev.json.gz"
cp "$tmp/in/ev.json.gz" "$tmp/orig.json.gz"
# leftovers DIR: temporary files (.NAME.XXXXXX) left in DIR
leftovers() { find "$1" -maxdepth 1 -name '.*.??????' | wc -l; }

# 1. -o naming an input: refused (exit 2), the input untouched.
"$bin" timeline "$tmp/in/ev.json.gz" -o "$tmp/in/ev.json.gz" >"$tmp/out" 2>"$tmp/err"
code=$?
if [ $code = 2 ] && cmp -s "$tmp/in/ev.json.gz" "$tmp/orig.json.gz" && grep -q 'is the input' "$tmp/err"; then
  ok "-o an input: refused, input whole"
else bad "-o an input: exit $code: $(cat "$tmp/err")"; fi
# ... also through another name for the same file (a hard link), here found by walking: it is
# left out of the inputs, and the input keeps its content.
ln "$tmp/in/ev.json.gz" "$tmp/link.json.gz"
"$bin" timeline "$tmp/in" -o "$tmp/link.json.gz" >/dev/null 2>"$tmp/err"
code=$?
if [ $code = 0 ] && cmp -s "$tmp/in/ev.json.gz" "$tmp/orig.json.gz"; then
  bad "-o a hard link of a walked input: the input was replaced"
elif cmp -s "$tmp/in/ev.json.gz" "$tmp/orig.json.gz"; then
  ok "-o a hard link of a walked input: not overwritten (exit $code)"
else bad "-o a hard link: input changed (exit $code)"; fi
rm -f "$tmp/link.json.gz"

# 2. --baseline-out naming an input: refused, input untouched.
"$bin" scan "$tmp/in/ev.json.gz" --baseline-out "$tmp/in/ev.json.gz" >/dev/null 2>"$tmp/err"
code=$?
if [ $code = 2 ] && cmp -s "$tmp/in/ev.json.gz" "$tmp/orig.json.gz"; then
  ok "--baseline-out an input: refused, input whole"
else bad "--baseline-out an input: exit $code: $(cat "$tmp/err")"; fi
# -o naming the --baseline-in file: refused.
"$bin" scan "$tmp/in" --baseline-out "$tmp/base.json" >/dev/null 2>&1
cp "$tmp/base.json" "$tmp/base.orig"
"$bin" scan "$tmp/in" --baseline-in "$tmp/base.json" -o "$tmp/base.json" >/dev/null 2>"$tmp/err"
code=$?
if [ $code = 2 ] && cmp -s "$tmp/base.json" "$tmp/base.orig"; then ok "-o the --baseline-in file: refused"
else bad "-o the --baseline-in file: exit $code: $(cat "$tmp/err")"; fi
# A baseline read in and written back to one file is allowed (it is read first).
"$bin" scan "$tmp/in" --baseline-in "$tmp/base.json" --baseline-out "$tmp/base.json" >/dev/null 2>"$tmp/err"
code=$?
if [ $code = 0 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/base.json"; then
  ok "--baseline-in B --baseline-out B: updated, valid JSON"
else bad "--baseline-in B --baseline-out B: exit $code: $(cat "$tmp/err")"; fi

# 3. An output inside the scanned folder is not read as input, on the first run or the next.
"$bin" timeline "$tmp/in" --format jsonl -o "$tmp/in/report.jsonl" 2>"$tmp/err"
code1=$?
cp "$tmp/in/report.jsonl" "$tmp/report.1"
"$bin" timeline "$tmp/in" --format jsonl -o "$tmp/in/report.jsonl" 2>"$tmp/err"
code2=$?
if [ $code1 = 0 ] && [ $code2 = 0 ] && cmp -s "$tmp/report.1" "$tmp/in/report.jsonl" \
   && grep -q 'not read as an input' "$tmp/err"; then
  ok "-o inside the scanned folder: not read back"
else bad "-o inside the scanned folder: exits $code1/$code2: $(cat "$tmp/err")"; fi
rm -f "$tmp/in/report.jsonl"

# 4. A full disk (here: the file size limit, EFBIG) leaves the previous -o and
# --baseline-out whole, exit 4, and no temporary file.
printf 'previous report\n' >"$tmp/prev.txt"
cp "$tmp/prev.txt" "$tmp/prev.orig"
(trap '' XFSZ; ulimit -f 1; "$bin" timeline "$logs" --format jsonl -o "$tmp/prev.txt") 2>"$tmp/err"
code=$?
if [ $code = 4 ] && cmp -s "$tmp/prev.txt" "$tmp/prev.orig" && [ "$(leftovers "$tmp")" = 0 ]; then
  ok "-o on a full disk: exit 4, previous file whole, no temporary file"
else bad "-o on a full disk: exit $code, leftovers $(leftovers "$tmp"): $(cat "$tmp/err")"; fi
"$bin" scan "$logs" --baseline-out "$tmp/big-base.json" >/dev/null 2>&1
cp "$tmp/big-base.json" "$tmp/big-base.orig"
(trap '' XFSZ; ulimit -f 0; "$bin" scan "$logs" --baseline-in "$tmp/big-base.json" \
   --baseline-out "$tmp/big-base.json") >/dev/null 2>"$tmp/err"
code=$?
if [ $code = 4 ] && cmp -s "$tmp/big-base.json" "$tmp/big-base.orig" && [ "$(leftovers "$tmp")" = 0 ]; then
  ok "--baseline-in B --baseline-out B on a full disk: exit 4, B whole"
else bad "--baseline-out on a full disk: exit $code: $(cat "$tmp/err")"; fi

# 5. SIGINT while the run waits on its input: the previous -o file whole, the temporary file
# removed, death by the signal. SIGKILL (a crash): the previous file whole.
mkfifo "$tmp/fifo.json"
exec 3<>"$tmp/fifo.json"  # a writer that never writes: the run blocks reading
timeout -s INT 1 "$bin" timeline "$tmp/fifo.json" -o "$tmp/prev.txt" 2>"$tmp/err"
code=$?
if [ $code = 124 ] && cmp -s "$tmp/prev.txt" "$tmp/prev.orig" && [ "$(leftovers "$tmp")" = 0 ]; then
  ok "SIGINT: previous -o file whole, temporary file removed"
else bad "SIGINT: exit $code, leftovers $(leftovers "$tmp"): $(cat "$tmp/err")"; fi
code=$( (timeout -s KILL 1 "$bin" timeline "$tmp/fifo.json" -o "$tmp/prev.txt" 2>"$tmp/err"; echo $?) 2>/dev/null)
if [ $code = 137 ] && cmp -s "$tmp/prev.txt" "$tmp/prev.orig"; then
  ok "SIGKILL: previous -o file whole"
else bad "SIGKILL: exit $code: $(cat "$tmp/err")"; fi
exec 3>&-

# 6. -j far too large: a usage error, not an abort.
"$bin" timeline "$logs" -j 100000 >/dev/null 2>"$tmp/err"
code=$?
[ $code = 2 ] && ok "-j 100000: usage error" || bad "-j 100000: exit $code: $(cat "$tmp/err")"

# 7. Threads that cannot start (1 GiB stacks in 4 GiB of address space: a few start, malloc
# keeps room): the run still reads every file and says so, instead of aborting.
if [ -n "${TH_SANITIZED:-}" ]; then
  ok "threads that cannot start: not run under AddressSanitizer (it needs more address space than ulimit -v leaves)"
else
mkdir -p "$tmp/many"
for i in $(seq 1 64); do cp "$one" "$tmp/many/$i.json.gz"; done
"$bin" timeline "$tmp/many" --format jsonl -j 1 --keep-duplicates 2>/dev/null | tail -n 1 >"$tmp/want"
(ulimit -v 4194304; ulimit -s 1048576; "$bin" timeline "$tmp/many" --format jsonl -j 64 --keep-duplicates) 2>"$tmp/err" | tail -n 1 >"$tmp/got"
code=${PIPESTATUS[0]}
if [ "$code" = 0 ] && cmp -s "$tmp/want" "$tmp/got"; then
  if grep -q 'could not start' "$tmp/err"; then ok "threads that cannot start: warned, every file read"
  else ok "threads that cannot start: (all started here) every file read"; fi
else bad "threads that cannot start: exit $code: $(head -c 400 "$tmp/err")"; fi
fi

[ $fail = 0 ] && echo "output safety: ok"
exit $fail
