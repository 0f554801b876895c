# windows.sh: -window/-base_window against explicit merges: times of day (today), zones, offsets and the base window as a -diff_base.
#
# Usage (repo root): PPROF=build/pprof TOOLS=build/tools sh tests/cli/windows.sh
# Makes today's captures (09:00..10:00 UTC, tests/data/make_windows.sh) in a
# temporary directory, then checks that each window selects the same profiles
# as the equivalent list of files. Exit 1 on the first difference.
set -u
PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
TZ=UTC LC_ALL=C
export TZ LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-windows.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
today=$(date -u +%Y-%m-%d)
start=$(date -u -d "$today 09:00:00" +%s)
mkdir -p "$tmp/cap" && GEN=$TOOLS/gen_profile sh tests/data/make_windows.sh "$tmp/cap" "$start" ||
	{ echo "windows: cannot make the captures" >&2; exit 1; }
first="" second=""
for i in 00 01 02 03 04 05; do first="$first $tmp/cap/cpu-$i.pb.gz"; done
for i in 06 07 08 09 10 11; do second="$second $tmp/cap/cpu-$i.pb.gz"; done

passed=0 failed=0
# same NAME "ARGS A" "ARGS B": both runs succeed with identical output.
same() {
	# shellcheck disable=SC2086
	"$PPROF" $2 >"$tmp/a" 2>"$tmp/a.err"; ra=$?
	# shellcheck disable=SC2086
	"$PPROF" $3 >"$tmp/b" 2>"$tmp/b.err"; rb=$?
	if [ $ra -eq 0 ] && [ $rb -eq 0 ] && [ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $1 (exit $ra and $rb)"
		cat "$tmp/a.err" "$tmp/b.err"
		diff "$tmp/a" "$tmp/b" | head -10
	fi
}

same time_of_day "-top -window=09:00..09:30 $tmp/cap" "-top $first"
same time_of_day_rfc3339 "-top -window=09:00..09:30 $tmp/cap" "-top -window=${today}T09:00:00Z..${today}T09:30:00Z $tmp/cap"
same time_of_day_zone "-top -window=10:00+01:00..10:30+01:00 $tmp/cap" "-top $first"
same time_of_day_seconds "-top -window=09:30:00..09:59:59.5 $tmp/cap" "-top $second"
same offsets "-top -window=-30m.. $tmp/cap" "-top $second"
same offsets_hours "-top -window=-1h..-30m $tmp/cap" "-top $first"
"$PPROF" -proto -output="$tmp/base.pb.gz" $first 2>/dev/null
same base_window_is_diff_base "-top -base_window=09:00..09:30 -window=09:30..10:00 $tmp/cap" "-top -diff_base=$tmp/base.pb.gz $second"
same base_window_diff "-diff -base_window=09:00..09:30 -window=-30m.. $tmp/cap" "-diff -diff_base=$tmp/base.pb.gz $second"
same base_window_flamegraph "-flamegraph -base_window=-1h..-30m -window=09:30.. $tmp/cap" "-flamegraph -diff_base=$tmp/base.pb.gz $second"
same base_window_normalize "-top -normalize -base_window=-1h..-30m -window=09:30.. $tmp/cap" "-top -normalize -diff_base=$tmp/base.pb.gz $second"

echo "windows: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
