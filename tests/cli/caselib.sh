# caselib.sh: helpers shared by tests/cli/run.sh, tests/http/run.sh and tests/reference/gen_goldens.sh (command line, cases.txt, ours.txt).
# Sourced, not run. POSIX sh.

# cli_cases FILE: print every case of FILE as "C <name>", then one "A <arg>" line
# per argument, then "E". Blank lines and lines starting with # are skipped.
# Arguments are split on blanks; '...' quotes blanks and any other character
# literally (no escapes, no variables, no globbing), and may be glued to
# unquoted text, as in -add_comment='two words'. '' is an empty argument.
cli_cases() {
	awk '
	{ line = $0; sub(/\r$/, "", line) }
	line ~ /^[ \t]*(#|$)/ { next }
	{
		n = 0; cur = ""; inarg = 0; q = 0
		len = length(line)
		for (i = 1; i <= len; i++) {
			c = substr(line, i, 1)
			if (q) { if (c == "\047") q = 0; else cur = cur c; continue }
			if (c == "\047") { q = 1; inarg = 1; continue }
			if (c == " " || c == "\t") {
				if (inarg) { args[++n] = cur; cur = ""; inarg = 0 }
				continue
			}
			cur = cur c; inarg = 1
		}
		if (q) {
			printf "%s:%d: unterminated quote\n", FILENAME, FNR > "/dev/stderr"
			bad = 1; next
		}
		if (inarg) args[++n] = cur
		if (args[1] !~ /^[A-Za-z0-9_.+-]+$/) {
			printf "%s:%d: bad case name \"%s\"\n", FILENAME, FNR, args[1] > "/dev/stderr"
			bad = 1; next
		}
		if (seen[args[1]]++) {
			printf "%s:%d: duplicate case name \"%s\"\n", FILENAME, FNR, args[1] > "/dev/stderr"
			bad = 1; next
		}
		print "C " args[1]
		for (j = 2; j <= n; j++) print "A " args[j]
		print "E"
	}
	END { exit bad }
	' "$1"
}

# ours_list FILE: the case names listed in ours.txt (first word of each
# non-comment line), as one string " a b c " for `case` matching; empty
# when the file does not exist.
ours_list() {
	if [ -f "$1" ]; then
		printf ' %s ' "$(awk '!/^[ \t]*(#|$)/ { printf "%s ", $1 }' "$1")"
	fi
}

# is_ours NAME LIST: true when NAME is in a list made by ours_list.
is_ours() {
	case $2 in *" $1 "*) return 0 ;; esac
	return 1
}

# runner_args NAME ARGS...: the command line of a case runner: -v sets
# verbose=1, -h prints the script's header, another word sets filter. Then
# PPROF and TOOLS (defaults build/pprof, build/tools) are made absolute and
# TOOLS exported. Exits 2 on an unknown option.
runner_args() {
	_name=$1
	shift
	verbose=0
	filter=""
	while [ $# -gt 0 ]; do
		case $1 in
		-v) verbose=1 ;;
		-h | --help) sed -n '1,/^$/p' "$0"; exit 0 ;;
		-*) echo "$_name: unknown option $1" >&2; exit 2 ;;
		*) filter=$1 ;;
		esac
		shift
	done
	PPROF=${PPROF:-build/pprof}
	TOOLS=${TOOLS:-build/tools}
	case $PPROF in /*) ;; */*) PPROF=$(cd "$(dirname "$PPROF")" 2>/dev/null && pwd)/$(basename "$PPROF") ;; esac
	case $TOOLS in /*) ;; *) TOOLS=$(pwd)/$TOOLS ;; esac
	export TOOLS
}
