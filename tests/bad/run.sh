# run.sh: runs $PPROF on the crafted bad inputs of tests/bad/gen_bad.c (and gen_perf_bad.c: perf.data) and a few no-network faults of robustness.md §6.2, checking exit status and message.
#
# Usage, from the repo root:  PPROF=build/pprof TOOLS=build/tools sh tests/bad/run.sh
# TIMEOUT (seconds per run, default 20); KEEP=1 keeps the temp dir and prints its path.
#
# Per manifest line (<file> <expect> <keyword>) it runs "$PPROF -top <file>":
#   error: exit 1; stderr non-empty, starting "pprof: ", at most $MAXLINES lines and
#          $MAXBYTES bytes, containing the keyword (case-insensitive, "a|b" = either,
#          file name removed first); no sanitizer/crash report; nothing on stdout.
#   ok:    exit 0; a report on stdout; no sanitizer/crash report.
#   warn:  as ok, and stderr has a line "pprof: warning: ...<keyword>".
# The bomb (file name contains "bomb") must fail like any error case, inside the timeout.
# Extra cases: 16 (/dev/zero, /dev/urandom, an endless FIFO), 40b (-sample_index out of
# range), F2 (stdout is /dev/full), F3 (bad -output), F4 (failed run keeps an existing
# output file), F20 (input is a directory).

set -u

PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
TIMEOUT=${TIMEOUT:-20}
MAXLINES=4
MAXBYTES=2000
CPU=tests/data/cpu.pb.gz

pass=0
fail=0
bg=""
note=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-bad.XXXXXX") || exit 1

cleanup() {
    if [ -n "$bg" ]; then kill "$bg" 2>/dev/null; fi
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if command -v timeout >/dev/null 2>&1; then
    TIMEOUT_CMD="timeout -k 5 $TIMEOUT"
else
    echo "run.sh: no timeout(1); running without a time limit" >&2
    TIMEOUT_CMD=""
fi
[ -x "$PPROF" ] || echo "run.sh: $PPROF is not an executable; every case will fail" >&2

# ---------------------------------------------------------------- helpers

pass_case() {
    pass=$((pass + 1))
    printf 'ok   %s\n' "$1"
}

fail_case() {
    fail=$((fail + 1))
    printf 'FAIL %s: %s%s\n' "$1" "$2" "$note"
}

finish() {
    printf 'bad-inputs: %d passed, %d failed\n' "$pass" "$fail"
    [ "$fail" -eq 0 ]
    exit $?
}

# run_to OUT ARGS...: runs $PPROF ARGS with stdout to OUT, stderr to $tmp/err; sets rc, elapsed.
run_to() {
    _out=$1
    shift
    _t0=$(date +%s)
    # shellcheck disable=SC2086
    $TIMEOUT_CMD "$PPROF" "$@" >"$_out" 2>"$tmp/err" </dev/null
    rc=$?
    elapsed=$(($(date +%s) - _t0))
}

run() { run_to "$tmp/out" "$@"; }

describe_rc() {
    case $rc in
    124 | 137) printf '%s (timed out after %ss)' "$rc" "$TIMEOUT" ;;
    126 | 127) printf '%s (could not run %s)' "$rc" "$PPROF" ;;
    *) if [ "$rc" -gt 128 ]; then printf '%s (signal %s)' "$rc" $((rc - 128)); else printf '%s' "$rc"; fi ;;
    esac
}

# First line of stderr, control characters removed, shortened: for FAIL lines.
err_excerpt() {
    if [ -s "$tmp/err" ]; then
        printf ' [stderr: %s]' "$(sed -n 1p "$tmp/err" | tr -d '\000-\010\013-\037\177' | cut -c1-160)"
    fi
}

crashed() {
    grep -q -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|MemorySanitizer|runtime error:|Segmentation fault|core dumped|stack smashing|double free|free\(\): invalid' "$tmp/err"
}

# has_keyword KEYWORDS STRIP...: stderr minus the STRIP strings contains one of KEYWORDS (a|b).
has_keyword() {
    _kw=$1
    shift
    case $_kw in "" | -) return 0 ;; esac
    printf '%s\n' "$_kw" | tr '|' '\n' | grep -v '^$' >"$tmp/kw"
    cp "$tmp/err" "$tmp/msg"
    for _s in "$@"; do
        [ -n "$_s" ] || continue
        awk -v p="$_s" '{ while ((i = index($0, p)) > 0) $0 = substr($0, 1, i - 1) substr($0, i + length(p)); print }' \
            "$tmp/msg" >"$tmp/msg2" && mv "$tmp/msg2" "$tmp/msg"
    done
    grep -q -i -F -f "$tmp/kw" "$tmp/msg"
}

# check_error NAME KEYWORD SOURCE [EXIT_CODES] [STDOUT_FILE]: the last run failed properly.
check_error() {
    _name=$1 _kw=$2 _src=$3 _codes=${4:-1} _stdout=${5:-$tmp/out}
    _why=""
    _first=$(sed -n 1p "$tmp/err")
    _rc_ok=0
    for _c in $_codes; do [ "$rc" = "$_c" ] && _rc_ok=1; done
    if crashed; then
        _why="sanitizer or crash report on stderr"
    elif [ "$_rc_ok" = 0 ]; then
        _why="exit status $(describe_rc), want $_codes"
    elif [ ! -s "$tmp/err" ]; then
        _why="no message on stderr"
    elif [ "${_first#pprof: }" = "$_first" ]; then
        _why="stderr does not start with 'pprof: '"
    elif [ "$(wc -l <"$tmp/err")" -gt "$MAXLINES" ]; then
        _why="$(wc -l <"$tmp/err" | tr -d ' ') lines on stderr, want at most $MAXLINES"
    elif [ "$(wc -c <"$tmp/err")" -gt "$MAXBYTES" ]; then
        _why="$(wc -c <"$tmp/err" | tr -d ' ') bytes on stderr, want at most $MAXBYTES"
    elif [ -s "$_stdout" ] && [ -f "$_stdout" ]; then
        _why="unexpected output on stdout"
    elif ! has_keyword "$_kw" "$_src" "${_src##*/}"; then
        _why="message lacks '$_kw'"
    fi
    if [ -z "$_why" ]; then pass_case "$_name"; else fail_case "$_name" "$_why$(err_excerpt)"; fi
}

# check_ok NAME: the last run succeeded and printed a report.
check_ok() {
    if crashed; then
        fail_case "$1" "sanitizer or crash report on stderr$(err_excerpt)"
    elif [ "$rc" != 0 ]; then
        fail_case "$1" "exit status $(describe_rc), want 0$(err_excerpt)"
    elif [ ! -s "$tmp/out" ]; then
        fail_case "$1" "no report on stdout"
    else
        pass_case "$1"
    fi
}

# ---------------------------------------------------------------- generate the cases

cases=$tmp/cases
gen=$TOOLS/gen_bad
if [ ! -x "$gen" ] && command -v cc >/dev/null 2>&1; then
    # Not built by the Makefile yet: build it here so the script also runs on its own.
    gen=$tmp/gen_bad
    cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -o "$gen" tests/bad/gen_bad.c -lz -lm 2>"$tmp/err" ||
        gen=$TOOLS/gen_bad
fi
if ! "$gen" "$cases" 2>"$tmp/err" || [ ! -s "$cases/cases.tsv" ]; then
    fail_case gen_bad "could not generate the cases with $gen$(err_excerpt)"
    finish
fi
# perf.data cases (tests/bad/gen_perf_bad.c), appended to the same manifest.
pgen=$TOOLS/gen_perf_bad
if [ ! -x "$pgen" ] && command -v cc >/dev/null 2>&1; then
    pgen=$tmp/gen_perf_bad
    cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -o "$pgen" tests/bad/gen_perf_bad.c 2>"$tmp/err" ||
        pgen=$TOOLS/gen_perf_bad
fi
if ! "$pgen" "$cases" 2>"$tmp/err"; then
    fail_case gen_perf_bad "could not generate the perf.data cases with $pgen$(err_excerpt)"
fi

# ---------------------------------------------------------------- manifest cases (§6.1, 1-45)

tab=$(printf '\t')
while IFS=$tab read -r file expect kw; do
    [ -n "$file" ] || continue
    f=$cases/$file
    run -top "$f"
    case $expect in
    ok) check_ok "$file" ;;
    warn)
        if [ "$rc" = 0 ] && ! grep -q "^pprof: warning: .*$kw" "$tmp/err"; then
            fail_case "$file" "no 'pprof: warning: ...$kw' on stderr$(err_excerpt)"
        else
            check_ok "$file"
        fi
        ;;
    error)
        case $file in *bomb*) note=" (ran ${elapsed}s)" ;; esac
        check_error "$file" "$kw" "$f"
        note=""
        ;;
    *) fail_case "$file" "unknown expectation '$expect' in cases.tsv" ;;
    esac
done <"$cases/cases.tsv"

# Peak memory means nothing under ASan or TSan (shadow memory, quarantine):
# the memory bounds below are checked in the plain build only.
mem_checks=1
case ${SANITIZE:-} in
*sanitize=address* | *sanitize=thread*)
    mem_checks=0
    echo "skip every_case_bounded_memory and the M1-M4 memory cases: peak RSS under $SANITIZE" ;;
esac

# Bounded memory for every crafted input, whatever it inflates to (the
# bomb is 1 GiB, 10b 256 MiB, 23 11 MB): each -top peaks under 64 MiB
# (they measured 15-28 MiB; the process alone is about 15).
if [ "$mem_checks" = 1 ] && [ -x "$TOOLS/measure" ]; then
    worst=0 worst_file="" over=""
    while IFS=$tab read -r file expect kw; do
        [ -n "$file" ] || continue
        $TIMEOUT_CMD "$TOOLS/measure" --stdout /dev/null --stderr /dev/null -- "$PPROF" -top "$cases/$file" \
            >"$tmp/measure" </dev/null
        r=$(sed -n 's/.*rss_mb=\([0-9]*\).*/\1/p' "$tmp/measure")
        if [ -z "$r" ] || [ "$r" -gt 64 ]; then over="$over $file:${r:-?}MiB"; fi
        if [ -n "$r" ] && [ "$r" -gt "$worst" ]; then worst=$r worst_file=$file; fi
    done <"$cases/cases.tsv"
    if [ -n "$over" ]; then
        fail_case every_case_bounded_memory "peak RSS over 64 MiB:$over"
    else
        pass_case "every_case_bounded_memory (largest: $worst MiB, $worst_file)"
    fi
fi

# 42c: the header's share of the duration, for a total past int64
# nanoseconds, is saturated (as go tool pprof prints it), not undefined.
run -top "$cases/42c_total_seconds_past_int64_ns.pb.gz"
if crashed || [ "$rc" != 0 ] || ! grep -q '^Duration: 1s, Total samples = 1152921504606846976s (922337203685.48%)' "$tmp/out"; then
    fail_case 42c_duration_share_saturated "exit $(describe_rc): $(sed -n 4p "$tmp/out")$(err_excerpt)"
else
    pass_case 42c_duration_share_saturated
fi

# 42d: two nodes whose flat sum passes int64: "accounting for" saturates
# in -top and -tree (it wrapped to a negative number).
for rep in -top -tree; do
    run "$rep" "$cases/42d_flat_sum_overflow.pb.gz"
    if crashed || [ "$rc" != 0 ] || ! grep -q '^Showing nodes accounting for 9223372036854775808, 100% of' "$tmp/out"; then
        fail_case "42d_flat_sum_saturated_${rep#-}" "exit $(describe_rc): $(grep -m1 Showing "$tmp/out")$(err_excerpt)"
    else
        pass_case "42d_flat_sum_saturated_${rep#-}"
    fi
done

# ---------------------------------------------------------------- 60: locations no sample uses

# Dropped, as pprof's merge drops them (-raw lists the base profile's two
# locations, not the unused one); those a sample after them uses are kept,
# in wire order, wherever they come.
run_to "$tmp/base.raw" -raw "$cases/14_raw_uncompressed.pb"
for c in 60a_unused_location 60b_locations_before_samples 60c_locations_around_samples \
    60g_unused_location_unused_function 60h_functions_first_unused; do
    run -raw "$cases/$c.pb.gz"
    if crashed || [ "$rc" != 0 ]; then
        fail_case "${c}_raw" "exit status $(describe_rc)$(err_excerpt)"
    elif ! grep -q '^     2: 0x402000 M=1 main' "$tmp/out" || ! cmp -s "$tmp/out" "$tmp/base.raw"; then
        fail_case "${c}_raw" "-raw differs from the base profile's: $(diff "$tmp/base.raw" "$tmp/out" | head -c 300)"
    else
        pass_case "${c}_raw"
    fi
done

# ---------------------------------------------------------------- 48, 50, 62: text reports and the terminal

# raw_controls FILE: FILE holds a byte that drives a terminal (C0 but tab and
# newline, DEL, C1, bidi marks/overrides/isolates) or invalid UTF-8.
raw_controls() {
    LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c' "$1" ||
        { locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' && LC_ALL=C.UTF-8 grep -q -a -x -v '.*' "$1"; }
}
tc=$cases/50_terminal_controls_everywhere.pb.gz
for rep in -top -tree -peek=. -traces -tags -raw -list=. -comments -callgrind -folded -flamegraph -speedscope; do
    name=50_terminal_${rep#-}
    name=${name%%=*}
    run "$rep" "$tc"
    if crashed || [ "$rc" != 0 ]; then
        fail_case "$name" "exit status $(describe_rc)$(err_excerpt)"
    elif [ ! -s "$tmp/out" ]; then
        fail_case "$name" "no output"
    elif raw_controls "$tmp/out" || raw_controls "$tmp/err"; then
        fail_case "$name" "a control, C1, bidi or invalid UTF-8 byte came out raw"
    else
        pass_case "$name"
    fi
done
# Folded stays parseable: one stack per line, frames without ';' of their own.
run -folded "$tc"
if [ "$(wc -l <"$tmp/out")" != 2 ] || ! grep -q '^main[^;]*;foo[^;]* 10$' "$tmp/out"; then
    fail_case 50_terminal_folded_parseable "want 2 lines 'main...;foo... 10' and 'foo... 5', got: $(head -c 300 "$tmp/out" | tr -d '\000-\037')"
else
    pass_case 50_terminal_folded_parseable
fi
# The escapes are visible, not dropped: ESC as \x1b, U+202E as \u202e.
run -top "$tc"
if ! grep -q 'foo\\x1b\]0;pwned\\x07' "$tmp/out" || ! grep -q '\\u202e' "$tmp/out"; then
    fail_case 50_terminal_escapes_shown "no foo\\x1b]0;pwned\\x07 ... \\u202e in -top"
else
    pass_case 50_terminal_escapes_shown
fi
# 48: names that differ after a NUL stay two names.
run -top "$cases/48_nul_inside_names.pb.gz"
if grep -q 'foo\\x00a' "$tmp/out" && grep -q 'foo\\x00b' "$tmp/out"; then
    pass_case 48_nul_inside_names_shown_escaped
else
    fail_case 48_nul_inside_names_shown_escaped "want foo\\x00a and foo\\x00b in -top: $(tr -d '\000-\011\013-\037' <"$tmp/out" | tail -3 | tr '\n' '|')"
fi

# 42: extreme values through every report that sums or negates them (UBSan
# builds abort on signed overflow): no crash, the saturation said once.
for rep in -top -tree -traces -tags -raw -list=. -callgrind -folded -flamegraph -speedscope -dot -peek=.; do
    for c in 42a_values_int64_min_max 42b_sum_overflow_4x2pow62 42d_flat_sum_overflow; do
        name=${c%%_*}_${rep#-}
        name=${name%%=*}
        run "$rep" "$cases/$c.pb.gz"
        if crashed || [ "$rc" != 0 ] || { [ ! -s "$tmp/out" ] && [ "$rep" != -tags ]; }; then
            fail_case "$name" "exit status $(describe_rc) or no output$(err_excerpt)"
        else
            pass_case "$name"
        fi
    done
done
run -top -diff_base="$cases/42a_values_int64_min_max.pb.gz" "$cases/42b_sum_overflow_4x2pow62.pb.gz"
if crashed || [ "$rc" != 0 ]; then fail_case 42_diff_base "exit status $(describe_rc)$(err_excerpt)"; else pass_case 42_diff_base; fi
run -diff -diff_base="$cases/42a_values_int64_min_max.pb.gz" "$cases/42b_sum_overflow_4x2pow62.pb.gz"
if crashed || [ "$rc" != 0 ]; then fail_case 42_diff "exit status $(describe_rc)$(err_excerpt)"; else pass_case 42_diff; fi

# 46: a 100,000-frame recursive stack through the reports that walk stacks.
for rep in -tree -traces -folded -flamegraph -callgrind -dot -raw; do
    name=46_deep_${rep#-}
    run "$rep" "$cases/46_stack_100000_frames.pb.gz"
    if crashed || [ "$rc" != 0 ] || [ ! -s "$tmp/out" ]; then
        fail_case "$name" "exit status $(describe_rc) or no output$(err_excerpt)"
    else
        pass_case "$name"
    fi
done

# 47: a 1 MiB name in a call graph: the label is cut with a marker, and
# Graphviz (strings of at most 16 KiB) draws it.
for rep in -dot -svg; do
    run "$rep" "$cases/47_function_name_1MiB.pb.gz"
    if crashed || [ "$rc" != 0 ] || ! grep -q '\[cut\]' "$tmp/out"; then
        fail_case "47_long_name_${rep#-}" "exit status $(describe_rc), want 0 and a label cut with [cut]$(err_excerpt)"
    else
        pass_case "47_long_name_${rep#-}"
    fi
done

# ---------------------------------------------------------------- several sources, one bad

run -top "$CPU" "$cases/03_gzip_cut_in_half.pb.gz"
if [ "$rc" != 0 ] || ! grep -q "flat%" "$tmp/out" || ! grep -q "^Fetched 1 source profiles out of 2$" "$tmp/err" ||
    ! grep -q "^pprof: .*03_gzip_cut_in_half.pb.gz: .*truncated" "$tmp/err"; then
    fail_case multi_source_one_bad "want exit 0, a report, the bad source named and 'Fetched 1 source profiles out of 2'$(err_excerpt)"
else
    pass_case multi_source_one_bad
fi
run -top "$cases/01_empty_file" "$cases/03_gzip_cut_in_half.pb.gz"
check_error multi_source_all_bad "failed to fetch any source profiles" "$cases/01_empty_file" 1

# 10b: refused from the first bytes without inflating the 256 MiB again to
# try the text readers: peak memory (GNU time, when installed) stays far
# below the inflated size.
if [ -x /usr/bin/time ]; then
    $TIMEOUT_CMD /usr/bin/time -f '%M' -o "$tmp/rss" "$PPROF" -top "$cases/10b_proto_head_then_256MiB_zeros.pb.gz" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    rss=$(tail -1 "$tmp/rss")
    sed -i '/^Command exited/d' "$tmp/err"
    if [ "${rss:-999999}" -gt 131072 ]; then
        fail_case 10b_no_reinflate_peak_memory "peak RSS ${rss} KB for 256 MiB of zeros behind a bad protobuf byte, want < 128 MB"
    else
        check_error 10b_no_reinflate_peak_memory "unrecognized|wire" "$cases/10b_proto_head_then_256MiB_zeros.pb.gz"
    fi
fi

# -max_memory takes sizes only: a usage error (2) names the flag.
run -top -max_memory=12XB "$CPU"
check_error max_memory_bad_size "max_memory" "$CPU" 2
run -top -max_memory=0 "$CPU"
check_error max_memory_zero "max_memory" "$CPU" 2

# Folded stacks with a control byte in a name are refused as folded stacks,
# not with protobuf's complaint about their first bytes ("comment field 13
# has wire type fixed32").
printf 'main;\033]0;title\007fn;evil 10\nmain;foo 5\n' >"$tmp/escape.folded"
run -top "$tmp/escape.folded"
if grep -q -i "wire type\|profile.proto" "$tmp/err"; then
    fail_case folded_control_byte_not_wire_message "protobuf wire message for a folded file$(err_excerpt)"
else
    check_error folded_control_byte_not_wire_message "not folded stacks" "$tmp/escape.folded"
fi

# ---------------------------------------------------------------- 16: inputs that never end

if [ -r /dev/zero ]; then
    run -top /dev/zero
    check_error 16a_dev_zero "limit|regular" /dev/zero
fi
if [ -r /dev/urandom ]; then
    run -top /dev/urandom
    check_error 16b_dev_urandom "" /dev/urandom
fi
if mkfifo "$tmp/fifo" 2>/dev/null; then
    cat /dev/zero >"$tmp/fifo" 2>/dev/null &
    bg=$!
    run -top "$tmp/fifo"
    kill "$bg" 2>/dev/null
    wait "$bg" 2>/dev/null
    bg=""
    check_error 16c_fifo_endless_zeros "limit|unrecognized" "$tmp/fifo"
fi

# ---------------------------------------------------------------- 40b: -sample_index out of range

run -top -sample_index=10000 "$cases/40_10000_sample_types.pb.gz"
check_error 40b_sample_index_out_of_range "sample_index|range" "$cases/40_10000_sample_types.pb.gz" "1 2"

# ---------------------------------------------------------------- §6.2 faults

if [ ! -f "$CPU" ]; then
    fail_case F_setup "$CPU not found (run from the repo root)"
else
    # F2: stdout is full.
    if [ -w /dev/full ]; then
        run_to /dev/full -top "$CPU"
        check_error F2_stdout_dev_full "space|write" "$CPU" 1 /dev/full
    fi

    # F3: the output directory is missing, or the output is a directory.
    if [ ! -e /nonexistent ]; then
        run -top -output=/nonexistent/dir/x.txt "$CPU"
        if [ -e /nonexistent ]; then
            fail_case F3a_output_dir_missing "created /nonexistent"
        else
            check_error F3a_output_dir_missing "no such file|directory|exist" /nonexistent/dir/x.txt
        fi
    fi
    mkdir "$tmp/f3"
    run -top -output="$tmp/f3/no/such/x.txt" "$CPU"
    if [ -n "$(ls -A "$tmp/f3")" ]; then
        fail_case F3b_output_dir_missing_creates_nothing "left $(ls -A "$tmp/f3" | tr '\n' ' ')"
    else
        check_error F3b_output_dir_missing_creates_nothing "no such file|directory|exist" "$tmp/f3/no/such/x.txt"
    fi
    mkdir "$tmp/f3c" "$tmp/f3c/outdir"
    run -top -output="$tmp/f3c/outdir" "$CPU"
    if [ ! -d "$tmp/f3c/outdir" ] || [ -n "$(ls -A "$tmp/f3c/outdir")" ] ||
        [ "$(ls -A "$tmp/f3c")" != outdir ]; then
        fail_case F3c_output_is_directory "directory changed or temp files left: $(ls -A "$tmp/f3c" | tr '\n' ' ')"
    else
        check_error F3c_output_is_directory "directory" "$tmp/f3c/outdir"
    fi

    # F4/F24: a failed run leaves an existing output file intact and no temp files.
    for bad in 03_gzip_cut_in_half.pb.gz 38_value_count_mismatch.pb.gz; do
        d=$tmp/f4-${bad%%_*}
        mkdir "$d"
        printf 'precious output\n' >"$d/out.txt"
        cp "$d/out.txt" "$tmp/f4-expected"
        run -top -output="$d/out.txt" "$cases/$bad"
        name=F4_output_kept_on_error_${bad%%.*}
        if ! cmp -s "$d/out.txt" "$tmp/f4-expected"; then
            fail_case "$name" "existing out.txt was changed or removed"
        elif [ "$(ls -A "$d")" != out.txt ]; then
            fail_case "$name" "files left beside out.txt: $(ls -A "$d" | tr '\n' ' ')"
        else
            check_error "$name" "" "$cases/$bad"
        fi
    done
fi

# F1: the disk fills up while the output is written: a 64 KiB tmpfs when
# mount(8) works here (root), else a file size limit (ulimit -f, SIGXFSZ
# ignored: writes fail with EFBIG instead of ENOSPC, the same path). A
# one-line write error, exit 1, the existing output kept, nothing beside it.
d=$tmp/f1
mkdir -p "$d"
how=tmpfs
if ! mount -t tmpfs -o size=64k pprof-f1 "$d" 2>/dev/null; then how=ulimit; fi
printf 'precious output\n' >"$d/out.txt"
cp "$d/out.txt" "$tmp/f1-expected"
if [ "$how" = tmpfs ]; then
    run -raw -output="$d/out.txt" tests/data/large.cpu
else
    (trap '' XFSZ; ulimit -f 16; exec $TIMEOUT_CMD "$PPROF" -raw -output="$d/out.txt" tests/data/large.cpu) \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
fi
if ! cmp -s "$d/out.txt" "$tmp/f1-expected"; then
    fail_case "F1_disk_full_$how" "existing out.txt was changed or removed"
elif [ "$(ls -A "$d")" != out.txt ]; then
    fail_case "F1_disk_full_$how" "files left beside out.txt: $(ls -A "$d" | tr '\n' ' ')"
else
    check_error "F1_disk_full_$how" "write|space|large" "$d/out.txt"
fi
[ "$how" = tmpfs ] && umount "$d" 2>/dev/null

# F1b: kill -9 while the output file is being written leaves nothing beside
# it (an unnamed O_TMPFILE file, linked in only when complete). The kill
# comes once the process holds a descriptor into the output directory.
if [ -f tests/data/large.cpu ] && [ -d /proc/self/fd ]; then
    d=$tmp/f1b
    mkdir "$d"
    "$PPROF" -traces -output="$d/out.txt" tests/data/large.cpu >/dev/null 2>&1 </dev/null &
    kpid=$!
    seen=0 i=0
    while [ $i -lt 400 ] && kill -0 "$kpid" 2>/dev/null; do
        if ls -l "/proc/$kpid/fd" 2>/dev/null | grep -q -- "-> $d/"; then
            seen=1
            kill -9 "$kpid" 2>/dev/null
            break
        fi
        i=$((i + 1))
        sleep 0.01
    done
    wait "$kpid" 2>/dev/null
    left=$(ls -A "$d" | grep -v '^out\.txt$' | tr '\n' ' ')
    if [ "$seen" = 0 ]; then
        pass_case "F1b_kill9_while_writing_leaves_nothing (not caught writing; nothing to check)"
    elif [ -n "$left" ]; then
        fail_case F1b_kill9_while_writing_leaves_nothing "left $left"
    else
        pass_case F1b_kill9_while_writing_leaves_nothing
    fi
fi

# F2b: stdout closed and -output=FILE: a correct run, exit 0.
"$PPROF" -top -output="$tmp/f2b.txt" "$CPU" >&- 2>"$tmp/err"
rc=$?
if [ "$rc" != 0 ] || ! grep -q "flat%" "$tmp/f2b.txt"; then
    fail_case F2b_stdout_closed_output_file "exit status $rc, want 0 and the report in the file$(err_excerpt)"
else
    pass_case F2b_stdout_closed_output_file
fi
# ... and the report on a closed stdout is an error.
"$PPROF" -top "$CPU" >&- 2>"$tmp/err"
rc=$?
check_error F2c_stdout_closed_report "write|stdout|descriptor" "$CPU" 1 /dev/null

# F5: SIGPIPE under "| head": a quiet end (the default SIGPIPE, or exit 0), no message.
if [ -f tests/data/large.cpu ]; then
    ( "$PPROF" -traces tests/data/large.cpu 2>"$tmp/err"; echo $? >"$tmp/f5rc" ) | head -1 >/dev/null
    f5=$(cat "$tmp/f5rc")
    if { [ "$f5" = 141 ] || [ "$f5" = 0 ]; } && [ ! -s "$tmp/err" ]; then
        pass_case F5_sigpipe_quiet
    else
        fail_case F5_sigpipe_quiet "exit status $f5, stderr: $(head -c 200 "$tmp/err")"
    fi
fi

# F19: malloc failure (address space capped): one line "out of memory" or a
# refusal, exit 1, no crash.
# A sanitizer's runtime reserves its shadow memory in the same address
# space, so the cap fails inside the sanitizer, not in pprof: not run there.
case ${SANITIZE:-} in
*sanitize=address* | *sanitize=thread*) echo "skip F19_malloc_failure: ulimit -v and $SANITIZE's shadow memory" ;;
*) f19=1 ;;
esac
if [ -f tests/data/large.cpu ] && [ "${f19:-0}" = 1 ]; then
    (ulimit -v 60000 2>/dev/null && exec "$PPROF" -traces tests/data/large.cpu) >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" = 0 ]; then
        pass_case "F19_malloc_failure (ran within 60 MB; nothing to check)"
    else
        check_error F19_malloc_failure "memory|allocate|limit" tests/data/large.cpu "1" /dev/null
    fi
fi

# F22: no HOME, shell on a pipe: still works (history is optional).
printf 'top5\nquit\n' | env -u HOME "$PPROF" "$CPU" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && grep -q "flat%" "$tmp/out" && ! crashed; then
    pass_case F22_shell_without_home
else
    fail_case F22_shell_without_home "exit status $rc$(err_excerpt)"
fi

# F23: a non-UTF-8 locale changes nothing: same bytes, still escaped.
run -top "$cases/50_terminal_controls_everywhere.pb.gz"
cp "$tmp/out" "$tmp/f23.utf8"
LC_ALL=C LANG=C "$PPROF" -top "$cases/50_terminal_controls_everywhere.pb.gz" >"$tmp/out" 2>"$tmp/err" </dev/null
if cmp -s "$tmp/out" "$tmp/f23.utf8" && ! raw_controls "$tmp/out"; then
    pass_case F23_locale_c_same_output
else
    fail_case F23_locale_c_same_output "output differs under LC_ALL=C or has raw controls"
fi

# F24: two runs writing the same output at once: one complete report, no temp files.
mkdir "$tmp/f24"
"$PPROF" -top -output="$tmp/f24/same.txt" "$CPU" 2>/dev/null &
p1=$!
"$PPROF" -top -output="$tmp/f24/same.txt" "$CPU" 2>/dev/null &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
"$PPROF" -top "$CPU" >"$tmp/f24.want" 2>/dev/null
if [ "$r1" = 0 ] && [ "$r2" = 0 ] && cmp -s "$tmp/f24/same.txt" "$tmp/f24.want" && [ "$(ls -A "$tmp/f24")" = same.txt ]; then
    pass_case F24_concurrent_same_output
else
    fail_case F24_concurrent_same_output "exit $r1/$r2, files: $(ls -A "$tmp/f24" | tr '\n' ' ')"
fi

# F20: the input is a directory.
mkdir "$tmp/f20dir"
run -top "$tmp/f20dir"
check_error F20_input_is_directory "directory" "$tmp/f20dir"

# F25: an output that is a device or a pipe is written in place, never
# replaced by a renamed file (-output=/dev/null must stay a device).
run -top -output=/dev/null "$CPU"
if [ ! -c /dev/null ]; then
    fail_case F25_output_dev_null_stays_a_device "/dev/null is no longer a character device"
elif [ "$rc" != 0 ]; then
    fail_case F25_output_dev_null_stays_a_device "exit status $rc"
else
    pass_case F25_output_dev_null_stays_a_device
fi
mkfifo "$tmp/outfifo"
cat "$tmp/outfifo" > "$tmp/outfifo.txt" &
catpid=$!
run -top -output="$tmp/outfifo" "$CPU"
# A program that failed before opening the FIFO leaves cat blocked in
# open(): end it after a bounded wait instead of hanging the suite.
(sleep 5; kill "$catpid" 2>/dev/null) &
killer=$!
wait "$catpid" 2>/dev/null
kill "$killer" 2>/dev/null
wait "$killer" 2>/dev/null
if [ ! -p "$tmp/outfifo" ] || ! grep -q "flat%" "$tmp/outfifo.txt"; then
    fail_case F25_output_fifo_written_in_place "the FIFO was replaced or got no report"
else
    pass_case F25_output_fifo_written_in_place
fi

# Big gzip inputs are inflated in a second thread: the same failures must be
# caught there (a truncated file, a corrupted byte in the middle, junk after).
big=tests/data/large.cpu
if [ -f "$big" ]; then
    head -c 700000 "$big" > "$tmp/big_truncated.pb.gz"
    run -top "$tmp/big_truncated.pb.gz"
    check_error G1_big_gzip_truncated "truncated" "$tmp/big_truncated.pb.gz"
    { head -c 600000 "$big"; printf 'XXXXXXXX'; tail -c +600009 "$big"; } > "$tmp/big_corrupt.pb.gz"
    run -top "$tmp/big_corrupt.pb.gz"
    check_error G2_big_gzip_corrupted "decompressing|invalid|checksum|distance|block" "$tmp/big_corrupt.pb.gz"
    { cat "$big"; printf 'trailing junk'; } > "$tmp/big_junk.pb.gz"
    run -top "$tmp/big_junk.pb.gz"
    check_error G3_big_gzip_trailing_junk "trailing" "$tmp/big_junk.pb.gz"
fi

# ---------------------------------------------------------------- memory: peak RSS per input byte
# gen_bad DIR memory writes big inflated inputs; each run's peak RSS comes
# from $TOOLS/measure (wait4's ru_maxrss). The bounds are generous (the
# machine is loaded) but far below what these inputs cost before: M1 peaked
# at 3.1 GB (identical samples kept one by one), M3 at 4.0 GB (the window
# grown to the string, then the string copied), the pipe at twice its cap.
MEMTIMEOUT=${MEMTIMEOUT:-600}
mem=$tmp/mem
# measure_run NAME RSS_MB_MAX ARGS...: runs $PPROF ARGS (stdout to $tmp/out) and fails NAME
# when the peak RSS passes RSS_MB_MAX; sets rc and rss (MiB) for the checks that follow.
measure_run() {
    _name=$1 _max=$2
    shift 2
    timeout -k 5 "$MEMTIMEOUT" "$TOOLS/measure" --stdout "$tmp/out" --stderr "$tmp/err" -- "$PPROF" "$@" \
        >"$tmp/measure" </dev/null
    rc=$?
    rss=$(sed -n 's/.*rss_mb=\([0-9]*\).*/\1/p' "$tmp/measure")
    printf '     %s: %s\n' "$_name" "$(cat "$tmp/measure")"
    if [ -z "$rss" ] || [ "$rss" -gt "$_max" ]; then
        fail_case "$_name" "peak RSS ${rss:-?} MiB, want at most $_max MiB ($(cat "$tmp/measure"))"
        return 1
    fi
    return 0
}
ok_report() { # NAME: the last run printed a report and exited 0
    if [ "$rc" = 0 ] && [ -s "$tmp/out" ] && ! crashed; then pass_case "$1"; else fail_case "$1" "exit $(describe_rc)$(err_excerpt)"; fi
}
if [ "$mem_checks" != 1 ]; then
    : # skipped above, saying why
elif [ -x "$TOOLS/measure" ] && timeout 600 "$TOOLS/gen_bad" "$mem" memory 2>/dev/null; then
    # M1: 1 MB of gzip, 512 MiB inflated, of one sample repeated: merged as
    # they stream in (target 2x the inflated size; now a few MB).
    m1=$mem/M1_identical_samples_512MiB.pb.gz
    measure_run M1_identical_samples_top 512 -top "$m1" && ok_report M1_identical_samples_top
    if measure_run M1_identical_samples_raw 512 -raw "$m1"; then
        # the repeats are one sample, with the values summed
        if [ "$rc" = 0 ] && grep -q '^ *67108874: 1 2 *$' "$tmp/out"; then pass_case M1_identical_samples_raw
        else fail_case M1_identical_samples_raw "exit $rc, merged sample not found$(err_excerpt)"; fi
    fi
    # -window peeks at each source's capture time through a 64 KiB window
    # (before, the whole inflated profile: 512 MiB here).
    measure_run M1_window_peek 256 -top -window=2000-01-01..2100-01-01 "$m1" && ok_report M1_window_peek
    measure_run M1_identical_samples_budget 512 -top -max_memory=64MiB "$m1" && ok_report M1_identical_samples_budget
    # M2 (checklist 60 at 10M): 10,000,000 tiny locations no sample uses,
    # 110 MiB inflated: every report within 2x that, 220 MiB (it peaked at
    # 520-700 MiB when each location was decoded, 114-125 MiB when the
    # unused ones were held as their wire bytes; now they cost a bit each,
    # 15 MiB). Over a budget of 2 MiB, what is held of them trips it.
    m2=$mem/M2_10M_tiny_locations.pb.gz
    for rep in top raw traces; do
        measure_run M2_10M_tiny_locations_$rep 220 -$rep "$m2" && ok_report M2_10M_tiny_locations_$rep
    done
    measure_run M2_10M_tiny_locations_over_budget 220 -top -max_memory=2MiB "$m2" &&
        check_error M2_10M_tiny_locations_over_budget "max_memory" "$m2"
    # M4: 10,000,000 tiny functions no location uses, 65 MiB inflated:
    # within 2x, 130 MiB (held as their bytes, then dropped: 78 MiB; each
    # decoded, 397 MiB).
    m4=$mem/M4_10M_tiny_functions.pb.gz
    measure_run M4_10M_tiny_functions_top 130 -top "$m4" && ok_report M4_10M_tiny_functions_top
    # M3: one 1.9 GiB string (1945 MiB inflated): held once (2.0 GB), not twice.
    m3=$mem/M3_string_1.9GiB.pb.gz
    measure_run M3_string_1.9GiB 2700 -top "$m3" && ok_report M3_string_1.9GiB
    measure_run M3_string_over_budget 600 -top -max_memory=1GiB "$m3" &&
        check_error M3_string_over_budget "max_memory" "$m3"
    # Piped input stops one byte past its cap: 600 MiB piped against a
    # 256 MiB budget is refused holding 256 MiB (before, twice that).
    timeout -k 5 "$MEMTIMEOUT" sh -c 'gzip -dc "$1" | head -c 629145600 |
        "$2" --stdout "$3/out" --stderr "$3/err" -- "$4" -top -max_memory=256MiB -' sh "$m3" "$TOOLS/measure" "$tmp" "$PPROF" \
        >"$tmp/measure"
    rc=$(sed -n 's/.*rc=\([0-9]*\).*/\1/p' "$tmp/measure")
    rss=$(sed -n 's/.*rss_mb=\([0-9]*\).*/\1/p' "$tmp/measure")
    printf '     pipe_at_cap: %s\n' "$(cat "$tmp/measure")"
    if [ -z "$rss" ] || [ "$rss" -gt 384 ]; then
        fail_case pipe_at_cap "peak RSS ${rss:-?} MiB for a 256 MiB cap, want at most 384"
    else
        check_error pipe_at_cap "max_memory" "-"
    fi
    rm -rf "$mem"
else
    fail_case memory_cases "could not write the memory cases with $TOOLS/gen_bad (or $TOOLS/measure is missing)"
fi

finish
