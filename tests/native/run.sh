# run.sh: native symbolization tests: C and C++ programs built now (PIE, non-PIE, own shared library, stripped with a debug file), profiled with gperftools, read back by $PPROF; addr2line as an oracle; hostile binaries.
#
# Usage, from the repo root:  PPROF=build/pprof TOOLS=build/tools sh tests/native/run.sh
# Needs gcc, g++, binutils (addr2line, objcopy, strip, readelf) and gperftools
# (libprofiler, libtcmalloc). KEEP=1 keeps the temp dir. When `go` is installed,
# go tool pprof's output is compared where it is right (see the notes printed).

set -u

PPROF=${PPROF:-build/pprof}
TOOLS=${TOOLS:-build/tools}
case $PPROF in /*) ;; *) PPROF=$(pwd)/$PPROF ;; esac
case $TOOLS in /*) ;; *) TOOLS=$(pwd)/$TOOLS ;; esac
here=$(cd "$(dirname "$0")" && pwd)
src=$here/progs
MKPROF=$TOOLS/mkprof
T="timeout -k 5 30"
export LC_ALL=C TZ=UTC
unset DEBUGINFOD_URLS PPROF_BINARY_PATH

pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-native.XXXXXX") || exit 1
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }
# has NAME FILE PATTERN...: every fixed-string pattern occurs in FILE
has() {
	n=$1 f=$2
	shift 2
	for pat in "$@"; do
		if ! grep -qF -- "$pat" "$f"; then
			bad "$n" "missing '$pat' in $(basename "$f"): $(head -c 600 "$f")"
			return 1
		fi
	done
	ok "$n"
}
# hasnot NAME FILE PATTERN: the pattern does not occur
hasnot() {
	if grep -qF -- "$3" "$2"; then bad "$1" "unexpected '$3' in $(basename "$2")"; else ok "$1"; fi
}
finish() {
	printf 'native: %d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" = 0 ]
	exit $?
}

cd "$tmp" || exit 1
for tool in gcc g++ addr2line objcopy strip readelf; do
	command -v $tool >/dev/null 2>&1 || { bad setup "no $tool"; finish; }
done

# ---------------------------------------------------------------- build and profile
CFLAGS="-g -O1 -fno-omit-frame-pointer"
PROF="-Wl,--no-as-needed -lprofiler"
if ! { gcc $CFLAGS -shared -fPIC -o libwork.so "$src/libwork.c" &&
	gcc $CFLAGS -fPIE -pie -o c_pie "$src/cprog.c" -L. -lwork -Wl,-rpath,"$tmp" $PROF &&
	gcc $CFLAGS -fno-PIE -no-pie -o c_nopie "$src/cprog.c" -L. -lwork -Wl,-rpath,"$tmp" $PROF &&
	gcc $CFLAGS -fno-PIE -no-pie -o c_heap "$src/cprog.c" -L. -lwork -Wl,-rpath,"$tmp" -Wl,--no-as-needed -ltcmalloc &&
	g++ $CFLAGS -o cxx "$src/cxxprog.cc" $PROF; } 2>build.err; then
	bad build "$(head -c 600 build.err)"
	finish
fi
# Stripped of everything, with its DWARF and symbols in a separate file.
objcopy --only-keep-debug c_pie c_strip.debug && strip --strip-all -o c_strip c_pie &&
	objcopy --add-gnu-debuglink=c_strip.debug c_strip || bad build "objcopy/strip failed"
# MiniDebugInfo as Fedora ships it: stripped of everything, with the
# function symbols that .dynsym lacks in an xz-compressed ELF in
# .gnu_debugdata; and the same binary stripped bare, as the control.
mini_ok=0
if command -v xz >/dev/null 2>&1 && command -v nm >/dev/null 2>&1; then
	nm -D c_pie --format=posix --defined-only | awk '{print $1}' | sort >mini.dyn &&
		nm c_pie --format=posix --defined-only | awk '$2 == "T" || $2 == "t" || $2 == "D" {print $1}' | sort >mini.fun &&
		comm -13 mini.dyn mini.fun >mini.keep &&
		objcopy -S --remove-section .gdb_index --remove-section .comment --keep-symbols=mini.keep c_strip.debug mini.elf &&
		xz -f mini.elf && strip --strip-all -R .comment -o c_mini c_pie &&
		objcopy --add-section .gnu_debugdata=mini.elf.xz c_mini && strip --strip-all -o c_bare c_pie &&
		mini_ok=1 || bad build "MiniDebugInfo binary: objcopy/strip/xz failed"
fi

# record OUT PROG N NEED...: a CPU profile of PROG N (gperftools, 2000 Hz)
# that holds every NEED, as samples.sh reads it from the profile itself (od,
# readelf, addr2line; not the pprof under test). A NEED is
#   NAME            a function (addr2line -C's name without its parameters)
#                   on the stacks of at least 2 samples and 1% of them (pprof
#                   -top drops a function under 0.5%)
#   flat:NAME       a function as the innermost frame of at least one sample
#   line:FILE:LINE  a line (FILE's base name) in one sample's leaf location
# What gperftools catches is chance: at N=30000 (~280 samples) lib_inner gets
# ~2%, inlined_mix and middle's own code ~1% each, none of them in some runs;
# and pprof (as go) drops a call site that all stacks but 1 in 32 share,
# taking middle and busy_a out of a run with (nearly) only leaf_hash. A check
# that reads a profile without what it looks for says nothing about pprof. So PROG runs again, twice as long each time, up to 5 more
# times, until the profile holds every NEED; if it never does, that fails.
record() {
	out=$1 prog=$2 n=$3
	shift 3
	printf '%s\n' "$@" >"$out.needs"
	try=1
	while :; do
		rm -f "$out"
		CPUPROFILE=$out CPUPROFILE_FREQUENCY=2000 "$prog" $n >/dev/null 2>&1
		sh "$here/samples.sh" "$out" "$tmp" >"$out.samples" 2>"$out.err"
		lacks=$(awk 'NR == FNR { need[NR] = $0; nneed = NR; next }
			$1 == "total" { total = $2; next }
			{ name = substr($0, length($1) + length($2) + 3); k = $1; has[k, name] = $2 }
			END {
				for (i = 1; i <= nneed; i++) {
					kind = "cum"; want = need[i]
					if (want ~ /^(flat|line):/) { kind = substr(want, 1, 4); want = substr(want, 6) }
					best = 0
					for (key in has) {
						split(key, p, SUBSEP)
						if (p[1] == kind && (p[2] == want || (kind != "line" && index(p[2], want "(") == 1)) && has[key] > best)
							best = has[key]
					}
					if (kind == "cum" ? best < 2 || best * 100 < total : best < 1) {
						printf "%s%s (%d of %d)", sep, need[i], best, total + 0
						sep = ", "
					}
				}
			}' "$out.needs" "$out.samples")
		[ -z "$lacks" ] && return 0
		if [ $try = 6 ]; then
			bad "profile $out" "$prog $n lacks $lacks after $try runs, each twice as long: $(head -c 300 "$out.err")"
			return 1
		fi
		echo "note: $out lacks $lacks at $prog $n: recorded again at $((n * 2))"
		try=$((try + 1)) n=$((n * 2))
	done
}
C_NEEDS="leaf_hash middle main lib_inner work_lib"
record c_pie.prof ./c_pie 30000 $C_NEEDS flat:inlined_mix line:cprog.c:13
record c_nopie.prof ./c_nopie 30000 $C_NEEDS
record c_strip.prof ./c_strip 30000 $C_NEEDS
record cxx.prof ./cxx 60000 "fleet::geo::Grid<long>::nearest" "(anonymous namespace)::anon_work" \
	"main::{lambda(long)#1}::operator()" "std::_Function_handler<long (long), main::{lambda(long)#1}>::_M_invoke"
HEAPPROFILE=$tmp/c_heap ./c_heap 2000 >/dev/null 2>&1
heap=$(ls c_heap.*.heap 2>/dev/null | tail -1)

bid() { readelf -n "$1" | sed -n 's/.*Build ID: //p'; }

# ---------------------------------------------------------------- real profiles
for b in c_pie c_nopie c_strip; do
	$T "$PPROF" -top "$b" "$b.prof" >"$b.top" 2>"$b.err"
	# (busy_a is not in every profile's stacks: gperftools' unwinding
	# sometimes drops it, and go tool pprof shows the same.)
	has "cpu_${b}_names" "$b.top" " leaf_hash" " middle" " main"
	hasnot "cpu_${b}_no_raw" "$b.top" "[$b]"
	has "cpu_${b}_shared_lib" "$b.top" " lib_inner" " work_lib"
	[ -s "$b.err" ] && bad "cpu_${b}_quiet" "stderr: $(head -c 300 "$b.err")" || ok "cpu_${b}_quiet"
done
if [ $mini_ok = 1 ]; then
	# c_pie.prof's mapping names c_pie; the stripped copies share its build id.
	$T "$PPROF" -top c_bare c_pie.prof >bare.top 2>&1
	hasnot minidebuginfo_control_bare_has_no_static_names bare.top " leaf_hash"
	[ -n "$(nm c_mini 2>/dev/null)" ] && bad minidebuginfo_stripped "c_mini still has a .symtab"
	$T "$PPROF" -top c_mini c_pie.prof >mini.top 2>&1
	has minidebuginfo_names_from_gnu_debugdata mini.top " leaf_hash" " middle" " main"
else
	echo "skip MiniDebugInfo: no xz or nm"
fi
$T "$PPROF" -top -lines c_strip c_strip.prof >strip.lines 2>&1
has cpu_stripped_lines_from_debuglink strip.lines "cprog.c:"
# Inlined frames: a location inside the inlined code gets two lines.
$T "$PPROF" -raw c_pie c_pie.prof >c_pie.raw 2>&1
$T "$PPROF" -top -symbolize=none c_pie c_pie.prof >none.top 2>&1
has symbolize_none_raw none.top "[c_pie]"
hasnot symbolize_none_no_names none.top "leaf_hash"
$T "$PPROF" -raw -symbolize=fastlocal c_pie c_pie.prof >fast.raw 2>&1
has fastlocal_names fast.raw " leaf_hash "
hasnot fastlocal_no_files fast.raw "cprog.c"
$T "$PPROF" -top -symbolize=bogus c_pie c_pie.prof >bogus.top 2>bogus.err
has symbolize_bogus_warns bogus.err "ignoring unrecognized symbolization option: bogus" "expecting -symbolize="
has symbolize_bogus_still_local bogus.top " leaf_hash"

# C++: namespaces, templates, lambdas, anonymous namespace, std::function.
$T "$PPROF" -top cxx cxx.prof >cxx.top 2>&1
has cxx_default cxx.top " fleet::geo::Grid::nearest" " (anonymous namespace)::anon_work" \
	" main::{lambda(long)#1}::operator()" " std::_Function_handler::_M_invoke"
# Inlined frames without linkage name keep their namespace (from the scope
# of the DIE they were declared as): libstdc++'s std::__invoke_impl.
has cxx_inline_namespace cxx.top " std::__invoke_impl (inline)"
hasnot cxx_inline_no_bare_name cxx.top "  __invoke_impl (inline)"
$T "$PPROF" -top -symbolize=demangle=full cxx cxx.prof >cxx.full 2>&1
has cxx_full cxx.full " fleet::geo::Grid<long>::nearest(long) const" \
	" std::_Function_handler<long (long), main::{lambda(long)#1}>::_M_invoke(std::_Any_data const&, long&&)"
$T "$PPROF" -top -symbolize=demangle=templates cxx cxx.prof >cxx.tmpl 2>&1
has cxx_templates cxx.tmpl " fleet::geo::Grid<long>::nearest" \
	" std::_Function_handler<long (long), main::{lambda(long)#1}>::_M_invoke"
$T "$PPROF" -top -symbolize=demangle=none cxx cxx.prof >cxx.none 2>&1
has cxx_demangle_none cxx.none " _ZNK5fleet3geo4GridIlE7nearestEl"

# Heap profile (tcmalloc), non-PIE.
if [ -n "$heap" ]; then
	$T "$PPROF" -top -sample_index=alloc_space c_heap "$heap" >heap.top 2>&1
	has heap_names heap.top " main"
	hasnot heap_no_raw heap.top "[c_heap]"
else
	bad heap_profile "no heap profile written"
fi

# Symbols are kept: -proto writes them, and the copy needs no binary.
$T "$PPROF" -proto -output=sym.pb.gz c_pie c_pie.prof 2>/dev/null
mkdir -p away && cp sym.pb.gz away/
(cd away && $T "$PPROF" -top -symbolize=local sym.pb.gz >top 2>err)
has proto_keeps_names away/top " leaf_hash" " lib_inner"
[ -s away/err ] && bad proto_keeps_quiet "$(head -c 300 away/err)" || ok proto_keeps_quiet

# ---------------------------------------------------------------- -disasm
$T "$PPROF" -disasm=middle c_pie c_pie.prof >dis.out 2>dis.err
has disasm_routine dis.out "ROUTINE ======================== middle" "(flat, cum)" "pushq	%rbp" \
	";middle cprog.c:" ";inlined_mix cprog.c:" "<leaf_hash>"
# The routine's cum is the function's cum in -top (one sample counts once).
want=$("$PPROF" -top -noinlines c_pie c_pie.prof 2>/dev/null | awk '$6 == "middle" { print $4 }')
got=$(awk '/\(flat, cum\)/ { print $2; exit }' dis.out)
[ -n "$want" ] && [ "$want" = "$got" ] && ok disasm_cum_matches_top || bad disasm_cum_matches_top "top '$want' disasm '$got'"
# Per-instruction flat values add up to the routine's flat (not 0: record
# made sure inlined_mix, inside middle, has samples).
awk 'function us(v) { if (v ~ /ns$/) return v / 1000; if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
	/\(flat, cum\)/ { want = us($1); next }
	/^ +[^ ]+ +[^ ]+ +[0-9a-f]+: / && $1 != "." { sum += us($1) }
	END { d = sum - want; exit !(want > 0 && d < 0.01 && d > -0.01) }' dis.out && ok disasm_flat_sums || bad disasm_flat_sums "$(sed -n 2,3p dis.out)"
$T "$PPROF" -disasm=middle -intel_syntax c_pie c_pie.prof >intel.out 2>&1
has disasm_intel intel.out "push	rbp" "call	0x"
hasnot disasm_intel_no_att intel.out "%rbp"
$T "$PPROF" -disasm=middle c_nopie c_nopie.prof >dis2.out 2>&1
has disasm_nopie dis2.out "ROUTINE ======================== middle" "<leaf_hash>"
$T "$PPROF" -disasm=Grid::nearest cxx cxx.prof >dis3.out 2>&1
has disasm_cxx dis3.out "ROUTINE ======================== fleet::geo::Grid::nearest"
$T "$PPROF" -disasm=nosuchfunction c_pie c_pie.prof >dis4.out 2>dis4.err
rc=$?
[ $rc = 1 ] && ok disasm_nomatch_status || bad disasm_nomatch_status "exit $rc"
has disasm_nomatch_message dis4.err "no matches found for regexp: nosuchfunction"
printf 'disasm leaf_hash\nquit\n' | $T "$PPROF" c_pie c_pie.prof >shell.out 2>&1
has disasm_in_shell shell.out "ROUTINE ======================== leaf_hash"
# capstone is loaded when a report disassembles, not at every start (it
# costs each run ~2 MiB of memory): the program does not link it, and a
# shell disassembles twice (the second dlopen finds it loaded).
if readelf -d "$PPROF" >needed.out 2>&1; then
	hasnot disasm_capstone_not_linked needed.out "libcapstone"
fi
printf 'disasm leaf_hash\ndisasm middle\nquit\n' | $T "$PPROF" c_pie c_pie.prof >shell2.out 2>&1
has disasm_twice_in_shell shell2.out "ROUTINE ======================== leaf_hash" "ROUTINE ======================== middle"

# ---------------------------------------------------------------- -list
# Source from the DWARF file paths: absolute (built from $src), and relative
# to a build directory that was moved away (found with -trim_path and
# -source_path, or by -source_path alone from its last directory name).
$T "$PPROF" -list=middle c_pie c_pie.prof >list.out 2>&1
has list_native list.out "ROUTINE ======================== middle in $src/cprog.c" "(flat, cum)" \
	"s += inlined_mix(leaf_hash(x + i));"
want=$("$PPROF" -top c_pie c_pie.prof 2>/dev/null | awk '$6 == "middle" { print $4 }')
got=$(awk '/\(flat, cum\)/ { print $2; exit }' list.out)
[ -n "$want" ] && [ "$want" = "$got" ] && ok list_cum_matches_top || bad list_cum_matches_top "top '$want' list '$got'"
# inlined_mix gets ~1% of a run: record made sure c_pie.prof has it.
$T "$PPROF" -list=inlined_mix c_pie c_pie.prof >list_inl.out 2>&1
has list_inlined_body list_inl.out "ROUTINE ======================== inlined_mix in $src/cprog.c" \
	"static inline unsigned long inlined_mix"
awk '/static inline unsigned long inlined_mix/ { found = 1; weighted = $1 != "."; exit } END { exit !(found && weighted) }' list_inl.out &&
	ok list_inlined_weighted || bad list_inlined_weighted "$(grep -F 'inlined_mix(unsigned' list_inl.out)"
mkdir -p srcbuild/src && cp "$src/cprog.c" srcbuild/src/ &&
	(cd srcbuild && gcc $CFLAGS -fPIE -pie -o ../c_rel src/cprog.c -L.. -lwork -Wl,-rpath,"$tmp" $PROF) 2>build.err ||
	bad build "$(head -c 300 build.err)"
record c_rel.prof ./c_rel 30000 middle
mv srcbuild moved
$T "$PPROF" -list=middle c_rel c_rel.prof >list_moved.out 2>&1
has list_moved_says_missing list_moved.out "ROUTINE ======================== middle in src/cprog.c" \
	"could not find file src/cprog.c"
$T "$PPROF" -list=middle -source_path="$tmp/moved" -trim_path="$tmp/srcbuild" c_rel c_rel.prof >list_trim.out 2>&1
has list_trim_and_source_path list_trim.out "ROUTINE ======================== middle in src/cprog.c" \
	"s += inlined_mix(leaf_hash(x + i));"
$T "$PPROF" -list=middle -source_path="$tmp/moved/src" c_rel c_rel.prof >list_sp.out 2>&1
has list_source_path_alone list_sp.out "s += inlined_mix(leaf_hash(x + i));"
printf 'list middle\nquit\n' | $T "$PPROF" c_pie c_pie.prof >list_shell.out 2>&1
has list_in_shell list_shell.out "ROUTINE ======================== middle in $src/cprog.c" "s += inlined_mix"

# ---------------------------------------------------------------- -weblist
# pprof's HTML listing: source lines with flat and cum, each weighted line
# followed by its (hidden) instructions with their inlined callees; every
# text escaped. No browser here: the page stays in the -output file.
unset BROWSER DISPLAY WAYLAND_DISPLAY
$T "$PPROF" -weblist=middle -output=wl.html c_pie c_pie.prof >wl.out 2>wl.err
has weblist_page wl.html "<title>Pprof listing</title>" "<div class=\"legend\">File: c_pie<br>" "<h2>middle</h2>" \
	"<p class=\"filename\">$src/cprog.c</p>" '<pre onClick="pprof_toggle_asm(event)">' "function pprof_toggle_asm" \
	"s += inlined_mix(leaf_hash(x + i)); </span><span class=asm>" "<span class=inlinesrc>inlined_mix</span>" "pushq	%rbp" "&lt;leaf_hash&gt;"
has weblist_escaped wl.html "for (int i = 0; i &lt; 1000; i++)"
# Line 13's cum is middle's cum in -top; its instructions' flat values add
# up to the line's flat.
want=$("$PPROF" -top c_pie c_pie.prof 2>/dev/null | awk '$6 == "middle" { print $4 }')
got=$(sed -n 's/^<span class=line>     13<\/span> <span class=livesrc> *\([^ ]*\) *\([^ ]*\) .*/\2/p' wl.html)
# (-top shows two decimals, the listing whole units: 211.50ms is 211ms there)
same_value() {
	awk -v a="$1" -v b="$2" 'BEGIN { ua = a; ub = b; sub(/^[0-9.]+/, "", ua); sub(/^[0-9.]+/, "", ub)
		exit !(a != "" && ua == ub && (a + 0) - (b + 0) < 1 && (b + 0) - (a + 0) < 1) }'
}
same_value "$want" "$got" && ok weblist_cum_matches_top || bad weblist_cum_matches_top "top '$want' weblist '$got'"
# (line 13 has flat samples: record made sure)
awk 'function us(v) { if (v ~ /ns$/) return v / 1000; if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
	/^<span class=line>/ { line = 0 }
	/^<span class=line>     13<\/span>/ { line = 1; want = us($6); sub(/.*<span class=asm>/, "") }
	line && /^ *[^ ]+ +[^ ]+ +[0-9a-f]+: / { if ($1 != ".") sum += us($1) }
	END { d = sum - want; exit !(want > 0 && d < 0.01 && d > -0.01) }' wl.html && ok weblist_flat_sums || bad weblist_flat_sums "$(grep -m1 '^<span class=line>     13<' wl.html | head -c 200)"
$T "$PPROF" -weblist=Grid::nearest -output=wlx.html cxx cxx.prof >/dev/null 2>&1
has weblist_cxx wlx.html "<h2>fleet::geo::Grid::nearest</h2>" "template &lt;typename T&gt; class Grid"
hasnot weblist_cxx_no_raw_markup wlx.html "template <typename"
$T "$PPROF" -weblist=nosuchfunction -output=wln.html c_pie c_pie.prof >/dev/null 2>wln.err
rc=$?
[ $rc = 1 ] && [ ! -e wln.html ] && ok weblist_nomatch || bad weblist_nomatch "exit $rc"
has weblist_nomatch_message wln.err "no matches found for regexp: nosuchfunction"
# Go profiles, whose binaries are not at hand: the listing from the
# profile's line numbers, byte for byte Go 1.19's page (from <body> on, but
# its Time: layout and its "⋮" lines), in tests/native/weblist_go/.
wg=$(cd "$src/../weblist_go" && pwd)
grep -v '^#' "$wg/cases.txt" | {
	p=0 f=0
	while read -r name args; do
		# shellcheck disable=SC2086
		(cd "$wg/../.." && $T "$PPROF" -output="$tmp/wg_$name.html" $args) >"$tmp/wg_$name.out" 2>&1
		if sed -n '/<body>/,$p' "$tmp/wg_$name.html" 2>/dev/null | grep -v '^Time:' | cmp -s - "$wg/$name.html"; then
			echo "ok   weblist_go_$name"
			p=$((p + 1))
		else
			echo "FAIL weblist_go_$name: $(head -c 300 "$tmp/wg_$name.out"; sed -n '/<body>/,$p' "$tmp/wg_$name.html" 2>/dev/null | grep -v '^Time:' | diff "$wg/$name.html" - | head -8)"
			f=$((f + 1))
		fi
	done
	echo "$p $f" >"$tmp/wg_counts"
}
read -r wp wf <"$tmp/wg_counts"
pass=$((pass + wp))
fail=$((fail + wf))
[ "$wp" -ge 8 ] && ok weblist_go_cases_ran || bad weblist_go_cases_ran "only $wp cases passed"
# With -output the page is only written: no browser, nothing said.
[ ! -s "$tmp/wg_cpu_main.out" ] && ok weblist_output_no_browser || bad weblist_output_no_browser "$(head -c 300 "$tmp/wg_cpu_main.out")"
printf 'weblist middle\nquit\n' | TMPDIR="$tmp" $T "$PPROF" c_pie c_pie.prof >wl_shell.out 2>&1
has weblist_in_shell wl_shell.out "the listing is in:"
# In Chromium: a click on a line shows its instructions, a second hides them.
sh "$(dirname "$src")/weblist_browser.sh" wl.html weblist.png >wl.browser 2>&1
if grep -q '^skipped' wl.browser; then
	echo "note: no chromium, weblist page not run in a browser"
else
	grep '^ok - ' wl.browser | while read -r _ _ what; do echo "ok   weblist_browser: $what"; done
	pass=$((pass + $(grep -c '^ok - ' wl.browser)))
	grep -q '^DONE$' wl.browser && [ -s weblist.png ] && ok weblist_browser_done || bad weblist_browser "$(grep -v '^ok - ' wl.browser | head -c 600)"
fi

# ---------------------------------------------------------------- addr2line as the oracle
# Every 7th byte of .text, at a PIE load address, at the non-PIE link
# address, and in the shared library at a library address: frames (function,
# file basename, line), innermost first, must be addr2line's.
text_range() { readelf -SW "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == ".text") print $(i + 2), $(i + 4) }'; }
oracle() { # NAME BINARY BASE
	name=$1 bin=$2 base=$3
	set -- $(text_range "$bin")
	start=$((0x$1)) size=$((0x$2))
	addrs="" args=""
	a=$start
	while [ $a -lt $((start + size)) ]; do
		addrs="$addrs $(printf '0x%x' $a)"
		args="$args $(printf '0x%x' $((a + base)))"
		a=$((a + 7))
	done
	"$MKPROF" "$name.pb.gz" -m $base $((base + 0x1000000)) 0 "$tmp/$bin" - -a $args
	# ours: "N: 0xADDR M=1 name file:line:col s=0" and indented inline callers
	"$PPROF" -raw -symbolize=demangle=none "$name.pb.gz" 2>/dev/null | awk '
		/^Locations/ { on = 1; next } /^Mappings/ { if (started) print cur; on = 0 }
		!on { next }
		/^ *[0-9]+: 0x/ { if (started) print cur; started = 1; cur = ""; if (NF >= 5) { f = $4; l = $5 } else { cur = "-"; next } }
		!/^ *[0-9]+: 0x/ { f = $1; l = $2 }
		{ sub(/:[0-9]+$/, "", l); sub(/^:/, "??:", l); n = split(l, p, "/"); cur = cur f " " p[n] ";" }' >"$name.ours"
	addr2line -f -i -a -e "$bin" $addrs | awk '
		/^0x/ { if (started) print cur; cur = ""; started = 1; next }
		{ if (fn == "") { fn = $0; next } l = $0; sub(/ \(discriminator [0-9]+\)/, "", l)
		  sub(/:\?$/, ":0", l); n = split(l, p, "/"); x = p[n]; if (fn != "??") cur = cur fn " " x ";"; fn = "" }
		END { print cur }' >"$name.want"
	# Locations come out in the order of the args. Where we name an address
	# it must be addr2line's frames (file and line where addr2line has a
	# line); we may name fewer (padding between functions is no function's),
	# but not many fewer.
	paste -d'|' "$name.want" "$name.ours" | awk -F'|' '
		{ total++ }
		$2 == "-" { next }
		{ named++; w = $1; o = $2
		  nw = split(w, a, ";"); no = split(o, b, ";")
		  if (nw != no) { bad++; if (bad < 4) print "  want " w " got " o; next }
		  for (i = 1; i < nw; i++) {
			split(a[i], x, " "); split(b[i], y, " ")
			if (x[1] != y[1] || (x[2] !~ /:0$/ && x[2] != y[2])) { bad++; if (bad < 4) print "  want " w " got " o; next }
		  } }
		END { printf "%d %d %d\n", total, named, bad }' >"$name.cmp"
	set -- $(tail -1 "$name.cmp")
	if [ "${3:-1}" = 0 ] && [ "${2:-0}" -ge $(( ${1:-1} * 9 / 10 )) ]; then
		ok "oracle_$name ($2 of $1 addresses named, all as addr2line)"
	else
		bad "oracle_$name" "$(head -3 "$name.cmp" | tr '\n' ' ')"
	fi
}
oracle pie c_pie 0x555555554000
oracle nopie c_nopie 0
oracle lib libwork.so 0x7f1234560000

# ---------------------------------------------------------------- finding binaries
B=$(bid c_pie)
in_text=$(printf '0x%x' $((0x555555554000 + 0x$(text_range c_pie | cut -d' ' -f1) + 8)))
map() { echo "-m 0x555555554000 0x555555654000 0 $1 $2"; }
mkdir -p bp/$B bpname "home/.debug$tmp/gone/c_pie/$B"
cp c_pie bp/$B/c_pie
cp c_pie bpname/c_pie
cp c_pie "home/.debug$tmp/gone/c_pie/$B/elf"
"$MKPROF" bid.pb.gz $(map "$tmp/gone/c_pie" "$B") -a $in_text
PPROF_BINARY_PATH=$tmp/bp $T "$PPROF" -raw bid.pb.gz >bp.raw 2>bp.err
has binary_path_build_id bp.raw "M=1 _start"
"$MKPROF" name.pb.gz $(map "$tmp/gone/c_pie" -) -a $in_text
PPROF_BINARY_PATH=$tmp/nothing:$tmp/bpname $T "$PPROF" -raw name.pb.gz >bpn.raw 2>&1
has binary_path_name bpn.raw "M=1 _start"
HOME=$tmp/home $T "$PPROF" -raw bid.pb.gz >cache.raw 2>&1
has perf_buildid_cache cache.raw "M=1 _start"
# [binary] argument replaces the main mapping's file.
$T "$PPROF" -raw "$tmp/c_pie" name.pb.gz >arg.raw 2>&1
has binary_argument arg.raw "M=1 _start"

# Found through PPROF_BINARY_PATH: the file found is used for -disasm too.
"$MKPROF" dbid.pb.gz $(echo "-m 0x555555554000 0x555555654000 0 $tmp/gone/c_pie $(bid c_pie)") -a $(printf '0x%x' $((0x555555554000 + 0x$(nm c_pie | awk '$3 == "leaf_hash" { print $1 }') + 4)))
PPROF_BINARY_PATH=$tmp/bp $T "$PPROF" -disasm=leaf_hash dbid.pb.gz >dis5.out 2>&1
has disasm_binary_path dis5.out "ROUTINE ======================== leaf_hash"
# A wrong binary: a warning and no names, never wrong ones.
"$MKPROF" wrong.pb.gz $(map "$tmp/c_pie" 0123456789abcdef0123456789abcdef01234567) -a $in_text
$T "$PPROF" -raw wrong.pb.gz >wrong.raw 2>wrong.err
has mismatch_warns wrong.err "Local symbolization failed for c_pie (build ID 0123456789abcdef0123456789abcdef01234567): build ID mismatch"
hasnot mismatch_no_names wrong.raw "_start"
mkdir -p bpwrong/$B && cp c_nopie bpwrong/$B/c_pie
"$MKPROF" wrong2.pb.gz $(map "$tmp/gone/c_pie" "$B") -a $in_text
PPROF_BINARY_PATH=$tmp/bpwrong $T "$PPROF" -raw wrong2.pb.gz >wrong2.raw 2>wrong2.err
has mismatch_in_path_warns wrong2.err "Ignoring local file $tmp/bpwrong/$B/c_pie: build-id mismatch ($B != $(bid c_nopie))" \
	"Some binary filenames not available"
hasnot mismatch_in_path_no_names wrong2.raw "_start"
# go tool pprof 1.19 takes a wrong binary when the profile has a build id
# and the file is not where the mapping says; we warn and leave it raw.

# ---------------------------------------------------------------- absolute symbols name no code
# A vDSO's version definition (LINUX_2.6: OBJECT, ABS, value 0) once named every
# vDSO address below its first function. An absolute symbol at 0 in a PIE: an
# address in the ELF header stays unnamed (as addr2line and perf leave it), an
# address in main is named.
printf 'int main(void) { return 0; }\n__asm__(".globl ABS_VERSION\\n.set ABS_VERSION, 0");\n' >abs.c
if gcc -g -O1 -fPIE -pie -o abs_pie abs.c && readelf -sW abs_pie | grep -q ' ABS ABS_VERSION$'; then
	in_main=$(printf '0x%x' $((0x555555554000 + 0x$(nm abs_pie | awk '$3 == "main" { print $1 }'))))
	"$MKPROF" abs.pb.gz $(map "$tmp/abs_pie" -) -a 0x555555554200 $in_main
	$T "$PPROF" -top abs.pb.gz >abs.top 2>&1
	has abs_symbol_main_named abs.top " main"
	hasnot abs_symbol_names_no_code abs.top "ABS_VERSION"
else
	bad abs_symbol_build "no ABS_VERSION in abs_pie"
fi

# ---------------------------------------------------------------- hostile binaries
hostile() { # NAME PATH EXPECTED-WARNING
	"$MKPROF" h.pb.gz $(map "$2" -) -a $in_text
	$T "$PPROF" -raw h.pb.gz >h.out 2>h.err
	rc=$?
	if [ $rc -ne 0 ]; then bad "$1" "exit $rc (124: hung): $(head -c 300 h.err)"; return; fi
	if grep -q "AddressSanitizer\|runtime error" h.err; then bad "$1" "sanitizer: $(head -c 300 h.err)"; return; fi
	has "$1" h.err "$3"
}
mkfifo fifo
hostile fifo_no_hang "$tmp/fifo" "not a regular file"
hostile device_no_hang /dev/zero "not a regular file"
hostile missing_binary "$tmp/nope" "stat $tmp/nope: no such file or directory"
head -c 3000 c_pie >trunc
hostile truncated_elf "$tmp/trunc" "Local symbolization failed for trunc"
{ printf '\177ELF\002\001\001'; head -c 8000 /dev/urandom; } >garbage
hostile garbage_elf "$tmp/garbage" "Local symbolization failed for garbage"
# DWARF with absurd lengths: .debug_info overwritten with 0xff.
cp c_pie absurd
set -- $(readelf -SW absurd | awk '{ for (i = 1; i < NF; i++) if ($i == ".debug_info") print $(i + 3), $(i + 4) }')
if [ $# -eq 2 ]; then
	head -c $((0x$2)) /dev/zero | tr '\0' '\377' | dd of=absurd bs=1 seek=$((0x$1)) conv=notrunc 2>/dev/null
	"$MKPROF" h.pb.gz $(map "$tmp/absurd" -) -a $in_text
	$T "$PPROF" -raw h.pb.gz >h.out 2>h.err
	rc=$?
	[ $rc -eq 0 ] && ! grep -q "AddressSanitizer\|runtime error" h.err && ok absurd_dwarf || bad absurd_dwarf "exit $rc: $(head -c 300 h.err)"
	has absurd_dwarf_symtab_names h.out "_start"
else
	bad absurd_dwarf "no .debug_info"
fi

# ---------------------------------------------------------------- kernel symbols
cat >kallsyms <<'EOF'
ffffffff81000000 T _stext
ffffffff81000100 T do_syscall_64
ffffffff81000200 t helper_fn
ffffffff81000300 D some_data
EOF
"$MKPROF" k.pb.gz -m 0xffffffff81000000 0xffffffff82000000 0xffffffff81000000 "[kernel.kallsyms]_text" - -a 0xffffffff81000123 0xffffffff81000250
PPROF_KALLSYMS=$tmp/kallsyms $T "$PPROF" -top k.pb.gz >k.top 2>&1
has kallsyms k.top " do_syscall_64" " helper_fn"

# ---------------------------------------------------------------- go tool pprof
if command -v go >/dev/null 2>&1; then
	# Where go is right (a PIE C program, names from DWARF), the same
	# values; -noinlines because go 1.19 does not know inlined frames.
	for f in leaf_hash middle main; do
		# flat, flat%, cum, cum% (sum% depends on the rows above, and
		# go leaves libc's frames unnamed)
		g=$(go tool pprof -top -noinlines c_pie c_pie.prof 2>/dev/null | awk -v f=$f '$6 == f { print $1, $2, $4, $5 }')
		o=$("$PPROF" -top -noinlines c_pie c_pie.prof 2>/dev/null | awk -v f=$f '$6 == f { print $1, $2, $4, $5 }')
		[ -n "$g" ] && [ "$g" = "$o" ] && ok "go_same_$f" || bad "go_same_$f" "go '$g' ours '$o'"
	done
	# Where go 1.19 is wrong: a non-PIE program is all [c_nopie] there.
	if go tool pprof -top c_nopie c_nopie.prof 2>/dev/null | grep -q "\[c_nopie\]"; then
		echo "note: go tool pprof names nothing in the non-PIE program ([c_nopie]); we name it"
	fi
fi

finish
