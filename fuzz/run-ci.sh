#!/usr/bin/env bash
# CI fuzz smoke run: builds the fuzz targets with clang in build-fuzz, seeds the corpora and
# runs each target for SECONDS (default 20). Exits non-zero when a target crashes, hangs,
# leaks or trips a sanitizer; the reproducer is left in build-fuzz/artifacts/.
# Usage: fuzz/run-ci.sh [SECONDS]
set -eu
seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${TRAILHOUND_FUZZ_BUILD:-$root/build-fuzz}
jobs=${JOBS:-$(nproc)}

CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$root" -B "$build" -DTRAILHOUND_FUZZ=ON \
  -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_all -j"$jobs"
"$here/seed.sh" "$build"

mkdir -p "$build/artifacts"
status=0
for t in decode_parse lists time address escape sigma; do
  corpus=$build/corpus-$t
  mkdir -p "$corpus"
  echo "== fuzz_$t for ${seconds}s"
  # New inputs go to build-fuzz/corpus-<t>; the seeds in fuzz/corpus-<t> are read only.
  if ! "$build/fuzz/fuzz_$t" "$corpus" "$here/corpus-$t" -max_total_time="$seconds" \
      -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/fuzz_$t-" 2>"$build/fuzz_$t.log"; then
    echo "FAIL fuzz_$t: see $build/fuzz_$t.log and $build/artifacts/"
    tail -40 "$build/fuzz_$t.log"
    status=1
  else
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' \
      "$build/fuzz_$t.log" || true
  fi
done
exit $status
