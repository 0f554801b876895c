#!/bin/sh
# libs.sh: the libraries pprof opens only when a command needs them (cmd/dynlib.c): a report of a file loads none of libcurl, Graphviz, libmicrohttpd, json-c, readline, capstone, elfutils, libzstd; -svg loads Graphviz alone, a URL libcurl alone, a native binary elfutils, compressed perf.data libzstd; and a library that cannot be loaded is named with its Debian package.
#
# Environment: PPROF (default build/pprof), TOOLS (default build/tools).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
TOOLS=${TOOLS:-$top/build/tools}
data=$top/tests/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-libs.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0 fail=0

ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

LAZY='libcurl libgvc libcgraph libmicrohttpd libjson-c libreadline libcapstone libdw libelf libzstd'

# loads NAME WANT -- ARGS: runs pprof with the dynamic loader's file log
# (LD_DEBUG=files) and checks which of LAZY it loaded: exactly WANT, or
# one of its alternatives separated by | (a library may bring another of
# LAZY: libcurl and libelf may bring libzstd); a command that needs none
# of them must also have printed its output.
loads() {
    name=$1 want=$2
    shift 3
    LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/ld" "$PPROF" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=""
    for l in $LAZY; do
        cat "$tmp"/ld.* 2>/dev/null | grep -q "file=$l\.so" && got="$got $l"
    done
    rm -f "$tmp"/ld.*
    matched=0 alts=$want
    while :; do
        [ "$got" = "${alts%%|*}" ] && matched=1
        [ "$alts" = "${alts#*|}" ] && break
        alts=${alts#*|}
    done
    if [ "$matched" = 1 ] && { [ -n "$want" ] || [ -s "$tmp/out" ]; }; then
        ok
    else
        no "$name loaded '$got', want '$want' (stderr: $(head -c 200 "$tmp/err"))"
    fi
}

# The log itself works: the C library is in it (else every check below
# would pass on an empty log).
LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/ld" "$PPROF" -h >/dev/null 2>&1
cat "$tmp"/ld.* 2>/dev/null | grep -q 'file=libc\.so' && ok || no "LD_DEBUG=files logs nothing"
rm -f "$tmp"/ld.*

loads help '' -- -h
loads top '' -- -top "$data/cpu.pb.gz"
loads tree '' -- -tree "$data/cpu.pb.gz"
loads dot '' -- -dot "$data/cpu.pb.gz"
loads flamegraph '' -- -flamegraph "$data/cpu.pb.gz"
loads raw '' -- -raw "$data/cpu.pb.gz"
loads shell_piped '' -- "$data/cpu.pb.gz"
loads svg ' libgvc libcgraph' -- -svg -output="$tmp/g.svg" "$data/cpu.pb.gz"
[ -s "$tmp/g.svg" ] && grep -q '<svg' "$tmp/g.svg" && ok || no "-svg drew nothing"
# A URL nobody listens on: libcurl is opened to try it, and fails (status 1).
loads url ' libcurl| libcurl libzstd' -- -top http://127.0.0.1:1/debug/pprof/profile
grep -q 'Connection refused\|connect' "$tmp/err" && ok || no "url: $(head -c 200 "$tmp/err")"

# elfutils (libdw, libelf) only to read a native binary: here mkprof's
# own, whose main the report must name (libelf may bring libzstd). A
# perf.data file without compressed records needs neither; with them,
# libzstd alone.
loads perf '' -- -top "$data/perf/synth_file.data"
main=$(nm "$TOOLS/mkprof" 2>/dev/null | awk '$2 == "T" && $3 == "main" {print $1}')
if [ -n "$main" ] && "$TOOLS/mkprof" "$tmp/native.pb" -m 0x400000 0x10000000 0 "$TOOLS/mkprof" - \
    -a "$(printf '0x%x' $((0x400000 + 0x$main + 4)))" 2>"$tmp/err"; then
    loads native ' libdw libelf| libdw libelf libzstd' -- -top "$tmp/native.pb"
    grep -q ' main$' "$tmp/out" && ok || no "native: main not named: $(head -c 300 "$tmp/out")"
else
    no "native: no profile of mkprof's main ($(head -c 200 "$tmp/err"))"
fi
if mkdir "$tmp/perf" && "$TOOLS/gen_perf_bad" "$tmp/perf" 2>"$tmp/err"; then
    loads perf_compressed ' libzstd' -- -top "$tmp/perf/perf_ok_compressed.data"
    grep -q 'Showing nodes' "$tmp/out" && ok || no "perf_compressed: no report: $(head -c 200 "$tmp/err")"
else
    no "gen_perf_bad: $(head -c 200 "$tmp/err")"
fi

# A library that cannot be loaded: cmd/dynlib.c built with sonames no
# system has (tests/cli/missing/dynlib_names.h) says which library, which
# Debian package and what needed it; readline's is libz, which has none of
# readline's names.
"$TOOLS/dynlib_missing" >"$tmp/missing" 2>&1
while read -r lib soname pkg what; do
    line=$(grep "^$lib " "$tmp/missing")
    case $line in
    "$lib -1 $what needs $soname (Debian package $pkg), which "*) ok ;;
    *) no "missing $lib: '$line'" ;;
    esac
done <<'END'
curl libpprof-test-no-curl.so.9 test-pkg-curl9 fetching profiles over HTTP
graphviz libpprof-test-no-gvc.so.9 test-pkg-gvc9 drawing call graphs
mhd libpprof-test-no-microhttpd.so.9 test-pkg-microhttpd9 the web interface (-http)
jsonc libpprof-test-no-json-c.so.9 test-pkg-json-c9 the web interface (-http)
readline libz.so.1 test-pkg-zlib line editing in the shell
dw libpprof-test-no-dw.so.9 test-pkg-dw9 reading native binaries
zstd libpprof-test-no-zstd.so.9 test-pkg-zstd9 reading compressed perf.data records
END
grep -q '^curl -1 .*could not be loaded: .*libpprof-test-no-curl.so.9' "$tmp/missing" && ok || no "missing curl: no loader reason"
grep -q '^readline -1 .*which lacks add_history$' "$tmp/missing" && ok || no "libz as readline: missing name not given"

echo "libs: $pass passed, $fail failed"
[ "$fail" = 0 ]
