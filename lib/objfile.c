/* objfile.c: one ELF object read with elfutils (libdwfl/libdw): build id, runtime to object addresses, inlined frames, symbols. */
#include "dwarf_index.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>


struct pprof_objfile {
    Dwfl_Callbacks callbacks; /* must outlive the Dwfl */
    char *debuginfo_path;
    Dwfl *dwfl;
    Dwfl_Module *mod;
    GElf_Addr bias; /* module address = object address + bias */
    int e_type, e_machine;
    GElf_Phdr *loads; /* PT_LOAD headers with file contents */
    size_t n_loads;
    char build_id[2 * 64 + 1];
    pprof_dwarf_index *dwarf;   /* function ranges per unit, built as units are met */
    pprof_symtab_index *symtab; /* symbols sorted, built on first use */
};

static int fail(pprof_error *err, int code, const char *path, const char *what)
{
    return pprof_error_set(err, code, "%s: %s", path, what);
}

/* Opens a candidate file safely: non-blocking (a FIFO must not hang the
 * open), and only a regular file that starts like an ELF object. */
/* A system error as Go prints it: "stat PATH: no such file or directory". */
static int sys_error(pprof_error *err, const char *op, const char *path, int e)
{
    char why[128];
    snprintf(why, sizeof why, "%s", strerror(e));
    if (why[0] >= 'A' && why[0] <= 'Z' && !(why[1] >= 'A' && why[1] <= 'Z'))
        why[0] = (char)(why[0] - 'A' + 'a');
    return pprof_error_set(err, e == ENOENT ? PPROF_ENOTFOUND : PPROF_EIO, "%s %s: %s", op, path, why);
}

static int open_regular(int *fd_out, uint64_t *size, const char *path, pprof_error *err)
{
    struct stat st0;
    if (stat(path, &st0) != 0)
        return sys_error(err, "stat", path, errno);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return sys_error(err, "open", path, errno);
    }
    struct stat st;
    unsigned char magic[4];
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, PPROF_EFORMAT, path, "not a regular file");
    }
    if (st.st_size < 64 || pread(fd, magic, 4, 0) != 4 || memcmp(magic, "\177ELF", 4) != 0) {
        close(fd);
        return fail(err, PPROF_EFORMAT, path, "not an ELF file");
    }
    *fd_out = fd;
    *size = (uint64_t)st.st_size;
    return 0;
}

int pprof_objfile_open(pprof_objfile **out, const char *path, const char *debug_dir, pprof_error *err)
{
    *out = NULL;
    int fd = -1;
    uint64_t fsize = 0;
    int rc = open_regular(&fd, &fsize, path, err);
    if (rc)
        return rc;
    pprof_objfile *o = calloc(1, sizeof *o);
    size_t dl = debug_dir ? strlen(debug_dir) : 0;
    if (o)
        o->debuginfo_path = malloc(dl + 32);
    if (!o || !o->debuginfo_path) {
        close(fd);
        if (o)
            free(o);
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    /* Separate debug files: beside the file, in its .debug folder, and in
     * the debug directory by build id and by path (libdw's search). */
    snprintf(o->debuginfo_path, dl + 32, ":.debug:%s", debug_dir ? debug_dir : "/usr/lib/debug");
    o->callbacks.find_elf = dwfl_build_id_find_elf;
    o->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    o->callbacks.section_address = dwfl_offline_section_address;
    o->callbacks.debuginfo_path = &o->debuginfo_path;
    elf_version(EV_CURRENT);
    o->dwfl = dwfl_begin(&o->callbacks);
    if (!o->dwfl) {
        close(fd);
        pprof_objfile_free(o);
        return pprof_error_set(err, PPROF_ENOMEM, "%s: %s", path, dwfl_errmsg(-1));
    }
    dwfl_report_begin(o->dwfl);
    const char *base = strrchr(path, '/');
    o->mod = dwfl_report_elf(o->dwfl, base ? base + 1 : path, path, fd, 0, true);
    dwfl_report_end(o->dwfl, NULL, NULL);
    if (!o->mod) {
        close(fd);
        rc = pprof_error_set(err, PPROF_EFORMAT, "%s: %s", path, dwfl_errmsg(-1));
        pprof_objfile_free(o);
        return rc;
    }
    Elf *elf = dwfl_module_getelf(o->mod, &o->bias);
    GElf_Ehdr eh;
    size_t nph;
    if (!elf || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph) != 0) {
        rc = fail(err, PPROF_EFORMAT, path, "malformed ELF headers");
        pprof_objfile_free(o);
        return rc;
    }
    /* A truncated file (its section table or a segment past the end)
     * would only give fewer names without saying why. */
    if (eh.e_shoff > fsize || (uint64_t)eh.e_shnum * eh.e_shentsize > fsize - eh.e_shoff) {
        rc = fail(err, PPROF_EFORMAT, path, "truncated ELF file (section headers past the end)");
        pprof_objfile_free(o);
        return rc;
    }
    o->e_type = eh.e_type;
    o->e_machine = eh.e_machine;
    if (nph > 4096)
        nph = 4096;
    o->loads = calloc(nph ? nph : 1, sizeof *o->loads);
    if (!o->loads) {
        pprof_objfile_free(o);
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_filesz == 0)
            continue;
        if (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset) {
            rc = fail(err, PPROF_EFORMAT, path, "truncated ELF file (a segment past the end)");
            pprof_objfile_free(o);
            return rc;
        }
        o->loads[o->n_loads++] = ph;
    }
    const unsigned char *bits;
    GElf_Addr vaddr;
    int n = dwfl_module_build_id(o->mod, &bits, &vaddr);
    for (int i = 0; i < n && i < 64; i++)
        snprintf(o->build_id + 2 * i, 3, "%02x", bits[i]);
    *out = o;
    return 0;
}

void pprof_objfile_free(pprof_objfile *o)
{
    if (!o)
        return;
    pprof_dwarf_index_free(o->dwarf);
    pprof_symtab_index_free(o->symtab);
    if (o->dwfl)
        dwfl_end(o->dwfl);
    free(o->debuginfo_path);
    free(o->loads);
    free(o);
}

const char *pprof_objfile_build_id(const pprof_objfile *o)
{
    return o->build_id;
}

int pprof_objfile_object_address(const pprof_objfile *o, uint64_t start, uint64_t limit, uint64_t offset,
                                 uint64_t addr, uint64_t *objaddr, pprof_error *err)
{
    /* A mapping without layout (a fake mapping, a kernel image) holds
     * object addresses already. */
    if (start == 0 && offset == 0 && (limit == 0 || limit == UINT64_MAX)) {
        *objaddr = addr;
        return 0;
    }
    if (addr < start || (limit > start && addr >= limit))
        return pprof_error_set(err, PPROF_EINVAL,
                               "specified address %#" PRIx64 " is outside the mapping range [%#" PRIx64
                               ", %#" PRIx64 "]",
                               addr, start, limit);
    if (o->e_type == ET_REL)
        return pprof_error_set(err, PPROF_EINVAL, "relocatable objects are not supported");
    /* The file offset the address was loaded from picks the segment (the
     * mapping may hold several, and its start need not be a segment's). */
    uint64_t fo = addr - start + offset;
    for (size_t i = 0; i < o->n_loads; i++) {
        const GElf_Phdr *ph = &o->loads[i];
        if (fo >= ph->p_offset && fo - ph->p_offset < ph->p_filesz) {
            *objaddr = fo - ph->p_offset + ph->p_vaddr;
            return 0;
        }
    }
    /* A non-PIE executable whose mapping was described by its load address
     * rather than its file offset: the address is already an object one. */
    if (o->e_type == ET_EXEC)
        for (size_t i = 0; i < o->n_loads; i++) {
            const GElf_Phdr *ph = &o->loads[i];
            if (addr >= ph->p_vaddr && addr - ph->p_vaddr < ph->p_memsz) {
                *objaddr = addr;
                return 0;
            }
        }
    return pprof_error_set(err, PPROF_EINVAL, "no segment of the file holds address %#" PRIx64, addr);
}

/* The indexes, made on first use (NULL when out of memory: no names). */
static pprof_dwarf_index *dwarf_index(pprof_objfile *o)
{
    if (!o->dwarf && pprof_dwarf_index_new(&o->dwarf, o->mod) != 0)
        o->dwarf = NULL;
    return o->dwarf;
}

static const char *symtab_find(pprof_objfile *o, Dwarf_Addr addr, Dwarf_Addr *start, uint64_t *size)
{
    if (!o->symtab && pprof_symtab_index_new(&o->symtab, o->mod) != 0)
        return NULL;
    return pprof_symtab_index_find(o->symtab, addr, start, size);
}

bool pprof_objfile_symbol(pprof_objfile *o, uint64_t a, const char **name, uint64_t *start, uint64_t *size)
{
    Dwarf_Addr s = 0;
    uint64_t sz = 0;
    const char *n = symtab_find(o, a + o->bias, &s, &sz);
    if (!n)
        return false;
    *name = n;
    if (start)
        *start = s - o->bias;
    if (size)
        *size = sz;
    return true;
}

int pprof_objfile_frames(pprof_objfile *o, uint64_t a, bool symbols_only, pprof_frame *fr, size_t max, size_t *n)
{
    *n = 0;
    if (max == 0)
        return 0;
    Dwarf_Addr addr = a + o->bias;
    bool unlinked = false;
    pprof_dwarf_index *x = symbols_only ? NULL : dwarf_index(o);
    if (x)
        *n = pprof_dwarf_index_frames(x, addr, fr, max, &unlinked);
    /* The outermost frame's name falls back to the symbol table (DWARF
     * without names, or no DWARF at all); a mangled symbol also wins over
     * a DWARF name without linkage name (GCC gives none to functions of
     * anonymous namespaces), since only the symbol has the namespaces. */
    if (*n > 0 && fr[*n - 1].name && !unlinked)
        return 0;
    Dwarf_Addr start;
    uint64_t size;
    const char *sym = symtab_find(o, addr, &start, &size);
    if (*n > 0) {
        if (!fr[*n - 1].name || (sym && strncmp(sym, "_Z", 2) == 0))
            fr[*n - 1].name = sym && *sym ? sym : fr[*n - 1].name;
        return 0;
    }
    if (!sym || !*sym)
        return 0;
    fr[0].name = sym;
    fr[0].file = NULL;
    fr[0].line = 0;
    if (!symbols_only) {
        Dwfl_Line *dl = dwfl_module_getsrc(o->mod, addr);
        int ln = 0;
        if (dl && (fr[0].file = dwfl_lineinfo(dl, NULL, &ln, NULL, NULL, NULL)) != NULL)
            fr[0].line = ln;
    }
    *n = 1;
    return 0;
}

int pprof_objfile_machine(const pprof_objfile *o)
{
    return o->e_machine;
}

int pprof_objfile_each_symbol(pprof_objfile *o, int (*fn)(void *ctx, const char *name, uint64_t start, uint64_t size),
                              void *ctx)
{
    int n = dwfl_module_getsymtab(o->mod);
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(o->mod, i, &sym, &addr, NULL, NULL, NULL);
        if (!name || !*name || (GELF_ST_TYPE(sym.st_info) != STT_FUNC && GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC) ||
            sym.st_shndx == SHN_UNDEF || addr < o->bias)
            continue;
        int rc = fn(ctx, name, addr - o->bias, sym.st_size);
        if (rc)
            return rc;
    }
    return 0;
}

int pprof_objfile_read(pprof_objfile *o, uint64_t addr, void *buf, size_t len, size_t *got)
{
    *got = 0;
    GElf_Addr bias;
    Elf *elf = dwfl_module_getelf(o->mod, &bias);
    size_t size = 0;
    const char *raw = elf ? elf_rawfile(elf, &size) : NULL;
    if (!raw)
        return PPROF_EIO;
    for (size_t i = 0; i < o->n_loads; i++) {
        const GElf_Phdr *ph = &o->loads[i];
        if (addr < ph->p_vaddr || addr - ph->p_vaddr >= ph->p_filesz)
            continue;
        uint64_t off = ph->p_offset + (addr - ph->p_vaddr);
        uint64_t n = ph->p_filesz - (addr - ph->p_vaddr);
        if (n > len)
            n = len;
        if (off > size || n > size - off)
            return PPROF_EFORMAT;
        memcpy(buf, raw + off, n);
        *got = n;
        return 0;
    }
    return PPROF_ENOTFOUND;
}
