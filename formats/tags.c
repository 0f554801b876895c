/* tags.c: the -tags report (current upstream layout): per label key, each value's weight and share of the total. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

typedef struct tag_row {
    char *name;
    int64_t weight;
} tag_row;

typedef struct tag_key {
    pprof_str key;
    char *key_name; /* owned, escaped for the terminal */
    tag_row *rows;
    size_t n_rows, cap_rows;
    uint32_t *slots; /* hash index of rows by name: row + 1, 0 = empty */
    size_t mask;
    int64_t total;
} tag_key;

static uint64_t name_hash(const char *s)
{
    return pprof_hash_bytes(s, strlen(s));
}

static uint64_t row_hash(const void *ctx, size_t i)
{
    return name_hash(((const tag_key *)ctx)->rows[i].name);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(((const tag_key *)a)->key_name, ((const tag_key *)b)->key_name);
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

static int cmp_rows(const void *a, const void *b)
{
    const tag_row *x = a, *y = b;
    int64_t wx = abs64(x->weight), wy = abs64(y->weight);
    if (wx != wy)
        return wx > wy ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void add_sat(int64_t *d, int64_t v)
{
    if (__builtin_add_overflow(*d, v, d))
        *d = v > 0 ? INT64_MAX : INT64_MIN;
}

/* Adds w to the row of value name, making the row when new. */
static int add_weight(tag_key *k, const char *name, int64_t w)
{
    if (PPROF_GROW(k->rows, k->cap_rows, k->n_rows + 1))
        return PPROF_ENOMEM;
    if (!k->slots || (k->n_rows + 1) * 2 > k->mask + 1)
        if (pprof_slots_rebuild(&k->slots, &k->mask, k->slots ? (k->mask + 1) * 2 : 16, k->n_rows, row_hash, k))
            return PPROF_ENOMEM;
    size_t h = name_hash(name) & k->mask;
    for (; k->slots[h]; h = (h + 1) & k->mask) {
        tag_row *r = &k->rows[k->slots[h] - 1];
        if (strcmp(r->name, name) == 0) {
            add_sat(&r->weight, w);
            return 0;
        }
    }
    char *copy = strdup(name);
    if (!copy)
        return PPROF_ENOMEM;
    k->slots[h] = (uint32_t)k->n_rows + 1;
    k->rows[k->n_rows++] = (tag_row){copy, w};
    return 0;
}

/* Go's tabwriter with right alignment and padding 1, for one key's block:
 * column 0 holds "key:" (empty on value rows), column 1 the values. */
static void write_block(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, tag_key *k)
{
    char total[64], all[64], pct[32];
    /* -tags never picks one unit for the report: values scale on their own
     * unless a unit is asked for. */
    const char *unit = strcmp(o->unit, "minimum") == 0 ? "auto" : o->unit;
    pprof_report_format(total, sizeof total, p, o, unit, k->total);
    pprof_report_format(all, sizeof all, p, o, unit, o->total);
    pprof_format_percent(pct, sizeof pct, k->total, o->total);
    char (*vals)[64] = malloc((k->n_rows ? k->n_rows : 1) * sizeof *vals);
    if (!vals) {
        out->failed = true;
        return;
    }
    size_t w1 = 0;
    for (size_t i = 0; i < k->n_rows; i++) {
        pprof_report_format(vals[i], sizeof vals[i], p, o, unit, k->rows[i].weight);
        size_t n = strlen(vals[i]);
        if (n > w1)
            w1 = n;
    }
    int w0 = (int)strlen(k->key_name) + 2; /* "key:" plus padding */
    pprof_buf_printf(out, "%*s: Total %s of %s (%s)\n", w0 - 1, k->key_name, total, all, pct);
    for (size_t i = 0; i < k->n_rows; i++) {
        pprof_format_percent(pct, sizeof pct, k->rows[i].weight, o->total);
        pprof_buf_printf(out, "%*s%*s (%s): %s\n", w0, "", (int)w1 + 1, vals[i], pct, k->rows[i].name);
    }
    pprof_buf_puts(out, "\n");
    free(vals);
}

int pprof_write_tags(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    size_t nt = p->n_sample_types;
    tag_key *keys = NULL;
    size_t n_keys = 0, cap_keys = 0;
    pprof_str base_key = PPROF_NONE, id;
    if (pprof_profile_find_string(&id, p, "pprof::base", 11))
        base_key = id;
    int rc = 0;
    pprof_buf scratch = {0};
    for (size_t i = 0; i < p->n_samples && !rc && nt; i++) {
        const pprof_sample *sm = &p->samples[i];
        int64_t w = pprof_sample_weight(p, i, o->sample_index, o->mean);
        for (uint32_t j = 0; j < sm->n_labels && !rc; j++) {
            const pprof_label *l = &p->labels[sm->labels_off + j];
            if (l->key == base_key)
                continue;
            tag_key *k = NULL;
            for (size_t q = 0; q < n_keys && !k; q++)
                if (keys[q].key == l->key)
                    k = &keys[q];
            if (!k) {
                if (PPROF_GROW(keys, cap_keys, n_keys + 1)) {
                    rc = PPROF_ENOMEM;
                    break;
                }
                k = &keys[n_keys++];
                memset(k, 0, sizeof *k);
                k->key = l->key;
                scratch.len = 0;
                pprof_put_string(&scratch, p, l->key, 0);
                if (scratch.failed || !(k->key_name = strdup((const char *)scratch.data))) {
                    rc = PPROF_ENOMEM;
                    break;
                }
            }
            /* A sample counts once towards a key's total, whatever its number of values. */
            bool first_of_key = true;
            for (uint32_t q = 0; q < j; q++)
                if (p->labels[sm->labels_off + q].key == l->key)
                    first_of_key = false;
            if (first_of_key)
                add_sat(&k->total, w);
            if (l->str) {
                scratch.len = 0;
                pprof_put_string(&scratch, p, l->str, 0);
                rc = scratch.failed ? PPROF_ENOMEM : add_weight(k, (const char *)scratch.data, w);
            } else {
                char name[64];
                const char *unit = pprof_label_unit(p, l->key);
                pprof_format_scaled(name, sizeof name, l->num, unit, strcmp(o->unit, "minimum") == 0 ? "auto" : o->unit);
                rc = add_weight(k, name, w);
            }
        }
    }
    if (!rc && n_keys) { /* (no qsort of a NULL table: a profile may have no labels) */
        qsort(keys, n_keys, sizeof *keys, cmp_keys);
        for (size_t i = 0; i < n_keys; i++) {
            qsort(keys[i].rows, keys[i].n_rows, sizeof *keys[i].rows, cmp_rows);
            write_block(out, p, o, &keys[i]);
        }
    }
    for (size_t i = 0; i < n_keys; i++) {
        for (size_t j = 0; j < keys[i].n_rows; j++)
            free(keys[i].rows[j].name);
        free(keys[i].rows);
        free(keys[i].slots);
        free(keys[i].key_name);
    }
    free(keys);
    pprof_buf_release(&scratch);
    if (rc || out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}
