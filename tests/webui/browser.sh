#!/bin/sh
# browser.sh: starts pprof -http on 127.0.0.1 (a profile, and a capture directory for the compare view) and clicks through it in Debian's Chromium with playwright-core (tests/webui/browser.mjs); screenshots go to $SHOTS.
#
# Environment: PPROF (the program), NODE_DIR (where npm installed
# playwright-core; default build/node), SHOTS (default build/webui-shots),
# CHROMIUM (default /usr/bin/chromium).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
NODE_DIR=${NODE_DIR:-$top/build/node}
SHOTS=${SHOTS:-$top/build/webui-shots}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
data=$top/tests/data

for need in "$NODE_DIR/node_modules/playwright-core/package.json" "$CHROMIUM"; do
    if [ ! -e "$need" ]; then
        echo "browser.sh: missing $need (make test-deps installs it)" >&2
        echo "webui-browser: 0 passed, 1 failed"
        exit 1
    fi
done
NODE_DIR=$(cd "$NODE_DIR" && pwd)
command -v node >/dev/null 2>&1 || { echo "browser.sh: node is not installed"; echo "webui-browser: 0 passed, 1 failed"; exit 1; }

tmp=$(mktemp -d)
# serve runs in a command substitution (a subshell), so the servers' pids
# are kept in a file the exit trap reads, not in a variable.
trap 'for p in $(cat "$tmp/pids" 2>/dev/null); do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$SHOTS" "$tmp/home"

# serve NAME ARGS...: prints the URL of a new server.
serve() {
    name=$1
    shift
    HOME=$tmp/home XDG_CONFIG_HOME= "$PPROF" -http=127.0.0.1:0 -no_browser "$@" >/dev/null 2>"$tmp/$name.err" &
    echo $! >>"$tmp/pids"
    i=0
    while [ $i -lt 100 ]; do
        port=$(sed -n 's|^Serving web UI on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/$name.err")
        [ -n "$port" ] && { echo "http://127.0.0.1:$port"; return; }
        sleep 0.1
        i=$((i + 1))
    done
}
url=$(serve cpu "$data/cpu.pb.gz")
tags_url=$(serve tagsmany "$data/tags_many.pb.gz")
# A long peek (51,000 lines, 4.8 MB) and the text -peek prints for it.
long_url=$(serve large "$data/large.cpu")
"$PPROF" -peek=setFunctions.func1 -focus=setFunctions.func1 -lines "$data/large.cpu" >"$tmp/long.peek" 2>/dev/null
curl_dir=$(serve windows "$data/windows")
# A native profile for the source and disassembly views: a small C program
# built with -g (tests/native's), profiled by gperftools, served with it.
native_url=""
if gcc -g -O1 -o "$tmp/cprog" "$top/tests/native/progs/cprog.c" "$top/tests/native/progs/libwork.c" \
        -Wl,--no-as-needed -lprofiler >"$tmp/gcc.err" 2>&1 &&
    CPUPROFILE="$tmp/cprog.prof" CPUPROFILE_FREQUENCY=2000 "$tmp/cprog" 60000 >/dev/null 2>&1 &&
    [ -s "$tmp/cprog.prof" ]; then
    native_url=$(serve native "$tmp/cprog" "$tmp/cprog.prof")
else
    echo "browser.sh: no native profile (gcc -g with gperftools' -lprofiler): $(head -3 "$tmp/gcc.err")"
fi
if [ -z "$url" ] || [ -z "$curl_dir" ] || [ -z "$tags_url" ] || [ -z "$long_url" ]; then
    echo "browser.sh: a server did not start: $(cat "$tmp"/*.err)"
    echo "webui-browser: 0 passed, 1 failed"
    exit 1
fi
# Under ThreadSanitizer the call graph views cannot run: each is a child
# forked from the threaded server, and Graphviz's text layout (pango)
# starts threads in it, which TSan cannot follow (tests/webui/run.sh).
GRAPH_VIEWS=1
case ${SANITIZE:-} in
*sanitize=thread*)
    GRAPH_VIEWS=0
    echo "skip the call graph view (/ui/): pango starts threads in the forked view child, which ThreadSanitizer cannot follow" ;;
esac
LONG_URL=$long_url LONG_PEEK=$tmp/long.peek GRAPH_VIEWS=$GRAPH_VIEWS PLAYWRIGHT_DIR=$NODE_DIR/node_modules CHROMIUM=$CHROMIUM timeout 240 node "$here/browser.mjs" "$url" "$SHOTS" "$curl_dir" "$native_url" "$tags_url"
