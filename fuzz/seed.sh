#!/usr/bin/env bash
# Seeds fuzz/corpus-<target>/ from the fixtures under test-data/ (the corpora are git-ignored).
# Usage: fuzz/seed.sh [BUILD_DIR]   (BUILD_DIR is accepted for symmetry with run-ci.sh; the
# seeds depend only on the source tree)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
td=$root/test-data

seed() {  # seed TARGET FILE...
  local dir=$here/corpus-$1
  shift
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    # Name by content so that re-seeding is idempotent; skip files over 1 MiB (libFuzzer's
    # default -max_len is far smaller and big seeds only slow the first pass).
    [ "$(stat -c %s "$f")" -le 1048576 ] || continue
    cp "$f" "$dir/seed-$(sha1sum "$f" | cut -c1-16)"
  done
}

mapfile -t logs < <(find "$td/shapes" "$td/bad" "$td/sample/AWSLogs" "$td/detect" "$td/identities" \
  "$td/times" "$td/hostile" -maxdepth 6 -type f \( -name '*.json' -o -name '*.gz' -o -name '*.jsonl' \
  -o -name '*.ndjson' -o -name '*.txt' \) 2>/dev/null | grep -v '/lists/' | sort)
seed decode_parse "${logs[@]}"

mapfile -t lists < <(find "$td/lists" "$td/detect/lists" "$td/sample/lists" -type f 2>/dev/null | sort)
seed lists "${lists[@]}"

# Small hand-made seeds for the string-level targets.
mk() {  # mk TARGET NAME TEXT
  mkdir -p "$here/corpus-$1"
  printf '%s' "$3" >"$here/corpus-$1/seed-$2"
}
mk time iso '2026-03-14T09:05:12Z'
mk time frac '2026-03-14T09:05:12.123456+05:30'
mk time lake '2026-03-14 09:05:12.500'
mk time offset '2026-03-14T09:05:12-0800'
mk time date '2024-02-29'
mk time span '90m'
mk time leap '2016-12-31T23:59:60Z'
mk address v4 '203.0.113.66'
mk address v4cidr '10.0.0.0/8'
mk address v6 '2001:db8::1'
mk address v6cidr '2001:db8::/32'
mk address mapped '::ffff:192.0.2.1'
mk address mappedcidr '::ffff:192.0.2.0/120'
mk address range '192.0.2.10-192.0.2.200'
mk address service 'ec2.amazonaws.com'
mk address leading0 '035.249.253.232'
mk escape ansi $'\e]0;pwned\a\e[2J'
mk escape formula '=HYPERLINK("http://x","y")'
mk escape utf8 $'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xa9 \xc2\x9b'
mk escape bad $'\xff\xfe\xc0\xaf\xed\xa0\x80'
mk escape json '{"a":[1,"b\u0000",{"c":null}],"d":"\u00e9"}'
# Sigma: every rule of test-data/sigma and of ../shared/sigma (when present beside the
# checkout), each alone (matched against the target's fixed records) and each followed by a NUL
# and the sample log.
mapfile -t rules < <(find "$td/sigma" "$root/../shared/sigma/rules" -type f \( -name '*.yml' \
  -o -name '*.yaml' \) 2>/dev/null | sort)
seed sigma "${rules[@]}"
sample=$(find "$td/sample/AWSLogs" -type f -name '*.json' 2>/dev/null | sort | head -n1)
if [ -n "$sample" ]; then
  for f in "${rules[@]:0:20}"; do
    { cat "$f"; printf '\0'; cat "$sample"; } >"$here/corpus-sigma/seed-$(basename "$f" .yml)-log"
  done
fi
for t in decode_parse lists time address escape sigma; do
  echo "corpus-$t: $(find "$here/corpus-$t" -type f | wc -l) files"
done
