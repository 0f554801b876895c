/* webui_tags.c: the label panel (/ui/tags): each label key with its values and their weights after the request's filters; a click on a value focuses on it (tf=key=^value$). */
#include "webui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One key/value pair with its summed weight. */
typedef struct tag_entry {
    pprof_str key, str; /* str 0: numeric */
    int64_t num;
    int64_t weight;
    uint32_t next;     /* string value: the entry of the same value under another key */
    uint32_t key_rank; /* the key's place in name order */
    const char *value; /* str's text */
} tag_entry;

/* In a key: heavier first, then strings (by text) before numbers (by value). */
static int cmp_weight(const void *a, const void *b)
{
    const tag_entry *x = a, *y = b;
    if (x->key_rank != y->key_rank)
        return x->key_rank < y->key_rank ? -1 : 1;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    if ((x->str == 0) != (y->str == 0))
        return x->str == 0 ? 1 : -1;
    if (x->str)
        return strcmp(x->value, y->value);
    return x->num < y->num ? -1 : x->num > y->num;
}

static int cmp_num(const void *a, const void *b)
{
    const tag_entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->num < y->num ? -1 : x->num > y->num;
}

typedef struct key_name {
    pprof_str key;
    const char *name;
} key_name;

static int cmp_key_name(const void *a, const void *b)
{
    return strcmp(((const key_name *)a)->name, ((const key_name *)b)->name);
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

/* Room for one more element in *arr (cap elements of size bytes); 0 or -1. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 1024;
    void *m = realloc(*arr, c * size);
    if (!m)
        return -1;
    *arr = m;
    *cap = c;
    return 0;
}

static void add_weight(int64_t *sum, int64_t w)
{
    if (__builtin_add_overflow(*sum, w, sum))
        *sum = INT64_MAX; /* (weights are absolute values) */
}

/* The key/value pairs of p's samples with their summed |weight| in value
 * column si, ordered by key name, then as cmp_weight. Strings are
 * interned (equal text, equal id): a string value finds its entry by its
 * id (by_str), numbers are sorted. *out is malloc'ed; 0 or -1. */
static int tag_entries(tag_entry **out, size_t *count, const pprof_profile *p, int si)
{
    tag_entry *e = NULL, *nums = NULL;
    size_t n = 0, cap = 0, nn = 0, cap_nums = 0;
    uint32_t *by_str = malloc((p->n_strings ? p->n_strings : 1) * sizeof *by_str);
    key_name *keys = NULL;
    size_t n_keys = 0, cap_keys = 0;
    int rc = by_str ? 0 : -1;
    if (!rc)
        memset(by_str, 0xff, p->n_strings * sizeof *by_str); /* PPROF_NONE */
    for (size_t i = 0; i < p->n_samples && !rc; i++) {
        const pprof_sample *s = &p->samples[i];
        const pprof_label *l = pprof_sample_labels(p, s);
        int64_t w = abs64(pprof_sample_values(p, i)[si]);
        for (uint32_t k = 0; k < s->n_labels && !rc; k++) {
            if (!l[k].str) {
                if ((rc = grow((void **)&nums, &cap_nums, nn, sizeof *nums)))
                    break;
                nums[nn++] = (tag_entry){.key = l[k].key, .num = l[k].num, .weight = w};
                continue;
            }
            uint32_t at = by_str[l[k].str];
            while (at != PPROF_NONE && e[at].key != l[k].key)
                at = e[at].next;
            if (at != PPROF_NONE) {
                add_weight(&e[at].weight, w);
                continue;
            }
            if ((rc = grow((void **)&e, &cap, n, sizeof *e)))
                break;
            e[n] = (tag_entry){.key = l[k].key, .str = l[k].str, .weight = w, .next = by_str[l[k].str],
                               .value = pprof_string(p, l[k].str)};
            by_str[l[k].str] = (uint32_t)n++;
        }
    }
    /* Numbers: sorted by key and value, equal ones summed, then added. */
    if (!rc && nn)
        qsort(nums, nn, sizeof *nums, cmp_num);
    for (size_t i = 0; i < nn && !rc; i++) {
        if (i && nums[i].key == nums[i - 1].key && nums[i].num == nums[i - 1].num) {
            add_weight(&e[n - 1].weight, nums[i].weight);
            continue;
        }
        if ((rc = grow((void **)&e, &cap, n, sizeof *e)))
            break;
        e[n++] = nums[i];
    }
    /* The keys in name order: each entry gets its key's rank (by_str, done
     * with values, now tells which keys are listed, then their ranks). */
    if (!rc)
        memset(by_str, 0xff, p->n_strings * sizeof *by_str);
    for (size_t i = 0; i < n && !rc; i++) {
        if (by_str[e[i].key] != PPROF_NONE)
            continue;
        by_str[e[i].key] = 0;
        if ((rc = grow((void **)&keys, &cap_keys, n_keys, sizeof *keys)))
            break;
        keys[n_keys++] = (key_name){e[i].key, pprof_string(p, e[i].key)};
    }
    if (!rc && n_keys)
        qsort(keys, n_keys, sizeof *keys, cmp_key_name);
    for (size_t k = 0; k < n_keys && !rc; k++)
        by_str[keys[k].key] = (uint32_t)k;
    for (size_t i = 0; i < n && !rc; i++)
        e[i].key_rank = by_str[e[i].key];
    if (!rc && n)
        qsort(e, n, sizeof *e, cmp_weight);
    free(by_str);
    free(nums);
    free(keys);
    if (rc) {
        free(e);
        return rc;
    }
    *out = e;
    *count = n;
    return 0;
}

/* A value's focus link, "?tf=" and key=^value$ (an anchored RE2 regexp
 * matching exactly it) for a string, key=N (an exact value) for a number,
 * as a URL query value. Its characters need no HTML escaping. */
static void tag_link(pprof_buf *b, const char *key, const tag_entry *e)
{
    pprof_buf_puts(b, "?tf=");
    webui_url_value_n(b, key, strlen(key));
    webui_url_value_n(b, "=", 1);
    if (!e->str) {
        char num[32];
        int len = snprintf(num, sizeof num, "%lld", (long long)e->num);
        webui_url_value_n(b, num, (size_t)len);
        return;
    }
    webui_url_value_n(b, "^", 1);
    const char *v = e->value, *run = v;
    for (; *v; v++) {
        if (!strchr("\\.+*?()|[]{}^$", *v))
            continue;
        webui_url_value_n(b, run, (size_t)(v - run));
        webui_url_value_n(b, "\\", 1);
        run = v;
    }
    webui_url_value_n(b, run, (size_t)(v - run));
    webui_url_value_n(b, "$", 1);
}

/* A small direct-mapped cache of formatted weights and percentages: a
 * panel of many values repeats few weights. */
#define TEXT_SLOTS 1024

typedef struct text_slot {
    int64_t v;
    bool used;
    char s[64];
} text_slot;

static text_slot *slot_of(text_slot *t, int64_t v)
{
    return &t[((uint64_t)v * UINT64_C(0x9E3779B97F4A7C15)) >> 54];
}

/* The panel: per key (in name order) a table of its values, heaviest first. */
static void write_panel(pprof_buf *b, const pprof_profile *p, const pprof_report_options *o, const tag_entry *e,
                        size_t m, text_slot *weights, text_slot *percents)
{
    const char *sample_unit = pprof_string(p, p->sample_types[o->sample_index].unit);
    pprof_buf_puts(b, "<div id=\"tags\" class=\"panel\">\n");
    if (!m)
        pprof_buf_puts(b, "<p>The samples have no labels.</p>\n");
    for (size_t i = 0; i < m;) {
        size_t j = i;
        int64_t key_total = 0, max = 1;
        bool numeric = false;
        while (j < m && e[j].key == e[i].key) {
            add_weight(&key_total, e[j].weight);
            if (e[j].weight > max)
                max = e[j].weight;
            numeric |= !e[j].str;
            j++;
        }
        const char *key = pprof_string(p, e[i].key);
        const char *label_unit = numeric ? pprof_label_unit(p, e[i].key) : NULL;
        memset(percents, 0, TEXT_SLOTS * sizeof *percents); /* (of this key's total) */
        pprof_buf_puts(b, "<h2>");
        webui_html(b, key);
        pprof_buf_puts(b, "</h2>\n<table>\n");
        for (size_t k = i; k < j; k++) {
            char value[96];
            const char *v = e[k].value;
            if (!e[k].str) {
                pprof_format_scaled(value, sizeof value, e[k].num, label_unit, "minimum");
                v = value;
            }
            text_slot *w = slot_of(weights, e[k].weight), *pc = slot_of(percents, e[k].weight);
            if (!w->used || w->v != e[k].weight) {
                pprof_format_scaled(w->s, sizeof w->s, o->ratio != 1.0 ? webui_ratio(e[k].weight, o->ratio) : e[k].weight,
                                    sample_unit, o->unit);
                w->v = e[k].weight;
                w->used = true;
            }
            if (!pc->used || pc->v != e[k].weight) {
                pprof_format_percent(pc->s, 32, e[k].weight, key_total); /* (the size it had) */
                pc->v = e[k].weight;
                pc->used = true;
            }
            pprof_buf_puts(b, "<tr><td class=\"num\">");
            webui_html(b, w->s);
            pprof_buf_puts(b, "</td><td class=\"num\">");
            webui_html(b, pc->s);
            char bar[16];
            int len = snprintf(bar, sizeof bar, "%d", (int)(200.0 * (double)e[k].weight / (double)max + 0.5));
            pprof_buf_puts(b, "</td><td><span class=\"bar\" style=\"width:");
            pprof_buf_append(b, bar, (size_t)len);
            pprof_buf_puts(b, "px\"></span></td><td><a class=\"tagvalue\" href=\"");
            tag_link(b, key, &e[k]);
            pprof_buf_puts(b, "\">");
            webui_html(b, v);
            pprof_buf_puts(b, "</a></td></tr>\n");
        }
        pprof_buf_puts(b, "</table>\n");
        i = j;
    }
    pprof_buf_puts(b, "</div>");
}

int webui_view_tags(webui_reply *out, webui_request *req, pprof_profile *p)
{
    const command_def *c = cmd_find_command("tags");
    cmd_report rep;
    pprof_buf notes = {0}, details = {0};
    pprof_error err;
    if (cmd_report_setup(&rep, c, NULL, p, &req->cfg, req->srv->args, &notes, &err) != 0) {
        webui_reply_error(out, 400, "%s", err.msg);
        goto done;
    }
    pprof_write_profile_labels(&details, p, &rep.o, rep.o.unit);
    pprof_buf_append(&details, "", 1);
    size_t m = 0;
    tag_entry *e = NULL;
    if (tag_entries(&e, &m, p, rep.o.sample_index) != 0) {
        webui_reply_error(out, 500, "out of memory");
        goto done;
    }
    text_slot *weights = calloc(TEXT_SLOTS, sizeof *weights), *percents = calloc(TEXT_SLOTS, sizeof *percents);
    if (!weights || !percents) {
        free(weights);
        free(percents);
        free(e);
        webui_reply_error(out, 500, "out of memory");
        goto done;
    }
    webui_page pg = {req, p, "tags", NULL, notes.len ? (pprof_buf_append(&notes, "", 1), (const char *)notes.data) : NULL,
                     (const char *)details.data};
    out->status = 200;
    out->type = "text/html; charset=utf-8";
    webui_page_begin(&out->body, &pg);
    write_panel(&out->body, p, &rep.o, e, m, weights, percents);
    webui_page_end(&out->body, &pg, NULL, NULL);
    free(weights);
    free(percents);
    free(e);
    if (out->body.failed)
        webui_reply_error(out, 500, "out of memory");
done:
    pprof_buf_release(&notes);
    pprof_buf_release(&details);
    return 0;
}
