/* demangle.c: C++ and Rust symbol demangling (libiberty) in pprof's modes, and demangling a profile's functions. */
#include "internal.h"

#include <libiberty/demangle.h>

/* Which names get demangled: Itanium C++ (_Z...), its global constructor
 * and destructor keys, and Rust v0 (_R...). Other names (C, Go, Java,
 * _GLOBAL__sub_I_main) are left alone, as pprof leaves them. */
static bool looks_mangled(const char *s)
{
    return strncmp(s, "_Z", 2) == 0 || strncmp(s, "_R", 2) == 0 || strncmp(s, "_GLOBAL__I_", 11) == 0 ||
           strncmp(s, "_GLOBAL__D_", 11) == 0;
}

/* Rust legacy symbols are Itanium-shaped with a trailing hash element
 * ("17h<16 hex>E"); rust_demangle knows both them and v0 and drops the
 * hash. Returns NULL for anything else. */
static char *rust_name(const char *s)
{
    if (strncmp(s, "_R", 2) != 0) {
        const char *e = strstr(s, "17h");
        if (strncmp(s, "_ZN", 3) != 0 || !e)
            return NULL;
    }
    return rust_demangle(s, DMGL_NO_OPTS);
}

static bool is_this_qualifier(enum demangle_component_type t)
{
    switch (t) {
    case DEMANGLE_COMPONENT_RESTRICT_THIS:
    case DEMANGLE_COMPONENT_VOLATILE_THIS:
    case DEMANGLE_COMPONENT_CONST_THIS:
    case DEMANGLE_COMPONENT_REFERENCE_THIS:
    case DEMANGLE_COMPONENT_RVALUE_REFERENCE_THIS:
        return true;
    default:
        return false;
    }
}

/* Rewrites the component tree of a name printed without parameters:
 * template nodes become their template name (unless templates are kept),
 * and the function a local entity lives in ("SortMe(std::vector&)::{lambda}")
 * loses its parameter list so it prints as "SortMe()". Only the nodes of
 * the name's own path are visited: their layout (binary children) is
 * known, which is not true of every component type. Depth is bounded. */
static void simplify(struct demangle_component *dc, bool keep_templates, int depth)
{
    while (dc && depth++ < 256) {
        switch (dc->type) {
        case DEMANGLE_COMPONENT_TEMPLATE:
            if (keep_templates) {
                dc = dc->u.s_binary.left;
                continue;
            }
            if (!dc->u.s_binary.left)
                return;
            *dc = *dc->u.s_binary.left;
            continue;
        case DEMANGLE_COMPONENT_LOCAL_NAME: {
            struct demangle_component *l = dc->u.s_binary.left;
            if (l && l->type == DEMANGLE_COMPONENT_TYPED_NAME) {
                struct demangle_component *ft = l->u.s_binary.right;
                while (ft && is_this_qualifier(ft->type))
                    ft = ft->u.s_binary.left;
                if (ft && ft->type == DEMANGLE_COMPONENT_FUNCTION_TYPE) {
                    ft->u.s_binary.left = NULL;
                    ft->u.s_binary.right = NULL;
                }
                simplify(l->u.s_binary.left, keep_templates, depth);
            } else {
                simplify(l, keep_templates, depth);
            }
            dc = dc->u.s_binary.right;
            continue;
        }
        case DEMANGLE_COMPONENT_QUAL_NAME:
        case DEMANGLE_COMPONENT_TYPED_NAME:
            simplify(dc->u.s_binary.left, keep_templates, depth);
            dc = dc->u.s_binary.right;
            continue;
        default:
            if (is_this_qualifier(dc->type)) {
                dc = dc->u.s_binary.left;
                continue;
            }
            return;
        }
    }
}

/* Drops libiberty's trailing " [clone .constprop.0]" parts. */
static void strip_clones(char *s)
{
    for (;;) {
        size_t n = strlen(s);
        if (n < 10 || s[n - 1] != ']')
            return;
        char *c = strstr(s, " [clone ");
        char *last = NULL;
        while (c) {
            last = c;
            c = strstr(c + 1, " [clone ");
        }
        if (!last)
            return;
        *last = 0;
    }
}

static char *demangle_cxx(const char *s, pprof_demangle_mode mode)
{
    if (mode == PPROF_DEMANGLE_FULL) {
        char *r = cplus_demangle(s, DMGL_PARAMS | DMGL_ANSI);
        if (r)
            strip_clones(r);
        return r;
    }
    void *mem = NULL;
    struct demangle_component *dc = cplus_demangle_v3_components(s, DMGL_NO_OPTS, &mem);
    if (!dc) {
        free(mem);
        return NULL;
    }
    simplify(dc, mode == PPROF_DEMANGLE_TEMPLATES, 0);
    size_t alloc = 0;
    char *r = cplus_demangle_print(DMGL_NO_OPTS, dc, 64, &alloc);
    free(mem);
    return r;
}

/* Removes balanced, possibly nested [open ... close] groups; returns false
 * (and leaves s) when they do not balance. */
static bool remove_matching(char *s, char open, char close)
{
    size_t n = strlen(s), w = 0;
    char *tmp = malloc(n + 1);
    if (!tmp)
        return false;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == open) {
            depth++;
            continue;
        }
        if (s[i] == close) {
            if (--depth < 0)
                break;
            continue;
        }
        if (depth == 0)
            tmp[w++] = s[i];
    }
    bool ok = depth == 0;
    if (ok) {
        memcpy(s, tmp, w);
        s[w] = 0;
    }
    free(tmp);
    return ok;
}

/* A name that is already demangled C++ ("foo::Bar<int>::baz(int) const"),
 * not Java ("Foo.<init>") nor a Go generic ("main.(*L[...]).Push"). */
static bool looks_demangled_cxx(const char *s)
{
    if (strstr(s, ".<") || strstr(s, "]).") )
        return false;
    return strpbrk(s, "<>[]") != NULL || strstr(s, "::") != NULL;
}

char *pprof_demangle(const char *sym, pprof_demangle_mode mode)
{
    if (!sym)
        return NULL;
    if (mode == PPROF_DEMANGLE_NONE)
        return strdup(sym);
    /* A leading extra '_' (Mach-O style "__ZN3foo3barEv") is tried off. */
    for (int pass = 0; pass < 2; pass++) {
        const char *s = sym + pass;
        if (pass == 1 && sym[0] != '_')
            break;
        if (!looks_mangled(s))
            continue;
        char *r = rust_name(s);
        if (!r)
            r = demangle_cxx(s, mode);
        if (r && *r)
            return r;
        free(r);
    }
    char *r = strdup(sym);
    if (r && mode != PPROF_DEMANGLE_FULL && looks_demangled_cxx(r)) {
        char *t = strdup(r);
        /* A C++ name never simplifies to nothing or starts with a blank:
         * such a name is another language's ("<module> (app.py:1)" from
         * Python, "<anonymous>") and stays as it is. */
        if (t && remove_matching(t, '(', ')') &&
            (mode == PPROF_DEMANGLE_TEMPLATES || remove_matching(t, '<', '>')) && t[0] && t[0] != ' ') {
            free(r);
            return t;
        }
        free(t);
    }
    return r;
}

/* false when pprof_demangle(sym, mode) is sym: most names (Go's, C's)
 * are neither mangled nor demangled C++ to simplify. */
static bool may_change(const char *sym, pprof_demangle_mode mode)
{
    if (mode == PPROF_DEMANGLE_NONE)
        return false;
    if (looks_mangled(sym) || (sym[0] == '_' && looks_mangled(sym + 1)))
        return true;
    return mode != PPROF_DEMANGLE_FULL && looks_demangled_cxx(sym);
}

/* Bytes a name pprof_demangle may change holds: a demangled C++ one
 * holds one of "<>[]:" (what looks_demangled_cxx looks for; a mangled
 * one starts with '_'); a NUL ends the symbol early. */
static const uint8_t name_mark[256] = {
    [0] = 1, ['<'] = 2, ['>'] = 2, ['['] = 2, [']'] = 2, [':'] = 2,
};

/* may_change for the len bytes of a string table entry, in one pass over
 * them and without a call for most names; false for a name with a NUL
 * inside (no symbol: left whole). Go's names (big100k.pb.gz, 50,000 of
 * them) were four passes of strstr and strpbrk and a strlen each. */
static bool entry_may_change(const char *s, size_t len, pprof_demangle_mode mode)
{
    if (mode == PPROF_DEMANGLE_NONE)
        return false;
    uint8_t seen = len && s[0] == '_' ? 2 : 0;
    for (size_t i = 0; i < len; i++)
        seen |= name_mark[(uint8_t)s[i]];
    if (seen & 1)
        return false;
    return (seen & 2) && may_change(s, mode);
}

int pprof_profile_demangle(pprof_profile *p, pprof_demangle_mode mode, bool force)
{
    for (size_t i = 0; i < p->n_functions; i++) {
        pprof_function *f = &p->functions[i];
        if (force)
            f->name = f->system_name;
        if (f->name != f->system_name || !f->system_name)
            continue;
        const char *raw = pprof_string(p, f->system_name);
        if (!entry_may_change(raw, p->string_lens[f->system_name], mode))
            continue;
        char *d = pprof_demangle(raw, mode);
        if (!d)
            return PPROF_ENOMEM;
        int rc = pprof_profile_intern(&f->name, p, d, strlen(d));
        free(d);
        if (rc)
            return rc;
    }
    return 0;
}
