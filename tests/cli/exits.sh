#!/bin/sh
# exits.sh: exit statuses and messages a user meets around the reports: -diff without a base, -fail_above on reports that cannot gate, -output into a directory that takes no new files, $BROWSER with arguments, -web leaving nothing in $TMPDIR (command line and shell), -list's header whatever the working directory.
#
# Environment: PPROF (default build/pprof).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
data=$top/tests/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-exits.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0 fail=0

ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

# expect NAME RC STDERR-PATTERN -- args: runs pprof, checks the exit status
# and that stderr matches the pattern (grep -E) and stdout is empty on errors.
expect() {
    name=$1 want=$2 pat=$3
    shift 4
    "$PPROF" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" != "$want" ]; then
        no "$name: exit $rc, want $want (stderr: $(head -c 300 "$tmp/err"))"
    elif [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/err"; then
        no "$name: stderr does not match /$pat/: $(head -c 300 "$tmp/err")"
    elif { [ "$want" = 1 ] || [ "$want" = 2 ]; } && [ -s "$tmp/out" ]; then
        no "$name: stdout not empty on error"
    else
        ok
    fi
}

old=$data/windows/cpu-00.pb.gz new=$data/windows/cpu-05.pb.gz

# -diff needs a base: a usage error, not an empty report.
expect diff_no_base 2 '^pprof: -diff compares against a base' -- -diff "$new"
expect diff_with_base 0 '' -- -diff -diff_base="$old" "$new"

# -fail_above gates -diff (exit 3 when a share grew) and is refused elsewhere.
expect fail_above_diff 3 'grew by more than -fail_above' -- -diff -fail_above=0.01 -diff_base="$old" "$new"
for r in -top -tree -traces -folded -dot -flamegraph -raw; do
    expect "fail_above$r" 2 '^pprof: -fail_above gates only the diff report' -- $r -fail_above=0.01 -diff_base="$old" "$new"
done
expect fail_above_top_nobase 2 '^pprof: -fail_above gates only' -- -top -fail_above=5 "$new"

# -output where a file exists but its directory takes no new files.
if [ -r /proc/version ]; then
    expect output_proc 1 '^pprof: write /proc/version: cannot create a temporary file in /proc' -- \
        -top -output=/proc/version "$new"
    grep -q 'No such file or directory$' "$tmp/err" && grep -q 'open /proc/version: No such' "$tmp/err" &&
        no "output_proc: still says the existing file is missing" || ok
fi

# $BROWSER: a command with arguments, "%s" standing for the file; the file
# exists when the browser starts and is gone after pprof exits.
cat >"$tmp/rec" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"$REC_OUT"
for a; do case $a in *.svg) [ -f "$a" ] && cp "$a" "$REC_OUT.svg" ;; esac; done
exit 0
EOF
chmod +x "$tmp/rec"
mkdir "$tmp/t"
web() { # NAME BROWSER [commands for the shell]
    rm -f "$tmp/rec.out" "$tmp/rec.out.svg"
    if [ $# -gt 2 ]; then
        printf '%s\n' "$3" | REC_OUT=$tmp/rec.out BROWSER=$2 TMPDIR=$tmp/t DISPLAY= WAYLAND_DISPLAY= \
            "$PPROF" "$new" >"$tmp/out" 2>"$tmp/err"
    else
        REC_OUT=$tmp/rec.out BROWSER=$2 TMPDIR=$tmp/t DISPLAY= WAYLAND_DISPLAY= "$PPROF" -web "$new" >"$tmp/out" 2>"$tmp/err"
    fi
}
web args "$tmp/rec --new-window"
if [ "$(head -n 1 "$tmp/rec.out" 2>/dev/null)" = "--new-window" ] &&
   grep -qx "$tmp/t/pprof001.svg" "$tmp/rec.out" && grep -q '<svg' "$tmp/rec.out.svg" 2>/dev/null; then ok
else no "BROWSER with an argument: browser got $(tr '\n' ' ' <"$tmp/rec.out" 2>/dev/null) $(cat "$tmp/err")"; fi
[ -z "$(ls "$tmp/t")" ] && ok || no "-web left files in TMPDIR: $(ls "$tmp/t")"

web percent_s "/nonexistent/browser:$tmp/rec --app=%s --x"
if [ "$(sed -n 1p "$tmp/rec.out" 2>/dev/null)" = "--app=$tmp/t/pprof001.svg" ] &&
   [ "$(sed -n 2p "$tmp/rec.out")" = "--x" ] && [ "$(wc -l <"$tmp/rec.out")" = 2 ]; then ok
else no "BROWSER with %s: browser got $(tr '\n' ' ' <"$tmp/rec.out" 2>/dev/null) $(cat "$tmp/err")"; fi
[ -z "$(ls "$tmp/t")" ] && ok || no "-web left files in TMPDIR: $(ls "$tmp/t")"

# The shell's web writes where the man page says ($TMPDIR/pprofNNN.svg), and
# a session's graphs are gone after it ends.
web shell "$tmp/rec" "web
web
quit"
grep -qx "$tmp/t/pprof00[12].svg" "$tmp/rec.out" 2>/dev/null && grep -q '<svg' "$tmp/rec.out.svg" 2>/dev/null && ok ||
    no "shell web: browser got $(cat "$tmp/rec.out" 2>/dev/null) $(head -c 300 "$tmp/err")"
[ -z "$(ls "$tmp/t")" ] && ok || no "shell web left files in TMPDIR: $(ls "$tmp/t")"

# No browser at all: the graph stays and its path is printed.
REC_OUT=$tmp/rec.out BROWSER= TMPDIR=$tmp/t DISPLAY= WAYLAND_DISPLAY= "$PPROF" -web "$new" >"$tmp/out" 2>"$tmp/err"
f=$(cat "$tmp/out")
[ -n "$f" ] && [ -f "$f" ] && ok || no "-web without a browser: no file kept ($f)"

# -list's ROUTINE header does not depend on the working directory: a
# directory named like a path element ("work" in example.com/work/main.go)
# must not trim it; an explicit -source_path does, as pprof does.
mkdir -p "$tmp/work" "$tmp/elsewhere"
h1=$(cd "$tmp/work" && "$PPROF" -list='main.compress$' "$data/allocs.pb.gz" 2>/dev/null | grep '^ROUTINE')
h2=$(cd "$tmp/elsewhere" && "$PPROF" -list='main.compress$' "$data/allocs.pb.gz" 2>/dev/null | grep '^ROUTINE')
[ "$h1" = "ROUTINE ======================== main.compress in example.com/work/main.go" ] && [ "$h1" = "$h2" ] && ok ||
    no "list header depends on the cwd: '$h1' vs '$h2'"
h3=$(cd "$tmp/elsewhere" && "$PPROF" -source_path=/nonexistent/work -list='main.compress$' "$data/allocs.pb.gz" 2>/dev/null | grep '^ROUTINE')
[ "$h3" = "ROUTINE ======================== main.compress in main.go" ] && ok || no "-source_path trims the header: '$h3'"

echo "exits: $pass passed, $fail failed"
[ "$fail" = 0 ]
