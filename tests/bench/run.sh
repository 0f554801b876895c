# run.sh: the `make bench` driver: generates the benchmark profiles, then times pprof commands on them (wall time, peak RSS).
#
# Run from the repo root:  PPROF=build/pprof TOOLS=build/tools sh tests/bench/run.sh
# Environment:
#   PPROF           program under test (default build/pprof)
#   TOOLS           where gen_profile and measure are built (default build/tools)
#   BENCH_DIR       profiles and outputs (default build/bench)
#   BENCH_PROFILES  which profiles, in order (default "big big100k medium deep wide labels types")
#   BENCH_SIZE      full (default) or quick: a tenth of the samples of every
#                   profile and of the captures, no go tool pprof (a minute)
#   BENCH_RUNS      runs of each command; the fastest run is shown (default 1)
#   BENCH_GO_BIG    1: also run go tool pprof on the profiles of more than
#                   100,000 samples (takes many minutes); by default go runs
#                   only on the 100,000-sample ones (medium, deep)
#   BENCH_SHELL     0: skip the interactive shell timing
#   BENCH_WEBUI     0: skip the web UI's view latencies
#   BENCH_WEBUI_PROFILES  the profiles whose web UI views are timed (default
#                   "big wide labels"; each against its own cold -top)
# Columns: wall time in seconds and as a multiple of `gzip -dc`'s; CPU time
# (user + system, all threads) in seconds and as a multiple of gzip's (steadier
# than wall time when other jobs load the machine; a second thread makes CPU
# time exceed wall time); peak RSS in MiB and as a multiple of the
# uncompressed profile size.
# Exit status: 0 whatever the timings, also when a command fails ("failed (rc=N)");
# 1 when a tool is missing or a command crashed (killed by a signal).

# ---------------------------------------------------------------- what is measured
# One command a line: "go" if `go tool pprof` should run it too for comparison
# (with -symbolize=none added), else "-"; then the arguments given to $PPROF
# before the profile file. @OUT@ stands for $BENCH_DIR/out.pb.gz.
# -focus=Type0|Type1 matches 13 of every 40 functions gen_profile makes
# (pkgP.(*TypeT).MethodM with T = 0 or 1), so the filter does real work.
COMMANDS='
go  -top
-   -top -focus=Type0|Type1
-   -raw
-   -proto -output=@OUT@
-   -top -lines
go  -tree
-   -traces
-   -folded
-   -flamegraph
go  -dot
-   -svg
'

# One profile a line: name, then gen_profile options (--samples first: BENCH_SIZE=quick
# divides it by ten). Shapes:
#   big     1M samples, stacks up to 70 frames, 200,000 locations, 50,000 functions: ~127 MB raw
#   big100k the same shape with 100,000 samples: ~19 MB raw (the shape #16's
#           100x-go target names)
#   medium  100,000 samples over 20,000 locations and 5,000 functions: ~10 MB raw
#   deep    100,000 samples with stacks of 100-300 frames (mean 200)
#   wide    500,000 functions, 1,000,000 locations
#   labels  every sample labelled, span_id with 200,000 distinct values, pod with 12,500
#   types   16 sample types
PROFILES='
big     --samples 1000000 --locations 200000 --functions 50000 --max-depth 70 --inline-frac 0.1 --label-frac 0.1 --types 2 --seed 1
big100k --samples 100000  --locations 200000 --functions 50000 --max-depth 70 --inline-frac 0.1 --label-frac 0.1 --types 2 --seed 1
medium  --samples 100000  --locations 20000  --functions 5000  --max-depth 70 --inline-frac 0.1 --label-frac 0.1 --types 2 --seed 1
deep    --samples 100000  --locations 200000 --functions 50000 --max-depth 300 --avg-depth 200 --inline-frac 0.1 --label-frac 0.1 --types 2 --seed 2
wide    --samples 300000  --locations 1000000 --functions 500000 --max-depth 70 --inline-frac 0.1 --label-frac 0.1 --types 2 --seed 3
labels  --samples 300000  --locations 20000  --functions 5000  --max-depth 70 --inline-frac 0.1 --label-frac 1 --label-values 200000 --types 2 --seed 4
types   --samples 300000  --locations 20000  --functions 5000  --max-depth 70 --inline-frac 0.1 --label-frac 0.1 --types 16 --seed 5
'

# ---------------------------------------------------------------- set-up
PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
BENCH_DIR=${BENCH_DIR:-build/bench}
BENCH_PROFILES=${BENCH_PROFILES:-big big100k medium deep wide labels types}
BENCH_SIZE=${BENCH_SIZE:-full}
BENCH_RUNS=${BENCH_RUNS:-1}
BENCH_GO_BIG=${BENCH_GO_BIG:-0}
SRC_DIR=$(dirname "$0")
GEN=$TOOLS/gen_profile
MEASURE=$TOOLS/measure
OUT=$BENCH_DIR/out.pb.gz
ERR=$BENCH_DIR/stderr.txt
status=0

for tool in "$GEN" "$MEASURE"; do
    if [ ! -x "$tool" ]; then
        echo "bench: missing $tool (build it with: make tools)" >&2
        exit 1
    fi
done
if ! command -v gzip >/dev/null 2>&1; then
    echo "bench: gzip is not installed" >&2
    exit 1
fi
case $BENCH_SIZE in
    full) SIZE_DIV=1 ;;
    quick) SIZE_DIV=10 HAVE_GO_OK=0 ;;
    *) echo "bench: BENCH_SIZE must be full or quick" >&2; exit 1 ;;
esac
case $BENCH_RUNS in
    '' | *[!0-9]* | 0) echo "bench: BENCH_RUNS must be a positive integer" >&2; exit 1 ;;
esac
mkdir -p "$BENCH_DIR" || exit 1
HAVE_GO=0
command -v go >/dev/null 2>&1 && [ "${HAVE_GO_OK:-1}" = 1 ] && HAVE_GO=1

# ---------------------------------------------------------------- helpers
# gen NAME OPTIONS...: makes $BENCH_DIR/NAME.pb.gz unless it is there and was made
# by the same gen_profile.c with the same options; NAME.info keeps that key and
# the uncompressed size. Sets RAW_BYTES.
gen() {
    name=$1
    shift
    file=$BENCH_DIR/$name.pb.gz
    info=$BENCH_DIR/$name.info
    key="$(cksum <"$SRC_DIR/gen_profile.c" | awk '{print $1}') $*"
    if [ -f "$file" ] && [ -f "$info" ] && [ "$(sed -n 's/^key=//p' "$info")" = "$key" ]; then
        RAW_BYTES=$(sed -n 's/^raw_bytes=//p' "$info")
        return 0
    fi
    echo "generating $file ..."
    rm -f "$info"
    if ! "$GEN" "$@" --out "$file"; then
        echo "bench: gen_profile failed for $name" >&2
        exit 1
    fi
    RAW_BYTES=$(gzip -dc "$file" | wc -c | tr -d ' ')
    printf 'key=%s\nraw_bytes=%s\n' "$key" "$RAW_BYTES" >"$info"
}

# measure_cmd COMMAND...: runs COMMAND under measure BENCH_RUNS times, stdout to
# /dev/null, stderr to $ERR. Sets WALL (fastest run), CPU (least), RSS (largest),
# RC and SIG (of the first failing run, else 0 and empty).
measure_cmd() {
    WALL='' CPU='' RSS='' RC=0 SIG=''
    run=0
    while [ "$run" -lt "$BENCH_RUNS" ]; do
        run=$((run + 1))
        line=$("$MEASURE" --stderr "$ERR" -- "$@" </dev/null)
        w='' u='' r='' c=125 s=''
        for kv in $line; do
            case $kv in
                wall=*) w=${kv#wall=} ;;
                cpu=*) u=${kv#cpu=} ;;
                rss_mb=*) r=${kv#rss_mb=} ;;
                rc=*) c=${kv#rc=} ;;
                signal=*) s=${kv#signal=} ;;
            esac
        done
        if [ "$c" != 0 ] || [ -z "$w" ]; then
            RC=$c SIG=$s
            return 0
        fi
        WALL=$(awk -v a="$WALL" -v b="$w" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
        CPU=$(awk -v a="$CPU" -v b="$u" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
        RSS=$(awk -v a="$RSS" -v b="$r" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }')
    done
}

# row LABEL: prints the last measure_cmd's result as a table row, relative to
# BASE_WALL and RAW_BYTES; notes crashes in $status.
row() {
    if [ "$RC" = 0 ]; then
        awk -v label="$1" -v wall="$WALL" -v base="$BASE_WALL" -v cpu="$CPU" -v bcpu="$BASE_CPU" \
            -v rss="$RSS" -v raw="$RAW_BYTES" 'BEGIN {
            xs = base > 0 ? sprintf("%8.2f", wall / base) : "       -"
            xc = bcpu > 0 ? sprintf("%7.2f", cpu / bcpu) : "      -"
            printf "%-44s %8.3f %s %7.3f %s %9.1f %7.2f  ok\n", label, wall, xs, cpu, xc, rss, rss * 1048576 / raw
        }'
    else
        if [ -n "$SIG" ]; then
            result="CRASHED (signal $SIG, rc=$RC)"
            status=1
        else
            result="failed (rc=$RC)"
        fi
        printf '%-44s %8s %8s %7s %7s %9s %7s  %s\n' "$1" - - - - - - "$result"
        if [ -s "$ERR" ]; then
            sed -n '1,3s/^/      | /p' "$ERR"
        fi
    fi
}

header() {
    printf '%-44s %8s %8s %7s %7s %9s %7s  %s\n' command "wall s" "x gzip" "cpu s" "x gzip" "rss MiB" "x raw" status
}

# ---------------------------------------------------------------- run
echo "bench: PPROF=$PPROF, $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cpus, best of $BENCH_RUNS run(s)"
[ -x "$PPROF" ] || echo "bench: note: $PPROF is not there (make all): its commands will fail"
[ "$HAVE_GO" = 1 ] || echo "bench: note: go is not on PATH: no comparison with go tool pprof"

for want in $BENCH_PROFILES; do
    opts=$(printf '%s\n' "$PROFILES" | awk -v n="$want" '$1 == n { $1 = ""; print }')
    if [ -z "$opts" ]; then
        echo "bench: unknown profile '$want' in BENCH_PROFILES" >&2
        exit 1
    fi
    opts=$(printf '%s\n' "$opts" | awk -v d="$SIZE_DIV" '{ $2 = int($2 / d); print }')
    nsamples=$(printf '%s\n' "$opts" | awk '{ print $2 }')
    name=$want
    [ "$SIZE_DIV" = 1 ] || name=$want-quick
    # shellcheck disable=SC2086 # the options are separate words
    gen "$name" $opts
    file=$BENCH_DIR/$name.pb.gz
    gz_bytes=$(wc -c <"$file" | tr -d ' ')
    echo
    awk -v f="$file" -v gz="$gz_bytes" -v raw="$RAW_BYTES" -v o="$opts" 'BEGIN {
        printf "== %s: %.1f MiB gzipped, %.1f MiB raw (%d bytes);%s\n", f, gz / 1048576, raw / 1048576, raw, o }'
    header

    measure_cmd gzip -dc "$file"
    BASE_WALL= BASE_CPU=
    [ "$RC" = 0 ] && BASE_WALL=$WALL BASE_CPU=$CPU
    row "gzip -dc (baseline)"
    # ISA-L's igzip (package isal) inflates as fast as any inflater Debian
    # has: its time is the floor for any reader of the file, pprof's own
    # inflater (ISA-L too) included. The go comparison says what 100x needs.
    FLOOR_WALL=
    if command -v igzip >/dev/null 2>&1; then
        measure_cmd igzip -dc "$file"
        [ "$RC" = 0 ] && FLOOR_WALL=$WALL
        row "igzip -dc (inflate alone: the floor)"
    fi

    go_lines=
    while read -r go_flag args; do
        [ -n "$go_flag" ] || continue
        args=$(printf '%s' "$args" | sed "s|@OUT@|$OUT|g")
        # shellcheck disable=SC2086 # the arguments are separate words
        measure_cmd "$PPROF" $args "$file"
        row "pprof $args"
        ours_wall= ours_cpu=
        [ "$RC" = 0 ] && ours_wall=$WALL ours_cpu=$CPU

        if [ "$go_flag" = go ] && [ "$HAVE_GO" = 1 ]; then
            if [ "$nsamples" -le 100000 ] || [ "$BENCH_GO_BIG" = 1 ]; then
                # shellcheck disable=SC2086
                measure_cmd go tool pprof $args -symbolize=none "$file"
                row "go tool pprof $args -symbolize=none"
                if [ "$RC" != 0 ]; then
                    go_lines="${go_lines}  pprof $args vs go tool pprof: n/a (go tool pprof failed)
"
                elif [ -z "$ours_wall" ]; then
                    go_lines="${go_lines}  pprof $args vs go tool pprof: n/a (pprof $args failed)
"
                else
                    go_lines="$go_lines$(awk -v a="$args" -v go="$WALL" -v ours="$ours_wall" -v goc="$CPU" -v oursc="$ours_cpu" 'BEGIN {
                        x = ours > 0 ? go / ours : 0
                        xc = oursc > 0 ? goc / oursc : 0
                        printf "  pprof %s: %.1fx as fast as go tool pprof (%.3f s vs %.3f s wall), %.1fx in CPU time (%.3f s vs %.3f s)", a, x, ours, go, xc, oursc, goc }')
$(awk -v go="$WALL" -v floor="$FLOOR_WALL" 'BEGIN {
                        if (floor != "")
                            printf "    100x go is %.3f s wall; igzip -dc alone takes %.3f s (%.0f%% of it)", go / 100, floor, 100 * floor * 100 / go
                        else
                            printf "    100x go is %.3f s wall", go / 100 }')
"
                fi
            else
                go_lines="${go_lines}  go tool pprof $args: skipped over 100,000 samples (BENCH_GO_BIG=1 runs it)
"
            fi
        fi
    done <<EOF
$COMMANDS
EOF
    printf '%s' "$go_lines"

    # The interactive shell, fed by a pipe: the time one more command takes on
    # the loaded profile is (6 commands - 1 command) / 5.
    if [ "${BENCH_SHELL:-1}" = 1 ]; then
        for cmd in top tree; do
            printf '%s\n' "$cmd" >"$BENCH_DIR/shell1.txt"
            printf '%s\n%s\n%s\n%s\n%s\n%s\n' "$cmd" "$cmd" "$cmd" "$cmd" "$cmd" "$cmd" >"$BENCH_DIR/shell6.txt"
            measure_cmd sh -c "'$PPROF' '$file' <'$BENCH_DIR/shell1.txt'"
            one=$WALL onec=$CPU rc1=$RC
            measure_cmd sh -c "'$PPROF' '$file' <'$BENCH_DIR/shell6.txt'"
            if [ "$rc1" = 0 ] && [ "$RC" = 0 ]; then
                awk -v a="$one" -v b="$WALL" -v ac="$onec" -v bc="$CPU" -v c="$cmd" 'BEGIN {
                    printf "%-44s %8.3f %8s %7.3f\n", "shell: one more \"" c "\" (piped, loaded)", (b - a) / 5, "", (bc - ac) / 5 }'
            else
                row "shell: $cmd (piped)"
            fi
        done
    fi
done

# Folded input: a file of about 100,000 distinct stacks (average depth 20),
# made from a generated profile, read and rendered as a flame graph.
FOLDED=$BENCH_DIR/stacks.folded
if [ ! -s "$FOLDED" ]; then
    "$GEN" --samples 600000 --locations 200000 --functions 50000 --max-depth 40 --avg-depth 20 \
        --inline-frac 0 --label-frac 0 --types 1 --seed 7 --out "$BENCH_DIR/stacks.pb.gz" >/dev/null &&
        "$PPROF" -folded "$BENCH_DIR/stacks.pb.gz" > "$FOLDED"
fi
if [ -s "$FOLDED" ]; then
    echo
    echo "== $FOLDED: $(wc -l < "$FOLDED" | tr -d ' ') distinct stacks, $(wc -c < "$FOLDED" | tr -d ' ') bytes"
    printf '%-44s %8s %9s  %s\n' command "wall s" "rss MiB" status
    for args in "-flamegraph" "-top" "-folded"; do
        measure_cmd "$PPROF" $args "$FOLDED"
        if [ "$RC" = 0 ]; then
            printf '%-44s %8.3f %9.1f  ok\n' "pprof $args (folded input)" "$WALL" "$RSS"
        else
            printf '%-44s %8s %9s  failed (rc=%s)\n' "pprof $args (folded input)" - - "$RC"
        fi
    done
fi

# Many sources: a directory of 500 captures of 10,000 samples each (time
# spread over 500 minutes, shared call tree, seeds varying), merged one at a
# time. Target: under 5 s and 300 MB; each report's peak RSS at most twice
# the captures' raw size (the "x raw" column). BENCH_MERGE=0 skips it.
if [ "${BENCH_MERGE:-1}" = 1 ]; then
    NCAPS=$((500 / SIZE_DIV))
    CAPS=$BENCH_DIR/captures
    [ "$SIZE_DIV" = 1 ] || CAPS=$BENCH_DIR/captures-quick
    key="$(cksum <"$SRC_DIR/gen_profile.c" | awk '{print $1}') ${NCAPS}x10000"
    if [ ! -f "$CAPS/.key" ] || [ "$(cat "$CAPS/.key")" != "$key" ]; then
        echo
        echo "generating $CAPS ($NCAPS profiles) ..."
        rm -rf "$CAPS" && mkdir -p "$CAPS"
        i=0
        while [ $i -lt $NCAPS ]; do
            "$GEN" --samples 10000 --locations 4000 --functions 1500 --max-depth 40 --label-frac 0.1 --types 2 \
                --seed $((i % 50 + 1)) --time-nanos $((1763888400 + i * 60))000000000 --duration-nanos 60000000000 \
                --level 1 --out "$CAPS/cpu-$(printf %03d $i).pb.gz" 2>/dev/null || { echo "bench: gen_profile failed" >&2; exit 1; }
            i=$((i + 1))
        done
        printf "%s" "$key" > "$CAPS/.key"
    fi
    caps_gz=$(cat "$CAPS"/*.pb.gz | wc -c | tr -d ' ')
    RAW_BYTES=$(cat "$CAPS"/*.pb.gz | gzip -dc | wc -c | tr -d ' ')
    echo
    awk -v n="$NCAPS" -v gz="$caps_gz" -v raw="$RAW_BYTES" 'BEGIN {
        printf "== %d captures of 10,000 samples: %.1f MiB gzipped, %.1f MiB raw\n", n, gz / 1048576, raw / 1048576 }'
    header
    measure_cmd sh -c "cat '$CAPS'/*.pb.gz | gzip -dc"
    BASE_WALL= BASE_CPU=
    [ "$RC" = 0 ] && BASE_WALL=$WALL BASE_CPU=$CPU
    row "cat | gzip -dc (baseline)"
    for args in "-top" "-top -window=-1h.." "-tree" "-flamegraph" "-dot" "-svg" "-proto -output=$OUT"; do
        # shellcheck disable=SC2086
        measure_cmd "$PPROF" $args "$CAPS"
        row "pprof $args captures/"
    done
fi

# Web UI: each view of a profile served by pprof -http (the profile is
# loaded once; each request forks a copy-on-write view), timed with curl
# twice, against a cold `pprof -top` of the same file; and the shell's
# commands on the loaded profile. BENCH_WEBUI=0 skips it; BENCH_WEBUI_PROFILES
# names the profiles (default "big wide labels", those made above).
webui_bench() {
    WEB=$1
    echo
    echo "== web UI: view latencies on $WEB (pprof -http, profile loaded once)"
    measure_cmd "$PPROF" -top "$WEB"
    cold=$WALL coldc=$CPU
    # The shell on the same profile: one more command on the loaded profile.
    if [ "${BENCH_SHELL:-1}" = 1 ]; then
        printf '%-44s %8s %8s %7s %8s\n' "shell (piped, loaded $WEB)" "wall s" "" "cpu s" "cpu x cold"
        for cmd in top tree "peek Method1\$" "focus=Type0|Type1
top"; do
            printf '%s\n' "$cmd" >"$BENCH_DIR/shell1.txt"
            printf '%s\n%s\n%s\n%s\n%s\n%s\n' "$cmd" "$cmd" "$cmd" "$cmd" "$cmd" "$cmd" >"$BENCH_DIR/shell6.txt"
            measure_cmd sh -c "'$PPROF' '$WEB' <'$BENCH_DIR/shell1.txt'"
            one=$WALL onec=$CPU rc1=$RC
            measure_cmd sh -c "'$PPROF' '$WEB' <'$BENCH_DIR/shell6.txt'"
            label=$(printf '%s' "$cmd" | tr '\n' ' ')
            if [ "$rc1" = 0 ] && [ "$RC" = 0 ]; then
                awk -v a="$one" -v b="$WALL" -v ac="$onec" -v bc="$CPU" -v c="$label" -v cold="$coldc" 'BEGIN {
                    printf "%-44s %8.3f %8s %7.3f %8.2f\n", "shell: one more \"" c "\"", (b - a) / 5, "", (bc - ac) / 5,
                        (cold > 0 ? (bc - ac) / 5 / cold : 0) }'
            else
                row "shell: $label (piped)"
            fi
        done
    fi
    weberr=$BENCH_DIR/webui.err
    HOME=$BENCH_DIR "$PPROF" -http=127.0.0.1:0 -no_browser "$WEB" >/dev/null 2>"$weberr" &
    webpid=$!
    # the server must not outlive the bench, also when it is interrupted
    trap 'kill $webpid 2>/dev/null' EXIT
    trap 'exit 1' INT TERM
    port='' i=0
    while [ -z "$port" ] && [ $i -lt 600 ] && kill -0 $webpid 2>/dev/null; do
        sleep 0.2
        port=$(sed -n 's|^Serving web UI on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$weberr")
        i=$((i + 1))
    done
    if [ -z "$port" ]; then
        echo "bench: pprof -http did not start: $(head -3 "$weberr")"
    else
        echo "cold pprof -top: ${cold} s wall, ${coldc} s CPU; server RSS $(awk '/^VmRSS:/ {printf "%.0f MiB", $2 / 1024}' /proc/$webpid/status)"
        echo "(view s: the server's Server-Timing for the view, wall and CPU, of the faster of two requests"
        echo " (the download: its first request, which encodes the profile, then one that finds it made);"
        echo " x cold: curl's wall time over the cold -top's; cpu x cold: the view's CPU time over the cold -top's)"
        printf '%-36s %8s %8s %8s %10s %7s %10s\n' view "curl s" "view s" "cpu s" bytes "x cold" "cpu x cold"
        # The download is encoded at the first one and kept: both are shown.
        for v in "top" "flamegraph" "" "peek?f=Method0" "top?f=Type0|Type1" "flamegraph?f=Type0|Type1" "tags" \
            "download" "download (again)"; do
            best='' tries="1 2" path=$v
            case $v in download) tries=1 ;; "download (again)") tries=1 path=download ;; esac
            for try in $tries; do
                r=$(curl -s -m 600 -o /dev/null -w '%{http_code} %{time_total} %{size_download} %header{server-timing}' \
                    "http://127.0.0.1:$port/ui/$path")
                best=$(echo "$r|$best" | awk -F'|' '{ split($1, a, " "); split($2, b, " ");
                    if ($2 == "" || a[2] + 0 < b[2] + 0) print $1; else print $2 }')
            done
            echo "$best" | awk -v v="/ui/$v" -v cold="$cold" -v coldc="$coldc" '{
                if ($1 != 200) { printf "%-36s failed (HTTP %s)\n", v, $1; next }
                view = "-"; cpu = "-"; xc = "-"
                if (match($0, /view;dur=[0-9.]+/)) view = sprintf("%.3f", substr($0, RSTART + 9, RLENGTH - 9) / 1000)
                if (match($0, /cpu;dur=[0-9.]+/)) cpu = sprintf("%.3f", substr($0, RSTART + 8, RLENGTH - 8) / 1000)
                if (cpu != "-" && coldc > 0) xc = sprintf("%.2f", cpu / coldc)
                printf "%-36s %8.3f %8s %8s %10d %7.2f %10s\n", v, $2, view, cpu, $3, (cold > 0 ? $2 / cold : 0), xc }'
        done
    fi
    kill $webpid 2>/dev/null
    wait $webpid 2>/dev/null
}

if [ "${BENCH_WEBUI:-1}" = 1 ] && command -v curl >/dev/null 2>&1; then
    for want in ${BENCH_WEBUI_PROFILES:-big wide labels}; do
        [ -f "$BENCH_DIR/$want.pb.gz" ] && webui_bench "$BENCH_DIR/$want.pb.gz"
    done
fi

rm -f "$ERR"
if [ "$status" != 0 ]; then
    echo
    echo "bench: a command CRASHED (see above)"
fi
exit "$status"
