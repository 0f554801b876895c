/* webui_tags.c: the label panel (/ui/tags): each label key with its heaviest values and their weights after the request's filters, a filter (tv) for the rest; a click on a value focuses on it (tf=key=^value$). */
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

/* In a key: heavier first, then strings (by text) before numbers (by
 * value); < 0 when x comes first. */
static int cmp_value(const tag_entry *x, const tag_entry *y)
{
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

/* Numeric labels repeat few values: their entries are found through a
 * direct-mapped cache by (key, value). A value pushed out of it and met
 * again gets a second entry; merge_numbers sums them. */
#define NUM_SLOTS 4096

static size_t num_slot(pprof_str key, int64_t num)
{
    return (size_t)((((uint64_t)num ^ ((uint64_t)key << 40)) * UINT64_C(0x9E3779B97F4A7C15)) >> 52);
}

/* Numbers after strings, then equal (key, value) entries summed. */
static void merge_numbers(tag_entry *e, size_t *count)
{
    size_t n = *count, strs = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].str) {
            tag_entry t = e[strs];
            e[strs++] = e[i];
            e[i] = t;
        }
    qsort(e + strs, n - strs, sizeof *e, cmp_num);
    size_t m = strs;
    for (size_t i = strs; i < n; i++) {
        if (m > strs && e[m - 1].key == e[i].key && e[m - 1].num == e[i].num)
            add_weight(&e[m - 1].weight, e[i].weight);
        else
            e[m++] = e[i];
    }
    *count = m;
}

/* The key/value pairs of p's samples with their summed |weight| in value
 * column si, grouped by key in name order (each key's entries in no
 * order). Strings are interned (equal text, equal id): a string value
 * finds its entry by its id (by_str). *out is malloc'ed; 0 or -1. */
static int tag_entries(tag_entry **out, size_t *count, const pprof_profile *p, int si)
{
    tag_entry *e = NULL, *g = NULL;
    size_t n = 0, cap = 0;
    uint32_t *by_str = malloc((p->n_strings ? p->n_strings : 1) * sizeof *by_str);
    uint32_t *nums = malloc(NUM_SLOTS * sizeof *nums);
    key_name *keys = NULL;
    size_t n_keys = 0, cap_keys = 0, *start = NULL;
    bool pushed_out = false;
    int rc = by_str && nums ? 0 : -1;
    if (!rc) {
        memset(by_str, 0xff, p->n_strings * sizeof *by_str); /* PPROF_NONE */
        memset(nums, 0xff, NUM_SLOTS * sizeof *nums);
    }
    for (size_t i = 0; i < p->n_samples && !rc; i++) {
        const pprof_sample *s = &p->samples[i];
        const pprof_label *l = pprof_sample_labels(p, s);
        int64_t w = abs64(pprof_sample_values(p, i)[si]);
        for (uint32_t k = 0; k < s->n_labels && !rc; k++) {
            uint32_t at;
            if (!l[k].str) {
                size_t h = num_slot(l[k].key, l[k].num);
                at = nums[h];
                if (at != PPROF_NONE && e[at].key == l[k].key && e[at].num == l[k].num) {
                    add_weight(&e[at].weight, w);
                    continue;
                }
                pushed_out |= at != PPROF_NONE;
                if ((rc = grow((void **)&e, &cap, n, sizeof *e)))
                    break;
                e[n] = (tag_entry){.key = l[k].key, .num = l[k].num, .weight = w, .next = PPROF_NONE};
                nums[h] = (uint32_t)n++;
                continue;
            }
            at = by_str[l[k].str];
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
    if (!rc && pushed_out)
        merge_numbers(e, &n);
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
    /* Grouped by rank (a counting sort: no entry compared). */
    if (!rc && !((start = calloc(n_keys + 1, sizeof *start)) && (g = malloc((n ? n : 1) * sizeof *g))))
        rc = -1;
    for (size_t i = 0; i < n && !rc; i++)
        start[(e[i].key_rank = by_str[e[i].key]) + 1]++;
    for (size_t k = 0; k < n_keys && !rc; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < n && !rc; i++)
        g[start[e[i].key_rank]++] = e[i];
    free(by_str);
    free(nums);
    free(keys);
    free(start);
    free(e);
    if (rc) {
        free(g);
        return rc;
    }
    *out = g;
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

/* The panel lists per key its heaviest values, then a line for the rest:
 * a person reads the top of a key, and a key of a span id per sample has
 * hundreds of thousands. The filter (tv) reaches the others: the values
 * it matches, or every value of a key whose name it matches, again the
 * heaviest first. Keys are bounded too. */
#define TAGS_VALUES_SHOWN 50
#define TAGS_KEYS_SHOWN 100

typedef struct panel_ctx {
    const pprof_profile *p;
    const pprof_report_options *o;
    const char *sample_unit;
    const pprof_regex *filter; /* NULL: none */
    text_slot *weights, *percents;
} panel_ctx;

/* Whether e's value matches the filter: its text as shown, or a number
 * as written in a focus (tf=key=N). */
static bool value_matches(const panel_ctx *c, const tag_entry *e, const char *shown)
{
    if (pprof_regex_match(c->filter, shown, strlen(shown)))
        return true;
    if (e->str)
        return false;
    char num[32];
    int len = snprintf(num, sizeof num, "%lld", (long long)e->num);
    return pprof_regex_match(c->filter, num, (size_t)len);
}

/* A value's text as shown: the string, or the number in its key's unit. */
static const char *shown_value(char *buf, size_t n, const tag_entry *e, const char *label_unit)
{
    if (e->str)
        return e->value;
    pprof_format_scaled(buf, n, e->num, label_unit, "minimum");
    return buf;
}

static void write_row(pprof_buf *b, const panel_ctx *c, const char *key, const tag_entry *e, const char *v,
                      int64_t key_total, int64_t max)
{
    text_slot *w = slot_of(c->weights, e->weight), *pc = slot_of(c->percents, e->weight);
    if (!w->used || w->v != e->weight) {
        pprof_format_scaled(w->s, sizeof w->s, c->o->ratio != 1.0 ? webui_ratio(e->weight, c->o->ratio) : e->weight,
                            c->sample_unit, c->o->unit);
        w->v = e->weight;
        w->used = true;
    }
    if (!pc->used || pc->v != e->weight) {
        pprof_format_percent(pc->s, 32, e->weight, key_total); /* (the size it had) */
        pc->v = e->weight;
        pc->used = true;
    }
    pprof_buf_puts(b, "<tr><td class=\"num\">");
    webui_html(b, w->s);
    pprof_buf_puts(b, "</td><td class=\"num\">");
    webui_html(b, pc->s);
    char bar[16];
    int len = snprintf(bar, sizeof bar, "%d", (int)(200.0 * (double)e->weight / (double)max + 0.5));
    pprof_buf_puts(b, "</td><td><span class=\"bar\" style=\"width:");
    pprof_buf_append(b, bar, (size_t)len);
    pprof_buf_puts(b, "px\"></span></td><td><a class=\"tagvalue\" href=\"");
    tag_link(b, key, e);
    pprof_buf_puts(b, "\">");
    webui_html(b, v);
    pprof_buf_puts(b, "</a></td></tr>\n");
}

/* The heaviest entries of a key, kept in a heap whose root is the one to
 * give up first (cmp_value's last). */
typedef struct top_values {
    const tag_entry **h;
    size_t n;
} top_values;

static void top_sift(top_values *t, size_t i)
{
    for (;;) {
        size_t c = 2 * i + 1, worst = i;
        if (c < t->n && cmp_value(t->h[c], t->h[worst]) > 0)
            worst = c;
        if (c + 1 < t->n && cmp_value(t->h[c + 1], t->h[worst]) > 0)
            worst = c + 1;
        if (worst == i)
            return;
        const tag_entry *x = t->h[i];
        t->h[i] = t->h[worst];
        t->h[worst] = x;
        i = worst;
    }
}

/* Offers e; returns the entry left out (e or the one it replaces), or NULL. */
static const tag_entry *top_offer(top_values *t, const tag_entry *e)
{
    if (t->n < TAGS_VALUES_SHOWN) {
        size_t i = t->n++;
        t->h[i] = e;
        for (; i && cmp_value(t->h[(i - 1) / 2], t->h[i]) < 0; i = (i - 1) / 2) {
            const tag_entry *x = t->h[i];
            t->h[i] = t->h[(i - 1) / 2];
            t->h[(i - 1) / 2] = x;
        }
        return NULL;
    }
    if (cmp_value(e, t->h[0]) >= 0)
        return e;
    const tag_entry *out = t->h[0];
    t->h[0] = e;
    top_sift(t, 0);
    return out;
}

static int cmp_value_ptr(const void *a, const void *b)
{
    return cmp_value(*(const tag_entry *const *)a, *(const tag_entry *const *)b);
}

/* One key's table: entries e[0..n) of the key, its heaviest (matching)
 * values first; false when the filter leaves none of them. */
static bool write_key(pprof_buf *b, const panel_ctx *c, const tag_entry *e, size_t n)
{
    const pprof_profile *p = c->p;
    const char *key = pprof_string(p, e[0].key);
    int64_t key_total = 0, max = 1, rest = 0; /* rest: the matching values not shown */
    bool numeric = false;
    for (size_t k = 0; k < n; k++) {
        add_weight(&key_total, e[k].weight);
        numeric |= !e[k].str;
    }
    const char *label_unit = numeric ? pprof_label_unit(p, e[0].key) : NULL;
    bool all = !c->filter || pprof_regex_match(c->filter, key, strlen(key));
    const tag_entry *heap[TAGS_VALUES_SHOWN];
    top_values top = {heap, 0};
    size_t matched = 0;
    char buf[96];
    for (size_t k = 0; k < n; k++) {
        if (!all && !value_matches(c, &e[k], shown_value(buf, sizeof buf, &e[k], label_unit)))
            continue;
        matched++;
        const tag_entry *left = top_offer(&top, &e[k]);
        if (left)
            add_weight(&rest, left->weight);
    }
    if (!top.n)
        return false;
    qsort(heap, top.n, sizeof *heap, cmp_value_ptr);
    max = heap[0]->weight > 1 ? heap[0]->weight : 1;
    pprof_buf_puts(b, "<h2>");
    webui_html(b, key);
    pprof_buf_puts(b, "</h2>\n");
    if (!all)
        pprof_buf_printf(b, "<p class=\"tagcount\">%zu of %zu values match</p>\n", matched, n);
    pprof_buf_puts(b, "<table>\n");
    memset(c->percents, 0, TEXT_SLOTS * sizeof *c->percents); /* (of this key's total) */
    for (size_t i = 0; i < top.n; i++)
        write_row(b, c, key, heap[i], shown_value(buf, sizeof buf, heap[i], label_unit), key_total, max);
    if (matched > top.n) {
        char pct[32];
        pprof_format_percent(pct, sizeof pct, rest, key_total);
        pprof_buf_printf(b, "<tr class=\"more\"><td colspan=\"4\">%zu more %svalues, %s of the weight%s</td></tr>\n",
                         matched - top.n, all ? "" : "matching ", pct + strspn(pct, " "),
                         c->filter ? "" : ": the filter finds them");
    }
    pprof_buf_puts(b, "</table>\n");
    return true;
}

/* The panel: the filter, then per key (in name order) a table of its
 * heaviest values. */
static void write_panel(pprof_buf *b, const panel_ctx *c, const char *tv, const tag_entry *e, size_t m)
{
    pprof_buf_puts(b, "<div id=\"tags\" class=\"panel\">\n<form id=\"tagfilter\" action=\"./tags\" method=\"get\">"
                      "<input type=\"text\" id=\"tagfilter-input\" name=\"tv\" size=\"40\" autocomplete=\"off\" "
                      "autocapitalize=\"none\" placeholder=\"Values or keys matching regexp\" value=\"");
    webui_html(b, tv ? tv : "");
    pprof_buf_printf(b, "\"><button type=\"submit\">Filter</button><span>Each key lists its %d heaviest values%s."
                        "</span></form>\n",
                     TAGS_VALUES_SHOWN, tv ? " that match (all of a key whose name matches)" : "");
    if (!m)
        pprof_buf_puts(b, "<p>The samples have no labels.</p>\n");
    size_t keys = 0, more_keys = 0, listed = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && e[j].key == e[i].key)
            j++;
        keys++;
        if (listed < TAGS_KEYS_SHOWN)
            listed += write_key(b, c, e + i, j - i);
        else
            more_keys++;
        i = j;
    }
    if (more_keys)
        pprof_buf_printf(b, "<p class=\"more\">%zu more keys of %zu: the filter finds a key by its name.</p>\n",
                         more_keys, keys);
    else if (m && !listed)
        pprof_buf_puts(b, "<p>No value or key matches the filter.</p>\n");
    pprof_buf_puts(b, "</div>");
}

int webui_view_tags(webui_reply *out, webui_request *req, pprof_profile *p)
{
    const command_def *c = cmd_find_command("tags");
    cmd_report rep;
    pprof_buf notes = {0}, details = {0};
    pprof_error err;
    pprof_regex *filter = NULL;
    tag_entry *e = NULL;
    text_slot *weights = NULL, *percents = NULL;
    if (req->tv && pprof_regex_compile(&filter, req->tv, strlen(req->tv), &err) != 0) {
        webui_reply_error(out, 400, "parsing tv regexp: %s", err.msg);
        goto done;
    }
    if (cmd_report_setup(&rep, c, NULL, p, &req->cfg, req->srv->args, &notes, &err) != 0) {
        webui_reply_error(out, 400, "%s", err.msg);
        goto done;
    }
    pprof_write_profile_labels(&details, p, &rep.o, rep.o.unit);
    pprof_buf_append(&details, "", 1);
    size_t m = 0;
    weights = calloc(TEXT_SLOTS, sizeof *weights);
    percents = calloc(TEXT_SLOTS, sizeof *percents);
    if (!weights || !percents || tag_entries(&e, &m, p, rep.o.sample_index) != 0) {
        webui_reply_error(out, 500, "out of memory");
        goto done;
    }
    webui_page pg = {req, p, "tags", NULL, notes.len ? (pprof_buf_append(&notes, "", 1), (const char *)notes.data) : NULL,
                     (const char *)details.data};
    panel_ctx ctx = {p, &rep.o, pprof_string(p, p->sample_types[rep.o.sample_index].unit), filter, weights, percents};
    out->status = 200;
    out->type = "text/html; charset=utf-8";
    webui_page_begin(&out->body, &pg);
    write_panel(&out->body, &ctx, req->tv, e, m);
    webui_page_end(&out->body, &pg, NULL, "webui/tags.js");
    if (out->body.failed)
        webui_reply_error(out, 500, "out of memory");
done:
    free(weights);
    free(percents);
    free(e);
    pprof_regex_free(filter);
    pprof_buf_release(&notes);
    pprof_buf_release(&details);
    return 0;
}
