/* weblist.c: -weblist: pprof's HTML source listing of the functions matching a regexp, each source line with its flat and cum and, on a click, its instructions (capstone) with their inlined callers; self-contained, every text escaped. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Source lines around the sampled ones; frames per instruction at most. */
enum { CONTEXT = 5, MAX_FRAMES = 64 };

static const char page_head[] =
    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"UTF-8\">\n<title>Pprof listing</title>\n<style type=\"text/css\">\n"
    "body { font-family: sans-serif; }\nh1 { font-size: 1.5em; margin-bottom: 4px; }\n"
    ".legend { font-size: 1.25em; }\n.line, .nop, .unimportant { color: #aaaaaa; }\n"
    ".inlinesrc { color: #000066; }\n.livesrc { cursor: pointer; }\n"
    ".livesrc:hover, .deadsrc:hover { background-color: #eeeeee; }\n.asm { color: #008800; display: none; }\n"
    "</style>\n<script type=\"text/javascript\">\n"
    "function pprof_toggle_asm(e) {\n  var target = e ? e.target : window.event.srcElement;\n"
    "  var asm = target ? target.nextSibling : null;\n"
    "  if (asm && asm.className == \"asm\") {\n"
    "    asm.style.display = (asm.style.display == \"block\" ? \"\" : \"block\");\n"
    "    e.preventDefault();\n    return false;\n  }\n}\n</script>\n</head>\n<body>\n";

static void html(pprof_buf *out, const char *s, size_t n)
{
    pprof_escape_html(out, s, n);
}

static void html_cstr(pprof_buf *out, const char *s)
{
    pprof_escape_html(out, s, strlen(s));
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* A routine to list: a symbol holding a matching sampled address. */
typedef struct routine {
    char *name;
    uint64_t start, end;
} routine;

static int cmp_routine(const void *a, const void *b)
{
    const routine *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->start > y->start) - (x->start < y->start);
}

/* One instruction with its values and where it comes from. */
typedef struct insn_row {
    uint64_t addr;
    char text[192];
    int64_t flat, cum;
    const char *file; /* the routine's own frame: file and line */
    int64_t line;
    pprof_frame inl[8]; /* inlined callees, outermost first */
    size_t n_inl;
} insn_row;


/* The instructions of [r->start, r->end) with values and frames. */
static int disassemble(insn_row **out, size_t *n_out, pprof_objfile *obj, const routine *r, const pprof_naddr *na,
                       size_t n_na, bool intel)
{
    *out = NULL;
    *n_out = 0;
    pprof_insns ins;
    int rc = pprof_disassemble(&ins, obj, r->start, r->end, na, n_na, intel);
    insn_row *rows = rc ? NULL : calloc(ins.n ? ins.n : 1, sizeof *rows);
    if (!rows) {
        pprof_insns_release(&ins);
        return rc == PPROF_EINVAL ? 0 : PPROF_ENOMEM; /* no disassembler: no instructions */
    }
    for (size_t i = 0; i < ins.n; i++) {
        insn_row *row = &rows[i];
        row->addr = ins.v[i].addr;
        snprintf(row->text, sizeof row->text, "%s", ins.v[i].text);
        row->flat = ins.v[i].flat;
        row->cum = ins.v[i].cum;
        pprof_frame fr[MAX_FRAMES];
        size_t nf = 0;
        pprof_objfile_frames(obj, row->addr, false, fr, MAX_FRAMES, &nf);
        if (nf) {
            row->file = fr[nf - 1].file;
            row->line = fr[nf - 1].line;
            for (size_t j = nf - 1; j > 0 && row->n_inl < sizeof row->inl / sizeof row->inl[0]; j--)
                row->inl[row->n_inl++] = fr[j - 1];
        }
    }
    *out = rows;
    *n_out = ins.n;
    pprof_insns_release(&ins);
    return 0;
}

static void write_insn(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, const insn_row *row)
{
    char f[64], c[64];
    /* Its inlined callees, each with its call site. */
    for (size_t j = 0; j < row->n_inl; j++) {
        const pprof_frame *fr = &row->inl[j];
        char *d = fr->name ? pprof_demangle(fr->name, PPROF_DEMANGLE_DEFAULT) : NULL;
        pprof_buf_printf(out, " %8s %10s %10s %8s  %*s<span class=inlinesrc>", "", "", "", "", (int)(4 * j), "");
        html_cstr(out, d ? d : fr->name ? fr->name : "??");
        pprof_buf_puts(out, "</span> <span class=unimportant>");
        html_cstr(out, fr->file ? base_name(fr->file) : "??");
        pprof_buf_printf(out, ":%lld</span>\n", (long long)fr->line);
        free(d);
    }
    pprof_listing_value(f, sizeof f, p, o, o->unit, row->flat);
    pprof_listing_value(c, sizeof c, p, o, o->unit, row->cum);
    pprof_buf_printf(out, " %8s %10s %10s %8llx: ", "", f, c, (unsigned long long)row->addr);
    html_cstr(out, row->text);
    pprof_buf_puts(out, " <span class=unimportant>");
    html_cstr(out, row->file ? base_name(row->file) : "??");
    pprof_buf_printf(out, ":%lld</span>\n", (long long)row->line);
}

typedef struct line_ref {
    int64_t line;
    size_t row;
} line_ref;

static int cmp_line_ref(const void *a, const void *b)
{
    const line_ref *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* One routine: its source lines from CONTEXT before the first to CONTEXT
 * after the last line its instructions come from. */
static void write_routine(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, const routine *r,
                          const insn_row *rows, size_t n_rows, const char *search)
{
    const char *file = NULL;
    int64_t lo = INT64_MAX, hi = 0, flat = 0, cum = 0;
    for (size_t i = 0; i < n_rows; i++) {
        pprof_sat_add(&flat, rows[i].flat);
        pprof_sat_add(&cum, rows[i].cum);
        if (!file && rows[i].file)
            file = rows[i].file;
    }
    for (size_t i = 0; i < n_rows; i++)
        if (file && rows[i].file && strcmp(rows[i].file, file) == 0 && rows[i].line > 0) {
            lo = rows[i].line < lo ? rows[i].line : lo;
            hi = rows[i].line > hi ? rows[i].line : hi;
        }
    pprof_listing_head(out, p, o, o->unit, r->name, file ? file : "???", flat, cum);
    char scratch[1024], err[4200];
    size_t len = 0;
    char *src = NULL;
    if (file) {
        const char *shown = pprof_source_trim(file, o->trim_path, search, scratch, sizeof scratch);
        src = pprof_source_find(shown, search, &len, err, sizeof err);
    }
    if (hi == 0) { /* no line known: the instructions alone */
        lo = hi = 0;
    } else {
        lo = lo > CONTEXT ? lo - CONTEXT : 1;
        hi += CONTEXT;
    }
    /* The rows of the listed lines, by line then address. */
    line_ref *ord = malloc((n_rows ? n_rows : 1) * sizeof *ord);
    bool *shown = calloc(n_rows ? n_rows : 1, sizeof *shown);
    size_t n_ord = 0;
    for (size_t i = 0; ord && shown && src && i < n_rows; i++)
        if (rows[i].file && strcmp(rows[i].file, file) == 0 && rows[i].line >= lo && rows[i].line <= hi)
            ord[n_ord++] = (line_ref){rows[i].line, i};
    if (n_ord)
        qsort(ord, n_ord, sizeof *ord, cmp_line_ref);
    size_t at = 0, k = 0;
    for (int64_t no = 1; no <= hi && src && ord && shown && at <= len; no++) {
        const char *nl = memchr(src + at, '\n', len - at);
        size_t l_end = nl ? (size_t)(nl - src) : len;
        if (no >= lo) {
            int64_t lf = 0, lc = 0;
            size_t first = k;
            for (; k < n_ord && ord[k].line == no; k++) {
                lf += rows[ord[k].row].flat;
                lc += rows[ord[k].row].cum;
            }
            pprof_listing_line(out, p, o, o->unit, no, k == first ? "nop" : (lf || lc) ? "livesrc" : "deadsrc", lf, lc,
                               src + at, l_end - at);
            if (k > first) {
                pprof_buf_puts(out, "<span class=asm>");
                for (size_t j = first; j < k; j++) {
                    write_insn(out, p, o, &rows[ord[j].row]);
                    shown[ord[j].row] = true;
                }
                pprof_buf_puts(out, "</span>");
            }
            pprof_buf_puts(out, "\n");
        }
        if (!nl)
            break;
        at = l_end + 1;
    }
    /* Instructions of no listed line (no source, another file, past the
     * end of the file). */
    bool any = false;
    for (size_t i = 0; i < n_rows; i++)
        any |= !shown || !shown[i];
    if (any) {
        pprof_buf_printf(out, "<span class=line> %6s</span> <span class=livesrc>  %10s %10s %8s  ", "", "", "", "");
        pprof_buf_puts(out, src ? "&lt;instructions with unknown line numbers&gt;" : "???");
        pprof_buf_puts(out, " </span><span class=asm>");
        for (size_t i = 0; i < n_rows; i++)
            if (!shown || !shown[i])
                write_insn(out, p, o, &rows[i]);
        pprof_buf_puts(out, "</span>\n");
    }
    free(ord);
    free(shown);
    pprof_buf_puts(out, "</pre>\n");
    free(src);
}

int pprof_weblist_body(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_regex *re = NULL;
    pprof_graph *g = NULL;
    int rc = pprof_address_graph(&g, &re, p, o, err);
    if (rc)
        return rc;
    pprof_naddr *na = malloc((g->n_nodes + 1) * sizeof *na);
    bool *match = calloc(g->n_nodes + 1, sizeof *match);
    rc = na && match ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; !rc && i < g->n_nodes; i++) {
        /* The function's name (the node's name adds address and line). */
        const char *fn = pprof_graph_string(g, g->nodes[i].info.name);
        match[i] = *fn && pprof_regex_match(re, fn, strlen(fn));
    }
    char cwd[4096];
    const char *search = pprof_listing_search(o, cwd, sizeof cwd);
    bool any = false;
    for (uint32_t m = 0; !rc && m < p->n_mappings; m++) {
        const pprof_mapping *pm = &p->mappings[m];
        const char *file = pprof_string(p, pm->file);
        size_t n_na = 0;
        bool wanted = false;
        for (size_t i = 0; i < g->n_nodes; i++)
            wanted |= match[i] && *file && strcmp(pprof_graph_string(g, g->nodes[i].info.objfile), file) == 0;
        pprof_objfile *obj;
        pprof_error oe;
        if (!wanted || pprof_objfile_open(&obj, file, NULL, &oe) != 0)
            continue;
        for (size_t i = 0; i < g->n_nodes; i++) {
            const pprof_node *n = &g->nodes[i];
            uint64_t a;
            if (strcmp(pprof_graph_string(g, n->info.objfile), file) != 0 ||
                pprof_objfile_object_address(obj, pm->start, pm->limit, pm->offset, n->info.address, &a, &oe) != 0)
                continue;
            na[n_na++] = (pprof_naddr){a, n->flat, n->cum, match[i]};
        }
        qsort(na, n_na, sizeof *na, pprof_naddr_cmp);
        /* The routines holding a matching address, each once. */
        routine *rs = NULL;
        size_t n_rs = 0, cap = 0;
        for (size_t i = 0; !rc && i < n_na; i++) {
            const char *sym;
            uint64_t start, size;
            if (!na[i].match || !pprof_objfile_symbol(obj, na[i].obj, &sym, &start, &size))
                continue;
            if (n_rs && rs[n_rs - 1].start == start)
                continue;
            if (PPROF_GROW(rs, cap, n_rs + 1)) {
                rc = PPROF_ENOMEM;
                break;
            }
            char *d = pprof_demangle(sym, PPROF_DEMANGLE_DEFAULT);
            rs[n_rs++] = (routine){d ? d : strdup(sym), start, start + (size ? size : na[i].obj - start + 1)};
            if (!rs[n_rs - 1].name)
                rc = PPROF_ENOMEM;
        }
        if (n_rs)
            qsort(rs, n_rs, sizeof *rs, cmp_routine);
        for (size_t i = 0; !rc && i < n_rs; i++) {
            insn_row *rows;
            size_t n_rows;
            if ((rc = disassemble(&rows, &n_rows, obj, &rs[i], na, n_na, o->intel_syntax)))
                break;
            write_routine(out, p, o, &rs[i], rows, n_rows, search);
            free(rows);
            any = true;
        }
        for (size_t i = 0; i < n_rs; i++)
            free(rs[i].name);
        free(rs);
        pprof_objfile_free(obj);
    }
    if (!rc && out->failed)
        rc = PPROF_ENOMEM;
    free(na);
    free(match);
    pprof_graph_free(g);
    pprof_regex_free(re);
    if (rc == PPROF_ENOMEM)
        return pprof_error_set(err, rc, "out of memory");
    /* No binary at hand for any matching function: the listing from the
     * profile's line numbers, as pprof gives for a Go profile. */
    return rc || any ? rc : pprof_weblist_source(out, p, o, err);
}

int pprof_write_weblist(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_buf labels = {0};
    pprof_buf_puts(out, page_head);
    pprof_buf_puts(out, "\n<div class=\"legend\">");
    pprof_write_profile_labels(&labels, p, o, o->unit);
    /* The labels joined by "<br>" and a newline, then the total. */
    for (size_t i = 0; i < labels.len;) {
        const char *l = (const char *)labels.data + i, *e = memchr(l, '\n', labels.len - i);
        size_t n = e ? (size_t)(e - l) : labels.len - i;
        if (i)
            pprof_buf_puts(out, "<br>\n");
        html(out, l, n);
        i += n + 1;
    }
    pprof_buf_release(&labels);
    char total[64];
    pprof_report_format(total, sizeof total, p, o, o->unit, o->total);
    pprof_buf_printf(out, "<br>Total: %s</div>", total);
    int rc = pprof_weblist_body(out, p, o, err);
    if (rc)
        return rc;
    pprof_buf_puts(out, "\n</body>\n</html>\n");
    return out->failed ? pprof_error_set(err, PPROF_ENOMEM, "out of memory") : 0;
}
