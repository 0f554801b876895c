/* fetch_sources.c: finds the URL sources of a run (sources, -base, -diff_base), fetches them together and hands the bodies to source.c. */
#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fetched_item {
    const char *source; /* the argument, borrowed */
    fetch_target t;
    fetch_result r;
    bool taken;
} fetched_item;

struct cmd_fetched {
    fetched_item *items;
    size_t n;
};

/* source without the user:password@ of a scheme://user:password@host URL,
 * for messages about a URL that is not fetched. */
static void redact(char *out, size_t n, const char *source)
{
    const char *sep = strstr(source, "://");
    const char *auth = sep ? sep + 3 : source;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    if (!at) {
        snprintf(out, n, "%s", source);
        return;
    }
    snprintf(out, n, "%.*s%s", (int)(auth - source), source, at + 1);
}

void cmd_fetched_free(cmd_fetched *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        fetch_target_release(&f->items[i].t);
        pprof_buf_release(&f->items[i].r.body);
    }
    free(f->items);
    free(f);
}

int cmd_fetch_sources(cmd_fetched **out, const cmd_args *args)
{
    *out = NULL;
    const char *base = args->diff_base && *args->diff_base ? args->diff_base : args->base;
    size_t total = args->n_sources + (base && *base ? 1 : 0);
    cmd_fetched *f = calloc(1, sizeof *f);
    fetched_item *items = calloc(total ? total : 1, sizeof *items);
    fetch_target *targets = calloc(total ? total : 1, sizeof *targets);
    fetch_result *results = calloc(total ? total : 1, sizeof *results);
    int rc = 0;
    if (!f || !items || !targets || !results) {
        cmd_error("out of memory");
        rc = EXIT_DATA;
    }
    for (size_t i = 0; i < total && rc == 0; i++) {
        const char *s = i < args->n_sources ? args->sources[i] : base;
        char err[512];
        int r = fetch_target_resolve(&items[f->n].t, s, args, err, sizeof err);
        if (r < 0) {
            char shown[512];
            redact(shown, sizeof shown, s);
            cmd_error("%s: %s", shown, err);
            rc = EXIT_DATA;
        } else if (r == 0) {
            items[f->n].source = s;
            targets[f->n] = items[f->n].t;
            f->n++;
        }
    }
    /* A failed fetch is reported here; loading skips that source. */
    if (rc == 0 && f->n > 0 && fetch_run(results, targets, f->n, args) != 0) {
        for (size_t i = 0; i < f->n; i++)
            if (results[i].error[0])
                cmd_error("%s: %s", items[i].t.display, results[i].error);
    }
    for (size_t i = 0; f && i < f->n; i++)
        items[i].r = results[i];
    free(targets);
    free(results);
    if (f) {
        f->items = items;
        items = NULL;
    }
    free(items);
    if (rc != 0 || !f || f->n == 0) {
        cmd_fetched_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

const pprof_buf *cmd_fetched_take(cmd_fetched *f, const char *source, const char **name, bool *failed)
{
    *failed = false;
    for (size_t i = 0; f && i < f->n; i++) {
        fetched_item *it = &f->items[i];
        if (!it->taken && strcmp(it->source, source) == 0) {
            it->taken = true;
            *name = it->t.display;
            *failed = it->r.error[0] != 0;
            return *failed ? NULL : &it->r.body;
        }
    }
    return NULL;
}

const char *cmd_fetched_name(const cmd_fetched *f, const char *source)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (strcmp(f->items[i].source, source) == 0)
            return f->items[i].t.display;
    return source;
}
