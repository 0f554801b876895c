#!/bin/sh
# make_service.sh: regenerates tests/data/service/ (needs go): runs the service of main.go under load mix a and mix b and keeps the CPU, heap and mutex profiles it serves on 127.0.0.1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../service
mkdir -p "$out"
for mix in a b; do
	(cd "$here" && go run main.go -mix=$mix -out="$out" -seconds=3)
done
ls -l "$out"
