/* filter.c: pprof's sample filters, applied in place: focus/ignore/hide/show,
 * show_from, tag filters, tagshow/taghide and prune_from, in pprof's order. */
#include "idmap.h"
#include "internal.h"
#include "regex.h"

#include <stdlib.h>

/* Compiled filters; NULL where not set. */
typedef struct filters {
    pprof_regex *focus, *ignore, *hide, *show, *show_from, *prune_from, *tagshow, *taghide;
} filters;

static void filters_release(filters *f)
{
    pprof_regex_free(f->focus);
    pprof_regex_free(f->ignore);
    pprof_regex_free(f->hide);
    pprof_regex_free(f->show);
    pprof_regex_free(f->show_from);
    pprof_regex_free(f->prune_from);
    pprof_regex_free(f->tagshow);
    pprof_regex_free(f->taghide);
}

static int compile(pprof_regex **out, const char *name, const char *pattern, pprof_error *err)
{
    *out = NULL;
    if (!pattern || !*pattern)
        return 0;
    pprof_error rerr;
    int rc = pprof_regex_compile(out, pattern, strlen(pattern), &rerr);
    if (rc)
        return pprof_error_set(err, rc, "parsing argument regexp %s: %s", name, rerr.msg);
    return 0;
}

static bool match_str(const pprof_regex *re, const pprof_profile *p, pprof_str s)
{
    return pprof_regex_match(re, p->strings[s], p->string_lens[s]);
}

/* Per function: whether its name or file matches; per mapping: its file. */
typedef struct matcher {
    const pprof_regex *re;
    uint8_t *fn;  /* 0 unknown, 1 no, 2 yes */
    uint8_t *map;
} matcher;

static bool fn_matches(matcher *m, const pprof_profile *p, uint32_t f)
{
    if (!m->fn[f]) {
        const pprof_function *fn = &p->functions[f];
        m->fn[f] = match_str(m->re, p, fn->name) || match_str(m->re, p, fn->filename) ? 2 : 1;
    }
    return m->fn[f] == 2;
}

static bool map_matches(matcher *m, const pprof_profile *p, uint32_t mi)
{
    if (mi == PPROF_NONE)
        return false;
    if (!m->map[mi])
        m->map[mi] = match_str(m->re, p, p->mappings[mi].file) ? 2 : 1;
    return m->map[mi] == 2;
}

static bool loc_matches(matcher *m, const pprof_profile *p, const pprof_location *l)
{
    for (uint32_t k = 0; k < l->n_lines; k++)
        if (fn_matches(m, p, p->lines[l->lines_off + k].function))
            return true;
    return map_matches(m, p, l->mapping);
}

static int matcher_init(matcher *m, const pprof_regex *re, const pprof_profile *p)
{
    m->re = re;
    m->fn = calloc(p->n_functions + 1, 1);
    m->map = calloc(p->n_mappings + 1, 1);
    return m->fn && m->map ? 0 : PPROF_ENOMEM;
}

/* Matches every function at once, in order, their strings fetched ahead
 * in two steps (their address, then their bytes): taken location by
 * location, each function's strings were a wait on memory at random (a
 * focus on a profile of 500,000 functions spent most of its time there). */
static void matcher_all(matcher *m, const pprof_profile *p)
{
    const char **strs = p->strings;
    size_t nf = p->n_functions, ns = p->n_strings;
    for (size_t f = 0; f < nf; f++) {
        if (f + 16 < nf) {
            const pprof_function *a = &p->functions[f + 16];
            if (a->name < ns)
                __builtin_prefetch(&strs[a->name]), __builtin_prefetch(&p->string_lens[a->name]);
            if (a->filename < ns)
                __builtin_prefetch(&strs[a->filename]), __builtin_prefetch(&p->string_lens[a->filename]);
        }
        if (f + 8 < nf) {
            const pprof_function *a = &p->functions[f + 8];
            if (a->name < ns)
                __builtin_prefetch(strs[a->name]);
            if (a->filename < ns)
                __builtin_prefetch(strs[a->filename]);
        }
        fn_matches(m, p, (uint32_t)f);
    }
}

static void matcher_release(matcher *m)
{
    free(m->fn);
    free(m->map);
}

/* Gives location l the lines for which keep() says yes, as a new range at
 * the end of the line table; returns the new count. */
static int relines(pprof_profile *p, pprof_location *l, matcher *m, bool keep_matching, uint32_t *n_out)
{
    size_t need = p->n_lines + l->n_lines;
    if (PPROF_GROW(p->lines, p->internal->cap_lines.n, need))
        return PPROF_ENOMEM;
    uint32_t start = (uint32_t)p->n_lines, n = 0;
    for (uint32_t k = 0; k < l->n_lines; k++) {
        pprof_line ln = p->lines[l->lines_off + k];
        if (fn_matches(m, p, ln.function) == keep_matching)
            p->lines[start + n++] = ln;
    }
    p->n_lines += n;
    l->lines_off = start;
    l->n_lines = n;
    *n_out = n;
    return 0;
}

/* The samples of the kept stacks (keep[stack_of[i]]), in order, into
 * arrays of their own; returns their count. The profile's arrays are
 * usually shared with the process that forked this one (a web UI view):
 * moving the kept samples down in them would copy each page written, a
 * fault and a flush of the TLB each, where new arrays take fresh pages
 * (huge ones when they are big); the old ones are retired, not given back
 * to malloc to be written again. Without the memory, they move down in
 * place. */
static size_t keep_samples(pprof_profile *p, const uint32_t *stack_of, const uint8_t *keep)
{
    size_t n = p->n_samples, nt = p->n_sample_types, kept = 0, first_drop = n;
    for (size_t i = 0; i < n; i++) {
        if (keep[stack_of[i]])
            kept++;
        else if (first_drop == n)
            first_drop = i;
    }
    if (kept == n)
        return kept; /* (nothing moves: no write) */
    pprof_sample *samples = malloc((kept ? kept : 1) * sizeof *samples);
    int64_t *values = malloc((kept && nt ? kept * nt : 1) * sizeof *values);
    if (samples && values) {
        pprof_advise_huge(samples, kept * sizeof *samples);
        pprof_advise_huge(values, kept * nt * sizeof *values);
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep[stack_of[i]])
                continue;
            samples[w] = p->samples[i];
            memcpy(values + w * nt, p->values + i * nt, nt * sizeof *values);
            w++;
        }
        pprof_profile_retire(p, p->samples);
        pprof_profile_retire(p, p->values);
        p->samples = samples;
        p->values = values;
        p->internal->cap_samples.n = kept ? kept : 1;
        p->internal->cap_values.n = kept && nt ? kept * nt : 1;
        return kept;
    }
    free(samples);
    free(values);
    size_t w = first_drop;
    for (size_t i = first_drop; i < n; i++)
        if (keep[stack_of[i]])
            pprof_sample_move(p, w++, i, &p->samples[i]);
    return w;
}

/* focus and ignore alone keep or drop whole stacks: with an index, each
 * stack is decided once, and the index follows the samples kept. */
static int keep_stacks(pprof_profile *p, const int8_t *state, pprof_stack_index **xp)
{
    pprof_stack_index *x = *xp;
    uint8_t *keep = malloc(x->n_stacks ? x->n_stacks : 1);
    if (!keep) {
        pprof_stack_index_free(x);
        *xp = NULL;
        return PPROF_ENOMEM;
    }
    /* With the call tree, each of its nodes is decided once (a stack's
     * path shares its nodes with others), not each frame of each stack:
     * bit 0, a focused location on the path from the root; bit 1, an
     * ignored one. */
    uint8_t *path = x->n_tree ? malloc(x->n_tree) : NULL;
    for (size_t t = 0; path && t < x->n_tree; t++) {
        uint32_t up = x->tree_parent[t];
        int8_t s = state[x->tree_loc[t]];
        path[t] = (uint8_t)((up == PPROF_NONE ? 0 : path[up]) | (s > 0 ? 1 : s < 0 ? 2 : 0));
    }
    for (size_t k = 0; path && k < x->n_stacks; k++)
        keep[k] = x->stack_leaf[k] != PPROF_NONE && path[x->stack_leaf[k]] == 1;
    for (size_t k = 0; !path && k < x->n_stacks; k++) {
        const pprof_sample *sm = &p->samples[x->first[k]];
        const uint32_t *locs = pprof_sample_locs(p, sm);
        bool focused = false, ignored = false;
        for (uint32_t j = 0; j < sm->n_locs && !ignored; j++) {
            ignored = state[locs[j]] < 0;
            focused |= state[locs[j]] > 0;
        }
        keep[k] = focused && !ignored;
    }
    free(path);
    size_t kept = keep_samples(p, x->stack_of, keep);
    int rc = pprof_stack_index_keep(xp, p, keep);
    p->n_samples = kept;
    if (*xp) {
        (*xp)->n_samples = kept;
        (*xp)->samples = p->samples;
        (*xp)->sample_values = p->values;
    }
    free(keep);
    return rc;
}

/* focus, ignore, hide and show (pprof's FilterSamplesByName). *xp: p's
 * stack index, kept current when it can be, else freed (NULL). */
static int filter_by_name(pprof_profile *p, const filters *f, pprof_filter_result *res, pprof_stack_index **xp)
{
    if (!f->focus && !f->ignore && !f->hide && !f->show)
        return 0;
    size_t nl = p->n_locations;
    int8_t *state = calloc(nl + 1, 1); /* 1 focused, -1 ignored, 0 neither */
    uint8_t *hidden = calloc(nl + 1, 1);
    matcher mf = {0}, mi = {0}, mh = {0}, ms = {0};
    int rc = state && hidden ? 0 : PPROF_ENOMEM;
    if (!rc && f->focus && !(rc = matcher_init(&mf, f->focus, p)))
        matcher_all(&mf, p);
    if (!rc && f->ignore && !(rc = matcher_init(&mi, f->ignore, p)))
        matcher_all(&mi, p);
    if (!rc && f->hide && !(rc = matcher_init(&mh, f->hide, p)))
        matcher_all(&mh, p);
    if (!rc && f->show && !(rc = matcher_init(&ms, f->show, p)))
        matcher_all(&ms, p);
    for (size_t i = 0; i < nl && !rc; i++) {
        pprof_location *l = &p->locations[i];
        if (f->ignore && loc_matches(&mi, p, l)) {
            res->ignore_matched = true;
            state[i] = -1;
        } else if (!f->focus || loc_matches(&mf, p, l)) {
            res->focus_matched = true;
            state[i] = 1;
        }
        uint32_t n;
        if (f->hide && loc_matches(&mh, p, l)) {
            res->hide_matched = true;
            /* A matching binary hides every line of the location. */
            if (map_matches(&mh, p, l->mapping))
                l->n_lines = n = 0;
            else
                rc = relines(p, l, &mh, false, &n);
            if (!rc && n == 0)
                hidden[i] = 1;
        }
        if (!rc && f->show) {
            if (map_matches(&ms, p, l->mapping))
                n = l->n_lines;
            else
                rc = relines(p, l, &ms, true, &n);
            if (n == 0)
                hidden[i] = 1;
            else
                res->show_matched = true;
        }
    }
    if (!rc && *xp && !f->hide && !f->show) {
        rc = keep_stacks(p, state, xp);
        matcher_release(&mf);
        matcher_release(&mi);
        free(state);
        free(hidden);
        return rc;
    }
    pprof_stack_index_free(*xp);
    *xp = NULL;
    size_t kept = 0;
    /* Samples that differ only in labels may share one range of
     * sample_locs (the decoder's), which comes before the samples' own
     * ranges (frontier: the end of the ranges seen). The first one hides
     * in place, and the new length of every range it shortened is kept
     * (shortened, by range start + 1) for the others: a range's new
     * length depends only on its locations. */
    pprof_idmap shortened;
    memset(&shortened, 0, sizeof shortened);
    uint64_t frontier = 0;
    for (size_t i = 0; i < p->n_samples && !rc; i++) {
        pprof_sample s = p->samples[i];
        uint32_t *locs = pprof_sample_locs(p, &s);
        bool behind = s.n_locs && s.locs_off < frontier;
        if (s.locs_off + s.n_locs > frontier)
            frontier = s.locs_off + s.n_locs;
        bool focused = false, ignored = false;
        for (uint32_t k = 0; k < s.n_locs && !ignored; k++) {
            ignored = state[locs[k]] < 0;
            focused |= state[locs[k]] > 0;
        }
        if (!focused || ignored)
            continue;
        uint32_t w = behind ? pprof_idmap_get(&shortened, s.locs_off + 1) : PPROF_NONE;
        if (w == PPROF_NONE) {
            w = 0;
            for (uint32_t k = 0; k < s.n_locs; k++)
                if (!hidden[locs[k]]) {
                    if (w != k) /* (no write when nothing moves: the pages may be shared) */
                        locs[w] = locs[k];
                    w++;
                }
            if (w != s.n_locs && pprof_idmap_put(&shortened, s.locs_off + 1, w))
                rc = PPROF_ENOMEM;
        }
        if (w == 0)
            continue;
        s.n_locs = w;
        pprof_sample_move(p, kept, i, &s);
        kept++;
    }
    pprof_idmap_release(&shortened);
    if (!rc)
        p->n_samples = kept;
    matcher_release(&mf);
    matcher_release(&mi);
    matcher_release(&mh);
    matcher_release(&ms);
    free(state);
    free(hidden);
    return rc;
}

/* show_from: each sample keeps its stack from the root-most matching
 * location down; within that location, the lines above the outermost match
 * go. Samples with no match are dropped. */
static int filter_show_from(pprof_profile *p, const pprof_regex *re, pprof_filter_result *res)
{
    size_t nl = p->n_locations;
    uint8_t *hit = calloc(nl + 1, 1);
    matcher m = {0};
    int rc = hit ? matcher_init(&m, re, p) : PPROF_ENOMEM;
    for (size_t i = 0; i < nl && !rc; i++) {
        pprof_location *l = &p->locations[i];
        if (map_matches(&m, p, l->mapping)) {
            hit[i] = 1;
            continue;
        }
        for (uint32_t k = l->n_lines; k-- > 0;) {
            if (fn_matches(&m, p, p->lines[l->lines_off + k].function)) {
                l->n_lines = k + 1;
                hit[i] = 1;
                break;
            }
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < p->n_samples && !rc; i++) {
        pprof_sample s = p->samples[i];
        const uint32_t *locs = pprof_sample_locs(p, &s);
        uint32_t k = s.n_locs;
        while (k > 0 && !hit[locs[k - 1]])
            k--;
        if (k == 0)
            continue;
        res->show_from_matched = true;
        s.n_locs = k;
        pprof_sample_move(p, kept, i, &s);
        kept++;
    }
    if (!rc)
        p->n_samples = kept;
    matcher_release(&m);
    free(hit);
    return rc;
}

/* prune_from: drops the frames below the first match from the leaf (its
 * callees); within a location the matching line and its callers stay. */
static int filter_prune_from(pprof_profile *p, const pprof_regex *re)
{
    size_t nl = p->n_locations;
    uint8_t *prune = calloc(nl + 1, 1);
    if (!prune)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nl; i++) {
        pprof_location *l = &p->locations[i];
        for (uint32_t k = 0; k < l->n_lines; k++) {
            pprof_str name = p->functions[p->lines[l->lines_off + k].function].name;
            size_t start, n = pprof_simplified_name(p->strings[name], p->string_lens[name], &start);
            if (pprof_regex_match(re, p->strings[name] + start, n)) {
                l->lines_off += k;
                l->n_lines -= k;
                prune[i] = 1;
                break;
            }
        }
    }
    for (size_t i = 0; i < p->n_samples; i++) {
        pprof_sample *s = &p->samples[i];
        const uint32_t *locs = pprof_sample_locs(p, s);
        for (uint32_t k = 0; k < s->n_locs; k++)
            if (prune[locs[k]]) {
                s->locs_off += k;
                s->n_locs -= k;
                break;
            }
    }
    free(prune);
    return 0;
}

/* tagshow/taghide: labels whose key is not shown, or is hidden, go. */
static void filter_tags_by_name(pprof_profile *p, const pprof_regex *show, const pprof_regex *hide,
                                pprof_filter_result *res)
{
    for (size_t i = 0; i < p->n_samples; i++) {
        pprof_sample *s = &p->samples[i];
        pprof_label *l = pprof_sample_labels(p, s);
        uint32_t w = 0;
        for (uint32_t k = 0; k < s->n_labels; k++) {
            bool keep = true;
            if (show) {
                if (match_str(show, p, l[k].key))
                    res->tagshow_matched = true;
                else
                    keep = false;
            }
            if (keep && hide && match_str(hide, p, l[k].key)) {
                res->taghide_matched = true;
                keep = false;
            }
            if (keep)
                l[w++] = l[k];
        }
        s->n_labels = w;
    }
}

int pprof_profile_filter(pprof_profile *p, const pprof_filter_options *o, pprof_filter_result *res,
                         pprof_error *err)
{
    /* The index survives focus and ignore alone (see filter_by_name). */
    pprof_stack_index *x = pprof_profile_take_index(p);
    memset(res, 0, sizeof *res);
    filters f;
    memset(&f, 0, sizeof f);
    int rc = compile(&f.focus, "focus", o->focus, err);
    if (!rc)
        rc = compile(&f.ignore, "ignore", o->ignore, err);
    if (!rc)
        rc = compile(&f.hide, "hide", o->hide, err);
    if (!rc)
        rc = compile(&f.show, "show", o->show, err);
    if (!rc)
        rc = compile(&f.show_from, "show_from", o->show_from, err);
    if (!rc)
        rc = compile(&f.prune_from, "prune_from", o->prune_from, err);
    if (!rc)
        rc = compile(&f.tagshow, "tagshow", o->tagshow, err);
    if (!rc)
        rc = compile(&f.taghide, "taghide", o->taghide, err);
    if (!rc && (f.focus || f.ignore || f.hide || f.show))
        rc = filter_by_name(p, &f, res, &x);
    if (!rc && (f.show_from || o->tagfocus || o->tagignore || f.tagshow || f.taghide || f.prune_from)) {
        pprof_stack_index_free(x);
        x = NULL;
    }
    if (!rc && x)
        pprof_profile_put_index(p, x);
    else
        pprof_stack_index_free(x);
    if (!rc && f.show_from)
        rc = filter_show_from(p, f.show_from, res);
    if (!rc && (o->tagfocus || o->tagignore))
        rc = pprof_profile_filter_tags(p, o->tagfocus, o->tagignore, res, err);
    if (!rc && (f.tagshow || f.taghide))
        filter_tags_by_name(p, f.tagshow, f.taghide, res);
    if (!rc && f.prune_from)
        rc = filter_prune_from(p, f.prune_from);
    filters_release(&f);
    /* Bad regexps and ranges come with their message; the filters
     * themselves fail only for memory. */
    if (rc == PPROF_ENOMEM)
        return pprof_error_set(err, rc, "filtering: %s", pprof_strerror(rc));
    return rc;
}
