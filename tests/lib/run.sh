#!/bin/sh
# run.sh: libpprof as an outside program sees it: installs with DESTDIR, builds the man page's EXAMPLE and a program writing every report with pkg-config against the installed files only, compares their output with build/pprof, and checks that libpprof.so exports exactly the documented API.
#
# Environment: BUILD (default build), PPROF (default $BUILD/pprof), MAKE, CC,
# SANITIZE (the sanitizer flags the library was built with, for linking).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
PPROF=${PPROF:-$BUILD/pprof}
MAKE=${MAKE:-make}
CC="${CC:-cc} ${SANITIZE:-}"
case $PPROF in /*) ;; *) PPROF=$top/$PPROF ;; esac
build_arg=$BUILD
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac

pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $*"; }

# The exported API: every function here is in man/libpprof.3, and
# libpprof.so exports these and nothing else.
api=$(cat <<'API'
pprof_buf_append
pprof_buf_flush
pprof_buf_printf
pprof_buf_puts
pprof_buf_release
pprof_buf_reserve
pprof_error_set
pprof_escape_cstr
pprof_escape_html
pprof_escape_text
pprof_format_percent
pprof_format_scaled
pprof_format_time
pprof_graph_build
pprof_graph_free
pprof_graph_string
pprof_gunzip
pprof_is_gzip
pprof_label_unit
pprof_merger_add
pprof_merger_count
pprof_merger_finish
pprof_merger_free
pprof_merger_new
pprof_node_name
pprof_node_text
pprof_nodemap_build
pprof_nodemap_free
pprof_nodemap_info_name
pprof_nodemap_info_text
pprof_nodemap_name
pprof_nodemap_string
pprof_nodemap_string_len
pprof_nodemap_text
pprof_perf_peek_times
pprof_perf_set_time
pprof_perf_sniff
pprof_profile_add_comment
pprof_profile_add_function
pprof_profile_add_label_all
pprof_profile_add_location
pprof_profile_add_mapping
pprof_profile_add_sample
pprof_profile_add_sample_type
pprof_profile_add_tag_frames
pprof_profile_check
pprof_profile_copy
pprof_profile_encode
pprof_profile_filter
pprof_profile_find_string
pprof_profile_free
pprof_profile_index
pprof_profile_index_frames
pprof_profile_intern
pprof_profile_merge
pprof_profile_new
pprof_profile_normalize
pprof_profile_parse
pprof_profile_peek_times
pprof_profile_prune_frames
pprof_profile_scale
pprof_profile_total
pprof_quotient
pprof_put_string
pprof_read
pprof_read_check_prefix
pprof_read_stream
pprof_default_max_memory
pprof_parse_max_memory
pprof_profile_merge_samples
pprof_regex_compile
pprof_regex_free
pprof_regex_match
pprof_report_options_init
pprof_sample_index
pprof_sample_weight
pprof_stack_set_free
pprof_stacks_build
pprof_strerror
pprof_text_is_safe
pprof_trim_source_path
pprof_unit_compatible
pprof_unit_finest
pprof_unit_scale
pprof_unit_select_minimum
pprof_version
pprof_window_overlaps
pprof_window_parse
pprof_window_resolve
pprof_write
pprof_write_flame_svg
pprof_write_folded
pprof_write_profile_labels
pprof_write_speedscope
pprof_writer_name
pprof_symbolize_parse
pprof_symbolize_local
pprof_symbolize
pprof_profile_demangle
pprof_demangle
pprof_profile_set_lines
pprof_symbolize_remote_body
pprof_symbolize_remote_apply
pprof_objfile_open
pprof_objfile_free
pprof_objfile_build_id
pprof_objfile_object_address
pprof_objfile_frames
pprof_objfile_symbol
pprof_objfile_each_symbol
pprof_objfile_read
pprof_objfile_machine
API
)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pprof-lib.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- exports
nm -D --defined-only "$BUILD/libpprof.so" | awk '$2 ~ /^[TWDBRV]$/ { print $3 }' | LC_ALL=C sort >"$tmp/exported"
printf '%s\n' "$api" | LC_ALL=C sort >"$tmp/api"
if cmp -s "$tmp/exported" "$tmp/api"; then ok; else
    no "libpprof.so exports differ from the documented API (< exported, > documented):"
    diff "$tmp/exported" "$tmp/api" | grep '^[<>]' | head -20
fi
[ "$(wc -l <"$tmp/exported")" -gt 50 ] && ok || no "nm -D found only $(wc -l <"$tmp/exported") symbols"
# Documented: in the SYNOPSIS as a prototype and named in the description.
sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' man/libpprof.3 >"$tmp/synopsis"
sed -n '/^\.SH DESCRIPTION/,/^\.SH ERRORS/p' man/libpprof.3 >"$tmp/description"
for f in $api; do
    grep -q "[ *]$f(" "$tmp/synopsis" || { no "$f is not in the SYNOPSIS of man/libpprof.3"; continue; }
    grep -qE "(^\\.BR? |\\\\fB|\" )$f([^a-z_]|\$)" "$tmp/description" || { no "$f is not described in man/libpprof.3"; continue; }
    ok
done

# ---------------------------------------------------------------- install
dest=$BUILD/lib-dest
rm -rf "$dest"
# -o: what is built is installed as it is, whatever flags this make has.
if $MAKE --no-print-directory -s -o "$build_arg/cflags" install BUILD="$build_arg" DESTDIR="$dest" PREFIX=/usr/local \
    LIBDIR=/usr/local/lib64 >"$tmp/install.log" 2>&1; then ok; else
    no "make install DESTDIR: $(tail -n 3 "$tmp/install.log")"
    echo "lib: $pass passed, $fail failed"
    exit 1
fi
for f in usr/local/include/pprof/pprof.h usr/local/include/pprof/formats.h usr/local/lib64/libpprof.so \
    usr/local/lib64/libpprof.a usr/local/lib64/pkgconfig/libpprof.pc; do
    [ -e "$dest/$f" ] && ok || no "not installed: $f"
done
# Only what the installed headers and pkg-config give: no path into the tree.
export PKG_CONFIG_PATH="$dest/usr/local/lib64/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags libpprof) && libs=$(pkg-config --libs libpprof) && ok || no "pkg-config libpprof"
case "$cflags $libs" in *"$top/lib"* | *"$top/formats"* | *"$top/cmd"*) no "pkg-config points into the sources: $cflags $libs" ;; *) ok ;; esac
[ "$(pkg-config --modversion libpprof)" = "$(sed -n 's/^#define PPROF_VERSION "\(.*\)"/\1/p' lib/pprof.h)" ] && ok ||
    no "pkg-config version $(pkg-config --modversion libpprof)"

# The man page's EXAMPLE, as a reader would copy it.
sed -n '/^\.SH EXAMPLE/,/^\.SH /p' man/libpprof.3 | sed -n '/^\.EX/,/^\.EE/p' | sed -e '1d' -e '$d' \
    -e 's/\\e/\\/g' -e 's/\\-/-/g' >"$tmp/top.c"
grep -q 'pprof_write' "$tmp/top.c" && ok || no "no EXAMPLE program in man/libpprof.3"
if $CC -std=c11 -Wall -Wextra -Werror -o "$tmp/top" "$tmp/top.c" $cflags $libs 2>"$tmp/cc.log"; then ok; else
    no "the EXAMPLE does not build: $(head -n 5 "$tmp/cc.log")"
fi
if $CC -std=c11 -Wall -Wextra -Werror -o "$tmp/all_reports" tests/lib/all_reports.c $cflags $libs 2>"$tmp/cc2.log"; then
    ok
else
    no "all_reports.c does not build: $(head -n 5 "$tmp/cc2.log")"
fi
# The static library too (pkg-config --static adds its dependencies).
if $CC -std=c11 -static-libgcc -o "$tmp/top_static" "$tmp/top.c" $cflags \
    "$dest/usr/local/lib64/libpprof.a" $(pkg-config --static --libs-only-l libpprof | sed 's/-lpprof//') 2>"$tmp/cc3.log"; then
    ok
else
    no "the EXAMPLE does not link statically: $(head -n 5 "$tmp/cc3.log")"
fi
export LD_LIBRARY_PATH="$dest/usr/local/lib64"
if [ -x "$tmp/top" ]; then
    ldd "$tmp/top" | grep -q "$dest/usr/local/lib64/libpprof.so" && ok || no "the EXAMPLE does not use the installed libpprof.so"
fi

# ---------------------------------------------------------------- outputs
# The EXAMPLE prints what pprof -top prints, for every kind of input.
for prof in tests/data/cpu.pb.gz tests/data/heap.pb.gz tests/data/legacy/cppbench.cpu tests/data/heap.legacy.txt \
    tests/data/goroutine.legacy.txt tests/data/folded/$(ls tests/data/folded | head -n 1) \
    tests/data/perf/synth_file.data tests/data/perf/synth_pipe.data; do
    [ -f "$prof" ] || { no "missing fixture $prof"; continue; }
    "$PPROF" -top "$prof" >"$tmp/want" 2>/dev/null
    for prog in top top_static; do
        [ -x "$tmp/$prog" ] || continue
        "$tmp/$prog" "$prof" >"$tmp/got" 2>"$tmp/err"
        rc=$?
        case $prof in
        *.data)
            # A perf.data has no capture time: pprof gives it the file's
            # (pprof_perf_set_time), which the EXAMPLE does not call.
            sed -i '/^Time: /d' "$tmp/got" "$tmp/want" ;;
        esac
        if [ $rc = 0 ] && [ -s "$tmp/got" ] && cmp -s "$tmp/got" "$tmp/want"; then
            ok
        else
            no "$prog $prof differs from pprof -top: $(head -n 2 "$tmp/err") $(diff "$tmp/want" "$tmp/got" | head -n 5)"
        fi
    done
done
# An outside program writes every report, each as pprof writes it.
for prof in tests/data/cpu.pb.gz tests/data/legacy/cppbench.cpu; do
    [ -x "$tmp/all_reports" ] || break
    rm -rf "$tmp/out" && mkdir "$tmp/out"
    if ! "$tmp/all_reports" "$prof" "$tmp/out" >"$tmp/list" 2>"$tmp/err"; then
        no "all_reports $prof: $(head -n 2 "$tmp/err")"
        continue
    fi
    grep -q "^version $(sed -n 's/^#define PPROF_VERSION "\(.*\)"/\1/p' lib/pprof.h) " "$tmp/list" && ok ||
        no "pprof_version: $(head -n 1 "$tmp/list")"
    n=0
    while read -r name code; do
        [ "$name" = version ] && continue
        n=$((n + 1))
        case $name in
        peek | list | disasm) flag="-$name=main" ;;
        *) flag="-$name" ;;
        esac
        case $name in
        weblist) # a page file; "source" is its routines alone, the page around them cut
            rm -f "$tmp/want" "$tmp/wl.html"
            "$PPROF" -weblist=main -output="$tmp/wl.html" "$prof" >"$tmp/want.err" 2>&1 && cp "$tmp/wl.html" "$tmp/want" ;;
        source)
            rm -f "$tmp/want" "$tmp/wl.html"
            flag="-weblist=main, cut to its routines"
            "$PPROF" -weblist=main -output="$tmp/wl.html" "$prof" >"$tmp/want.err" 2>&1 &&
                perl -0777 -ne 'print $1 if m{</div>(<h2>.*)\n</body>\n</html>\n\z}s' "$tmp/wl.html" >"$tmp/want" ;;
        *) "$PPROF" "$flag" "$prof" >"$tmp/want" 2>"$tmp/want.err" ;;
        esac
        if [ "$code" = 0 ] && cmp -s "$tmp/out/$name.out" "$tmp/want"; then
            ok
        elif [ "$code" != 0 ] && [ ! -s "$tmp/want" ]; then
            ok # both refuse (diff without a base)
        else
            no "report $name of $prof (code $code) differs from pprof $flag: $(cmp "$tmp/out/$name.out" "$tmp/want" 2>&1 | head -n 1)"
        fi
    done <"$tmp/list"
    [ $n -ge 15 ] && ok || no "only $n reports listed by pprof_writer_name"
done

echo "lib: $pass passed, $fail failed"
[ "$fail" = 0 ]
