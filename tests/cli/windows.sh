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
# (A time of day with a zone is of that zone's today: from 23:00 UTC
# +01:00 is a day ahead of the captures, so -01:00 is used then.)
if [ "$(date -u +%H)" -ge 23 ]; then zoned=08:00-01:00..08:30-01:00; else zoned=10:00+01:00..10:30+01:00; fi
same time_of_day_zone "-top -window=$zoned $tmp/cap" "-top $first"
same time_of_day_seconds "-top -window=09:30:00..09:59:59.5 $tmp/cap" "-top $second"
same offsets "-top -window=-30m.. $tmp/cap" "-top $second"
same offsets_hours "-top -window=-1h..-30m $tmp/cap" "-top $first"
"$PPROF" -proto -output="$tmp/base.pb.gz" $first 2>/dev/null
same base_window_is_diff_base "-top -base_window=09:00..09:30 -window=09:30..10:00 $tmp/cap" "-top -diff_base=$tmp/base.pb.gz $second"
same base_window_diff "-diff -base_window=09:00..09:30 -window=-30m.. $tmp/cap" "-diff -diff_base=$tmp/base.pb.gz $second"
same base_window_flamegraph "-flamegraph -base_window=-1h..-30m -window=09:30.. $tmp/cap" "-flamegraph -diff_base=$tmp/base.pb.gz $second"
same base_window_normalize "-top -normalize -base_window=-1h..-30m -window=09:30.. $tmp/cap" "-top -normalize -diff_base=$tmp/base.pb.gz $second"


# A profile belongs to the window holding its start: with windows whose
# boundary (09:43) falls inside the 09:40..09:45 capture, that capture is in
# the base only, never in both.
"$PPROF" -proto -output="$tmp/base3.pb.gz" $tmp/cap/cpu-06.pb.gz $tmp/cap/cpu-07.pb.gz $tmp/cap/cpu-08.pb.gz 2>/dev/null
same straddle_counted_once "-top -base_window=-32m..-17m -window=-17m.. $tmp/cap" \
	"-top -diff_base=$tmp/base3.pb.gz $tmp/cap/cpu-09.pb.gz $tmp/cap/cpu-10.pb.gz $tmp/cap/cpu-11.pb.gz"
# stderr says which profiles each side holds.
n8=$(grep -c 'cpu-08.pb.gz' "$tmp/a.err")
if [ "$n8" = 1 ] && sed -n '/^-base_window=-32m..-17m: 3 profiles/,$p' "$tmp/a.err" | grep -q 'cpu-08.pb.gz .*09:40:00 UTC  300s' &&
	sed -n '/^-window=-17m..: 3 profiles/,/^-base_window/p' "$tmp/a.err" | grep -q 'cpu-09.pb.gz'; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL sides listed on stderr:"; cat "$tmp/a.err"
fi
# -base_window alone compares against the other sources, not all of them.
"$PPROF" -proto -output="$tmp/base2.pb.gz" $second 2>/dev/null
same base_window_alone "-top -base_window=-30m.. $tmp/cap" "-top -diff_base=$tmp/base2.pb.gz $first"
# Sides of different lengths: a warning that points to -normalize.
"$PPROF" -top -base_window=-40m..-17m -window=-17m.. "$tmp/cap" >/dev/null 2>"$tmp/w.err"
if grep -q 'the base covers 1500s and the new side 900s.*-normalize compares rates' "$tmp/w.err"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL no warning for unequal durations:"; cat "$tmp/w.err"
fi
"$PPROF" -top -normalize -base_window=-40m..-17m -window=-17m.. "$tmp/cap" >/dev/null 2>"$tmp/w.err"
if ! grep -q 'normalize compares' "$tmp/w.err"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL warning despite -normalize"; fi

echo "windows: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
