#!/bin/sh
# browser.sh: pans and zooms a -svg call graph in headless chromium (wheel zoom around the pointer, drag, double-click reset); skips without chromium.
#
# Environment: PPROF (default build/pprof), CHROMIUM (default: chromium or
# chromium-browser on PATH).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
. "$here/../find_chromium.sh"
if ! find_chromium; then
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
function parts() {
  var m = /translate\(([^,]*),([^)]*)\) scale\(([^)]*)\)/.exec(t());
  return {x: parseFloat(m[1]), y: parseFloat(m[2]), s: parseFloat(m[3])};
}
function near(a, b) { return Math.abs(a - b) < 1e-6; }
window.addEventListener("load", function () {
check(view && svg.contains(view), "viewport group present", view);
/* Opened scaled to fit: the whole drawing inside the box, filling it in
 * one direction, centred. */
var r = svg.getBoundingClientRect(), g = view.getBoundingClientRect(), p0 = parts();
check(g.left >= r.left - 1 && g.right <= r.right + 1 && g.top >= r.top - 1 && g.bottom <= r.bottom + 1,
      "the whole graph shows", g.left + "," + g.top + " " + g.width + "x" + g.height + " in " + r.width + "x" + r.height);
check(p0.s < 1 && (g.width > 0.97 * r.width || g.height > 0.97 * r.height), "scaled to fit the box", t());
check(Math.abs((g.left - r.left) - (r.right - g.right)) < 2 && Math.abs((g.top - r.top) - (r.bottom - g.bottom)) < 2,
      "centred", t());
check(document.querySelectorAll("g.node").length === 15, "14 nodes and the legend drawn", document.querySelectorAll("g.node").length);
svg.dispatchEvent(new WheelEvent("wheel", {deltaY: -200, clientX: r.left + 100, clientY: r.top + 100, bubbles: true, cancelable: true}));
var p = parts(), k = p.s / p0.s;
check(k > 1.3, "wheel up zooms in", t());
check(Math.abs(p.x - (100 - (100 - p0.x) * k)) < 1e-6 && Math.abs(p.y - (100 - (100 - p0.y) * k)) < 1e-6,
      "zoom keeps the point under the pointer", t());
svg.dispatchEvent(new MouseEvent("dblclick", {bubbles: true}));
p = parts();
check(near(p.x, p0.x) && near(p.y, p0.y) && near(p.s, p0.s), "double click fits again", t());
svg.dispatchEvent(new MouseEvent("mousedown", {button: 0, clientX: r.left + 100, clientY: r.top + 100, bubbles: true}));
window.dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + 150, clientY: r.top + 130}));
window.dispatchEvent(new MouseEvent("mouseup", {}));
p = parts();
check(near(p.x, p0.x + 50) && near(p.y, p0.y + 30) && near(p.s, p0.s), "drag pans", t());
window.dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + 300, clientY: r.top + 300}));
check(near(parts().x, p0.x + 50), "no pan after release", t());
svg.dispatchEvent(new WheelEvent("wheel", {deltaY: 100000, clientX: r.left, clientY: r.top, bubbles: true, cancelable: true}));
check(parts().s >= 0.02 - 1e-9, "zoom out is bounded", t());
out.textContent += bad ? "FAILED " + bad + "\n" : "DONE\n";
});
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
  var r = d.documentElement.getBoundingClientRect(), g = view.getBoundingClientRect();
  check(g.left >= r.left - 1 && g.right <= r.right + 1 && g.top >= r.top - 1 && g.bottom <= r.bottom + 1 &&
        (g.width > 0.97 * r.width || g.height > 0.97 * r.height), "opens scaled to fit the window",
        g.width + "x" + g.height + " in " + r.width + "x" + r.height);
  var t0 = view.getAttribute("transform");
  d.documentElement.dispatchEvent(new w.WheelEvent("wheel", {deltaY: -200, clientX: 10, clientY: 10, bubbles: true, cancelable: true}));
  var t = view.getAttribute("transform");
  check(t !== t0 && parseFloat(/scale\(([^)]*)/.exec(t)[1]) > 1.3 * parseFloat(/scale\(([^)]*)/.exec(t0)[1]), "wheel zooms", t);
  d.documentElement.dispatchEvent(new w.MouseEvent("dblclick", {bubbles: true}));
  check(view.getAttribute("transform") === t0, "double click fits again", view.getAttribute("transform"));
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
