#!/bin/sh
# suites.sh: runs the test suites (every one, or those named) and prints the total over their closing lines.
#
# Usage (from the top of the tree, after `make all tools` and the unit
# tests are built; `make test` does both): sh tests/suites.sh [NAME...]
# Environment: BUILD (default build), PPROF, TOOLS, MAKE.
# Each suite ends with a line "... N passed, N failed"; a suite that exits
# non-zero without a failure in that line, or prints no such line, counts
# as one more failure. The last line is the sum: "total: N passed, N failed".
set -u

BUILD=${BUILD:-build}
PPROF=${PPROF:-$BUILD/pprof}
TOOLS=${TOOLS:-$BUILD/tools}
MAKE=${MAKE:-make}
export BUILD PPROF TOOLS MAKE

# name: command (run with sh -c); in the order `make test` runs them.
SUITES='unit:for t in "$BUILD"/tests/test_*; do case $t in *.d) continue ;; esac; "$t" || s=1; done; exit ${s:-0}
cli:sh tests/cli/run.sh
windows:sh tests/cli/windows.sh
exits:sh tests/cli/exits.sh
heap-trim:sh tests/cli/heap_trim.sh
libs:sh tests/cli/libs.sh
folded-sums:sh tests/cli/folded_sums.sh
svg-valid:sh tests/cli/svg_valid.sh
same-graph:sh tests/cli/same_graph.sh
graph:sh tests/graph/run.sh
graph-browser:timeout 300 sh tests/graph/browser.sh
shell:sh tests/shell/run.sh
shell-tty:sh tests/shell/tty.sh
bad:sh tests/bad/run.sh
fuzz-replay:sh tests/fuzz/replay.sh
http:sh tests/http/run.sh
native:sh tests/native/run.sh
flame:TEST_FLAME="$BUILD"/tests/test_flame sh tests/flame/run.sh
flame-browser:TEST_FLAME="$BUILD"/tests/test_flame timeout 300 sh tests/flame/browser.sh
flame-geometry:timeout 900 sh tests/flame/geometry.sh
lib:sh tests/lib/run.sh
webui:timeout 900 sh tests/webui/run.sh
webui-browser:NODE_DIR="$BUILD"/node SHOTS="$BUILD"/webui-shots timeout 300 sh tests/webui/browser.sh
perf:sh tests/perf/run.sh'

tmp=$(mktemp -d) || exit 2 # (in $TMPDIR, else /tmp)
trap 'rm -rf "$tmp"' EXIT

if [ $# -gt 0 ]; then
    for want in "$@"; do
        printf '%s\n' "$SUITES" | grep -q "^$want:" || { echo "suites.sh: no suite named $want" >&2; exit 2; }
    done
fi

total_pass=0 total_fail=0
printf '%s\n' "$SUITES" >"$tmp/list"
while IFS= read -r line; do
    name=${line%%:*}
    cmd=${line#*:}
    if [ $# -gt 0 ]; then
        found=0
        for want in "$@"; do [ "$want" = "$name" ] && found=1; done
        [ $found = 1 ] || continue
    fi
    { sh -c "$cmd"; echo $? >"$tmp/rc"; } </dev/null 2>&1 | tee "$tmp/out"
    rc=$(cat "$tmp/rc")
    # Sum every closing line (the unit suite has one per test program).
    sums=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$tmp/out" |
        awk '{ p += $1; f += $3 } END { print p + 0, f + 0, NR }')
    p=${sums%% *}; rest=${sums#* }; f=${rest%% *}; n=${rest#* }
    if [ "$n" = 0 ]; then
        echo "suites.sh: $name printed no \"N passed, N failed\" line" >&2
        f=$((f + 1))
    elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "suites.sh: $name exited $rc" >&2
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
done <"$tmp/list"

echo "total: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
