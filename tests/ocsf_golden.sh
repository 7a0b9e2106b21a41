#!/usr/bin/env bash
# `--format ocsf` output checked line by line against the OCSF 1.1.0 schema (strict mode):
# scan, investigate and timeline over the bundled sample, the detect fixtures and
# ../shared/realdata's flaws2 logs. Exits 77 (skipped) when ../shared (schema, real data) is absent beside the checkout.
# Usage: ocsf_golden.sh TRAILHOUND PROJECT_ROOT
set -u
bin=${1:?usage: ocsf_golden.sh TRAILHOUND PROJECT_ROOT}
root=${2:?usage: ocsf_golden.sh TRAILHOUND PROJECT_ROOT}
cd "$root" || exit 1
schema=../shared/ocsf/schema-1.1.0
flaws=../shared/realdata/flaws2-cloudtrail
ranges=../shared/realdata/iplists/aws-ip-ranges/ip-ranges_2018-11-29.json
for need in "$schema" "$flaws" "$ranges"; do
  if [ ! -e "$need" ]; then
    echo "ocsf golden: $need is absent: skipped"
    exit 77
  fi
done
command -v python3 >/dev/null || { echo "ocsf golden: python3 is required"; exit 1; }

export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# validate NAME FILE: every line of FILE passes the validator in strict mode.
validate() {
  if python3 tests/ocsf_validate.py --strict "$schema" "$2" >"$tmp/report" 2>&1; then
    echo "ok   $1: $(tail -n1 "$tmp/report")"
    pass=$((pass + 1))
  else
    echo "FAIL $1:"
    head -n 20 "$tmp/report"
    fail=$((fail + 1))
  fi
}

# A test that cannot fail is not a test: one valid line followed by a broken one must fail.
head -n1 tests/ocsf_examples/api_activity.jsonl >"$tmp/broken.jsonl"
sed 's/"class_uid":6003/"class_uid":"6003"/' tests/ocsf_examples/api_activity.jsonl >>"$tmp/broken.jsonl"
if python3 tests/ocsf_validate.py --strict "$schema" "$tmp/broken.jsonl" >/dev/null 2>&1; then
  echo "FAIL the validator passed a broken line"
  fail=$((fail + 1))
else
  echo "ok   a broken line fails the check"
  pass=$((pass + 1))
fi

# run NAME ARGS...: trailhound ARGS --format ocsf, then its output through the validator. Exit 0
# or 1 (findings at --fail-on) is a completed run; anything else fails the case.
run() {
  local name=$1
  shift
  "$bin" "$@" --format ocsf >"$tmp/$name.jsonl" 2>"$tmp/$name.err"
  local code=$?
  if [ "$code" -gt 1 ]; then
    echo "FAIL $name: exit $code"
    head -n 5 "$tmp/$name.err"
    fail=$((fail + 1))
    return
  fi
  validate "$name" "$tmp/$name.jsonl"
}

sample=(test-data/sample/AWSLogs --config test-data/sample/trailhound.toml)
run sample-scan scan "${sample[@]}"
run sample-investigate investigate "${sample[@]}" --access-key AKIAEXAMPLEBOB000001
run sample-timeline timeline test-data/sample/AWSLogs
run sample-timeline-raw timeline test-data/sample/AWSLogs --ocsf-raw
run sample-scan-group scan "${sample[@]}" --group
# One run per detect fixture (every rule fires: IPv6 and service-name sources, failed calls,
# assumed-role sessions), and a timeline of every identity type.
lists=test-data/detect/lists
run detect-malicious scan test-data/detect/malicious.json --threat-list custom=$lists/custom.txt \
  --threat-list tor-exits=$lists/tor-exits.txt --trusted-list office=$lists/trusted.txt \
  --aws-ip-ranges $lists/aws-ip-ranges.json
run detect-exfiltration scan test-data/detect/exfiltration.json --aws-ip-ranges $lists/aws-ip-ranges.json
run detect-ingress scan test-data/detect/ingress.json
run detect-network scan test-data/detect/network.json
run detect-signin scan test-data/detect/signin.json --signin-allowlist $lists/signin-allow.txt
run identities-timeline timeline test-data/identities --ocsf-raw
run flaws2-scan scan "$flaws" --aws-ip-ranges "$ranges"
run flaws2-investigate investigate "$flaws" --aws-ip-ranges "$ranges" --user level1
run flaws2-timeline timeline "$flaws" --ocsf-raw

# Sigma findings carry the rules' ATT&CK tags as finding_info.attacks: valid in strict mode,
# and present (a technique uid, a tactic with uid and name) on the tampering fixtures' findings.
sigma_rules=../shared/sigma/rules
if [ -d "$sigma_rules" ]; then
  run sigma-tampering scan test-data/sigma/tampering.json --sigma "$sigma_rules" --rules sigma
  attacks=$(jq -c 'select(.class_uid == 2004) | .finding_info.attacks // empty | .[]' \
    "$tmp/sigma-tampering.jsonl" 2>/dev/null)
  if printf '%s\n' "$attacks" | grep -q '"technique":{"uid":"T[0-9]\{4\}"}' &&
     printf '%s\n' "$attacks" | grep -q '"tactic":{"name":"[A-Z][A-Za-z ]*","uid":"TA00[0-9][0-9]"}'; then
    echo "ok   sigma-tampering: findings carry ATT&CK techniques and tactics"
    pass=$((pass + 1))
  else
    echo "FAIL sigma-tampering: no finding_info.attacks with a technique and a tactic"
    fail=$((fail + 1))
  fi
else
  echo "note: $sigma_rules is absent; the Sigma ATT&CK case is skipped"
fi

echo "ocsf golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
