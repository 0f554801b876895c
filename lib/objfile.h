/* objfile.h: private interface to one ELF object (elfutils libdwfl): build id, address translation, frames, symbols, code bytes. */
#ifndef PPROF_OBJFILE_H
#define PPROF_OBJFILE_H

#include "internal.h"

typedef struct pprof_objfile pprof_objfile;

/* One frame of an address: innermost first. Strings live as long as the
 * objfile (they point into its ELF/DWARF data). */
typedef struct pprof_frame {
    const char *name; /* raw (mangled) name; NULL when unknown */
    const char *file; /* NULL when unknown */
    int64_t line;
} pprof_frame;

/* Opens path as an ELF object without following it into anything that
 * could block (a FIFO or device is refused: it is opened non-blocking and
 * must be a regular file). debug_dir: where separate debug files live (NULL:
 * /usr/lib/debug). *out owned by the caller (pprof_objfile_free). */
int pprof_objfile_open(pprof_objfile **out, const char *path, const char *debug_dir, pprof_error *err);
void pprof_objfile_free(pprof_objfile *o);

/* The GNU build id in lower-case hex, "" when the file has none. */
const char *pprof_objfile_build_id(const pprof_objfile *o);

/* Turns a runtime address of a mapping [start, limit) at file offset
 * `offset` into the address the object's symbols and DWARF use. */
int pprof_objfile_object_address(const pprof_objfile *o, uint64_t start, uint64_t limit, uint64_t offset,
                                 uint64_t addr, uint64_t *objaddr, pprof_error *err);

/* The frames at object address a: inlined callees first, the real function
 * last (DWARF), else one frame from the symbol tables; with symbols_only,
 * only the symbol tables' name. *n is 0 when nothing is known. */
int pprof_objfile_frames(pprof_objfile *o, uint64_t a, bool symbols_only, pprof_frame *frames, size_t max,
                         size_t *n);

/* The symbol table's entry covering a: name, start and size (0 when unknown). */
bool pprof_objfile_symbol(pprof_objfile *o, uint64_t a, const char **name, uint64_t *start, uint64_t *size);

#endif
