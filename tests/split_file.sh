#!/usr/bin/env bash
# A large plain NDJSON file read in ranges by several workers gives the output of one worker:
# scan, timeline, summary and investigate, in every format of the format table, stdout, stderr
# and exit code byte-identical with -j 1, 2 and 4, over a file with damaged lines, records
# rejected, an envelope line, invalid UTF-8, CRLF and blank lines, copies of events and events
# that share a time. On a clean file, the split reading equals the whole-file reading
# (--split-size 0). The split happens (-v says in how many ranges), and a bad line is named by
# its line and record number in the file; a line longer than the memory allows is accounted.
# Usage: split_file.sh TRAILHOUND PROJECT_ROOT
set -u
th=$1 root=$2
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1
fail=0 checked=0

formats=$("$th" __flags | awk -F'\t' '$1 == "format" { print $5 }' | tr ',' ' ')
[ -n "$formats" ] || { echo "no formats in the flag table"; exit 1; }

corpus=$tmp/corpus
python3 bench/gen_corpus.py "$corpus" --size-mb 3 --file-mb 0.08 --days 2 --plant-every 4 \
  --list-size 500 --jobs 1 >/dev/null || { echo "corpus generation failed"; exit 1; }
python3 bench/to_ndjson.py "$corpus" "$tmp/clean.ndjson" || { echo "to_ndjson failed"; exit 1; }
user=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['attack_user'])" "$corpus/manifest.json")
intel="--threat-list bad=$corpus/lists/threat-100k.txt --signin-allowlist $corpus/lists/office.txt --aws-ip-ranges $corpus/lists/aws-ip-ranges.json"
small=$(find "$corpus" -name '*.json.gz' | sort | head -1)

# The damaged file, and where its first invalid line is (line and record number in the file).
python3 - "$tmp/clean.ndjson" "$tmp/big.ndjson" >"$tmp/expect" <<'PY'
import json, random, sys
random.seed(7)
lines = open(sys.argv[1], "rb").read().split(b"\n")
lines = [l for l in lines if l]
out = []
n = len(lines)
def rec(i):
    return json.loads(lines[i])
for i, l in enumerate(lines):
    out.append(l)
    if i % 97 == 5:   # a copy of an earlier event, byte for byte: a duplicate
        out.append(lines[random.randrange(0, i + 1)])
    if i % 89 == 7:   # another event at the same time
        r = rec(i); r["eventID"] = "same-time-%d" % i
        out.append(json.dumps(r, separators=(",", ":")).encode())
    if i % 131 == 11:  # rejected: no eventTime (more of them than the per-file message limit)
        r = rec(i); del r["eventTime"]
        out.append(json.dumps(r).encode())
    if i == n // 10:
        out.append(b'{"eventTime":"2026-01-01T00:00:00Z","eventName":"Broken')
    if i == n // 5:
        out.append(b'{"foo": 1}')
    if i == n // 4:
        out.append(b"")
        out.append(b"   \t ")
    if i == n // 3:
        out.append(b'{"Records":[' + lines[1] + b"," + lines[2] + b"]}")
    if i == n // 2:
        r = rec(i); r["eventID"] = "bad-utf8"
        out.append(json.dumps(r).encode().replace(b'"bad-utf8"', b'"bad-\xff-utf8"'))
    if i == 3 * n // 5:
        out.append(lines[i] + b" trailing")
    if i == 2 * n // 3:
        out.append(lines[i].replace(b'"eventTime":"', b'"eventTime":"x'))
    if i % 50 == 3:
        out[-1] = out[-1] + b"\r"
data = b"\xef\xbb\xbf" + b"\n".join(out)  # a BOM first, no newline last
open(sys.argv[2], "wb").write(data)
# The invalid line: its line number (1-based, every line) and record number (non-blank lines).
bad = out.index(b'{"eventTime":"2026-01-01T00:00:00Z","eventName":"Broken')
record = sum(1 for l in out[:bad] if l.strip(b" \t\r"))
print(bad + 1, record)
PY
read -r bad_line bad_record <"$tmp/expect"

# compare NAME FILE ARGS...: every format, -j 2 and 4 against -j 1, splitting at 256 KiB.
compare() {
  local name=$1 file=$2
  shift 2
  local fmt j want got
  for fmt in $formats; do
    "$th" "$@" "$file" "$small" --format "$fmt" --split-size 256K -j 1 >"$tmp/one" 2>"$tmp/one.err"
    want=$?
    if [ $want -eq 2 ] && grep -q -- "--format\|format '" "$tmp/one.err"; then
      continue  # a format this command does not print
    fi
    for j in 2 4; do
      "$th" "$@" "$file" "$small" --format "$fmt" --split-size 256K -j $j >"$tmp/many" 2>"$tmp/many.err"
      got=$?
      checked=$((checked + 1))
      if [ $got -ne $want ] || ! cmp -s "$tmp/one" "$tmp/many" || ! cmp -s "$tmp/one.err" "$tmp/many.err"; then
        echo "FAIL $name --format $fmt -j $j: exit $got (-j 1: $want)"
        diff "$tmp/one" "$tmp/many" | head -6
        diff "$tmp/one.err" "$tmp/many.err" | head -6
        fail=1
      fi
    done
  done
}

compare scan "$tmp/big.ndjson" scan $intel
compare timeline "$tmp/big.ndjson" timeline
compare summary "$tmp/big.ndjson" summary
compare investigate "$tmp/big.ndjson" investigate $intel --user "$user"

# A tiny memory budget: ranges wait for memory, the sort spills; the same output.
for cmd in "scan $intel" "timeline" "summary" "investigate $intel --user $user"; do
  # shellcheck disable=SC2086
  "$th" $cmd "$tmp/big.ndjson" --format jsonl --split-size 256K -j 1 >"$tmp/one" 2>/dev/null
  want=$?
  # shellcheck disable=SC2086
  "$th" $cmd "$tmp/big.ndjson" --format jsonl --split-size 256K -j 3 --max-memory 16M >"$tmp/many" 2>/dev/null
  got=$?
  checked=$((checked + 1))
  if [ $got -ne $want ] || ! cmp -s "$tmp/one" "$tmp/many"; then
    echo "FAIL ${cmd%% *} with --max-memory 16M -j 3: exit $got ($want)"; diff "$tmp/one" "$tmp/many" | head -6
    fail=1
  fi
done

# On a clean file the split reading is the whole-file reading, record numbers included.
for cmd in "scan $intel" "timeline" "summary" "investigate $intel --user $user"; do
  for fmt in $formats; do
    # shellcheck disable=SC2086
    "$th" $cmd "$tmp/clean.ndjson" --format "$fmt" --split-size 0 -j 2 >"$tmp/one" 2>"$tmp/one.err"
    want=$?
    if [ $want -eq 2 ] && grep -q -- "--format\|format '" "$tmp/one.err"; then continue; fi
    # shellcheck disable=SC2086
    "$th" $cmd "$tmp/clean.ndjson" --format "$fmt" --split-size 256K -j 2 >"$tmp/many" 2>"$tmp/many.err"
    got=$?
    checked=$((checked + 1))
    if [ $got -ne $want ] || ! cmp -s "$tmp/one" "$tmp/many" || ! cmp -s "$tmp/one.err" "$tmp/many.err"; then
      echo "FAIL clean ${cmd%% *} --format $fmt: split differs from whole (exit $got, $want)"
      diff "$tmp/one" "$tmp/many" | head -6
      diff "$tmp/one.err" "$tmp/many.err" | head -6
      fail=1
    fi
  done
done

# The split happens, and -v says so; not below the size, nor with --split-size 0.
"$th" summary "$tmp/big.ndjson" --split-size 256K -j 2 -v >/dev/null 2>"$tmp/err"
ranges=$(sed -n 's/.*note: read in \([0-9]*\) ranges.*/\1/p' "$tmp/err")
checked=$((checked + 1))
size=$(stat -c %s "$tmp/big.ndjson")
if [ -z "$ranges" ] || [ "$ranges" -lt $((size / 262144)) ]; then
  echo "FAIL the file ($size bytes) was not read in ranges of 256 KiB: '$ranges'"; cat "$tmp/err"; fail=1
fi
"$th" summary "$tmp/big.ndjson" --split-size 0 -j 2 -v >/dev/null 2>"$tmp/err"
checked=$((checked + 1))
if grep -q "read in .* ranges" "$tmp/err"; then echo "FAIL --split-size 0 split the file"; fail=1; fi
"$th" summary "$tmp/big.ndjson" -j 2 -v >/dev/null 2>"$tmp/err"
checked=$((checked + 1))
if grep -q "read in .* ranges" "$tmp/err"; then echo "FAIL a file under 64 MiB was split"; fail=1; fi

# A bad line is named with the file, its line and its record number; the file is failed.
"$th" summary "$tmp/big.ndjson" --split-size 256K -j 4 >/dev/null 2>"$tmp/err"
code=$?
checked=$((checked + 1))
if ! grep -qF "big.ndjson: line $bad_line (record $bad_record): not a whole JSON record" "$tmp/err" ||
   ! grep -q "further messages for this file are not shown" "$tmp/err" ||
   ! grep -q "invalid UTF-8 bytes" "$tmp/err" || [ $code -eq 0 ]; then
  echo "FAIL the damaged lines are not reported as expected (exit $code; want line $bad_line record $bad_record):"
  cat "$tmp/err"
  fail=1
fi

# A line longer than the memory allows: its range is not read, its records are counted as
# rejected and named by number, and the file fails; the other ranges are read.
python3 - "$tmp/long.ndjson" <<'PY'
import json, sys
def ev(i, pad=""):
    return json.dumps({"eventVersion": "1.09", "eventTime": "2026-03-14T10:00:%02dZ" % (i % 60),
                       "eventName": "Call", "eventSource": "s3.amazonaws.com", "eventID": "e%d" % i,
                       "userIdentity": {"type": "IAMUser", "userName": "alice"},
                       "requestParameters": {"pad": pad}}, separators=(",", ":"))
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        f.write(ev(i, "A" * (6 << 20) if i == 1500 else "x" * 300) + "\n")
PY
"$th" summary "$tmp/long.ndjson" --split-size 256K -j 2 --max-memory 16M --format json >"$tmp/out" 2>"$tmp/err"
code=$?
checked=$((checked + 1))
if [ $code -ne 3 ] || ! grep -q "long.ndjson: bytes [0-9]* to [0-9]* (records [0-9]* to [0-9]*) not read: .*--max-memory" "$tmp/err" ||
   ! grep -q '"records":{"read":3000,' "$tmp/out"; then
  echo "FAIL a line over the memory allowance (exit $code):"; cat "$tmp/err"; grep -o '"records":{[^}]*}' "$tmp/out"
  fail=1
fi

echo "split_file: $checked comparisons, $([ $fail -eq 0 ] && echo ok || echo FAILED)"
exit $fail
