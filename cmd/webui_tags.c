/* webui_tags.c: the label panel (/ui/tags): each label key with its values and their weights after the request's filters; a click on a value focuses on it (tf=key=^value$). */
#include "webui.h"

#include <stdlib.h>
#include <string.h>

typedef struct tag_entry {
    pprof_str key, str; /* str 0: numeric */
    int64_t num;
    int64_t weight;
} tag_entry;

static const pprof_profile *sort_profile; /* for the comparator; views run one per process */

static int cmp_entry(const void *a, const void *b)
{
    const tag_entry *x = a, *y = b;
    int c = strcmp(pprof_string(sort_profile, x->key), pprof_string(sort_profile, y->key));
    if (c)
        return c;
    if ((x->str == 0) != (y->str == 0))
        return x->str == 0 ? 1 : -1;
    if (x->str)
        return strcmp(pprof_string(sort_profile, x->str), pprof_string(sort_profile, y->str));
    return x->num < y->num ? -1 : x->num > y->num;
}

static int cmp_weight(const void *a, const void *b)
{
    const tag_entry *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return cmp_entry(a, b);
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

/* value as an anchored RE2 regexp matching exactly it. */
static void exact_regexp(pprof_buf *b, const char *s)
{
    pprof_buf_puts(b, "^");
    for (; *s; s++) {
        if (strchr("\\.+*?()|[]{}^$", *s))
            pprof_buf_puts(b, "\\");
        pprof_buf_append(b, s, 1);
    }
    pprof_buf_puts(b, "$");
}

int webui_view_tags(webui_reply *out, webui_request *req, pprof_profile *p)
{
    const command_def *c = cmd_find_command("tags");
    cmd_report rep;
    pprof_buf notes = {0}, html = {0}, details = {0}, link = {0}, re = {0};
    pprof_error err;
    if (cmd_report_setup(&rep, c, NULL, p, &req->cfg, req->srv->args, &notes, &err) != 0) {
        webui_reply_error(out, 400, "%s", err.msg);
        goto done;
    }
    pprof_write_profile_labels(&details, p, &rep.o, rep.o.unit);
    pprof_buf_append(&details, "", 1);
    size_t n = 0, cap = 0;
    tag_entry *e = NULL;
    for (size_t i = 0; i < p->n_samples; i++) {
        const pprof_sample *s = &p->samples[i];
        const pprof_label *l = pprof_sample_labels(p, s);
        int64_t w = abs64(pprof_sample_values(p, i)[rep.o.sample_index]);
        for (uint32_t k = 0; k < s->n_labels; k++) {
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                tag_entry *ne = realloc(e, cap * sizeof *e);
                if (!ne) {
                    free(e);
                    webui_reply_error(out, 500, "out of memory");
                    goto done;
                }
                e = ne;
            }
            e[n++] = (tag_entry){l[k].key, l[k].str, l[k].str ? 0 : l[k].num, w};
        }
    }
    /* Sum the weights of equal key/value pairs. */
    sort_profile = p;
    if (n)
        qsort(e, n, sizeof *e, cmp_entry);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && cmp_entry(&e[m - 1], &e[i]) == 0) {
            int64_t sum = e[m - 1].weight + e[i].weight;
            e[m - 1].weight = sum < e[m - 1].weight ? INT64_MAX : sum;
        } else {
            e[m++] = e[i];
        }
    }
    pprof_buf_puts(&html, "<div id=\"tags\" class=\"panel\">\n");
    if (!m)
        pprof_buf_puts(&html, "<p>The samples have no labels.</p>\n");
    for (size_t i = 0; i < m;) {
        size_t j = i;
        int64_t key_total = 0, max = 1;
        while (j < m && e[j].key == e[i].key) {
            key_total += e[j].weight;
            if (e[j].weight > max)
                max = e[j].weight;
            j++;
        }
        qsort(e + i, j - i, sizeof *e, cmp_weight);
        const char *key = pprof_string(p, e[i].key);
        pprof_buf_puts(&html, "<h2>");
        webui_html(&html, key);
        pprof_buf_puts(&html, "</h2>\n<table>\n");
        for (size_t k = i; k < j; k++) {
            char value[96], weight[64], pct[32];
            const char *v = value;
            if (e[k].str)
                v = pprof_string(p, e[k].str);
            else
                pprof_format_scaled(value, sizeof value, e[k].num, pprof_label_unit(p, e[k].key), "minimum");
            pprof_format_scaled(weight, sizeof weight, rep.o.ratio != 1.0 ? webui_ratio(e[k].weight, rep.o.ratio) : e[k].weight,
                                pprof_string(p, p->sample_types[rep.o.sample_index].unit), rep.o.unit);
            pprof_format_percent(pct, sizeof pct, e[k].weight, key_total);
            /* tf=key=^value$ for a string, key=N (an exact value) for a number. */
            link.len = 0;
            re.len = 0;
            pprof_buf_puts(&re, key);
            pprof_buf_puts(&re, "=");
            if (e[k].str)
                exact_regexp(&re, v);
            else
                pprof_buf_printf(&re, "%lld", (long long)e[k].num);
            pprof_buf_append(&re, "", 1);
            pprof_buf_puts(&link, "?tf=");
            webui_url_value(&link, (const char *)re.data);
            pprof_buf_append(&link, "", 1);
            pprof_buf_printf(&html, "<tr><td class=\"num\">");
            webui_html(&html, weight);
            pprof_buf_puts(&html, "</td><td class=\"num\">");
            webui_html(&html, pct);
            pprof_buf_printf(&html, "</td><td><span class=\"bar\" style=\"width:%dpx\"></span></td><td><a class=\"tagvalue\" href=\"",
                             (int)(200.0 * (double)e[k].weight / (double)max + 0.5));
            webui_html(&html, (const char *)link.data);
            pprof_buf_puts(&html, "\">");
            webui_html(&html, v);
            pprof_buf_puts(&html, "</a></td></tr>\n");
        }
        pprof_buf_puts(&html, "</table>\n");
        i = j;
    }
    pprof_buf_puts(&html, "</div>");
    free(e);
    webui_page pg = {req, p, "tags", NULL, notes.len ? (pprof_buf_append(&notes, "", 1), (const char *)notes.data) : NULL,
                     (const char *)details.data};
    out->status = 200;
    out->type = "text/html; charset=utf-8";
    webui_page_begin(&out->body, &pg);
    pprof_buf_append(&out->body, html.data, html.len);
    webui_page_end(&out->body, &pg, NULL, NULL);
done:
    pprof_buf_release(&notes);
    pprof_buf_release(&html);
    pprof_buf_release(&details);
    pprof_buf_release(&link);
    pprof_buf_release(&re);
    return 0;
}
