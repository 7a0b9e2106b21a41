#!/usr/bin/env bash
# A failed write of the results (full disk) is exit 4 with the errno text, for every command
# that prints: nothing between the printer and main() may swallow it.
# Usage: write_failure.sh TRAILHOUND PROJECT_ROOT
set -u
bin=$1 root=$2
cd "$root" || exit 2
[ -w /dev/full ] || { echo "no /dev/full: skipped"; exit 77; }
fail=0
# check LABEL WANT_ERRNO_TEXT ARGS...: exit 4 and, when asked, "No space left on device".
check() {
  local label=$1 want_text=$2
  shift 2
  local err code
  err=$("$bin" "$@" 2>&1 >/dev/full)
  code=$?
  if [ "$code" != 4 ]; then
    echo "FAIL $label: exit $code, expected 4 ($err)"
    fail=1
  elif ! grep -q "No space left on device" <<<"$err"; then
    if [ "$want_text" = yes ]; then
      echo "FAIL $label: no errno text in: $err"
      fail=1
    else
      echo "XFAIL $label: exit 4 but no errno text (app/setup.cpp Output::finish): $err"
    fi
  elif [ "$want_text" = no ]; then
    echo "XPASS $label: the errno text is there now; expect it (change 'no' to 'yes')"
    fail=1
  fi
}
check timeline yes timeline test-data/sample/AWSLogs
check completions yes completions bash
check ip-lists yes ip lists --threat-list custom=test-data/sample/lists/threat-custom.txt
check rules yes rules
check scan-jsonl yes scan test-data/sample/AWSLogs --format jsonl
check ip-lookup yes ip lookup 203.0.113.66
check summary-o yes summary test-data/sample/AWSLogs -o /dev/full
[ $fail = 0 ] && echo "write failure: ok"
exit $fail
