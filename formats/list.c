/* list.c: the -list report: annotated source of the functions matching a
 * regexp, each sample counted once per line (so recursion is not counted
 * twice, unlike pprof). */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* By function and file (as ids: only grouping matters here), then line. */
static int cmp_lines(const void *a, const void *b)
{
    const pprof_list_line *x = a, *y = b;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_groups(const void *a, const void *b)
{
    const pprof_list_group *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->file, y->file);
}

/* Reads a whole source file; NULL with errno when it cannot. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    pprof_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (64u << 20))
        pprof_buf_append(&b, chunk, n);
    fclose(f);
    if (b.failed) {
        pprof_buf_release(&b);
        errno = ENOMEM;
        return NULL;
    }
    *len = b.len;
    if (!b.data)
        return calloc(1, 1);
    return (char *)b.data;
}

/* pprof's trimPath: configured prefixes, the /proc/self/cwd forms, or (with
 * no trim_path) everything up to "/<basename of a search dir>/". */
const char *pprof_source_trim(const char *path, const char *trim, const char *search, char *scratch, size_t n)
{
    static const char *const cwd_forms[] = {"/proc/self/cwd/./", "/proc/self/cwd/"};
    for (const char *t = trim; t && *t;) {
        const char *colon = strchr(t, ':');
        size_t len = colon ? (size_t)(colon - t) : strlen(t);
        if (len && strncmp(path, t, len) == 0) {
            const char *rest = path + len;
            while (*rest == '/')
                rest++;
            return rest;
        }
        t = colon ? colon + 1 : NULL;
    }
    for (size_t i = 0; i < 2; i++)
        if (strncmp(path, cwd_forms[i], strlen(cwd_forms[i])) == 0)
            return path + strlen(cwd_forms[i]);
    if (!trim || !*trim) {
        for (const char *s = search; s && *s;) {
            const char *colon = strchr(s, ':');
            size_t len = colon ? (size_t)(colon - s) : strlen(s);
            while (len > 1 && s[len - 1] == '/')
                len--;
            size_t b = len;
            while (b > 0 && s[b - 1] != '/')
                b--;
            if (len > b && len - b + 3 < n) {
                snprintf(scratch, n, "/%.*s/", (int)(len - b), s + b);
                const char *at = strstr(path, scratch);
                if (at)
                    return at + strlen(scratch);
            }
            s = colon ? colon + 1 : NULL;
        }
    }
    return path;
}

/* Finds the file: absolute as is; relative in each search dir and each of
 * its parents. Returns the contents, or NULL with a message in err. */
char *pprof_source_find(const char *path, const char *search, size_t *len, char *err, size_t errlen)
{
    if (path[0] == '/') {
        char *data = read_file(path, len);
        if (!data) {
            /* Go spells system errors in lower case. */
            char e[128];
            snprintf(e, sizeof e, "%s", strerror(errno));
            if (e[0] >= 'A' && e[0] <= 'Z')
                e[0] = (char)(e[0] - 'A' + 'a');
            snprintf(err, errlen, "open %s: %s", path, e);
        }
        return data;
    }
    const char *dirs = search && *search ? search : ".";
    char cand[4096];
    for (const char *s = dirs; s && *s;) {
        const char *colon = strchr(s, ':');
        size_t dlen = colon ? (size_t)(colon - s) : strlen(s);
        char dir[2048];
        snprintf(dir, sizeof dir, "%.*s", (int)dlen, s);
        for (;;) {
            snprintf(cand, sizeof cand, "%s/%s", dir, path);
            char *data = read_file(cand, len);
            if (data)
                return data;
            char *slash = strrchr(dir, '/');
            if (!slash || slash == dir)
                break;
            *slash = 0;
        }
        s = colon ? colon + 1 : NULL;
    }
    snprintf(err, errlen, "could not find file %s on path %s", path, dirs);
    return NULL;
}

/* -list formats each value on its own unless -unit names a unit (pprof
 * never selects one for this report). */
const char *pprof_list_unit(const pprof_report_options *o)
{
    return strcmp(o->unit, "minimum") == 0 ? "auto" : o->unit;
}

static void write_routine(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                          const pprof_list_line *lines, const pprof_list_group *g, const char *trim, const char *search,
                          int64_t start_line)
{
    int64_t flat = 0, cum = 0;
    for (size_t i = 0; i < g->count; i++) {
        pprof_sat_add(&flat, lines[g->first + i].flat);
        pprof_sat_add(&cum, lines[g->first + i].cum);
    }
    char scratch[1024], scratch2[1024], f[64], c[64], pct[32];
    const char *shown = pprof_source_trim(g->file, trim, search, scratch, sizeof scratch);
    /* The header trims by -trim_path and an explicit -source_path only,
     * as pprof does: never by the name of the working directory, which
     * would make the report depend on where it runs. */
    const char *header = pprof_source_trim(g->file, trim, o->source_path, scratch2, sizeof scratch2);
    pprof_buf_puts(out, "ROUTINE ======================== ");
    pprof_escape_cstr(out, g->name);
    pprof_buf_puts(out, " in ");
    pprof_escape_cstr(out, header);
    pprof_buf_puts(out, "\n");
    pprof_report_format(f, sizeof f, p, o, pprof_list_unit(o), flat);
    pprof_report_format(c, sizeof c, p, o, pprof_list_unit(o), cum);
    pprof_format_percent(pct, sizeof pct, cum, o->total);
    pprof_buf_printf(out, "%10s %10s (flat, cum) %s of Total\n", f, c, pct);
    size_t len;
    char err[4200];
    char *src = pprof_source_find(shown, search, &len, err, sizeof err);
    if (!src) {
        pprof_buf_puts(out, " Error: ");
        pprof_escape_cstr(out, err);
        pprof_buf_puts(out, "\n");
        return;
    }
    int64_t lo = lines[g->first].line - 5, hi = lines[g->first + g->count - 1].line + 5;
    if (start_line > 0 && start_line < lo)
        lo = start_line;
    if (lo < 1)
        lo = 1;
    /* Walk the file's lines; each annotated line prints its values. */
    size_t at = 0, k = g->first, end = g->first + g->count;
    int64_t no = 1;
    while (at <= len && no <= hi) {
        const char *nl = memchr(src + at, '\n', len - at);
        size_t l_end = nl ? (size_t)(nl - src) : len;
        if (no >= lo) {
            while (k < end && lines[k].line < no)
                k++;
            char fv[64] = ".", cv[64] = ".";
            if (k < end && lines[k].line == no) {
                if (lines[k].flat)
                    pprof_report_format(fv, sizeof fv, p, o, pprof_list_unit(o), lines[k].flat);
                if (lines[k].cum)
                    pprof_report_format(cv, sizeof cv, p, o, pprof_list_unit(o), lines[k].cum);
            }
            pprof_buf_printf(out, "%10s %10s %6lld:", fv, cv, (long long)no);
            pprof_buf_append(out, src + at, l_end - at);
            pprof_buf_puts(out, "\n");
        }
        if (!nl)
            break;
        at = l_end + 1;
        no++;
    }
    free(src);
}

/* The function table in name order (ties in table order), so each routine
 * finds its start line by binary search. */
typedef struct named_fn {
    const char *name;
    uint32_t index;
} named_fn;

static int cmp_named_fn(const void *a, const void *b)
{
    const named_fn *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static named_fn *sort_functions_by_name(const pprof_profile *p)
{
    named_fn *fns = malloc((p->n_functions + 1) * sizeof *fns);
    if (!fns)
        return NULL;
    for (size_t i = 0; i < p->n_functions; i++)
        fns[i] = (named_fn){pprof_string(p, p->functions[i].name), (uint32_t)i};
    qsort(fns, p->n_functions, sizeof *fns, cmp_named_fn);
    return fns;
}

/* The start line of the last function (in table order) named name, or 0. */
static int64_t start_line_of(const pprof_profile *p, const named_fn *by_name, const char *name)
{
    size_t lo = 0, hi = p->n_functions;
    while (lo < hi) { /* first index whose name is greater than name */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(by_name[mid].name, name) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || strcmp(by_name[lo - 1].name, name) != 0)
        return 0;
    return p->functions[by_name[lo - 1].index].start_line;
}

void pprof_listing_release(pprof_listing *l)
{
    if (!l)
        return;
    free(l->groups);
    free(l->lines);
    free(l->loc_used);
    free(l->loc_flat);
    pprof_nodemap_free(l->nm);
    *l = (pprof_listing){0};
}

int pprof_listing_build(pprof_listing *out, const pprof_profile *p, const pprof_report_options *o, bool weblist,
                        pprof_error *err)
{
    *out = (pprof_listing){0};
    pprof_regex *re;
    pprof_error rerr;
    int rrc = pprof_regex_compile(&re, o->symbol ? o->symbol : "", o->symbol ? strlen(o->symbol) : 0, &rerr);
    if (rrc)
        return pprof_error_set(err, rrc, "parsing argument regexp %s: %s", o->symbol, rerr.msg);
    pprof_graph_options go = o->graph;
    go.granularity = PPROF_GRAN_LINES;
    pprof_nodemap *nm;
    int rc = pprof_nodemap_build(&nm, p, &go, err);
    if (rc) {
        pprof_regex_free(re);
        return rc;
    }
    out->nm = nm;
    /* One accumulator per matching node (a function's line). */
    pprof_list_line *acc = calloc(nm->n_nodes ? nm->n_nodes : 1, sizeof *acc);
    uint8_t *match = calloc(nm->n_nodes ? nm->n_nodes : 1, 1);
    out->lines = acc;
    out->loc_used = calloc(p->n_locations ? p->n_locations : 1, 1);
    out->loc_flat = calloc(p->n_locations ? p->n_locations : 1, sizeof *out->loc_flat);
    rc = acc && match && out->loc_used && out->loc_flat ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; i < nm->n_nodes && !rc; i++) {
        const pprof_node_info *ni = &nm->nodes[i];
        const char *name = pprof_nodemap_string(nm, ni->name);
        match[i] = ni->name && pprof_regex_match(re, name, strlen(name));
        acc[i] = (pprof_list_line){.name = ni->name, .file = ni->file, .line = ni->line, .node = (uint32_t)i};
    }
    size_t nt = p->n_sample_types;
    for (size_t s = 0; s < p->n_samples && !rc && nt; s++) {
        const pprof_sample *sm = &p->samples[s];
        int64_t w = pprof_sample_weight(p, s, o->sample_index, o->mean);
        if (w == 0 && !weblist)
            continue;
        const uint32_t *locs = pprof_sample_locs(p, sm);
        if (sm->n_locs)
            pprof_sat_add(&out->loc_flat[locs[0]], w);
        for (uint32_t j = 0; j < sm->n_locs; j++) {
            uint32_t L = locs[j];
            out->loc_used[L] = 1;
            for (uint32_t k = nm->loc_off[L]; k < nm->loc_off[L + 1]; k++) {
                uint32_t n = nm->loc_nodes[k];
                if (!match[n])
                    continue;
                acc[n].seen = true;
                if (acc[n].stamp != s + 1) {
                    acc[n].stamp = (uint32_t)s + 1;
                    pprof_sat_add(&acc[n].cum, w);
                }
                /* -list: the leaf's own line; -weblist: each line of the
                 * leaf location, its inlined callers' too, as pprof. */
                if (j == 0 && (weblist || k == nm->loc_off[L]))
                    pprof_sat_add(&acc[n].flat, w);
            }
        }
    }
    /* Gather the matching lines with values, grouped by function and file. */
    size_t n_lines = 0;
    for (size_t i = 0; i < nm->n_nodes && !rc; i++)
        if (match[i] && (acc[i].cum || acc[i].flat || (weblist && acc[i].seen)))
            acc[n_lines++] = acc[i];
    out->groups = malloc((n_lines ? n_lines : 1) * sizeof *out->groups);
    if (!rc && !out->groups)
        rc = PPROF_ENOMEM;
    if (!rc)
        qsort(acc, n_lines, sizeof *acc, cmp_lines);
    for (size_t i = 0; i < n_lines && !rc;) {
        size_t j = i;
        while (j < n_lines && acc[j].name == acc[i].name && acc[j].file == acc[i].file)
            j++;
        out->groups[out->n_groups++] = (pprof_list_group){pprof_nodemap_string(nm, acc[i].name),
                                                          pprof_nodemap_string(nm, acc[i].file), i, j - i};
        i = j;
    }
    if (!rc && out->n_groups == 0)
        rc = pprof_error_set(err, PPROF_ENOTFOUND, "no matches found for regexp: %s", o->symbol ? o->symbol : "");
    if (!rc)
        qsort(out->groups, out->n_groups, sizeof *out->groups, cmp_groups);
    free(match);
    pprof_regex_free(re);
    if (rc == PPROF_ENOMEM)
        pprof_error_set(err, rc, "out of memory");
    if (rc)
        pprof_listing_release(out);
    return rc;
}

const char *pprof_listing_search(const pprof_report_options *o, char *cwd, size_t n)
{
    /* No -source_path: pprof searches the working directory (and names it
     * in full when a file is not found). */
    if (o->source_path && *o->source_path)
        return o->source_path;
    return getcwd(cwd, n) ? cwd : ".";
}

int pprof_write_list(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_listing l;
    int rc = pprof_listing_build(&l, p, o, false, err);
    if (rc)
        return rc;
    char total[64], cwd[4096];
    pprof_report_format(total, sizeof total, p, o, pprof_list_unit(o), o->total);
    pprof_buf_printf(out, "Total: %s\n", total);
    const char *search = pprof_listing_search(o, cwd, sizeof cwd);
    named_fn *by_name = sort_functions_by_name(p);
    if (!by_name)
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    for (size_t i = 0; i < l.n_groups && !rc; i++)
        write_routine(out, p, o, l.lines, &l.groups[i], o->trim_path, search,
                      start_line_of(p, by_name, l.groups[i].name));
    free(by_name);
    pprof_listing_release(&l);
    if (!rc && out->failed)
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return rc;
}
