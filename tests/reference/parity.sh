# parity.sh: runs our pprof and go tool pprof over a matrix of (profile x flags) and reports how many outputs are identical.
#
# Developers only (needs go); not part of `make check`. Usage (from anywhere):
#   sh tests/reference/parity.sh [-v] [-l] [FILTER]
#     -v       also list the identical cases
#     -l       list the cases and exit
#     FILTER   run only the cases whose arguments contain this substring
# Environment: PPROF (default build/pprof), GO (default go),
#   PARITY_CACHE (default build/parity): go's outputs are kept there, keyed by
#   the arguments, so later runs only rerun ours; PARITY_FRESH=1 clears it.
#
# Profiles: tests/data, which holds copies of /work/shared/profiles/go and
# pprof-testdata (duplicates left out); a profile go cannot read is skipped.
# Every case runs in tests/. go's stdout goes through
# `gen_goldens.sh --convert` (Time: header and -raw location lines in current
# upstream's layout, as for the goldens). Then stdout is compared, and the
# exit status (zero or not); stderr is not (our messages differ on purpose).
# How a case compares (first word of each case line):
#   exact    byte for byte
#   sorted   as sorted line sets (go's own order is random: -diff_base trees)
#   tags     -tags: Go 1.19 prints the old layout (rounded totals, shares of
#            the tag total), we print current upstream's (PR #929), so only
#            the keys and the values' names and order are compared
#   gunzip   -proto/-topproto: the gunzipped profile.proto bytes
# Sample-level reports (-raw, -traces, -tags, -proto) get two copies of the
# profile, so that both tools merge: Go 1.19 merges even one source, current
# upstream (and we) do not (spec/pprof.md section 0). Go 1.19 takes the first
# of two gperftools CPU profiles for the [binary] argument; those get go's
# merged copy of the profile (go tool pprof -proto) instead.
#
# Prints one line per differing case with the first lines of a diff, then
# "N of M identical". Exit status 0 when all are identical, 1 otherwise.

set -u

here=$(cd "$(dirname "$0")" && pwd)
testsdir=$(cd "$here/.." && pwd)
root=$(cd "$testsdir/.." && pwd)

verbose=0 list=0 filter=""
while [ $# -gt 0 ]; do
	case $1 in
	-v) verbose=1 ;;
	-l) list=1 ;;
	-h | --help) sed -n '1,/^$/p' "$0"; exit 0 ;;
	-*) echo "parity.sh: unknown option $1" >&2; exit 2 ;;
	*) filter=$1 ;;
	esac
	shift
done

PPROF=${PPROF:-$root/build/pprof}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
GO=${GO:-go}
export GO
cache=${PARITY_CACHE:-$root/build/parity}
[ "${PARITY_FRESH:-0}" = 1 ] && rm -rf "$cache"
mkdir -p "$cache" && cache=$(cd "$cache" && pwd) || exit 2
if [ "$list" = 0 ]; then
	command -v "$GO" >/dev/null 2>&1 || { echo "parity.sh: needs go" >&2; exit 2; }
	[ -x "$PPROF" ] || { echo "parity.sh: PPROF=$PPROF is not an executable" >&2; exit 2; }
fi

TZ=UTC LC_ALL=C
export TZ LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-parity.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the matrix
PROFILES='
data/allocs.pb.gz data/block.pb.gz data/cpu.pb.gz data/goroutine.pb.gz data/goroutine.legacy.txt
data/heap.pb.gz data/heap.legacy.txt data/mutex.pb.gz data/threadcreate.pb.gz
data/large.cpu data/sample.cpu
data/driver/cppbench.cpu data/driver/cppbench.small.contention data/driver/go.nomappings.crash
data/legacy/cppbench.contention data/legacy/cppbench.cpu data/legacy/cppbench.growth
data/legacy/cppbench.heap data/legacy/cppbench.thread data/legacy/cppbench.thread.all
data/legacy/cppbench.thread.none data/legacy/go.crc32.cpu data/legacy/go.godoc.thread
data/legacy/gobench.cpu data/legacy/gobench.heap data/legacy/java.contention
data/legacy/java.cpu data/legacy/java.heap
'

# Flags run on every profile ("P" in a line stands for the profile; lines
# without P get it appended).
FLAGS='
exact -top
exact -top -cum
exact -tree
exact -peek=.
exact -traces P P
exact -traces -lines P P
tags -tags P P
exact -raw P P
gunzip -proto P P
gunzip -topproto
exact -comments
exact -list=main
exact -text -functions
exact -text -filefunctions
exact -text -files
exact -text -lines
exact -text -addresses
exact -top -noinlines
exact -tree -lines -noinlines
exact -top -focus=main
exact -top -ignore=runtime
exact -top -hide=runtime
exact -top -show=main
exact -top -show_from=main
exact -top -prune_from=runtime
exact -top -focus=main -ignore=json -hide=gc
exact -top -tagfocus=endpoint=/search
exact -top -tagignore=endpoint=/status
exact -top -tagfocus=1kb:
exact -top -tagfocus=bytes=:16kb
exact -tree -taghide=endpoint
exact -top -nodecount=5
exact -tree -nodecount=5
exact -top -nodefraction=0.05
exact -tree -edgefraction=0.05
exact -top -trim=false
exact -tree -trim=false
exact -top -relative_percentages -focus=main
exact -tree -relative_percentages -focus=main
exact -top -compact_labels
exact -top -unit=auto
exact -top -unit=ms
exact -top -unit=mb
exact -tree -unit=auto
exact -top -divide_by=3
exact -top -mean
exact -traces -mean P P
exact -traces -focus=main P P
tags -tags -tagfocus=1kb: P P
exact -top -tagroot=endpoint
exact -tree -tagleaf=bytes
exact -top -lines -cum
exact -peek=main -lines
exact -top -show_from=main -lines
exact -top -addresses -noinlines
exact -tree -files
exact -tree -filefunctions -cum -nodecount=10
exact -traces -divide_by=3 P P
tags -tags -divide_by=3 P P
exact -tree -divide_by=3
exact -peek=main -divide_by=3
exact -list=main -divide_by=3
gunzip -topproto -divide_by=0.3
gunzip -proto -divide_by=3 P P
exact -top -divide_by=-2
exact -traces -unit=ms P P
exact -list=main -unit=ms
exact -peek=main -unit=ms
gunzip -topproto -unit=ms
exact -tree -unit=ms
exact -top -unit=kb
exact -peek=main -nodecount=3
exact -peek=main -nodefraction=0.5
exact -list=main -nodecount=1
exact -raw -lines P P
exact -tree -nodecount=0
exact -top -focus=main|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
exact -top -tagignore=endpoint=/status -taghide=x -tagshow=y -show_from=main -prune_from=runtime -show=. -hide=gc -ignore=json -focus=main
exact -top -compact_labels -focus=main -hide=runtime
'

# Base/source pairs for -base and -diff_base.
PAIRS='
data/sample.cpu data/large.cpu
data/heap.pb.gz data/allocs.pb.gz
data/allocs.pb.gz data/heap.pb.gz
data/block.pb.gz data/mutex.pb.gz
data/captures/cpu-1.pb.gz data/captures/cpu-2.pb.gz
data/driver/cppbench.small.contention data/legacy/cppbench.contention
data/legacy/gobench.cpu data/legacy/go.crc32.cpu
data/goroutine.legacy.txt data/goroutine.pb.gz
'
PAIR_FLAGS='
exact -top -diff_base=B S
exact -top -cum -diff_base=B S
sorted -tree -diff_base=B S
sorted -peek=. -diff_base=B S
exact -traces -diff_base=B S
exact -raw -diff_base=B S
exact -top -base=B S
exact -top -normalize -diff_base=B S
exact -top -normalize -base=B S
exact -top -drop_negative -diff_base=B S
exact -top -drop_negative -cum -diff_base=B S
sorted -tree -drop_negative -diff_base=B S
exact -top -relative_percentages -focus=main -diff_base=B S
'

# Differences understood and kept on purpose: a pattern (case arguments)
# and why. They are still counted as differing, and listed as KNOWN.
KNOWN='
-normalize -diff_base=data/legacy/gobench.cpu data/legacy/go.crc32.cpu|Go 1.19 merges the single source before scaling it, upstream (and we) scale the samples as read, which rounds differently
-normalize -base=data/legacy/gobench.cpu data/legacy/go.crc32.cpu|Go 1.19 merges the single source before scaling it, upstream (and we) scale the samples as read, which rounds differently
'

# known_reason ARGS: why the case is a known difference, or nothing.
known_reason() {
	printf '%s\n' "$KNOWN" | while IFS='|' read -r pat why; do
		[ -n "$pat" ] || continue
		case "$1" in *"$pat"*) echo "$why"; break ;; esac
	done
}

# go_can_read P: go tool pprof reads profile P.
go_can_read() {
	(cd "$testsdir" && "$GO" tool pprof -symbolize=none -raw "$1") >/dev/null 2>&1 </dev/null
}

# sample_types P: the number of sample types of P (from our -raw).
sample_types() {
	(cd "$testsdir" && "$PPROF" -raw "$1" 2>/dev/null) | awk '/^Samples:/ { getline; print NF; exit }'
}

# two_copies P: "P P", or the path of go's merged copy of P when go would
# take the first P for the binary.
two_copies() {
	if (cd "$testsdir" && "$GO" tool pprof -symbolize=none -raw "$1" "$1" 2>/dev/null </dev/null) |
		sed -n '/^Mappings$/,$p' | grep -q " $1 "; then
		m=$cache/merged/$(printf '%s' "$1" | tr '/' '_').pb.gz
		mkdir -p "$cache/merged"
		[ -s "$m" ] || (cd "$testsdir" && "$GO" tool pprof -symbolize=none -proto "$1" >"$m" 2>/dev/null </dev/null)
		echo "$m"
	else
		echo "$1 $1"
	fi
}

# all_cases: one case a line: mode, then the arguments.
all_cases() {
	for p in $PROFILES; do
		if [ "$list" = 0 ] && ! go_can_read "$p"; then
			echo "skip $p (go tool pprof cannot read it)" >&2
			continue
		fi
		two=$p
		[ "$list" = 0 ] && two=$(two_copies "$p")
		printf '%s\n' "$FLAGS" | while read -r mode args; do
			[ -n "$mode" ] || continue
			case " $args " in
			*" P P "*) echo "$mode $(printf '%s' "$args" | sed "s| P P\$| $two|")" ;;
			*" P "*) echo "$mode $(printf '%s' "$args" | sed "s| P| $p|g")" ;;
			*) echo "$mode $args $p" ;;
			esac
		done
		n=$(sample_types "$p")
		i=0
		while [ "$i" -lt "${n:-0}" ]; do
			echo "exact -top -sample_index=$i $p"
			i=$((i + 1))
		done
	done
	printf '%s\n' "$PAIRS" | while read -r b s; do
		[ -n "$b" ] || continue
		printf '%s\n' "$PAIR_FLAGS" | while read -r mode args; do
			[ -n "$mode" ] || continue
			echo "$mode $(printf '%s' "$args" | sed "s|=B |=$b |; s| S\$| $s|")"
		done
	done
}

# ---------------------------------------------------------------- running
# go_case KEY ARGS...: go's converted stdout and status, from the cache or
# run now, into $tmp/go.out and $tmp/go.rc.
go_case() {
	key=$1
	shift
	if [ ! -f "$cache/$key.rc" ]; then
		if [ "$mode" = gunzip ]; then
			(cd "$testsdir" && "$GO" tool pprof -symbolize=none "$@") >"$tmp/go.raw" 2>/dev/null </dev/null
			echo $? >"$cache/$key.rc"
			gzip -dc <"$tmp/go.raw" 2>/dev/null | od -An -tx1 -v >"$cache/$key.out"
		else
			sh "$here/gen_goldens.sh" --convert "$@" >"$cache/$key.out" 2>/dev/null
			echo $? >"$cache/$key.rc"
		fi
	fi
	cp "$cache/$key.out" "$tmp/go.out"
	cat "$cache/$key.rc" >"$tmp/go.rc"
}

ours_case() {
	(cd "$testsdir" && "$PPROF" "$@") >"$tmp/ours.out" 2>"$tmp/ours.err" </dev/null
	echo $? >"$tmp/ours.rc"
	if [ "$mode" = gunzip ]; then
		gzip -dc <"$tmp/ours.out" 2>/dev/null | od -An -tx1 -v >"$tmp/ours.hex"
		mv "$tmp/ours.hex" "$tmp/ours.out"
	fi
}

# normalize FILE: the form compared for the case's mode.
normalize() {
	case $mode in
	sorted) sort "$1" ;;
	tags) awk '/^ [^ ].*: Total / { sub(/: Total .*/, ""); print "key" $0; next }
		/\): / { sub(/.*\): /, ""); print "  " $0; next }
		{ print }' "$1" ;;
	*) cat "$1" ;;
	esac
}

all_cases >"$tmp/cases"
if [ "$list" = 1 ]; then
	cat "$tmp/cases"
	exit 0
fi

same=0 total=0 known=0
while read -r mode args; do
	case "$args" in *"$filter"*) ;; *) continue ;; esac
	total=$((total + 1))
	key=$(printf '%s %s' "$mode" "$args" | cksum | awk '{print $1 "-" $2}')
	# shellcheck disable=SC2086 # the arguments are separate words
	go_case "$key" $args
	# shellcheck disable=SC2086
	ours_case $args
	normalize "$tmp/go.out" >"$tmp/go.cmp"
	normalize "$tmp/ours.out" >"$tmp/ours.cmp"
	gorc=$(cat "$tmp/go.rc") ourrc=$(cat "$tmp/ours.rc")
	status_same=1
	{ [ "$gorc" = 0 ] && [ "$ourrc" != 0 ]; } && status_same=0
	{ [ "$gorc" != 0 ] && [ "$ourrc" = 0 ]; } && status_same=0
	if [ "$status_same" = 1 ] && cmp -s "$tmp/go.cmp" "$tmp/ours.cmp"; then
		same=$((same + 1))
		[ "$verbose" = 1 ] && echo "same    [$mode] $args"
		continue
	fi
	why=$(known_reason "$args")
	if [ -n "$why" ]; then
		known=$((known + 1))
		echo "KNOWN   [$mode] $args: $why"
	else
		echo "DIFFERS [$mode] $args"
	fi
	[ "$status_same" = 1 ] || echo "    exit status: go $gorc, ours $ourrc$( [ -s "$tmp/ours.err" ] && printf ' (%s)' "$(head -1 "$tmp/ours.err")")"
	diff "$tmp/go.cmp" "$tmp/ours.cmp" | sed -n '1,8s/^/    /p'
done <"$tmp/cases"

echo "$same of $total identical ($known of the $((total - same)) differences known, see KNOWN in $0)"
[ "$same" = "$total" ]
