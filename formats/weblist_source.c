/* weblist_source.c: -weblist's listing from the profile's own line numbers, for functions whose binary is not at hand (most Go profiles): each source line with its flat and cum, and under it, shown on a click, the functions inlined there. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* Source lines shown around the annotated ones; inlined callees' text is
 * padded to this width, as pprof does. */
enum { CONTEXT = 5, CALLEE_WIDTH = 80, BLOCK_GAP = 20 };

/* A function inlined at a listed line: location L's frames below frame k. */
typedef struct callee_ref {
    size_t line; /* index into the listing's lines */
    int64_t flat; /* of the location */
    uint64_t address;
    uint32_t loc, k;
} callee_ref;

/* By line; at a line, heaviest location first, then by address. */
static int cmp_callee(const void *a, const void *b)
{
    const callee_ref *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->flat != y->flat)
        return x->flat > y->flat ? -1 : 1;
    if (x->address != y->address)
        return x->address < y->address ? -1 : 1;
    if (x->loc != y->loc)
        return x->loc < y->loc ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

/* A block of a function's lines, listed on its own as pprof does when the
 * lines are BLOCK_GAP or more apart; blocks go by file, line, name. */
typedef struct block {
    const char *name, *file;
    size_t first, count; /* into the listing's lines */
    int64_t first_line;
} block;

static int cmp_block(const void *a, const void *b)
{
    const block *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    if (x->first_line != y->first_line)
        return x->first_line < y->first_line ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* One source file read for the listing (files are few; a short list). */
typedef struct source_file {
    char *name; /* as in the profile */
    char *text; /* NULL: not found */
    size_t len;
} source_file;

typedef struct listing_ctx {
    pprof_buf *out;
    const pprof_profile *p;
    const pprof_report_options *o;
    const pprof_listing *l;
    const char *search;
    source_file *files;
    size_t n_files, cap_files;
    const callee_ref *callees;
    size_t n_callees;
} listing_ctx;

static const source_file *source_of(listing_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n_files; i++)
        if (strcmp(c->files[i].name, name) == 0)
            return &c->files[i];
    if (PPROF_GROW(c->files, c->cap_files, c->n_files + 1))
        return NULL;
    source_file *f = &c->files[c->n_files];
    char scratch[1024], err[4200];
    const char *shown = pprof_source_trim(name, c->o->trim_path, c->search, scratch, sizeof scratch);
    *f = (source_file){strdup(name), NULL, 0};
    if (!f->name)
        return NULL;
    f->text = pprof_source_find(shown, c->search, &f->len, err, sizeof err);
    c->n_files++;
    return f;
}

/* Line no (from 1) of a file: its text and length, or NULL past the end. */
static const char *line_text(const source_file *f, int64_t no, size_t *len)
{
    if (!f || !f->text || no < 1)
        return NULL;
    size_t at = 0;
    for (int64_t i = 1; i < no; i++) {
        const char *nl = memchr(f->text + at, '\n', f->len - at);
        if (!nl)
            return NULL;
        at = (size_t)(nl - f->text) + 1;
    }
    if (at >= f->len)
        return NULL;
    const char *nl = memchr(f->text + at, '\n', f->len - at);
    *len = nl ? (size_t)(nl - f->text) - at : f->len - at;
    return f->text + at;
}

/* Columns of a line's leading blanks, a tab moving to the next multiple of 8. */
static int indentation(const char *s, size_t n)
{
    int col = 0;
    for (size_t i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
        col = s[i] == ' ' ? col + 1 : (col / 8 + 1) * 8;
    return col;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

void pprof_listing_value(char *buf, size_t n, const pprof_profile *p, const pprof_report_options *o, const char *unit,
                         int64_t v)
{
    if (v == 0)
        snprintf(buf, n, ".");
    else
        pprof_report_format(buf, n, p, o, unit, v);
}

void pprof_listing_head(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, const char *unit,
                        const char *name, const char *file, int64_t flat, int64_t cum)
{
    char f[64], c[64], pct[32];
    pprof_buf_puts(out, "<h2>");
    pprof_escape_html(out, name, strlen(name));
    pprof_buf_puts(out, "</h2><p class=\"filename\">");
    pprof_escape_html(out, file, strlen(file));
    pprof_buf_puts(out, "</p>\n<pre onClick=\"pprof_toggle_asm(event)\">\n");
    pprof_report_format(f, sizeof f, p, o, unit, flat);
    pprof_report_format(c, sizeof c, p, o, unit, cum);
    pprof_format_percent(pct, sizeof pct, cum, o->total);
    pprof_buf_printf(out, "  Total:  %10s %10s (flat, cum) %s\n", f, c, pct);
}

void pprof_listing_line(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, const char *unit,
                        int64_t no, const char *cls, int64_t flat, int64_t cum, const char *text, size_t len)
{
    char fv[64], cv[64];
    pprof_listing_value(fv, sizeof fv, p, o, unit, flat);
    pprof_listing_value(cv, sizeof cv, p, o, unit, cum);
    pprof_buf_printf(out, "<span class=line> %6lld</span> <span class=%s>  %10s %10s %8s  ", (long long)no, cls, fv,
                     cv, "");
    if (text)
        pprof_escape_html(out, text, len);
    else
        pprof_buf_puts(out, "???");
    pprof_buf_puts(out, " </span>");
}

/* The functions inlined at listed line li, outermost first, each chain
 * printed from where it differs from the one before. */
static void write_callees(listing_ctx *c, size_t li, size_t *at, int indent)
{
    const pprof_nodemap *nm = c->l->nm;
    const callee_ref *prev = NULL;
    for (; *at < c->n_callees && c->callees[*at].line == li; (*at)++) {
        const callee_ref *r = &c->callees[*at];
        const uint32_t *chain = nm->loc_nodes + nm->loc_off[r->loc];
        uint32_t depth_n = r->k - nm->loc_off[r->loc];
        for (uint32_t d = 0; d < depth_n; d++) {
            uint32_t node = chain[depth_n - 1 - d];
            if (prev) {
                const uint32_t *pc = nm->loc_nodes + nm->loc_off[prev->loc];
                uint32_t pn = prev->k - nm->loc_off[prev->loc];
                if (d < pn && pc[pn - 1 - d] == node)
                    continue; /* the same frame as the chain before, at this depth */
                prev = NULL;
            }
            const pprof_node_info *ni = &nm->nodes[node];
            const char *file = pprof_nodemap_string(nm, ni->file);
            size_t len = 0;
            const char *text = *file ? line_text(source_of(c, file), ni->line, &len) : NULL;
            while (text && len && (*text == ' ' || *text == '\t')) {
                text++;
                len--;
            }
            while (text && len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
                len--;
            int pad = indent + 4 + 4 * (int)d;
            pprof_buf_printf(c->out, " %8s %10s %10s %8s  <span class=inlinesrc>%*s", "", "", "", "", pad, "");
            pprof_escape_html(c->out, text ? text : "", text ? len : 0);
            int used = pad + (int)len;
            pprof_buf_printf(c->out, "%*s</span> <span class=unimportant>", used < CALLEE_WIDTH ? CALLEE_WIDTH - used : 0,
                             "");
            pprof_escape_html(c->out, base_name(file), strlen(base_name(file)));
            pprof_buf_printf(c->out, ":%lld</span>\n", (long long)ni->line);
        }
        prev = r;
    }
}

/* One annotated line: number, values, source text (or ???), callees. */
static void write_line(listing_ctx *c, int64_t no, const pprof_list_line *ln, const char *text, size_t len,
                       size_t *callee_at)
{
    size_t li = ln ? (size_t)(ln - c->l->lines) : 0;
    while (ln && *callee_at < c->n_callees && c->callees[*callee_at].line < li)
        (*callee_at)++;
    bool inlined = ln && *callee_at < c->n_callees && c->callees[*callee_at].line == li;
    pprof_listing_line(c->out, c->p, c->o, pprof_list_unit(c->o), no, !ln ? "nop" : inlined ? "livesrc" : "deadsrc",
                       ln ? ln->flat : 0, ln ? ln->cum : 0, text, len);
    if (inlined) {
        pprof_buf_puts(c->out, "<span class=asm>");
        write_callees(c, li, callee_at, text ? indentation(text, len) : 0);
        pprof_buf_puts(c->out, "</span>");
    }
    pprof_buf_puts(c->out, "\n");
}

static void write_routine(listing_ctx *c, const block *g, size_t *callee_at)
{
    const pprof_list_line *lines = c->l->lines + g->first;
    int64_t flat = 0, cum = 0;
    for (size_t i = 0; i < g->count; i++) {
        pprof_sat_add(&flat, lines[i].flat);
        pprof_sat_add(&cum, lines[i].cum);
    }
    pprof_listing_head(c->out, c->p, c->o, pprof_list_unit(c->o), g->name, g->file, flat, cum);
    const source_file *src = *g->file ? source_of(c, g->file) : NULL;
    if (!src || !src->text) {
        for (size_t i = 0; i < g->count; i++)
            write_line(c, lines[i].line, &lines[i], NULL, 0, callee_at);
    } else {
        int64_t lo = lines[0].line - CONTEXT, hi = lines[g->count - 1].line + CONTEXT;
        size_t k = 0;
        for (int64_t no = lo < 1 ? 1 : lo; no <= hi; no++) {
            size_t len;
            const char *text = line_text(src, no, &len);
            if (!text && (k == g->count || lines[k].line != no))
                continue; /* past the end of the file, no value */
            const pprof_list_line *ln = k < g->count && lines[k].line == no ? &lines[k++] : NULL;
            write_line(c, no, ln, text, text ? len : 0, callee_at);
        }
    }
    pprof_buf_puts(c->out, "</pre>\n");
}

int pprof_weblist_source(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_listing l;
    int rc = pprof_listing_build(&l, p, o, true, err);
    if (rc)
        return rc;
    const pprof_nodemap *nm = l.nm;
    size_t n_lines = 0;
    for (size_t i = 0; i < l.n_groups; i++)
        n_lines += l.groups[i].count;
    /* Which listed line each node is, then the callees at each. */
    int64_t *line_of = malloc((nm->n_nodes ? nm->n_nodes : 1) * sizeof *line_of);
    block *blocks = malloc((n_lines ? n_lines : 1) * sizeof *blocks);
    size_t n_blocks = 0;
    callee_ref *callees = NULL;
    size_t n_callees = 0, cap_callees = 0;
    rc = line_of && blocks ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; !rc && i < nm->n_nodes; i++)
        line_of[i] = -1;
    for (size_t i = 0; !rc && i < n_lines; i++)
        line_of[l.lines[i].node] = (int64_t)i;
    for (uint32_t L = 0; !rc && L < p->n_locations; L++) {
        if (!l.loc_used[L])
            continue;
        for (uint32_t k = nm->loc_off[L] + 1; k < nm->loc_off[L + 1]; k++) {
            int64_t li = line_of[nm->loc_nodes[k]];
            if (li < 0)
                continue;
            if (PPROF_GROW(callees, cap_callees, n_callees + 1)) {
                rc = PPROF_ENOMEM;
                break;
            }
            callees[n_callees++] = (callee_ref){(size_t)li, l.loc_flat[L], p->locations[L].address, L, k};
        }
    }
    if (!rc) {
        if (n_callees) /* none: callees is NULL */
            qsort(callees, n_callees, sizeof *callees, cmp_callee);
        for (size_t i = 0; i < l.n_groups; i++) {
            const pprof_list_group *g = &l.groups[i];
            for (size_t j = g->first; j < g->first + g->count; j++) {
                if (j == g->first || l.lines[j].line - l.lines[j - 1].line >= BLOCK_GAP)
                    blocks[n_blocks++] = (block){g->name, g->file, j, 0, l.lines[j].line};
                blocks[n_blocks - 1].count++;
            }
        }
        /* A block of weight-0 lines alone is not listed (such lines show
         * only beside weighted ones). */
        size_t kept = 0;
        for (size_t i = 0; i < n_blocks; i++) {
            bool weighted = false;
            for (size_t j = blocks[i].first; j < blocks[i].first + blocks[i].count; j++)
                weighted |= l.lines[j].flat != 0 || l.lines[j].cum != 0;
            if (weighted)
                blocks[kept++] = blocks[i];
        }
        n_blocks = kept;
        qsort(blocks, n_blocks, sizeof *blocks, cmp_block);
        char cwd[4096];
        listing_ctx c = {out, p, o, &l, pprof_listing_search(o, cwd, sizeof cwd), NULL, 0, 0, callees, n_callees};
        for (size_t i = 0; i < n_blocks; i++) {
            /* The callees are by line index: the block's first. */
            size_t lo = 0, hi = n_callees;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (callees[mid].line < blocks[i].first)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            write_routine(&c, &blocks[i], &lo);
        }
        for (size_t i = 0; i < c.n_files; i++) {
            free(c.files[i].name);
            free(c.files[i].text);
        }
        free(c.files);
        if (out->failed)
            rc = PPROF_ENOMEM;
    }
    free(callees);
    free(blocks);
    free(line_of);
    pprof_listing_release(&l);
    if (rc == PPROF_ENOMEM)
        pprof_error_set(err, rc, "out of memory");
    return rc;
}
