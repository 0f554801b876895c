/* dwarf_index.h: per-module lookup indexes built once (function ranges of each compilation unit, sorted symbol table), so that naming many addresses does not re-walk the DWARF or the symbol table for each one. */
#ifndef PPROF_DWARF_INDEX_H
#define PPROF_DWARF_INDEX_H

#include "internal.h"

#include <elfutils/libdwfl.h>
#include <stddef.h>

_Static_assert(sizeof(Dwarf_Addr) == sizeof(uint64_t) && sizeof(Dwarf_Off) == sizeof(uint64_t),
               "the sorted indexes read their keys as uint64_t");

/* The function ranges of the compilation units looked up so far. */
typedef struct pprof_dwarf_index pprof_dwarf_index;

int pprof_dwarf_index_new(pprof_dwarf_index **out, Dwfl_Module *mod);
void pprof_dwarf_index_free(pprof_dwarf_index *x);

/* The frames of module address addr from DWARF: inlined callees first, the
 * real function last (as many as fit in max); *last_unlinked is set when the
 * last frame's name is not a linkage (mangled) name. Returns the count, 0
 * when no function of the DWARF covers addr (or on ENOMEM). */
size_t pprof_dwarf_index_frames(pprof_dwarf_index *x, Dwarf_Addr addr, pprof_frame *fr, size_t max,
                                bool *last_unlinked);

/* The module's symbols (.symtab/.dynsym and MiniDebugInfo) sorted once. */
typedef struct pprof_symtab_index pprof_symtab_index;

int pprof_symtab_index_new(pprof_symtab_index **out, Dwfl_Module *mod);
void pprof_symtab_index_free(pprof_symtab_index *x);

/* The symbol covering module address addr: a sized symbol holding it, else
 * the nearest sizeless one before it. NULL when none; *start and *size
 * (module addresses) set otherwise. */
const char *pprof_symtab_index_find(const pprof_symtab_index *x, Dwarf_Addr addr, Dwarf_Addr *start, uint64_t *size);

#endif
