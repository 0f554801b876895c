#!/bin/sh
# same_graph.sh: for the call-graph cases of tests/cli/ours.txt marked "same graph", runs the program and checks that its output, and our golden, are the same graph as go tool pprof's output kept in tests/reference/ours-ref/ (node order and numbering aside).
#
# Usage (from anywhere): PPROF=build/pprof sh tests/cli/same_graph.sh [-v]
# DOT files go through canon_dot.awk, callgrind files through
# canon_callgrind.awk; the sorted results must be equal, but for the lines
# listed in tests/reference/ours-ref/NAME.some, on which go's own runs
# disagree (ties it breaks at random). Needs no go: the reference outputs
# are committed (tests/reference/gen_goldens.sh makes them).
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

# case_args NAME: the case's arguments (these cases use no quotes).
case_args() { awk -v n="$1" '$1 == n { $1 = ""; print; exit }' "$here/cases.txt"; }
# run OUT: the program on $args, run in tests/ as the goldens were made.
run() { (set -f; cd "$here/.." && TZ=UTC LC_ALL=C "$PPROF" $args >"$1" 2>/dev/null </dev/null); }
# verdict OK LABEL WHAT GO OURS: counts the case; a failure says WHAT and
# shows the start of the difference from GO to OURS.
verdict() {
	if [ "$1" = 1 ]; then
		passed=$((passed + 1))
		[ $verbose = 1 ] && echo "ok $2"
	else
		echo "FAIL $2: $3 (--- go, +++ ours):"
		[ -s "$5" ] || echo "  the program wrote nothing: $PPROF $args"
		diff -u "$4" "$5" 2>/dev/null | sed -n '3,12{s/^/  /;p;}'
		failed=$((failed + 1))
	fi
	return 0
}

passed=0 failed=0
for name in $(awk '$2 == "same" && $3 == "graph" { print $1 }' "$here/ours.txt"); do
	if [ ! -f "$golden/$name.out" ] || [ ! -f "$ref/$name.out" ]; then
		echo "FAIL $name: missing golden/$name.out or reference/ours-ref/$name.out"
		failed=$((failed + 1))
		continue
	fi
	args=$(case_args "$name")
	run "$tmp/run.out"
	ok=0
	if [ -n "$args" ] && canon "$tmp/run.out" "$tmp/run" && canon "$golden/$name.out" "$tmp/ours" &&
		canon "$ref/$name.out" "$tmp/go" && [ -s "$tmp/ours" ]; then
		# Lines go's runs disagree on (gen_goldens.sh wrote them down)
		# may be there or not; the rest must be the same.
		if [ -s "$ref/$name.some" ]; then
			for f in run ours go; do
				LC_ALL=C comm -23 "$tmp/$f" "$ref/$name.some" >"$tmp/$f.x" && mv "$tmp/$f.x" "$tmp/$f"
			done
		fi
		[ -s "$tmp/go" ] && cmp -s "$tmp/ours" "$tmp/go" && cmp -s "$tmp/run" "$tmp/go" && ok=1
	fi
	verdict $ok "$name" "not the same graph as go's" "$tmp/go" "$tmp/run"
done

# The same cases drawn (-svg instead of -dot): the picture must hold go's
# nodes (their tooltips: name and cum), and go's edges, those its runs
# agree on always, the others at most (graphviz draws our DOT in-process;
# go's needs the dot program, so go's side is its DOT output).
# tips FILE: the node (N) and edge (E) tooltips of a canonical DOT form.
tips() {
	sed -n 's/^NODE .* tooltip="\([^"]*\)" color=.*/N \1/p; s/^EDGE .* tooltip="\([^"]*\)" labeltooltip=.*/E \1/p' "$1" |
		LC_ALL=C sort
}
for name in $(awk '$2 == "same" && $3 == "graph" && $1 ~ /^dot_/ { print $1 }' "$here/ours.txt"); do
	[ -f "$ref/$name.out" ] || continue
	args=$(case_args "$name" | sed 's/^ *-dot / -svg /')
	run "$tmp/run.svg"
	# <g id="nodeN" class="node"><title>N3</title> <g id="a_node3"><a xlink:title="...">
	awk '/class="node"/ { n = 1; next } /class="edge"/ { e = 1; next }
		(n || e) && /xlink:title="/ {
			t = $0; sub(/.*xlink:title="/, "", t); sub(/".*/, "", t)
			gsub(/&#45;/, "-", t); gsub(/&gt;/, ">", t); gsub(/&lt;/, "<", t); gsub(/&quot;/, "\"", t); gsub(/&amp;/, "\\&", t)
			if (n && title ~ /^N[0-9]+$/) print "N " t
			if (e && title ~ /^N[0-9]+(:[a-z]+)?->N[0-9]+(:[a-z]+)?$/) print "E " t
			n = e = 0; next }
		/<title>/ { title = $0; sub(/.*<title>/, "", title); sub(/<\/title>.*/, "", title); gsub(/&#45;/, "-", title); gsub(/&gt;/, ">", title) }' \
		"$tmp/run.svg" | LC_ALL=C sort >"$tmp/svg"
	canon "$ref/$name.out" "$tmp/go" && tips "$tmp/go" >"$tmp/go.all"
	: >"$tmp/go.some"
	[ -s "$ref/$name.some" ] && tips "$ref/$name.some" >"$tmp/go.some"
	LC_ALL=C comm -23 "$tmp/go.all" "$tmp/go.some" >"$tmp/go.always"
	LC_ALL=C sort -u "$tmp/go.all" "$tmp/go.some" >"$tmp/go.any"
	if [ -s "$tmp/svg" ] && grep -q '^N ' "$tmp/svg" && LC_ALL=C comm -23 "$tmp/go.always" "$tmp/svg" | grep -q . ; then
		svg_ok=0
	elif [ -s "$tmp/svg" ] && ! LC_ALL=C sort -u "$tmp/svg" | LC_ALL=C comm -13 "$tmp/go.any" - | grep -q .; then
		svg_ok=1
	else
		svg_ok=0
	fi
	verdict $svg_ok "$name (svg)" "not go's nodes and edges in the picture" "$tmp/go.all" "$tmp/svg"
done
echo "same-graph: $passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
