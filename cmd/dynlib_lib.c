/* dynlib_lib.c: the elfutils and libzstd functions libpprof calls, defined in the program as calls through dynlib's tables, so that these libraries load on first use and not at every start (dynlib.h says why). */
#define DYNLIB_WANT_DW
#define DYNLIB_WANT_ZSTD
#include "dynlib.h"
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

/* Opens the library on the first call (after that, one atomic load). A
 * call cannot fail and libpprof cannot be told why, so a library that
 * cannot be loaded ends the run, as a command that needs libcurl or
 * Graphviz does: status 1 and a message naming its Debian package. */
static void need(dynlib_id id)
{
    char why[512];
    if (dynlib_load(id, why, sizeof why) == 0)
        return;
    cmd_error("%s", why);
    exit(EXIT_DATA);
}

/* FORWARD(lib, type, name, (parameters), (arguments)): the function name
 * of libpprof's calls, which loads lib and calls lib's name. The
 * parameters are the library header's, which the compiler checks. */
#define ID_dw DYNLIB_DW
#define ID_zstd DYNLIB_ZSTD
#define FORWARD(lib, type, name, params, args)                                                                     \
    type name params                                                                                               \
    {                                                                                                              \
        need(ID_##lib);                                                                                        \
        return (*dynlib_##lib.name) args;                                                                          \
    }
#define FORWARD_VOID(lib, name, params, args)                                                                      \
    void name params                                                                                               \
    {                                                                                                              \
        need(ID_##lib);                                                                                        \
        (*dynlib_##lib.name) args;                                                                                 \
    }

/* ---------------------------------------------------------------- elfutils */
FORWARD(dw, Dwarf_Attribute *, dwarf_attr, (Dwarf_Die *die, unsigned int name, Dwarf_Attribute *res), (die, name, res))
FORWARD(dw, Dwarf_Attribute *, dwarf_attr_integrate, (Dwarf_Die *die, unsigned int name, Dwarf_Attribute *res),
        (die, name, res))
FORWARD(dw, int, dwarf_child, (Dwarf_Die *die, Dwarf_Die *res), (die, res))
FORWARD(dw, const char *, dwarf_diename, (Dwarf_Die *die), (die))
FORWARD(dw, Dwarf_Off, dwarf_dieoffset, (Dwarf_Die *die), (die))
FORWARD(dw, const char *, dwarf_filesrc, (Dwarf_Files *f, size_t i, Dwarf_Word *mtime, Dwarf_Word *len),
        (f, i, mtime, len))
FORWARD(dw, Dwarf_Die *, dwarf_formref_die, (Dwarf_Attribute *a, Dwarf_Die *mem), (a, mem))
FORWARD(dw, const char *, dwarf_formstring, (Dwarf_Attribute *a), (a))
FORWARD(dw, int, dwarf_formudata, (Dwarf_Attribute *a, Dwarf_Word *v), (a, v))
FORWARD(dw, int, dwarf_getsrcfiles, (Dwarf_Die *cu, Dwarf_Files **f, size_t *n), (cu, f, n))
FORWARD(dw, ptrdiff_t, dwarf_ranges, (Dwarf_Die *die, ptrdiff_t off, Dwarf_Addr *base, Dwarf_Addr *start, Dwarf_Addr *end),
        (die, off, base, start, end))
FORWARD(dw, int, dwarf_siblingof, (Dwarf_Die *die, Dwarf_Die *res), (die, res))
FORWARD(dw, int, dwarf_tag, (Dwarf_Die *die), (die))
FORWARD(dw, Dwfl *, dwfl_begin, (const Dwfl_Callbacks *cb), (cb))
FORWARD(dw, int, dwfl_build_id_find_elf,
        (Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr base, char **file, Elf **elf),
        (mod, user, name, base, file, elf))
FORWARD_VOID(dw, dwfl_end, (Dwfl *d), (d))
FORWARD(dw, const char *, dwfl_errmsg, (int e), (e))
FORWARD(dw, const char *, dwfl_lineinfo,
        (Dwfl_Line *l, Dwarf_Addr *addr, int *line, int *col, Dwarf_Word *mtime, Dwarf_Word *len),
        (l, addr, line, col, mtime, len))
FORWARD(dw, Dwarf_Die *, dwfl_module_addrdie, (Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias), (mod, addr, bias))
FORWARD(dw, int, dwfl_module_build_id, (Dwfl_Module *mod, const unsigned char **bits, GElf_Addr *vaddr),
        (mod, bits, vaddr))
FORWARD(dw, Elf *, dwfl_module_getelf, (Dwfl_Module *mod, GElf_Addr *bias), (mod, bias))
FORWARD(dw, Dwfl_Line *, dwfl_module_getsrc, (Dwfl_Module *mod, Dwarf_Addr addr), (mod, addr))
FORWARD(dw, const char *, dwfl_module_getsym_info,
        (Dwfl_Module *mod, int i, GElf_Sym *sym, GElf_Addr *addr, GElf_Word *shndx, Elf **elf, Dwarf_Addr *bias),
        (mod, i, sym, addr, shndx, elf, bias))
FORWARD(dw, int, dwfl_module_getsymtab, (Dwfl_Module *mod), (mod))
FORWARD(dw, int, dwfl_offline_section_address,
        (Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr base, const char *sec, GElf_Word shndx,
         const GElf_Shdr *shdr, Dwarf_Addr *addr),
        (mod, user, name, base, sec, shndx, shdr, addr))
FORWARD_VOID(dw, dwfl_report_begin, (Dwfl *d), (d))
FORWARD(dw, Dwfl_Module *, dwfl_report_elf,
        (Dwfl *d, const char *name, const char *file, int fd, GElf_Addr base, bool add_p_vaddr),
        (d, name, file, fd, base, add_p_vaddr))
FORWARD(dw, int, dwfl_report_end,
        (Dwfl *d, int (*removed)(Dwfl_Module *, void *, const char *, Dwarf_Addr, void *), void *arg),
        (d, removed, arg))
FORWARD(dw, int, dwfl_standard_find_debuginfo,
        (Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr base, const char *file, const char *link,
         GElf_Word crc, char **debug),
        (mod, user, name, base, file, link, crc, debug))
FORWARD(dw, int, elf_getphdrnum, (Elf *e, size_t *n), (e, n))
FORWARD(dw, char *, elf_rawfile, (Elf *e, size_t *n), (e, n))
FORWARD(dw, unsigned int, elf_version, (unsigned int v), (v))
FORWARD(dw, GElf_Ehdr *, gelf_getehdr, (Elf *e, GElf_Ehdr *h), (e, h))
FORWARD(dw, GElf_Phdr *, gelf_getphdr, (Elf *e, int i, GElf_Phdr *h), (e, i, h))

/* ---------------------------------------------------------------- libzstd */
FORWARD(zstd, size_t, ZSTD_DStreamOutSize, (void), ())
FORWARD(zstd, ZSTD_DStream *, ZSTD_createDStream, (void), ())
FORWARD(zstd, size_t, ZSTD_decompressStream, (ZSTD_DStream *z, ZSTD_outBuffer *out, ZSTD_inBuffer *in), (z, out, in))
FORWARD(zstd, const char *, ZSTD_getErrorName, (size_t code), (code))
FORWARD(zstd, size_t, ZSTD_initDStream, (ZSTD_DStream *z), (z))
FORWARD(zstd, unsigned, ZSTD_isError, (size_t code), (code))

/* Freeing nothing (a walk that met no compressed record) needs no library. */
size_t ZSTD_freeDStream(ZSTD_DStream *z)
{
    if (!z)
        return 0;
    need(DYNLIB_ZSTD);
    return (*dynlib_zstd.ZSTD_freeDStream)(z);
}
