# make_windows.sh: regenerates tests/data/windows/: 12 CPU profiles of 5 minutes each, 2025-11-23 09:00..10:00 UTC, from tests/bench/gen_profile.
#
# Usage (repo root, after `make tools`): sh tests/data/make_windows.sh [OUTDIR] [START_UNIX_SECONDS]
# The second half of the hour uses other seeds, so diffs between windows show
# changes. The window tests of tests/cli use the committed files; tests that
# need "today" (times of day) run this script into a temporary directory.
set -eu
out=${1:-tests/data/windows}
start=${2:-1763888400}
gen=${GEN:-build/tools/gen_profile}
for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
	if [ "$i" -lt 6 ]; then seed=$((i % 2 + 1)); else seed=$((i % 2 + 3)); fi
	"$gen" --out "$out/cpu-$(printf %02d "$i").pb.gz" --samples 400 --locations 150 --functions 60 \
		--max-depth 20 --types 2 --seed "$seed" --label-frac 0 \
		--time-nanos "$((start + i * 300))000000000" --duration-nanos 300000000000 2>/dev/null
done
