#!/bin/sh
# run.sh: writes sample flame-graph SVGs with the unit test driver and checks each with xmllint, plus byte-for-byte determinism.
#
# Environment: TEST_FLAME (default build/tests/test_flame), XMLLINT (default xmllint).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
TEST_FLAME=${TEST_FLAME:-$top/build/tests/test_flame}
XMLLINT=${XMLLINT:-xmllint}

if [ ! -x "$TEST_FLAME" ]; then
    echo "flame: $TEST_FLAME is not built (make $TEST_FLAME)" >&2
    exit 1
fi
if ! command -v "$XMLLINT" >/dev/null 2>&1; then
    echo "flame: xmllint not found (Debian package libxml2-utils; make deps installs it)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

"$TEST_FLAME" --write "$tmp/a" || { echo "flame: writing the samples failed" >&2; exit 1; }
"$TEST_FLAME" --write "$tmp/b" || { echo "flame: writing the samples failed" >&2; exit 1; }

pass=0
fail=0
for f in "$tmp"/a/*.svg; do
    name=$(basename "$f")
    problem=""
    if ! "$XMLLINT" --noout --nonet "$f" 2>"$tmp/lint.err"; then
        problem="xmllint: $(head -n 3 "$tmp/lint.err" | tr '\n' ' ')"
    elif ! cmp -s "$f" "$tmp/b/$name"; then
        problem="two runs differ"
    elif grep -q '<text[^>]*></text>' "$f"; then
        problem="empty <text> element"
    elif [ "$(grep -c '<script' "$f")" != 1 ]; then
        problem="not exactly one <script>"
    elif grep -q 'href=\|xlink:\|@import\|url(http' "$f"; then
        problem="refers to something outside the file"
    fi
    if [ -n "$problem" ]; then
        echo "FAIL $name: $problem"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
echo "flame: $pass passed, $fail failed"
[ "$fail" = 0 ]
