#!/usr/bin/env bash
# Every flag that --help shows, for every command, must be in the man page.
# Usage: man_flags.sh TRAILHOUND MAN_PAGE
set -u
bin=$1 man=$2
missing=0 checked=0
for cmd in "" timeline summary scan investigate rules "ip lookup" "ip lists"; do
  # shellcheck disable=SC2086
  flags=$("$bin" $cmd --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
  for f in $flags; do
    checked=$((checked + 1))
    roff=${f//-/\\-}
    if ! grep -qF -- "$roff" "$man"; then
      echo "man page lacks $f (from 'trailhound $cmd --help')"
      missing=$((missing + 1))
    fi
  done
done
echo "man flags: $((checked - missing)) passed, $missing failed"
[ "$missing" = 0 ]
