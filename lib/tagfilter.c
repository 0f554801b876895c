/* tagfilter.c: -tagfocus/-tagignore: samples kept or dropped by their labels,
 * by string regexps or numeric ranges with units (1mb:2gb, 30kb:, :100ms). */
#include "internal.h"
#include "regex.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

typedef struct tag_filter {
    const char *key; /* NULL: any key */
    size_t key_len;
    bool numeric;
    /* numeric: [lo, hi] in unit, either end open */
    bool has_lo, has_hi;
    double lo, hi;
    char unit[32];
    /* string: regexps */
    pprof_regex **res;
    size_t n_res, cap_res;
} tag_filter;

static void tag_filter_release(tag_filter *t)
{
    for (size_t i = 0; i < t->n_res; i++)
        pprof_regex_free(t->res[i]);
    free(t->res);
    memset(t, 0, sizeof *t);
}

/* One end of a range: [+-]digits then an optional unit word. */
static bool parse_number(const char *s, size_t n, double *v, char *unit, size_t unit_len)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t digits = i;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i == digits)
        return false;
    size_t u = i;
    while (i < n && isalpha((unsigned char)s[i]))
        i++;
    if (i != n || n - u >= unit_len)
        return false;
    char num[64];
    if (u >= sizeof num)
        return false;
    memcpy(num, s, u);
    num[u] = 0;
    errno = 0;
    *v = pprof_strtod(num, NULL);
    memcpy(unit, s + u, n - u);
    unit[n - u] = 0;
    return errno == 0;
}

/* N, N:, :N or N1:N2 (ends with units); false when value is not a range. */
static bool parse_range(const char *v, tag_filter *t, pprof_error *err, int *rc)
{
    const char *colon = strchr(v, ':');
    char u1[32] = "", u2[32] = "";
    double a = 0, b = 0;
    *rc = 0;
    if (!colon) {
        if (!parse_number(v, strlen(v), &a, u1, sizeof u1))
            return false;
        t->has_lo = t->has_hi = true;
        t->lo = t->hi = a;
    } else {
        if (strchr(colon + 1, ':'))
            return false;
        size_t n1 = (size_t)(colon - v), n2 = strlen(colon + 1);
        if (n1 == 0 && n2 == 0)
            return false;
        if (n1 && !parse_number(v, n1, &a, u1, sizeof u1))
            return false;
        if (n2 && !parse_number(colon + 1, n2, &b, u2, sizeof u2))
            return false;
        t->has_lo = n1 > 0;
        t->has_hi = n2 > 0;
        t->lo = a;
        t->hi = b;
        if (t->has_lo && t->has_hi && strcmp(u1, u2) != 0) {
            /* Both ends must be in one unit: bring the second to the first's. */
            const char *got;
            double hb = pprof_unit_scale((int64_t)b, u2, u1[0] ? u1 : "minimum", &got);
            if (!pprof_unit_compatible(u1, u2)) {
                *rc = pprof_error_set(err, PPROF_EINVAL, "incompatible units in range %s", v);
                return true;
            }
            t->hi = hb;
        }
    }
    snprintf(t->unit, sizeof t->unit, "%s", t->has_lo ? u1 : u2);
    t->numeric = true;
    return true;
}

static int compile_filter(tag_filter *t, const char *text, const char *name, pprof_error *err)
{
    memset(t, 0, sizeof *t);
    if (!text || !*text)
        return 0;
    const char *value = text, *eq = strchr(text, '=');
    if (eq) {
        t->key = text;
        t->key_len = (size_t)(eq - text);
        value = eq + 1;
    }
    int rc;
    if (parse_range(value, t, err, &rc))
        return rc;
    /* Comma-separated regexps. */
    for (const char *s = value; s;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (PPROF_GROW(t->res, t->cap_res, t->n_res + 1))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        pprof_error rerr;
        int crc = pprof_regex_compile(&t->res[t->n_res], s, n, &rerr);
        if (crc)
            return pprof_error_set(err, crc, "parsing argument regexp %s: %s", name, rerr.msg);
        t->n_res++;
        s = comma ? comma + 1 : NULL;
    }
    return 0;
}

static bool key_is(const pprof_profile *p, pprof_str key, const tag_filter *t)
{
    return p->string_lens[key] == t->key_len && memcmp(p->strings[key], t->key, t->key_len) == 0;
}

static bool numeric_match(const pprof_profile *p, const pprof_label *l, const tag_filter *t)
{
    const char *lu = pprof_label_unit(p, l->key), *got;
    double v;
    if (t->unit[0]) {
        /* The label scaled into the filter's unit (both in one family). */
        if (!pprof_unit_compatible(lu, t->unit))
            return false;
        v = pprof_unit_scale(l->num, lu, t->unit, &got);
    } else {
        /* A bare number only matches labels whose unit is not a known one. */
        if (pprof_unit_compatible(lu, "bytes") || pprof_unit_compatible(lu, "seconds") ||
            pprof_unit_compatible(lu, "GCU"))
            return false;
        v = (double)l->num;
    }
    return (!t->has_lo || v >= t->lo) && (!t->has_hi || v <= t->hi);
}

/* Whether sample s matches filter t. */
static bool sample_matches(const pprof_profile *p, const pprof_sample *s, const tag_filter *t, pprof_buf *kv)
{
    const pprof_label *ls = pprof_sample_labels(p, s); /* NULL without labels: no arithmetic on NULL */
    if (t->numeric) {
        for (uint32_t k = 0; k < s->n_labels; k++)
            if (ls[k].str == 0 && (!t->key || key_is(p, ls[k].key, t)) && numeric_match(p, &ls[k], t))
                return true;
        return false;
    }
    if (t->key) {
        /* key=re1,re2: any regexp matching any value of that key. */
        for (uint32_t k = 0; k < s->n_labels; k++) {
            if (ls[k].str == 0 || !key_is(p, ls[k].key, t))
                continue;
            for (size_t r = 0; r < t->n_res; r++)
                if (pprof_regex_match(t->res[r], p->strings[ls[k].str], p->string_lens[ls[k].str]))
                    return true;
        }
        return false;
    }
    /* re1,re2: every regexp must match some "key:value" of the sample. */
    for (size_t r = 0; r < t->n_res; r++) {
        bool any = false;
        for (uint32_t k = 0; k < s->n_labels && !any; k++) {
            if (ls[k].str == 0)
                continue;
            kv->len = 0;
            pprof_buf_printf(kv, "%s:%s", p->strings[ls[k].key], p->strings[ls[k].str]);
            any = kv->data && pprof_regex_match(t->res[r], (const char *)kv->data, kv->len);
        }
        if (!any)
            return false;
    }
    return t->n_res > 0;
}

int pprof_profile_filter_tags(pprof_profile *p, const char *focus, const char *ignore, pprof_filter_result *res,
                              pprof_error *err)
{
    pprof_profile_changed(p);
    tag_filter tf, ti;
    int rc = compile_filter(&tf, focus, "tagfocus", err);
    if (!rc)
        rc = compile_filter(&ti, ignore, "tagignore", err);
    else
        memset(&ti, 0, sizeof ti);
    bool has_focus = focus && *focus, has_ignore = ignore && *ignore;
    res->tagfocus_numeric = tf.numeric;
    res->tagignore_numeric = ti.numeric;
    pprof_buf kv = {0};
    size_t kept = 0;
    for (size_t i = 0; i < p->n_samples && !rc; i++) {
        const pprof_sample *s = &p->samples[i];
        bool keep = true;
        if (has_focus) {
            if (sample_matches(p, s, &tf, &kv))
                res->tagfocus_matched = true;
            else
                keep = false;
        }
        if (keep && has_ignore && sample_matches(p, s, &ti, &kv)) {
            res->tagignore_matched = true;
            keep = false;
        }
        if (!keep)
            continue;
        pprof_sample_move(p, kept, i, s);
        kept++;
    }
    if (!rc)
        p->n_samples = kept;
    pprof_buf_release(&kv);
    tag_filter_release(&tf);
    tag_filter_release(&ti);
    return rc;
}
