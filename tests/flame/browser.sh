#!/bin/sh
# browser.sh: runs flame-graph SVGs in headless chromium (zoom, search, keys, tooltips, resize, inline in HTML); skips without chromium.
#
# Environment: TEST_FLAME (the unit test binary, which writes the sample
# SVGs), CHROMIUM (the browser; default: chromium or chromium-browser on PATH).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
TEST_FLAME=${TEST_FLAME:-$top/build/tests/test_flame}
. "$here/../find_chromium.sh"
if ! find_chromium; then
    echo "skipped: no chromium"
    exit 0
fi
if [ ! -x "$TEST_FLAME" ]; then
    echo "browser.sh: $TEST_FLAME is not built (make $TEST_FLAME)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
"$TEST_FLAME" --write "$tmp/svg" || exit 1
cp "$here/browser.html" "$tmp/svg/"

# The same SVG inline in an HTML page: the script must find its own <svg>
# and work beside other page content.
{
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>inline</title></head><body>\n'
    printf '<p id="before">page text</p>\n'
    sed '1{/^<?xml/d;}' "$tmp/svg/basic.svg"
    cat <<'EOF'
<pre id="out"></pre>
<script>
"use strict";
var out = document.getElementById("out"), bad = 0;
function check(c, what, got) {
  out.textContent += (c ? "ok - " : "not ok - ") + "inline: " + what + (c || got === undefined ? "" : " (got: " + got + ")") + "\n";
  if (!c) bad++;
}
var svg = document.querySelector("svg.fg");
check(svg && document.querySelectorAll("#fglabels text").length > 0, "labels laid out");
var target = null, gs = document.querySelectorAll("#fgframes g > g");
for (var i = 0; i < gs.length; i++) if (gs[i].firstChild.textContent.indexOf("a (") === 0) target = gs[i].lastElementChild;
target.dispatchEvent(new MouseEvent("click", {bubbles: true}));
var fb = document.getElementById("fgframes").getBoundingClientRect(), tb = target.getBoundingClientRect();
check(Math.abs(tb.left - fb.left) < 1 && Math.abs(tb.width - fb.width) < 1, "click zooms", tb.left + "+" + tb.width);
var inp = document.getElementById("fgsearch");
inp.value = "^[bc]$";
inp.dispatchEvent(new Event("input", {bubbles: true}));
var m = document.getElementById("fgmatched");
check(m && m.textContent === "Matched: 100% of zoomed, 81.08% of total", "search", m && m.textContent);
check(document.getElementById("before").textContent === "page text", "page content untouched");
out.textContent += bad ? "FAILED " + bad + "\n" : "DONE\n";
</script>
</body></html>
EOF
} > "$tmp/svg/inline.html"

# Prints the test lines a page wrote into <pre id="out">.
run_page() {
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --disable-sync --user-data-dir="$tmp/profile" \
        --allow-file-access-from-files --window-size=1200,900 --virtual-time-budget=30000 \
        --dump-dom "file://$tmp/svg/$1" 2>"$tmp/chromium.log" |
        sed -e 's/<pre id="out">/&\
/' |
        grep -E '^(ok - |not ok - |# |DONE|FAILED)' |
        sed -e 's/<\/pre>.*//' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g'
}

status=0 npass=0 nfail=0
for page in browser.html inline.html; do
    result=$(run_page "$page")
    printf '%s\n' "$result" | grep -v '^$'
    npass=$((npass + $(printf '%s\n' "$result" | grep -c '^ok - ')))
    nfail=$((nfail + $(printf '%s\n' "$result" | grep -c '^not ok - ')))
    if ! printf '%s\n' "$result" | grep -qx 'DONE'; then
        echo "browser.sh: $page did not pass (chromium log: $(tail -n 3 "$tmp/chromium.log" | tr '\n' ' '))" >&2
        nfail=$((nfail + 1))
        status=1
    fi
done
echo "flame-browser: $npass passed, $nfail failed"
exit $status
