#!/bin/sh
# geometry.sh: draws the flame graph of every profile in tests/data at every sample index (plain and inverted), and of differential pairs, then measures each in headless chromium (tests/flame/geometry.html).
#
# What is measured, against the exact values of `pprof -folded` with the
# same options: the root spans the drawing; every frame is as wide as its
# value and sits at its offset (within 1 px); every label lies over the
# frame it names; the same after zooming into the narrowest frame and into
# the deepest frame of at least 1%, and with a search active.
#
# Environment: PPROF (default build/pprof), CHROMIUM (default: chromium or
# chromium-browser on PATH), ONLY (a grep pattern: measure just those files,
# for debugging; the count checks then fail).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
. "$here/../find_chromium.sh"
if ! find_chromium; then
    echo "geometry: chromium not found (Debian package chromium; make test-deps installs it)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/g"
cp "$here/geometry.html" "$tmp/g/"
n=0
fail=0
list="$tmp/g/list.js"
echo "var LIST = [" > "$list"

# draw NAME COLS -- pprof options...: the SVG (plain and inverted) and the
# -folded output the measurements compare it with.
draw() {
    what=$1
    cols=$2
    shift 2
    n=$((n + 1))
    if ! "$PPROF" -folded -output="$tmp/g/$n.folded" "$@" 2>"$tmp/err"; then
        return 1
    fi
    for inv in "" -inverted; do
        if "$PPROF" -flamegraph $inv -output="$tmp/g/$n$inv.svg" "$@" 2>"$tmp/err" && [ -s "$tmp/g/$n$inv.svg" ]; then
            # A differential input (two-column folded file) is drawn as one.
            grep -q '<title>Differential' "$tmp/g/$n$inv.svg" && cols=2
            printf '["%s", "%s", %s, "%s"],\n' "$n$inv.svg" "$n.folded" "$cols" "$what${inv:+ $inv}" >> "$list"
        else
            echo "not ok - $what$inv: pprof -flamegraph failed: $(head -c 300 "$tmp/err")"
            fail=$((fail + 1))
        fi
    done
}

profiles=0
for f in $(cd "$top" && find tests/data -type f | LC_ALL=C sort); do
    case $f in *.sh|*README|*.go|*.src|*.string) continue ;; esac
    [ -n "${ONLY:-}" ] && ! echo "$f" | grep -q -- "$ONLY" && continue
    i=0
    while [ $i -lt 16 ]; do
        draw "$f -sample_index=$i" 1 -sample_index=$i "$top/$f" || break
        i=$((i + 1))
    done
    [ $i -gt 0 ] && profiles=$((profiles + 1))
done

# Differential: widths follow the new profile (the last -folded column).
for pair in "heap.pb.gz allocs.pb.gz" "windows/cpu-00.pb.gz windows/cpu-05.pb.gz" \
            "captures/cpu-1.pb.gz captures/cpu-2.pb.gz" "merged/heap.pb.gz heap.pb.gz"; do
    set -- $pair
    i=0
    while [ $i -lt 16 ]; do
        draw "-diff_base=$1 $2 -sample_index=$i" 2 -sample_index=$i -diff_base="$top/tests/data/$1" "$top/tests/data/$2" || break
        i=$((i + 1))
    done
    if [ $i = 0 ]; then
        echo "not ok - -diff_base=$1 $2: $(head -c 300 "$tmp/err")"
        fail=$((fail + 1))
    fi
done
echo "];" >> "$list"
graphs=$(grep -c '^\[' "$list")
echo "# $profiles profiles, $graphs flame graphs"
if [ "$profiles" -lt 40 ] || [ "$graphs" -lt 200 ]; then
    echo "not ok - too few profiles drew ($profiles) or too few graphs ($graphs)"
    fail=$((fail + 1))
fi

timeout 600 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --user-data-dir="$tmp/profile" \
    --allow-file-access-from-files --window-size=1200,900 --virtual-time-budget=600000 \
    --dump-dom "file://$tmp/g/geometry.html" 2>"$tmp/chromium.log" |
    sed -e 's/<pre id="out">/&\
/' -e 's/<\/pre>.*//' |
    sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g' > "$tmp/result"
grep -E '^(not ok - |# )' "$tmp/result"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/result")
if [ -z "$summary" ] || ! grep -qE '^(DONE|FAILED [0-9]+)$' "$tmp/result"; then
    echo "geometry: the page did not finish (chromium log: $(tail -n 3 "$tmp/chromium.log" | tr '\n' ' '))" >&2
    [ -n "$summary" ] || summary="0 passed, 1 failed"
    fail=$((fail + 1))
fi
p=${summary%% passed*}
f=${summary#*passed, }
f=${f%% failed*}
echo "geometry: $p passed, $((f + fail)) failed"
[ $((f + fail)) = 0 ]
