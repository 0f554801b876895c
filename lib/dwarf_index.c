/* dwarf_index.c: the function ranges of a compilation unit, walked once into sorted non-overlapping segments (innermost function or inlined instance for each address), so each address costs a binary search rather than a walk of the unit's DIE tree. */
#include "dwarf_index.h"

#include <elfutils/libdw.h>
#include <dwarf.h>
#include <stdio.h>

/* Bounds against absurd DWARF: nesting of DIEs, function DIEs and address
 * ranges in one unit. Beyond them the unit's index is cut. */
enum { MAX_DEPTH = 256, MAX_ENTRIES = 1 << 24, MAX_CALL_CHAIN = 512 };

/* One subprogram or inlined instance with code. */
typedef struct fn_entry {
    const char *name;      /* linkage name, else name; NULL when none */
    const char *call_file; /* inlined: where the caller calls it */
    int64_t call_line;
    uint32_t parent;       /* enclosing function entry, PPROF_NONE at the top */
    bool inlined, linkage;
    Dwarf_Off origin;      /* without linkage name: the declaring DIE, for its scope */
} fn_entry;

/* The enclosing namespaces and classes of a function DIE ("a::B"). */
typedef struct scope_ref {
    Dwarf_Off die;
    char *scope; /* owned by the unit's names */
} scope_ref;

/* [lo, hi) in DWARF addresses, with the innermost entry covering it. */
typedef struct seg {
    Dwarf_Addr lo, hi;
    uint32_t entry;
    uint32_t depth; /* nesting depth while building */
} seg;

typedef struct cu_index {
    Dwarf_Off off; /* the unit DIE's offset: the key */
    fn_entry *entries;
    size_t n_entries, cap_entries;
    seg *segs;
    size_t n_segs, cap_segs;
    char **names; /* qualified names and scopes made for this unit */
    size_t n_names, cap_names;
} cu_index;

struct pprof_dwarf_index {
    Dwfl_Module *mod;
    cu_index *cus; /* sorted by off */
    size_t n_cus, cap_cus;
};

int pprof_dwarf_index_new(pprof_dwarf_index **out, Dwfl_Module *mod)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return PPROF_ENOMEM;
    (*out)->mod = mod;
    return 0;
}

void pprof_dwarf_index_free(pprof_dwarf_index *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n_cus; i++) {
        free(x->cus[i].entries);
        free(x->cus[i].segs);
        for (size_t k = 0; k < x->cus[i].n_names; k++)
            free(x->cus[i].names[k]);
        free(x->cus[i].names);
    }
    free(x->cus);
    free(x);
}

/* ---------------------------------------------------------------- building */

typedef struct builder {
    cu_index *c;
    Dwarf_Files *files;
    size_t n_files;
    seg *ranges; /* every range of every entry, before the sweep */
    size_t n_ranges, cap_ranges;
    scope_ref *scopes; /* function DIEs inside named scopes, by offset */
    size_t n_scopes, cap_scopes;
    bool nomem;
} builder;

/* Keeps s (malloc'd) with the unit; NULL (s freed) when out of memory. */
static char *keep_name(builder *b, char *s)
{
    cu_index *c = b->c;
    if (!s || PPROF_GROW(c->names, c->cap_names, c->n_names + 1)) {
        free(s);
        b->nomem = true;
        return NULL;
    }
    return c->names[c->n_names++] = s;
}

/* The DIE a function without linkage name was declared as: through its
 * abstract origin and specification (a few hops at most). */
static Dwarf_Off declaring_die(Dwarf_Die *die)
{
    Dwarf_Die cur = *die, next;
    Dwarf_Attribute attr;
    for (int hops = 0; hops < 8; hops++) {
        if ((dwarf_attr(&cur, DW_AT_abstract_origin, &attr) || dwarf_attr(&cur, DW_AT_specification, &attr)) &&
            dwarf_formref_die(&attr, &next))
            cur = next;
        else
            break;
    }
    return dwarf_dieoffset(&cur);
}

/* The name a function DIE stands for: its linkage (mangled) name, else its
 * name, looking through abstract origins and specifications. */
static const char *die_name(Dwarf_Die *die, bool *linkage)
{
    Dwarf_Attribute attr;
    const char *s = NULL;
    if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
        dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
        s = dwarf_formstring(&attr);
    *linkage = s != NULL;
    if (!s && dwarf_attr_integrate(die, DW_AT_name, &attr))
        s = dwarf_formstring(&attr);
    return s && *s ? s : NULL;
}

/* Adds the function DIE with its ranges; PPROF_NONE when it has no code. */
static uint32_t add_function(builder *b, Dwarf_Die *die, uint32_t parent, uint32_t depth)
{
    cu_index *c = b->c;
    if (c->n_entries >= MAX_ENTRIES)
        return PPROF_NONE;
    uint32_t me = (uint32_t)c->n_entries;
    size_t before = b->n_ranges;
    Dwarf_Addr base, lo, hi;
    for (ptrdiff_t off = 0; (off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0;) {
        if (lo >= hi)
            continue;
        if (b->n_ranges >= MAX_ENTRIES || PPROF_GROW(b->ranges, b->cap_ranges, b->n_ranges + 1)) {
            b->nomem = b->n_ranges < MAX_ENTRIES;
            break;
        }
        b->ranges[b->n_ranges++] = (seg){lo, hi, me, depth};
    }
    if (b->n_ranges == before)
        return PPROF_NONE;
    if (PPROF_GROW(c->entries, c->cap_entries, c->n_entries + 1)) {
        b->n_ranges = before;
        b->nomem = true;
        return PPROF_NONE;
    }
    fn_entry *e = &c->entries[c->n_entries++];
    memset(e, 0, sizeof *e);
    e->name = die_name(die, &e->linkage);
    e->origin = e->linkage || !e->name ? 0 : declaring_die(die);
    e->parent = parent;
    e->inlined = dwarf_tag(die) == DW_TAG_inlined_subroutine;
    if (e->inlined) {
        Dwarf_Attribute attr;
        Dwarf_Word v;
        if (b->files && dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &v) == 0 && v < b->n_files)
            e->call_file = dwarf_filesrc(b->files, v, NULL, NULL);
        if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &v) == 0 && v <= INT64_MAX)
            e->call_line = (int64_t)v;
    }
    return me;
}

/* Walks the children of die: functions with code become entries (their
 * children are walked with them as parent); blocks and scopes that may
 * hold functions are walked through. scope names the enclosing namespaces
 * and classes ("" at the top); function DIEs inside one are remembered with
 * it, to qualify the names of inlined instances without linkage name. */
static void walk(builder *b, Dwarf_Die *die, uint32_t parent, uint32_t depth, const char *scope)
{
    Dwarf_Die child;
    if (depth >= MAX_DEPTH || b->nomem || dwarf_child(die, &child) != 0)
        return;
    do {
        int tag = dwarf_tag(&child);
        switch (tag) {
        case DW_TAG_subprogram:
        case DW_TAG_inlined_subroutine:
        case DW_TAG_entry_point: {
            if (*scope && tag == DW_TAG_subprogram && b->n_scopes < MAX_ENTRIES) {
                if (PPROF_GROW(b->scopes, b->cap_scopes, b->n_scopes + 1))
                    b->nomem = true;
                else
                    b->scopes[b->n_scopes++] = (scope_ref){dwarf_dieoffset(&child), (char *)scope};
            }
            uint32_t me = add_function(b, &child, parent, depth);
            if (me != PPROF_NONE)
                walk(b, &child, me, depth + 1, scope);
            break;
        }
        case DW_TAG_namespace:
        case DW_TAG_structure_type:
        case DW_TAG_class_type:
        case DW_TAG_union_type: {
            const char *n = dwarf_diename(&child);
            if (!n && tag != DW_TAG_namespace) { /* an unnamed type holds no named functions */
                walk(b, &child, parent, depth + 1, scope);
                break;
            }
            size_t len = strlen(scope) + 2 + strlen(n ? n : "(anonymous namespace)") + 1;
            char *inner = malloc(len);
            if (inner)
                snprintf(inner, len, "%s%s%s", scope, *scope ? "::" : "", n ? n : "(anonymous namespace)");
            if ((inner = keep_name(b, inner)) != NULL)
                walk(b, &child, parent, depth + 1, inner);
            break;
        }
        case DW_TAG_lexical_block:
        case DW_TAG_try_block:
        case DW_TAG_catch_block:
        case DW_TAG_module:
            walk(b, &child, parent, depth + 1, scope);
            break;
        default:
            break;
        }
    } while (!b->nomem && dwarf_siblingof(&child, &child) == 0);
}

static int scope_cmp(const void *a, const void *b)
{
    const scope_ref *x = a, *y = b;
    return x->die < y->die ? -1 : x->die > y->die;
}

/* Names without linkage name get the scope of the DIE they were declared
 * as ("mix" in namespace a::b becomes "a::b::mix"), as a linkage name
 * would have given them. */
static void qualify(builder *b)
{
    cu_index *c = b->c;
    if (b->n_scopes)
        qsort(b->scopes, b->n_scopes, sizeof *b->scopes, scope_cmp);
    for (size_t i = 0; i < c->n_entries && !b->nomem; i++) {
        fn_entry *e = &c->entries[i];
        if (!e->origin || !b->n_scopes)
            continue;
        scope_ref key = {e->origin, NULL};
        const scope_ref *r = bsearch(&key, b->scopes, b->n_scopes, sizeof *b->scopes, scope_cmp);
        if (!r)
            continue;
        size_t len = strlen(r->scope) + 2 + strlen(e->name) + 1;
        char *q = malloc(len);
        if (q)
            snprintf(q, len, "%s::%s", r->scope, e->name);
        if ((q = keep_name(b, q)) != NULL)
            e->name = q;
    }
}

static int range_cmp(const void *a, const void *b)
{
    const seg *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi > y->hi ? -1 : 1; /* the outer one first */
    return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int emit(cu_index *c, Dwarf_Addr lo, Dwarf_Addr hi, uint32_t entry)
{
    if (lo >= hi)
        return 0;
    if (c->n_segs && c->segs[c->n_segs - 1].hi == lo && c->segs[c->n_segs - 1].entry == entry) {
        c->segs[c->n_segs - 1].hi = hi;
        return 0;
    }
    if (PPROF_GROW(c->segs, c->cap_segs, c->n_segs + 1))
        return PPROF_ENOMEM;
    c->segs[c->n_segs++] = (seg){lo, hi, entry, 0};
    return 0;
}

/* Sorted ranges (outer before inner at one start) into non-overlapping
 * segments owned by the innermost range: a sweep with a stack of the ranges
 * still open. Ranges that overlap without nesting (bad DWARF) give each
 * address to one of them, never to none. */
static int sweep(cu_index *c, seg *r, size_t n)
{
    uint32_t *stack = NULL;
    size_t depth = 0, cap = 0;
    Dwarf_Addr cursor = 0;
    int rc = 0;
    for (size_t i = 0; i <= n && !rc; i++) {
        Dwarf_Addr next = i < n ? r[i].lo : UINT64_MAX;
        while (depth && r[stack[depth - 1]].hi <= next && !rc) {
            const seg *top = &r[stack[--depth]];
            if (cursor < top->hi) {
                rc = emit(c, cursor, top->hi, top->entry);
                cursor = top->hi;
            }
        }
        if (i == n || rc)
            break;
        if (depth && cursor < next)
            rc = emit(c, cursor, next, r[stack[depth - 1]].entry);
        if (cursor < next)
            cursor = next;
        if (!rc && PPROF_GROW(stack, cap, depth + 1))
            rc = PPROF_ENOMEM;
        if (!rc)
            stack[depth++] = (uint32_t)i;
    }
    free(stack);
    return rc;
}

static int build(cu_index *c, Dwarf_Die *cudie)
{
    builder b = {.c = c};
    if (dwarf_getsrcfiles(cudie, &b.files, &b.n_files) != 0)
        b.files = NULL;
    walk(&b, cudie, PPROF_NONE, 0, "");
    qualify(&b);
    int rc = b.nomem ? PPROF_ENOMEM : 0;
    if (!rc && b.n_ranges) {
        qsort(b.ranges, b.n_ranges, sizeof *b.ranges, range_cmp);
        rc = sweep(c, b.ranges, b.n_ranges);
    }
    free(b.ranges);
    free(b.scopes);
    return rc;
}

/* The unit's index, built on first use; NULL on ENOMEM. */
static cu_index *cu_for(pprof_dwarf_index *x, Dwarf_Die *cudie)
{
    Dwarf_Off off = dwarf_dieoffset(cudie);
    /* The first unit at or after off: those before have keys <= off - 1. */
    size_t lo = off ? pprof_sorted_count_le(x->cus, x->n_cus, sizeof *x->cus, offsetof(cu_index, off), off - 1) : 0;
    if (lo < x->n_cus && x->cus[lo].off == off)
        return &x->cus[lo];
    if (PPROF_GROW(x->cus, x->cap_cus, x->n_cus + 1))
        return NULL;
    memmove(&x->cus[lo + 1], &x->cus[lo], (x->n_cus - lo) * sizeof *x->cus);
    x->n_cus++;
    cu_index *c = &x->cus[lo];
    memset(c, 0, sizeof *c);
    c->off = off;
    /* Out of memory while building keeps what was made: a unit with
     * fewer names, never wrong ones. */
    (void)build(c, cudie);
    return c;
}

/* ---------------------------------------------------------------- lookup */

static uint32_t seg_find(const cu_index *c, Dwarf_Addr a)
{
    size_t lo = pprof_sorted_count_le(c->segs, c->n_segs, sizeof *c->segs, offsetof(seg, lo), a);
    if (lo == 0 || a >= c->segs[lo - 1].hi)
        return PPROF_NONE;
    return c->segs[lo - 1].entry;
}

size_t pprof_dwarf_index_frames(pprof_dwarf_index *x, Dwarf_Addr addr, pprof_frame *fr, size_t max,
                                bool *last_unlinked)
{
    *last_unlinked = false;
    Dwarf_Addr bias = 0;
    Dwarf_Die *cudie = dwfl_module_addrdie(x->mod, addr, &bias);
    if (!cudie || max == 0)
        return 0;
    cu_index *c = cu_for(x, cudie);
    if (!c)
        return 0;
    uint32_t e = seg_find(c, addr - bias);
    if (e == PPROF_NONE)
        return 0;
    const char *file = NULL;
    int64_t line = 0;
    Dwfl_Line *dl = dwfl_module_getsrc(x->mod, addr);
    if (dl) {
        int ln = 0;
        file = dwfl_lineinfo(dl, NULL, &ln, NULL, NULL, NULL);
        line = ln;
    }
    size_t n = 0;
    for (size_t hops = 0; e != PPROF_NONE && n < max && hops < MAX_CALL_CHAIN; hops++) {
        const fn_entry *f = &c->entries[e];
        fr[n].name = f->name;
        fr[n].file = file;
        fr[n].line = line;
        n++;
        *last_unlinked = !f->linkage;
        if (!f->inlined)
            break;
        /* The caller's line is this instance's call site. */
        file = f->call_file;
        line = f->call_line;
        e = f->parent;
    }
    return n;
}
