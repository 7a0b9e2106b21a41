#!/usr/bin/env bash
# The completion scripts made from the flag table: the bash one is run in bash and asked to
# complete; the zsh and fish ones are checked by their shells when installed, else by shape.
# Usage: completions.sh TRAILHOUND
set -u
bin=$1
fail=0
script=$(mktemp)
trap 'rm -f "$script"' EXIT

"$bin" completions bash >"$script" || { echo "FAIL: completions bash exited $?"; exit 1; }
# shellcheck disable=SC1090
source "$script"
# complete WORDS...: the candidates _trailhound offers for the last word.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$*"
  COMPREPLY=()
  _trailhound
  printf '%s\n' "${COMPREPLY[@]}"
}
# expect WANT WORDS...: WANT is among the candidates.
expect() {
  local want=$1
  shift
  if ! complete_words "$@" | grep -qx -- "$want"; then
    echo "FAIL: '$*' does not complete to $want (got: $(complete_words "$@" | tr '\n' ' '))"
    fail=1
  fi
}
# refuse UNWANTED WORDS...: UNWANTED is not among the candidates.
refuse() {
  local unwanted=$1
  shift
  if complete_words "$@" | grep -qx -- "$unwanted"; then
    echo "FAIL: '$*' offers $unwanted"
    fail=1
  fi
}
expect scan trailhound sc
expect --format trailhound scan --for
expect jsonl trailhound scan --format j
expect csv trailhound rules --format c
expect lookup trailhound ip l
expect --threat-list trailhound ip lookup --thr
expect high trailhound scan --fail-on h
expect never trailhound timeline --color n
expect malicious-ip-caller trailhound scan --rules malicious
expect --wide trailhound rules --wi
expect fish trailhound completions f
refuse --fail-on trailhound timeline --fail
refuse timeline trailhound sc

zsh_script=$("$bin" completions zsh)
fish_script=$("$bin" completions fish)
if command -v zsh >/dev/null; then
  zsh -n <<<"$zsh_script" || { echo "FAIL: zsh -n rejects the zsh script"; fail=1; }
fi
if command -v fish >/dev/null; then
  fish --no-execute <<<"$fish_script" || { echo "FAIL: fish rejects the fish script"; fail=1; }
fi
head -1 <<<"$zsh_script" | grep -qx '#compdef trailhound' || { echo "FAIL: zsh script lacks #compdef"; fail=1; }
grep -q -- "'--format\[output format\]:FORMAT:(text jsonl json csv ocsf html)'" <<<"$zsh_script" ||
  { echo "FAIL: zsh script lacks --format's values"; fail=1; }
grep -q -- "-l format -x -a 'text jsonl json csv ocsf html'" <<<"$fish_script" ||
  { echo "FAIL: fish script lacks --format's values"; fail=1; }
# Every flag of the table is in every script.
bash_script=$(cat "$script")
for flag in $("$bin" __flags | cut -f1); do
  grep -q -- "--$flag\b" <<<"$bash_script" || { echo "FAIL: bash lacks --$flag"; fail=1; }
  grep -q -- "--$flag\b" <<<"$zsh_script" || { echo "FAIL: zsh lacks --$flag"; fail=1; }
  grep -q -- "-l $flag\b" <<<"$fish_script" || { echo "FAIL: fish lacks --$flag"; fail=1; }
done
[ $fail = 0 ] && echo "completions: ok"
exit $fail
