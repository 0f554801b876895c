#!/bin/sh
# browser.sh: pans and zooms a -svg call graph in headless chromium (wheel zoom around the pointer, drag, double-click reset); skips without chromium.
#
# Environment: PPROF (default build/pprof), CHROMIUM (default: chromium or
# chromium-browser on PATH).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
CHROMIUM=${CHROMIUM:-}
if [ -z "$CHROMIUM" ]; then
    for c in chromium chromium-browser; do
        if command -v "$c" >/dev/null 2>&1; then
            CHROMIUM=$c
            break
        fi
    done
fi
if [ -z "$CHROMIUM" ]; then
    echo "graph browser: skipped (no chromium)"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
"$PPROF" -svg -output="$tmp/graph.svg" "$top/tests/data/sample.cpu" || exit 1

# The SVG inline in a page, then checks that drive its script.
{
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>graph</title></head><body style="margin:0">\n'
    printf '<div style="width:800px;height:600px">\n'
    sed -e '/^<?xml/d' -e '/^<!DOCTYPE/d' -e '/^ "http:\/\/www.w3.org/d' "$tmp/graph.svg"
    cat <<'PAGE'
</div>
<pre id="out"></pre>
<script>
"use strict";
var out = document.getElementById("out"), bad = 0;
function check(c, what, got) {
  out.textContent += (c ? "ok - " : "not ok - ") + what + (c ? "" : " (got: " + got + ")") + "\n";
  if (!c) bad++;
}
var svg = document.querySelector("svg"), view = document.getElementById("viewport");
function t() { return view.getAttribute("transform"); }
function scaleOf() { return parseFloat(/scale\(([^)]*)\)/.exec(t())[1]); }
check(view && svg.contains(view), "viewport group present", view);
check(t() === "translate(0,0) scale(1)", "starts unscaled", t());
check(document.querySelectorAll("g.node").length === 15, "14 nodes and the legend drawn", document.querySelectorAll("g.node").length);
var r = svg.getBoundingClientRect();
svg.dispatchEvent(new WheelEvent("wheel", {deltaY: -200, clientX: r.left + 100, clientY: r.top + 100, bubbles: true, cancelable: true}));
var s = scaleOf();
check(s > 1.3, "wheel up zooms in", t());
var m = /translate\(([^,]*),([^)]*)\)/.exec(t());
check(Math.abs(parseFloat(m[1]) - 100 * (1 - s)) < 1e-6 && Math.abs(parseFloat(m[2]) - 100 * (1 - s)) < 1e-6,
      "zoom keeps the point under the pointer", t());
svg.dispatchEvent(new MouseEvent("dblclick", {bubbles: true}));
check(t() === "translate(0,0) scale(1)", "double click resets", t());
svg.dispatchEvent(new MouseEvent("mousedown", {button: 0, clientX: r.left + 100, clientY: r.top + 100, bubbles: true}));
window.dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + 150, clientY: r.top + 130}));
window.dispatchEvent(new MouseEvent("mouseup", {}));
check(t() === "translate(50,30) scale(1)", "drag pans", t());
window.dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + 300, clientY: r.top + 300}));
check(t() === "translate(50,30) scale(1)", "no pan after release", t());
svg.dispatchEvent(new WheelEvent("wheel", {deltaY: 100000, clientX: r.left, clientY: r.top, bubbles: true, cancelable: true}));
check(scaleOf() >= 0.02 - 1e-9, "zoom out is bounded", t());
out.textContent += bad ? "FAILED " + bad + "\n" : "DONE\n";
</script>
</body></html>
PAGE
} >"$tmp/page.html"

# The SVG file itself (as -web opens it), in a frame.
cat >"$tmp/frame.html" <<'PAGE'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>frame</title></head><body>
<iframe id="f" src="graph.svg" style="width:800px;height:600px"></iframe>
<pre id="out"></pre>
<script>
"use strict";
var out = document.getElementById("out"), bad = 0;
function check(c, what, got) {
  out.textContent += (c ? "ok - " : "not ok - ") + "file: " + what + (c ? "" : " (got: " + got + ")") + "\n";
  if (!c) bad++;
}
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, w = this.contentWindow;
  var view = d.getElementById("viewport");
  check(view !== null, "viewport group present", view);
  d.documentElement.dispatchEvent(new w.WheelEvent("wheel", {deltaY: -200, clientX: 10, clientY: 10, bubbles: true, cancelable: true}));
  var t = view.getAttribute("transform");
  check(/scale\((1\.[3-9]|[2-9])/.test(t), "wheel zooms", t);
  d.documentElement.dispatchEvent(new w.MouseEvent("dblclick", {bubbles: true}));
  check(view.getAttribute("transform") === "translate(0,0) scale(1)", "double click resets", view.getAttribute("transform"));
  out.textContent += bad ? "FAILED " + bad + "\n" : "DONE\n";
});
</script>
</body></html>
PAGE

status=0 npass=0 nfail=0
for page in page.html frame.html; do
    result=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --disable-sync --user-data-dir="$tmp/profile" \
        --allow-file-access-from-files --window-size=1000,800 --virtual-time-budget=10000 \
        --dump-dom "file://$tmp/$page" 2>"$tmp/chromium.log" |
        sed -e 's/<pre id="out">/&\
/' | grep -E '^(ok - |not ok - |DONE|FAILED)' | sed -e 's/<\/pre>.*//')
    printf '%s\n' "$result"
    npass=$((npass + $(printf '%s\n' "$result" | grep -c '^ok - ')))
    nfail=$((nfail + $(printf '%s\n' "$result" | grep -c '^not ok - ')))
    if ! printf '%s\n' "$result" | grep -qx 'DONE'; then
        echo "graph browser: $page FAILED (chromium log: $(tail -n 3 "$tmp/chromium.log" | tr '\n' ' '))" >&2
        nfail=$((nfail + 1))
        status=1
    fi
done
echo "graph-browser: $npass passed, $nfail failed"
exit $status
