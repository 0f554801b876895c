/* symtab_index.c: a module's symbol tables sorted by address once, so that naming an address is a binary search (libdwfl's own lookup scans every symbol for each address). */
#include "dwarf_index.h"

#include <gelf.h>

/* How many symbols before the nearest one are searched for one holding the
 * address (symbols nested in a function, aliases at one address). */
enum { LOOK_BACK = 64 };

typedef struct sym {
    Dwarf_Addr addr;
    uint64_t size;
    const char *name;
    uint32_t rank; /* binding preference, then table order */
} sym;

struct pprof_symtab_index {
    sym *syms;
    size_t n;
};

static uint32_t bind_rank(int bind)
{
    return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

static int sym_cmp(const void *a, const void *b)
{
    const sym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

int pprof_symtab_index_new(pprof_symtab_index **out, Dwfl_Module *mod)
{
    pprof_symtab_index *x = calloc(1, sizeof *x);
    if (!x)
        return PPROF_ENOMEM;
    int n = dwfl_module_getsymtab(mod);
    size_t cap = 0;
    for (int i = 1; i < n; i++) {
        GElf_Sym s;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(mod, i, &s, &addr, NULL, NULL, NULL);
        int type = GELF_ST_TYPE(s.st_info);
        /* Absolute symbols name no code: a vDSO's version definition
         * (LINUX_2.6, value 0) would otherwise name every address below its
         * first function. */
        if (!name || !*name || s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS || type == STT_SECTION ||
            type == STT_FILE || type == STT_TLS)
            continue;
        if (PPROF_GROW(x->syms, cap, x->n + 1)) {
            pprof_symtab_index_free(x);
            return PPROF_ENOMEM;
        }
        x->syms[x->n++] = (sym){addr, s.st_size, name, bind_rank(GELF_ST_BIND(s.st_info)) << 28 | (uint32_t)i};
    }
    if (x->n)
        qsort(x->syms, x->n, sizeof *x->syms, sym_cmp);
    *out = x;
    return 0;
}

void pprof_symtab_index_free(pprof_symtab_index *x)
{
    if (!x)
        return;
    free(x->syms);
    free(x);
}

const char *pprof_symtab_index_find(const pprof_symtab_index *x, Dwarf_Addr addr, Dwarf_Addr *start, uint64_t *size)
{
    size_t lo = pprof_sorted_count_le(x->syms, x->n, sizeof *x->syms, offsetof(sym, addr), addr);
    if (lo == 0)
        return NULL;
    /* The nearest sized symbol holding addr (the best bound one at its
     * address: they sort first); else the best sizeless one at the nearest
     * address below. */
    const sym *sizeless = NULL, *found = NULL;
    Dwarf_Addr nearest = x->syms[lo - 1].addr;
    for (size_t i = lo; i > 0 && lo - i < LOOK_BACK && !found; i--) {
        const sym *s = &x->syms[i - 1];
        if (s->size && addr - s->addr < s->size) {
            /* Several at this address: the best bound one holding addr. */
            size_t j = i - 1;
            while (j > 0 && x->syms[j - 1].addr == s->addr)
                j--;
            for (; !found; j++)
                if (x->syms[j].size && addr - s->addr < x->syms[j].size)
                    found = &x->syms[j];
        } else if (!s->size && s->addr == nearest) {
            sizeless = s;
        }
    }
    if (!found)
        found = sizeless;
    if (!found)
        return NULL;
    *start = found->addr;
    *size = found->size;
    return found->name;
}
