/* prune.c: the profile's own drop_frames/keep_frames pruning (pprof's RemoveUninteresting), applied on load,
 * and pprof's simplified function names it (and -prune_from) match against. */
#include "internal.h"
#include "regex.h"


/* pprof's simplifyFunc: no leading '.', no argument list (keeping the
 * parentheses of "(anonymous namespace)" and "operator()"). */
size_t pprof_simplified_name(const char *name, size_t len, size_t *start)
{
    *start = len > 0 && name[0] == '.' ? 1 : 0;
    for (size_t i = *start; i < len; i++) {
        if (name[i] != '(')
            continue;
        static const char anon[] = "(anonymous namespace)";
        if (len - i >= sizeof anon - 1 && memcmp(name + i, anon, sizeof anon - 1) == 0) {
            i += sizeof anon - 2;
            continue;
        }
        if (i >= 8 && memcmp(name + i - 8, "operator", 8) == 0 && i + 1 < len && name[i + 1] == ')') {
            i++;
            continue;
        }
        return i - *start;
    }
    return len - *start;
}


/* Compiles regexp s anchored at both ends, as pprof does for these; returns
 * 0 (*out NULL when s is empty), 1 when it does not compile, or ENOMEM. */
static int compile_anchored(pprof_regex **out, const pprof_profile *p, pprof_str s, pprof_error *err)
{
    *out = NULL;
    if (s == 0 || p->string_lens[s] == 0)
        return 0;
    size_t n = p->string_lens[s] + 4; /* "^(" s ")$" */
    char *pattern = malloc(n + 1);
    if (!pattern)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    memcpy(pattern, "^(", 2);
    memcpy(pattern + 2, p->strings[s], p->string_lens[s]);
    memcpy(pattern + n - 2, ")$", 3);
    /* A drop_frames that does not compile is ignored, as in pprof. */
    int rc = pprof_regex_compile(out, pattern, n, NULL);
    free(pattern);
    return rc ? 1 : 0;
}

static bool name_matches(const pprof_regex *re, const pprof_profile *p, pprof_str name)
{
    size_t start, n = pprof_simplified_name(p->strings[name], p->string_lens[name], &start);
    return pprof_regex_match(re, p->strings[name] + start, n);
}

/* What pruning does to a location. */
enum { KEEP = 0, DROP_ALL = 1, DROP_INNER = 2 };

int pprof_profile_prune_frames(pprof_profile *p, pprof_error *err)
{
    pprof_regex *drop, *keep = NULL;
    int rc = compile_anchored(&drop, p, p->drop_frames, err);
    if (!rc && drop)
        rc = compile_anchored(&keep, p, p->keep_frames, err);
    /* pprof prunes nothing, and says nothing, when either does not compile. */
    if (rc || !drop) {
        pprof_regex_free(drop);
        pprof_regex_free(keep);
        return rc < 0 ? rc : 0;
    }
    /* Per function: 1 when it is to be dropped, 2 when not, 0 not known yet. */
    uint8_t *fn_drop = calloc(p->n_functions + 1, 1);
    uint8_t *what = calloc(p->n_locations + 1, 1);
    if (!rc && (!fn_drop || !what))
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n_locations && !rc; i++) {
        pprof_location *l = &p->locations[i];
        /* From the outermost line in: the first dropped frame goes with its
         * callees; only its callers (if any) stay in the location. */
        for (uint32_t k = l->n_lines; k-- > 0;) {
            uint32_t f = p->lines[l->lines_off + k].function;
            if (!fn_drop[f]) {
                pprof_str name = p->functions[f].name;
                fn_drop[f] = name_matches(drop, p, name) && !(keep && name_matches(keep, p, name)) ? 1 : 2;
            }
            if (fn_drop[f] != 1)
                continue;
            if (k + 1 == l->n_lines) {
                what[i] = DROP_ALL;
            } else {
                what[i] = DROP_INNER;
                l->lines_off += k + 1;
                l->n_lines -= k + 1;
            }
            break;
        }
    }
    /* Per sample, from the root: frames before the first kept one stay (a
     * stack made only of dropped frames is left alone); past it, the first
     * location dropped whole goes with its callees, and the first one
     * dropped inside is the new leaf. */
    for (size_t i = 0; i < p->n_samples && !rc; i++) {
        pprof_sample *s = &p->samples[i];
        const uint32_t *locs = pprof_sample_locs(p, s); /* NULL without locations: no arithmetic on NULL */
        bool seen_kept = false;
        for (uint32_t k = s->n_locs; k-- > 0;) {
            uint8_t w = what[locs[k]];
            if (w == KEEP) {
                seen_kept = true;
                continue;
            }
            if (!seen_kept)
                continue;
            uint32_t cut = w == DROP_ALL ? k + 1 : k;
            s->locs_off += cut;
            s->n_locs -= cut;
            break;
        }
    }
    free(fn_drop);
    free(what);
    pprof_regex_free(drop);
    pprof_regex_free(keep);
    return rc;
}
