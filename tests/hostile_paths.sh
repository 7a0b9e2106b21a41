#!/usr/bin/env bash
# Safe paths: trailhound opens inputs read-only, writes nothing but stdout, stderr, -o FILE and
# --baseline-out FILE, walks a symlink cycle once, never opens a FIFO found in a folder, reads
# a FIFO or /dev/fd pipe that is named explicitly, and stops reading /dev/zero at
# --max-file-bytes. Needs strace for the read-only check (skipped, with a note, without it).
# Usage: tests/hostile_paths.sh TRAILHOUND
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
hostile=$root/test-data/hostile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

# A scratch copy of some inputs, with a cycle and a FIFO, in a folder we can watch.
mkdir -p "$tmp/in/a" "$tmp/home" "$tmp/cwd"
cp "$hostile/good.json" "$hostile/injection.json" "$tmp/in/"
cp "$hostile/truncated.json.gz" "$tmp/in/a/"
ln -s .. "$tmp/in/a/up"
mkfifo "$tmp/in/a/pipe.json"
find "$tmp/in" -exec stat -c '%n %s %Y %a' {} + | sort >"$tmp/before"
touch "$tmp/marker"
sleep 1

# 1. A whole scan with both outputs: only -o and --baseline-out are written, inputs read-only.
cd "$tmp/cwd" || exit 1
run() { HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config timeout 60 "$@"; }
if command -v strace >/dev/null; then
  # LeakSanitizer cannot run under ptrace; leaks are the unit tests' business, not this one's.
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run strace -f -qq -e trace=open,openat,openat2,creat,truncate,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,symlink,symlinkat,link,linkat,chmod,fchmodat \
    -o "$tmp/strace" "$bin" scan "$tmp/in" --format jsonl -o "$tmp/out.jsonl" \
    --baseline-out "$tmp/baseline.json" >"$tmp/stdout" 2>"$tmp/stderr"
  code=$?
  # Every open for writing names one of the two output files or its temporary file beside it
  # (.NAME.XXXXXX, renamed over it); nothing is created, renamed, removed or re-permissioned
  # anywhere else.
  writes=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|creat\(|truncate\(|rename|unlink|mkdir|symlink|link\(|linkat\(|chmod' "$tmp/strace" \
    | grep -vE "\"$tmp/\.?(out\.jsonl|baseline\.json)(\.[A-Za-z0-9]{6})?\"" | grep -v ' = -1 ' || true)
  if [ -z "$writes" ]; then ok "writes only -o and --baseline-out (strace)"; else bad "unexpected writes:"; echo "$writes"; fi
  opened=$(grep -E "\"$tmp/in/" "$tmp/strace" | grep -vE 'O_RDONLY' | grep -v ' = -1 ' || true)
  if [ -z "$opened" ]; then ok "inputs opened O_RDONLY"; else bad "inputs opened otherwise:"; echo "$opened"; fi
  if grep -q "$tmp/in/a/pipe.json" "$tmp/strace"; then bad "a FIFO found in a folder was opened"; else ok "FIFO in a walked folder not opened"; fi
else
  run "$bin" scan "$tmp/in" --format jsonl -o "$tmp/out.jsonl" --baseline-out "$tmp/baseline.json" >"$tmp/stdout" 2>"$tmp/stderr"
  code=$?
  echo "note: strace not installed; the read-only check is by file listing only"
fi
case $code in 0|3) ok "scan over a cycle and a FIFO ended (exit $code)";; *) bad "scan exit $code"; head "$tmp/stderr";; esac
[ -s "$tmp/out.jsonl" ] && [ -s "$tmp/baseline.json" ] && ok "-o and --baseline-out written" || bad "outputs missing"
[ ! -s "$tmp/stdout" ] && ok "nothing on stdout with -o" || bad "stdout not empty with -o"
# The truncated file is read once, not once per trip round the cycle.
n=$(grep -c 'truncated.json.gz: truncated gzip' "$tmp/stderr")
[ "$n" = 1 ] && ok "symlink cycle walked once" || bad "truncated.json.gz reported $n times"
find "$tmp/in" -exec stat -c '%n %s %Y %a' {} + | sort >"$tmp/after"
diff -q "$tmp/before" "$tmp/after" >/dev/null && ok "input folder unchanged" || { bad "input folder changed"; diff "$tmp/before" "$tmp/after"; }
stray=$(find "$tmp" -newer "$tmp/marker" -type f ! -path "$tmp/out.jsonl" ! -path "$tmp/baseline.json" \
  ! -path "$tmp/stdout" ! -path "$tmp/stderr" ! -path "$tmp/strace" ! -path "$tmp/before" ! -path "$tmp/after")
[ -z "$stray" ] && ok "no other file written (home, cwd, inputs)" || { bad "stray files:"; echo "$stray"; }

# 2. A FIFO named explicitly is read like stdin: once its writer has written, the run ends.
mkfifo "$tmp/explicit.json"
(cat "$hostile/good.json" >"$tmp/explicit.json") &
out=$(run "$bin" timeline "$tmp/explicit.json" --format jsonl 2>&1 | tail -n 1)
echo "$out" | grep -q '"records":{"read":1,"used":1' && ok "explicit FIFO read" || bad "explicit FIFO: $out"
wait
# ... and opened once: a look before the read (planning which files to read in ranges) took
# the writer's data, and the second open then waited for a writer that was gone (seen when
# the run was slowed, under ASan or strace).
if command -v strace >/dev/null; then
  mkfifo "$tmp/once.json"
  (cat "$hostile/good.json" >"$tmp/once.json") &
  out=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 HOME=$tmp/home timeout 30 \
        strace -f -qq -e trace=open,openat,openat2 -o "$tmp/strace-fifo" \
        "$bin" timeline "$tmp/once.json" --format jsonl 2>&1 | tail -n 1)
  opens=$(grep -c "\"$tmp/once.json\"" "$tmp/strace-fifo")
  if [ "$opens" = 1 ] && echo "$out" | grep -q '"records":{"read":1,"used":1'; then
    ok "explicit FIFO opened once, read under strace"
  else
    bad "explicit FIFO under strace: opened $opens times: $out"
  fi
  kill %% 2>/dev/null
  wait
fi

# 3. A /dev/fd pipe (process substitution) reads too.
out=$(run "$bin" timeline <(cat "$hostile/good.json") --format jsonl 2>&1 | tail -n 1)
echo "$out" | grep -q '"records":{"read":1,"used":1' && ok "/dev/fd pipe read" || bad "/dev/fd pipe: $out"

# 4. /dev/zero is refused from its first KiB (binary, not JSON text), without hanging.
start=$(date +%s)
run "$bin" timeline /dev/zero --format jsonl >"$tmp/z.out" 2>"$tmp/z.err"
code=$?
secs=$(( $(date +%s) - start ))
if [[ $code =~ ^(0|3)$ ]] && grep -q '/dev/zero: binary data, not JSON text' "$tmp/z.err" && [ $secs -lt 60 ]; then
  ok "/dev/zero is skipped unread (${secs}s)"
else
  bad "/dev/zero default: exit $code after ${secs}s"; head -3 "$tmp/z.err"
fi

exit $fail
