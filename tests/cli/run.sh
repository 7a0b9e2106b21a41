#!/usr/bin/env bash
# CLI golden tests: each folder here is a case with
#   cmd     the arguments, as shell words (run from the project root; paths are relative)
#   stdout  the expected standard output
#   exit    the expected exit code
#   stderr  (optional) the expected standard error
#   stdin   (optional) fed to standard input
# Usage: run.sh TRAILHOUND CASES_DIR PROJECT_ROOT   (UPDATE=1 rewrites the expected files)
set -u
bin=$1 cases=$2 root=$3
cd "$root" || exit 2
pass=0 fail=0
for dir in "$cases"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/cmd" ] || continue
  args=$(cat "$dir/cmd")
  stdin_file=/dev/null
  [ -f "$dir/stdin" ] && stdin_file="$dir/stdin"
  out=$(mktemp) err=$(mktemp)
  NO_COLOR=1 eval "\"$bin\" $args" <"$stdin_file" >"$out" 2>"$err"
  code=$?
  if [ "${UPDATE:-0}" = 1 ]; then
    cp "$out" "$dir/stdout"
    echo "$code" >"$dir/exit"
    [ -f "$dir/stderr" ] && cp "$err" "$dir/stderr"
    echo "updated $name"
    rm -f "$out" "$err"
    continue
  fi
  ok=1
  if ! diff -u "$dir/stdout" "$out" >"$out.diff"; then ok=0; fi
  expected_code=$(cat "$dir/exit" 2>/dev/null || echo 0)
  [ "$code" = "$expected_code" ] || ok=0
  if [ -f "$dir/stderr" ] && ! diff -u "$dir/stderr" "$err" >>"$out.diff"; then ok=0; fi
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name (exit $code, expected $expected_code)"
    head -40 "$out.diff"
    echo "--- stderr:"; head -10 "$err"
  fi
  rm -f "$out" "$err" "$out.diff"
done
echo "cli golden: $pass passed, $fail failed"
[ $fail = 0 ]
