/* disasm.c: -disasm: annotated disassembly (capstone, in the process) of the functions matching a regexp, with flat and cum per instruction and source lines. */
#include "report.h"

#include <capstone/capstone.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/* capstone is opened with dlopen when a report first disassembles: linked,
 * its relocated tables cost every run of the program about 2 MiB of
 * memory, though few reports use it. RTLD_NODELETE keeps it loaded after
 * the dlclose, so the next call's dlopen only finds it (the loader holds
 * it, no variable of ours). The name is the library's soname, read from the
 * one the build found (Makefile). */
#ifndef PPROF_CAPSTONE_SONAME
#define PPROF_CAPSTONE_SONAME "libcapstone.so.4"
#endif

typedef struct capstone {
    void *dl;
    cs_err (*open)(cs_arch, cs_mode, csh *);
    cs_err (*option)(csh, cs_opt_type, size_t);
    size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
    void (*free)(cs_insn *, size_t);
    cs_err (*close)(csh *);
} capstone;

/* false when capstone cannot be loaded (then nothing is left open). */
static bool capstone_open(capstone *c)
{
    *c = (capstone){0};
    c->dl = dlopen(PPROF_CAPSTONE_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!c->dl)
        return false;
    /* (POSIX: a function pointer converts from dlsym's void *) */
    *(void **)&c->open = dlsym(c->dl, "cs_open");
    *(void **)&c->option = dlsym(c->dl, "cs_option");
    *(void **)&c->disasm = dlsym(c->dl, "cs_disasm");
    *(void **)&c->free = dlsym(c->dl, "cs_free");
    *(void **)&c->close = dlsym(c->dl, "cs_close");
    if (c->open && c->option && c->disasm && c->free && c->close)
        return true;
    dlclose(c->dl);
    *c = (capstone){0};
    return false;
}

/* Code read per function at most (a symbol with an absurd size). */
enum { MAX_CODE = 1 << 20 };

typedef struct dsym {
    char *name;       /* as printed (the form that matched) */
    char **aka;       /* other names at the same address */
    size_t n_aka, cap_aka;
    uint64_t start, end; /* object addresses, [start, end) */
    uint32_t mapping;
} dsym;

typedef struct collect {
    const pprof_regex *re;
    bool has_addr;
    uint64_t addr; /* the regexp read as an address */
    uint32_t mapping;
    dsym *syms;
    size_t n, cap;
    int rc;
} collect;

/* The form of a symbol name the regexp matches (demangled as shown by
 * default, then raw, full, templates), malloc'd; NULL when none does. */
static char *matching_name(const pprof_regex *re, const char *raw)
{
    static const pprof_demangle_mode modes[] = {PPROF_DEMANGLE_DEFAULT, PPROF_DEMANGLE_NONE, PPROF_DEMANGLE_FULL,
                                                PPROF_DEMANGLE_TEMPLATES};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char *d = pprof_demangle(raw, modes[i]);
        if (d && pprof_regex_match(re, d, strlen(d)))
            return d;
        free(d);
    }
    return NULL;
}

static int add_symbol(void *ctx, const char *name, uint64_t start, uint64_t size)
{
    collect *c = ctx;
    char *shown = matching_name(c->re, name);
    if (!shown && c->has_addr && c->addr >= start && c->addr < start + (size ? size : 1))
        shown = pprof_demangle(name, PPROF_DEMANGLE_DEFAULT);
    if (!shown)
        return 0;
    /* Aliases (same start, same mapping) are one routine. */
    for (size_t i = 0; i < c->n; i++) {
        dsym *s = &c->syms[i];
        if (s->mapping == c->mapping && s->start == start) {
            if (PPROF_GROW(s->aka, s->cap_aka, s->n_aka + 1)) {
                free(shown);
                return c->rc = PPROF_ENOMEM;
            }
            s->aka[s->n_aka++] = shown;
            return 0;
        }
    }
    if (PPROF_GROW(c->syms, c->cap, c->n + 1)) {
        free(shown);
        return c->rc = PPROF_ENOMEM;
    }
    c->syms[c->n++] = (dsym){shown, NULL, 0, 0, start, start + (size ? size : 1), c->mapping};
    return 0;
}

static int cmp_dsym(const void *a, const void *b)
{
    const dsym *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->start < y->start ? -1 : x->start > y->start;
}

int pprof_naddr_cmp(const void *a, const void *b)
{
    const pprof_naddr *x = a, *y = b;
    return x->obj < y->obj ? -1 : x->obj > y->obj;
}

void pprof_insns_release(pprof_insns *x)
{
    free(x->v);
    pprof_buf_release(&x->text);
    *x = (pprof_insns){0};
}

int pprof_disassemble(pprof_insns *out, pprof_objfile *obj, uint64_t start, uint64_t end, const pprof_naddr *na,
                      size_t n_na, bool intel)
{
    *out = (pprof_insns){0};
    uint64_t len = end - start;
    if (len > MAX_CODE)
        len = MAX_CODE;
    uint8_t *code = malloc(len ? len : 1);
    if (!code)
        return PPROF_ENOMEM;
    size_t got = 0;
    pprof_objfile_read(obj, start, code, len, &got);
    csh h;
    capstone cs;
    bool arm = pprof_objfile_machine(obj) == 183; /* EM_AARCH64 */
    if (!capstone_open(&cs)) {
        free(code);
        return PPROF_EINVAL;
    }
    if (cs.open(arm ? CS_ARCH_ARM64 : CS_ARCH_X86, arm ? CS_MODE_ARM : CS_MODE_64, &h) != CS_ERR_OK) {
        dlclose(cs.dl);
        free(code);
        return PPROF_EINVAL;
    }
    if (!arm)
        cs.option(h, CS_OPT_SYNTAX, intel ? CS_OPT_SYNTAX_INTEL : CS_OPT_SYNTAX_ATT);
    cs_insn *insn = NULL;
    size_t count = got ? cs.disasm(h, code, got, start, 0, &insn) : 0;
    out->v = calloc(count ? count : 1, sizeof *out->v);
    size_t *text_at = calloc(count ? count : 1, sizeof *text_at);
    /* Samples inside an instruction count for it; na is sorted. */
    size_t k = 0;
    while (k < n_na && na[k].obj < start)
        k++;
    for (size_t i = 0; out->v && text_at && i < count; i++) {
        pprof_insn *x = &out->v[i];
        x->addr = insn[i].address;
        text_at[i] = out->text.len;
        pprof_buf_printf(&out->text, "%s%s%s", insn[i].mnemonic, insn[i].op_str[0] ? "\t" : "", insn[i].op_str);
        /* A direct call to a known symbol names it. */
        const char *op = insn[i].op_str[0] == '#' ? insn[i].op_str + 1 : insn[i].op_str, *target;
        char *endp;
        uint64_t t = strtoull(op, &endp, 0), tstart;
        bool call = strncmp(insn[i].mnemonic, "call", 4) == 0 || strcmp(insn[i].mnemonic, "bl") == 0;
        if (call && endp != op && *endp == 0 && pprof_objfile_symbol(obj, t, &target, &tstart, NULL) && tstart == t) {
            char *d = pprof_demangle(target, PPROF_DEMANGLE_DEFAULT);
            pprof_buf_printf(&out->text, " <%s>", d ? d : target);
            free(d);
        }
        pprof_buf_append(&out->text, "", 1);
        uint64_t next = insn[i].address + insn[i].size;
        for (; k < n_na && na[k].obj < next; k++) {
            x->flat += na[k].flat;
            x->cum += na[k].cum;
        }
    }
    int rc = !out->v || !text_at || out->text.failed ? PPROF_ENOMEM : 0;
    if (!rc) {
        out->n = count;
        for (size_t i = 0; i < count; i++)
            out->v[i].text = (const char *)out->text.data + text_at[i];
    }
    free(text_at);
    if (insn)
        cs.free(insn, count);
    cs.close(&h);
    dlclose(cs.dl);
    free(code);
    return rc;
}

static void value_or_dot(char *buf, size_t n, const pprof_profile *p, const pprof_report_options *o, int64_t v)
{
    if (v == 0)
        snprintf(buf, n, ".");
    else
        pprof_report_format(buf, n, p, o, o->unit, v);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* One routine: its instructions with their values and source lines. */
static int write_routine(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_objfile *obj,
                         const dsym *s, const pprof_naddr *na, size_t n_na, bool intel)
{
    pprof_insns ins;
    int rc = pprof_disassemble(&ins, obj, s->start, s->end, na, n_na, intel);
    if (rc) {
        pprof_insns_release(&ins);
        return rc;
    }
    int64_t flat = 0, cum = 0;
    for (size_t i = 0; i < n_na; i++)
        if (na[i].obj >= s->start && na[i].obj < s->end) {
            flat += na[i].flat;
            cum += na[i].cum;
        }
    char f[64], c[64], pct[32];
    pprof_buf_puts(out, "ROUTINE ======================== ");
    pprof_escape_cstr(out, s->name);
    pprof_buf_puts(out, "\n");
    for (size_t i = 0; i < s->n_aka; i++) {
        pprof_buf_puts(out, "    AKA ======================== ");
        pprof_escape_cstr(out, s->aka[i]);
        pprof_buf_puts(out, "\n");
    }
    pprof_report_format(f, sizeof f, p, o, o->unit, flat);
    pprof_report_format(c, sizeof c, p, o, o->unit, cum);
    pprof_format_percent(pct, sizeof pct, cum, o->total);
    pprof_buf_printf(out, "%10s %10s (flat, cum) %s of Total\n", f, c, pct);
    char last_loc[1200] = "";
    for (size_t i = 0; i < ins.n; i++) {
        const pprof_insn *x = &ins.v[i];
        pprof_frame fr[64];
        size_t nf = 0;
        pprof_objfile_frames(obj, x->addr, false, fr, 64, &nf);
        char loc[1200] = "";
        if (nf) {
            char *d = fr[0].name ? pprof_demangle(fr[0].name, PPROF_DEMANGLE_DEFAULT) : NULL;
            if (fr[0].file && fr[0].line)
                snprintf(loc, sizeof loc, "%s%s%s:%lld", d ? d : "", d ? " " : "", base_name(fr[0].file),
                         (long long)fr[0].line);
            else if (fr[0].file)
                snprintf(loc, sizeof loc, "%s%s%s", d ? d : "", d ? " " : "", base_name(fr[0].file));
            else
                snprintf(loc, sizeof loc, "%s", d ? d : "");
            free(d);
        }
        const char *shown = "";
        if (strcmp(loc, last_loc) != 0) {
            snprintf(last_loc, sizeof last_loc, "%s", loc);
            shown = loc;
        }
        char fv[64], cv[64];
        value_or_dot(fv, sizeof fv, p, o, x->flat);
        value_or_dot(cv, sizeof cv, p, o, x->cum);
        if (!*shown) {
            pprof_buf_printf(out, "%10s %10s %10llx: %s\n", fv, cv, (unsigned long long)x->addr, x->text);
        } else if (strlen(x->text) < 40) {
            pprof_buf_printf(out, "%10s %10s %10llx: %-40s;", fv, cv, (unsigned long long)x->addr, x->text);
            pprof_escape_cstr(out, shown);
            pprof_buf_puts(out, "\n");
        } else {
            pprof_buf_printf(out, "%74s;", "");
            pprof_escape_cstr(out, shown);
            pprof_buf_puts(out, "\n");
            pprof_buf_printf(out, "%10s %10s %10llx: %s\n", fv, cv, (unsigned long long)x->addr, x->text);
        }
    }
    pprof_insns_release(&ins);
    return 0;
}

/* The symbol regexp of -disasm and -weblist compiled into *re_out, and the
 * graph both annotate: one node per address, with its object file, inlined
 * frames folded, nothing dropped. On error nothing is left to free. */
int pprof_address_graph(pprof_graph **out, pprof_regex **re_out, const pprof_profile *p, const pprof_report_options *o,
                        pprof_error *err)
{
    *out = NULL;
    *re_out = NULL;
    const char *pattern = o->symbol ? o->symbol : "";
    int rc = pprof_regex_compile(re_out, pattern, strlen(pattern), err);
    if (rc)
        return rc;
    pprof_graph_options go = o->graph;
    go.granularity = PPROF_GRAN_ADDRESSES;
    go.noinlines = true;
    go.nodecount = 0;
    go.nodefraction = go.edgefraction = 0;
    go.keep_objfile = true;
    go.visual = go.call_tree = false;
    if ((rc = pprof_graph_build(out, p, &go, err))) {
        pprof_regex_free(*re_out);
        *re_out = NULL;
    }
    return rc;
}

int pprof_write_disasm(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    const char *pattern = o->symbol ? o->symbol : "";
    pprof_regex *re = NULL;
    pprof_graph *g = NULL;
    int rc = pprof_address_graph(&g, &re, p, o, err);
    if (rc)
        return rc;
    collect c = {.re = re};
    char *endp;
    c.addr = strtoull(pattern, &endp, 0);
    c.has_addr = *pattern && *endp == 0;
    /* Only the binaries with a sample node whose name matches. */
    bool *wanted = rc ? NULL : calloc(p->n_mappings + 1, sizeof *wanted);
    pprof_buf name = {0};
    if (!rc && !wanted)
        rc = PPROF_ENOMEM;
    for (size_t i = 0; !rc && i < g->n_nodes; i++) {
        const pprof_node *n = &g->nodes[i];
        name.len = 0;
        pprof_node_name(&name, g, n);
        if (!pprof_regex_match(re, (const char *)name.data, name.len))
            continue;
        const char *obj = pprof_graph_string(g, n->info.objfile);
        for (uint32_t m = 0; *obj && m < p->n_mappings; m++)
            if (strcmp(pprof_string(p, p->mappings[m].file), obj) == 0)
                wanted[m] = true;
    }
    pprof_buf_release(&name);
    pprof_naddr *na = NULL;
    size_t n_na = 0;
    if (!rc && !(na = malloc((g->n_nodes + 1) * sizeof *na)))
        rc = PPROF_ENOMEM;
    pprof_buf_printf(out, "Total: ");
    char total[64];
    pprof_report_format(total, sizeof total, p, o, o->unit, o->total);
    if (!rc)
        pprof_buf_printf(out, "%s\n", total);
    bool any = false;
    for (uint32_t m = 0; !rc && m < p->n_mappings; m++) {
        const pprof_mapping *pm = &p->mappings[m];
        if (!wanted[m] && !(c.has_addr && c.addr >= pm->start && c.addr <= pm->limit))
            continue;
        pprof_objfile *obj;
        pprof_error oe;
        if (pprof_objfile_open(&obj, pprof_string(p, pm->file), NULL, &oe) != 0)
            continue;
        /* The nodes of this binary, at object addresses. */
        n_na = 0;
        for (size_t i = 0; i < g->n_nodes; i++) {
            const pprof_node *n = &g->nodes[i];
            uint64_t a;
            if (strcmp(pprof_graph_string(g, n->info.objfile), pprof_string(p, pm->file)) != 0 ||
                pprof_objfile_object_address(obj, pm->start, pm->limit, pm->offset, n->info.address, &a, &oe) != 0)
                continue;
            na[n_na++] = (pprof_naddr){a, n->flat, n->cum, false};
        }
        qsort(na, n_na, sizeof *na, pprof_naddr_cmp);
        size_t first = c.n;
        c.mapping = m;
        pprof_objfile_each_symbol(obj, add_symbol, &c);
        rc = c.rc;
        /* Only routines with samples are shown, as pprof shows them. */
        size_t w = first;
        for (size_t i = first; i < c.n; i++) {
            bool has = false;
            for (size_t k = 0; k < n_na && !has; k++)
                has = na[k].obj >= c.syms[i].start && na[k].obj < c.syms[i].end;
            if (has) {
                c.syms[w++] = c.syms[i];
            } else {
                free(c.syms[i].name);
                for (size_t a = 0; a < c.syms[i].n_aka; a++)
                    free(c.syms[i].aka[a]);
                free(c.syms[i].aka);
            }
        }
        c.n = w;
        qsort(c.syms + first, c.n - first, sizeof *c.syms, cmp_dsym);
        for (size_t i = first; !rc && i < c.n; i++) {
            rc = write_routine(out, p, o, obj, &c.syms[i], na, n_na, o->intel_syntax);
            any = true;
        }
        if (rc == PPROF_EINVAL)
            pprof_error_set(err, rc, "disasm: capstone (%s) cannot be loaded or started", PPROF_CAPSTONE_SONAME);
        pprof_objfile_free(obj);
    }
    if (!rc && !any)
        rc = pprof_error_set(err, PPROF_ENOTFOUND, "no matches found for regexp: %s", pattern);
    for (size_t i = 0; i < c.n; i++) {
        free(c.syms[i].name);
        for (size_t a = 0; a < c.syms[i].n_aka; a++)
            free(c.syms[i].aka[a]);
        free(c.syms[i].aka);
    }
    free(c.syms);
    free(na);
    free(wanted);
    pprof_graph_free(g);
    pprof_regex_free(re);
    if (rc && rc != PPROF_ENOTFOUND && rc != PPROF_EINVAL && !err->msg[0])
        pprof_error_set(err, rc, "disasm: %s", pprof_strerror(rc));
    return rc;
}
