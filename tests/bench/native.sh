#!/bin/sh
# native.sh: the native symbolization part of `make bench`: a profile of 100,000 unique addresses in a large C++ binary with full debug info (built here), named by pprof -top and by go tool pprof -top (binutils addr2line) side by side.
#
# Run from the repo root:  PPROF=build/pprof TOOLS=build/tools sh tests/bench/native.sh
# Environment: BENCH_DIR (default build/bench), BENCH_NATIVE_ADDRS (default
# 100000), BENCH_NATIVE_FILES and BENCH_NATIVE_FUNCS (translation units and
# functions in each, default 4 and 2500: a 14 MB binary), BENCH_NATIVE_GO_TIMEOUT
# (seconds go tool pprof may take, default 1800: past it the ratio printed is
# a lower bound). The binary is kept
# in $BENCH_DIR/native and rebuilt only when gen_cxx.sh or the sizes change.
# Skips (saying why) without g++; go's column only when go is installed.
# Never fails on a timing.

PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
BENCH_DIR=${BENCH_DIR:-build/bench}
N=${BENCH_NATIVE_ADDRS:-100000}
FILES=${BENCH_NATIVE_FILES:-4}
FUNCS=${BENCH_NATIVE_FUNCS:-2500}
MEASURE=$TOOLS/measure
MKPROF=$TOOLS/mkprof
SRC_DIR=$(cd "$(dirname "$0")" && pwd)
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
unset PPROF_BINARY_PATH DEBUGINFOD_URLS

echo
command -v g++ >/dev/null 2>&1 || { echo "== native symbolization: skipped (no g++)"; exit 0; }
for tool in "$MEASURE" "$MKPROF"; do
    [ -x "$tool" ] || { echo "bench: missing $tool (make tools)" >&2; exit 1; }
done
dir=$BENCH_DIR/native
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
bin=$dir/big
key="$(cksum <"$SRC_DIR/gen_cxx.sh" | awk '{print $1}') $FILES $FUNCS"
if [ ! -x "$bin" ] || [ "$(cat "$dir/key" 2>/dev/null)" != "$key" ]; then
    echo "building $bin ($FILES units of $FUNCS functions, g++ -O2 -g; a few minutes) ..."
    rm -f "$dir/key" "$dir"/*.o
    sh "$SRC_DIR/gen_cxx.sh" "$dir/src" "$FILES" "$FUNCS" || exit 1
    # Two compilers at a time.
    k=0
    while [ "$k" -lt "$FILES" ]; do
        g++ -O2 -g -c -o "$dir/big_$k.o" "$dir/src/big_$k.cc" &
        k=$((k + 1))
        if [ "$k" -lt "$FILES" ]; then
            g++ -O2 -g -c -o "$dir/big_$k.o" "$dir/src/big_$k.cc" || exit 1
            k=$((k + 1))
        fi
        wait $! || exit 1
    done
    g++ -O2 -g -o "$bin" "$dir"/big_[0-9]*.o "$dir/src/big_main.cc" || exit 1
    "$bin" || { echo "bench: $bin does not run" >&2; exit 1; }
    echo "$key" >"$dir/key"
fi

# A PIE loaded as the dynamic loader would: its executable segment mapped at
# 0x555555554000 + vaddr from its file offset; the addresses spread over it.
seg=$(readelf -lW "$bin" | awk '$1 == "LOAD" && $8 == "E" { print $2, $3, $5; exit }')
[ -n "$seg" ] || { echo "bench: no executable segment in $bin" >&2; exit 1; }
set -- $seg
off=$1 vaddr=$2 size=$3
start=$(printf '0x%x' $((0x555555554000 + vaddr)))
limit=$(printf '0x%x' $((0x555555554000 + vaddr + size)))
bid=$(readelf -n "$bin" | sed -n 's/.*Build ID: //p')
prof=$dir/big-$N.prof
"$MKPROF" "$prof" -m "$start" "$limit" "$off" "$bin" "$bid" -r "$N" 1 || exit 1
printf '== %s: %s unique addresses in %s (%.1f MiB, %d functions, -O2 -g C++)\n' "$(basename "$prof")" "$N" \
    "$(basename "$bin")" "$(wc -c <"$bin" | awk '{print $1 / 1048576}')" $((FILES * FUNCS))
printf '%-24s %8s %8s %9s %8s  %s\n' command "wall s" "cpu s" "rss MiB" "unnamed" status
ours_w='' ours_c=''
for who in pprof go; do
    if [ "$who" = go ]; then
        command -v go >/dev/null 2>&1 || { echo "go tool pprof -top: skipped (go is not installed)"; break; }
        set -- timeout -k 10 "${BENCH_NATIVE_GO_TIMEOUT:-1800}" go tool pprof -top
    else
        set -- "$PPROF" -top
    fi
    line=$("$MEASURE" --stdout "$dir/$who.txt" --stderr "$dir/$who.err" -- "$@" "$prof" </dev/null)
    w='' c='' r='' rc=125
    for kv in $line; do
        case $kv in
            wall=*) w=${kv#wall=} ;;
            cpu=*) c=${kv#cpu=} ;;
            rss_mb=*) r=${kv#rss_mb=} ;;
            rc=*) rc=${kv#rc=} ;;
        esac
    done
    label=$(printf '%s' "$*" | sed "s|^$PPROF|pprof|; s|^timeout .* go |go |")
    if [ "$who" = go ] && [ "$rc" = 124 ] && [ -n "$ours_w" ]; then
        printf '%-24s %8s %8.3f %9s %8s  stopped after %s s\n' "$label" ">$w" "$c" - - "${BENCH_NATIVE_GO_TIMEOUT:-1800}"
        awk -v a="$ours_w" -v b="$w" 'BEGIN {
            printf "  pprof -top is more than %.1fx faster than go tool pprof -top in wall time (go did not finish; target: at least 10x)\n", b / a }'
        continue
    fi
    if [ "$rc" != 0 ]; then
        printf '%-24s %8s %8s %9s %8s  failed (rc=%s)\n' "$label" - - - - "$rc"
        sed -n '1,2s/^/      | /p' "$dir/$who.err"
        continue
    fi
    # Samples left as [big] (no name found), from the -top header and rows.
    unnamed=$(awk '$NF == "[big]" { print $1; f = 1 } END { if (!f) print 0 }' "$dir/$who.txt")
    printf '%-24s %8.3f %8.3f %9.1f %8s  ok\n' "$label" "$w" "$c" "$r" "$unnamed"
    if [ "$who" = pprof ]; then
        ours_w=$w ours_c=$c
    elif [ -n "$ours_w" ]; then
        awk -v a="$ours_w" -v b="$w" -v c="$ours_c" -v d="$c" 'BEGIN {
            printf "  pprof -top is %.1fx faster than go tool pprof -top in wall time, %.1fx in CPU time (target: at least 10x)\n",
                b / a, d / (c > 0 ? c : 0.001) }'
    fi
done
exit 0
