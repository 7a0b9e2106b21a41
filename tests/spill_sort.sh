#!/usr/bin/env bash
# Sorting past --max-memory spills sorted runs to $TMPDIR and merges them: the output must be
# byte-identical to the in-memory sort. Every sorted command (timeline, investigate) in every
# format, over test-data and a generated multi-file corpus (with copies of a day's files, so the
# kept copy of a duplicate is decided across runs), at --max-memory 64K against the default, at
# -j1 and -j2; a sharded run merged at 64K against the single run; and nothing is left in
# $TMPDIR, even when the run is killed while it sorts.
# Usage: spill_sort.sh TRAILHOUND PROJECT_ROOT test-data|corpus (two ctest cases, for time)
set -u
th=$1 root=$2 part=${3:-test-data}
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1
spill=$tmp/spill
mkdir -p "$spill"
export TMPDIR=$spill
fail=0 checked=0

formats=$("$th" __flags | awk -F'\t' '$1 == "format" { print $5 }' | tr ',' ' ')
[ -n "$formats" ] || { echo "no formats in the flag table"; exit 1; }

# compare NAME BUDGET FORMATS ARGS...: each format at the default budget (-j1) against BUDGET
# at -j1 and -j2.
compare() {
  local name=$1 budget=$2 fmts=$3
  shift 3
  local fmt j want got
  for fmt in $fmts; do
    "$th" "$@" --format "$fmt" -j 1 -o "$tmp/want" 2>"$tmp/want.err"
    want=$?
    if [ $want -eq 2 ] && grep -q -- "--format\|format '" "$tmp/want.err"; then
      continue  # a format this command does not print
    fi
    if grep -q "sorted in .* run(s) on disk" "$tmp/want.err"; then
      echo "FAIL $name $fmt: the default budget spilled"; fail=1
    fi
    for j in 1 2; do
      "$th" "$@" --format "$fmt" -j $j --max-memory "$budget" -o "$tmp/got" 2>"$tmp/got.err"
      got=$?
      checked=$((checked + 1))
      if [ $got -ne $want ] || ! cmp -s "$tmp/want" "$tmp/got"; then
        echo "FAIL $name --format $fmt -j $j --max-memory $budget: exit $got (in memory $want)"
        diff "$tmp/want" "$tmp/got" | head -6
        head -3 "$tmp/got.err"
        fail=1
      fi
      if ! grep -q "sorted in .* run(s) on disk" "$tmp/got.err"; then
        echo "FAIL $name $fmt -j $j: --max-memory $budget did not spill (the test proves nothing)"
        fail=1
      fi
    done
  done
}


sample_conf="--config test-data/sample/trailhound.toml"
if [ "$part" = test-data ]; then
  # Every format of both sorted commands; the sample's pivot has few events: a smaller budget.
  # test-data/hostile's bombs take seconds a run: in one format; the rest in every format.
  mapfile -t data < <(find test-data -mindepth 1 -maxdepth 1 -type d ! -name hostile | sort)
  compare test-data-timeline 64K "$formats" timeline "${data[@]}" --verbose
  # The decode limits follow the budget and -j (MEMORY in the man page): --max-file-bytes below
  # all of them makes every run refuse the same bombs with the same message, so only the sort
  # differs.
  compare test-data-hostile-timeline 64K jsonl timeline test-data/hostile --max-file-bytes 4194304 --verbose
  compare sample-investigate 4K "$formats" investigate test-data/sample $sample_conf --source-ip 203.0.113.66 --verbose
  echo "$checked checks"
  [ $fail = 0 ] && echo "spill sort (test-data): ok"
  exit $fail
fi

corpus=$tmp/corpus
python3 bench/gen_corpus.py "$corpus" --size-mb 2 --file-mb 0.06 --days 2 --plant-every 4 \
  --list-size 500 --jobs 1 >/dev/null || { echo "corpus generation failed"; exit 1; }
logs=$corpus/AWSLogs
day=$(find "$logs" -mindepth 6 -maxdepth 6 -type d | sort | head -1)
mkdir -p "$logs/o-org/copy" && cp -r "$day" "$logs/o-org/copy/"
user=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['attack_user'])" "$corpus/manifest.json")
intel="--threat-list bad=$corpus/lists/threat-100k.txt --signin-allowlist $corpus/lists/office.txt --aws-ip-ranges $corpus/lists/aws-ip-ranges.json"

compare corpus-timeline 64K "$formats" timeline "$logs" --verbose
compare corpus-timeline-copies 64K jsonl timeline "$logs" --keep-duplicates --verbose
compare corpus-investigate 64K "$formats" investigate "$logs" $intel --user "$user" --before 30d --verbose

# A merge replays the shards' events through the same sort: at 64K (recorded by the shards),
# its output is the single run's at the default budget.
for fmt in jsonl html; do
  "$th" timeline "$logs" --format "$fmt" -o "$tmp/single" 2>/dev/null
  for k in 0 1 2; do
    "$th" timeline "$logs" --format "$fmt" --max-memory 64K --shard "$k/3" --partial-out "$tmp/part.$k" 2>/dev/null
  done
  "$th" merge "$tmp"/part.* --format "$fmt" --verbose -o "$tmp/merged" 2>"$tmp/merge.err"
  checked=$((checked + 1))
  if ! cmp -s "$tmp/single" "$tmp/merged" || ! grep -q "run(s) on disk" "$tmp/merge.err"; then
    echo "FAIL merge of 3 shards at --max-memory 64K, $fmt: differs from the single run or did not spill"
    diff "$tmp/single" "$tmp/merged" | head -6; head -3 "$tmp/merge.err"
    fail=1
  fi
  rm -f "$tmp"/part.*
done

# Sizes: suffixes read as base 1024; garbage and overflow are usage errors naming the flag.
for bad in 12Q -5 "" 99999999999999999999 17179869184T 1.5G; do
  "$th" timeline test-data/sample --max-memory "$bad" >/dev/null 2>"$tmp/err"
  code=$?
  checked=$((checked + 1))
  if [ $code -ne 2 ] || ! grep -q -- "--max-memory" "$tmp/err"; then
    echo "FAIL --max-memory '$bad': exit $code, stderr: $(head -1 "$tmp/err")"; fail=1
  fi
done
"$th" timeline test-data/sample --max-memory 1G --format jsonl >"$tmp/a" 2>/dev/null
"$th" timeline test-data/sample --max-memory 1073741824 --format jsonl >"$tmp/b" 2>/dev/null
cmp -s "$tmp/a" "$tmp/b" || { echo "FAIL 1G and 1073741824 differ"; fail=1; }

# Nothing is left in $TMPDIR: after the runs above, and after a run killed while it sorts.
if [ -n "$(ls -A "$spill")" ]; then
  echo "FAIL files left in \$TMPDIR:"; ls -la "$spill"; fail=1
fi
big=$tmp/big
mkdir -p "$big"
for i in 1 2 3 4 5 6; do cp -r "$logs" "$big/$i"; done
for sig in INT TERM; do
  "$th" timeline "$big" --format jsonl --keep-duplicates --max-memory 64K -j 1 >/dev/null 2>&1 &
  pid=$!
  sleep 0.5
  kill -s $sig $pid 2>/dev/null
  wait $pid 2>/dev/null
  checked=$((checked + 1))
  if [ -n "$(ls -A "$spill")" ]; then
    echo "FAIL files left in \$TMPDIR after SIG$sig:"; ls -la "$spill"; fail=1
  fi
done
# An unwritable $TMPDIR is an error that names it, not a crash or a silent in-memory run.
chmod 500 "$spill"
if [ "$(id -u)" != 0 ]; then
  TMPDIR=$spill "$th" timeline "$logs" --max-memory 64K --format jsonl >/dev/null 2>"$tmp/err"
  code=$?
  checked=$((checked + 1))
  if [ $code -eq 0 ] || ! grep -q "TMPDIR" "$tmp/err"; then
    echo "FAIL unwritable \$TMPDIR: exit $code, $(head -1 "$tmp/err")"; fail=1
  fi
fi
TMPDIR=$tmp/missing "$th" timeline "$logs" --max-memory 64K --format jsonl >/dev/null 2>"$tmp/err"
code=$?
checked=$((checked + 1))
if [ $code -ne 4 ] || ! grep -q "TMPDIR.*missing" "$tmp/err"; then
  echo "FAIL missing \$TMPDIR: exit $code, $(head -1 "$tmp/err")"; fail=1
fi
chmod 700 "$spill"

echo "$checked checks"
[ $fail = 0 ] && echo "spill sort: ok"
exit $fail
