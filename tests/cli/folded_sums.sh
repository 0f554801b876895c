#!/bin/sh
# folded_sums.sh: checks that -folded output sums to the same total as the -raw samples (no stack lost or doubled).
set -u
PPROF=${PPROF:-build/pprof}
pass=0 fail=0
check() { # profile sample_index
    want=$("$PPROF" -raw "$1" | awk -v col="$2" '/^Samples:/{s=1; getline; next} /^Locations/{s=0} s && /:/ {split($0, a, ":"); n=split(a[1], v, " "); t += v[col+1]} END {printf "%.0f", t}')
    got=$("$PPROF" -folded -sample_index="$2" "$1" | awk '{t += $NF} END {printf "%.0f", t}')
    # Both empty (0 = 0) would prove nothing: a profile has samples.
    if [ "$want" = "$got" ] && [ "$got" != 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL folded sum $1 index $2: want $want got $got"; fi
}
for p in tests/data/cpu.pb.gz tests/data/large.cpu tests/data/sample.cpu; do check "$p" 0; check "$p" 1; done
for i in 0 1 2 3; do check tests/data/heap.pb.gz $i; check tests/data/allocs.pb.gz $i; done
echo "folded-sums: $pass passed, $fail failed"
[ "$fail" = 0 ]
