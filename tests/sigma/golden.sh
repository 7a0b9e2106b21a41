#!/usr/bin/env bash
# Sigma golden cases: the community CloudTrail rules of ../shared/sigma (never copied into the
# project: their licence is the DRL) run over the project's own records of each rule family
# (test-data/sigma) and over ../shared/realdata. Checks that every rule loads or is refused
# for the reason tests/sigma/load.txt documents, and that the findings are those expected.
# Usage: golden.sh TRAILHOUND PROJECT_ROOT   (UPDATE=1 rewrites the expected files)
# Exit 77 (skipped) when ../shared/sigma is absent.
set -u
bin=$1 root=$2
rules=$root/../shared/sigma/rules
placeholder=$root/../shared/sigma/rules-placeholder
realdata=$root/../shared/realdata
here=$root/tests/sigma
if [ ! -d "$rules" ]; then
  echo "skipped: $rules is absent (the Sigma rules live beside the checkout)"
  exit 77
fi
command -v jq >/dev/null || { echo "skipped: jq is not installed"; exit 77; }
cd "$root" || exit 2
fail=0
check() {  # check NAME ACTUAL_FILE
  local name=$1 actual=$2
  if [ "${UPDATE:-0}" = 1 ]; then
    cp "$actual" "$here/$name"
    echo "updated $name"
  elif ! diff -u "$here/$name" "$actual"; then
    echo "FAIL $name"
    fail=1
  else
    echo "ok   $name ($(wc -l <"$actual") lines)"
  fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. What loads: each of the 57 files, and why one does not run.
"$bin" rules --sigma "$rules" --format jsonl >"$tmp/rules.jsonl" || { echo "FAIL rules exit $?"; exit 1; }
jq -r 'select(.sigma) | [(.events | sub(".*/"; "")), .severity, (.sigma.refused // "runs")] | @tsv' \
  "$tmp/rules.jsonl" >"$tmp/load.txt"
n=$(wc -l <"$tmp/load.txt")
if [ "$n" != 57 ]; then echo "FAIL: $n Sigma rule files listed, not 57"; fail=1; fi
check load.txt "$tmp/load.txt"

# 2. The project's own records of each family: which rule finds which event.
findings() {  # findings OUT ARGS...
  local out=$1
  shift
  "$bin" scan "$@" --rules sigma --format jsonl -q >"$tmp/raw.jsonl"
  local code=$?
  if [ "$code" != 0 ] && [ "$code" != 3 ]; then echo "FAIL scan $* exit $code"; fail=1; fi
  jq -r 'select(.type == "finding") | [.event_name, .source_ip, .severity, .sigma.title] | @tsv' \
    "$tmp/raw.jsonl" | LC_ALL=C sort >"$out"
}
for family in tampering persistence sharing console; do
  findings "$tmp/$family.txt" --sigma "$rules" test-data/sigma/$family.json
  check "fixtures-$family.txt" "$tmp/$family.txt"
done

# 3. The placeholder rule with an allow list: the login from the listed network is not reported.
findings "$tmp/placeholder.txt" --sigma "$placeholder" \
  --sigma-placeholder Legitimate_IP_Ranges=test-data/sigma/legitimate-ips.txt test-data/sigma/console.json
check fixtures-placeholder.txt "$tmp/placeholder.txt"
findings "$tmp/placeholder-signin.txt" --sigma "$placeholder" --allow-signin 198.51.100.0/24 \
  test-data/sigma/console.json
check fixtures-placeholder-signin.txt "$tmp/placeholder-signin.txt"

# 4. Real logs: every finding of the whole rule set, counted per event, source and rule.
if [ -d "$realdata" ]; then
  findings "$tmp/real.txt" --sigma "$rules" "$realdata"
  uniq -c "$tmp/real.txt" | sed 's/^ *//' >"$tmp/realdata.txt"
  check realdata.txt "$tmp/realdata.txt"
else
  echo "note: $realdata is absent; the real-data case is skipped"
fi
exit $fail
