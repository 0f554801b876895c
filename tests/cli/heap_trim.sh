#!/bin/sh
# heap_trim.sh: a one-shot report keeps the heap it freed (brk never moves down under strace), but not at -lines
# granularity, whose peak memory that would raise (cmd/main.c).
#
# Environment: PPROF (default build/pprof). Skips (exit 0, saying why) only when strace is not installed or cannot trace, or for a sanitizer build.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
data=$top/tests/data
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0 fail=0

ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

if ! command -v strace >/dev/null 2>&1 || ! strace -f -e trace=brk true >/dev/null 2>&1; then
    echo "heap_trim: SKIP: strace is not installed or cannot trace here"
    echo "heap_trim: $pass passed, $fail failed"
    exit 0
fi

# brk_moves ARGS...: runs pprof under strace; prints "grows N shrinks M" for the
# program break's moves (its report must be on stdout, as without strace).
brk_moves() {
    strace -f -o "$tmp/trace" -e trace=brk "$PPROF" "$@" >"$tmp/out" 2>/dev/null </dev/null || echo "pprof failed"
    [ -s "$tmp/out" ] || echo "no report"
    awk '/brk\(0x/ { v = $NF; if (prev != "") { if (v > prev) g++; else if (v < prev) s++ } prev = v }
         END { printf "grows %d shrinks %d\n", g, s }' "$tmp/trace"
}

# A sanitizer build's allocator is not glibc's (its heap never moves the
# break), and LeakSanitizer stops a traced program: nothing to check there.
# Known by its runtime library, not by what the run does: a pprof that
# reports nothing must fail here, not skip.
if ldd "$PPROF" 2>/dev/null | grep -q 'lib[at]san'; then
    echo "heap_trim: SKIP: a sanitizer build (its allocator is not glibc's)"
    echo "heap_trim: $pass passed, $fail failed"
    exit 0
fi

for args in "-top" "-dot" "-traces" "-flamegraph" "-raw"; do
    # shellcheck disable=SC2086
    got=$(brk_moves $args "$data/cpu.pb.gz")
    case $got in
    "grows "[1-9]*" shrinks 0") ok ;;
    *) no "$args: the heap grows and never shrinks: $got" ;;
    esac
done

# At -lines granularity the heap is handed back as before.
got=$(brk_moves -top -lines "$data/cpu.pb.gz")
case $got in
"grows "*" shrinks "[1-9]*) ok ;;
*) no "-top -lines: the heap is trimmed as glibc does by default: $got" ;;
esac

echo "heap_trim: $pass passed, $fail failed"
[ "$fail" = 0 ]
