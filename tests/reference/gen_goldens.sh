# gen_goldens.sh: regenerates tests/cli/golden/ from the reference `go tool pprof` (Go 1.19), converted to current upstream pprof's output layout.
#
# Developers only (needs go); `make check` only compares the committed goldens.
# Usage (from anywhere):
#   sh tests/reference/gen_goldens.sh [FILTER]   regenerate the goldens of every case in
#                                                tests/cli/cases.txt whose name contains
#                                                FILTER (all by default), except @roundtrip
#                                                cases (@gunzip cases: go's stdout gunzipped, hex-dumped)
#                                                cases and the cases listed in ours.txt
#   sh tests/reference/gen_goldens.sh --convert ARGS...
#                                                run `go tool pprof -symbolize=none ARGS` in
#                                                tests/ and print its converted stdout
#   sh tests/reference/gen_goldens.sh --check-legacy
#                                                compare the converted -raw of every
#                                                tests/data/legacy/X with X.string
#
# Each case runs `go tool pprof -symbolize=none <args>` in tests/ and writes
# golden/<name>.out; when the exit status is non-zero it also writes <name>.err
# and <name>.rc. For the cases of ours.txt, go's output goes to
# tests/reference/ours-ref/ instead, for information.
#
# Conversions from Go 1.19's vendored pprof (2022) to current upstream (the
# target, see spec/pprof.md section 0):
#   1. The `Time:` header of reports: 1.19 prints `Time: Nov 23, 2026 at 9:36am (UTC)`,
#      upstream `Time: 2026-11-23 09:36:44 UTC` (layout "2006-01-02 15:04:05 MST"); also
#      inside the legend of -dot output, where labels are joined by `\l`.
#      The seconds come from the `Time:` line of `go tool pprof -raw` run with the
#      same arguments minus the output format (so merged sources give the earliest
#      time), e.g. `Time: 2026-11-23 09:36:44.015791517 +0000 UTC`; the two are
#      checked against each other.
#   2. `-raw` location lines: 1.19 prints `name file:line s=start`, upstream
#      `name file:line:col s=start`; 1.19 knows no columns, so `:0` is inserted.
# Nothing else differs in -top/-text output. Known difference NOT converted
# (it cannot be derived from 1.19's output): 1.19 always merges the sources,
# even a single one; upstream returns a single source as is (PR #729). So the
# single-source raw_* goldens show the merged profile: identical stacks summed,
# all-zero and stackless samples dropped, unused mappings dropped, ids
# renumbered. Upstream may print the profile as read instead.
# tests/data/legacy/*.string are parse-only dumps (no driver: no fake mapping,
# no merge), so --check-legacy matches only where merging changes nothing.

set -u

here=$(cd "$(dirname "$0")" && pwd)
testsdir=$(cd "$here/.." && pwd)
clidir=$testsdir/cli
golden=$clidir/golden
oursref=$here/ours-ref
. "$clidir/caselib.sh"

GO=${GO:-go}
if ! command -v "$GO" >/dev/null 2>&1; then
	echo "gen_goldens.sh: needs go (go tool pprof), not found" >&2
	exit 2
fi

# The same fixed environment as run.sh.
TZ=UTC LC_ALL=C
export TZ LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-gen.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# go_pprof ARGS...: the reference in tests/; stdout, stderr, status in
# $tmp/out, $tmp/err, $rc.
go_pprof() {
	(cd "$testsdir" && exec "$GO" tool pprof -symbolize=none "$@") \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

# raw_time ARGS...: the `Time:` value of `go tool pprof -raw` for the case's
# arguments with output-format flags (and -output) removed.
raw_time() {
	skip=0
	for a do
		shift
		if [ "$skip" = 1 ]; then skip=0; continue; fi
		n=${a#-}; n=${n#-}; v=""
		case $n in *=*) v=${n#*=}; n=${n%%=*} ;; esac
		case $a in -*) ;; *) n="" ;; esac
		case " $n " in
		" list " | " peek " | " disasm " | " weblist " | " output ")
			[ "$a" = "${a%%=*}" ] && skip=1
			continue ;;
		" top " | " text " | " raw " | " comments " | " tags " | " traces " | " tree " | " dot " | \
		" callgrind " | " proto " | " topproto " | " svg " | " png " | " pdf " | " gif " | " ps " | \
		" kcachegrind " | " web " | " eog " | " evince " | " gv ")
			case $v in "" | true) continue ;; esac ;;
		esac
		set -- "$@" "$a"
	done
	(cd "$testsdir" && exec "$GO" tool pprof -symbolize=none -raw "$@") 2>/dev/null </dev/null |
		sed -n '/^Samples:/q; s/^Time: //p'
}

# convert IN OUT ARGS...: rewrite go 1.19 stdout IN into upstream's layout.
convert() {
	in=$1 out=$2
	shift 2
	rt=""
	if grep -q '^Time: [A-Z][a-z][a-z] [0-9]*, [0-9]* at \|\\lTime: [A-Z][a-z][a-z] [0-9]*, [0-9]* at ' "$in"; then
		rt=$(raw_time "$@")
		if [ -z "$rt" ]; then
			echo "gen_goldens.sh: no Time: in go tool pprof -raw $*" >&2
			return 1
		fi
	fi
	awk -v rawtime="$rt" '
	BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ") }
	/^Locations$/ { inloc = 1; print; next }
	/^Mappings$/ { inloc = 0; print; next }
	inloc {
		# `name file:line s=start[(sysname)]` -> `name file:line:0 s=start...`
		if (match($0, /:-?[0-9]+ s=-?[0-9]+/)) {
			cut = index(substr($0, RSTART), " s=") + RSTART - 1
			$0 = substr($0, 1, cut - 1) ":0" substr($0, cut)
		}
		print; next
	}
	# A Time line of its own (text reports) or one \l-separated line of
	# the DOT legend.
	match($0, /(^|\\l)Time: [A-Z][a-z][a-z] [0-9]+, [0-9]+ at [0-9]+:[0-9][0-9][ap]m \([^)]*\)(\\l|$)/) {
		pre = substr($0, 1, RSTART - 1); post = substr($0, RSTART + RLENGTH)
		got = substr($0, RSTART, RLENGTH)
		lead = ""; trail = ""
		if (substr(got, 1, 2) == "\\l") { lead = "\\l"; got = substr(got, 3) }
		if (substr(got, length(got) - 1) == "\\l") { trail = "\\l"; got = substr(got, 1, length(got) - 2) }
		n = split(rawtime, f, " ")       # 2026-11-23 09:36:44.015791517 +0000 UTC
		d = f[1]; t = f[2]; z = f[n]
		sub(/\..*/, "", t)
		split(d, dd, "-"); split(t, tt, ":")
		h = tt[1] + 0; ap = h >= 12 ? "pm" : "am"; h12 = h % 12; if (h12 == 0) h12 = 12
		want = sprintf("Time: %s %d, %s at %d:%s%s (%s)", mon[dd[2] + 0], dd[3] + 0, dd[1], h12, tt[2], ap, z)
		if (got != want) {
			printf "gen_goldens.sh: Time mismatch: report has \"%s\", -raw gives \"%s\"\n", got, rawtime > "/dev/stderr"
			bad = 1
		}
		print pre lead "Time: " d " " t " " z trail post; next
	}
	{ print }
	END { exit bad }
	' "$in" >"$out"
}

# canon FILE OUT: the order-free form of a DOT or callgrind file (as
# tests/cli/same_graph.sh compares them).
canon() {
	case $(head -c 9 "$1") in
	digraph*) awk -f "$clidir/canon_dot.awk" "$1" "$1" | LC_ALL=C sort >"$2" ;;
	positions) awk -f "$clidir/canon_callgrind.awk" "$1" | LC_ALL=C sort >"$2" ;;
	*) return 1 ;;
	esac
}

# is_same_graph NAME: whether ours.txt compares NAME as a graph.
is_same_graph() {
	awk -v n="$1" '$1 == n && $2 == "same" && $3 == "graph" { f = 1 } END { exit !f }' "$clidir/ours.txt"
}

# chance_lines NAME ARGS...: go tool pprof breaks some ties at random (map
# order: edges or tags of equal magnitude and opposite sign, which decide
# which redundant edges go and the order of nodelets), so one run is one of
# several graphs. Runs go RUNS more times and writes ours-ref/NAME.some, the
# canonical lines that appear in some runs and not in others; same_graph.sh
# leaves those out of the comparison and compares the rest exactly.
chance_lines() {
	n=$1
	shift
	canon "$tmp/conv" "$tmp/all" || return 1
	cp "$tmp/all" "$tmp/any"
	i=0
	while [ $i -lt "${RUNS:-24}" ]; do
		i=$((i + 1))
		go_pprof "$@"
		convert "$tmp/out" "$tmp/conv2" "$@" && canon "$tmp/conv2" "$tmp/one" || return 1
		LC_ALL=C comm -12 "$tmp/all" "$tmp/one" >"$tmp/x" && mv "$tmp/x" "$tmp/all"
		LC_ALL=C sort -u "$tmp/any" "$tmp/one" >"$tmp/x" && mv "$tmp/x" "$tmp/any"
	done
	LC_ALL=C comm -23 "$tmp/any" "$tmp/all" >"$oursref/$n.some"
	if [ -s "$oursref/$n.some" ]; then
		echo "chance   $n: $(wc -l <"$oursref/$n.some") lines vary between go's runs"
	else
		rm -f "$oursref/$n.some"
	fi
}

case ${1:-} in
--convert)
	shift
	go_pprof "$@"
	cat "$tmp/err" >&2
	convert "$tmp/out" "$tmp/conv" "$@" || exit 1
	cat "$tmp/conv"
	exit "$rc"
	;;
--check-legacy)
	same=0 total=0
	for s in "$testsdir"/data/legacy/*.string; do
		p=data/legacy/$(basename "$s" .string)
		total=$((total + 1))
		go_pprof -raw "$p"
		convert "$tmp/out" "$tmp/conv" -raw "$p" || exit 1
		if cmp -s "$s" "$tmp/conv"; then
			same=$((same + 1))
			echo "same    $p"
		else
			echo "differs $p ($(diff "$s" "$tmp/conv" | grep -c '^[<>]') lines)"
		fi
	done
	echo "$same of $total legacy .string files match"
	exit 0
	;;
-*) sed -n '1,/^$/p' "$0"; exit 2 ;;
esac
filter=${1:-}

cli_cases "$clidir/cases.txt" >"$tmp/cases" || exit 2
ours=$(ours_list "$clidir/ours.txt")
mkdir -p "$golden" "$oursref"

written=0 failed=0 name=""
while IFS= read -r line; do
	case $line in
	"C "*) name=${line#C }; set -- ;;
	"A "*) set -- "$@" "${line#A }" ;;
	E)
		case $name in *"$filter"*) ;; *) continue ;; esac
		[ $# -gt 0 ] && [ "$1" = @roundtrip ] && continue
		dir=$golden
		is_ours "$name" "$ours" && dir=$oursref
		gunzip=0
		[ "${1:-}" = @gunzip ] && { gunzip=1; shift; }
		go_pprof "$@"
		if [ "$gunzip" = 1 ]; then
			# profile.proto bytes, as tests/cli/run.sh compares them
			if [ "$rc" = 0 ]; then gzip -dc <"$tmp/out" | od -An -tx1 -v >"$tmp/conv"; else : >"$tmp/conv"; fi
		elif ! convert "$tmp/out" "$tmp/conv" "$@"; then
			echo "FAILED  $name" >&2
			failed=$((failed + 1))
			continue
		fi
		cp "$tmp/conv" "$dir/$name.out"
		if [ "$dir" = "$oursref" ] && is_same_graph "$name"; then
			chance_lines "$name" "$@" || { failed=$((failed + 1)); continue; }
		fi
		if [ "$rc" != 0 ]; then
			cp "$tmp/err" "$dir/$name.err"
			echo "$rc" >"$dir/$name.rc"
		else
			rm -f "$dir/$name.err" "$dir/$name.rc"
			if [ -s "$tmp/err" ]; then
				echo "note: $name: exit status 0 with stderr (not recorded): $(head -1 "$tmp/err")" >&2
			fi
		fi
		if [ "$dir" = "$golden" ]; then
			written=$((written + 1))
			echo "wrote   $name (exit $rc)"
		else
			echo "ours    $name: go's output kept in tests/reference/ours-ref/ (exit $rc)"
		fi
		;;
	esac
done <"$tmp/cases"

echo "$written goldens written"
[ "$failed" = 0 ] || { echo "$failed cases failed" >&2; exit 1; }
exit 0
