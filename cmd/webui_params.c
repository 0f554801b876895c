/* webui_params.c: a request's URL parameters (pprof's names: f, i, si, n, ...) applied to a copy of the command line's settings, with pprof's 400 messages. */
#include "webui.h"

#define DYNLIB_WANT_MHD
#include "dynlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* URL parameter, configuration option, settings.json key (NULL: not saved). */
const webui_param webui_params[] = {
    {"calltree", "call_tree", "call_tree"},
    {"rel", "relative_percentages", "relative_percentages"},
    {"unit", "unit", "unit"},
    {"compact", "compact_labels", "compact_labels"},
    {"intel", "intel_syntax", "intel_syntax"},
    {"mean", "mean", "mean"},
    {"norm", "normalize", "normalize"},
    {"sort", "sort", "sort"},
    {"dropneg", "drop_negative", "drop_negative"},
    {"n", "nodecount", "nodecount"},
    {"nf", "nodefraction", "nodefraction"},
    {"ef", "edgefraction", "edgefraction"},
    {"trim", "trim", "trim"},
    {"f", "focus", "focus"},
    {"i", "ignore", "ignore"},
    {"prunefrom", "prune_from", "prune_from"},
    {"h", "hide", "hide"},
    {"s", "show", "show"},
    {"sf", "show_from", "show_from"},
    {"tf", "tagfocus", "tagfocus"},
    {"ti", "tagignore", "tagignore"},
    {"ts", "tagshow", "tagshow"},
    {"th", "taghide", "taghide"},
    {"noinlines", "noinlines", "noinlines"},
    {"g", "granularity", "granularity"},
    {"si", "sample_index", NULL},
};
const size_t webui_n_params = sizeof webui_params / sizeof webui_params[0];

/* Parameters holding a regexp, checked here with the linear-time engine so
 * a bad one gets pprof's message before any work is done. (tf and ti may
 * be ranges or key=regexp: the filter checks those.) */
static const char *const regexp_params[] = {"focus", "ignore", "hide", "show", "show_from", "prune_from",
                                            "tagshow", "taghide"};

static const char *const granularities[] = {"functions", "filefunctions", "files", "lines", "addresses"};

void webui_reply_error(webui_reply *r, int status, const char *fmt, ...)
{
    r->status = status;
    r->type = "text/plain; charset=utf-8";
    r->disposition = NULL;
    r->body.len = 0;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pprof_buf_puts(&r->body, msg);
    pprof_buf_puts(&r->body, "\n");
}

/* pprof's web booleans: any case of true t yes y 1 / false f no n 0. */
static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "t", "yes", "y", "1"};
    static const char *const no[] = {"false", "f", "no", "n", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = true, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = false, 0;
    }
    return -1;
}

/* Sets one option from its URL value; 0, or a 400 in r. */
static int set_param(pprof_config *cfg, const webui_param *wp, const char *value, webui_reply *r)
{
    const char *name = wp->option;
    if (strcmp(name, "granularity") == 0) {
        for (size_t i = 0; i < sizeof granularities / sizeof *granularities; i++) {
            if (strcmp(value, granularities[i]) == 0) {
                char *v = strdup(value);
                if (!v)
                    break;
                free(cfg->granularity);
                cfg->granularity = v;
                return 0;
            }
        }
        webui_reply_error(r, 400, "error setting config field granularity: invalid \"granularity\" value \"%s\"",
                          value);
        return -1;
    }
    if (strcmp(name, "sort") == 0 && strcmp(value, "flat") != 0 && strcmp(value, "cum") != 0) {
        webui_reply_error(r, 400, "error setting config field sort: invalid \"sort\" value \"%s\"", value);
        return -1;
    }
    const option_def *d = config_find(name);
    if (!d)
        return 0;
    char err[256];
    switch (d->kind) {
    case OPT_BOOL: {
        bool b;
        if (parse_bool(value, &b) != 0) {
            webui_reply_error(r, 400, "error setting config field %s: illegal value \"%s\" for bool variable", name,
                              value);
            return -1;
        }
        *(bool *)((char *)cfg + d->offset) = b;
        return 0;
    }
    case OPT_INT:
        if (config_set(cfg, d, value, err, sizeof err) != 0) {
            webui_reply_error(r, 400, "error setting config field %s: strconv.Atoi: parsing \"%s\": invalid syntax",
                              name, value);
            return -1;
        }
        return 0;
    case OPT_FLOAT:
        if (config_set(cfg, d, value, err, sizeof err) != 0) {
            webui_reply_error(r, 400,
                              "error setting config field %s: strconv.ParseFloat: parsing \"%s\": invalid syntax",
                              name, value);
            return -1;
        }
        return 0;
    case OPT_STRING:
        for (size_t i = 0; i < sizeof regexp_params / sizeof *regexp_params; i++) {
            if (strcmp(regexp_params[i], name) != 0)
                continue;
            pprof_regex *re;
            pprof_error perr;
            if (pprof_regex_compile(&re, value, strlen(value), &perr) != 0) {
                webui_reply_error(r, 400, "parsing %s regexp: %s", name, perr.msg);
                return -1;
            }
            pprof_regex_free(re);
        }
        if (config_set(cfg, d, value, err, sizeof err) != 0) {
            webui_reply_error(r, 500, "out of memory");
            return -1;
        }
        return 0;
    }
    return 0;
}

int webui_params_apply(webui_request *req, struct MHD_Connection *conn, webui_reply *r)
{
    for (size_t i = 0; i < webui_n_params; i++) {
        /* The first value of a key; an empty value leaves the setting as
         * the command line made it. */
        const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, webui_params[i].key);
        if (!v || !*v)
            continue;
        if (set_param(&req->cfg, &webui_params[i], v, r) != 0)
            return -1;
    }
    static const char *const cmp_keys[4] = {"a", "ae", "b", "be"};
    for (int k = 0; k < 4; k++) {
        const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, cmp_keys[k]);
        char *end;
        long n = v && *v ? strtol(v, &end, 10) : -1;
        if (v && *v && (*end || n < 0 || (size_t)n >= req->srv->n_captures)) {
            webui_reply_error(r, 400, "%s=%s is not a capture of the directory (0..%zu)", cmp_keys[k], v,
                              req->srv->n_captures ? req->srv->n_captures - 1 : 0);
            return -1;
        }
        req->cmp[k] = (int)n;
    }
    const char *f = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "f");
    req->arg = f && *f ? f : NULL;
    const char *tv = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "tv");
    req->tv = tv && *tv ? tv : NULL;
    /* The sample index is checked here, so a bad one costs no view. */
    const char *si = req->cfg.sample_index && *req->cfg.sample_index ? req->cfg.sample_index : req->srv->args->sample_flag;
    int idx;
    pprof_error err;
    if (pprof_sample_index(&idx, req->srv->profile, si, &err) != 0) {
        webui_reply_error(r, 400, "%s", err.msg);
        return -1;
    }
    return 0;
}
