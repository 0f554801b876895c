/* symbolize.c: pprof's -symbolize modes and local symbolization: finding each mapping's binary, checking its build id, naming its locations. */
#define _GNU_SOURCE /* memfd_create, for the vDSO image */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

/* Frames kept per address (deeper inline chains are cut). */
enum { MAX_FRAMES = 64 };

/* ---------------------------------------------------------------- options */

int pprof_symbolize_parse(pprof_symbolize_options *out, const char *value, pprof_error *err)
{
    memset(out, 0, sizeof *out);
    out->local = out->remote = true; /* the default: local, then remote */
    bool bad = false;
    const char *s = value ? value : "";
    while (*s) {
        const char *e = strchr(s, ':');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char part[64];
        if (n >= sizeof part) {
            bad = true;
        } else {
            for (size_t i = 0; i < n; i++)
                part[i] = (char)tolower((unsigned char)s[i]);
            part[n] = 0;
            static const struct {
                const char *name;
                int what;
            } words[] = {{"", 0}, {"none", 1}, {"no", 1}, {"local", 2}, {"fastlocal", 3}, {"remote", 4},
                         {"force", 5}, {"demangle=none", 6}, {"demangle=full", 7},
                         {"demangle=templates", 8}, {"demangle=default", 9}};
            int what = -1;
            for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
                if (strcmp(part, words[i].name) == 0)
                    what = words[i].what;
            switch (what) {
            case 0:
            case 9:
                break;
            case 1:
                out->none = true;
                break;
            case 2:
                out->local = true;
                out->remote = false;
                break;
            case 3:
                out->local = out->fast = true;
                out->remote = false;
                break;
            case 4:
                out->remote = true;
                out->local = false;
                break;
            case 5:
                out->force = true;
                break;
            case 6:
            case 7:
            case 8:
                out->demangle = what == 6   ? PPROF_DEMANGLE_NONE
                                : what == 7 ? PPROF_DEMANGLE_FULL
                                            : PPROF_DEMANGLE_TEMPLATES;
                out->force = true;
                break;
            default:
                bad = true;
            }
        }
        s += n;
        if (*s == ':')
            s++;
    }
    if (bad)
        return pprof_error_set(err, PPROF_EINVAL, "ignoring unrecognized symbolization option: %s", value);
    return 0;
}

/* ---------------------------------------------------------------- session */

typedef struct fn_entry {
    pprof_str name, file;
    uint32_t index; /* the function's index */
} fn_entry;

/* One symbolization run: the profile, the options and the functions made
 * so far (deduplicated by name and file, as pprof does). */
typedef struct session {
    pprof_profile *p;
    const pprof_symbolize_options *opt;
    fn_entry *fns;
    size_t n_fns, cap_fns;
    uint32_t *fn_slots; /* the toolkit's index over fns */
    size_t fn_mask;
    bool missing; /* some binary was not found */
    char *found;  /* where the last usable candidate was */
    size_t found_len;
} session;

static void warn(const session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const session *s, const char *fmt, ...)
{
    if (!s->opt->warn)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->opt->warn(s->opt->warn_ctx, msg);
}

static uint64_t fn_hash(pprof_str name, pprof_str file)
{
    return pprof_hash_u64(((uint64_t)name << 32) | file);
}

static uint64_t fn_entry_hash(const void *ctx, size_t i)
{
    const fn_entry *e = &((const session *)ctx)->fns[i];
    return fn_hash(e->name, e->file);
}

/* The function for (name, file), made once per run. */
static int function_for(uint32_t *out, session *s, const char *name, const char *file)
{
    pprof_str n, f;
    int rc = pprof_profile_intern(&n, s->p, name, strlen(name));
    if (!rc)
        rc = pprof_profile_intern(&f, s->p, file ? file : "", file ? strlen(file) : 0);
    if (rc)
        return rc;
    size_t h = fn_hash(n, f) & s->fn_mask;
    for (uint32_t e; s->fn_slots && (e = s->fn_slots[h]) != 0; h = (h + 1) & s->fn_mask) {
        if (s->fns[e - 1].name == n && s->fns[e - 1].file == f) {
            *out = s->fns[e - 1].index;
            return 0;
        }
    }
    pprof_function fn = {.id = s->p->n_functions + 1, .name = n, .system_name = n, .filename = f};
    uint32_t idx;
    if ((rc = pprof_profile_add_function(&idx, s->p, &fn)))
        return rc;
    if (PPROF_GROW(s->fns, s->cap_fns, s->n_fns + 1))
        return PPROF_ENOMEM;
    s->fns[s->n_fns++] = (fn_entry){n, f, idx};
    *out = idx;
    if (!s->fn_slots || s->n_fns * 2 > s->fn_mask + 1)
        return pprof_slots_rebuild(&s->fn_slots, &s->fn_mask, s->fn_slots ? (s->fn_mask + 1) * 2 : 256, s->n_fns,
                                   fn_entry_hash, s);
    s->fn_slots[h] = (uint32_t)s->n_fns;
    return 0;
}

/* Gives location loc the frames (innermost first). */
static int set_frames(session *s, uint32_t loc, const pprof_frame *fr, size_t n)
{
    pprof_line lines[MAX_FRAMES];
    size_t k = 0;
    for (size_t i = 0; i < n && k < MAX_FRAMES; i++) {
        if (!fr[i].name)
            continue;
        int rc = function_for(&lines[k].function, s, fr[i].name, fr[i].file);
        if (rc)
            return rc;
        lines[k].line = fr[i].line;
        lines[k].column = 0;
        k++;
    }
    if (k == 0)
        return 0;
    return pprof_profile_set_lines(s->p, loc, lines, k);
}

/* ---------------------------------------------------------------- finding binaries */

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* Tries one candidate file: 1 when it is usable (*out set), 0 when it is
 * absent or unusable, negative on ENOMEM. A build id mismatch is said. */
static int try_candidate(pprof_objfile **out, session *s, const char *path, const char *bid)
{
    pprof_error e;
    pprof_objfile *o;
    int rc = pprof_objfile_open(&o, path, s->opt->debug_dir, &e);
    if (rc == PPROF_ENOMEM)
        return rc;
    if (rc)
        return 0;
    const char *got = pprof_objfile_build_id(o);
    if (bid && *bid && strcasecmp(bid, got) != 0) {
        warn(s, "Ignoring local file %s: build-id mismatch (%s != %s)", path, bid, got);
        pprof_objfile_free(o);
        return 0;
    }
    *out = o;
    if (s->found)
        snprintf(s->found, s->found_len, "%s", path);
    return 1;
}

static int try_path(pprof_objfile **out, session *s, const char *bid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int try_path(pprof_objfile **out, session *s, const char *bid, const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof path)
        return 0;
    return try_candidate(out, s, path, bid);
}

/* Every file in D/<bid>/ (bounded: a directory of junk must not take long). */
static int try_dir_entries(pprof_objfile **out, session *s, const char *dir, const char *bid)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, bid) >= sizeof path)
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int rc = 0, seen = 0;
    for (struct dirent *e; rc == 0 && seen < 64 && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        seen++;
        rc = try_path(out, s, bid, "%s/%s", path, e->d_name);
    }
    closedir(d);
    return rc;
}

/* pprof's search through $PPROF_BINARY_PATH, then perf's build-id cache
 * and the debug directory by build id. 1 with *out set when found. */
static int search_binary(pprof_objfile **out, session *s, const char *file, const char *bid, char *found,
                         size_t found_len)
{
    s->found = found;
    s->found_len = found_len;
    const pprof_symbolize_options *o = s->opt;
    char deflt[4096];
    const char *list = o->binary_path;
    if (!list && o->home) {
        snprintf(deflt, sizeof deflt, "%s/pprof/binaries", o->home);
        list = deflt;
    }
    const char *base = base_name(file);
    /* A path that is only a name has no directory part to search by. */
    const char *slash = strrchr(file, '/');
    int dirlen = slash ? (int)(slash - file) : 0;
    int rc = 0;
    while (list && *list && rc == 0) {
        const char *e = strchr(list, ':');
        int n = e ? (int)(e - list) : (int)strlen(list);
        char dir[2048];
        if (n > 0 && (size_t)n < sizeof dir) {
            memcpy(dir, list, (size_t)n);
            dir[n] = 0;
            if (bid && *bid) {
                if (!rc && *base)
                    rc = try_path(out, s, bid, "%s/%s/%s", dir, bid, base);
                if (!rc)
                    rc = try_dir_entries(out, s, dir, bid);
                if (!rc && *file)
                    rc = try_path(out, s, bid, "%s/%s/%s", dir, file, bid);
                if (!rc && strlen(bid) > 2)
                    rc = try_path(out, s, bid, "%s/%.2s/%s.debug", dir, bid, bid + 2);
            }
            if (!rc && *base)
                rc = try_path(out, s, bid, "%s/%s", dir, base);
            if (!rc && *file && strcmp(file, base) != 0)
                rc = try_path(out, s, bid, "%s/%s", dir, file);
            if (!rc && *file)
                rc = try_path(out, s, bid, "%s/%s.debug", dir, file);
            if (!rc && slash)
                rc = try_path(out, s, bid, "%s/%.*s/.debug/%s.debug", dir, dirlen, file, base);
            if (!rc && slash)
                rc = try_path(out, s, bid, "%s/usr/lib/debug/%.*s/%s.debug", dir, dirlen, file, base);
        }
        list += n;
        if (*list == ':')
            list++;
    }
    if (!rc && bid && *bid && o->home && *file == '/')
        rc = try_path(out, s, bid, "%s/.debug%s/%s/elf", o->home, file, bid);
    if (!rc && bid && strlen(bid) > 2)
        rc = try_path(out, s, bid, "%s/.build-id/%.2s/%s.debug", o->debug_dir ? o->debug_dir : "/usr/lib/debug",
                      bid, bid + 2);
    return rc;
}

/* Mappings pprof never looks up: no file, pseudo files ([vdso], [heap]),
 * the vDSO image, GPU memory, anonymous and memfd memory, and URLs. */
static bool skipped_file(const char *file, const char *bid)
{
    const char *base = base_name(file);
    return !*file || base[0] == '[' || strncmp(base, "linux-vdso", 10) == 0 || strncmp(file, "/dev/dri/", 9) == 0 ||
           strncmp(file, "//anon", 6) == 0 || strncmp(file, "/memfd:", 7) == 0 ||
           ((strncmp(file, "http://", 7) == 0 || strncmp(file, "https://", 8) == 0) && !(bid && *bid));
}

/* ---------------------------------------------------------------- kernel */

/* A symbol of a table read from text (kallsyms, a JIT's perf map). */
typedef struct ksym {
    uint64_t addr;
    uint64_t size; /* 0: up to the next symbol */
    size_t seq;    /* line number: of equal addresses the last line wins */
    size_t name;   /* offset into the names text */
} ksym;

static int ksym_cmp(const void *a, const void *b)
{
    const ksym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A table of symbols being read: the symbols and their names' text. */
typedef struct ksym_table {
    ksym *t;
    size_t n, cap;
    char *text;
    size_t tlen, tcap;
} ksym_table;

/* Appends a symbol and its name. */
static int ksym_add(ksym_table *k, uint64_t addr, uint64_t size, const char *name, size_t nl)
{
    if (PPROF_GROW(k->t, k->cap, k->n + 1) || PPROF_GROW(k->text, k->tcap, k->tlen + nl + 1))
        return PPROF_ENOMEM;
    memcpy(k->text + k->tlen, name, nl);
    k->text[k->tlen + nl] = 0;
    k->t[k->n] = (ksym){addr, size, k->n, k->tlen};
    k->tlen += nl + 1;
    k->n++;
    return 0;
}

/* Ends reading: on rc 0 the table sorted into *out, *n_out and *text,
 * else everything freed. Returns rc. */
static int ksym_finish(ksym_table *k, int rc, ksym **out, size_t *n_out, char **text)
{
    if (rc) {
        free(k->t);
        free(k->text);
        return rc;
    }
    if (k->n)
        qsort(k->t, k->n, sizeof *k->t, ksym_cmp);
    *out = k->t;
    *n_out = k->n;
    *text = k->text;
    return 0;
}

/* Kernel text symbols from a kallsyms file ("addr type name [module]"),
 * sorted. All-zero addresses (kptr_restrict) give none. */
static int load_kallsyms(ksym **out, size_t *n_out, char **text, const char *path)
{
    *out = NULL;
    *n_out = 0;
    *text = NULL;
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    ksym_table k = {0};
    char line[512];
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f) && k.n < (1u << 24)) {
        char *end;
        uint64_t a = strtoull(line, &end, 16);
        if (end == line || *end != ' ' || a == 0 || !end[1] || !strchr("tTwW", end[1]) || end[2] != ' ')
            continue;
        char *name = end + 3;
        name[strcspn(name, " \t\n")] = 0;
        rc = ksym_add(&k, a, 0, name, strlen(name));
    }
    fclose(f);
    return ksym_finish(&k, rc, out, n_out, text);
}

static const char *ksym_find(const ksym *t, size_t n, const char *text, uint64_t a)
{
    size_t lo = pprof_sorted_count_le(t, n, sizeof *t, offsetof(ksym, addr), a);
    if (!lo || (t[lo - 1].size && a - t[lo - 1].addr >= t[lo - 1].size))
        return NULL;
    return text + t[lo - 1].name;
}

static bool is_kernel(const char *file)
{
    return strncmp(file, "[kernel.kallsyms]", 17) == 0;
}

/* Names mapping mi's locations (runtime addresses) from table t. */
static int symbolize_from_table(session *s, uint32_t mi, const ksym *t, size_t n, const char *text)
{
    pprof_profile *p = s->p;
    size_t named = 0;
    int rc = 0;
    for (uint32_t i = 0; i < p->n_locations && !rc; i++) {
        pprof_location *l = &p->locations[i];
        if (l->mapping != mi || (l->n_lines && !s->opt->force) || !l->address)
            continue;
        pprof_frame fr = {ksym_find(t, n, text, l->address), NULL, 0};
        if (fr.name) {
            rc = set_frames(s, i, &fr, 1);
            named++;
        }
    }
    if (!rc && named)
        p->mappings[mi].has_functions = true;
    return rc;
}

static int symbolize_kernel(session *s, uint32_t mi)
{
    ksym *t;
    size_t n;
    char *text;
    int rc = load_kallsyms(&t, &n, &text, s->opt->kallsyms);
    if (rc)
        return rc;
    if (n == 0)
        warn(s, "Local symbolization failed for [kernel.kallsyms]: no kernel symbols readable in %s",
             s->opt->kallsyms);
    else
        rc = symbolize_from_table(s, mi, t, n, text);
    free(t);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- JIT maps */

/* /tmp/perf-<pid>.map: the file perf reads for the names of a process's
 * anonymous executable memory, which a JIT writes. */
static bool is_perf_map(const char *file)
{
    if (strncmp(file, "/tmp/perf-", 10) != 0 || !isdigit((unsigned char)file[10]))
        return false;
    const char *p = file + 10;
    while (isdigit((unsigned char)*p))
        p++;
    return strcmp(p, ".map") == 0;
}

/* Lines "START SIZE name" (hexadecimal, 0x optional; the name is the rest
 * of the line). Lines that do not parse or are too long are skipped; the
 * table is bounded (2^24 symbols, 2^28 bytes of names). */
static int load_perf_map(ksym **out, size_t *n_out, char **text, FILE *f)
{
    *out = NULL;
    *n_out = 0;
    *text = NULL;
    ksym_table k = {0};
    char line[4096];
    int rc = 0;
    bool whole = true; /* the previous read ended its line */
    while (!rc && fgets(line, sizeof line, f) && k.n < (1u << 24) && k.tlen < (1u << 28)) {
        size_t len = strlen(line);
        bool starts = whole;
        whole = len > 0 && line[len - 1] == '\n';
        if (!starts || !whole)
            continue; /* the rest of a long line, or a long line */
        line[--len] = 0;
        char *end, *end2;
        uint64_t a = strtoull(line, &end, 16);
        if (end == line || *end != ' ')
            continue;
        uint64_t size = strtoull(end + 1, &end2, 16);
        if (end2 == end + 1 || *end2 != ' ' || size == 0 || !end2[1])
            continue;
        rc = ksym_add(&k, a, size, end2 + 1, strlen(end2 + 1));
    }
    return ksym_finish(&k, rc, out, n_out, text);
}

static int symbolize_perf_map(session *s, uint32_t mi, const char *file)
{
    FILE *f = fopen(file, "re");
    if (!f) {
        s->missing = true;
        warn(s, "Local symbolization failed for %s: %s", base_name(file), strerror(errno));
        return 0;
    }
    ksym *t;
    size_t n;
    char *text;
    int rc = load_perf_map(&t, &n, &text, f);
    fclose(f);
    if (!rc)
        rc = symbolize_from_table(s, mi, t, n, text);
    free(t);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- vDSO */

/* The image of [vdso]: perf's build-id cache keeps it (~/.debug/[vdso]/
 * <build id>/vdso); without it, this process's own vDSO stands for it
 * when its build id is the recorded one, or, with running_vdso (the
 * profile was recorded on this machine, as perf assumes), when none is
 * recorded. The image is copied into an anonymous file for elfutils. 1
 * with *out set when found, 0 when not, negative on ENOMEM. */
static int open_vdso(pprof_objfile **out, session *s, const char *bid)
{
    if (*bid && s->opt->home) {
        int rc = try_path(out, s, bid, "%s/.debug/[vdso]/%s/vdso", s->opt->home, bid);
        if (rc)
            return rc;
    }
    if (!*bid && !s->opt->running_vdso)
        return 0;
#if defined(__linux__) && defined(AT_SYSINFO_EHDR)
    uintptr_t base = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    if (!base)
        return 0;
    /* Its size: the [vdso] line of our own maps. */
    FILE *maps = fopen("/proc/self/maps", "re");
    if (!maps)
        return 0;
    char line[512];
    uint64_t lo = 0, hi = 0;
    bool found = false;
    while (!found && fgets(line, sizeof line, maps))
        found = strstr(line, "[vdso]") && sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) == 2 && lo == base &&
                hi > lo && hi - lo <= (64u << 20);
    fclose(maps);
    if (!found)
        return 0;
    int fd = memfd_create("vdso", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    int rc = 0;
    size_t size = (size_t)(hi - lo), done = 0;
    while (done < size) {
        ssize_t w = write(fd, (const char *)base + done, size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (done == size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        pprof_error e;
        pprof_objfile *o;
        rc = pprof_objfile_open(&o, path, NULL, &e);
        if (rc == PPROF_ENOMEM) {
            close(fd);
            return rc;
        }
        if (rc == 0 && *bid && strcasecmp(bid, pprof_objfile_build_id(o)) != 0) {
            warn(s, "Local symbolization failed for [vdso] (build ID %s): not in perf's build-id cache, and this "
                    "machine's vDSO is another (build ID %s)",
                 bid, pprof_objfile_build_id(o));
            pprof_objfile_free(o);
            rc = 0;
        } else if (rc == 0) {
            *out = o;
            rc = 1;
        } else {
            rc = 0;
        }
    }
    close(fd);
    return rc;
#else
    return 0;
#endif
}

/* ---------------------------------------------------------------- mappings */

static int symbolize_mapping(session *s, uint32_t mi)
{
    pprof_profile *p = s->p;
    pprof_mapping *m = &p->mappings[mi];
    const char *file = pprof_string(p, m->file), *bid = pprof_string(p, m->build_id);
    if (s->opt->kallsyms && is_kernel(file))
        return symbolize_kernel(s, mi);
    if (!*file) {
        if (mi == 0)
            warn(s, "Main binary filename not available.");
        else
            s->missing = true;
        return 0;
    }
    if (is_perf_map(file))
        return symbolize_perf_map(s, mi, file);
    bool vdso = strcmp(file, "[vdso]") == 0;
    if (!vdso && skipped_file(file, bid))
        return 0;
    char name[1024];
    snprintf(name, sizeof name, *bid ? "%s (build ID %s)" : "%s", base_name(file), bid);
    pprof_objfile *o = NULL;
    char found[4096] = "";
    int rc = vdso ? open_vdso(&o, s, bid) : search_binary(&o, s, file, bid, found, sizeof found);
    if (rc < 0)
        return rc;
    if (vdso && rc == 0)
        return 0; /* a pseudo file: nothing to open by its name */
    if (vdso)
        found[0] = 0; /* the mapping keeps its name [vdso] */
    /* As pprof: the file found stands for the mapping from now on (-disasm
     * reads it; File: names it). */
    if (rc > 0 && *found && strcmp(found, file) != 0) {
        int irc = pprof_profile_intern(&p->mappings[mi].file, p, found, strlen(found));
        if (irc) {
            pprof_objfile_free(o);
            return irc;
        }
        m = &p->mappings[mi];
    }
    if (rc == 0) {
        /* The recorded path itself, last. */
        pprof_error e;
        rc = pprof_objfile_open(&o, file, s->opt->debug_dir, &e);
        if (rc == PPROF_ENOMEM)
            return rc;
        if (rc) {
            s->missing = true;
            warn(s, "Local symbolization failed for %s: %s", name, e.msg);
            return 0;
        }
        const char *got = pprof_objfile_build_id(o);
        if (*bid && *got && strcasecmp(bid, got) != 0) {
            /* Never names from another build: they would be wrong names. */
            warn(s, "Local symbolization failed for %s: build ID mismatch", name);
            pprof_objfile_free(o);
            return 0;
        }
    }
    pprof_frame fr[MAX_FRAMES];
    bool fns = false, files = false, lines = false, any = false;
    bool said = false;
    pprof_error e;
    rc = 0;
    for (uint32_t i = 0; i < p->n_locations && !rc; i++) {
        pprof_location *l = &p->locations[i];
        if (l->mapping != mi || (l->n_lines && !s->opt->force) || !l->address)
            continue;
        uint64_t a;
        if (pprof_objfile_object_address(o, m->start, m->limit, m->offset, l->address, &a, &e) != 0) {
            if (!said)
                warn(s, "Local symbolization failed for %s: %s", name, e.msg);
            said = true;
            continue;
        }
        size_t n;
        pprof_objfile_frames(o, a, s->opt->fast, fr, MAX_FRAMES, &n);
        if (n == 0)
            continue;
        rc = set_frames(s, i, fr, n);
        any = true;
        for (size_t k = 0; k < n; k++) {
            fns |= fr[k].name != NULL;
            files |= fr[k].file != NULL;
            lines |= fr[k].line != 0;
        }
    }
    pprof_objfile_free(o);
    if (!rc && any) {
        m = &p->mappings[mi];
        m->has_functions |= fns;
        m->has_filenames |= files;
        m->has_line_numbers |= lines;
        m->has_inline_frames = true;
    }
    return rc;
}

int pprof_symbolize_local(pprof_profile *p, const pprof_symbolize_options *opt, pprof_error *err)
{
    if (opt->none || !opt->local)
        return 0;
    session s = {.p = p, .opt = opt};
    /* Only mappings with locations to name are looked up. */
    bool *wanted = calloc(p->n_mappings + 1, sizeof *wanted);
    if (!wanted)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n_locations; i++) {
        const pprof_location *l = &p->locations[i];
        if (l->mapping < p->n_mappings && l->address && (opt->force || !l->n_lines))
            wanted[l->mapping] = true;
    }
    int rc = 0;
    for (uint32_t mi = 0; mi < p->n_mappings && !rc; mi++)
        if (wanted[mi] && (opt->force || !(p->mappings[mi].has_functions || p->mappings[mi].has_filenames ||
                                           p->mappings[mi].has_line_numbers)))
            rc = symbolize_mapping(&s, mi);
    free(wanted);
    free(s.fns);
    free(s.fn_slots);
    if (rc)
        return pprof_error_set(err, rc, "symbolization: %s", pprof_strerror(rc));
    if (s.missing) {
        warn(&s, "Some binary filenames not available. Symbolization may be incomplete.");
        warn(&s, "Try setting PPROF_BINARY_PATH to the search path for local binaries.");
    }
    return 0;
}

int pprof_symbolize(pprof_profile *p, const pprof_symbolize_options *opt, pprof_error *err)
{
    if (opt->none)
        return 0;
    int rc = pprof_symbolize_local(p, opt, err);
    if (!rc && pprof_profile_demangle(p, opt->demangle, opt->force))
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return rc;
}
