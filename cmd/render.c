/* render.c: -svg, -png, -pdf, -ps, -gif: the -dot graph laid out and drawn by Graphviz's libraries inside the process (no dot program needed). */
#include "cmd.h"

#define DYNLIB_WANT_GRAPHVIZ
#include "dynlib.h"

#include <stdlib.h>
#include <string.h>

/* Graphviz, fontconfig and pango keep caches for the life of the process
 * (and Graphviz 2.43 leaks its plugin table); LeakSanitizer, when built in,
 * reads these suppressions, which name only those libraries. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libgvc.so\n"
           "leak:libgvplugin_\n"
           "leak:libfontconfig.so\n"
           "leak:libpango\n"
           "leak:libcairo.so\n"
           "leak:libglib-2.0.so\n"
           "leak:libgobject-2.0.so\n"
           "leak:libharfbuzz.so\n"
           "leak:libfreetype.so\n"
           "leak:libexpat.so\n";
}

/* Graphviz reports problems through a callback with no context; one
 * rendering runs at a time, so its messages are collected here. */
static char render_errors[1024];

static int collect_error(char *msg)
{
    size_t used = strlen(render_errors);
    if (used + 1 < sizeof render_errors)
        snprintf(render_errors + used, sizeof render_errors - used, "%s", msg);
    return 0;
}

/* The first line of what Graphviz said, for an error message. */
static const char *first_error(void)
{
    char *nl = strchr(render_errors, '\n');
    if (nl)
        *nl = 0;
    return render_errors[0] ? render_errors : "no details";
}

/* Pan and zoom for the SVG in a browser: the drawing opens scaled to fit
 * the window (never enlarged) and centred, and refits when the window
 * changes until the user zooms or pans; the wheel zooms around the
 * pointer, dragging pans, a double click fits again. The drawing sits in
 * the group "viewport" that the script transforms; the script is the first
 * child of the <svg> (found as the last script parsed so far, which also
 * works with the SVG inline in a page) and runs before the group exists.
 * An <svg data-fit> (the web UI's graph) starts, and resets to, the whole
 * drawing fitted to the window. */
static const char pan_zoom_script[] =
    "<script type=\"text/ecmascript\"><![CDATA[\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var scripts = document.getElementsByTagName('script'), svg = scripts[scripts.length - 1].parentNode;\n"
    "  var view = null, scale = 1, tx = 0, ty = 0, drag = null, moved = false;\n"
    "  function apply() {\n"
    "    view = view || svg.querySelector('#viewport');\n"
    "    if (view) view.setAttribute('transform', 'translate(' + tx + ',' + ty + ') scale(' + scale + ')');\n"
    "  }\n"
    "  function fit() {\n"
    "    view = view || svg.querySelector('#viewport');\n"
    "    if (!view) return;\n"
    "    var b = view.getBBox(), r = svg.getBoundingClientRect();\n"
    "    if (!(b.width > 0 && b.height > 0 && r.width > 0 && r.height > 0)) return;\n"
    "    scale = Math.min(1, r.width / b.width, r.height / b.height);\n"
    "    tx = (r.width - b.width * scale) / 2 - b.x * scale;\n"
    "    ty = (r.height - b.height * scale) / 2 - b.y * scale;\n"
    "    moved = false;\n"
    "    apply();\n"
    "  }\n"
    "  function point(e) { var r = svg.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; }\n"
    "  svg.addEventListener('wheel', function (e) {\n"
    "    e.preventDefault();\n"
    "    var p = point(e), k = Math.pow(1.002, -(e.deltaMode ? e.deltaY * 40 : e.deltaY));\n"
    "    var s = Math.min(40, Math.max(0.02, scale * k));\n"
    "    tx = p.x - (p.x - tx) * s / scale; ty = p.y - (p.y - ty) * s / scale; scale = s; moved = true; apply();\n"
    "  }, { passive: false });\n"
    "  svg.addEventListener('mousedown', function (e) {\n"
    "    if (e.button !== 0) return;\n"
    "    var p = point(e); drag = { x: p.x - tx, y: p.y - ty }; e.preventDefault();\n"
    "  });\n"
    "  window.addEventListener('mousemove', function (e) {\n"
    "    if (!drag) return;\n"
    "    var p = point(e); tx = p.x - drag.x; ty = p.y - drag.y; moved = true; apply();\n"
    "  });\n"
    "  window.addEventListener('mouseup', function () { drag = null; });\n"
    "  svg.addEventListener('dblclick', fit);\n"
    "  window.addEventListener('resize', function () { if (!moved) fit(); });\n"
    "  if (document.readyState === 'complete') setTimeout(fit, 0); else window.addEventListener('load', fit);\n"
    "})();\n"
    "]]></script>\n";

/* Makes Graphviz's SVG fill the window and pan and zoom: the root element
 * gets width and height 100% and no viewBox, the script follows it, and
 * the drawing is wrapped in the "viewport" group. */
static int add_pan_zoom(pprof_buf *out, const char *svg, size_t len)
{
    const char *open = NULL;
    for (size_t i = 0; i + 4 < len; i++) {
        if (memcmp(svg + i, "<svg", 4) == 0 && (svg[i + 4] == ' ' || svg[i + 4] == '\n')) {
            open = svg + i;
            break;
        }
    }
    const char *open_end = open ? memchr(open, '>', len - (size_t)(open - svg)) : NULL;
    const char *close = NULL;
    for (size_t i = len; open_end && i-- > (size_t)(open_end - svg);) {
        if (len - i >= 6 && memcmp(svg + i, "</svg>", 6) == 0) {
            close = svg + i;
            break;
        }
    }
    if (!open || !open_end || !close) /* not Graphviz's layout: leave it */
        return pprof_buf_append(out, svg, len);
    pprof_buf_append(out, svg, (size_t)(open - svg));
    pprof_buf_puts(out, "<svg width=\"100%\" height=\"100%\"");
    /* Keep the namespace declarations; drop the size and viewBox. */
    static const char *const keep[] = {"xmlns=\"", "xmlns:xlink=\""};
    for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
        size_t kl = strlen(keep[k]);
        for (const char *a = open; a + kl < open_end; a++) {
            if (memcmp(a, keep[k], kl) == 0 && (a[-1] == ' ' || a[-1] == '\n')) {
                const char *q = memchr(a + kl, '"', (size_t)(open_end - (a + kl)));
                if (q) {
                    pprof_buf_puts(out, " ");
                    pprof_buf_append(out, a, (size_t)(q + 1 - a));
                }
                break;
            }
        }
    }
    pprof_buf_puts(out, ">\n");
    pprof_buf_puts(out, pan_zoom_script);
    pprof_buf_puts(out, "<g id=\"viewport\" transform=\"translate(0,0) scale(1)\">");
    pprof_buf_append(out, open_end + 1, (size_t)(close - (open_end + 1)));
    pprof_buf_puts(out, "</g>\n");
    return pprof_buf_append(out, close, len - (size_t)(close - svg));
}

/* Graphviz's dot layout grows much faster than the graph: on this
 * project's profiles 300 boxes take 0.6 s, 1000 take 3.5 s, 3000 take 45 s.
 * pprof's defaults draw at most 80 nodes and their nodelets. The arrows
 * count too: -nodecount=2000 on the bench's 100k-sample profile gives 1346
 * boxes but 1904 arrows, and dot ran past 5 minutes on it; so the bound is
 * on boxes and arrows together (a default graph has a few hundred). */
#define MAX_DRAWN_NODES 2000
#define MAX_DRAWN_ITEMS 2500

/* One Graphviz context for the process, never freed: Graphviz 2.43's
 * pango plugin keeps a pointer to the last font name it measured, which
 * the context's font table owns; freeing the context left it dangling, and
 * the next layout read freed memory (fuzz_webui found it: the shell and
 * every process that draws twice did that). */
static GVC_t *graphviz_context(void)
{
    static GVC_t *gvc;
    if (!gvc)
        gvc = gvContext();
    return gvc;
}

/* Lays out dot (NUL-terminated) with the dot engine and renders it. */
static int render(pprof_buf *out, const char *dot, const char *format, pprof_error *err)
{
    char why[512];
    if (dynlib_load(DYNLIB_GRAPHVIZ, why, sizeof why) != 0)
        return pprof_error_set(err, PPROF_EIO, "%s", why);
    render_errors[0] = 0;
    agseterr(AGWARN);
    agseterrf(collect_error);
    GVC_t *gvc = graphviz_context();
    if (!gvc)
        return pprof_error_set(err, PPROF_ENOMEM, "graphviz: cannot start (out of memory)");
    int rc = 0;
    Agraph_t *g = agmemread(dot);
    if (!g) {
        rc = pprof_error_set(err, PPROF_EFORMAT, "graphviz could not read the graph: %s", first_error());
    } else if (agnnodes(g) > MAX_DRAWN_NODES) {
        rc = pprof_error_set(err, PPROF_ELIMIT,
                             "the graph has %d boxes; laying out more than %d takes Graphviz minutes to hours: "
                             "lower -nodecount, or write -dot",
                             agnnodes(g), MAX_DRAWN_NODES);
    } else if (agnnodes(g) + agnedges(g) > MAX_DRAWN_ITEMS) {
        rc = pprof_error_set(err, PPROF_ELIMIT,
                             "the graph has %d boxes and %d arrows; laying out more than %d in all takes Graphviz "
                             "minutes to hours: lower -nodecount, or write -dot",
                             agnnodes(g), agnedges(g), MAX_DRAWN_ITEMS);
    } else if (gvLayout(gvc, g, "dot") != 0) {
        rc = pprof_error_set(err, PPROF_EIO, "graphviz layout failed: %s", first_error());
    } else {
        char *data = NULL;
        unsigned int len = 0;
        if (gvRenderData(gvc, g, format, &data, &len) != 0 || !data) {
            rc = pprof_error_set(err, PPROF_EIO, "graphviz cannot render %s: %s", format, first_error());
        } else {
            rc = strcmp(format, "svg") == 0 ? add_pan_zoom(out, data, len) : pprof_buf_append(out, data, len);
            if (rc)
                rc = pprof_error_set(err, rc, "out of memory");
        }
        gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
    }
    if (g)
        agclose(g);
    agseterrf(NULL);
    return rc;
}

/* The DOT text in memory (the output may stream to a sink, the renderer
 * needs it whole). */
int cmd_graph_dot(pprof_buf *dot, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    int rc = pprof_write(dot, "dot", p, o, err);
    if (!rc && pprof_buf_append(dot, "", 1))
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return rc;
}

int cmd_graph_draw(pprof_buf *out, const pprof_buf *dot, const char *format, pprof_error *err)
{
    return render(out, (const char *)dot->data, format, err);
}

static int render_report(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err,
                         const char *format)
{
    pprof_buf dot = {0};
    int rc = cmd_graph_dot(&dot, p, o, err);
    if (!rc)
        rc = cmd_graph_draw(out, &dot, format, err);
    pprof_buf_release(&dot);
    return rc;
}

int cmd_report_svg(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    return render_report(out, p, o, err, "svg");
}

int cmd_report_png(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    return render_report(out, p, o, err, "png");
}

int cmd_report_pdf(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    return render_report(out, p, o, err, "pdf");
}

int cmd_report_ps(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    return render_report(out, p, o, err, "ps");
}

int cmd_report_gif(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    return render_report(out, p, o, err, "gif");
}
