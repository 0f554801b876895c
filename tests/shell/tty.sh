#!/bin/sh
# tty.sh: the shell on a real terminal (tmux): prompt, tab completion, history across runs, Ctrl-C at the prompt and during a command.
#
# Usage (repo root): PPROF=build/pprof TOOLS=build/tools sh tests/shell/tty.sh
# Runs pprof in a detached tmux session on a private socket, types with
# send-keys and reads the screen with capture-pane. Every wait has a deadline;
# the session is killed on exit.
set -u
PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
case $TOOLS in /*) ;; *) TOOLS=$(pwd)/$TOOLS ;; esac
if ! command -v tmux >/dev/null 2>&1; then
	echo "shell-tty: tmux is not installed (make test-deps installs it)" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-tty.XXXXXX") || exit 2
T="tmux -S $tmp/sock"
trap '$T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/state" "$tmp/work"
prof=$(pwd)/tests/data/cpu.pb.gz
# A profile big enough that printing its traces takes seconds on a terminal.
"$TOOLS/gen_profile" --samples 200000 --locations 20000 --functions 5000 --out "$tmp/big.pb.gz" 2>/dev/null ||
	{ echo "shell-tty: gen_profile failed" >&2; exit 1; }

passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL $1"
	$T capture-pane -p -t pp 2>/dev/null | grep -v '^$' | tail -15 | sed 's/^/  | /'
}
screen() { $T capture-pane -p -J -S -200 -t pp 2>/dev/null; }
# wait_for PATTERN [SECONDS]: until the screen matches the grep pattern.
wait_for() {
	i=0
	while [ $i -lt $((${2:-10} * 10)) ]; do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
keys() { $T send-keys -t pp "$@"; }
start() { # PROFILE [SESSION [XDG_STATE_HOME]]
	$T new-session -d -s "${2:-pp}" -x 160 -y 40 \
		"cd $tmp/work && env HOME=$tmp XDG_STATE_HOME=${3:-$tmp/state} TZ=UTC $PPROF $1; echo EXITED=\$?; sleep 30"
}

# ---- prompt, a command, completion of a command, an option value and a function name
start "$prof"
if wait_for '^(pprof) ' 10; then ok; else
	# No shell at all: every later step would only wait out its deadline.
	fail "prompt"
	echo "shell-tty: $passed passed, $failed failed"
	exit 1
fi
keys 'top3' Enter
if wait_for 'regexp.(\*machine).add' 10; then ok; else fail "top3 runs"; fi
keys 'sample_in' Tab
if wait_for '^(pprof) sample_index=$' 5; then ok; else fail "tab completes an option name, with its ="; fi
keys 'sa' Tab
if wait_for '^(pprof) sample_index=samples' 5; then ok; else fail "tab completes a sample type"; fi
keys Enter 'o' Enter
if wait_for 'sample_index *= samples' 5; then ok; else fail "the completed option was set"; fi
keys 'peek runtime.mallo' Tab
if wait_for '^(pprof) peek runtime.mallocgc' 5; then ok; else fail "tab completes a function name"; fi
# Function names match anywhere in the name, through Go's "(*T)." (a "("
# used to break the word); a unique match replaces what was typed; several
# are listed, the word grown to their common prefix when that holds it.
keys C-u 'peek (*machine).ad' Tab
if wait_for '^(pprof) peek regexp.(\*machine).add' 5; then ok; else fail "tab completes a method by a substring"; fi
keys C-u 'list achine).ma' Tab
if wait_for '^(pprof) list regexp.(\*machine).match' 5; then ok; else fail "tab completes a substring in the middle"; fi
keys C-u 'list encodeState' Tab
sleep 0.3
keys Tab Tab
if wait_for 'encoding/json.(\*encodeState).string' 5 && wait_for '^(pprof) list encoding/json.(\*encodeState).$' 2; then ok
else fail "several substring matches: the word grows to what they share and they are listed"; fi
# Counts are bounded: top4294967297 is not top1.
keys C-u 'top4294967297' Enter
if wait_for 'node count 4294967297 is out of range' 5; then ok; else fail "top4294967297 refused"; fi
keys C-u 'granularity=fi' Tab Tab
if wait_for 'filefunctions' 5 && wait_for 'files' 1; then ok; else fail "tab lists granularities"; fi
# disasm and weblist complete as commands, then take function names.
keys C-u 'disa' Tab
if wait_for '^(pprof) disasm *$' 5; then ok; else fail "tab completes disasm"; fi
keys C-u 'webl' Tab
if wait_for '^(pprof) weblist *$' 5; then ok; else fail "tab completes weblist"; fi
keys 'runtime.mallo' Tab
if wait_for '^(pprof) weblist runtime.mallocgc' 5; then ok; else fail "tab completes a function name after weblist"; fi

# ---- Ctrl-C at the prompt clears the line
# (Ctrl-C only once the line shows: the terminal turns it into SIGINT at
# once and drops what the program has not read yet, so on a slow run it
# would overtake the keys typed before it.) ThreadSanitizer's runtime
# takes every signal and runs the program's handler later, at a point of
# its own: there the handler's flag comes after readline's interrupted
# read has been handled, and the line stays; that build skips the check.
case ${SANITIZE:-} in
*sanitize=thread*)
	echo "skip Ctrl-C clears the prompt line: ThreadSanitizer defers signal handlers"
	keys C-u 'help top' Enter
	wait_for 'Outputs top entries' 5 ;;
*)
	keys C-u 'garbage'
	wait_for '^(pprof) garbage$' 10
	keys C-c
	sleep 0.3
	keys 'help top' Enter
	if wait_for 'Outputs top entries' 5 && ! screen | grep -q 'unrecognized command: "garbage'; then ok; else fail "Ctrl-C clears the prompt line"; fi ;;
esac
keys 'quit' Enter
if wait_for 'EXITED=0' 5; then ok; else fail "quit exits 0"; fi
$T kill-server 2>/dev/null
sleep 0.2

# ---- history was saved, and Up recalls it in the next run
if grep -q '^top3$' "$tmp/state/pprof_history" 2>/dev/null; then ok; else fail "history file written"; fi
start "$prof"
wait_for '^(pprof) ' 10
keys Up Up
if wait_for '^(pprof) help top$' 5; then ok; else fail "Up recalls the previous session's commands"; fi
keys C-u 'q' Enter
wait_for 'EXITED=0' 5
$T kill-server 2>/dev/null
sleep 0.2

# ---- Ctrl-C during a long command stops it, the shell goes on; no partial file
start "$tmp/big.pb.gz"
wait_for '^(pprof) ' 20
keys 'traces' Enter
sleep 1
keys C-c
if wait_for '(interrupted)' 10; then ok; else fail "Ctrl-C stops traces"; fi
keys 'traces > out.txt' Enter
sleep 0.3
keys C-c
sleep 1
keys 'top1' Enter
if wait_for 'flat%' 15; then ok; else fail "the shell goes on after Ctrl-C"; fi
if ls -a "$tmp/work" | grep -q 'pprof-tmp'; then fail "an interrupted report left a temporary file"; else ok; fi
keys 'quit' Enter
if wait_for 'EXITED=0' 5; then ok; else fail "quit after Ctrl-C exits 0"; fi

# ---- history: $XDG_STATE_HOME is made when missing, and two sessions at
# once both keep their commands (each appends its own lines).
$T kill-server 2>/dev/null
sleep 0.2
start "$prof" pp "$tmp/new/state"
start "$prof" pp2 "$tmp/new/state"
wait_for '^(pprof) ' 10
i=0; while [ $i -lt 100 ] && ! $T capture-pane -p -t pp2 2>/dev/null | grep -q '^(pprof) '; do sleep 0.1; i=$((i + 1)); done
$T send-keys -t pp 'top2' Enter
$T send-keys -t pp2 'top4' Enter
sleep 0.5
$T send-keys -t pp 'quit' Enter
$T send-keys -t pp2 'quit' Enter
wait_for 'EXITED=0' 5
i=0; while [ $i -lt 50 ] && ! grep -q '^top4$' "$tmp/new/state/pprof_history" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if grep -q '^top2$' "$tmp/new/state/pprof_history" 2>/dev/null && grep -q '^top4$' "$tmp/new/state/pprof_history"; then ok
else fail "concurrent sessions keep both histories in a new \$XDG_STATE_HOME: $(cat "$tmp/new/state/pprof_history" 2>&1 | tr '\n' ' ')"; fi

echo "shell-tty: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
