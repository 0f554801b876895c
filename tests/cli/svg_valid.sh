#!/bin/sh
# svg_valid.sh: every SVG golden must be well-formed XML (xmllint), whatever the names in the profile.
set -u
pass=0 fail=0
for f in tests/cli/golden/flamegraph_*.out; do
    if xmllint --noout "$f" 2>/dev/null; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL not valid XML: $f"; fi
done
echo "svg-valid: $pass passed, $fail failed"
[ "$fail" = 0 ]
