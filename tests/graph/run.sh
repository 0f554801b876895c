#!/bin/sh
# run.sh: call graphs drawn in the process: -svg/-png/-pdf/-ps/-gif with no `dot` on PATH (valid SVG, image magic numbers, a PDF pdftoppm can read), output to a terminal, -web, and hostile names (spec/robustness.md cases 52-53).
#
# Usage (from the repository root): PPROF=build/pprof TOOLS=build/tools sh tests/graph/run.sh
# Needs xmllint; pdftoppm and script(1) checks are skipped (and said so) when missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
case $TOOLS in /*) ;; *) TOOLS=$(pwd)/$TOOLS ;; esac
data=$top/tests/data

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-graph.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# A PATH with none of the usual programs, dot in particular.
mkdir "$tmp/nodot"
NODOT_PATH=$tmp/nodot

pass=0
fail=0
ok() { pass=$((pass + 1)); [ "${VERBOSE:-0}" = 1 ] && echo "ok   $1"; return 0; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

# magic FILE: the first bytes as hex.
magic() { od -An -tx1 -N8 "$1" | tr -d ' \n'; }

# Graphviz draws one <g class="node"> per DOT node statement (nodes,
# nodelets, the legend box).
dot_nodes() { grep -c -E '^(N+[0-9_]+ \[label|subgraph cluster_L)' "$1"; }

# ---------------------------------------------------------------- formats without dot
if PATH=$NODOT_PATH command -v dot >/dev/null 2>&1; then
    bad "setup" "dot is still on the test PATH"
fi
for prof in sample.cpu cpu.pb.gz heap.pb.gz; do
    PATH=$NODOT_PATH "$PPROF" -dot "$data/$prof" >"$tmp/g.dot" 2>"$tmp/err" || bad "$prof dot" "exit $?"
    for fmt in svg png pdf ps gif; do
        name="$fmt $prof"
        out=$tmp/g.$fmt
        rm -f "$out"
        if ! PATH=$NODOT_PATH "$PPROF" -$fmt -output="$out" "$data/$prof" 2>"$tmp/err"; then
            bad "$name" "exit status $?: $(head -c 300 "$tmp/err")"
            continue
        fi
        [ -s "$tmp/err" ] && { bad "$name" "stderr: $(head -c 300 "$tmp/err")"; continue; }
        m=$(magic "$out")
        case $fmt in
        svg)
            if ! xmllint --noout "$out" 2>"$tmp/xml"; then
                bad "$name" "not well-formed XML: $(head -c 300 "$tmp/xml")"
            elif [ "$(grep -c 'class="node"' "$out")" != "$(dot_nodes "$tmp/g.dot")" ]; then
                bad "$name" "$(grep -c 'class="node"' "$out") nodes drawn, the DOT has $(dot_nodes "$tmp/g.dot")"
            elif ! grep -q '<g id="viewport"' "$out" || ! grep -q '<script' "$out"; then
                bad "$name" "no pan and zoom script"
            else
                ok "$name"
            fi ;;
        png) [ "$m" = 89504e470d0a1a0a ] && ok "$name" || bad "$name" "not a PNG ($m)" ;;
        gif) case $m in 474946383961* | 474946383761*) ok "$name" ;; *) bad "$name" "not a GIF ($m)" ;; esac ;;
        ps) [ "$(head -c 10 "$out")" = "%!PS-Adobe" ] && ok "$name" || bad "$name" "not PostScript" ;;
        pdf)
            if [ "$(head -c 5 "$out")" != "%PDF-" ]; then
                bad "$name" "not a PDF"
            elif ! command -v pdftoppm >/dev/null 2>&1; then
                echo "skip $name: pdftoppm not installed (make test-deps)"
                ok "$name (magic only)"
            elif pdftoppm -r 20 -png "$out" "$tmp/page" 2>"$tmp/ppm" && [ "$(magic "$tmp/page-1.png")" = 89504e470d0a1a0a ]; then
                ok "$name"
            else
                bad "$name" "pdftoppm cannot convert it: $(head -c 300 "$tmp/ppm")"
            fi
            rm -f "$tmp"/page-*.png ;;
        esac
    done
done

# The same bytes on stdout as in -output (when stdout is not a terminal).
"$PPROF" -svg "$data/sample.cpu" >"$tmp/stdout.svg" 2>/dev/null
"$PPROF" -svg -output="$tmp/file.svg" "$data/sample.cpu" 2>/dev/null
if cmp -s "$tmp/stdout.svg" "$tmp/file.svg"; then ok "svg stdout"; else bad "svg stdout" "differs from -output"; fi

# A big profile stays bounded by nodecount (80 nodes, plus nodelets and legend).
"$PPROF" -dot "$data/large.cpu" >"$tmp/large.dot"
n=$(grep -c -E '^N[0-9]+ \[label' "$tmp/large.dot")
if [ "$n" -le 80 ] && "$PPROF" -svg -output="$tmp/large.svg" "$data/large.cpu" && xmllint --noout "$tmp/large.svg"; then
    ok "large bounded"
else
    bad "large bounded" "$n nodes"
fi

# Few boxes but many arrows (the bench's 100k-sample profile at
# -nodecount=2000: 1346 boxes, 1904 arrows; dot ran past 5 minutes): refused
# at once too, not laid out for minutes.
if [ -x "${TOOLS:-build/tools}/gen_profile" ]; then
    "${TOOLS:-build/tools}/gen_profile" --out "$tmp/medium.pb.gz" --samples 100000 --locations 20000 --functions 5000 \
        --max-depth 70 --inline-frac 0.1 --label-frac 0.1 --types 2 --seed 1 2>/dev/null
    rm -f "$tmp/medium.svg"
    t0=$(date +%s)
    timeout 120 "$PPROF" -svg -nodecount=2000 -output="$tmp/medium.svg" "$tmp/medium.pb.gz" 2>"$tmp/err"
    rc=$?
    took=$(($(date +%s) - t0))
    if [ "$rc" != 1 ] || [ -e "$tmp/medium.svg" ] || ! grep -q '^pprof: .*arrows.*lower -nodecount' "$tmp/err"; then
        bad "many arrows refused" "exit $rc after ${took}s: $(head -c 200 "$tmp/err")"
    elif [ "$took" -gt 60 ]; then
        bad "many arrows refused" "took ${took}s"
    else
        ok "many arrows refused (${took}s)"
    fi
else
    bad "many arrows refused" "no gen_profile in ${TOOLS:-build/tools}"
fi

# Graphs too big to lay out in reasonable time fail at once, with no file.
rm -f "$tmp/huge.svg"
if "$PPROF" -svg -nodefraction=0 -edgefraction=0 -nodecount=3000 -output="$tmp/huge.svg" "$data/large.cpu" \
    2>"$tmp/err"; then
    bad "too big to draw" "exit status 0"
elif [ -e "$tmp/huge.svg" ] || ! grep -q '^pprof: .*lower -nodecount' "$tmp/err"; then
    bad "too big to draw" "file left behind or message missing: $(head -c 200 "$tmp/err")"
else
    ok "too big to draw"
fi

# ---------------------------------------------------------------- terminal: files named like pprof's
if command -v script >/dev/null 2>&1; then
    mkdir "$tmp/term"
    (cd "$tmp/term" && script -qec "$PPROF -svg $data/sample.cpu" /dev/null >"$tmp/term.log" 2>&1 &&
        script -qec "$PPROF -png $data/sample.cpu" /dev/null >>"$tmp/term.log" 2>&1 &&
        script -qec "$PPROF -svg $data/sample.cpu" /dev/null >>"$tmp/term.log" 2>&1)
    # Numbered per extension, as pprof does.
    if [ -s "$tmp/term/profile001.svg" ] && [ -s "$tmp/term/profile001.png" ] && [ -s "$tmp/term/profile002.svg" ] &&
        grep -q 'Generating report in profile001.svg' "$tmp/term.log" &&
        grep -q 'Generating report in profile002.svg' "$tmp/term.log" &&
        xmllint --noout "$tmp/term/profile002.svg" && [ "$(magic "$tmp/term/profile001.png")" = 89504e470d0a1a0a ]; then
        ok "terminal files"
    else
        bad "terminal files" "$(ls "$tmp/term" | tr '\n' ' ') / $(tr -d '\r' <"$tmp/term.log" | head -c 300)"
    fi
    (cd "$tmp/term" && script -qec "$PPROF -dot $data/sample.cpu" /dev/null >"$tmp/term.dot" 2>&1)
    if grep -q '^digraph' "$tmp/term.dot" && [ ! -e "$tmp/term/profile001.dot" ]; then
        ok "terminal dot"
    else
        bad "terminal dot" "-dot to a terminal did not print the graph"
    fi
else
    echo "skip terminal files: no script(1)"
fi

# ---------------------------------------------------------------- -web
mkdir "$tmp/bin" "$tmp/web"
cat >"$tmp/bin/fakebrowser" <<EOF
#!/bin/sh
cp "\$1" "$tmp/opened.svg"
printf '%s\n' "\$1" >"$tmp/opened"
EOF
chmod +x "$tmp/bin/fakebrowser"
BROWSER=$tmp/bin/fakebrowser TMPDIR=$tmp/web "$PPROF" -web "$data/sample.cpu" >"$tmp/web.out" 2>"$tmp/web.err"
rc=$?
i=0
while [ ! -s "$tmp/opened" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ $rc = 0 ] && [ "$(cat "$tmp/opened" 2>/dev/null)" = "$tmp/web/pprof001.svg" ] &&
    xmllint --noout "$tmp/opened.svg" && [ ! -s "$tmp/web.out" ]; then
    ok "web opens the browser"
else
    bad "web opens the browser" "exit $rc, opened '$(cat "$tmp/opened" 2>/dev/null)', $(head -c 200 "$tmp/web.err")"
fi
# The graph a browser was started on is removed when pprof exits.
if [ ! -e "$tmp/web/pprof001.svg" ]; then
    ok "web removes the opened graph at exit"
else
    bad "web removes the opened graph at exit" "$tmp/web/pprof001.svg is still there"
fi
env -u BROWSER -u DISPLAY -u WAYLAND_DISPLAY TMPDIR=$tmp/web "$PPROF" -web "$data/sample.cpu" >"$tmp/web.out" 2>"$tmp/web.err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/web.out")" = "$tmp/web/pprof001.svg" ] && xmllint --noout "$tmp/web/pprof001.svg"; then
    ok "web without a browser prints the path"
else
    bad "web without a browser prints the path" "exit $rc, stdout '$(head -c 200 "$tmp/web.out")'"
fi

# ---------------------------------------------------------------- hostile names
"$TOOLS/gen_bad" "$tmp/bad" 2>/dev/null || bad "gen_bad" "exit $?"
for f in "$tmp"/bad/52* "$tmp"/bad/53*; do
    [ -e "$f" ] || { bad "hostile" "gen_bad wrote no case 52/53 files"; break; }
    name=hostile_$(basename "$f" .pb.gz)
    flags=""
    case $f in *file_name*) flags=-lines ;; esac
    # shellcheck disable=SC2086
    if ! PATH=$NODOT_PATH "$PPROF" -svg $flags -output="$tmp/h.svg" "$f" 2>"$tmp/err"; then
        bad "$name" "-svg failed: $(head -c 300 "$tmp/err")"
    elif ! xmllint --noout "$tmp/h.svg" 2>"$tmp/xml"; then
        bad "$name" "not well-formed XML: $(head -c 300 "$tmp/xml")"
    elif grep -q -E ' (xlink:)?href="| target="|URL="' "$tmp/h.svg"; then
        bad "$name" "an attribute was injected: $(grep -o -E '(href|target|URL)="[^"]*"' "$tmp/h.svg" | head -3 | tr '\n' ' ')"
    elif [ "$(grep -c 'class="node"' "$tmp/h.svg")" != 3 ] && [ "$(grep -c 'class="node"' "$tmp/h.svg")" != 4 ]; then
        bad "$name" "$(grep -c 'class="node"' "$tmp/h.svg") nodes drawn, want main, foo, the legend (and one nodelet)"
    else
        ok "$name"
    fi
done

echo "graph: $pass passed, $fail failed"
[ $fail = 0 ]
