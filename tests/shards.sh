#!/usr/bin/env bash
# Sharded runs merge to the single run's exact output: scan, timeline, summary and investigate,
# in every format of the format table, with N = 1, 2, 3, 7 and more shards than files, over
# test-data/sample and a generated multi-file corpus (duplicates across folders, a cut file, a
# file that is not CloudTrail). The merge's stdout and exit code must equal the single run's.
# Also: the merge refuses an incomplete set, a doubled shard and mixed settings, naming them;
# a scan merge reads no list unless it prints html.
# Usage: shards.sh TRAILHOUND PROJECT_ROOT
set -u
th=$1 root=$2
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1
fail=0 checked=0

formats=$("$th" __flags | awk -F'\t' '$1 == "format" { print $5 }' | tr ',' ' ')
[ -n "$formats" ] || { echo "no formats in the flag table"; exit 1; }

# The generated corpus: bench's generator, small; one day's folder delivered again by a
# second trail (copies of the same events), a cut gzip and a file that is not CloudTrail.
corpus=$tmp/corpus
python3 bench/gen_corpus.py "$corpus" --size-mb 3 --file-mb 0.08 --days 2 --plant-every 4 \
  --list-size 500 --jobs 1 >/dev/null || { echo "corpus generation failed"; exit 1; }
logs=$corpus/AWSLogs
day=$(find "$logs" -mindepth 6 -maxdepth 6 -type d | sort | head -1)
mkdir -p "$logs/o-org/copy" && cp -r "$day" "$logs/o-org/copy/"
first=$(find "$logs" -name '*.json.gz' | sort | head -1)
head -c 3000 "$first" >"$logs/o-org/cut_CloudTrail_us-east-1_20990101T0000Z_x.json.gz"
echo "not json at all" >"$logs/o-org/notes.json"
files=$(find "$logs" -type f | wc -l)
user=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['attack_user'])" "$corpus/manifest.json")
tl_user=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timeline_user'])" "$corpus/manifest.json")
intel="--threat-list bad=$corpus/lists/threat-100k.txt --signin-allowlist $corpus/lists/office.txt --aws-ip-ranges $corpus/lists/aws-ip-ranges.json"
sample_conf="--config test-data/sample/trailhound.toml"

# compare NAME SHARD_COUNTS FORMATS ARGS...: each format, each shard count, against one single run.
compare() {
  local name=$1 counts=$2 fmts=$3
  shift 3
  local fmt n k want got
  for fmt in $fmts; do
    "$th" "$@" --format "$fmt" -o "$tmp/single" 2>"$tmp/single.err"
    want=$?
    if [ $want -eq 2 ] && grep -q -- "--format\|format '" "$tmp/single.err"; then
      continue  # a format this command does not print
    fi
    for n in $counts; do
      local partials=()
      for ((k = 0; k < n; k++)); do
        if ! "$th" "$@" --format "$fmt" --shard "$k/$n" --partial-out "$tmp/part.$k" 2>"$tmp/shard.err"; then
          echo "FAIL $name $fmt: shard $k/$n exited non-zero:"; head -3 "$tmp/shard.err"
          fail=1
        fi
        partials+=("$tmp/part.$k")
      done
      "$th" merge "${partials[@]}" --format "$fmt" -o "$tmp/merged" 2>"$tmp/merge.err"
      got=$?
      checked=$((checked + 1))
      if [ $got -ne $want ] || ! cmp -s "$tmp/single" "$tmp/merged"; then
        echo "FAIL $name --format $fmt N=$n: exit $got (single $want)"
        diff "$tmp/single" "$tmp/merged" | head -8
        head -3 "$tmp/merge.err"
        fail=1
      fi
      rm -f "$tmp"/part.*
    done
  done
}

sample_files=$(find test-data/sample -type f -path '*AWSLogs*' | wc -l)
counts_sample="1 2 3 7 $((sample_files + 5))"
more=$((files + 5))

# Every command and format with N = 1, 2, 3, 7 and more shards than files on the sample; the
# same on the corpus, where more shards than files is checked in one format per command.
compare sample-scan "$counts_sample" "$formats" scan test-data/sample $sample_conf
compare sample-timeline "$counts_sample" "$formats" timeline test-data/sample
compare sample-summary "$counts_sample" "$formats" summary test-data/sample
compare sample-investigate "$counts_sample" "$formats" investigate test-data/sample $sample_conf --source-ip 203.0.113.66
compare corpus-scan "1 2 3 7" "$formats" scan "$logs" $intel
compare corpus-timeline "1 2 3 7" "$formats" timeline "$logs" --user "$tl_user"
compare corpus-summary "1 2 3 7" "$formats" summary "$logs"
compare corpus-investigate "1 2 3 7" "$formats" investigate "$logs" $intel --user "$user"
compare corpus-scan-more "$more" jsonl scan "$logs" $intel
compare corpus-timeline-more "$more" jsonl timeline "$logs"
compare corpus-summary-more "$more" jsonl summary "$logs"
compare corpus-investigate-more "$more" jsonl investigate "$logs" $intel --user "$user"
# Settings that change results travel with the partials: a filter, duplicates kept, --group.
compare corpus-scan-group "2 7" "text jsonl" scan "$logs" $intel --group --min-severity low --keep-duplicates
compare corpus-summary-window "3" "text json" summary "$logs" --since 2024-01-01 --errors-only
compare corpus-scan-raw "3" "ocsf jsonl" scan "$logs" $intel --ocsf-raw

# The merge refuses what does not make one run, and says which.
"$th" summary "$logs" --shard 0/3 --partial-out "$tmp/a0" 2>/dev/null
"$th" summary "$logs" --shard 1/3 --partial-out "$tmp/a1" 2>/dev/null
"$th" summary "$logs" --shard 2/3 --partial-out "$tmp/a2" 2>/dev/null
"$th" summary "$logs" --errors-only --shard 2/3 --partial-out "$tmp/b2" 2>/dev/null
"$th" timeline "$logs" --shard 2/3 --partial-out "$tmp/c2" 2>/dev/null
expect_refusal() {
  local what=$1 pattern=$2
  shift 2
  "$th" merge "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  checked=$((checked + 1))
  if [ $code -ne 2 ] || ! grep -q -- "$pattern" "$tmp/err" || [ -s "$tmp/out" ]; then
    echo "FAIL refusal of $what: exit $code, stderr:"; cat "$tmp/err"
    fail=1
  fi
}
expect_refusal "a missing shard" "shard(s) 1 of 3 missing" "$tmp/a0" "$tmp/a2"
expect_refusal "a doubled shard" "given more than once: 2" "$tmp/a0" "$tmp/a1" "$tmp/a2" "$tmp/a2"
expect_refusal "other settings" "different settings" "$tmp/a0" "$tmp/a1" "$tmp/b2"
expect_refusal "another command" "different commands" "$tmp/a0" "$tmp/a1" "$tmp/c2"
echo "garbage" >"$tmp/bad"
expect_refusal "a file that is no partial" "not a trailhound partial" "$tmp/a0" "$tmp/bad"
head -c 200 "$tmp/a1" >"$tmp/cut"
expect_refusal "a cut partial" "cut short\|cannot be read" "$tmp/a0" "$tmp/cut" "$tmp/a2"

# A scan partial holds the shards' detection state: one cut short is refused, naming it, and
# one with damaged bytes (decompressed, changed, compressed again, so gzip's check passes) is
# refused or merged, never a crash.
"$th" scan "$logs" $intel --shard 0/2 --partial-out "$tmp/s0" 2>/dev/null
"$th" scan "$logs" $intel --shard 1/2 --partial-out "$tmp/s1" 2>/dev/null
for at in 0.5 0.8 0.99; do
  python3 -c "
import gzip, sys
data = gzip.open(sys.argv[1]).read()
open(sys.argv[2], 'wb').write(gzip.compress(data[:int(len(data) * float(sys.argv[3]))]))
" "$tmp/s1" "$tmp/s1cut" "$at"
  expect_refusal "a scan partial cut at $at" "cut short\|damaged" "$tmp/s0" "$tmp/s1cut"
done
for seed in 1 2 3 4 5 6 7 8; do
  python3 -c "
import gzip, random, sys
data = bytearray(gzip.open(sys.argv[1]).read())
rng = random.Random(int(sys.argv[3]))
start = len(data) // 10  # past the header, into the state
for _ in range(8):
    i = rng.randrange(start, len(data))
    data[i] ^= 1 << rng.randrange(8)
open(sys.argv[2], 'wb').write(gzip.compress(bytes(data)))
" "$tmp/s1" "$tmp/s1bad" "$seed"
  "$th" merge "$tmp/s0" "$tmp/s1bad" --format jsonl >/dev/null 2>"$tmp/err"
  code=$?
  checked=$((checked + 1))
  if [ $code -ge 4 ] || { [ $code -eq 2 ] && ! grep -q "trailhound: " "$tmp/err"; }; then
    echo "FAIL damaged scan partial (seed $seed): exit $code"; head -3 "$tmp/err"
    fail=1
  fi
done

# A scan merge reads no list unless it prints html: with the lists gone after the shards, the
# merge still prints the single run's output; html names the lists, so it needs them.
mkdir -p "$tmp/lists" && cp "$corpus"/lists/* "$tmp/lists/"
moved="--threat-list bad=$tmp/lists/threat-100k.txt --signin-allowlist $tmp/lists/office.txt --aws-ip-ranges $tmp/lists/aws-ip-ranges.json"
"$th" scan "$logs" $moved --format jsonl -o "$tmp/single" 2>/dev/null
want=$?
"$th" scan "$logs" $moved --shard 0/2 --partial-out "$tmp/l0" 2>/dev/null
"$th" scan "$logs" $moved --shard 1/2 --partial-out "$tmp/l1" 2>/dev/null
rm -r "$tmp/lists"
"$th" merge "$tmp/l0" "$tmp/l1" --format jsonl -o "$tmp/merged" 2>"$tmp/err"
got=$?
checked=$((checked + 1))
if [ $got -ne $want ] || ! cmp -s "$tmp/single" "$tmp/merged"; then
  echo "FAIL a scan merge without its lists: exit $got (single $want)"; head -3 "$tmp/err"
  fail=1
fi
expect_refusal "an html merge without its lists" "threat-100k.txt" "$tmp/l0" "$tmp/l1" --format html

# A shard with no file writes an empty partial and exits 0; the set still merges.
"$th" summary test-data/sample/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/14/111122223333_CloudTrail_us-east-1_20260314T0905Z_a1Sample0000.json.gz \
  --shard 0/2 --partial-out "$tmp/e0" 2>/dev/null
e0=$?
"$th" summary test-data/sample/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/14/111122223333_CloudTrail_us-east-1_20260314T0905Z_a1Sample0000.json.gz \
  --shard 1/2 --partial-out "$tmp/e1" 2>/dev/null
e1=$?
checked=$((checked + 1))
if [ $e0 -ne 0 ] || [ $e1 -ne 0 ] || ! "$th" merge "$tmp/e0" "$tmp/e1" >/dev/null 2>&1; then
  echo "FAIL a shard without files: exits $e0 $e1, or the merge failed"
  fail=1
fi

echo "shards: $checked comparisons, $([ $fail -eq 0 ] && echo ok || echo FAILED)"
exit $fail
