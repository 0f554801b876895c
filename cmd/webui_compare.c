/* webui_compare.c: the compare view (/ui/compare) of a capture directory: two time windows picked from its captures, their differential flame graph and -diff table. */
#include "webui.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_capture(const void *a, const void *b)
{
    const webui_capture *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return strcmp(x->path, y->path);
}

int webui_captures_scan(webui_capture **out, size_t *n, const char *dir)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        if (!path)
            break;
        snprintf(path, len, "%s/%s", dir, e->d_name);
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        void *map = MAP_FAILED;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
            map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (fd >= 0)
            close(fd);
        int64_t t = 0, dur = 0;
        pprof_error err;
        bool timed = map != MAP_FAILED && pprof_profile_peek_times(map, (size_t)st.st_size, &t, &dur, &err) == 0 && t > 0;
        if (map != MAP_FAILED)
            munmap(map, (size_t)st.st_size);
        if (!timed) {
            free(path);
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            webui_capture *nc = realloc(*out, cap * sizeof *nc);
            if (!nc) {
                free(path);
                break;
            }
            *out = nc;
        }
        (*out)[(*n)++] = (webui_capture){path, t, dur};
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_capture);
    return 0;
}

void webui_captures_free(webui_capture *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].path);
    free(c);
}

/* "START..END" of captures [first, last], as RFC 3339 with nanoseconds. */
static void window_text(char *buf, size_t n, const webui_capture *c, int first, int last)
{
    int64_t start = c[first].time, end = c[last].time + (c[last].duration > 0 ? c[last].duration : 1);
    char a[32], b[32];
    const int64_t ns = 1000000000;
    time_t sa = (time_t)(start / ns), sb = (time_t)(end / ns);
    struct tm ta, tb;
    gmtime_r(&sa, &ta);
    gmtime_r(&sb, &tb);
    strftime(a, sizeof a, "%Y-%m-%dT%H:%M:%S", &ta);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tb);
    snprintf(buf, n, "%s.%09lldZ..%s.%09lldZ", a, (long long)(start % ns), b, (long long)(end % ns));
}

static void options(pprof_buf *b, const webui_server *srv, const char *id, const char *name, int selected)
{
    pprof_buf_printf(b, "<select id=\"%s\" name=\"%s\">", id, name);
    for (size_t i = 0; i < srv->n_captures; i++) {
        char when[64];
        pprof_format_time(when, sizeof when, srv->captures[i].time);
        const char *base = strrchr(srv->captures[i].path, '/');
        pprof_buf_printf(b, "<option value=\"%zu\"%s>", i, (int)i == selected ? " selected" : "");
        webui_html(b, when);
        pprof_buf_puts(b, " \xe2\x80\x94 ");
        webui_html(b, base ? base + 1 : srv->captures[i].path);
        pprof_buf_puts(b, "</option>");
    }
    pprof_buf_puts(b, "</select>");
}

/* The -diff report's rows as a table: eight value columns, then the name. */
static void diff_table(pprof_buf *html, const char *text)
{
    pprof_buf_puts(html, "<table id=\"diff-table\"><thead><tr>");
    static const char *const head[] = {"old flat", "new flat", "delta", "delta%", "old cum", "new cum", "delta",
                                       "delta%", "name"};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        pprof_buf_printf(html, "<th>%s</th>", head[i]);
    pprof_buf_puts(html, "</tr></thead><tbody>\n");
    bool in_rows = false;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (in_rows) {
            const char *s = line, *end = line + len;
            pprof_buf_puts(html, "<tr>");
            for (int col = 0; col < 8 && s < end; col++) {
                while (s < end && *s == ' ')
                    s++;
                const char *w = s;
                while (s < end && *s != ' ')
                    s++;
                pprof_buf_printf(html, "<td class=\"num%s\">", (col == 2 || col == 6) && *w == '-' ? " better" : "");
                webui_html_n(html, w, (size_t)(s - w));
                pprof_buf_puts(html, "</td>");
            }
            while (s < end && *s == ' ')
                s++;
            pprof_buf_puts(html, "<td>");
            webui_html_n(html, s, (size_t)(end - s));
            pprof_buf_puts(html, "</td></tr>\n");
        } else if (len > 8 && memcmp(line, "  old flat", 10) == 0) {
            in_rows = true;
        }
        line = nl ? nl + 1 : NULL;
    }
    pprof_buf_puts(html, "</tbody></table>\n");
}

int webui_view_compare(webui_reply *out, webui_request *req, pprof_profile *p)
{
    const webui_server *srv = req->srv;
    if (!srv->capture_dir) {
        webui_reply_error(out, 404, "the compare view needs a capture directory (of at least two timed profiles) as the source");
        return 0;
    }
    int n = (int)srv->n_captures;
    int a = req->cmp[0] >= 0 ? req->cmp[0] : 0, ae = req->cmp[1] >= 0 ? req->cmp[1] : n / 2 - 1;
    int b = req->cmp[2] >= 0 ? req->cmp[2] : n / 2, be = req->cmp[3] >= 0 ? req->cmp[3] : n - 1;
    if (ae < a) {
        int t = a;
        a = ae, ae = t;
    }
    if (be < b) {
        int t = b;
        b = be, be = t;
    }
    char wa[192], wb[192];
    window_text(wa, sizeof wa, srv->captures, a, ae);
    window_text(wb, sizeof wb, srv->captures, b, be);
    pprof_buf html = {0}, notes = {0}, svg = {0}, text = {0}, msg = {0};
    pprof_profile *q = NULL;
    pprof_stack_set *stacks = NULL;
    pprof_buf_puts(&html, "<div id=\"compare\" class=\"panel\">\n<form method=\"get\" action=\"./compare\">"
                          "<span>A (base): from ");
    options(&html, srv, "compare-a", "a", a);
    pprof_buf_puts(&html, " to ");
    options(&html, srv, "compare-a-end", "ae", ae);
    pprof_buf_puts(&html, "</span><span>B: from ");
    options(&html, srv, "compare-b", "b", b);
    pprof_buf_puts(&html, " to ");
    options(&html, srv, "compare-b-end", "be", be);
    pprof_buf_puts(&html, "</span><button id=\"compare-go\" type=\"submit\">Compare</button></form>\n");

    /* The windows' profiles, read from the directory for this view (the
     * server holds their merge, not each one); errors are collected. */
    cmd_args args = *srv->args;
    args.window = wb;
    args.base_window = wa;
    args.base = args.diff_base = NULL;
    args.fetched = NULL;
    args.single_threaded = req->cfg.single_threaded; /* set in the forked view child */
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *errs = tmpfile();
    if (errs)
        dup2(fileno(errs), STDERR_FILENO);
    int rc = cmd_load_sources(&q, &args);
    fflush(stderr);
    if (errs) {
        rewind(errs);
        char buf[4096];
        size_t got = fread(buf, 1, sizeof buf - 1, errs);
        pprof_buf_append(&msg, buf, got);
        fclose(errs);
    }
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    pprof_buf_append(&msg, "", 1);
    if (rc != 0) {
        webui_reply_error(out, 400, "comparing %s with %s: %s", wa, wb, (const char *)msg.data);
        goto done;
    }
    cmd_report rep;
    pprof_error err;
    if (cmd_report_setup(&rep, cmd_find_command("diff"), NULL, q, &req->cfg, &args, &notes, &err) != 0) {
        webui_reply_error(out, 400, "%s", err.msg);
        goto done;
    }
    rep.o.flame.width = 0;
    rep.o.flame.inverted = true;
    rep.o.flame.title = "B compared with A";
    if (pprof_stacks_build(&stacks, q, &rep.o, &err) != 0 || pprof_write_flame_svg(&svg, stacks, &rep.o.flame, &err) != 0 ||
        pprof_write(&text, "diff", q, &rep.o, &err) != 0) {
        webui_reply_error(out, 500, "%s", err.msg);
        goto done;
    }
    pprof_buf_append(&text, "", 1);
    const char *s = (const char *)svg.data;
    size_t sl = svg.len;
    for (size_t i = 0; i + 4 < svg.len; i++)
        if (memcmp(s + i, "<svg", 4) == 0) {
            s += i, sl -= i;
            break;
        }
    pprof_buf_puts(&html, "<h2>Differential flame graph (red grew, blue shrank)</h2>\n<div id=\"diff-flame\" class=\"diffflame\">");
    pprof_buf_append(&html, s, sl);
    pprof_buf_puts(&html, "</div>\n<h2>Functions that changed (pprof -diff)</h2>\n");
    diff_table(&html, (const char *)text.data);
    pprof_buf_puts(&html, "</div>");
    if (notes.len)
        pprof_buf_append(&notes, "", 1);
    webui_page pg = {req, p, "compare", NULL, notes.len ? (const char *)notes.data : NULL, NULL};
    out->status = 200;
    out->type = "text/html; charset=utf-8";
    webui_page_begin(&out->body, &pg);
    pprof_buf_append(&out->body, html.data, html.len);
    webui_page_end(&out->body, &pg, NULL, NULL);
done:
    pprof_stack_set_free(stacks);
    pprof_profile_free(q);
    pprof_buf_release(&html);
    pprof_buf_release(&notes);
    pprof_buf_release(&svg);
    pprof_buf_release(&text);
    pprof_buf_release(&msg);
    return 0;
}
