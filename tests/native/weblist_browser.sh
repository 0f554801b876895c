#!/bin/sh
# weblist_browser.sh: loads a -weblist page in headless chromium and measures it: source rows with weights, instructions hidden until their line is clicked, shown on click, hidden again; prints ok/not ok lines and writes a screenshot.
#
# Usage: sh weblist_browser.sh PAGE.html OUT.png
# Prints "skipped: no chromium" without a browser.
set -u
page=$1 png=$2
. "$(dirname "$0")/../find_chromium.sh"
find_chromium || { echo "skipped: no chromium"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/weblist.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# The page as a user sees it after clicking the first weighted line.
sed 's|</body>|<script>document.querySelector("span.livesrc").click();</script></body>|' "$page" >"$tmp/plain.html"
# The same page with a test script before </body>.
sed 's|</body>|<pre id="out"></pre><script src="test.js"></script></body>|' "$page" >"$tmp/test.html"
cat >"$tmp/test.js" <<'JS'
"use strict";
var out = document.getElementById("out"), bad = 0;
function check(c, what, got) {
  out.textContent += (c ? "ok - " : "not ok - ") + what + (c ? "" : " (got: " + got + ")") + "\n";
  if (!c) bad++;
}
check(document.title === "Pprof listing", "title", document.title);
check(/Total: /.test(document.querySelector(".legend").textContent), "legend with the total");
var live = document.querySelectorAll("span.livesrc");
check(live.length > 0, "lines with samples", live.length);
var src = live[0], asm = src.nextSibling;
check(asm && asm.className === "asm", "a weighted line is followed by its instructions");
check(getComputedStyle(asm).display === "none" && asm.getBoundingClientRect().height === 0, "instructions hidden",
      getComputedStyle(asm).display);
var rowsBefore = document.body.getBoundingClientRect().height;
src.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
check(getComputedStyle(asm).display === "block" && asm.getBoundingClientRect().height > 10, "click shows them",
      getComputedStyle(asm).display + " " + asm.getBoundingClientRect().height);
check(/^ +\S+ +\S+ +[0-9a-f]+: \S/m.test(asm.textContent), "instruction rows: flat, cum, address, text",
      asm.textContent.slice(0, 120));
check(document.body.getBoundingClientRect().height > rowsBefore, "the page grows");
src.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
check(getComputedStyle(asm).display === "none", "a second click hides them", getComputedStyle(asm).display);
var kinds = {};
document.querySelectorAll("body *").forEach(function (e) { kinds[e.tagName] = 1; });
var tags = Object.keys(kinds).sort().join(" ");
check(tags === "DIV H2 P PRE SCRIPT SPAN" || tags === "BR DIV H2 P PRE SCRIPT SPAN", "only the page's own elements (source text escaped)", tags);
check(document.scripts.length === 2, "no script but the page's toggle and the test's", document.scripts.length);
out.textContent += bad ? "FAILED " + bad + "\n" : "DONE\n";
JS
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run --disable-sync --user-data-dir=$tmp/profile --allow-file-access-from-files --window-size=1000,700"
timeout 60 "$CHROMIUM" $flags --virtual-time-budget=10000 --dump-dom "file://$tmp/test.html" 2>"$tmp/log" |
    sed -e 's/<pre id="out">/&\
/' | grep -E '^(ok - |not ok - |DONE|FAILED)' |
    sed -e 's/<\/pre>.*//' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g'
timeout 60 "$CHROMIUM" $flags --screenshot="$png" "file://$tmp/plain.html" >/dev/null 2>&1
exit 0
