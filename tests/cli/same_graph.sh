#!/bin/sh
# same_graph.sh: for the call-graph cases of tests/cli/ours.txt marked "same graph", checks that our golden is the same graph as go tool pprof's output kept in tests/reference/ours-ref/ (node order and numbering aside).
#
# Usage (from anywhere): sh tests/cli/same_graph.sh [-v]
# DOT files go through canon_dot.awk, callgrind files through
# canon_callgrind.awk; the sorted results must be equal. Needs no go: the
# reference outputs are committed (tests/reference/gen_goldens.sh makes them).
set -u

here=$(cd "$(dirname "$0")" && pwd)
ref=$here/../reference/ours-ref
golden=$here/golden
verbose=0
[ "${1:-}" = -v ] && verbose=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-same.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# canon FILE OUT: the order-free form of a DOT or callgrind file.
canon() {
	case $(head -c 9 "$1") in
	digraph*) awk -f "$here/canon_dot.awk" "$1" "$1" | LC_ALL=C sort >"$2" ;;
	positions) awk -f "$here/canon_callgrind.awk" "$1" | LC_ALL=C sort >"$2" ;;
	*) echo "same_graph.sh: $1 is neither DOT nor callgrind" >&2; return 1 ;;
	esac
}

passed=0 failed=0
for name in $(awk '$2 == "same" && $3 == "graph" { print $1 }' "$here/ours.txt"); do
	if [ ! -f "$golden/$name.out" ] || [ ! -f "$ref/$name.out" ]; then
		echo "FAIL $name: missing golden/$name.out or reference/ours-ref/$name.out"
		failed=$((failed + 1))
		continue
	fi
	if canon "$golden/$name.out" "$tmp/ours" && canon "$ref/$name.out" "$tmp/go" &&
		[ -s "$tmp/ours" ] && cmp -s "$tmp/ours" "$tmp/go"; then
		passed=$((passed + 1))
		[ $verbose = 1 ] && echo "ok $name"
	else
		echo "FAIL $name: not the same graph as go's (--- go, +++ ours):"
		diff -u "$tmp/go" "$tmp/ours" | sed -n '3,12{s/^/  /;p;}'
		failed=$((failed + 1))
	fi
done
echo "same-graph: $passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
