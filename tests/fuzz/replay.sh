#!/bin/sh
# replay.sh: replays each committed fuzz corpus (tests/fuzz/corpus/<harness>/) through its harness built with the plain driver ($BUILD/fuzz-replay/<harness>); a harness passes when no input crashes, traps or trips a sanitizer.
#
# Usage, from the repo root after `make test` built the drivers: sh tests/fuzz/replay.sh
set -u
BUILD=${BUILD:-build}
pass=0
fail=0
for src in tests/fuzz/fuzz_*.c; do
    h=$(basename "$src" .c)
    bin=$BUILD/fuzz-replay/$h
    corpus=tests/fuzz/corpus/$h
    if [ ! -x "$bin" ]; then
        echo "FAIL $h: $bin not built"
        fail=$((fail + 1))
        continue
    fi
    if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
        echo "FAIL $h: no corpus in $corpus"
        fail=$((fail + 1))
        continue
    fi
    t0=$(date +%s)
    if timeout 120 "$bin" "$corpus" >"${TMPDIR:-/tmp}/replay.$$" 2>&1; then
        echo "ok   $h: $(tail -1 "${TMPDIR:-/tmp}/replay.$$" | sed 's/.*: //') in $(($(date +%s) - t0))s"
        pass=$((pass + 1))
    else
        echo "FAIL $h: $(grep -m1 -E 'runtime error|Sanitizer|trap|Abort' "${TMPDIR:-/tmp}/replay.$$" || tail -1 "${TMPDIR:-/tmp}/replay.$$")"
        fail=$((fail + 1))
    fi
    rm -f "${TMPDIR:-/tmp}/replay.$$"
done
echo "fuzz-replay: $pass passed, $fail failed"
[ "$fail" = 0 ]
