#!/bin/sh
# run.sh: feeds shell sessions to pprof on stdin and compares the output with goldens (made by go tool pprof when GEN=1).
set -u
PPROF=${PPROF:-build/pprof}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
while IFS= read -r line; do
    case $line in '#'*|'') continue ;; esac
    name=${line%% *}; rest=${line#* }
    prof=${rest%% *}; cmds=${rest#* }
    input=$(printf '%s\n' "$cmds" | sed 's/ ; /\n/g')
    golden=$here/golden/$name.out
    # The Time: header differs between Go 1.19 and current upstream; the
    # sessions compare everything else.
    if [ "${GEN:-0}" = 1 ]; then
        (cd "$here/.." && printf '%s\n' "$input" | TZ=UTC go tool pprof -symbolize=none "$prof" 2>&1) |
            grep -v '^Time:' | grep -v 'symbolization\|binary filenames\|PPROF_BINARY_PATH' > "$golden"
        continue
    fi
    got=$(cd "$here/.." && printf '%s\n' "$input" | TZ=UTC "$PPROF" "$prof" 2>&1 | grep -v '^Time:')
    if [ "$got" = "$(cat "$golden")" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL shell session $name"
        printf '%s\n' "$got" | diff "$golden" - | head -20 | sed 's/^/  /'
    fi
done < "$here/sessions.txt"
[ "${GEN:-0}" = 1 ] && { echo "shell goldens written"; exit 0; }

# Sessions of our own commands (go's shell has no diff): ours.txt lines are
# "name pprof-args... | commands ; ...", goldens in golden/ours_<name>.out,
# rewritten from our output with UPDATE=1.
while IFS= read -r line; do
    case $line in '#'*|'') continue ;; esac
    name=${line%% *}; rest=${line#* }
    pargs=${rest%% | *}; cmds=${rest#* | }
    input=$(printf '%s\n' "$cmds" | sed 's/ ; /\n/g')
    golden=$here/golden/ours_$name.out
    # shellcheck disable=SC2086 # the arguments are separate words
    got=$(cd "$here/.." && printf '%s\n' "$input" | TZ=UTC "$PPROF" $pargs 2>&1 | grep -v '^Time:')
    if [ "${UPDATE:-0}" = 1 ]; then
        printf '%s\n' "$got" > "$golden"
    elif [ "$got" = "$(cat "$golden")" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL shell session $name (ours)"
        printf '%s\n' "$got" | diff "$golden" - | head -20 | sed 's/^/  /'
    fi
done < "$here/ours.txt"
[ "${UPDATE:-0}" = 1 ] && { echo "our shell goldens written"; exit 0; }
echo "shell: $pass passed, $fail failed"
[ "$fail" = 0 ]
