/* dynlib.c: opens libcurl, Graphviz, libmicrohttpd, json-c, readline, elfutils and libzstd with dlopen when a command first needs one, and fills its table (dynlib.h says why). */
#define DYNLIB_NO_ALIASES
#define DYNLIB_WANT_CURL
#define DYNLIB_WANT_GRAPHVIZ
#define DYNLIB_WANT_MHD
#define DYNLIB_WANT_JSONC
#define DYNLIB_WANT_READLINE
#define DYNLIB_WANT_DW
#define DYNLIB_WANT_ZSTD
#include "dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

/* The sonames of the libraries the build found and their Debian packages
 * (the Makefile writes them); Debian 12's otherwise. */
#include "dynlib_names.h"
#ifndef PPROF_SONAME_CURL
#define PPROF_SONAME_CURL "libcurl.so.4"
#endif
#ifndef PPROF_PACKAGE_CURL
#define PPROF_PACKAGE_CURL "libcurl4"
#endif
#ifndef PPROF_SONAME_GVC
#define PPROF_SONAME_GVC "libgvc.so.6"
#endif
#ifndef PPROF_PACKAGE_GVC
#define PPROF_PACKAGE_GVC "libgvc6"
#endif
#ifndef PPROF_SONAME_MICROHTTPD
#define PPROF_SONAME_MICROHTTPD "libmicrohttpd.so.12"
#endif
#ifndef PPROF_PACKAGE_MICROHTTPD
#define PPROF_PACKAGE_MICROHTTPD "libmicrohttpd12"
#endif
#ifndef PPROF_SONAME_JSON_C
#define PPROF_SONAME_JSON_C "libjson-c.so.5"
#endif
#ifndef PPROF_PACKAGE_JSON_C
#define PPROF_PACKAGE_JSON_C "libjson-c5"
#endif
#ifndef PPROF_SONAME_READLINE
#define PPROF_SONAME_READLINE "libreadline.so.8"
#endif
#ifndef PPROF_PACKAGE_READLINE
#define PPROF_PACKAGE_READLINE "libreadline8"
#endif
#ifndef PPROF_SONAME_DW
#define PPROF_SONAME_DW "libdw.so.1"
#endif
#ifndef PPROF_PACKAGE_DW
#define PPROF_PACKAGE_DW "libdw1"
#endif
#ifndef PPROF_SONAME_ZSTD
#define PPROF_SONAME_ZSTD "libzstd.so.1"
#endif
#ifndef PPROF_PACKAGE_ZSTD
#define PPROF_PACKAGE_ZSTD "libzstd1"
#endif

dynlib_curl_table dynlib_curl;
dynlib_graphviz_table dynlib_graphviz;
dynlib_mhd_table dynlib_mhd;
dynlib_jsonc_table dynlib_jsonc;
dynlib_readline_table dynlib_readline;
dynlib_dw_table dynlib_dw;
dynlib_zstd_table dynlib_zstd;

/* Each fills its table from the library's handle; the name of the first
 * entry not found, or NULL. (POSIX: a function pointer converts from
 * dlsym's void *.) */
#define DYNLIB_BIND(table, name)                                                                                   \
    if (!(*(void **)&table.name = dlsym(h, #name)) && !missing)                                                    \
        missing = #name;

/* bind_NAME(h): fills dynlib_NAME from h by the library's list of names. */
#define DYNLIB_BINDER(lib, NAMES)                                                                                  \
    static const char *bind_##lib(void *h)                                                                         \
    {                                                                                                              \
        const char *missing = NULL;                                                                                \
        NAMES(BIND_##lib)                                                                                          \
        return missing;                                                                                            \
    }
#define BIND_curl(name) DYNLIB_BIND(dynlib_curl, name)
#define BIND_graphviz(name) DYNLIB_BIND(dynlib_graphviz, name)
#define BIND_mhd(name) DYNLIB_BIND(dynlib_mhd, name)
#define BIND_jsonc(name) DYNLIB_BIND(dynlib_jsonc, name)
#define BIND_readline(name) DYNLIB_BIND(dynlib_readline, name)
#define BIND_dw(name) DYNLIB_BIND(dynlib_dw, name)
#define BIND_zstd(name) DYNLIB_BIND(dynlib_zstd, name)
DYNLIB_BINDER(curl, DYNLIB_CURL_NAMES)
DYNLIB_BINDER(graphviz, DYNLIB_GRAPHVIZ_NAMES)
DYNLIB_BINDER(mhd, DYNLIB_MHD_NAMES)
DYNLIB_BINDER(jsonc, DYNLIB_JSONC_NAMES)
DYNLIB_BINDER(readline, DYNLIB_READLINE_NAMES)
DYNLIB_BINDER(dw, DYNLIB_DW_NAMES)
DYNLIB_BINDER(zstd, DYNLIB_ZSTD_NAMES)

typedef struct dynlib_desc {
    const char *soname;
    const char *package;
    const char *needed_for;
    const char *(*bind)(void *h);
} dynlib_desc;

static const dynlib_desc descs[DYNLIB_COUNT] = {
    [DYNLIB_CURL] = {PPROF_SONAME_CURL, PPROF_PACKAGE_CURL, "fetching profiles over HTTP", bind_curl},
    [DYNLIB_GRAPHVIZ] = {PPROF_SONAME_GVC, PPROF_PACKAGE_GVC, "drawing call graphs", bind_graphviz},
    [DYNLIB_MHD] = {PPROF_SONAME_MICROHTTPD, PPROF_PACKAGE_MICROHTTPD, "the web interface (-http)", bind_mhd},
    [DYNLIB_JSONC] = {PPROF_SONAME_JSON_C, PPROF_PACKAGE_JSON_C, "the web interface (-http)", bind_jsonc},
    [DYNLIB_READLINE] = {PPROF_SONAME_READLINE, PPROF_PACKAGE_READLINE, "line editing in the shell", bind_readline},
    [DYNLIB_DW] = {PPROF_SONAME_DW, PPROF_PACKAGE_DW, "reading native binaries", bind_dw},
    [DYNLIB_ZSTD] = {PPROF_SONAME_ZSTD, PPROF_PACKAGE_ZSTD, "reading compressed perf.data records", bind_zstd},
};

/* Which are loaded; RTLD_NODELETE keeps a library mapped for the life of
 * the process, which its table's pointers need. Set (release) after the
 * table is filled, so a thread that reads it set (acquire) sees the table:
 * libpprof's calls into elfutils check it on each call (cmd/dynlib_lib.c). */
static atomic_bool loaded[DYNLIB_COUNT];
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

int dynlib_load(dynlib_id id, char *err, size_t errlen)
{
    if (atomic_load_explicit(&loaded[id], memory_order_acquire))
        return 0;
    const dynlib_desc *d = &descs[id];
    int rc = 0;
    pthread_mutex_lock(&load_lock);
    if (!atomic_load_explicit(&loaded[id], memory_order_relaxed)) {
        void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        const char *missing = h ? d->bind(h) : NULL;
        if (!h) {
            snprintf(err, errlen, "%s needs %s (Debian package %s), which could not be loaded: %s", d->needed_for,
                     d->soname, d->package, dlerror());
            rc = -1;
        } else if (missing) {
            snprintf(err, errlen, "%s needs %s (Debian package %s), which lacks %s", d->needed_for, d->soname,
                     d->package, missing);
            rc = -1;
        } else {
            atomic_store_explicit(&loaded[id], true, memory_order_release);
        }
    }
    pthread_mutex_unlock(&load_lock);
    return rc;
}
