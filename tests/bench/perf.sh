#!/bin/sh
# perf.sh: the perf.data part of `make bench`: a recording of tests/perf/prog.c inflated to a million samples, read by pprof -top and by perf report --stdio, side by side.
#
# Run from the repo root:  PPROF=build/pprof TOOLS=build/tools sh tests/bench/perf.sh
# Environment: BENCH_DIR (default build/bench), BENCH_PERF_SAMPLES (default 1000000).
# Skips (saying why) when perf is missing or cannot record here. Never fails on a timing.

PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
BENCH_DIR=${BENCH_DIR:-build/bench}
N=${BENCH_PERF_SAMPLES:-1000000}
MEASURE=$TOOLS/measure
INFLATE=$TOOLS/perf_inflate
SRC_DIR=$(cd "$(dirname "$0")" && pwd)

echo
if ! command -v perf >/dev/null 2>&1; then
    echo "== perf.data: skipped (perf is not installed)"
    exit 0
fi
for tool in "$MEASURE" "$INFLATE"; do
    [ -x "$tool" ] || { echo "bench: missing $tool (make tools)" >&2; exit 1; }
done
mkdir -p "$BENCH_DIR" || exit 1
big=$BENCH_DIR/perf-$N.data
if [ ! -s "$big" ]; then
    cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -pthread -o "$BENCH_DIR/perf-prog" \
        "$SRC_DIR/../perf/prog.c" || exit 1
    if ! (cd "$BENCH_DIR" && perf record -q -e cpu-clock -g -o - ./perf-prog 20000 >perf-src.data 2>perf-src.err); then
        echo "== perf.data: skipped (perf record failed: $(head -1 "$BENCH_DIR/perf-src.err"))"
        exit 0
    fi
    "$INFLATE" "$BENCH_DIR/perf-src.data" "$big" "$N" >/dev/null || exit 1
fi
printf '== %s: %s samples, %.1f MiB (pipe mode, perf record -g of tests/perf/prog.c, repeated)\n' \
    "$big" "$N" "$(wc -c <"$big" | awk '{print $1 / 1048576}')"
printf '%-44s %8s %9s  %s\n' command "wall s" "rss MiB" status
ours=
for cmd in "$PPROF -top" "perf report --stdio -i"; do
    line=$("$MEASURE" --stderr "$BENCH_DIR/perf-err.txt" -- $cmd "$big" </dev/null)
    wall=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^wall=//p')
    rss=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^rss_mb=//p')
    rc=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^rc=//p')
    label=$(printf '%s' "$cmd" | sed "s|^$PPROF|pprof|")
    if [ "$rc" = 0 ]; then
        printf '%-44s %8.3f %9.1f  ok\n' "$label" "$wall" "$rss"
        [ -n "$ours" ] || ours=$wall
        theirs=$wall
    else
        printf '%-44s %8s %9s  failed (rc=%s)\n' "$label" - - "$rc"
        sed -n '1,2s/^/      | /p' "$BENCH_DIR/perf-err.txt"
        theirs=
    fi
done
if [ -n "$ours" ] && [ -n "$theirs" ]; then
    awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "  pprof -top takes %.2fx the time of perf report --stdio (target: at most 2x)\n", a / b }'
fi
exit 0
