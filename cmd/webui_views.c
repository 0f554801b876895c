/* webui_views.c: the views at pprof's paths (graph, top, flame graph, peek, source, disasm, download), each a function of (profile view, request settings) -> reply. */
#include "webui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Resolves the request's settings for report command `command` and
 * applies its filters to p (the child's copy-on-write view); 0, or a 400
 * in out. */
static int setup(cmd_report *rep, pprof_buf *notes, webui_request *req, pprof_profile *p, const char *command,
                 const char *param, webui_reply *out)
{
    const command_def *c = cmd_find_command(command);
    pprof_error err;
    if (cmd_report_setup(rep, c, param, p, &req->cfg, req->srv->args, notes, &err) != 0) {
        webui_reply_error(out, 400, "%s", err.msg);
        return -1;
    }
    return 0;
}

int64_t webui_ratio(int64_t v, double ratio)
{
    /* Go's int64(float64(v) * ratio): truncated; out of range gives
     * INT64_MIN as on amd64. */
    double x = (double)v * ratio;
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)x;
}

/* A node's values, divided by the mean divisor when there is one. */
static int64_t node_flat(const pprof_node *n)
{
    return n->flat_div ? n->flat / n->flat_div : n->flat;
}

static int64_t node_cum(const pprof_node *n)
{
    return n->cum_div ? n->cum / n->cum_div : n->cum;
}

/* pprof's output unit for unit=minimum: fit for the smallest shown value
 * and the total. */
static const char *output_unit(const pprof_graph *g, const pprof_profile *p, const pprof_report_options *o)
{
    if (strcmp(o->unit, "minimum") != 0 || g->n_nodes == 0)
        return o->unit;
    int64_t minv = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        int64_t v = llabs((long long)node_flat(&g->nodes[i]));
        if (v == 0)
            v = llabs((long long)node_cum(&g->nodes[i]));
        if (v > 0 && (minv == 0 || v < minv))
            minv = v;
    }
    int64_t maxv = o->total;
    if (minv == 0)
        minv = maxv;
    if (o->ratio > 0 && o->ratio != 1) {
        minv = webui_ratio(minv, o->ratio);
        maxv = webui_ratio(maxv, o->ratio);
    }
    return pprof_unit_select_minimum(minv, maxv, pprof_string(p, p->sample_types[o->sample_index].unit));
}

static void format_value(char *buf, size_t n, const pprof_profile *p, const pprof_report_options *o, const char *unit,
                         int64_t v)
{
    if (o->ratio != 1.0)
        v = webui_ratio(v, o->ratio);
    pprof_format_scaled(buf, n, v, pprof_string(p, p->sample_types[o->sample_index].unit), unit);
}

static void html_reply(webui_reply *out)
{
    out->status = 200;
    out->type = "text/html; charset=utf-8";
}

/* The details box: the profile's labels (file, type, time, total). */
static void details_of(pprof_buf *d, const pprof_profile *p, const pprof_report_options *o)
{
    pprof_write_profile_labels(d, p, o, o->unit);
    if (o->filters && o->filters[0]) {
        pprof_buf_puts(d, "Active filters:\n");
        for (const char *const *f = o->filters; *f; f++)
            pprof_buf_printf(d, "   %s\n", *f);
    }
    pprof_buf_append(d, "", 1);
}

static const char *cstr(pprof_buf *b)
{
    if (!b->len || b->data[b->len - 1] != 0)
        pprof_buf_append(b, "", 1);
    return (const char *)b->data;
}

/* Skips an XML prolog and doctype: the SVG (n bytes at s) goes inline
 * into the page. */
static const char *svg_start(const void *svg, size_t n, size_t *len)
{
    const char *s = svg;
    for (size_t i = 0; i + 4 < n; i++) {
        if (memcmp(s + i, "<svg", 4) == 0) {
            *len = n - i;
            return s + i;
        }
    }
    *len = n;
    return s;
}

/* A text report in the page: <pre class="report"> holding blocks of
 * WEBUI_CHUNK_LINES lines each (<span class="c">, a block the browser lays
 * out only when it scrolls into view: a peek of a big profile is 140,000
 * lines, which Chromium takes half a minute to lay out as one block as it
 * arrives). The blocks split the text only at line ends, so the <pre>'s
 * text is the report's. */
#define WEBUI_CHUNK_LINES 500

typedef struct text_chunks {
    pprof_buf *page;
    unsigned lines;    /* in the open block */
    bool full;         /* the open block has its lines: the next byte opens another */
} text_chunks;

static void chunks_begin(pprof_buf *page, const char *pre_id)
{
    pprof_buf_printf(page, "<pre id=\"%s\" class=\"report\"><span class=\"c\">", pre_id);
}

static void chunks_end(pprof_buf *page)
{
    pprof_buf_puts(page, "</span></pre>");
}

/* The text's n bytes at s, escaped, a new block after every
 * WEBUI_CHUNK_LINES lines (opened by the byte after the last line's
 * newline, so that no block is empty). */
static void chunks_add(text_chunks *c, const char *s, size_t n)
{
    while (n) {
        if (c->full) {
            pprof_buf_puts(c->page, "</span><span class=\"c\">");
            c->full = false;
            c->lines = 0;
        }
        const char *nl = memchr(s, '\n', n);
        size_t k = nl ? (size_t)(nl - s) + 1 : n;
        webui_html_n(c->page, s, k);
        if (nl && ++c->lines == WEBUI_CHUNK_LINES)
            c->full = true;
        s += k, n -= k;
    }
}

/* A page with the view's HTML in between; freed buffers are the caller's.
 * With pre_id, html is text, escaped into a <pre> of that id. */
static int page_of(webui_reply *out, webui_request *req, const pprof_profile *p, const char *view_id,
                   pprof_buf *notes, pprof_buf *details, const char *pre_id, const char *html, size_t html_len,
                   const char *data, const char *script)
{
    webui_page pg = {req, p, view_id, NULL, notes ? cstr(notes) : NULL, details ? cstr(details) : NULL};
    html_reply(out);
    webui_page_begin(&out->body, &pg);
    if (pre_id) {
        /* (A report may be megabytes: escaped straight into the page.) */
        text_chunks c = {&out->body, 0, false};
        chunks_begin(&out->body, pre_id);
        chunks_add(&c, html, html_len);
        chunks_end(&out->body);
    } else {
        pprof_buf_append(&out->body, html, html_len);
    }
    webui_page_end(&out->body, &pg, data, script);
    if (out->body.failed)
        webui_reply_error(out, 500, "out of memory");
    return 0;
}

static int page(webui_reply *out, webui_request *req, const pprof_profile *p, const char *view_id, pprof_buf *notes,
                pprof_buf *details, const char *html, size_t html_len, const char *data, const char *script)
{
    return page_of(out, req, p, view_id, notes, details, NULL, html, html_len, data, script);
}

/* A report's bytes, escaped into the page's blocks as they come. */
static int html_sink(void *ctx, const uint8_t *data, size_t len)
{
    text_chunks *c = ctx;
    chunks_add(c, (const char *)data, len);
    return c->page->failed ? ENOMEM : 0;
}

/* Report `writer` appended to out, escaped into blocks of text when
 * chunks (the page's <pre>, its state) is not NULL: then it goes through text in pieces (a peek of a big profile is megabytes,
 * which would otherwise be made once more before the page copies them). */
static int write_part(pprof_buf *out, pprof_buf *text, const char *writer, pprof_profile *p,
                      const pprof_report_options *o, text_chunks *chunks, pprof_error *err)
{
    text->len = 0;
    if (!chunks)
        return pprof_write(out, writer, p, o, err);
    text->sink = html_sink;
    text->sink_ctx = chunks;
    text->flush_at = (size_t)1 << 18;
    int rc = pprof_write(text, writer, p, o, err);
    if (!rc && pprof_buf_flush(text) != 0)
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return rc;
}

/* Report `writer` appended to out (escaped for HTML text when html), in
 * two halves made at once (pprof_report_options.split): a peek of a big
 * profile is megabytes. 0, or an error in err. */
static int write_split(pprof_buf *out, const char *writer, pprof_profile *p, const pprof_report_options *ro,
                       bool html, pprof_error *err)
{
    webui_split split = {0};
    pprof_report_options o = *ro;
    o.n_parts = 2;
    o.split = webui_split_fork;
    o.split_ctx = &split;
    pprof_buf text = {0}, second = {0};
    text_chunks chunks = {out, 0, false};
    text_chunks *c = html ? &chunks : NULL;
    size_t start = out->len;
    int rc = write_part(out, &text, writer, p, &o, c, err);
    if (split.helper)
        webui_split_helper_end(&split, out->data + start, out->len - start, rc || out->failed);
    bool forked = split.pid > 0;
    if (webui_split_join(&split, &second, rc == 0)) {
        pprof_buf_append(out, second.data, second.len);
    } else if (!rc && forked) {
        /* The helper failed: its part is made here. */
        o.part = 1;
        o.split = NULL;
        rc = write_part(out, &text, writer, p, &o, c, err);
    }
    pprof_buf_release(&text);
    pprof_buf_release(&second);
    if (!rc && out->failed)
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return rc;
}

static int view_graph(webui_reply *out, webui_request *req, pprof_profile *p)
{
    cmd_report rep;
    pprof_buf notes = {0}, details = {0}, svg = {0}, html = {0};
    if (setup(&rep, &notes, req, p, "dot", NULL, out) != 0)
        goto done;
    details_of(&details, p, &rep.o);
    pprof_error err;
    if (cmd_report_svg(&svg, p, &rep.o, &err) != 0) {
        webui_reply_error(out, 500, "%s", err.msg);
        goto done;
    }
    size_t n;
    const char *s = svg_start(svg.data, svg.len, &n);
    pprof_buf_puts(&html, "<div id=\"graph\">");
    /* The drawing starts fitted to the window (see cmd/render.c). */
    if (n > 4 && memcmp(s, "<svg", 4) == 0) {
        pprof_buf_puts(&html, "<svg data-fit=\"1\"");
        s += 4, n -= 4;
    }
    pprof_buf_append(&html, s, n);
    pprof_buf_puts(&html, "</div>");
    page(out, req, p, "graph", &notes, &details, (const char *)html.data, html.len, NULL, "webui/graph.js");
done:
    pprof_buf_release(&notes);
    pprof_buf_release(&details);
    pprof_buf_release(&svg);
    pprof_buf_release(&html);
    return 0;
}

static int view_top(webui_reply *out, webui_request *req, pprof_profile *p)
{
    cmd_report rep;
    pprof_buf notes = {0}, details = {0}, data = {0}, name = {0};
    pprof_graph *g = NULL;
    /* pprof's top table shows up to 500 rows whatever n says. */
    req->cfg.nodecount = 500;
    if (setup(&rep, &notes, req, p, "top", NULL, out) != 0)
        goto done;
    pprof_graph_options go = rep.o.graph;
    go.inline_edges_only = true;
    pprof_error err;
    if (pprof_graph_build(&g, p, &go, &err) != 0) {
        webui_reply_error(out, 500, "%s", err.msg);
        goto done;
    }
    const char *unit = output_unit(g, p, &rep.o);
    int64_t flat_sum = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        flat_sum += node_flat(&g->nodes[i]);
    details_of(&details, p, &rep.o);
    details.len--; /* its NUL */
    char a[64], b[64], pct[32];
    format_value(a, sizeof a, p, &rep.o, unit, flat_sum);
    format_value(b, sizeof b, p, &rep.o, unit, rep.o.total);
    pprof_format_percent(pct, sizeof pct, flat_sum, rep.o.total);
    pprof_buf_printf(&details, "Showing nodes accounting for %s, %s of %s total\n", a, pct + strspn(pct, " "), b);
    if (g->n_nodes < g->orig_nodes)
        pprof_buf_printf(&details, "Showing top %zu nodes out of %zu\n", g->n_nodes, g->orig_nodes);
    pprof_buf_printf(&data, "{total: %lld, rows: [", (long long)rep.o.total);
    for (size_t i = 0; i < g->n_nodes; i++) {
        const pprof_node *n = &g->nodes[i];
        int64_t fv = node_flat(n), cv = node_cum(n);
        char f[64], c[64];
        format_value(f, sizeof f, p, &rep.o, unit, fv);
        format_value(c, sizeof c, p, &rep.o, unit, cv);
        bool inl = false, noinl = false;
        for (uint32_t k = 0; k < n->n_in; k++) {
            if (g->edges[g->in_edges[n->in_off + k]].is_inline)
                inl = true;
            else
                noinl = true;
        }
        name.len = 0;
        pprof_node_name(&name, g, n);
        pprof_buf_append(&name, "", 1);
        pprof_buf_puts(&data, i ? ",\n{Name: " : "\n{Name: ");
        webui_js(&data, (const char *)name.data);
        pprof_buf_printf(&data, ", InlineLabel: \"%s\", Flat: %lld, Cum: %lld, FlatFormat: ",
                         inl ? (noinl ? "(partial-inline)" : "(inline)") : "", (long long)fv, (long long)cv);
        webui_js(&data, f);
        pprof_buf_puts(&data, ", CumFormat: ");
        webui_js(&data, c);
        pprof_buf_puts(&data, "}");
    }
    pprof_buf_puts(&data, "]}");
    pprof_buf_append(&data, "", 1);
    static const char table[] =
        "<div id=\"top\"><table id=\"toptable\"><thead><tr>"
        "<th id=\"flathdr1\">Flat</th><th id=\"flathdr2\">Flat%</th><th>Sum%</th>"
        "<th id=\"cumhdr1\">Cum</th><th id=\"cumhdr2\">Cum%</th><th id=\"namehdr\">Name</th><th>Inlined?</th>"
        "</tr></thead><tbody id=\"rows\"></tbody></table></div>";
    page(out, req, p, "top", &notes, &details, table, sizeof table - 1, (const char *)data.data, "webui/top.js");
done:
    pprof_graph_free(g);
    pprof_buf_release(&notes);
    pprof_buf_release(&details);
    pprof_buf_release(&data);
    pprof_buf_release(&name);
    return 0;
}

static int view_flamegraph(webui_reply *out, webui_request *req, pprof_profile *p)
{
    cmd_report rep;
    pprof_buf notes = {0}, details = {0};
    if (setup(&rep, &notes, req, p, "flamegraph", NULL, out) != 0)
        goto done;
    details_of(&details, p, &rep.o);
    /* pprof's web flame graph is an icicle (root on top) filling the window. */
    rep.o.flame.inverted = true;
    rep.o.flame.width = 0;
    rep.o.flame.title = " ";
    /* The drawing (megabytes for a big profile) is written straight into
     * the page, its XML prolog then cut: a view's memory is all new pages,
     * each one zeroed by the kernel as it is first written. */
    webui_page pg = {req, p, "flamegraph", NULL, cstr(&notes), cstr(&details)};
    html_reply(out);
    webui_page_begin(&out->body, &pg);
    pprof_buf_puts(&out->body, "<div id=\"flame\">");
    size_t at = out->body.len;
    pprof_error err;
    /* (pprof_write makes the graph from the loaded profile's call tree,
     * with the frame names the server made once.) */
    if (pprof_write(&out->body, "flamegraph", p, &rep.o, &err) != 0) {
        webui_reply_error(out, 500, "%s", err.msg);
        goto done;
    }
    size_t n;
    const char *start = svg_start(out->body.data + at, out->body.len - at, &n);
    memmove(out->body.data + at, start, n);
    out->body.len = at + n;
    pprof_buf_puts(&out->body, "</div>");
    webui_page_end(&out->body, &pg, NULL, "webui/flame.js");
    if (out->body.failed)
        webui_reply_error(out, 500, "out of memory");
done:
    pprof_buf_release(&notes);
    pprof_buf_release(&details);
    return 0;
}

/* Peek, source and disassembly, for the functions f matches: a text report
 * in <pre>, or (writer "source") pprof's HTML listing as it comes. */
static int text_view(webui_reply *out, webui_request *req, pprof_profile *p, const char *command, const char *view_id,
                     const char *granularity, const char *html_writer)
{
    cmd_report rep;
    pprof_buf notes = {0}, details = {0}, text = {0}, html = {0};
    if (!req->cfg.granularity || !*req->cfg.granularity) {
        free(req->cfg.granularity);
        req->cfg.granularity = strdup(granularity);
    }
    const char *arg = req->arg ? req->arg : "";
    if (setup(&rep, &notes, req, p, command, arg, out) != 0)
        goto done;
    details_of(&details, p, &rep.o);
    const command_def *c = cmd_find_command(command);
    pprof_error err;
    char pre_id[64]; /* the text's <pre> */
    snprintf(pre_id, sizeof pre_id, "%s-text", view_id);
    if (html_writer && !*arg) {
        webui_reply_error(out, 400, "no matches found for regexp: ");
        goto done;
    }
    if (!html_writer && !c->render && strcmp(c->writer, "peek") == 0) {
        /* (Written straight into the page: it may be megabytes.) */
        webui_page pg = {req, p, view_id, NULL, cstr(&notes), cstr(&details)};
        html_reply(out);
        webui_page_begin(&out->body, &pg);
        chunks_begin(&out->body, pre_id);
        if (write_split(&out->body, c->writer, p, &rep.o, true, &err) != 0) {
            webui_reply_error(out, err.code == PPROF_ENOMEM ? 500 : 400, "%s", err.msg);
        } else {
            chunks_end(&out->body);
            webui_page_end(&out->body, &pg, NULL, "webui/text.js");
            if (out->body.failed)
                webui_reply_error(out, 500, "out of memory");
        }
        goto done;
    }
    int rc = html_writer ? pprof_write(&text, html_writer, p, &rep.o, &err)
             : c->render  ? c->render(&text, p, &rep.o, &err)
                          : pprof_write(&text, c->writer, p, &rep.o, &err);
    if (rc != 0) {
        webui_reply_error(out, err.code == PPROF_ENOMEM ? 500 : 400, "%s", err.msg);
        goto done;
    }
    if (html_writer) {
        pprof_buf_printf(&html, "<div id=\"%s-listing\" class=\"listing\">", view_id);
        pprof_buf_append(&html, text.data, text.len);
        pprof_buf_puts(&html, "</div>");
        page(out, req, p, view_id, &notes, &details, (const char *)html.data, html.len, NULL, "webui/source.js");
    } else {
        page_of(out, req, p, view_id, &notes, &details, pre_id, text.data ? (const char *)text.data : "", text.len,
                NULL, "webui/text.js");
    }
done:
    pprof_buf_release(&notes);
    pprof_buf_release(&details);
    pprof_buf_release(&text);
    pprof_buf_release(&html);
    return 0;
}

static int view_peek(webui_reply *out, webui_request *req, pprof_profile *p)
{
    return text_view(out, req, p, "peek", "peek", "lines", NULL);
}

static int view_source(webui_reply *out, webui_request *req, pprof_profile *p)
{
    return text_view(out, req, p, "weblist", "source", "addresses", "source");
}

static int view_disasm(webui_reply *out, webui_request *req, pprof_profile *p)
{
    if (cmd_find_command("disasm"))
        return text_view(out, req, p, "disasm", "disasm", "addresses", NULL);
    webui_reply_error(out, 404, "disassembly is not available in this build of pprof"); /* no -disasm command */
    return 0;
}

const webui_view webui_views[] = {
    {"", "dot", view_graph, false},
    {"top", "top", view_top, false},
    {"flamegraph", "flamegraph", view_flamegraph, true},
    {"peek", "peek", view_peek, false},
    {"source", "list", view_source, false},
    {"disasm", "disasm", view_disasm, false},
    {"download", "proto", NULL, false}, /* webui_serve_download */
    {"tags", "tags", webui_view_tags, false},
    {"compare", "diff", webui_view_compare, false},
};
const size_t webui_n_views = sizeof webui_views / sizeof webui_views[0];
