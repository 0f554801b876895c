/* webui_page.c: the HTML page around every view: head with the embedded styles, header menus (view, sample, refine, config, download), search box, details, dialogs, notes, and the scripts. */
#include "webui.h"

#include <string.h>

/* The View menu: pprof's ids and paths, then ours. */
static const struct {
    const char *id, *href, *label, *help;
} view_links[] = {
    {"topbtn", "./top", "Top", "Outputs top entries in text form"},
    {"graphbtn", "./", "Graph", "Display profile as a directed graph"},
    {"flamegraph", "./flamegraph", "Flame Graph", "Display profile as a flame graph"},
    {"peek", "./peek", "Peek", "Output callers/callees of functions matching regexp"},
    {"list", "./source", "Source", "Output annotated source for functions matching regexp"},
    {"disasm", "./disasm", "Disassemble", "Output assembly listings annotated with samples"},
    {"tagsbtn", "./tags", "Labels", "Label keys and values with their weights; click one to focus on it"},
};

static const struct {
    const char *id, *label, *help;
} refine_links[] = {
    {"focus", "Focus", "Show only samples that go through the selected nodes"},
    {"ignore", "Ignore", "Drop samples that go through the selected nodes"},
    {"hide", "Hide", "Remove the selected nodes from the stacks, keeping their samples"},
    {"show", "Show", "Keep only the selected nodes in the stacks"},
    {"show-from", "Show from", "Drop the frames above the highest selected node"},
};

/* "<file> <type>": the main binary's base name and the sample type. */
static void page_title(pprof_buf *b, const webui_page *pg)
{
    if (pg->title) {
        webui_html(b, pg->title);
        return;
    }
    const pprof_profile *p = pg->p;
    const char *file = "unknown";
    size_t flen = strlen(file);
    if (p->n_mappings && *pprof_string(p, p->mappings[0].file)) {
        /* The base name, as Go's filepath.Base. */
        const char *path = pprof_string(p, p->mappings[0].file);
        size_t end = strlen(path);
        while (end > 1 && path[end - 1] == '/')
            end--;
        size_t start = end;
        while (start > 0 && path[start - 1] != '/')
            start--;
        file = path + start;
        flen = end - start;
    }
    webui_html_n(b, file, flen);
    pprof_buf_puts(b, " ");
    int si = 0;
    const char *name = pg->req->cfg.sample_index && *pg->req->cfg.sample_index ? pg->req->cfg.sample_index
                                                                                 : pg->req->srv->args->sample_flag;
    if (pprof_sample_index(&si, p, name, NULL) == 0 && (size_t)si < p->n_sample_types) {
        if (pg->req->cfg.mean)
            pprof_buf_puts(b, "mean_");
        webui_html(b, pprof_string(p, p->sample_types[si].type));
    }
}

const webui_asset *webui_asset_find(const char *name)
{
    for (size_t i = 0; i < webui_n_assets; i++)
        if (strcmp(webui_assets[i].name, name) == 0)
            return &webui_assets[i];
    return NULL;
}

static void asset(pprof_buf *b, const char *name)
{
    const webui_asset *a = webui_asset_find(name);
    if (a)
        pprof_buf_append(b, a->data, a->len);
}

/* Each line of text (NULL: none) as <div>line</div>, escaped, close after each. */
static void lines_as_divs(pprof_buf *b, const char *text, const char *close)
{
    for (const char *d = text; d && *d;) {
        const char *nl = strchr(d, '\n');
        size_t n = nl ? (size_t)(nl - d) : strlen(d);
        pprof_buf_puts(b, "<div>");
        webui_html_n(b, d, n);
        pprof_buf_puts(b, close);
        d += n + (nl != NULL);
    }
}

void webui_page_begin(pprof_buf *b, const webui_page *pg)
{
    const pprof_profile *p = pg->p;
    pprof_buf_puts(b, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
    page_title(b, pg);
    pprof_buf_puts(b, "</title>\n<style>\n");
    asset(b, "webui/page.css");
    pprof_buf_puts(b, "</style>\n</head>\n<body class=\"view-");
    webui_html(b, pg->view_id);
    pprof_buf_puts(b, "\">\n<div class=\"header\">\n<div class=\"title\"><h1><a href=\"./\">pprof</a></h1></div>\n");

    pprof_buf_puts(b, "<div id=\"view\" class=\"menu-item\"><div class=\"menu-name\">View<i class=\"downArrow\"></i></div>"
                      "<div class=\"submenu\">\n");
    for (size_t i = 0; i < sizeof view_links / sizeof *view_links; i++)
        pprof_buf_printf(b, "<a title=\"%s\" href=\"%s\" id=\"%s\">%s</a>\n", view_links[i].help, view_links[i].href,
                         view_links[i].id, view_links[i].label);
    if (pg->req->srv->capture_dir)
        pprof_buf_puts(b, "<a title=\"Pick two time windows of a capture directory and compare them\" "
                          "href=\"./compare\" id=\"comparebtn\">Compare</a>\n");
    pprof_buf_puts(b, "</div></div>\n");

    if (p->n_sample_types > 1) {
        pprof_buf_puts(b, "<div id=\"sample\" class=\"menu-item\"><div class=\"menu-name\">Sample<i class=\"downArrow\"></i>"
                          "</div><div class=\"submenu\">\n");
        for (size_t i = 0; i < p->n_sample_types; i++) {
            const char *t = pprof_string(p, p->sample_types[i].type);
            pprof_buf_puts(b, "<a href=\"?si=");
            webui_html(b, t);
            pprof_buf_puts(b, "\" class=\"sample-link\" id=\"sampletype-");
            webui_html(b, t);
            pprof_buf_puts(b, "\">");
            webui_html(b, t);
            pprof_buf_puts(b, "</a>\n");
        }
        pprof_buf_puts(b, "</div></div>\n");
    }

    pprof_buf_puts(b, "<div id=\"refine\" class=\"menu-item\"><div class=\"menu-name\">Refine<i class=\"downArrow\"></i>"
                      "</div><div class=\"submenu\">\n");
    for (size_t i = 0; i < sizeof refine_links / sizeof *refine_links; i++)
        pprof_buf_printf(b, "<a title=\"%s\" href=\"?\" id=\"%s\">%s</a>\n", refine_links[i].help, refine_links[i].id,
                         refine_links[i].label);
    pprof_buf_puts(b, "<hr><a title=\"Remove every refinement\" href=\"?\" id=\"reset\">Reset</a>\n</div></div>\n");

    pprof_buf_puts(b, "<div id=\"config\" class=\"menu-item\"><div class=\"menu-name\">Config<i class=\"downArrow\"></i>"
                      "</div><div class=\"submenu\">\n<a title=\"Save current settings\" id=\"save-config\">Save as ...</a>"
                      "<hr>\n<div id=\"config-entries\"></div>\n</div></div>\n");
    pprof_buf_puts(b, "<div id=\"download\" class=\"menu-item\"><div class=\"menu-name\"><a href=\"./download\" "
                      "title=\"The profile, as protocol buffers\">Download</a></div></div>\n");
    pprof_buf_puts(b, "<div><input id=\"search\" type=\"text\" placeholder=\"Search regexp\" autocomplete=\"off\" "
                      "autocapitalize=\"none\" size=\"40\"></div>\n");
    pprof_buf_puts(b, "<div class=\"description\"><a title=\"Show information about the profile and this view\" "
                      "href=\"#\" id=\"details\">");
    page_title(b, pg);
    pprof_buf_puts(b, "</a><div id=\"detailsbox\">\n");
    lines_as_divs(b, pg->details, "</div>\n");
    pprof_buf_puts(b, "</div></div>\n</div>\n");

    pprof_buf_puts(b, "<div id=\"dialog-overlay\"></div>\n"
                      "<div class=\"dialog\" id=\"save-dialog\"><div class=\"dialog-header\">Save options as</div>"
                      "<datalist id=\"config-list\"></datalist>"
                      "<input id=\"save-name\" type=\"text\" list=\"config-list\" placeholder=\"New config\">"
                      "<div class=\"dialog-footer\"><span class=\"dialog-error\" id=\"save-error\"></span>"
                      "<button id=\"save-cancel\">Cancel</button><button id=\"save-confirm\">Save</button></div></div>\n"
                      "<div class=\"dialog\" id=\"delete-dialog\"><div class=\"dialog-header\" id=\"delete-dialog-title\">"
                      "Delete config</div><div id=\"delete-prompt\"></div><div class=\"dialog-footer\">"
                      "<span class=\"dialog-error\" id=\"delete-error\"></span><button id=\"delete-cancel\">Cancel</button>"
                      "<button id=\"delete-confirm\">Delete</button></div></div>\n");
    pprof_buf_puts(b, "<div id=\"errors\">");
    lines_as_divs(b, pg->notes, "</div>");
    pprof_buf_puts(b, "</div>\n<div id=\"content\">\n");
}

void webui_page_end(pprof_buf *b, const webui_page *pg, const char *data, const char *script)
{
    const pprof_profile *p = pg->p;
    pprof_buf_puts(b, "\n</div>\n<script>\nvar pprofPage = {view: ");
    webui_js(b, pg->view_id);
    pprof_buf_puts(b, ", sampleTypes: [");
    for (size_t i = 0; i < p->n_sample_types; i++) {
        if (i)
            pprof_buf_puts(b, ", ");
        webui_js(b, pprof_string(p, p->sample_types[i].type));
    }
    pprof_buf_puts(b, "], configs: ");
    webui_settings_js(b, pg->req->srv->settings_path);
    pprof_buf_puts(b, ", data: ");
    pprof_buf_puts(b, data && *data ? data : "null");
    pprof_buf_puts(b, "};\n</script>\n<script>\n");
    asset(b, "webui/page.js");
    pprof_buf_puts(b, "</script>\n");
    if (script) {
        pprof_buf_puts(b, "<script>\n");
        asset(b, script);
        pprof_buf_puts(b, "</script>\n");
    }
    pprof_buf_puts(b, "</body>\n</html>\n");
}
