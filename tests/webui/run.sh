#!/bin/sh
# run.sh: HTTP tests of the web UI (pprof -http) with curl on 127.0.0.1: every path and parameter, redirects, errors (400s, server still up), the Host and Origin checks, saved configurations, escaping of hostile names, a bounded load test with flat memory, and a clean stop on SIGINT.
#
# Environment: PPROF (the program, default build/pprof).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PPROF=${PPROF:-$top/build/pprof}
data=$top/tests/data
pass=0
fail=0
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# start NAME ARGS...: runs pprof -http=127.0.0.1:0 -no_browser ARGS in the
# background with HOME=$tmp/home; sets PORT, PID and URL (empty on failure).
start() {
    name=$1
    shift
    mkdir -p "$tmp/home"
    : >"$tmp/$name.err" # (read below before the server may have opened it)
    HOME=$tmp/home XDG_CONFIG_HOME= BROWSER= "$PPROF" -http=127.0.0.1:0 -no_browser "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    PID=$!
    pids="$pids $PID"
    PORT=""
    i=0
    while [ $i -lt 100 ]; do
        PORT=$(sed -n 's|^Serving web UI on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/$name.err")
        [ -n "$PORT" ] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    URL=http://127.0.0.1:$PORT
    [ -n "$PORT" ] || bad "$name: server did not start: $(cat "$tmp/$name.err")"
}

# get PATH [curl options]: fetches $URL$PATH into $tmp/body, the headers
# into $tmp/head; sets CODE.
get() {
    path=$1
    shift
    CODE=$(curl -s -m 60 -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' "$@" "$URL$path")
}

# expect CODE PATH [grep pattern] [curl options...]
expect() {
    want=$1 path=$2 pat=${3:-}
    shift 2
    [ $# -gt 0 ] && shift
    get "$path" "$@"
    if [ "$CODE" != "$want" ]; then
        bad "$path: status $CODE, want $want: $(head -c 300 "$tmp/body")"
    elif [ -n "$pat" ] && ! grep -q -e "$pat" "$tmp/body"; then
        bad "$path: body lacks '$pat': $(head -c 300 "$tmp/body")"
    else
        ok
    fi
}

# lacks PATH PATTERN: the page at PATH (200) does not contain PATTERN.
lacks() {
    get "$1"
    if [ "$CODE" != 200 ]; then
        bad "$1: status $CODE"
    elif grep -q -e "$2" "$tmp/body"; then
        bad "$1: body contains '$2'"
    else
        ok
    fi
}

# rows PATH: the number of rows in the top table's data at PATH.
rows() {
    get "$1"
    grep -c '^{Name: \|^\[{Name: \|rows: \[$' "$tmp/body" >/dev/null
    grep -o '{Name: ' "$tmp/body" | wc -l
}

header() { tr -d '\r' <"$tmp/head" | sed -n "s/^$1: //Ip" | head -1; }

# Under ThreadSanitizer the call graph views (/ui/) cannot run: each view is
# a child forked from the threaded server, Graphviz's text layout (pango)
# starts threads in it, and TSan stops a process that starts a thread after
# a multi-threaded fork (with die_after_fork=0 it aborts on a thread id
# glibc reuses from the parent). They are skipped there, saying so.
case ${SANITIZE:-} in
*sanitize=thread*)
    graph_views=0
    echo "skip the call graph views (/ui/): pango starts threads in the forked view child, which ThreadSanitizer cannot follow" ;;
*) graph_views=1 ;;
esac

# ---------------------------------------------------------------- paths
start cpu "$data/cpu.pb.gz"
expect 307 "/" && [ "$(header Location)" = "/ui/" ] && ok || bad "/: Location $(header Location)"
expect 307 "/foo?f=main&n=3" && [ "$(header Location)" = "/ui/?f=main&n=3" ] && ok || bad "/foo: Location $(header Location)"
expect 301 "/ui" && [ "$(header Location)" = "/ui/" ] && ok || bad "/ui: Location $(header Location)"
[ $graph_views = 0 ] || expect 200 "/ui/" 'id="node1"'
expect 301 "/ui//top?n=3" "" --path-as-is && [ "$(header Location)" = "/ui/top?n=3" ] && ok || bad "/ui//top: Location $(header Location)"
expect 301 "/ui/./x/../top" "" --path-as-is && [ "$(header Location)" = "/ui/top" ] && ok || bad "/ui/./x/../top: Location $(header Location)"
curl -s -o /dev/null --path-as-is -D "$tmp/head" "$URL/ui/../etc/passwd"
[ "$(header Location)" = "/etc/passwd" ] && ok || bad "/ui/../etc/passwd: Location $(header Location)"
curl -s -o "$tmp/body" --path-as-is -L "$URL/ui/../../etc/passwd"
! grep -q 'root:' "$tmp/body" && ok || bad "a path outside /ui/ served a file"
if [ $graph_views = 1 ]; then
    expect 200 "/ui/" '<svg data-fit'
    [ "$(header Content-Type)" = "text/html; charset=utf-8" ] && ok || bad "/ui/: Content-Type $(header Content-Type)"
fi
expect 200 "/ui/top" 'Name: "regexp.(\*machine).add"'
expect 200 "/ui/top" 'id="toptable"'
header Server-Timing | grep -q '^view;dur=[0-9.]*, cpu;dur=[0-9.]*$' && ok || bad "Server-Timing: $(header Server-Timing)"
expect 200 "/ui/flamegraph" 'id="fgframes"'
expect 200 "/ui/flamegraph" 'main.encodeOrders'
expect 200 "/ui/peek?f=machine..add" 'regexp.(\*machine).add'
expect 200 "/ui/peek" 'main.compress'
expect 200 "/ui/source?f=main.compress" '<div id="source-listing" class="listing"><h2>main.compress</h2>'
expect 200 "/ui/source?f=main.handle.func1" '<span class=line>     65</span> <span class=livesrc>'
expect 200 "/ui/source?f=main.compress" 'window.pprof_toggle_asm = function'
expect 400 "/ui/source" 'no matches found for regexp: '
expect 400 "/ui/source?f=zzzznothing" 'no matches found for regexp: zzzznothing'
expect 400 "/ui/peek?f=zzzznothing" 'no matches found for regexp: zzzznothing'
# -disasm needs the profile's binaries, which this fixture does not have:
# the same answer as pprof -disasm=main.compress gives.
expect 400 "/ui/disasm?f=main.compress" 'no matches found for regexp: main.compress'
expect 404 "/ui/nope" '404 page not found'
expect 404 "/ui/top/" '404 page not found'
expect 404 "/ui/Top"
expect 200 "/ui/download"
[ "$(header Content-Type)" = "application/vnd.google.protobuf+gzip" ] && ok || bad "download: Content-Type $(header Content-Type)"
[ "$(header Content-Disposition)" = "attachment;filename=profile.pb.gz" ] && ok || bad "download: $(header Content-Disposition)"
cp "$tmp/body" "$tmp/dl.pb.gz"
"$PPROF" -top "$data/cpu.pb.gz" >"$tmp/top.want" 2>&1
"$PPROF" -top "$tmp/dl.pb.gz" >"$tmp/top.got" 2>&1
cmp -s "$tmp/top.want" "$tmp/top.got" && ok || bad "download: -top of the downloaded profile differs"
gzip -t "$tmp/dl.pb.gz" 2>/dev/null && ok || bad "download: not a valid gzip file"
# The profile is encoded once: a second download (with a query, which it
# ignores) gives the same bytes.
expect 200 "/ui/download?f=main&si=0"
cmp -s "$tmp/body" "$tmp/dl.pb.gz" && ok || bad "download: a second download differs from the first"
case $(header Server-Timing) in "view;dur="*", cpu;dur="*) ok ;; *) bad "download: Server-Timing $(header Server-Timing)" ;; esac
expect 405 "/ui/top" '' -X POST

# ---------------------------------------------------------------- parameters
expect 200 "/ui/top?f=main.compress" 'Name: "main.compress"'
lacks "/ui/top?f=main.compress" 'Name: "main.scan"'
lacks "/ui/top?i=regexp" 'Name: "regexp\.'
lacks "/ui/top?h=runtime" 'Name: "runtime\.'
expect 200 "/ui/top?s=json" 'Name: "encoding/json'
lacks "/ui/top?s=json" 'Name: "main\.'
lacks "/ui/top?sf=encodeOrders" 'Name: "main.handle"'
lacks "/ui/top?prunefrom=Marshal" 'Name: "encoding/json.(\*encodeState).marshal"'
expect 200 "/ui/top?tf=endpoint=/export" 'Name: "main.compress"'
lacks "/ui/top?tf=endpoint=/export" 'Name: "main.scan"'
lacks "/ui/top?ti=endpoint=/export" 'Name: "main.compress"'
if [ $graph_views = 1 ]; then
    expect 200 "/ui/?ts=endpoint" 'endpoint:/export'
    lacks "/ui/?th=endpoint" 'endpoint:/export'
fi
expect 200 "/ui/top?si=samples" 'FlatFormat: "100"'
expect 200 "/ui/top?si=0" 'FlatFormat: "100"'
expect 200 "/ui/top?g=files" 'Name: "regexp/exec.go"'
expect 200 "/ui/top?g=lines" 'Name: "regexp.(\*machine).add .*regexp/exec.go:[0-9]*"'
expect 200 "/ui/top?g=addresses&noinlines=t" 'Name: "'
expect 200 "/ui/top?unit=ms" 'FlatFormat: "1000ms"'
expect 200 "/ui/top?mean=true&si=cpu" '<title>work mean_cpu</title>'
expect 200 "/ui/top?rel=1&f=main.compress" 'Cum: 740000000'
if [ $graph_views = 1 ]; then
    n5=$(curl -s "$URL/ui/?n=5" | grep -c 'class="node"')
    [ "$n5" -ge 5 ] && [ "$n5" -le 12 ] && ok || bad "n=5 drew $n5 nodes"
    n80=$(curl -s "$URL/ui/" | grep -c 'class="node"')
    [ "$n80" -gt "$n5" ] && ok || bad "default graph has $n80 nodes, n=5 has $n5"
    nf=$(curl -s "$URL/ui/?nf=0.2" | grep -c 'class="node"')
    [ "$nf" -lt "$n80" ] && ok || bad "nf=0.2 drew $nf nodes of $n80"
    expect 200 "/ui/?ef=0.2&trim=false&calltree=t&compact=t&intel=t&norm=f&dropneg=t&sort=cum"
fi
expect 200 "/ui/top?trim=false" 'runtime.'
expect 200 "/ui/top?f=&i=" 'Name: "regexp.(\*machine).add"'
expect 200 "/ui/top?f=main.compress&f=regexp" 'Name: "main.compress"'
expect 200 "/ui/top?f=zzzznothing" 'Focus expression matched no samples'
expect 200 "/ui/top?x=unknown&tagroot=x" 'Name: "regexp.(\*machine).add"'

# ---------------------------------------------------------------- bad parameters: 400, and the server keeps serving
expect 400 "/ui/top?f=(" 'parsing focus regexp: '
expect 400 "/ui/?i=a**" 'parsing ignore regexp: '
expect 400 "/ui/flamegraph?h=%5B" 'parsing hide regexp: '
expect 400 "/ui/top?s=(" 'parsing show regexp: '
expect 400 "/ui/top?sf=(" 'parsing show_from regexp: '
expect 400 "/ui/top?ts=(" 'parsing tagshow regexp: '
expect 400 "/ui/top?tf=(" 'tagfocus'
expect 400 "/ui/top?n=abc" 'error setting config field nodecount: strconv.Atoi: parsing "abc": invalid syntax'
expect 400 "/ui/top?nf=x" 'error setting config field nodefraction: strconv.ParseFloat'
expect 400 "/ui/top?trim=maybe" 'illegal value "maybe" for bool variable'
expect 400 "/ui/top?g=nope" 'invalid "granularity" value "nope"'
expect 400 "/ui/top?sort=nope" 'invalid "sort" value "nope"'
expect 400 "/ui/top?si=nope" 'sample_index "nope" must be one of'
expect 400 "/ui/top?si=9" 'sample_index'
expect 400 "/ui/peek?f=(" 'parsing'
[ "$(header Content-Type)" = "text/plain; charset=utf-8" ] && ok || bad "400: Content-Type $(header Content-Type)"
[ "$(header X-Content-Type-Options)" = "nosniff" ] && ok || bad "400: no nosniff"
expect 200 "/ui/top" 'Name: "regexp.(\*machine).add"'
grep -q 'parsing focus regexp' "$tmp/cpu.err" && ok || bad "errors are not printed on stderr"

# ---------------------------------------------------------------- Host and peer checks (DNS rebinding)
expect 403 "/ui/top" 'permission denied' -H "Host: evil.example:$PORT"
expect 403 "/ui/download" 'permission denied' -H "Host: evil.example"
expect 403 "/ui/top" 'permission denied' -H "Host: localhost:1"
expect 403 "/" '' -H "Host: 127.0.0.1.evil.example:$PORT"
expect 200 "/ui/top" '' -H "Host: localhost:$PORT"
expect 200 "/ui/top" '' -H "Host: 127.0.0.1:$PORT"
expect 200 "/ui/top" '' -H "Host: [::1]:$PORT"
# HTTP/1.1 requires Host: a request without one is refused.
expect 400 "/ui/top" '' -H "Host:"

# ---------------------------------------------------------------- saved configurations
settings=$tmp/home/.config/pprof/settings.json
expect 405 "/ui/saveconfig?config=mine&f=sort"
expect 403 "/ui/saveconfig?config=mine&f=sort" 'permission denied' -X POST
expect 403 "/ui/saveconfig?config=mine&f=sort" 'permission denied' -X POST -H "Origin: http://evil.example"
[ ! -e "$settings" ] && ok || bad "a refused save wrote $settings"
expect 200 "/ui/saveconfig?config=mine&f=machine&n=7&g=lines&trim=f" '' -X POST -H "Origin: http://127.0.0.1:$PORT"
grep -q '"name": "mine"' "$settings" && grep -q '"focus": "machine"' "$settings" && grep -q '"nodecount": 7' "$settings" &&
    grep -q '"granularity": "lines"' "$settings" && ! grep -q '"trim"' "$settings" && ok || bad "settings.json: $(cat "$settings" 2>&1)"
[ "$(stat -c %a "$settings")" = 644 ] && [ "$(stat -c %a "$tmp/home/.config/pprof")" = 700 ] && ok || bad "settings modes"
expect 200 "/ui/saveconfig?config=%3Cb%3E%22x&f=runtime" '' -X POST -H "Origin: http://127.0.0.1:$PORT"
expect 200 "/ui/saveconfig?config=mine&f=other" '' -X POST -H "Origin: http://127.0.0.1:$PORT"
[ "$(grep -c '"name"' "$settings")" = 2 ] && grep -q '"focus": "other"' "$settings" && ok || bad "save did not replace in place: $(cat "$settings")"
expect 200 "/ui/top" 'configs: \[{name: "mine", params: {.*f: "other"'
expect 200 "/ui/top" 'name: "\\u003cb\\u003e\\"x"'
expect 400 "/ui/saveconfig?f=x" 'invalid config name' -X POST -H "Origin: http://127.0.0.1:$PORT"
expect 200 "/ui/deleteconfig?config=mine" '' -X DELETE -H "Origin: http://127.0.0.1:$PORT"
expect 400 "/ui/deleteconfig?config=mine" 'config mine not found' -X DELETE -H "Origin: http://127.0.0.1:$PORT"
expect 403 "/ui/deleteconfig?config=%3Cb%3E%22x" '' -X DELETE
! grep -q '"name": "mine"' "$settings" && grep -q '"name": "<b>\\"x"' "$settings" && ok || bad "delete: $(cat "$settings")"
echo '{"configs": [' >"$settings"
expect 400 "/ui/saveconfig?config=z" 'could not parse settings' -X POST -H "Origin: http://127.0.0.1:$PORT"
expect 200 "/ui/top" 'configs: \[\]'

# ---------------------------------------------------------------- load: hundreds of requests at once, all answered, memory flat
# Under a sanitizer every view (a forked child) is many times slower: fewer
# requests keep the run within the server's 300 s queue on a loaded machine.
case ${SANITIZE:-} in
*sanitize=*) N_LOAD=${N_LOAD:-60} ;;
*) N_LOAD=${N_LOAD:-250} ;;
esac
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }
: >"$tmp/urls"
i=0
while [ $i -lt $N_LOAD ]; do
    case $((i % 4)) in
        0) v=top ;; 1) v=flamegraph ;; 2) v="top?f=main&n=$i" ;; *) v="peek?f=machine" ;;
    esac
    echo "url = \"$URL/ui/$v\"" >>"$tmp/urls"
    echo "output = \"/dev/null\"" >>"$tmp/urls"
    i=$((i + 1))
done
# Every request must be answered: 200, or under a sanitizer also 503, the
# answer of a view past its time bound (ASan on a loaded machine can make
# a flame graph that slow).
case ${SANITIZE:-} in
*sanitize=*) answered_re='^(200|503)$' ;;
*) answered_re='^200$' ;;
esac
load() {
    curl -s -Z --parallel-max $N_LOAD -m 300 -K "$tmp/urls" -w '%{http_code}\n' >"$tmp/codes" 2>/dev/null
    cat "$tmp/codes" >>"$tmp/codes.all"
    echo "$(grep -cE "$answered_re" "$tmp/codes")"
}
# The RSS after a round depends on how many requests a loaded machine kept
# in flight at once (the allocator keeps its peak), so one round may end
# well above another; a leak grows it round after round. Rounds go on (at
# most 5) until one ends within 8 MB of the highest RSS before it.
got=$(load)
rss1=$(rss)
answered=$got rounds=1 high=${rss1:-0} flat=0 seen=$rss1
while [ $rounds -lt 5 ] && [ $flat = 0 ]; do
    g=$(load)
    r=$(rss)
    rounds=$((rounds + 1))
    answered="$answered $g"
    seen="$seen $r"
    [ "$g" = $N_LOAD ] || break
    if [ -n "$r" ] && [ "$r" -le $((high + 8192)) ]; then flat=1; fi
    [ -n "$r" ] && [ "$r" -gt "$high" ] && high=$r
done
[ "$(echo $answered | tr ' ' '\n' | grep -cx "$N_LOAD")" = $rounds ] && ok ||
    bad "load: $answered of $N_LOAD answered per round (all rounds: $(sort "$tmp/codes.all" | uniq -c | tr '\n' ' '))"
case ${SANITIZE:-} in
*sanitize=address* | *sanitize=thread*) # ASan's quarantine and TSan's history keep memory: RSS says nothing there
    echo "skip load: RSS (the sanitizer's runtime holds memory of its own)" ;;
*) [ -n "$rss1" ] && [ $flat = 1 ] && ok || bad "load: RSS grew every round: $seen kB" ;;
esac
echo "load: $rounds x $N_LOAD concurrent requests, server RSS $seen kB"
expect 200 "/ui/top" 'Name: "regexp.(\*machine).add"'

# ---------------------------------------------------------------- clean stop
kill -INT "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$PID" 2>/dev/null; then
    bad "SIGINT did not stop the server"
else
    wait "$PID"
    rc=$?
    [ $rc = 0 ] && ok || bad "SIGINT: exit status $rc"
fi

# ---------------------------------------------------------------- hostile names are escaped everywhere
start hostile "$data/folded/hostile.folded"
for v in "" top flamegraph "peek?f=alert" "top?f=alert"; do
    [ -z "$v" ] && [ $graph_views = 0 ] && continue
    lacks "/ui/$v" '<script>alert'
    lacks "/ui/$v" '</text><script>'
done
expect 200 "/ui/top" 'Name: "a \\u0026 b \\"quoted\\" \\u0027single\\u0027"'
expect 200 "/ui/top" 'Name: "a-\\u003eb"'
expect 200 "/ui/peek?f=quoted" 'a &amp; b &#34;quoted&#34; &#39;single&#39;'
expect 200 "/ui/peek?f=a-.b" 'a-&gt;b'
kill "$PID"

# ---------------------------------------------------------------- a bigger profile: the download encoded ahead, a peek in two parts
# A background thread encodes the download as the server starts: the first
# download only waits for it (or finds it made) and spends no CPU of its
# own. Encoding large.cpu (1 MB) took 20 ms of the request's CPU when the
# first download made it.
start ahead "$data/large.cpu"
expect 200 "/ui/download"
cpu=$(header Server-Timing | sed -n 's/^view;dur=[0-9.]*, cpu;dur=\([0-9.]*\)$/\1/p')
awk -v c="$cpu" 'BEGIN { exit !(c != "" && c + 0 < 5) }' && ok || bad "download ahead: the first download used ${cpu:-?} ms of CPU"
cp "$tmp/body" "$tmp/ahead.pb.gz"
"$PPROF" -top "$data/large.cpu" >"$tmp/ahead.want" 2>&1
"$PPROF" -top "$tmp/ahead.pb.gz" >"$tmp/ahead.got" 2>&1
cmp -s "$tmp/ahead.want" "$tmp/ahead.got" && ok || bad "download ahead: -top of the downloaded profile differs"
# A peek of 16 MB is written in two halves at once when a CPU is free (a
# helper process makes the second): either way the page's text is the
# whole peek, as -peek prints it.
# The text is in blocks of 500 lines (<span class="c">, laid out by the
# browser only near the window), each ending at a line's end.
# peek_is QUERY ARGS...: the peek page's text is what pprof ARGS prints.
peek_is() {
    expect 200 "/ui/peek?$1" '<pre id="peek-text" class="report"><span class="c">'
    tr '\n' '\001' <"$tmp/body" | sed 's|.*<pre id="peek-text" class="report"><span class="c">||; s|</span></pre>.*||' >"$tmp/peek.html"
    grep '</span><span class="c">' "$tmp/body" | grep -qv '^</span><span class="c">' && bad "peek?$1: a block ends inside a line" || ok
    sed 's|</span><span class="c">||g' "$tmp/peek.html" | tr '\001' '\n' |
        sed 's/&lt;/</g; s/&gt;/>/g; s/&#34;/"/g; s/&#39;/'"'"'/g; s/&amp;/\&/g' >"$tmp/peek.got"
    q=$1
    shift
    "$PPROF" "$@" "$data/large.cpu" >"$tmp/peek.want" 2>/dev/null
    [ -s "$tmp/peek.want" ] && cmp -s "$tmp/peek.want" "$tmp/peek.got" && ok ||
        bad "peek?$q: the page's text differs from -peek's ($(wc -c <"$tmp/peek.got") and $(wc -c <"$tmp/peek.want") bytes)"
}
for f in . runtime; do
    peek_is "f=$f" -peek="$f" -focus="$f" -lines
done
# The views share what the server made once for the loaded profile (its
# stacks grouped, the node identity and every node's text): a view after
# another, focused or not, at either granularity, is the report made
# afresh, and the same page as before.
expect 200 "/ui/top"
cp "$tmp/body" "$tmp/top.first"
peek_is "f=runtime&g=functions" -peek=runtime -focus=runtime
expect 200 "/ui/top?f=runtime"
peek_is "f=mallocgc" -peek=mallocgc -focus=mallocgc -lines
peek_is "f=runtime&g=functions&i=gc" -peek=runtime -focus=runtime -ignore=gc
peek_is "f=." -peek=. -focus=. -lines
expect 200 "/ui/top"
cmp -s "$tmp/top.first" "$tmp/body" && ok || bad "/ui/top after focused views differs from the first"
kill "$PID"

# ---------------------------------------------------------------- a big flame graph
# 200 stacks of 100 distinct frames: 20,000 frames; the page's drawing is
# -flamegraph's (icicle, fluid, blank title, as the page asks for).
awk 'BEGIN { for (i = 0; i < 200; i++) { s = "s" i "_f0"; for (j = 1; j < 100; j++) s = s ";s" i "_f" j; print s, 1 } }' >"$tmp/deep.folded"
start deep "$tmp/deep.folded"
expect 200 "/ui/flamegraph" '<div id="flame"><svg'
tr '\n' '\001' <"$tmp/body" | sed 's|.*<div id="flame">||; s|</div>.*||' | tr '\001' '\n' >"$tmp/flame.got"
"$PPROF" -flamegraph -inverted -title=' ' "$tmp/deep.folded" 2>/dev/null | sed '1{/^<?xml/d;}' >"$tmp/flame.want"
[ "$(grep -c '<g><title>' "$tmp/flame.want")" = 20001 ] && cmp -s "$tmp/flame.want" "$tmp/flame.got" && ok ||
    bad "big flame graph: the page's drawing differs from -flamegraph's ($(wc -c <"$tmp/flame.got") and $(wc -c <"$tmp/flame.want") bytes)"
kill "$PID"

# ---------------------------------------------------------------- the flame graph's frames, named once
# The server names every frame of the default options once, as it starts
# (a background thread, before it encodes the download): each flame graph
# is then made from those names, its filters working on the view's copy of
# the profile. Whatever the order of the requests, each page's drawing is
# -flamegraph's with the same options: a name, an order or a filter kept
# from another request would show. The download waits for the encoding,
# so the frames are made by then.
for prof in cpu.pb.gz large.cpu; do
    start frames "$data/$prof"
    expect 200 "/ui/download"
    for q in "f=regexp|-focus=regexp" "|" "f=runtime|-focus=runtime" "i=runtime|-ignore=runtime" \
        "h=runtime|-hide=runtime" "f=regexp|-focus=regexp" "g=lines|-lines" "noinlines=true|-noinlines" \
        "f=main&h=time|-focus=main -hide=time" "sf=mallocgc|-show_from=mallocgc" "|"; do
        query=${q%%|*} flags=${q#*|}
        expect 200 "/ui/flamegraph?$query" '<div id="flame"><svg'
        tr '\n' '\001' <"$tmp/body" | sed 's|.*<div id="flame">||; s|</div>.*||' | tr '\001' '\n' >"$tmp/flame.got"
        # shellcheck disable=SC2086
        "$PPROF" -flamegraph -inverted -title=' ' $flags "$data/$prof" 2>/dev/null | sed '1{/^<?xml/d;}' >"$tmp/flame.want"
        [ -s "$tmp/flame.want" ] && cmp -s "$tmp/flame.want" "$tmp/flame.got" && ok ||
            bad "$prof: flamegraph?$query: the page's drawing differs from -flamegraph $flags's ($(wc -c <"$tmp/flame.got") and $(wc -c <"$tmp/flame.want") bytes)"
    done
    kill "$PID"
done

# ---------------------------------------------------------------- the label panel
# Keys by name; values heaviest first, equal weights by text, strings before
# numbers; a value under two keys counted under each; repeated numbers
# summed; each link an exact, URL-escaped focus (tests/data/gen/tags_panel.py).
start tags "$data/tags_panel.pb.gz"
get /ui/tags
rows=$(sed -n 's|^<tr><td class="num">\([^<]*\)</td><td class="num">\([^<]*\)</td>.*width:\([0-9]*\)px.*href="\([^"]*\)">\(.*\)</a></td></tr>$|\1 \2 \3 \4 \5|p' "$tmp/body")
want='12 75.00% 200 ?tf=bytes%3D2048 2kB
4 25.00% 67 ?tf=bytes%3D16 16B
3 50.00% 200 ?tf=mixed%3D%5Es%24 s
3 50.00% 200 ?tf=mixed%3D5 5
9 42.86% 200 ?tf=route%3D%5E%2Fa%5C.b%24 /a.b
4 19.05% 89 ?tf=route%3D%5Ex%3Cy%26z%24 x&lt;y&amp;z
3 14.29% 67 ?tf=route%3D%5Ea%24 a
3 14.29% 67 ?tf=route%3D%5Eb%24 b
2  9.52% 44 ?tf=route%3D%5E%5C%28q%5C%29%5C%2B%24 (q)+
11 73.33% 200 ?tf=zone%3D%5Eb%24 b
4 26.67% 73 ?tf=zone%3D%5E%2Fa%5C.b%24 /a.b'
[ "$CODE" = 200 ] && [ "$rows" = "$want" ] && ok || bad "/ui/tags rows ($CODE): $rows"
[ "$(grep -o '<h2>[^<]*</h2>' "$tmp/body" | tr '\n' ' ')" = "<h2>bytes</h2> <h2>mixed</h2> <h2>route</h2> <h2>zone</h2> " ] &&
    ok || bad "/ui/tags keys: $(grep -o '<h2>[^<]*</h2>' "$tmp/body")"
# A focus link of the panel keeps exactly its value.
expect 200 "/ui/tags?tf=route%3D%5E%2Fa%5C.b%24" '?tf=zone%3D%5Eb%24">b</a>'
lacks "/ui/tags?tf=route%3D%5E%2Fa%5C.b%24" 'x&lt;y'
kill "$PID"

# More values and keys than the panel lists (tests/data/gen/tags_many.py:
# span s000..s119 weighing 1..120, zone z0..z2, keys zz000..zz104): a key's
# 50 heaviest values, then a line for the 70 others (1 + ... + 70 = 2485 of
# 7260); 100 keys, then a line for the 7 others; the filter (tv, a regexp
# on values, or on keys' names) lists the values it matches, 50 at most,
# and how many; the page stays small whatever the profile.
start tagsmany "$data/tags_many.pb.gz"
tagrows() { sed -n 's|^<tr><td class="num">[^<]*</td><td class="num">[^<]*</td>.*">\([^<]*\)</a></td></tr>$|\1|p' "$tmp/body" | tr '\n' ' '; }
get /ui/tags
want="$(i=119; while [ $i -ge 70 ]; do printf 's%03d ' $i; i=$((i - 1)); done)z2 z1 z0 $(i=0; while [ $i -lt 98 ]; do printf 'v '; i=$((i + 1)); done)"
[ "$CODE" = 200 ] && [ "$(tagrows)" = "$want" ] && ok || bad "/ui/tags of 120 values ($CODE): $(tagrows)"
grep -q '<tr class="more"><td colspan="4">70 more values, 34.23% of the weight: the filter finds them</td></tr>' "$tmp/body" &&
    ok || bad "/ui/tags: no line for the values not listed: $(grep -o '<tr class="more">.*' "$tmp/body")"
[ "$(grep -c '<tr class="more">' "$tmp/body")" = 1 ] && ok || bad "/ui/tags: a 'more' line for a key listed whole"
[ "$(grep -c '<tr>' "$tmp/body")" = 151 ] && ok || bad "/ui/tags: $(grep -c '<tr>' "$tmp/body") rows, want 50 + 3 + 98"
[ "$(grep -o '<h2>[^<]*</h2>' "$tmp/body" | sed -n '1p;2p;100p')" = "<h2>span</h2>
<h2>zone</h2>
<h2>zz097</h2>" ] && grep -q '<p class="more">7 more keys of 107: the filter finds a key by its name.</p>' "$tmp/body" &&
    ok || bad "/ui/tags: keys listed: $(grep -c '<h2>' "$tmp/body"), $(grep -o '<p class="more">.*' "$tmp/body")"
get '/ui/tags?tv=%5Ezz104%24'
[ "$CODE" = 200 ] && [ "$(grep -o '<h2>[^<]*</h2>' "$tmp/body")" = "<h2>zz104</h2>" ] && [ "$(tagrows)" = "v " ] &&
    ok || bad "/ui/tags?tv=^zz104\$ (a key past the first 100) ($CODE): $(tagrows)"
grep -q '<form id="tagfilter" action="./tags" method="get"><input [^>]*name="tv"' "$tmp/body" && ok || bad "/ui/tags: no filter box"
get '/ui/tags?tv=%5Es00'
want="s009 s008 s007 s006 s005 s004 s003 s002 s001 s000 "
[ "$CODE" = 200 ] && [ "$(tagrows)" = "$want" ] && ok || bad "/ui/tags?tv=^s00 ($CODE): $(tagrows)"
grep -q '<p class="tagcount">10 of 120 values match</p>' "$tmp/body" && ! grep -q '<tr class="more">' "$tmp/body" &&
    ! grep -q '<h2>zone</h2>' "$tmp/body" && ok || bad "/ui/tags?tv=^s00: count, more line or keys"
grep -q 'name="tv" [^>]*value="^s00"' "$tmp/body" && ok || bad "/ui/tags?tv=^s00: the box does not keep the filter"
get '/ui/tags?tv=s0'
want="$(i=99; while [ $i -ge 50 ]; do printf 's%03d ' $i; i=$((i - 1)); done)"
[ "$CODE" = 200 ] && [ "$(tagrows)" = "$want" ] && ok || bad "/ui/tags?tv=s0 ($CODE): $(tagrows)"
grep -q '<p class="tagcount">100 of 120 values match</p>' "$tmp/body" &&
    grep -q '<tr class="more"><td colspan="4">50 more matching values, 17.56% of the weight</td></tr>' "$tmp/body" &&
    ok || bad "/ui/tags?tv=s0: count or more line: $(grep -o '<tr class="more">.*' "$tmp/body")"
get '/ui/tags?tv=%5Ezone%24'
[ "$CODE" = 200 ] && [ "$(tagrows)" = "z2 z1 z0 " ] && ok || bad "/ui/tags?tv=^zone\$ (a key's name) ($CODE): $(tagrows)"
# Other filters still weigh the values: zone z1 holds s001, s004, ...
get '/ui/tags?tv=%5Es00&tf=zone%3D%5Ez1%24'
[ "$CODE" = 200 ] && [ "$(tagrows)" = "s007 s004 s001 " ] && ok || bad "/ui/tags?tv=^s00&tf=zone=^z1\$ ($CODE): $(tagrows)"
expect 200 '/ui/tags?tv=nothing' '<p>No value or key matches the filter.</p>'
expect 400 '/ui/tags?tv=(' 'parsing tv regexp: '
expect 200 '/ui/tags?tv=%22%3E%3Cb%3E' 'value="&#34;&gt;&lt;b&gt;"'
kill "$PID"

# ---------------------------------------------------------------- flags
out=$("$PPROF" -no_browser -top "$data/cpu.pb.gz" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q 'no_browser' && ok || bad "-no_browser without -http: $out"
out=$("$PPROF" -http=127.0.0.1:0 -top "$data/cpu.pb.gz" 2>&1)
[ $? = 2 ] && ok || bad "-http with -top: $out"
out=$("$PPROF" -http=127.0.0.1:99999 -no_browser "$data/cpu.pb.gz" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q 'invalid port number' && ok || bad "-http bad port: $out"
out=$("$PPROF" -http=nocolon -no_browser "$data/cpu.pb.gz" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q 'could not split http address' && ok || bad "-http without port: $out"
# -http=:PORT listens on the loopback address only.
start2() {
    p=$1
    HOME=$tmp/home "$PPROF" -http=:$p -no_browser "$data/cpu.pb.gz" >/dev/null 2>"$tmp/any.err" &
    PID=$!
    pids="$pids $PID"
    i=0
    while ! grep -q 'Serving' "$tmp/any.err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
p=$((20000 + $$ % 20000))
start2 $p
grep -q "Serving web UI on http://localhost:$p" "$tmp/any.err" && ok || bad ":PORT: $(cat "$tmp/any.err")"
hexport=$(printf '%04X' $p)
grep -q "0100007F:$hexport" /proc/net/tcp && ! grep -q "00000000:$hexport" /proc/net/tcp && ok || bad ":PORT is not bound to 127.0.0.1 only"
URL=http://127.0.0.1:$p
PORT=$p
expect 200 "/ui/top" '' -H "Host: localhost:$p"
out=$("$PPROF" -http=127.0.0.1:$p -no_browser "$data/cpu.pb.gz" 2>&1)
[ $? != 0 ] && ok || bad "a busy port: $out"
kill "$PID"

echo "webui: $pass passed, $fail failed"
[ $fail = 0 ]
