#!/bin/sh
# run.sh: runs one libFuzzer harness with its options (tests/fuzz/options: -max_len, the
# dictionaries, joined into one file, and the harness's own libFuzzer flags), on a corpus
# directory seeded from tests/fuzz/corpus/<harness>.
#
# Usage, from the repo root after `make build/fuzz/<harness>`:
#   sh tests/fuzz/run.sh <harness> <seconds> [corpus dir] [more libFuzzer flags...]
# The corpus dir defaults to $BUILD/fuzz/corpus-<harness>; findings go to $BUILD/fuzz/findings-<harness>/.
set -eu
BUILD=${BUILD:-build}
h=$1
t=$2
c=${3:-$BUILD/fuzz/corpus-$h}
[ $# -ge 3 ] && shift 3 || shift $#
line=$(grep "^$h " tests/fuzz/options) || { echo "run.sh: $h is not in tests/fuzz/options" >&2; exit 2; }
max_len=$(echo "$line" | awk '{print $2}')
dicts=$(echo "$line" | awk '{for (i = 3; i <= NF; i++) if ($i !~ /^-/) print $i}')
flags=$(echo "$line" | awk '{for (i = 3; i <= NF; i++) if ($i ~ /^-/) print $i}')
mkdir -p "$c" "$BUILD/fuzz/findings-$h"
cp tests/fuzz/corpus/"$h"/* "$c"/ 2>/dev/null || true
dict=$BUILD/fuzz/$h.dict
: >"$dict"
for d in $dicts; do cat tests/fuzz/"$d" >>"$dict"; done
# shellcheck disable=SC2086 # $flags: one libFuzzer flag a word
exec "$BUILD/fuzz/$h" -max_total_time="$t" -max_len="$max_len" -dict="$dict" -print_final_stats=1 \
    -close_fd_mask=3 -artifact_prefix="$BUILD/fuzz/findings-$h/" $flags "$@" "$c"
