/* dynlib.h: the shared libraries the program opens with dlopen when a command first needs them (libcurl, Graphviz, libmicrohttpd, json-c, readline, elfutils, libzstd), and the tables their calls go through. */
#ifndef PPROF_CMD_DYNLIB_H
#define PPROF_CMD_DYNLIB_H

#include <stddef.h>

/* Linked, these libraries and what they pull in (GnuTLS, Kerberos, LDAP,
 * libssh2, nghttp2, fontconfig ...) were 45 of the program's 50 and cost
 * every run, a -top of a small file too, about 8 MiB of memory and 20 ms of
 * relocations and constructors; few runs use any of them. */
typedef enum dynlib_id {
    DYNLIB_CURL,     /* fetching URLs, remote symbolization */
    DYNLIB_GRAPHVIZ, /* -svg, -png, -pdf, -ps, -gif and the web UI's graph */
    DYNLIB_MHD,      /* the web UI's server (-http) */
    DYNLIB_JSONC,    /* the web UI's saved settings */
    DYNLIB_READLINE, /* the shell on a terminal */
    DYNLIB_DW,       /* libdw and libelf: native binaries (libpprof's calls, cmd/dynlib_lib.c) */
    DYNLIB_ZSTD,     /* perf.data's compressed records (libpprof's calls, cmd/dynlib_lib.c) */
    DYNLIB_COUNT
} dynlib_id;

/* Opens the library (once for the process; it stays loaded) and fills its
 * table below. Returns 0, or -1 with a message in err naming the library,
 * its Debian package, what needs it and the loader's reason. Thread-safe;
 * once loaded, a call costs one atomic load. */
int dynlib_load(dynlib_id id, char *err, size_t errlen);

/* DYNLIB_TABLE(lib, NAMES): the type dynlib_<lib>_table, a pointer typed
 * from the library's header for each name NAMES lists, and its one
 * instance dynlib_<lib> (in dynlib.c). */
#define DYNLIB_ENTRY(name) __typeof__(name) *name;
#define DYNLIB_TABLE(lib, NAMES)                                                                                   \
    typedef struct dynlib_##lib##_table {                                                                          \
        NAMES(DYNLIB_ENTRY)                                                                                        \
    } dynlib_##lib##_table;                                                                                        \
    extern dynlib_##lib##_table dynlib_##lib;

#endif

/* ---------------------------------------------------------------- the tables
 * A file that calls a library defines DYNLIB_WANT_<LIB> and includes this
 * header, instead of the library's header: the library's header is
 * included, the table holds a pointer to each function and variable the
 * program uses (the types come from the library's header), and each name
 * is made an alias of its table entry, so calls read as ordinary calls (a
 * function's alias takes arguments: the bare name is still the table's
 * member, which a test may point at a stand-in).
 * The entries are NULL until dynlib_load: a file calls it before its
 * first use of the library. A name the program uses that is missing from
 * a list does not link (the program no longer links the library); one
 * listed but missing from the aliases does not compile. dynlib.c, which
 * fills the tables, defines DYNLIB_NO_ALIASES. */

#if defined(DYNLIB_WANT_CURL) && !defined(PPROF_CMD_DYNLIB_CURL)
#define PPROF_CMD_DYNLIB_CURL
/* curl's type-checking macros, and its macros that make sure of three
 * arguments, take the names the aliases take. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#undef curl_easy_getinfo
#undef curl_easy_setopt
#define DYNLIB_CURL_NAMES(X)                                                                                       \
    X(curl_easy_cleanup) X(curl_easy_getinfo) X(curl_easy_init) X(curl_easy_perform) X(curl_easy_setopt)          \
    X(curl_easy_strerror) X(curl_free) X(curl_global_cleanup) X(curl_global_init) X(curl_multi_add_handle)        \
    X(curl_multi_cleanup) X(curl_multi_info_read) X(curl_multi_init) X(curl_multi_perform) X(curl_multi_poll)     \
    X(curl_multi_remove_handle) X(curl_slist_append) X(curl_slist_free_all) X(curl_url) X(curl_url_cleanup)       \
    X(curl_url_dup) X(curl_url_get) X(curl_url_set) X(curl_url_strerror)
DYNLIB_TABLE(curl, DYNLIB_CURL_NAMES)
#ifndef DYNLIB_NO_ALIASES
#define curl_easy_cleanup(...) (*dynlib_curl.curl_easy_cleanup)(__VA_ARGS__)
#define curl_easy_getinfo(...) (*dynlib_curl.curl_easy_getinfo)(__VA_ARGS__)
#define curl_easy_init(...) (*dynlib_curl.curl_easy_init)(__VA_ARGS__)
#define curl_easy_perform(...) (*dynlib_curl.curl_easy_perform)(__VA_ARGS__)
#define curl_easy_setopt(...) (*dynlib_curl.curl_easy_setopt)(__VA_ARGS__)
#define curl_easy_strerror(...) (*dynlib_curl.curl_easy_strerror)(__VA_ARGS__)
#define curl_free(...) (*dynlib_curl.curl_free)(__VA_ARGS__)
#define curl_global_cleanup(...) (*dynlib_curl.curl_global_cleanup)(__VA_ARGS__)
#define curl_global_init(...) (*dynlib_curl.curl_global_init)(__VA_ARGS__)
#define curl_multi_add_handle(...) (*dynlib_curl.curl_multi_add_handle)(__VA_ARGS__)
#define curl_multi_cleanup(...) (*dynlib_curl.curl_multi_cleanup)(__VA_ARGS__)
#define curl_multi_info_read(...) (*dynlib_curl.curl_multi_info_read)(__VA_ARGS__)
#define curl_multi_init(...) (*dynlib_curl.curl_multi_init)(__VA_ARGS__)
#define curl_multi_perform(...) (*dynlib_curl.curl_multi_perform)(__VA_ARGS__)
#define curl_multi_poll(...) (*dynlib_curl.curl_multi_poll)(__VA_ARGS__)
#define curl_multi_remove_handle(...) (*dynlib_curl.curl_multi_remove_handle)(__VA_ARGS__)
#define curl_slist_append(...) (*dynlib_curl.curl_slist_append)(__VA_ARGS__)
#define curl_slist_free_all(...) (*dynlib_curl.curl_slist_free_all)(__VA_ARGS__)
#define curl_url(...) (*dynlib_curl.curl_url)(__VA_ARGS__)
#define curl_url_cleanup(...) (*dynlib_curl.curl_url_cleanup)(__VA_ARGS__)
#define curl_url_dup(...) (*dynlib_curl.curl_url_dup)(__VA_ARGS__)
#define curl_url_get(...) (*dynlib_curl.curl_url_get)(__VA_ARGS__)
#define curl_url_set(...) (*dynlib_curl.curl_url_set)(__VA_ARGS__)
#define curl_url_strerror(...) (*dynlib_curl.curl_url_strerror)(__VA_ARGS__)
#endif
#endif

#if defined(DYNLIB_WANT_GRAPHVIZ) && !defined(PPROF_CMD_DYNLIB_GRAPHVIZ)
#define PPROF_CMD_DYNLIB_GRAPHVIZ
#include <cgraph.h>
#include <gvc.h>
/* libgvc's; the ag* functions are its dependency libcgraph's, found
 * through libgvc's handle. */
#define DYNLIB_GRAPHVIZ_NAMES(X)                                                                                   \
    X(agclose) X(agmemread) X(agnedges) X(agnnodes) X(agseterr) X(agseterrf) X(gvContext) X(gvFreeLayout)         \
    X(gvFreeRenderData) X(gvLayout) X(gvRenderData)
DYNLIB_TABLE(graphviz, DYNLIB_GRAPHVIZ_NAMES)
#ifndef DYNLIB_NO_ALIASES
#define agclose(...) (*dynlib_graphviz.agclose)(__VA_ARGS__)
#define agmemread(...) (*dynlib_graphviz.agmemread)(__VA_ARGS__)
#define agnedges(...) (*dynlib_graphviz.agnedges)(__VA_ARGS__)
#define agnnodes(...) (*dynlib_graphviz.agnnodes)(__VA_ARGS__)
#define agseterr(...) (*dynlib_graphviz.agseterr)(__VA_ARGS__)
#define agseterrf(...) (*dynlib_graphviz.agseterrf)(__VA_ARGS__)
#define gvContext(...) (*dynlib_graphviz.gvContext)(__VA_ARGS__)
#define gvFreeLayout(...) (*dynlib_graphviz.gvFreeLayout)(__VA_ARGS__)
#define gvFreeRenderData(...) (*dynlib_graphviz.gvFreeRenderData)(__VA_ARGS__)
#define gvLayout(...) (*dynlib_graphviz.gvLayout)(__VA_ARGS__)
#define gvRenderData(...) (*dynlib_graphviz.gvRenderData)(__VA_ARGS__)
#endif
#endif

#if defined(DYNLIB_WANT_MHD) && !defined(PPROF_CMD_DYNLIB_MHD)
#define PPROF_CMD_DYNLIB_MHD
#include <microhttpd.h>
#define DYNLIB_MHD_NAMES(X)                                                                                        \
    X(MHD_add_response_header) X(MHD_create_response_from_buffer) X(MHD_create_response_from_callback)            \
    X(MHD_destroy_response) X(MHD_get_connection_info) X(MHD_get_connection_values) X(MHD_get_daemon_info)        \
    X(MHD_lookup_connection_value) X(MHD_queue_response) X(MHD_start_daemon) X(MHD_stop_daemon)
DYNLIB_TABLE(mhd, DYNLIB_MHD_NAMES)
#ifndef DYNLIB_NO_ALIASES
#define MHD_add_response_header(...) (*dynlib_mhd.MHD_add_response_header)(__VA_ARGS__)
#define MHD_create_response_from_buffer(...) (*dynlib_mhd.MHD_create_response_from_buffer)(__VA_ARGS__)
#define MHD_create_response_from_callback(...) (*dynlib_mhd.MHD_create_response_from_callback)(__VA_ARGS__)
#define MHD_destroy_response(...) (*dynlib_mhd.MHD_destroy_response)(__VA_ARGS__)
#define MHD_get_connection_info(...) (*dynlib_mhd.MHD_get_connection_info)(__VA_ARGS__)
#define MHD_get_connection_values(...) (*dynlib_mhd.MHD_get_connection_values)(__VA_ARGS__)
#define MHD_get_daemon_info(...) (*dynlib_mhd.MHD_get_daemon_info)(__VA_ARGS__)
#define MHD_lookup_connection_value(...) (*dynlib_mhd.MHD_lookup_connection_value)(__VA_ARGS__)
#define MHD_queue_response(...) (*dynlib_mhd.MHD_queue_response)(__VA_ARGS__)
#define MHD_start_daemon(...) (*dynlib_mhd.MHD_start_daemon)(__VA_ARGS__)
#define MHD_stop_daemon(...) (*dynlib_mhd.MHD_stop_daemon)(__VA_ARGS__)
#endif
#endif

#if defined(DYNLIB_WANT_JSONC) && !defined(PPROF_CMD_DYNLIB_JSONC)
#define PPROF_CMD_DYNLIB_JSONC
#include <json-c/json.h>
#define DYNLIB_JSONC_NAMES(X)                                                                                      \
    X(json_object_array_add) X(json_object_array_del_idx) X(json_object_array_get_idx)                            \
    X(json_object_array_length) X(json_object_array_put_idx) X(json_object_from_file) X(json_object_get_boolean)  \
    X(json_object_get_double) X(json_object_get_int) X(json_object_get_string) X(json_object_is_type)            \
    X(json_object_new_array) X(json_object_new_boolean) X(json_object_new_double_s) X(json_object_new_int)        \
    X(json_object_new_object) X(json_object_new_string) X(json_object_object_add) X(json_object_object_get_ex)    \
    X(json_object_put) X(json_object_to_json_string_ext) X(json_util_get_last_err)
DYNLIB_TABLE(jsonc, DYNLIB_JSONC_NAMES)
#ifndef DYNLIB_NO_ALIASES
#define json_object_array_add(...) (*dynlib_jsonc.json_object_array_add)(__VA_ARGS__)
#define json_object_array_del_idx(...) (*dynlib_jsonc.json_object_array_del_idx)(__VA_ARGS__)
#define json_object_array_get_idx(...) (*dynlib_jsonc.json_object_array_get_idx)(__VA_ARGS__)
#define json_object_array_length(...) (*dynlib_jsonc.json_object_array_length)(__VA_ARGS__)
#define json_object_array_put_idx(...) (*dynlib_jsonc.json_object_array_put_idx)(__VA_ARGS__)
#define json_object_from_file(...) (*dynlib_jsonc.json_object_from_file)(__VA_ARGS__)
#define json_object_get_boolean(...) (*dynlib_jsonc.json_object_get_boolean)(__VA_ARGS__)
#define json_object_get_double(...) (*dynlib_jsonc.json_object_get_double)(__VA_ARGS__)
#define json_object_get_int(...) (*dynlib_jsonc.json_object_get_int)(__VA_ARGS__)
#define json_object_get_string(...) (*dynlib_jsonc.json_object_get_string)(__VA_ARGS__)
#define json_object_is_type(...) (*dynlib_jsonc.json_object_is_type)(__VA_ARGS__)
#define json_object_new_array(...) (*dynlib_jsonc.json_object_new_array)(__VA_ARGS__)
#define json_object_new_boolean(...) (*dynlib_jsonc.json_object_new_boolean)(__VA_ARGS__)
#define json_object_new_double_s(...) (*dynlib_jsonc.json_object_new_double_s)(__VA_ARGS__)
#define json_object_new_int(...) (*dynlib_jsonc.json_object_new_int)(__VA_ARGS__)
#define json_object_new_object(...) (*dynlib_jsonc.json_object_new_object)(__VA_ARGS__)
#define json_object_new_string(...) (*dynlib_jsonc.json_object_new_string)(__VA_ARGS__)
#define json_object_object_add(...) (*dynlib_jsonc.json_object_object_add)(__VA_ARGS__)
#define json_object_object_get_ex(...) (*dynlib_jsonc.json_object_object_get_ex)(__VA_ARGS__)
#define json_object_put(...) (*dynlib_jsonc.json_object_put)(__VA_ARGS__)
#define json_object_to_json_string_ext(...) (*dynlib_jsonc.json_object_to_json_string_ext)(__VA_ARGS__)
#define json_util_get_last_err(...) (*dynlib_jsonc.json_util_get_last_err)(__VA_ARGS__)
#endif
#endif

#if defined(DYNLIB_WANT_READLINE) && !defined(PPROF_CMD_DYNLIB_READLINE)
#define PPROF_CMD_DYNLIB_READLINE
#include <stdio.h>
#include <readline/history.h>
#include <readline/readline.h>
/* Functions and variables (the rl_ settings are variables of readline's). */
#define DYNLIB_READLINE_NAMES(X)                                                                                   \
    X(add_history) X(append_history) X(history_truncate_file) X(read_history) X(readline)                         \
    X(rl_attempted_completion_function) X(rl_attempted_completion_over) X(rl_catch_signals)                      \
    X(rl_completer_word_break_characters) X(rl_completion_append_character) X(rl_completion_matches)             \
    X(rl_line_buffer) X(rl_on_new_line) X(rl_redisplay) X(rl_replace_line) X(rl_signal_event_hook)
DYNLIB_TABLE(readline, DYNLIB_READLINE_NAMES)
#ifndef DYNLIB_NO_ALIASES
#define add_history(...) (*dynlib_readline.add_history)(__VA_ARGS__)
#define append_history(...) (*dynlib_readline.append_history)(__VA_ARGS__)
#define history_truncate_file(...) (*dynlib_readline.history_truncate_file)(__VA_ARGS__)
#define read_history(...) (*dynlib_readline.read_history)(__VA_ARGS__)
#define readline(...) (*dynlib_readline.readline)(__VA_ARGS__)
#define rl_attempted_completion_function (*dynlib_readline.rl_attempted_completion_function)
#define rl_attempted_completion_over (*dynlib_readline.rl_attempted_completion_over)
#define rl_catch_signals (*dynlib_readline.rl_catch_signals)
#define rl_completer_word_break_characters (*dynlib_readline.rl_completer_word_break_characters)
#define rl_completion_append_character (*dynlib_readline.rl_completion_append_character)
#define rl_completion_matches(...) (*dynlib_readline.rl_completion_matches)(__VA_ARGS__)
#define rl_line_buffer (*dynlib_readline.rl_line_buffer)
#define rl_on_new_line(...) (*dynlib_readline.rl_on_new_line)(__VA_ARGS__)
#define rl_redisplay(...) (*dynlib_readline.rl_redisplay)(__VA_ARGS__)
#define rl_replace_line(...) (*dynlib_readline.rl_replace_line)(__VA_ARGS__)
#define rl_signal_event_hook (*dynlib_readline.rl_signal_event_hook)
#endif
#endif

/* libdw and libelf (elfutils) and libzstd are libpprof's: lib/objfile.c,
 * lib/dwarf_index.c and lib/symtab_index.c read native binaries with them,
 * formats/perf_data.c inflates perf.data's compressed records. libpprof.so
 * links them; the program does not, and defines each name libpprof calls
 * itself, as a call through the table (cmd/dynlib_lib.c): linked, libdw and
 * what it pulls in (libelf, liblzma, libbz2, libzstd) were five of the
 * program's ten libraries and about 1.5 ms of every run's start, which few
 * runs use. The names are libpprof's (no aliases here); a name libpprof
 * newly calls does not link until cmd/dynlib_lib.c defines it. */
#if defined(DYNLIB_WANT_DW) && !defined(PPROF_CMD_DYNLIB_DW)
#define PPROF_CMD_DYNLIB_DW
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
/* libdw's; the elf_ and gelf_ names are its dependency libelf's, found
 * through libdw's handle. */
#define DYNLIB_DW_NAMES(X)                                                                                         \
    X(dwarf_attr) X(dwarf_attr_integrate) X(dwarf_child) X(dwarf_diename) X(dwarf_dieoffset) X(dwarf_filesrc)      \
    X(dwarf_formref_die) X(dwarf_formstring) X(dwarf_formudata) X(dwarf_getsrcfiles) X(dwarf_ranges)              \
    X(dwarf_siblingof) X(dwarf_tag) X(dwfl_begin) X(dwfl_build_id_find_elf) X(dwfl_end) X(dwfl_errmsg)            \
    X(dwfl_lineinfo) X(dwfl_module_addrdie) X(dwfl_module_build_id) X(dwfl_module_getelf) X(dwfl_module_getsrc)   \
    X(dwfl_module_getsym_info) X(dwfl_module_getsymtab) X(dwfl_offline_section_address) X(dwfl_report_begin)      \
    X(dwfl_report_elf) X(dwfl_report_end) X(dwfl_standard_find_debuginfo) X(elf_getphdrnum) X(elf_rawfile)        \
    X(elf_version) X(gelf_getehdr) X(gelf_getphdr)
DYNLIB_TABLE(dw, DYNLIB_DW_NAMES)
#endif

#if defined(DYNLIB_WANT_ZSTD) && !defined(PPROF_CMD_DYNLIB_ZSTD)
#define PPROF_CMD_DYNLIB_ZSTD
#include <zstd.h>
#define DYNLIB_ZSTD_NAMES(X)                                                                                       \
    X(ZSTD_DStreamOutSize) X(ZSTD_createDStream) X(ZSTD_decompressStream) X(ZSTD_freeDStream)                     \
    X(ZSTD_getErrorName) X(ZSTD_initDStream) X(ZSTD_isError)
DYNLIB_TABLE(zstd, DYNLIB_ZSTD_NAMES)
#endif
