/* fuzz_webui.c: libFuzzer harness for web UI requests without sockets: the input is a view and a query string; its parameters are applied as the server applies them (cmd/webui_params.c, through a stand-in for libmicrohttpd's argument lookup) and the view (graph, top, flame graph, peek, source, disasm, tags, compare; the download's parameters only) is built on a copy of a small profile with hostile names and labels, as the server's child would; a value holding "<fz>" must never come back raw in an HTML page. */
#define _GNU_SOURCE
#include "../../cmd/webui.h"

#define DYNLIB_WANT_MHD
#define DYNLIB_WANT_JSONC
#include "../../cmd/dynlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---------------------------------------------------------------- the request's arguments */

/* The query of the input being run, as key/value pairs decoded as
 * libmicrohttpd decodes a request's arguments before the server looks them
 * up: the query split on '&' and '=', '+' made a space, then its own
 * MHD_http_unescape (%XX a byte; a %00 ends the C string handed out). */
enum { MAX_PAIRS = 64 };
static char *pair_key[MAX_PAIRS], *pair_val[MAX_PAIRS];
static size_t n_pairs;

static char *arg_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = s[i] == '+' ? ' ' : s[i];
    out[n] = 0;
    MHD_http_unescape(out);
    return out;
}

static void pairs_clear(void)
{
    for (size_t i = 0; i < n_pairs; i++) {
        free(pair_key[i]);
        free(pair_val[i]);
    }
    n_pairs = 0;
}

static void pairs_parse(const char *q, size_t n)
{
    size_t i = 0;
    while (i < n && n_pairs < MAX_PAIRS) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        size_t eq = i;
        while (eq < j && q[eq] != '=')
            eq++;
        char *k = arg_decode(q + i, eq - i);
        char *v = eq < j ? arg_decode(q + eq + 1, j - eq - 1) : arg_decode("", 0);
        if (k && v) {
            pair_key[n_pairs] = k;
            pair_val[n_pairs++] = v;
        } else {
            free(k);
            free(v);
        }
        i = j + 1;
    }
}

/* Stands in for libmicrohttpd's (setup puts it in the library's table,
 * cmd/dynlib.h): the first value of key among the request's arguments. */
static const char *fuzz_lookup(struct MHD_Connection *connection, enum MHD_ValueKind kind, const char *key)
{
    (void)connection;
    if (kind != MHD_GET_ARGUMENT_KIND || !key)
        return NULL;
    for (size_t i = 0; i < n_pairs; i++)
        if (strcmp(pair_key[i], key) == 0)
            return pair_val[i];
    return NULL;
}

/* ---------------------------------------------------------------- the loaded profile */

static pprof_profile *profile;
static pprof_config base_cfg;
static cmd_args args;
static webui_server srv;

static pprof_str intern(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    if (pprof_profile_intern(&id, p, s, strlen(s)))
        __builtin_trap();
    return id;
}

/* Names that must be escaped everywhere: HTML, a script breakout, a
 * terminal escape, a bidi override, quotes. */
static const char *const names[] = {
    "main", "</script><script>alert(1)</script>", "a<fz>b&amp;\"'", "\x1b]0;t\x07" "esc", "\xe2\x80\xae" "bidi",
    "pkg.(*T).Method", "std::vector<int>::push_back",
};

static void setup(void)
{
    char why[512];
    if (dynlib_load(DYNLIB_MHD, why, sizeof why) != 0 || dynlib_load(DYNLIB_JSONC, why, sizeof why) != 0)
        __builtin_trap();
    dynlib_mhd.MHD_lookup_connection_value = fuzz_lookup;
    pprof_profile *p = pprof_profile_new();
    if (!p)
        __builtin_trap();
    if (pprof_profile_add_sample_type(p, (pprof_value_type){intern(p, "samples"), intern(p, "count")}) ||
        pprof_profile_add_sample_type(p, (pprof_value_type){intern(p, "cpu"), intern(p, "nanoseconds")}))
        __builtin_trap();
    p->period_type = (pprof_value_type){intern(p, "cpu"), intern(p, "nanoseconds")};
    p->period = 10000000;
    p->time_nanos = 1700000000000000000;
    p->duration_nanos = 1000000000;
    pprof_mapping m = {.id = 1, .start = 0x400000, .limit = 0x500000, .file = intern(p, "/bin/<fz>prog"),
                       .has_functions = true};
    uint32_t mi;
    if (pprof_profile_add_mapping(&mi, p, &m))
        __builtin_trap();
    size_t n = sizeof names / sizeof names[0];
    uint32_t locs[sizeof names / sizeof names[0]];
    for (size_t i = 0; i < n; i++) {
        pprof_function f = {.id = i + 1, .name = intern(p, names[i]), .system_name = intern(p, names[i]),
                            .filename = intern(p, i % 2 ? "src/<fz>.c" : "main.go"), .start_line = 1};
        uint32_t fi;
        if (pprof_profile_add_function(&fi, p, &f))
            __builtin_trap();
        pprof_line ln = {fi, (int64_t)(10 + i), 0};
        pprof_location loc = {.id = i + 1, .address = 0x401000 + 0x10 * i, .mapping = mi};
        if (pprof_profile_add_location(&locs[i], p, &loc, &ln, 1))
            __builtin_trap();
    }
    /* Stacks main -> ... -> names[k], with string and numeric labels. */
    for (size_t k = 1; k < n; k++) {
        uint32_t stack[sizeof names / sizeof names[0]];
        size_t depth = 0;
        for (size_t j = k + 1; j-- > 0;)
            stack[depth++] = locs[j]; /* leaf first: names[k], ..., main */
        int64_t v[2] = {(int64_t)k, (int64_t)k * 10000000};
        pprof_label labels[2] = {
            {.key = intern(p, "thread"), .str = intern(p, k % 2 ? "<fz>worker" : "io")},
            {.key = intern(p, "bytes"), .num = (int64_t)(k * 1024), .num_unit = intern(p, "bytes")},
        };
        if (pprof_profile_add_sample(p, stack, depth, v, labels, 2))
            __builtin_trap();
    }
    pprof_error err;
    if (pprof_profile_index(p, &err))
        __builtin_trap();
    profile = p;
    config_init(&base_cfg);
    srv.profile = profile;
    srv.base = &base_cfg;
    srv.args = &args;
    snprintf(srv.host, sizeof srv.host, "localhost");
}

/* ---------------------------------------------------------------- one request */

/* memmem, not a loop of the harness's own: a page is 20-45 KB and the
 * loop's every comparison went through the fuzzer's instrumentation (a
 * third of each execution). */
static bool has_marker(const uint8_t *b, size_t n)
{
    return memmem(b, n, "<fz>", 4) != NULL;
}

/* The view of first byte c: 0 the graph, else the others in turn. Laying
 * out the graph with Graphviz costs an execution some 7 ms, the other views
 * under 1 ms: the graph view taking one input in nine cost two thirds of the
 * fuzzer's time; a mutation now reaches it one time in 256, and inputs of the
 * corpus that start with 0 keep it. */
static const webui_view *view_of(uint8_t c)
{
    return c == 0 ? &webui_views[0] : &webui_views[1 + (c - 1) % (webui_n_views - 1)];
}

/* Input: one byte choosing the view, then the query string. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!profile)
        setup();
    if (size < 1 || size > 4096)
        return 0;
    const webui_view *view = view_of(data[0]);
    pairs_parse((const char *)data + 1, size - 1);

    webui_request req = {0};
    req.srv = &srv;
    req.view = view;
    webui_reply r = {0};
    if (config_copy(&req.cfg, srv.base) != 0)
        __builtin_trap();
    if (!view->fn) {
        /* /ui/download: the server's encoding of the loaded profile, made
         * once (webui_serve_download, which needs a connection); its
         * parameters are still applied below. */
        (void)webui_params_apply(&req, NULL, &r);
    } else if (webui_params_apply(&req, NULL, &r) != 0) {
        if (r.status != 400 || !r.body.len)
            __builtin_trap(); /* a refused request says why */
        if (getenv("FUZZ_WEBUI_SHOW"))
            fprintf(stderr, "refused: %.*s", (int)r.body.len, (const char *)r.body.data);
    } else {
        pprof_profile *copy = NULL;
        if (pprof_profile_copy(&copy, profile) != 0)
            __builtin_trap();
        r.status = 500;
        r.type = "text/plain; charset=utf-8";
        view->fn(&r, &req, copy);
        pprof_profile_free(copy);
        if (r.status != 200 && r.status != 400 && r.status != 404 && r.status != 500)
            __builtin_trap();
        if (r.status == 200 && !r.body.len)
            __builtin_trap(); /* a page with nothing in it */
        /* What a request or the profile holds is escaped in pages: "<fz>"
         * never comes back as markup. */
        if (r.type && strncmp(r.type, "text/html", 9) == 0 && r.body.len &&
            has_marker(r.body.data, r.body.len))
            __builtin_trap();
        if (getenv("FUZZ_WEBUI_SHOW"))
            fprintf(stderr, "view %s: %d %s %zu bytes\n", view->path, r.status, r.type ? r.type : "-", r.body.len);
    }
    pprof_buf_release(&r.body);
    config_release(&req.cfg);
    pairs_clear();
    return 0;
}
