#!/bin/sh
# run.sh: perf.data input checked against perf itself: programs compiled and recorded here (perf record -g, without -g,
# two events, pipe mode), every stack and count compared with perf script's, totals with perf report's, labels, merge,
# -diff_base, windows and refusals (DWARF call graphs).
#
# Usage, from the repo root:  PPROF=build/pprof sh tests/perf/run.sh
# Skips (exit 0, saying why) only when perf is not installed or the kernel forbids perf_event_open.

set -u
PPROF=${PPROF:-build/pprof}
PPROF=$(cd "$(dirname "$PPROF")" && pwd)/$(basename "$PPROF")
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-perf.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT

ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }
finish() {
    printf 'perf: %d passed, %d failed\n' "$pass" "$fail"
    [ "$fail" -eq 0 ]
    exit $?
}
# same_list NAME WANT GOT: ok when WANT lists something and GOT is the same
# ("name count" lines of perf's and ours).
same_list() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then
        ok "$1 as perf report: $(tr '\n' ' ' <"$2")"
    else
        bad "$1" "perf: $(tr '\n' ' ' <"$2") ours: $(tr '\n' ' ' <"$3")"
    fi
}
# same_count NAME WANT GOT: ok when perf's count WANT is positive and ours is GOT.
same_count() {
    if [ "$2" -gt 0 ] 2>/dev/null && [ "$2" = "$3" ]; then ok "$1: $3 as perf"; else bad "$1" "perf $2, ours $3"; fi
}
skip() {
    printf 'perf: SKIP: %s\n' "$1"
    finish
}

# ---------------------------------------------------------------- synthetic files (no perf needed)
# tests/bad/gen_perf_bad.c writes the same small program's samples with frame-pointer callchains
# and with an LBR call stack (call sites from branch records): both must give the same stacks.
TOOLS=${TOOLS:-build/tools}
gen=$TOOLS/gen_perf_bad
if [ ! -x "$gen" ]; then
    gen=$tmp/gen_perf_bad
    $CC -std=c11 -O2 -o "$gen" "$HERE/../bad/gen_perf_bad.c" 2>/dev/null || gen=""
fi
if [ -n "$gen" ] && mkdir "$tmp/synth" && "$gen" "$tmp/synth"; then
    "$PPROF" -raw "$tmp/synth/perf_ok_file.data" 2>&1 | grep -v '^Time:' >"$tmp/file.raw"
    "$PPROF" -raw "$tmp/synth/perf_ok_lbr.data" 2>&1 | grep -v '^Time:' >"$tmp/lbr.raw"
    awk -v rel=0 -f "$HERE/collapse_raw.awk" "$tmp/lbr.raw" | sort >"$tmp/lbr.stacks"
    printf '%s\n' '-;synth;100;100;401011;401051;401200 20' '-;synth;100;100;401011;401051;401300 10' >"$tmp/lbr.want"
    if cmp -s "$tmp/lbr.want" "$tmp/lbr.stacks" && cmp -s "$tmp/file.raw" "$tmp/lbr.raw"; then
        ok "LBR call stack (synthetic): the profile of the frame-pointer recording"
    else
        bad "LBR call stack (synthetic)" "$(tr '\n' ' ' <"$tmp/lbr.stacks")"
    fi
    "$PPROF" -raw "$tmp/synth/perf_ok_pipe.data" 2>&1 | grep -v '^Time:' >"$tmp/pipe.raw"
    if grep -q '^Samples:' "$tmp/file.raw" && cmp -s "$tmp/pipe.raw" "$tmp/file.raw"; then
        ok "pipe and file mode (synthetic): the same profile"
    else
        bad "pipe and file mode (synthetic)" "$(diff "$tmp/pipe.raw" "$tmp/file.raw" | head -3 | tr '\n' ' ')"
    fi
    # perf record -z: the same records as zstd-compressed records straddling them (COMPRESSED in
    # file mode, COMPRESSED2 in pipe mode)
    for z in compressed compressed_pipe; do
        "$PPROF" -raw "$tmp/synth/perf_ok_$z.data" 2>&1 | grep -v '^Time:' >"$tmp/$z.raw"
        if grep -q '^Samples:' "$tmp/file.raw" && cmp -s "$tmp/$z.raw" "$tmp/file.raw"; then
            ok "compressed records (synthetic, $z): the profile of the uncompressed file"
        else
            bad "compressed records (synthetic, $z)" "$(diff "$tmp/$z.raw" "$tmp/file.raw" | head -3 | tr '\n' ' ')"
        fi
    done
else
    bad "synthetic perf.data files" "could not build or run gen_perf_bad"
fi

command -v perf >/dev/null 2>&1 || skip "perf is not installed (Debian package linux-perf)"
if ! perf record -q -e cpu-clock -o "$tmp/probe.data" true >"$tmp/probe.out" 2>&1; then
    if grep -q -i -E 'permission|not permitted|perf_event_paranoid|access' "$tmp/probe.out"; then
        skip "this machine forbids perf_event_open ($(grep -i -m1 -E 'permission|paranoid|not permitted' "$tmp/probe.out"))"
    fi
    bad "perf record works" "$(head -3 "$tmp/probe.out")"
    finish
fi

# Leaf frames keep their frame pointer too, so each function's caller is in the chain.
$CC -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -pthread -o "$tmp/prog" "$HERE/prog.c" ||
    { bad "compile prog.c" "$CC failed"; finish; }
cd "$tmp" || exit 1

record() { # name args...: perf record -o name.data args ./prog
    _n=$1
    shift
    if ! perf record -q "$@" -o "$_n.data" ./prog 15000 >"$_n.rec" 2>&1; then
        bad "record $_n" "$(head -2 "$_n.rec")"
        return 1
    fi
}

# parity NAME FILE REL EVENTS...: every stack of every event, with its sample count, as perf script shows it.
parity() {
    _name=$1 _file=$2 _rel=$3
    shift 3
    perf script -F event,comm,pid,tid,ip,dso -i "$_file" 2>/dev/null | awk -f "$HERE/collapse_perf.awk" | sort >"$_name.want"
    : >"$_name.got.u"
    _col=0
    for _ev in "$@"; do
        "$PPROF" -raw "$_file" 2>"$_name.err" |
            awk -v col=$_col -v ev="$_ev" -v rel="$_rel" -f "$HERE/collapse_raw.awk" >>"$_name.got.u"
        _col=$((_col + 2))
    done
    sort "$_name.got.u" >"$_name.got"
    _stacks=$(wc -l <"$_name.want")
    _samples=$(awk '{s += $NF} END {print s + 0}' "$_name.want")
    if [ "$_stacks" -gt 0 ] && cmp -s "$_name.want" "$_name.got"; then
        ok "$_name: $_stacks stacks, $_samples samples, as perf script"
    else
        bad "$_name" "stacks differ from perf script ($_stacks stacks): $(diff "$_name.want" "$_name.got" | head -4 | tr '\n' ' ')$(head -1 "$_name.err")"
    fi
}

# total_samples FILE: perf report's sample count (all events).
perf_samples() { perf report -i "$1" --stdio -n --no-children -g none --sort pid 2>/dev/null | awk '/^#/ || NF < 3 {next} {s += $2} END {print s + 0}'; }
# our total of sample index IDX.
our_total() { "$PPROF" -raw "$1" | awk -v col="$2" '/^Samples:/{s=1; getline; next} /^Locations/{s=0} s && /^ *[0-9-]+( +[0-9-]+)*:/ {split($0, a, ":"); split(a[1], v, " "); t += v[col+1]} END {printf "%.0f", t}'; }

# ---------------------------------------------------------------- recordings compared with perf script
if record fp -e cpu-clock -g; then
    parity "frame-pointer callchains (-g)" fp.data 1 cpu-clock
fi
if record zstd -z -e cpu-clock -g; then
    if perf report --header-only -i zstd.data 2>/dev/null | grep -q '^# compressed : Zstd'; then
        parity "compressed records (perf record -z)" zstd.data 1 cpu-clock
    else
        bad "perf record -z" "perf wrote no compressed records: $(perf report --header-only -i zstd.data 2>&1 | grep -i compress)"
    fi
fi
if record flat -e cpu-clock; then
    parity "no callchains" flat.data 0 cpu-clock
fi
if record two -e cpu-clock,task-clock -g; then
    parity "two events (-e cpu-clock,task-clock -g)" two.data 1 cpu-clock task-clock
    if "$PPROF" -raw two.data | grep -q '^cpu-clock_sample/count cpu-clock_event/nanoseconds task-clock_sample/count task-clock_event/nanoseconds\[dflt\]'; then
        ok "two events: sample types per event, last period the default"
    else
        bad "two events: sample types" "$("$PPROF" -raw two.data | sed -n '/^Samples:/{n;p;}')"
    fi
fi
if perf record -q -e cpu-clock -g -o - ./prog 15000 2>pipe.rec | tee pipe.data | "$PPROF" -raw - >pipe.raw 2>pipe.err &&
    [ -s pipe.data ]; then
    parity "pipe mode (perf record -o - | pprof -raw -)" pipe.data 1 cpu-clock
    awk -v rel=1 -v ev=cpu-clock -f "$HERE/collapse_raw.awk" pipe.raw | sort >pipe.stdin
    if [ -s pipe.stdin ] && cmp -s pipe.stdin "pipe mode (perf record -o - | pprof -raw -).got"; then
        ok "pipe mode: standard input read as the saved stream"
    else
        bad "pipe mode: standard input" "$(head -2 pipe.err)"
    fi
else
    bad "pipe mode" "$(head -2 pipe.rec pipe.err)"
fi

# ---------------------------------------------------------------- totals as perf report shows them
if [ -f fp.data ]; then
    same_count "sample total (perf report)" "$(perf_samples fp.data)" "$(our_total fp.data 0)"
    same_count "event count in ns (perf report)" \
        "$(perf report -i fp.data --stdio 2>/dev/null | awk '/^# Event count \(approx.\):/ {print $NF}')" "$(our_total fp.data 1)"
    # -top's header: the main binary (or perf's build-id cache copy of it, ~/.debug/.../elf, which
    # the symbolizer finds by build id) and its build id, the command, the total in time
    "$PPROF" -top fp.data >top.out 2>&1
    bid=$(perf buildid-list -i fp.data 2>/dev/null | awk '$2 ~ /\/prog$/ {print $1}')
    if grep -q -E '^File: (prog|elf)$' top.out && grep -q "^Build ID: $bid\$" top.out && grep -q '^Type: cpu-clock_event$' top.out &&
        grep -q 'perf-command:.*perf record .*-o fp.data ./prog' top.out; then
        ok "-top header: File, Build ID, Type, perf command"
    else
        bad "-top header" "$(head -6 top.out | tr '\n' '|')"
    fi
fi

# ---------------------------------------------------------------- hottest functions, symbolized, as perf report
# Our names come from our own symbolizer (ELF/DWARF, kallsyms); perf report's from perf. Functions
# with at least 2% of the samples: the same flat sample count (perf report --no-children -n) and the
# same cumulative share (perf report --children), printed alike (%.2f%%).
if [ -f fp.data ]; then
    perf report -i fp.data --stdio -n --no-children --sort sym -g none 2>/dev/null |
        awk '/^#/ || NF < 4 {next} $1 + 0 >= 2 {print $4, $2}' | sort >flat.want
    perf report -i fp.data --stdio --children --sort sym -g none 2>/dev/null |
        awk '/^#/ || NF < 4 {next} $1 + 0 >= 10 {print $4, $1}' | sort >cum.want
    "$PPROF" -top -nodecount=0 -sample_index=cpu-clock_sample fp.data 2>/dev/null >ours.top.out
    total=$(awk '/^Showing nodes accounting for/ {print $(NF-1)}' ours.top.out)
    awk '/^ *[0-9]+ +[0-9.]+% / && NF == 6 {print $6, $1, $5, $4}' ours.top.out >ours.top
    awk 'NR == FNR {flat[$1] = $2; next} {print $1, ($1 in flat) ? flat[$1] : "missing"}' ours.top flat.want | sort >flat.got
    # An exact tie (cum/total*100 ends in a 5 at the third decimal, as
    # 261/480: 54.375) rounds either way: perf computes 100*period/total,
    # pprof (as go) cum/total*100, whose rounding error picks the side. At
    # such a tie perf's neighbour is pprof's too; nowhere else.
    awk -v total="$total" 'NR == FNR {cum[$1] = $3; n[$1] = $4; next}
        !($1 in cum) {print $1, "missing"; next}
        {x = n[$1] * 100000; d = cum[$1] - $2
         tie = total > 0 && x % total == 0 && (x / total) % 10 == 5 && d < 0.0101 && d > -0.0101
         print $1, tie ? $2 : cum[$1]}' ours.top cum.want | sort >cum.got
    same_list "hottest functions' sample counts" flat.want flat.got
    same_list "cumulative shares (--children)" cum.want cum.got
fi

# ---------------------------------------------------------------- [vdso] and JIT frames named as perf names them
# perf_flat_dso DSO_RE FILE: "name count" of perf report's functions (dso, symbol) whose dso matches,
# with at least 20 samples. Addresses no symbol covers, which perf lists one by one (0x00000000000007bd
# below a vDSO's first function), are one node at function granularity, named [DSO] as pprof does.
perf_flat_dso() {
    perf report -i "$2" --stdio -n --no-children --sort dso,sym -g none 2>/dev/null |
        awk -v re="$1" '/^#/ || NF < 5 {next}
            $3 ~ re { name = $NF ~ /^0x[0-9a-f]+$/ ? "[" $3 "]" : $NF; n[name] += $2 }
            END { for (k in n) if (n[k] >= 20) print k, n[k] }' | sort
}
ours_flat() { # FILE NAMES_FILE: our flat sample count of each name
    "$PPROF" -top -nodecount=0 -sample_index=cpu-clock_sample "$1" 2>/dev/null |
        awk '/^ *[0-9]+ +[0-9.]+% / && NF == 6 {print $6, $1}' >"$1.top"
    awk 'NR == FNR {flat[$1] = $2; next} {print $1, ($1 in flat) ? flat[$1] : "missing"}' "$1.top" "$2" | sort
}
# vdso_case NAME LABEL PERF_OPTIONS...: the vdso program recorded, its [vdso] frames as perf names them.
vdso_case() {
    _n=$1 _label=$2
    shift 2
    if perf record -q "$@" -e cpu-clock -g -o "$_n.data" ./vdso 3000000 >"$_n.rec" 2>&1; then
        perf_flat_dso '^\[vdso\]$' "$_n.data" >"$_n.want"
        ours_flat "$_n.data" "$_n.want" >"$_n.got"
        same_list "$_label" "$_n.want" "$_n.got"
    else
        bad "record vdso.c $*" "$(head -2 "$_n.rec")"
    fi
}
if $CC -O1 -g -fno-omit-frame-pointer -o vdso "$HERE/vdso.c"; then
    vdso_case vdso "[vdso] frames named and counted"
    # perf record -z records no build ids: this machine's vDSO names [vdso] for a local file, as perf does.
    vdso_case vdso_z "[vdso] without a build id (perf record -z)" -z
else
    bad "compile vdso.c" "$CC failed"
fi
# A JIT: code copied into anonymous executable memory, named in /tmp/perf-PID.map (x86-64 only).
if [ "$(uname -m)" = x86_64 ] && $CC -O1 -g -fno-omit-frame-pointer -o jit "$HERE/jit.c" &&
    perf record -q -e cpu-clock -g -o jit.data ./jit 300000000 >jit.out 2>jit.rec; then
    jitmap=$(cat jit.out)
    perf report -i jit.data --stdio -n --no-children --sort sym -g none 2>/dev/null |
        awk '/^#/ || NF < 4 {next} $2 >= 20 {print $4, $2}' | sort >jit.want
    ours_flat jit.data jit.want >jit.got
    grep -q '^jitted_spin ' jit.want || bad "JIT frames" "perf report names no jitted_spin from $jitmap"
    same_list "JIT frames named from $jitmap" jit.want jit.got
    case $jitmap in /tmp/perf-[0-9]*.map) rm -f "$jitmap" ;; esac
elif [ "$(uname -m)" = x86_64 ]; then
    bad "record jit.c" "$(head -2 jit.rec)"
fi

# ---------------------------------------------------------------- labels: pid, tid, comm
if [ -f fp.data ]; then
    for c in worker_a worker_b; do
        want=$(perf script -F comm -i fp.data 2>/dev/null | awk -v c="$c" '$1 == c {n++} END {print n + 0}')
        got=$("$PPROF" -top -nodefraction=0 -sample_index=cpu-clock_sample -tagfocus=comm="$c" fp.data 2>&1 |
            awk '/^Showing nodes accounting/ {sub(/,/, "", $5); print $5}')
        same_count "-tagfocus=comm=$c: samples (perf script)" "$want" "$got"
    done
    want=$(perf script -F comm -i fp.data 2>/dev/null | awk '$1 == "worker_a" {n++} END {print n + 0}')
    got=$("$PPROF" -top -sample_index=cpu-clock_sample -tagroot=comm fp.data 2>&1 | awk '$NF == "worker_a" {print $4}')
    if [ "$want" = "$got" ]; then ok "-tagroot=comm: worker_a's cum $got"; else bad "-tagroot=comm" "want cum $want, got '$got'"; fi
    npid=$(perf script -F pid -i fp.data 2>/dev/null | sort -u | wc -l)
    got=$("$PPROF" -tags fp.data 2>&1 | awk '/^ *pid:/ {s=1; next} /^ *[a-z]+:/ {s=0} s && NF {n++} END {print n + 0}')
    if [ "$npid" -ge 2 ] && [ "$npid" = "$got" ]; then ok "pid label: $got processes (parent and forked child)"; else bad "pid label" "perf script $npid pids, -tags $got"; fi
fi

# ---------------------------------------------------------------- several recordings
if [ -f fp.data ] && [ -f flat.data ]; then
    want=$(($(perf_samples fp.data) + $(perf_samples flat.data)))
    got=$("$PPROF" -top -sample_index=cpu-clock_sample fp.data flat.data 2>&1 | awk '/^Showing nodes accounting/ {print $NF == "total" ? $(NF-1) : ""}')
    if [ "$want" = "$got" ]; then ok "two recordings merge: $got samples"; else bad "merge" "want $want, got '$got'"; fi
    base=$(perf_samples flat.data)
    "$PPROF" -top -sample_index=cpu-clock_sample -diff_base=flat.data fp.data >diff.out 2>&1
    if grep -q "of $base total" diff.out; then ok "-diff_base between two recordings (base total $base)"; else bad "-diff_base" "$(head -8 diff.out | tr '\n' '|')"; fi
    mkdir -p dir && cp fp.data flat.data dir/
    since=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
    "$PPROF" -top -sample_index=cpu-clock_sample -window="$since.." dir >win_since.out 2>&1
    got=$(awk '/^Showing nodes accounting/ {print $(NF-1)}' win_since.out)
    if [ -n "$since" ] && [ "$got" = "$want" ]; then
        ok "-window over a directory of recordings: both selected"
    else
        # (once, under load: got '', stderr not kept; now it is shown)
        bad "-window" "want $want samples, got '$got' ($since..): $(grep -v '^ *[0-9]' win_since.out | head -6 | tr '\n' '|')"
    fi
    if "$PPROF" -top -window=..2001-01-01T00:00:00Z dir >win.out 2>&1; then bad "-window before the recordings" "selected something"; else ok "-window before the recordings selects none"; fi
fi

# ---------------------------------------------------------------- refusals
if perf record -q -e cpu-clock --call-graph=dwarf -o dwarf.data ./prog 3000 >dwarf.rec 2>&1; then
    if "$PPROF" -top dwarf.data >dwarf.out 2>dwarf.err; then
        bad "DWARF call graphs refused" "exit 0"
    elif grep -q -- '--call-graph=dwarf' dwarf.err && [ "$(wc -l <dwarf.err)" -le 2 ]; then
        ok "DWARF call graphs refused, naming the mode"
    else
        bad "DWARF call graphs refused" "$(head -2 dwarf.err)"
    fi
else
    bad "record --call-graph=dwarf" "$(head -2 dwarf.rec)"
fi

finish
