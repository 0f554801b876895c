#!/bin/sh
# same_graph.sh: for the call-graph cases of tests/cli/ours.txt marked "same graph", runs the program and checks that its output, and our golden, are the same graph as go tool pprof's output kept in tests/reference/ours-ref/ (node order and numbering aside).
#
# Usage (from anywhere): PPROF=build/pprof sh tests/cli/same_graph.sh [-v]
# DOT files go through canon_dot.awk, callgrind files through
# canon_callgrind.awk; the sorted results must be equal. Needs no go: the
# reference outputs are committed (tests/reference/gen_goldens.sh makes them).
set -u

here=$(cd "$(dirname "$0")" && pwd)
PPROF=${PPROF:-$here/../../build/pprof}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
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
	# The case's arguments (these cases use no quotes), run in tests/.
	args=$(awk -v n="$name" '$1 == n { $1 = ""; print; exit }' "$here/cases.txt")
	(set -f; cd "$here/.." && TZ=UTC LC_ALL=C "$PPROF" $args >"$tmp/run.out" 2>/dev/null </dev/null)
	if [ -n "$args" ] && canon "$tmp/run.out" "$tmp/run" && canon "$golden/$name.out" "$tmp/ours" &&
		canon "$ref/$name.out" "$tmp/go" && [ -s "$tmp/ours" ] && cmp -s "$tmp/ours" "$tmp/go" && cmp -s "$tmp/run" "$tmp/go"; then
		passed=$((passed + 1))
		[ $verbose = 1 ] && echo "ok $name"
	else
		echo "FAIL $name: not the same graph as go's (--- go, +++ ours):"
		[ -s "$tmp/run" ] || echo "  the program wrote no graph: $PPROF $args"
		diff -u "$tmp/go" "$tmp/run" 2>/dev/null | sed -n '3,12{s/^/  /;p;}'
		failed=$((failed + 1))
	fi
done
echo "same-graph: $passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
