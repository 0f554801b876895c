#!/bin/sh
# memory.sh: peak memory of one-shot reports on a profile of the bench's medium shape (100,000 samples, 9.4 MiB raw): each at most twice the raw size, the project's target, which buffers sized for big inputs (the inflate pipe's slots, the ring of samples decoded ahead) broke.
#
# Environment: PPROF (default build/pprof), TOOLS (default build/tools: gen_profile, measure), SANITIZE.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
TOOLS=${TOOLS:-$top/build/tools}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-memory.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0 fail=0

ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

# The bench's medium profile (tests/bench/run.sh), made again: 0.6 s.
"$TOOLS/gen_profile" --samples 100000 --locations 20000 --functions 5000 --max-depth 70 --inline-frac 0.1 \
    --label-frac 0.1 --types 2 --seed 1 --out "$tmp/medium.pb.gz" >/dev/null 2>&1 ||
    { echo "memory: gen_profile failed"; echo "memory: 0 passed, 1 failed"; exit 1; }
raw=$(gzip -dc "$tmp/medium.pb.gz" | wc -c)
[ "$raw" -gt 9000000 ] && ok || no "medium profile: $raw bytes raw, want about 9.4 MiB"
limit_kib=$((raw * 2 / 1024))

# Peak RSS (wait4's ru_maxrss) is what the kernel counts, whatever the
# machine's load: no timing in these checks. Under ASan or TSan (shadow
# memory, quarantine) it means nothing: the reports are only run.
bound=1
case ${SANITIZE:-} in
*sanitize=address* | *sanitize=thread*)
    bound=0
    echo "skip the peak RSS bounds under $SANITIZE" ;;
esac
for args in "-top" "-tree" "-dot" "-raw" "-traces" "-flamegraph" "-top -lines" "-proto -output=$tmp/out.pb.gz"; do
    # shellcheck disable=SC2086 # the report's flags are split on purpose
    "$TOOLS/measure" --stdout "$tmp/out" -- "$PPROF" $args "$tmp/medium.pb.gz" >"$tmp/m" </dev/null
    rss_kib=$(awk -F'rss_mb=' '{split($2, a, " "); printf "%d", a[1] * 1024}' "$tmp/m")
    if ! grep -q 'rc=0' "$tmp/m"; then
        no "$args: $(cat "$tmp/m")"
    elif [ "$args" = "${args#-proto}" ] && ! [ -s "$tmp/out" ]; then
        no "$args: printed nothing"
    elif [ "$bound" = 1 ] && [ "$rss_kib" -gt "$limit_kib" ]; then
        no "$args: peak RSS $rss_kib KiB, want at most twice the raw size, $limit_kib KiB ($(cat "$tmp/m"))"
    else
        ok
    fi
done
# The reports wrote something (a program that printed nothing would pass).
[ -s "$tmp/out.pb.gz" ] && ok || no "-proto wrote nothing"

echo "memory: $pass passed, $fail failed"
[ "$fail" = 0 ]
