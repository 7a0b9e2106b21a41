#!/usr/bin/env bash
# A real Slurm job array: a one-node cluster (scripts/slurm-local) runs
# deploy/slurm/trailhound-shard.sbatch as `sbatch --array=0-3 --wait` over a generated
# multi-file corpus; the four partials are merged and compared, byte for byte, with the single
# run. Skipped (77), saying why, only where the cluster cannot start (not root, no Slurm).
# Usage: run.sh TRAILHOUND PROJECT_ROOT
set -u
th=$1 root=$2
cd "$root" || exit 2
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: slurmd needs root to start jobs"
  exit 77
fi
tmp=$(mktemp -d /tmp/th-slurm.XXXXXX)
chmod 755 "$tmp"
cluster=$tmp/cluster
cleanup() {
  scripts/slurm-local stop "$cluster" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

start_out=$(scripts/slurm-local start "$cluster" 2>&1)
rc=$?
if [ $rc -eq 77 ]; then
  echo "SKIP: $start_out"
  exit 77
elif [ $rc -ne 0 ]; then
  echo "FAIL: slurm-local start: $start_out"
  exit 1
fi
export SLURM_CONF=$cluster/slurm.conf

corpus=$tmp/corpus
python3 bench/gen_corpus.py "$corpus" --size-mb 4 --file-mb 0.1 --days 2 --plant-every 4 \
  --list-size 500 --jobs 1 >/dev/null || { echo "FAIL: corpus generation"; exit 1; }
intel="--threat-list bad=$corpus/lists/threat-100k.txt --signin-allowlist $corpus/lists/office.txt --aws-ip-ranges $corpus/lists/aws-ip-ranges.json"

# The array: four tasks, each `scan --shard auto`, K and N from Slurm's variables.
if ! timeout 300 sbatch --array=0-3 --wait --chdir="$root" -o "$tmp/task-%a.log" \
    --export=ALL,TRAILHOUND="$th",INPUT="$corpus/AWSLogs",PARTIALS="$tmp/partials",TRAILHOUND_ARGS="$intel -q" \
    deploy/slurm/trailhound-shard.sbatch >"$tmp/sbatch.out" 2>&1; then
  echo "FAIL: the job array failed:"; cat "$tmp/sbatch.out" "$tmp"/task-*.log 2>/dev/null | head -20
  exit 1
fi
n=$(ls "$tmp/partials"/shard-*.thp 2>/dev/null | wc -l)
if [ "$n" -ne 4 ]; then
  echo "FAIL: $n partials, not 4"; ls -l "$tmp/partials"; cat "$tmp"/task-*.log | head
  exit 1
fi
fail=0
for fmt in text jsonl; do
  "$th" scan "$corpus/AWSLogs" $intel -q --format $fmt >"$tmp/single.$fmt" 2>/dev/null
  want=$?
  "$th" merge "$tmp/partials"/shard-*.thp -q --format $fmt >"$tmp/merged.$fmt" 2>"$tmp/merge.err"
  got=$?
  if [ $got -ne $want ] || ! cmp -s "$tmp/single.$fmt" "$tmp/merged.$fmt"; then
    echo "FAIL: --format $fmt: merge exit $got (single $want), output differs:"
    diff "$tmp/single.$fmt" "$tmp/merged.$fmt" | head; cat "$tmp/merge.err"
    fail=1
  fi
done
findings=$(wc -l <"$tmp/single.jsonl")
# Each shard read some files: the array split the corpus, it did not run it four times.
for k in 0 1 2 3; do
  if ! zcat "$tmp/partials/shard-$k.thp" | head -c 2000000 | grep -q "THPARTIAL"; then
    echo "FAIL: shard-$k.thp is not a partial"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "slurm: sbatch --array=0-3 over $(find "$corpus/AWSLogs" -type f | wc -l) files merged to the single run ($findings jsonl lines)"
exit $fail
