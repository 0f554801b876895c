# run.sh: fetch tests: runs $PPROF against our test server (and openssl s_server for HTTPS) on 127.0.0.1, compares stdout, stderr and exit status with goldens, then checks what goldens cannot (server log, saved files, secrets, control bytes, the terminal countdown).
#
# Usage (from the repository root):
#   PPROF=build/pprof TOOLS=build/tools sh tests/http/run.sh [-v] [FILTER]
#     -v       also print "ok <name>" with the time of passing cases
#     FILTER   run only the cases whose name contains this substring
#   UPDATE=1   rewrite golden/<name>.out and .err from our output (review the diff)
#   KEEP=1     keep the temp dir and print its path
# Cases: tests/http/cases.txt. Every run ends by itself: each pprof run is
# killed after its case's limit, the servers after SERVER_SECONDS (default 300).

set -u

here=$(cd "$(dirname "$0")" && pwd)
testsdir=$(cd "$here/.." && pwd)
. "$testsdir/cli/caselib.sh"

runner_args run.sh "$@"
UPDATE=${UPDATE:-0}
SERVER_SECONDS=${SERVER_SECONDS:-300}
for f in "$PPROF" "$TOOLS/http_server"; do
	[ -x "$f" ] || { echo "run.sh: $f is not an executable" >&2; exit 2; }
done
command -v timeout >/dev/null 2>&1 || { echo "run.sh: needs timeout(1)" >&2; exit 2; }

TZ=UTC LC_ALL=C
export TZ LC_ALL
# Only the proxy case talks to a proxy; 127.0.0.1 must not go through one.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

golden=$here/golden
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-http.XXXXXX") || exit 2
cleanup() {
	# The servers we started (their pids: start_server runs in a subshell).
	[ -f "$tmp/pids" ] && for p in $(cat "$tmp/pids"); do kill "$p" 2>/dev/null; done
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
skipped=0
updated=0

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

show_diff() {
	echo "  $1 differs (--- expected, +++ actual):"
	diff -u "$2" "$3" | sed -n '3,22{s/^/  /;p;}'
}

# check NAME: the verdict of a check whose reasons are in $tmp/why.
check() {
	if [ -s "$tmp/why" ]; then
		failed=$((failed + 1))
		echo "FAIL $1"
		cat "$tmp/why"
	else
		passed=$((passed + 1))
		[ "$verbose" = 1 ] && echo "ok   $1${2:+ ($2)}"
	fi
	: >"$tmp/why"
	return 0
}
: >"$tmp/why"
why() { echo "  $*" >>"$tmp/why"; }

# start_server OUTFILE CMD...: runs CMD in the background (killed after
# SERVER_SECONDS), waits up to 10 s for OUTFILE to hold a port line.
start_server() {
	_out=$1
	shift
	timeout -k 2 "$SERVER_SECONDS" "$@" >"$_out" 2>"$_out.err" &
	echo "$!" >>"$tmp/pids"
	_i=0
	while [ $_i -lt 100 ]; do
		_port=$(sed -n 's/^\([0-9][0-9]*\)$/\1/p; s/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$_out" | head -1)
		[ -n "$_port" ] && { echo "$_port"; return 0; }
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "run.sh: server did not start: $*" >&2
	cat "$_out.err" >&2
	return 1
}

# ---------------------------------------------------------------- servers
mkdir -p "$tmp/fixtures" "$tmp/home" "$tmp/save"
cp "$testsdir/data/cpu.pb.gz" "$tmp/fixtures/profile"
cp "$testsdir/data/heap.pb.gz" "$tmp/fixtures/heap"
gzip -c -n "$testsdir/data/cpu.pb.gz" >"$tmp/fixtures/gzip-of-gzip"
# Remote symbolization: a Go debug=1 heap profile without its "#" symbol
# lines, and the original, whose lines the server's symbol service answers from.
cp "$testsdir/data/heap.legacy.txt" "$tmp/fixtures/heap.legacy.txt"
grep -v '^#' "$testsdir/data/heap.legacy.txt" >"$tmp/fixtures/heapraw"
: >"$tmp/afile"
PORT=$(start_server "$tmp/server.port" "$TOOLS/http_server" "$tmp/fixtures" "$SERVER_SECONDS" "$tmp/server.log") || exit 1

# HTTPS: a CA, a server certificate for 127.0.0.1 and a client certificate,
# made now with openssl; openssl s_server -WWW serves $tmp/tls/debug/pprof/heap.
TLSPORT=""
TLSCPORT=""
certs=$tmp/tls
if command -v openssl >/dev/null 2>&1; then
	mkdir -p "$certs/debug/pprof"
	cp "$testsdir/data/heap.pb.gz" "$certs/debug/pprof/heap"
	(
		cd "$certs" || exit 1
		# (key generation is quick; timeout only guards against a hang)
		timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=pprof test CA" &&
			openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1" &&
			printf 'subjectAltName=IP:127.0.0.1\n' >srv.ext &&
			openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile srv.ext &&
			openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=pprof client" &&
			openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2
	) >"$tmp/openssl.log" 2>&1 || { echo "run.sh: openssl could not make certificates" >&2; cat "$tmp/openssl.log" >&2; exit 1; }
	TLSPORT=$(cd "$certs" && start_server "$tmp/tls.port" openssl s_server -accept 127.0.0.1:0 \
		-cert srv.pem -key srv.key -WWW) || exit 1
	TLSCPORT=$(cd "$certs" && start_server "$tmp/tlsc.port" openssl s_server -accept 127.0.0.1:0 \
		-cert srv.pem -key srv.key -CAfile ca.pem -Verify 1 -WWW) || exit 1
else
	echo "run.sh: openssl not installed: the tls_* cases are skipped" >&2
fi

subst() {
	printf '%s\n' "$1" | sed -e "s|@HOST@|127.0.0.1:$PORT|g; s|@URL@|http://127.0.0.1:$PORT|g; s|@PORT@|$PORT|g" \
		-e "s|@TLS@|127.0.0.1:$TLSPORT|g; s|@TLSC@|127.0.0.1:$TLSCPORT|g; s|@TLSPORT@|$TLSPORT|g" \
		-e "s|@CERTS@|$certs|g; s|@TMP@|$tmp|g"
}

# Ports and the temp dir back to placeholders, for the goldens; a trickle's
# byte count in its last second (about 10, one byte per 100 ms, fewer on a
# loaded machine) to @FEW@.
normalize() {
	sed -e "s|$tmp|@TMP@|g" -e "s/:$PORT\([^0-9]\|\$\)/:@PORT@\1/g" \
		-e 's/transfer stalled: [1-9][0-9]\{0,2\} bytes in the last/transfer stalled: @FEW@ bytes in the last/' \
		-e "${TLSPORT:+s/:$TLSPORT\([^0-9]\|\$\)/:@TLSPORT@\1/g}" \
		-e "${TLSCPORT:+s/:$TLSCPORT\([^0-9]\|\$\)/:@TLSCPORT@\1/g}" "$1"
}

# ---------------------------------------------------------------- cases
cli_cases "$here/cases.txt" >"$tmp/cases" || exit 2

run_case() {
	limit=$1
	shift
	envs=""
	while [ $# -gt 0 ]; do
		case $1 in env:*) envs="$envs ${1#env:}"; shift ;; *) break ;; esac
	done
	mkdir -p "$tmp/out"
	t0=$(now)
	# shellcheck disable=SC2086
	(cd "$testsdir" && exec env PPROF_TMPDIR="$tmp/save/$name" HOME="$tmp/home" $envs \
		timeout -k 2 "$limit" "$PPROF" "$@") >"$tmp/out/$name.out" 2>"$tmp/out/$name.raw" </dev/null
	rc=$?
	took=$(since "$t0")
	normalize "$tmp/out/$name.raw" >"$tmp/out/$name.err"
	if [ "$UPDATE" = 1 ]; then
		cp "$tmp/out/$name.out" "$golden/$name.out"
		[ -s "$golden/$name.out" ] || rm -f "$golden/$name.out"
		[ -f "$golden/$name.rc" ] || [ "$rc" = 0 ] || echo "$rc" >"$golden/$name.rc"
		[ -f "$golden/$name.grep" ] || cp "$tmp/out/$name.err" "$golden/$name.err"
		updated=$((updated + 1))
	fi
	want=0
	[ -f "$golden/$name.rc" ] && want=$(cat "$golden/$name.rc")
	case $rc in 124 | 137) why "killed after its limit of ${limit}s (exit status $rc)" ;; esac
	[ "$rc" = "$want" ] || why "exit status $rc, expected $want"
	if [ -f "$golden/$name.out" ]; then
		cmp -s "$golden/$name.out" "$tmp/out/$name.out" || show_diff stdout "$golden/$name.out" "$tmp/out/$name.out" >>"$tmp/why"
	elif [ -s "$tmp/out/$name.out" ]; then
		why "stdout should be empty; it starts with: $(head -c 200 "$tmp/out/$name.out")"
	fi
	if [ -f "$golden/$name.grep" ]; then
		# Messages that depend on the TLS library's wording: each line a pattern.
		while IFS= read -r pat; do
			grep -Eq -- "$pat" "$tmp/out/$name.err" || why "stderr does not match $pat: $(cat "$tmp/out/$name.err")"
		done <"$golden/$name.grep"
	elif [ -f "$golden/$name.err" ]; then
		cmp -s "$golden/$name.err" "$tmp/out/$name.err" || show_diff stderr "$golden/$name.err" "$tmp/out/$name.err" >>"$tmp/why"
	else
		why "missing golden $golden/$name.err"
	fi
	check "$name" "${took}s"
}

while IFS= read -r line; do
	case $line in
	"C "*)
		name=${line#C }
		set --
		;;
	"A "*) set -- "$@" "$(subst "${line#A }")" ;;
	E)
		case $name in *"$filter"*) ;; *) continue ;; esac
		case $name in tls_*) [ -n "$TLSPORT" ] || { skipped=$((skipped + 1)); continue; } ;; esac
		run_case "$@"
		;;
	esac
done <"$tmp/cases"

# ---------------------------------------------------------------- checks beyond the goldens
[ -n "$filter" ] && { echo "http: $passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; exit $?; }

out=$tmp/out
log=$tmp/server.log

# A fetched profile reports exactly as the same profile read from a file.
same_as_file() {
	(cd "$testsdir" && timeout 30 "$PPROF" -top -nodecount=3 "$@") >"$tmp/local.out" 2>/dev/null </dev/null
	cmp -s "$tmp/local.out" "$out/$c.out" || show_diff "report of $c vs the local file" "$tmp/local.out" "$out/$c.out" >>"$tmp/why"
}
for pair in fetch_host_port:data/cpu.pb.gz fetch_named_profile:data/heap.pb.gz fetch_redirect:data/heap.pb.gz \
	fetch_auth:data/heap.pb.gz fetch_proxy:data/heap.pb.gz fetch_seconds:data/cpu.pb.gz; do
	c=${pair%%:*}
	same_as_file "${pair#*:}"
done
c=fetch_concurrent
same_as_file data/cpu.pb.gz data/cpu.pb.gz data/cpu.pb.gz
c=fetch_mixed_file_url
same_as_file data/cpu.pb.gz data/cpu.pb.gz
if [ -n "$TLSPORT" ]; then
	c=tls_ca
	same_as_file data/heap.pb.gz
fi
check "fetched reports equal the reports of the same files"

# The saved copy is the profile: same report as the file.
saved=$tmp/save/fetch_host_port/pprof.work.samples.cpu.001.pb.gz
if [ -f "$saved" ]; then
	timeout 30 "$PPROF" -top "$saved" >"$tmp/saved.out" 2>&1 </dev/null || why "the saved profile does not load"
	timeout 30 "$PPROF" -top "$testsdir/data/cpu.pb.gz" >"$tmp/file.out" 2>&1 </dev/null
	cmp -s "$tmp/saved.out" "$tmp/file.out" || show_diff "report of the saved profile" "$tmp/file.out" "$tmp/saved.out" >>"$tmp/why"
	mode=$(stat -c %a "$saved")
	[ "$mode" = 600 ] || why "saved profile has mode $mode, expected 600"
else
	why "no saved profile $saved"
fi
check "the saved profile is the fetched profile, mode 600"

# Names from the profile cannot steer where the copy goes.
n=$(find "$tmp/save/fetch_evil_names" -type f | wc -l)
[ "$n" = 1 ] || why "fetch_evil_names saved $n files"
find "$tmp/save/fetch_evil_names" -type f | sed 's|.*/||' | grep -Eqx 'pprof\.[A-Za-z0-9_+-][A-Za-z0-9._+-]*\.001\.pb\.gz' ||
	why "unsafe saved name: $(ls "$tmp/save/fetch_evil_names")"
stray=$(find "$tmp" -name '*pwned*' ! -path "$tmp/save/fetch_evil_names/*" | head -3)
[ -z "$stray" ] || why "files outside the save dir: $stray"
check "saved names from hostile profile names stay in PPROF_TMPDIR"

# Credentials are sent, to their host only, and never printed.
grep -q '^/auth auth=Basic dXNlcjpzM2NyZXQ=$' "$log" || why "fetch_auth did not send its credentials"
grep -A1 '^/redir-other-host ' "$log" | grep -q '^/auth auth=-$' || why "credentials followed a redirect to another host"
if grep -l 's3cret\|user:wrong\|dXNlcjpzM2NyZXQ\|tok3n\|k3y' "$out"/*.out "$out"/*.raw >"$tmp/leaks" 2>/dev/null; then
	why "credentials printed in: $(cat "$tmp/leaks")"
fi
check "credentials and secret query values: sent to their host only, never printed"

# Nothing the servers sent reaches the terminal as a control byte.
for f in "$out"/*.raw; do
	if tr -d '\n' <"$f" | grep -q '[[:cntrl:]]'; then
		why "control bytes in the stderr of $(basename "$f" .raw)"
	fi
done
check "no control bytes on stderr"

# What the server was asked for.
grep -q '^/debug/pprof/profile?seconds=1 ' "$log" || why "-seconds=1 did not request ?seconds=1"
grep -q '^/debug/pprof/profile?a=A+b&seconds=1&z=1 ' "$log" || why "the query was not rewritten as pprof does"
grep -q '^http://profiles.invalid/debug/pprof/heap ' "$log" || why "http_proxy was not used"
n=$(grep -c '^/redir-loop ' "$log")
[ "$n" = 6 ] || why "redirect loop: $n requests, expected 6 (5 redirects)"
grep -q '^/redir-file' "$log" || why "no /redir-file request"
grep -q 'passwd' "$log" && why "a file:// redirect was followed"
n=$(grep -c '^/barrier?n=3 ' "$log")
[ "$n" = 3 ] || why "barrier: $n requests, expected 3"
check "requests seen by the server"

# F6: Ctrl-C (SIGINT) during a fetch ends pprof at once, killed by the
# signal as a shell expects: nothing on stdout, no profile saved, no output
# file. (env --default-signal: a background job would inherit SIGINT ignored.)
mkdir -p "$tmp/save/f6" "$tmp/f6"
t0=$(now)
(cd "$tmp/f6" && PPROF_TMPDIR="$tmp/save/f6" exec env --default-signal=INT timeout -k 2 30 "$PPROF" -top -timeout=25 \
	-output="$tmp/f6/report.txt" "http://127.0.0.1:$PORT/stall-headers") >"$tmp/f6.out" 2>"$tmp/f6.err" </dev/null &
f6=$!
sleep 1
kill -INT "$f6" 2>/dev/null # timeout(1), which passes it on to pprof
for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$f6" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$f6" 2>/dev/null; then
	why "still running 5 s after SIGINT"
	kill -KILL "$f6" 2>/dev/null
fi
wait "$f6"
rc=$?
took=$(since "$t0")
[ "$rc" = 130 ] || why "exit status $rc after SIGINT, expected 130 (killed by SIGINT)"
[ -s "$tmp/f6.out" ] && why "stdout after SIGINT: $(head -c 200 "$tmp/f6.out")"
[ -n "$(ls -A "$tmp/save/f6")" ] && why "saved after SIGINT: $(ls -A "$tmp/save/f6")"
[ -n "$(ls -A "$tmp/f6")" ] && why "files left after SIGINT: $(ls -A "$tmp/f6")"
check "F6: SIGINT during a fetch stops pprof at once (${took}s), nothing saved or written"

# A file whose name looks like host:port is a file.
mkdir -p "$tmp/cwd"
cp "$testsdir/data/cpu.pb.gz" "$tmp/cwd/localhost:1"
(cd "$tmp/cwd" && PPROF_TMPDIR="$tmp/save/file" timeout 10 "$PPROF" -top -nodecount=3 localhost:1) >"$tmp/f.out" 2>"$tmp/f.err" </dev/null ||
	why "localhost:1 (a file) failed: $(cat "$tmp/f.err")"
[ -s "$tmp/f.err" ] && why "localhost:1 (a file) printed: $(cat "$tmp/f.err")"
check "an existing file named like host:port is read as a file"

# On a terminal, -seconds shows a countdown, erased at the end.
if command -v script >/dev/null 2>&1; then
	PPROF_TMPDIR="$tmp/save/tty" timeout 20 script -qec \
		"'$PPROF' -top -nodecount=1 -seconds=2 127.0.0.1:$PORT >/dev/null" /dev/null >"$tmp/tty.out" 2>&1 </dev/null
	grep -q 'Please wait\.\.\. (2s)' "$tmp/tty.out" || why "no Please wait line on the terminal"
	grep -q "$(printf '\r')1s left" "$tmp/tty.out" || why "no countdown on the terminal: $(od -c "$tmp/tty.out" | head -5)"
	grep -q "$(printf '\r\033')\[KSaved profile" "$tmp/tty.out" || why "the countdown line is not erased before the next line"
	check "countdown on a terminal"
else
	skipped=$((skipped + 1))
	echo "run.sh: no script(1): the terminal countdown is not tested" >&2
fi

# Goldens that no case uses any more.
for f in "$golden"/*; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	b=${b%.*}
	grep -q "^C $b\$" "$tmp/cases" || echo "warning: golden $(basename "$f") belongs to no case" >&2
done

[ "$UPDATE" = 1 ] && echo "http: $updated goldens updated"
echo "http: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
