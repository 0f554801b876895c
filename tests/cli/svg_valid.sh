#!/bin/sh
# svg_valid.sh: runs every flame-graph case of tests/cli/cases.txt through the program and checks that each output is a well-formed SVG (xmllint), whatever the names in the profile; the committed goldens too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
PPROF=${PPROF:-$here/../../build/pprof}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-svg.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for name in $(awk '$1 ~ /^flamegraph_/ { print $1 }' "$here/cases.txt"); do
    args=$(awk -v n="$name" '$1 == n { $1 = ""; print; exit }' "$here/cases.txt")
    (set -f; cd "$here/.." && "$PPROF" $args >"$tmp/out.svg" 2>"$tmp/err" </dev/null)
    if [ -s "$tmp/out.svg" ] && grep -q '<svg' "$tmp/out.svg" && xmllint --noout "$tmp/out.svg" 2>/dev/null &&
        xmllint --noout "$here/golden/$name.out" 2>/dev/null; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: the program's output (or the golden) is not a valid SVG: $(head -c 200 "$tmp/err")"
    fi
done
[ $pass -gt 0 ] || { fail=$((fail + 1)); echo "FAIL no flame-graph cases found"; }
# Call graphs drawn by Graphviz: a one-shot -svg frees the profile once its
# DOT text is made, before the layout; the picture must be that DOT's graph,
# every box and arrow of -dot's (by their ids), and a valid SVG.
for prof in cpu heap tags_many; do
    (cd "$here/.." && "$PPROF" -dot "data/$prof.pb.gz" >"$tmp/g.dot" 2>/dev/null &&
        "$PPROF" -svg "data/$prof.pb.gz" >"$tmp/g.svg" 2>"$tmp/err" </dev/null)
    sed -n 's/^\(N[0-9_]*\) \[.*/\1/p; s/^\(N[0-9_]*\) -> \(N[0-9_]*\) \[.*/\1->\2/p' "$tmp/g.dot" | LC_ALL=C sort >"$tmp/want"
    sed -n 's/^<title>\(N[0-9_]*\)<\/title>$/\1/p; s/^<title>\(N[0-9_]*\)&#45;&gt;\(N[0-9_]*\)<\/title>$/\1->\2/p' \
        "$tmp/g.svg" | LC_ALL=C sort >"$tmp/got"
    if [ -s "$tmp/want" ] && grep -q -- '->' "$tmp/want" && cmp -s "$tmp/want" "$tmp/got" &&
        xmllint --noout "$tmp/g.svg" 2>/dev/null; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL -svg $prof: not -dot's boxes and arrows, or not a valid SVG: $(head -c 200 "$tmp/err")"
    fi
done
echo "svg-valid: $pass passed, $fail failed"
[ "$fail" = 0 ]
