#!/usr/bin/env bash
# The man page documents every flag: each one --help shows for every command, each flag (and so
# config key) of the flag table (`trailhound __flags`), and every --format value.
# Usage: man_flags.sh TRAILHOUND MAN_PAGE
set -u
bin=$1 man=$2
missing=0 checked=0
# mentioned FLAG WHERE: the man page has --FLAG in roff (\-\-flag\-name).
mentioned() {
  checked=$((checked + 1))
  local roff=${1//-/\\-}
  if ! grep -qF -- "$roff" "$man"; then
    echo "man page lacks $1 (from $2)"
    missing=$((missing + 1))
  fi
}
for cmd in "" timeline summary scan investigate rules "ip lookup" "ip lists" completions merge; do
  # shellcheck disable=SC2086
  flags=$("$bin" $cmd --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
  for f in $flags; do mentioned "$f" "'trailhound $cmd --help'"; done
done
table=$("$bin" __flags) || { echo "trailhound __flags failed"; exit 1; }
[ -n "$table" ] || { echo "trailhound __flags printed nothing"; exit 1; }
# name, short name (- for none) and commands; awk keeps the empty fields that read would merge.
while read -r name short commands; do
  mentioned "--$name" "the flag table, config key $name of $commands"
  if [ "$short" != - ]; then
    checked=$((checked + 1))
    grep -qF -- "\\-$short " "$man" || { echo "man page lacks -$short"; missing=$((missing + 1)); }
  fi
done < <(awk -F'\t' '{ print $1, ($2 == "" ? "-" : $2), $4 }' <<<"$table")
# Every --format value is on the --format line of OPTIONS.
format_line=$(grep -m1 -F '.BI \-\-format ' "$man")
formats=$(awk -F'\t' '$1 == "format" { print $5 }' <<<"$table" | tr ',' ' ')
[ -n "$formats" ] || { echo "no --format values in the flag table"; exit 1; }
for v in $formats; do
  checked=$((checked + 1))
  if ! grep -qE -- "[ \"|]$v[|\"]" <<<"$format_line"; then
    echo "man page's --format line lacks $v: $format_line"
    missing=$((missing + 1))
  fi
done
# Every config section is named in CONFIGURATION FILE.
for section in timeline summary scan investigate rules ip.lookup ip.lists; do
  checked=$((checked + 1))
  grep -qF -- "\\fB[$section]\\fR" "$man" || { echo "man page lacks [$section]"; missing=$((missing + 1)); }
done
echo "man flags: $((checked - missing)) passed, $missing failed"
[ "$missing" = 0 ]
