/* symbolize_remote.c: pprof's /debug/pprof/symbol protocol: the request body of a mapping's unnamed addresses, and applying the reply. */
#include "internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

int pprof_symbolize_remote_body(pprof_buf *out, const pprof_profile *p, uint32_t m, bool force, uint64_t shift)
{
    (void)force;
    bool first = true;
    for (size_t i = 0; i < p->n_locations; i++) {
        const pprof_location *l = &p->locations[i];
        if (l->mapping != m || !l->address || l->n_lines)
            continue;
        if (pprof_buf_printf(out, "%s%#" PRIx64, first ? "" : "+", l->address + shift))
            return PPROF_ENOMEM;
        first = false;
    }
    return out->failed ? PPROF_ENOMEM : 0;
}

typedef struct named {
    uint64_t addr;
    pprof_str name;
    uint32_t function;
} named;

static int cmp_name(const void *a, const void *b)
{
    const named *x = a, *y = b;
    return x->name < y->name ? -1 : x->name > y->name;
}

static int cmp_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int pprof_symbolize_remote_apply(pprof_profile *p, uint32_t m, const char *reply, size_t len, uint64_t shift,
                                 pprof_error *err)
{
    named *t = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    /* Lines "0x<hex> <name>"; anything else is skipped. As in pprof, a
     * last line without its newline does not count. */
    for (size_t at = 0; at < len && !rc;) {
        const char *line = reply + at;
        const char *nl = memchr(line, '\n', len - at);
        if (!nl)
            break;
        size_t ll = (size_t)(nl - line);
        at += ll + 1;
        if (ll < 3 || line[0] != '0' || (line[1] != 'x' && line[1] != 'X') || !isxdigit((unsigned char)line[2]))
            continue;
        size_t k = 2;
        uint64_t a = 0;
        bool overflow = false;
        for (; k < ll && isxdigit((unsigned char)line[k]); k++) {
            int d = isdigit((unsigned char)line[k]) ? line[k] - '0' : (tolower((unsigned char)line[k]) - 'a' + 10);
            overflow |= a >> 60 != 0;
            a = a << 4 | (uint64_t)d;
        }
        if (overflow || k == ll || !isspace((unsigned char)line[k]))
            continue;
        while (k < ll && isspace((unsigned char)line[k]) && line[k] != '\n')
            k++;
        size_t nlen = ll - k;
        if (nlen && line[k + nlen - 1] == '\r')
            nlen--;
        pprof_str s;
        if ((rc = pprof_profile_intern(&s, p, line + k, nlen)))
            break;
        if (PPROF_GROW(t, cap, n + 1)) {
            rc = PPROF_ENOMEM;
            break;
        }
        t[n++] = (named){a - shift, s, 0};
    }
    /* One function per distinct name: sorted by name, then by address. */
    if (!rc && n)
        qsort(t, n, sizeof *t, cmp_name);
    for (size_t i = 0; !rc && i < n; i++) {
        if (i > 0 && t[i].name == t[i - 1].name) {
            t[i].function = t[i - 1].function;
            continue;
        }
        pprof_function fn = {.id = p->n_functions + 1, .name = t[i].name, .system_name = t[i].name};
        rc = pprof_profile_add_function(&t[i].function, p, &fn);
    }
    if (!rc && n)
        qsort(t, n, sizeof *t, cmp_named);
    bool any = false;
    for (size_t i = 0; !rc && n && i < p->n_locations; i++) {
        pprof_location *l = &p->locations[i];
        if (l->mapping != m || l->n_lines)
            continue;
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t[mid].addr < l->address)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && t[lo].addr == l->address) {
            pprof_line line = {.function = t[lo].function};
            rc = pprof_profile_set_lines(p, (uint32_t)i, &line, 1);
            any = true;
        }
    }
    if (!rc && any)
        p->mappings[m].has_functions = true;
    free(t);
    if (rc)
        return pprof_error_set(err, rc, "remote symbolization: %s", pprof_strerror(rc));
    return 0;
}
