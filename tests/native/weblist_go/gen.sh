#!/bin/sh
# gen.sh: regenerates the goldens of cases.txt from go tool pprof (run from the repo root).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir/../.."
grep -v '^#' "$dir/cases.txt" | while read -r name args; do
	# shellcheck disable=SC2086
	TZ=UTC go tool pprof -output="$dir/$name.full" $args 2>/dev/null
	sed -n '/<body>/,$p' "$dir/$name.full" | grep -v '^Time:' | grep -v '⋮' >"$dir/$name.html"
	rm -f "$dir/$name.full"
done
