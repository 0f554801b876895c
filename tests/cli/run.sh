# run.sh: CLI golden tests: runs $PPROF on every case of tests/cli/cases.txt and compares stdout, stderr and exit status with tests/cli/golden/.
#
# Usage (from the repository root):
#   PPROF=build/pprof TOOLS=build/tools sh tests/cli/run.sh [-v] [FILTER]
#     -v       also print "ok <name>" for passing cases
#     FILTER   run only the cases whose name contains this substring
#   UPDATE=1   rewrite the goldens of the cases listed in tests/cli/ours.txt from
#              our own output (reference goldens are never overwritten; they come
#              from tests/reference/gen_goldens.sh)
#
# Case lines (see cases.txt):  <name> <pprof args...>
#   Runs `$PPROF -symbolize=none <args>` in tests/ (as the goldens were made
#   with go: no binaries of this machine, no demangling) with stdin from /dev/null. Compares stdout with
#   golden/<name>.out, stderr with golden/<name>.err if that file exists, and the
#   exit status with golden/<name>.rc if it exists (0 otherwise).
# Round-trip lines:  <name> @roundtrip <args...>   (args: profile(s), options)
#   `$PPROF -proto -output=T <args>`, then `$PPROF -raw T` must equal
#   `$PPROF -raw <args>`; if `go` is installed, `go tool pprof -raw` of both too.

set -u

here=$(cd "$(dirname "$0")" && pwd)
testsdir=$(cd "$here/.." && pwd)
. "$here/caselib.sh"

runner_args run.sh "$@"
if ! command -v "$PPROF" >/dev/null 2>&1; then
	echo "run.sh: PPROF=$PPROF is not an executable" >&2
	exit 2
fi
UPDATE=${UPDATE:-0}

# Reports must not depend on the machine: fixed time zone and locale.
TZ=UTC LC_ALL=C
export TZ LC_ALL

golden=$here/golden
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

cli_cases "$here/cases.txt" >"$tmp/cases" || exit 2
ours=$(ours_list "$here/ours.txt")

passed=0
failed=0
updated=0
name=""

# show_diff WHAT EXPECTED ACTUAL: the first lines of a unified diff.
show_diff() {
	echo "  $1 differs (--- expected, +++ actual):"
	diff -u "$2" "$3" | sed -n '3,22{s/^/  /;p;}'
}

# case_failed: the current case failed; the reasons have been printed to $tmp/why.
case_failed() {
	failed=$((failed + 1))
	echo "FAIL $name"
	cat "$tmp/why"
}

case_passed() {
	passed=$((passed + 1))
	[ "$verbose" = 1 ] && echo "ok $name"
	return 0
}

# run_pprof ARGS...: run $PPROF in tests/, output to $tmp/out and $tmp/err, status in $rc.
run_pprof() {
	(cd "$testsdir" && exec "$PPROF" -symbolize=none "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

# update_golden: UPDATE=1 for a case of ours: keep our output as the golden.
# .out always; .err when the run failed or an .err golden exists; .rc is
# hand-kept (the expected status), only created when missing and non-zero.
update_golden() {
	cp "$tmp/out" "$golden/$name.out"
	if [ "$rc" != 0 ] || [ -f "$golden/$name.err" ]; then
		cp "$tmp/err" "$golden/$name.err"
	fi
	if [ ! -f "$golden/$name.rc" ] && [ "$rc" != 0 ]; then
		echo "$rc" >"$golden/$name.rc"
	fi
	updated=$((updated + 1))
	echo "updated $name"
}

# hex_of_gunzipped: $tmp/out becomes the hex dump of its gunzipped bytes.
hex_of_gunzipped() {
	if [ "$rc" = 0 ]; then
		gzip -dc <"$tmp/out" | od -An -tx1 -v >"$tmp/out.hex" || echo "  stdout is not gzip" >>"$tmp/why"
		mv "$tmp/out.hex" "$tmp/out"
	fi
}

# golden_case [@gunzip] ARGS...: an ordinary case.
golden_case() {
	: >"$tmp/why"
	gunzip=0
	[ "${1:-}" = @gunzip ] && { gunzip=1; shift; }
	run_pprof "$@"
	[ "$gunzip" = 1 ] && hex_of_gunzipped
	if [ "$UPDATE" = 1 ] && is_ours "$name" "$ours"; then
		update_golden
	fi
	if [ ! -f "$golden/$name.out" ]; then
		echo "  missing golden $golden/$name.out" >>"$tmp/why"
	elif ! cmp -s "$golden/$name.out" "$tmp/out"; then
		show_diff stdout "$golden/$name.out" "$tmp/out" >>"$tmp/why"
	fi
	if [ -f "$golden/$name.err" ] && ! cmp -s "$golden/$name.err" "$tmp/err"; then
		show_diff stderr "$golden/$name.err" "$tmp/err" >>"$tmp/why"
	fi
	want=0
	[ -f "$golden/$name.rc" ] && want=$(cat "$golden/$name.rc")
	if [ "$rc" != "$want" ]; then
		echo "  exit status $rc, expected $want" >>"$tmp/why"
		if [ ! -f "$golden/$name.err" ] && [ -s "$tmp/err" ]; then
			echo "  stderr:" >>"$tmp/why"
			sed -n '1,10{s/^/  /;p;}' "$tmp/err" >>"$tmp/why"
		fi
	fi
	if [ -s "$tmp/why" ]; then case_failed; else case_passed; fi
}

# roundtrip_case ARGS...: -proto output, read back, must give the same -raw.
roundtrip_case() {
	: >"$tmp/why"
	rm -f "$tmp/rt.pb.gz"
	run_pprof -proto -output="$tmp/rt.pb.gz" "$@"
	if [ "$rc" != 0 ] || [ ! -s "$tmp/rt.pb.gz" ]; then
		echo "  -proto -output failed (exit status $rc)" >>"$tmp/why"
		sed -n '1,10{s/^/  /;p;}' "$tmp/err" >>"$tmp/why"
		case_failed
		return
	fi
	run_pprof -raw "$@"
	mv "$tmp/out" "$tmp/raw.want"
	[ "$rc" = 0 ] || echo "  -raw of the source: exit status $rc" >>"$tmp/why"
	run_pprof -raw "$tmp/rt.pb.gz"
	mv "$tmp/out" "$tmp/raw.got"
	[ "$rc" = 0 ] || echo "  -raw of the written profile: exit status $rc" >>"$tmp/why"
	if ! cmp -s "$tmp/raw.want" "$tmp/raw.got"; then
		show_diff "-raw of the written profile" "$tmp/raw.want" "$tmp/raw.got" >>"$tmp/why"
	fi
	if command -v go >/dev/null 2>&1; then
		(cd "$testsdir" && go tool pprof -symbolize=none -raw "$@") >"$tmp/go.want" 2>/dev/null </dev/null
		if ! (cd "$testsdir" && go tool pprof -symbolize=none -raw "$tmp/rt.pb.gz") \
			>"$tmp/go.got" 2>"$tmp/go.err" </dev/null; then
			echo "  go tool pprof cannot read the written profile:" >>"$tmp/why"
			sed -n '1,10{s/^/  /;p;}' "$tmp/go.err" >>"$tmp/why"
		elif ! cmp -s "$tmp/go.want" "$tmp/go.got"; then
			show_diff "go tool pprof -raw of the written profile" "$tmp/go.want" "$tmp/go.got" >>"$tmp/why"
		fi
	fi
	if [ -s "$tmp/why" ]; then case_failed; else case_passed; fi
}

while IFS= read -r line; do
	case $line in
	"C "*)
		name=${line#C }
		set --
		;;
	"A "*) set -- "$@" "${line#A }" ;;
	E)
		case $name in *"$filter"*) ;; *) continue ;; esac
		if [ $# -gt 0 ] && [ "$1" = @roundtrip ]; then
			shift
			roundtrip_case "$@"
		else
			golden_case "$@"
		fi
		;;
	esac
done <"$tmp/cases"

# Goldens that no case uses any more.
if [ -z "$filter" ] && [ -d "$golden" ]; then
	for f in "$golden"/*; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		b=${b%.*}
		grep -q "^C $b\$" "$tmp/cases" || echo "warning: golden $(basename "$f") belongs to no case" >&2
	done
fi

[ $((passed + failed)) = 0 ] && echo "run.sh: no case matches \"$filter\"" >&2
[ "$UPDATE" = 1 ] && echo "cli: $updated goldens of ours updated"
echo "cli: $passed passed, $failed failed"
if [ "$failed" = 0 ]; then exit 0; else exit 1; fi
