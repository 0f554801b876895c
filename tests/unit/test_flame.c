/* test_flame.c: unit tests for the flame-graph SVG writer; `test_flame --write DIR` writes sample SVGs for tests/flame. */
#include "flame_frames.h"
#include "flame_layout.h"
#include "formats.h"
#include "internal.h"
#include "unit.h"
#include "unit_read.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ------------------------------------------------------------ stack sets by hand */

typedef struct set_builder {
    pprof_stack_set s;
    size_t cap_names, cap_frames, cap_stacks;
} set_builder;

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *n = realloc(p, c * size);
    if (!n) {
        fprintf(stderr, "test_flame: out of memory\n");
        exit(2);
    }
    *cap = c;
    return n;
}

static uint32_t intern(set_builder *b, const char *name, size_t len)
{
    for (size_t i = 0; i < b->s.n_names; i++)
        if (strlen(b->s.names[i]) == len && memcmp(b->s.names[i], name, len) == 0)
            return (uint32_t)i;
    b->s.names = grow(b->s.names, &b->cap_names, b->s.n_names + 1, sizeof *b->s.names);
    char *c = malloc(len + 1);
    if (!c)
        exit(2);
    memcpy(c, name, len);
    c[len] = 0;
    b->s.names[b->s.n_names] = c;
    return (uint32_t)b->s.n_names++;
}

static void add_ids(set_builder *b, const uint32_t *ids, size_t n, int64_t value, int64_t base)
{
    size_t cap = b->cap_frames;
    b->s.frames = grow(b->s.frames, &cap, b->s.n_frames + n, sizeof *b->s.frames);
    b->s.frame_flags = grow(b->s.frame_flags, &b->cap_frames, b->s.n_frames + n, 1);
    b->s.stacks = grow(b->s.stacks, &b->cap_stacks, b->s.n_stacks + 1, sizeof *b->s.stacks);
    pprof_stack *st = &b->s.stacks[b->s.n_stacks++];
    st->frames_off = b->s.n_frames;
    st->n_frames = (uint32_t)n;
    st->value = value;
    st->base = base;
    memcpy(b->s.frames + b->s.n_frames, ids, n * sizeof *ids);
    memset(b->s.frame_flags + b->s.n_frames, 0, n);
    b->s.n_frames += n;
    b->s.total += value < 0 ? -value : value;
    b->s.base_total += base < 0 ? -base : base;
    if (base)
        b->s.has_base = true;
}

/* "a;b;c": root first, as in folded text. */
static void add(set_builder *b, const char *folded, int64_t value, int64_t base)
{
    uint32_t ids[256];
    size_t n = 0;
    for (const char *p = folded; *p && n < 256;) {
        size_t len = strcspn(p, ";");
        ids[n++] = intern(b, p, len);
        p += len;
        if (*p == ';')
            p++;
    }
    add_ids(b, ids, n, value, base);
}

static void set_free(set_builder *b)
{
    for (size_t i = 0; i < b->s.n_names; i++)
        free(b->s.names[i]);
    free(b->s.names);
    free(b->s.frames);
    free(b->s.frame_flags);
    free(b->s.stacks);
    memset(b, 0, sizeof *b);
}

static char *render(const pprof_stack_set *s, const pprof_flame_options *o, size_t *len)
{
    pprof_buf out = {0};
    pprof_error err = {0};
    int rc = pprof_write_flame_svg(&out, s, o, &err);
    if (rc) {
        fprintf(stderr, "render failed: %s\n", err.msg);
        pprof_buf_release(&out);
        return NULL;
    }
    if (len)
        *len = out.len;
    return (char *)out.data;
}

/* ------------------------------------------------------------ a small XML checker */

static bool utf8_ok(const unsigned char *s, size_t n, size_t *bad)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                                            : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (!len || i + len > n || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
            *bad = i;
            return false;
        }
        for (unsigned k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80) {
                *bad = i;
                return false;
            }
        if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) || (c == 0xf0 && s[i + 1] < 0x90) ||
            (c == 0xf4 && s[i + 1] > 0x8f) || (c == 0xc2 && s[i + 1] < 0xa0) ||
            (c == 0xef && s[i + 1] == 0xbf && s[i + 2] >= 0xbe)) {
            *bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

static bool entity_ok(const char *p)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++)
        if (strncmp(p, ents[i], strlen(ents[i])) == 0)
            return true;
    return false;
}

/* Well-formedness basics: one root, balanced tags, quoted attributes,
 * entities, valid characters, and no empty <text>. NULL when fine. */
static const char *xml_check(const char *x, size_t n)
{
    static char msg[200];
    size_t bad;
    if (strlen(x) != n)
        return "NUL byte in output";
    if (!utf8_ok((const unsigned char *)x, n, &bad)) {
        snprintf(msg, sizeof msg, "bad character at byte %zu", bad);
        return msg;
    }
    const char *p = x, *end = x + n;
    if (strncmp(p, "<?xml ", 6) == 0) {
        p = strstr(p, "?>");
        if (!p)
            return "unterminated declaration";
        p += 2;
    }
    char stack[64][32];
    int depth = 0, roots = 0;
    bool text_content = false;
    while (p < end) {
        if (*p == '&') {
            if (!entity_ok(p))
                return "bad entity";
            text_content = true;
            p++;
        } else if (*p == ']' && strncmp(p, "]]>", 3) == 0) {
            return "]]> in text";
        } else if (*p != '<') {
            if (*p != '\n' && *p != ' ' && *p != '\t')
                text_content = true;
            if (depth == 0 && *p != '\n' && *p != ' ')
                return "text outside the root";
            p++;
        } else if (strncmp(p, "<!--", 4) == 0) {
            const char *e = strstr(p, "-->");
            if (!e)
                return "unterminated comment";
            p = e + 3;
        } else if (strncmp(p, "<![CDATA[", 9) == 0) {
            const char *e = strstr(p, "]]>");
            if (!e)
                return "unterminated CDATA";
            text_content = true;
            p = e + 3;
        } else if (p[1] == '/') {
            size_t len = strcspn(p + 2, ">");
            if (depth == 0 || len >= 32 || strncmp(stack[depth - 1], p + 2, len) != 0 ||
                stack[depth - 1][len])
                return "mismatched end tag";
            if (strcmp(stack[depth - 1], "text") == 0 && !text_content)
                return "empty <text>";
            depth--;
            p += 2 + len + 1;
        } else {
            p++;
            size_t len = strcspn(p, " \t\n/>");
            if (len == 0 || len >= 32)
                return "bad tag name";
            char name[32];
            memcpy(name, p, len);
            name[len] = 0;
            p += len;
            for (;;) {
                while (*p == ' ' || *p == '\n')
                    p++;
                if (*p == '>' || (*p == '/' && p[1] == '>'))
                    break;
                size_t an = strcspn(p, "= \t\n/>");
                if (an == 0 || p[an] != '=' || p[an + 1] != '"')
                    return "bad attribute";
                p += an + 2;
                while (*p && *p != '"') {
                    if (*p == '<')
                        return "< in attribute";
                    if (*p == '&' && !entity_ok(p))
                        return "bad entity in attribute";
                    p++;
                }
                if (!*p)
                    return "unterminated attribute";
                p++;
            }
            if (*p == '/') {
                if (strcmp(name, "text") == 0)
                    return "empty <text/>";
                p += 2;
                if (depth == 0)
                    roots++;
                continue;
            }
            p++;
            if (depth == 0)
                roots++;
            if (depth == 64)
                return "too deep";
            strcpy(stack[depth++], name);
            text_content = false;
        }
    }
    if (depth)
        return "unclosed element";
    if (roots != 1)
        return "not exactly one root element";
    return NULL;
}

/* ------------------------------------------------------------ reading the output back */

/* Not strstr in a loop: sanitizers make each call scan the rest of the string. */
static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (*p == *needle && strncmp(p, needle, k) == 0) {
            n++;
            p += k - 1;
        }
    return n;
}

/* The fill of the frame whose tooltip starts with title; 0 if none. */
static unsigned fill_of(const char *svg, const char *title, unsigned *rgb)
{
    char key[512];
    snprintf(key, sizeof key, "<title>%s (", title);
    const char *p = strstr(svg, key);
    if (!p || !(p = strstr(p, "fill=\"#")))
        return 0;
    *rgb = (unsigned)strtoul(p + 7, NULL, 16);
    return 1;
}

/* An attribute's number in the first element at or after p. */
static double attr_after(const char *p, const char *attr)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"", attr);
    const char *a = strstr(p, key);
    return a ? strtod(a + strlen(key), NULL) : -1;
}

/* Frame coordinates are static pixels (share of the root times 1180),
 * printed with the decimals the narrowest frame needs: at least 1/100 px
 * in these small sets. */
static bool near_px(double got, double want)
{
    return fabs(got - want) <= 0.005;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ sample sets */

static void basic_set(set_builder *b)
{
    add(b, "main;a;b", 10, 0);
    add(b, "main;a;c", 20, 0);
    add(b, "main;d", 5, 0);
    add(b, "main", 2, 0);
    b->s.unit = "count";
    b->s.type = "samples";
}

static const char big_name_char = '<';

static void hostile_set(set_builder *b)
{
    add(b, "main;<script>alert(1)</script>", 5, 0);
    add(b, "main;a & b;\"quoted\" 'single'", 4, 0);
    add(b, "main;]]>;x", 3, 0);
    add(b, "main;ctl\x01\x02\x1f\x7f" "end", 3, 0);
    add(b, "main;bad\xff\xfeutf8;trunc\xe2\x82", 2, 0);
    add(b, "main;surrogate\xed\xa0\x80;nonchar\xef\xbf\xbe;c1\xc2\x85", 2, 0);
    add(b, "main;--&gt;<!-- x -->", 2, 0);
    size_t n = 1 << 20;
    char *big = malloc(n + 1);
    if (!big)
        exit(2);
    memset(big, big_name_char, n);
    memcpy(big, "big", 3);
    big[n] = 0;
    uint32_t ids[2] = {intern(b, "main", 4), intern(b, big, n)};
    add_ids(b, ids, 2, 30, 0);
    free(big);
    b->s.unit = "bytes<&>";
    b->s.type = "alloc_space\"<x>";
}

static void diff_set(set_builder *b)
{
    add(b, "main;grow", 100, 10);
    add(b, "main;shrink", 10, 100);
    add(b, "main;same", 50, 50);
    add(b, "main;gone;deeper", 0, 40);
    add(b, "main;gone2", 0, 5);
    add(b, "main", 5, 5);
    b->s.unit = "nanoseconds";
    b->s.type = "cpu";
}

static void elided_set(set_builder *b)
{
    add(b, "main;big", 10000, 0);
    char name[32];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "main;tiny%02d", i);
        add(b, name, 1, 0);
    }
    b->s.unit = "count";
}

/* N stacks that extend prefixes of earlier ones (like the research
 * generator of spec/flamegraph.md §3c): a 6000-name pool, 15% kernel
 * annotated, depth 10..30, Pareto counts. */
static void random_set(set_builder *b, size_t n_stacks, uint64_t seed)
{
    uint64_t x = seed;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    enum { POOL = 6000 };
    b->s.names = grow(b->s.names, &b->cap_names, POOL, sizeof *b->s.names);
    for (int i = 0; i < POOL; i++) {
        char name[64];
        uint64_t r = RND();
        snprintf(name, sizeof name, "%s_%llu%s", i % 7 == 0 ? "runtime.mallocgc" : i % 3 ? "pkg.Func" : "main.work",
                 (unsigned long long)(r % 100000), i % 100 < 15 ? "_[k]" : "");
        b->s.names[i] = strdup(name);
    }
    b->s.n_names = POOL;
    uint32_t path[64];
    for (size_t i = 0; i < n_stacks; i++) {
        size_t depth = 10 + RND() % 21, keep = 0;
        if (i > 0) {
            const pprof_stack *prev = &b->s.stacks[RND() % i];
            keep = RND() % (prev->n_frames + 1);
            if (keep > depth)
                keep = depth;
            memcpy(path, b->s.frames + prev->frames_off, keep * sizeof *path);
        } else {
            path[0] = 0;
            keep = 1;
        }
        for (size_t d = keep; d < depth; d++)
            path[d] = d == 0 ? (uint32_t)(RND() % 20) : (uint32_t)(RND() % POOL);
        double u = (double)(RND() % 1000000 + 1) / 1000001.0;
        int64_t v = (int64_t)(1.0 / pow(u, 1 / 1.2));
        add_ids(b, path, depth, v, 0);
    }
#undef RND
    b->s.unit = "count";
    b->s.type = "samples";
}

/* ------------------------------------------------------------ tests */

static void test_basic(void)
{
    set_builder b = {0};
    basic_set(&b);
    size_t len;
    char *svg = render(&b.s, NULL, &len);
    CHECK(svg != NULL);
    if (!svg)
        return;
    const char *bad = xml_check(svg, len);
    CHECK_STR(bad ? bad : "ok", "ok");
    CHECK(strstr(svg, "width=\"100%\"") != NULL);
    CHECK(strstr(svg, "<title>all (37, 100%)</title>") != NULL);
    CHECK(strstr(svg, "<title>a (30, 81.08%)</title>") != NULL);
    CHECK(strstr(svg, "<title>b (10, 27.03%)</title>") != NULL);
    /* The root spans the whole frame viewBox, in pixels of the static
     * rendering whatever the values. */
    const char *vb = strstr(svg, "id=\"fgframes\"");
    CHECK(vb && strstr(vb, "viewBox=\"0 0 1180 "));
    const char *root = strstr(svg, "<title>all (");
    CHECK(root && attr_after(root, "width") == 1180);
    const char *fa = strstr(svg, "<title>a (");
    CHECK(fa && near_px(attr_after(fa, "width"), 1180.0 * 30 / 37));
    CHECK(strstr(svg, "<script") && !strstr(strstr(svg, "<![CDATA[") + 9, "<![CDATA["));
    CHECK(count(svg, "]]>") == 1);
    CHECK(strstr(svg, "<text id=\"fgdetails\" x=\"10\" y=\"") && strstr(svg, "samples: total 37</text>"));
    /* Every value lands at its node; the root equals the total. */
    flame_tree t;
    pprof_error err;
    CHECK_INT(flame_tree_build(&t, &b.s, false, &err), 0);
    CHECK_INT(t.nodes[0].value, b.s.total);
    CHECK_INT(t.n_nodes, 6);
    flame_layout l;
    CHECK_INT(flame_layout_build(&l, &t, 0, &err), 0);
    CHECK_INT(l.n_rows, 4);
    CHECK_INT(l.items[0].w, 37);
    /* Row 2 holds a then d, packed from the left. */
    CHECK_INT(l.row_off[2] - l.row_off[1], 1);
    const flame_item *r2 = &l.items[l.row_off[2]];
    CHECK_INT(r2[0].x, 0);
    CHECK_INT(r2[0].w, 30);
    CHECK_INT(r2[1].x, 30);
    CHECK_INT(r2[1].w, 5);
    flame_layout_release(&l);
    flame_tree_release(&t);
    /* Determinism: same input, same bytes. */
    size_t len2;
    char *again = render(&b.s, NULL, &len2);
    CHECK(again && len == len2 && memcmp(svg, again, len) == 0);
    free(again);
    free(svg);
    set_free(&b);
}

static void test_hostile(void)
{
    set_builder b = {0};
    hostile_set(&b);
    pprof_flame_options o = {0};
    o.title = "</text><script>alert(document.domain)</script><text>";
    o.subtitle = "sub & \"x\" ]]> \x01";
    size_t len;
    char *svg = render(&b.s, &o, &len);
    CHECK(svg != NULL);
    if (!svg)
        return;
    const char *bad = xml_check(svg, len);
    CHECK_STR(bad ? bad : "ok", "ok");
    CHECK_INT(count(svg, "<script"), 1);
    CHECK(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt; (") != NULL);
    CHECK(strstr(svg, "<title>a &amp; b (") != NULL);
    CHECK(strstr(svg, "<title>\"quoted\" 'single' (") != NULL);
    CHECK(strstr(svg, "<title>]]&gt; (") != NULL);
    CHECK_INT(count(svg, "]]>"), 1);
    CHECK(strstr(svg, "<title>ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "end (") != NULL);
    CHECK(strstr(svg, "<title>bad\xef\xbf\xbd\xef\xbf\xbdutf8 (") != NULL);
    CHECK(strstr(svg, "<title>trunc\xef\xbf\xbd (") != NULL);
    CHECK(strstr(svg, "<title>surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd (") != NULL);
    CHECK(strstr(svg, "<title>nonchar\xef\xbf\xbd (") != NULL);
    CHECK(strstr(svg, "<title>c1\xef\xbf\xbd (") != NULL);
    CHECK(strstr(svg, "&lt;/text&gt;&lt;script&gt;alert(document.domain)") != NULL);
    CHECK(strstr(svg, "sub &amp; \"x\" ]]&gt; \xef\xbf\xbd</text>") != NULL);
    CHECK(strstr(svg, "alloc_space\"&lt;x&gt;: total ") != NULL);
    /* The 1 MiB name: once in its tooltip, escaped, and cut in its label. */
    const char *big = strstr(svg, "<title>big&lt;&lt;&lt;");
    CHECK(big != NULL);
    CHECK(count(svg, "&lt;") > (1u << 20));
    CHECK(strstr(svg, ">big&lt;&lt;") != NULL && strstr(svg, "&lt;..</text>") != NULL);
    free(svg);
    set_free(&b);
}

static void test_inverted(void)
{
    set_builder b = {0};
    basic_set(&b);
    pprof_flame_options o = {0};
    o.inverted = true;
    o.width = 800;
    size_t len;
    char *svg = render(&b.s, &o, &len);
    CHECK(svg != NULL);
    if (!svg)
        return;
    const char *bad = xml_check(svg, len);
    CHECK_STR(bad ? bad : "ok", "ok");
    CHECK(strstr(svg, "<title>Icicle Graph</title>") != NULL);
    CHECK(strstr(svg, "width=\"800\" height=\"") != NULL);
    /* Root row first and at the top: no translation; the deepest row last. */
    const char *frames = strstr(svg, "id=\"fgframes\"");
    CHECK(frames && strstr(frames, ">\n<g>\n<g><title>all (") != NULL);
    CHECK(strstr(svg, "<g transform=\"translate(0,48)\">\n<g><title>b (") != NULL);
    free(svg);
    o.inverted = false;
    svg = render(&b.s, &o, &len);
    CHECK(svg && strstr(svg, "<g transform=\"translate(0,48)\">\n<g><title>all (") != NULL);
    free(svg);
    set_free(&b);
}

static void test_minwidth(void)
{
    set_builder b = {0};
    elided_set(&b);
    pprof_flame_options o = {0};
    o.minwidth = 1;
    o.minwidth_percent = true;
    size_t len;
    char *svg = render(&b.s, &o, &len);
    CHECK(svg != NULL);
    if (!svg)
        return;
    const char *bad = xml_check(svg, len);
    CHECK_STR(bad ? bad : "ok", "ok");
    CHECK(strstr(svg, "<title>tiny00 (") == NULL);
    const char *stub = strstr(svg, "<g class=\"e\"><title>(50 more) (50, 0.5%)</title>");
    CHECK(stub != NULL);
    CHECK(stub && near_px(attr_after(stub, "x"), 1180.0 * 10000 / 10050) &&
          near_px(attr_after(stub, "width"), 1180.0 * 50 / 10050));
    free(svg);
    /* 0% keeps everything; the default (0 px = 0.1 px) keeps 1/10050 of 1180 px. */
    o.minwidth = 0;
    svg = render(&b.s, &o, &len);
    CHECK(svg && strstr(svg, "<title>tiny49 (") && !strstr(svg, "more)"));
    free(svg);
    o.minwidth_percent = false;
    svg = render(&b.s, &o, &len);
    CHECK(svg && strstr(svg, "<title>tiny49 (") && !strstr(svg, "more)"));
    free(svg);
    o.minwidth = 5; /* pixels: 1/10050 of 1180 px is 0.12 px */
    svg = render(&b.s, &o, &len);
    CHECK(svg && !strstr(svg, "<title>tiny49 (") && strstr(svg, "(50 more)"));
    free(svg);
    set_free(&b);
}

static bool reddish(unsigned rgb)
{
    return (rgb >> 16) == 0xff && (rgb & 0xff) < 0xff && ((rgb >> 8) & 0xff) == (rgb & 0xff);
}

static bool bluish(unsigned rgb)
{
    return (rgb & 0xff) == 0xff && (rgb >> 16) < 0xff && ((rgb >> 8) & 0xff) == (rgb >> 16);
}

static void test_diff(void)
{
    set_builder b = {0};
    diff_set(&b);
    size_t len;
    char *svg = render(&b.s, NULL, &len);
    CHECK(svg != NULL);
    if (!svg)
        return;
    const char *bad = xml_check(svg, len);
    CHECK_STR(bad ? bad : "ok", "ok");
    unsigned rgb = 0;
    CHECK(fill_of(svg, "grow", &rgb) && reddish(rgb));
    CHECK(rgb == 0xff5a5a); /* the largest change is the deepest colour */
    CHECK(fill_of(svg, "shrink", &rgb) && bluish(rgb));
    CHECK(fill_of(svg, "same", &rgb) && rgb == 0xe4e4e4);
    /* main's self is unchanged: neutral by self delta... */
    CHECK(fill_of(svg, "main", &rgb) && rgb == 0xe4e4e4);
    CHECK(strstr(svg, "<title>grow (new 100ns, 60.61%; old 10ns; self delta +90ns, +42.86% of base)</title>"));
    /* ...and the frames only in the base are a marker in main's child row. */
    const char *gone = strstr(svg, "<g class=\"d\"><title>2 frames only in base: gone, gone2 (new 0, 0%; old 45ns; "
                                   "delta -45ns, -21.43% of base)</title><line x1=\"");
    CHECK(gone != NULL);
    CHECK(gone && attr_after(gone, "x1") == attr_after(strstr(svg, "<title>main ("), "width"));
    CHECK(strstr(svg, "cpu: total new 165ns, old 210ns, delta -45ns</text>"));
    free(svg);
    pprof_flame_options o = {0};
    o.diff_total = true;
    svg = render(&b.s, &o, &len);
    CHECK(svg && fill_of(svg, "main", &rgb) && bluish(rgb));
    CHECK(svg && fill_of(svg, "grow", &rgb) && reddish(rgb));
    CHECK(svg && strstr(svg, "<title>main (new 165ns, 100%; old 210ns; delta -45ns, -21.43% of base)"));
    free(svg);
    set_free(&b);
}

static void test_deep(void)
{
    enum { DEPTH = 100000 };
    set_builder b = {0};
    uint32_t *ids = malloc(DEPTH * sizeof *ids);
    char name[32];
    for (int i = 0; i < DEPTH; i++) {
        snprintf(name, sizeof name, "f%d", i % 1000);
        ids[i] = intern(&b, name, strlen(name));
    }
    add_ids(&b, ids, DEPTH, 7, 0);
    add_ids(&b, ids, DEPTH / 2, 3, 0);
    b.s.unit = "count";
    free(ids);
    size_t len;
    double t0 = now();
    char *svg = render(&b.s, NULL, &len);
    double dt = now() - t0;
    CHECK(svg != NULL);
    if (svg) {
        printf("flame: deep stack of %d frames: %.3f s, %zu bytes\n", DEPTH, dt, len);
        const char *bad = xml_check(svg, len);
        CHECK_STR(bad ? bad : "ok", "ok");
        CHECK_INT(count(svg, "<g><title>"), DEPTH + 1);
        CHECK(strstr(svg, "<title>all (10, 100%)") != NULL);
    }
    free(svg);
    set_free(&b);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Prints time and size; asserts only a generous bound, as machines vary. */
static void measure(const pprof_stack_set *s, const pprof_flame_options *o, const char *what, size_t n_stacks)
{
    size_t len;
    double t0 = now(), c0 = cpu_now();
    char *svg = render(s, o, &len);
    double dt = now() - t0, dc = cpu_now() - c0;
    CHECK(svg != NULL);
    if (!svg)
        return;
    size_t n_frames = count(svg, "<g><title>") + count(svg, "<g class=");
    const char *body = strstr(svg, "id=\"fgframes\"");
    const char *tail = strstr(svg, "<script");
    size_t body_len = body && tail ? (size_t)(tail - body) : len;
    printf("flame: %zu stacks (%zu frames in, avg depth %.1f), %s: %.3f s (%.3f s cpu), %zu frames out, "
           "%zu bytes, %.1f bytes/frame without the fixed prelude and script\n",
           n_stacks, s->n_frames, (double)s->n_frames / (double)n_stacks, what, dt, dc, n_frames, len,
           n_frames ? (double)body_len / (double)n_frames : 0.0);
    CHECK(dc < 5.0); /* CPU time: wall time on a loaded machine says nothing */
    CHECK(n_frames > 1000);
    const char *bad = xml_check(svg, len);
    CHECK_STR(bad ? bad : "ok", "ok");
    free(svg);
}

static void test_speed(void)
{
    set_builder b = {0};
    random_set(&b, 100000, 88172645463325252ull);
    measure(&b.s, NULL, "default minwidth (0.1 px)", 100000);
    set_free(&b);
    /* Every frame drawn: what a frame costs in bytes. */
    random_set(&b, 10000, 88172645463325252ull);
    pprof_flame_options all = {0};
    all.minwidth_percent = true; /* 0% */
    measure(&b.s, &all, "minwidth 0% (every frame)", 10000);
    set_free(&b);
}

static void test_colors(void)
{
    set_builder b = {0};
    add(&b, "read_write", 10, 0);
    add(&b, "write_read", 10, 0);
    add(&b, "runtime.mallocgc", 10, 0);
    add(&b, "github.com/x/y.(*T).M", 10, 0);
    add(&b, "net/http.(*conn).serve", 10, 0);
    add(&b, "malloc", 10, 0);
    add(&b, "java/lang/Thread.run", 10, 0);
    add(&b, "Interpreter", 10, 0);
    add(&b, "do_syscall_64_[k]", 10, 0);
    add(&b, "-", 10, 0);
    b.s.unit = "count";
    unsigned a = 0, c = 0;
    char *svg = render(&b.s, NULL, NULL);
    CHECK(svg && fill_of(svg, "read_write", &a) && fill_of(svg, "write_read", &c) && a != c);
    /* hot: red 205..255, green 0..230, blue 0..55 */
    CHECK((a >> 16) >= 205 && (a & 0xff) <= 55);
    CHECK(svg && fill_of(svg, "-", &a) && a == 0xc8c8c8);
    /* The annotation picks a colour but is not part of the name. */
    CHECK(svg && strstr(svg, "<title>do_syscall_64 (") && !strstr(svg, "_[k]"));
    free(svg);
    static const struct {
        const char *palette, *frame;
        unsigned lo, hi; /* per channel bounds of the expected flat palette, as 0xRRGGBB */
    } want[] = {
        {"go", "runtime.mallocgc", 0xafaf32, 0xe6e646},           /* yellow */
        {"go", "github.com/x/y.(*T).M", 0x32c832, 0x6effff},      /* green */
        {"go", "net/http.(*conn).serve", 0x32a5a5, 0x6edcdc},     /* aqua */
        {"go", "malloc", 0xc83232, 0xff8282},                     /* red */
        {"go", "do_syscall_64", 0xbe5a00, 0xff9b00},              /* orange */
        {"java", "java/lang/Thread.run", 0x32c832, 0x6effff},     /* green */
        {"java", "Interpreter", 0xc83232, 0xff8282},              /* red */
        {"mem", "malloc", 0x00be00, 0x00f0d2},
        {"blue", "malloc", 0x5050cd, 0x8c8cff},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        pprof_flame_options o = {0};
        o.colors = want[i].palette;
        svg = render(&b.s, &o, NULL);
        unsigned rgb = 0;
        bool ok = svg && fill_of(svg, want[i].frame, &rgb);
        for (int sh = 0; sh < 24 && ok; sh += 8) {
            unsigned v = rgb >> sh & 255;
            ok = v >= (want[i].lo >> sh & 255) && v <= (want[i].hi >> sh & 255);
        }
        if (!ok)
            fprintf(stderr, "palette %s, %s: got #%06x\n", want[i].palette, want[i].frame, rgb);
        CHECK(ok);
        free(svg);
    }
    set_free(&b);
    /* java: an inlined frame is aqua, the same name not inlined is red. */
    add(&b, "x;Inl", 10, 0);
    b.s.frame_flags[1] = PPROF_FRAME_INLINED;
    add(&b, "y;Inl", 10, 0);
    pprof_flame_options jo = {0};
    jo.colors = "java";
    svg = render(&b.s, &jo, NULL);
    const char *first = svg ? strstr(svg, "<title>Inl (") : NULL;
    unsigned f1 = 0, f2 = 0;
    CHECK(first && fill_of(first, "Inl", &f1) && fill_of(first + 10, "Inl", &f2));
    CHECK(f1 >> 16 >= 0x32 && f1 >> 16 <= 0x6e && (f1 & 0xff) >= 0xa5); /* aqua */
    CHECK(f2 >> 16 >= 0xc8);                                              /* red */
    free(svg);
    pprof_flame_options o = {0};
    o.colors = "rainbow";
    pprof_buf out = {0};
    pprof_error err = {0};
    CHECK_INT(pprof_write_flame_svg(&out, &b.s, &o, &err), PPROF_EINVAL);
    CHECK(strstr(err.msg, "rainbow") != NULL);
    CHECK_INT(out.len, 0);
    pprof_buf_release(&out);
    set_free(&b);
}

static void test_sort(void)
{
    set_builder b = {0};
    add(&b, "main;zeta", 50, 0);
    add(&b, "main;alpha", 1, 0);
    add(&b, "main;mid", 10, 0);
    b.s.unit = "count";
    char *svg = render(&b.s, NULL, NULL);
    const char *a = svg ? strstr(svg, "<title>alpha (") : NULL, *z = svg ? strstr(svg, "<title>zeta (") : NULL;
    CHECK(a && z && a < z && strstr(a, "</title><rect width=") == strchr(a + 7, '<'));
    free(svg);
    pprof_flame_options o = {0};
    o.sort_by_weight = true;
    svg = render(&b.s, &o, NULL);
    a = svg ? strstr(svg, "<title>alpha (") : NULL;
    z = svg ? strstr(svg, "<title>zeta (") : NULL;
    const char *m = svg ? strstr(svg, "<title>mid (") : NULL;
    CHECK(a && z && m && z < m && m < a && near_px(attr_after(m, "x"), 1180.0 * 50 / 61) &&
          near_px(attr_after(a, "x"), 1180.0 * 60 / 61));
    free(svg);
    set_free(&b);
}

/* Siblings in byte order (strcmp, bytes unsigned) where names share their
 * first 8 bytes, end within them, or carry bytes over 0x7f: the order
 * compares an 8-byte prefix first, then the rest. */
static void test_sort_bytes(void)
{
    static const char *const names[] = {"abcdefgh", "abcdefghZ", "abcdefgg", "abcdefg", "abcdefgh\xc3\xa9",
                                        "B", "a", "abcdefghA", "abcdefgi", "\xc3\xa9t\xc3\xa9", "abcdefgh0123456789x",
                                        "abcdefgh0123456789"};
    size_t n = sizeof names / sizeof names[0];
    set_builder b = {0};
    char path[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "main;%s", names[i]);
        add(&b, path, (int64_t)(i + 1), 0);
    }
    b.s.unit = "count";
    flame_tree t;
    pprof_error err;
    CHECK_INT(flame_tree_build(&t, &b.s, false, &err), 0);
    CHECK_INT(flame_n_kids(&t, 0), 1);
    uint32_t main_node = t.kids[t.nodes[0].kids_off];
    CHECK_INT(flame_n_kids(&t, main_node), n);
    const uint32_t *k = t.kids + t.nodes[main_node].kids_off;
    for (size_t j = 0; j + 1 < n && flame_n_kids(&t, main_node) == n; j++) {
        const char *x = b.s.names[t.nodes[k[j]].name], *y = b.s.names[t.nodes[k[j + 1]].name];
        CHECK(strcmp(x, y) < 0);
    }
    flame_tree_release(&t);
    set_free(&b);
}

/* Values up to 2^63 draw as their share of the root: the viewBox and every
 * coordinate are pixels, exact to the printed decimals (a raw 1e10 as a
 * coordinate collapsed the drawing in browsers). */
static void test_huge(void)
{
    set_builder b = {0};
    add(&b, "main;half", INT64_C(4611686018427387904), 0);         /* 2^62 */
    add(&b, "main;quarter", INT64_C(2305843009213693952), 0);      /* 2^61 */
    add(&b, "main;rest", INT64_C(2305843009213693951), 0);         /* 2^61 - 1: the total is 2^63 - 1 */
    b.s.unit = "bytes";
    char *svg = render(&b.s, NULL, NULL);
    CHECK(svg && strstr(svg, "viewBox=\"0 0 1180 "));
    const char *root = svg ? strstr(svg, "<title>all (") : NULL;
    CHECK(root && attr_after(root, "width") == 1180);
    const char *h = svg ? strstr(svg, "<title>half (") : NULL, *q = svg ? strstr(svg, "<title>quarter (") : NULL;
    const char *r = svg ? strstr(svg, "<title>rest (") : NULL;
    /* 1180 * 2^62 / (2^63 - 1) is 590 + 6.4e-17: 590 at any precision. */
    CHECK(h && strstr(h, "</title><rect width=\"590\" "));
    CHECK(q && strstr(q, "</title><rect x=\"590\" width=\"295\" "));
    CHECK(r && attr_after(r, "x") == 885 && near_px(attr_after(r, "width"), 295));
    free(svg);
    set_free(&b);
    /* A tiny frame beside a huge one keeps enough decimals to be zoomed
     * into: its width is right to 1e-12 px. */
    add(&b, "main;huge", INT64_C(1000000000000), 0);
    add(&b, "main;tiny", 1000, 0);
    b.s.unit = "count";
    pprof_flame_options o = {0};
    o.minwidth_percent = true; /* 0%: keep everything */
    svg = render(&b.s, &o, NULL);
    const char *t = svg ? strstr(svg, "<title>tiny (") : NULL;
    CHECK(t && fabs(attr_after(t, "width") - 1180.0 * 1000 / 1000000001000.0) < 1e-11);
    CHECK(t && attr_after(t, "width") > 0);
    free(svg);
    set_free(&b);
}

static void test_edges(void)
{
    /* No samples at all: still a valid picture. */
    set_builder b = {0};
    size_t len;
    char *svg = render(&b.s, NULL, &len);
    CHECK(svg != NULL);
    const char *bad = svg ? xml_check(svg, len) : "no output";
    CHECK_STR(bad ? bad : "ok", "ok");
    CHECK(svg && strstr(svg, "<title>all (0, 0%)"));
    free(svg);
    /* Bad name ids are refused, not followed. */
    add(&b, "a;b", 1, 0);
    b.s.frames[1] = 99;
    pprof_buf out = {0};
    pprof_error err = {0};
    CHECK_INT(pprof_write_flame_svg(&out, &b.s, NULL, &err), PPROF_EINVAL);
    b.s.frames[1] = 1;
    b.s.stacks[0].n_frames = 3;
    CHECK_INT(pprof_write_flame_svg(&out, &b.s, NULL, &err), PPROF_EINVAL);
    b.s.stacks[0].n_frames = 2;
    pprof_flame_options o = {0};
    o.width = 20;
    CHECK_INT(pprof_write_flame_svg(&out, &b.s, &o, &err), PPROF_EINVAL);
    CHECK_INT(out.len, 0);
    pprof_buf_release(&out);
    /* Negative values (a -diff_base style sign) count by magnitude. */
    add(&b, "a;c", -3, 0);
    uint8_t *flags = b.s.frame_flags;
    b.s.frame_flags = NULL; /* optional */
    svg = render(&b.s, NULL, &len);
    CHECK(svg && strstr(svg, "<title>all (4, 100%)") && strstr(svg, "<title>c (3, 75%)"));
    free(svg);
    b.s.frame_flags = flags;
    set_free(&b);
    /* Labels: cut with "..", never empty, and none below 3 characters. */
    add(&b, "a_rather_long_function_name_that_will_not_fit;x", 1, 0);
    add(&b, "w", 2000, 0);
    b.s.unit = "count";
    svg = render(&b.s, NULL, &len);
    bad = svg ? xml_check(svg, len) : "no output";
    CHECK_STR(bad ? bad : "ok", "ok");
    CHECK(svg && strstr(svg, ">w</text>") && !strstr(svg, ">x</text>"));
    free(svg);
    set_free(&b);
}

/* ------------------------------------------------------------ sample files for tests/flame */

static int write_file(const char *dir, const char *name, const pprof_stack_set *s, const pprof_flame_options *o)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *svg = render(s, o, &len);
    FILE *f = svg ? fopen(path, "wb") : NULL;
    int rc = f && fwrite(svg, 1, len, f) == len ? 0 : 1;
    if (f && fclose(f))
        rc = 1;
    if (rc)
        fprintf(stderr, "test_flame: cannot write %s: %s\n", path, strerror(errno));
    free(svg);
    return rc;
}

static int write_samples(const char *dir)
{
    int rc = 0;
    pprof_flame_options o = {0};
    set_builder b = {0};
    basic_set(&b);
    rc |= write_file(dir, "basic.svg", &b.s, NULL);
    o.inverted = true;
    o.title = "Icicle <&> \"test\"";
    o.subtitle = "inverted, 900 px";
    o.width = 900;
    rc |= write_file(dir, "inverted.svg", &b.s, &o);
    set_free(&b);
    hostile_set(&b);
    memset(&o, 0, sizeof o);
    o.title = "</text><script>alert(document.domain)</script><text>";
    o.subtitle = "]]> & \x01";
    rc |= write_file(dir, "hostile.svg", &b.s, &o);
    set_free(&b);
    diff_set(&b);
    rc |= write_file(dir, "diff.svg", &b.s, NULL);
    memset(&o, 0, sizeof o);
    o.diff_total = true;
    rc |= write_file(dir, "diff_total.svg", &b.s, &o);
    set_free(&b);
    elided_set(&b);
    memset(&o, 0, sizeof o);
    o.minwidth = 1;
    o.minwidth_percent = true;
    rc |= write_file(dir, "minwidth.svg", &b.s, &o);
    set_free(&b);
    random_set(&b, 5000, 42);
    static const char *const pals[] = {"hot", "mem", "io", "blue", "green", "aqua", "orange",
                                       "purple", "red", "yellow", "java", "js", "go"};
    for (size_t i = 0; i < sizeof pals / sizeof pals[0]; i++) {
        char name[64];
        memset(&o, 0, sizeof o);
        o.colors = pals[i];
        o.sort_by_weight = i % 2;
        snprintf(name, sizeof name, "random_%s.svg", pals[i]);
        rc |= write_file(dir, name, &b.s, &o);
    }
    set_free(&b);
    uint32_t ids[3000];
    for (int i = 0; i < 3000; i++) {
        char name[32];
        snprintf(name, sizeof name, "frame%d", i);
        ids[i] = intern(&b, name, strlen(name));
    }
    add_ids(&b, ids, 3000, 1, 0);
    b.s.unit = "count";
    rc |= write_file(dir, "deep.svg", &b.s, NULL);
    set_free(&b);
    set_builder e = {0};
    rc |= write_file(dir, "empty.svg", &e.s, NULL);
    return rc;
}

/* ------------------------------------------------------------ from a profile */

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

/* A profile whose stacks arrive out of name order: main;zeta (50),
 * main;alpha (1), main;mid (10) and main;mid again through a second
 * location of mid (5), main;inner inlined into main;mid (3), and a sample
 * without locations (2). values[k] scales the second sample type. */
static pprof_profile *order_profile(int64_t scale, bool mixed_signs)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    static const char *const names[] = {"main", "zeta", "alpha", "mid", "inner"};
    uint32_t fn[5], loc[6];
    for (uint32_t i = 0; i < 5; i++) {
        pprof_function f = {.id = i + 1, .name = S(p, names[i])};
        pprof_profile_add_function(&fn[i], p, &f);
    }
    for (uint32_t i = 0; i < 6; i++) {
        pprof_location l = {.id = i + 1, .address = 0x1000 + i * 16, .mapping = PPROF_NONE};
        /* 4: a second location of mid; 5: inner inlined into mid */
        pprof_line ln[2] = {{.function = fn[i == 4 ? 3 : i == 5 ? 4 : i], .line = 10 + i},
                            {.function = fn[3], .line = 30}};
        pprof_profile_add_location(&loc[i], p, &l, ln, i == 5 ? 2 : 1);
    }
    static const struct {
        uint32_t locs[2];
        size_t n;
        int64_t v;
    } rows[] = {{{1, 0}, 2, 50}, {{2, 0}, 2, 1}, {{3, 0}, 2, 10}, {{4, 0}, 2, 5}, {{5, 0}, 2, 3}, {{0}, 0, 2}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint32_t locs[2];
        for (size_t k = 0; k < rows[i].n; k++)
            locs[k] = loc[rows[i].locs[k]];
        int64_t v[2] = {rows[i].v, rows[i].v * scale * (mixed_signs && i == 1 ? -1 : 1)};
        pprof_profile_add_sample(p, locs, rows[i].n, v, NULL, 0);
    }
    return p;
}

static const char *kid_name(const flame_tree *t, uint32_t node, uint32_t j)
{
    return j < flame_n_kids(t, node) ? t->names[t->nodes[t->kids[t->nodes[node].kids_off + j]].name] : "(none)";
}

/* The tree made from the profile (samples, then the cached call tree):
 * siblings in name order or by weight, whatever order the stacks come in,
 * frames of one function merged, inline frames flagged. */
static void test_profile_tree(void)
{
    /* indexed 2: with the index's frames too (pprof_profile_index_frames) */
    for (int indexed = 0; indexed < 3; indexed++) {
        for (int by_weight = 0; by_weight < 2; by_weight++) {
            pprof_profile *p = order_profile(-1000, false); /* all negative: magnitudes */
            pprof_error err;
            if (indexed)
                CHECK_INT(pprof_profile_index(p, &err), 0);
            if (indexed == 2)
                CHECK_INT(pprof_profile_index_frames(p, &err), 0);
            pprof_report_options o;
            pprof_report_options_init(&o, "flamegraph");
            o.sample_index = o.graph.sample_index = 1;
            o.flame.sort_by_weight = by_weight;
            CHECK((pprof_profile_frames(p, &o.graph) != NULL) == (indexed == 2));
            pprof_stack_set *s = NULL;
            flame_tree t;
            CHECK_INT(flame_tree_of_profile(&s, &t, p, &o, &err), 0);
            CHECK(s != NULL); /* one sign: made from the profile */
            /* the names are the index's, or the set's own */
            CHECK((s && s->names == NULL) == (indexed == 2));
            if (s) {
                CHECK_INT(t.n_nodes, 6); /* root, main, zeta, alpha, mid, inner */
                CHECK_INT(t.nodes[0].value, 71000);
                CHECK_INT(s->total, 71000);
                CHECK_INT(flame_self(&t, 0), 2000);
                CHECK_INT(flame_n_kids(&t, 0), 1);
                uint32_t m = t.kids[t.nodes[0].kids_off];
                CHECK_STR(t.names[t.nodes[m].name], "main");
                CHECK_INT(t.nodes[m].value, 69000);
                CHECK_INT(flame_n_kids(&t, m), 3);
                CHECK_STR(kid_name(&t, m, 0), by_weight ? "zeta" : "alpha");
                CHECK_STR(kid_name(&t, m, 1), by_weight ? "mid" : "mid");
                CHECK_STR(kid_name(&t, m, 2), by_weight ? "alpha" : "zeta");
                uint32_t mid = t.kids[t.nodes[m].kids_off + 1];
                CHECK_INT(t.nodes[mid].value, 18000); /* two locations of mid, and mid under inner */
                CHECK_INT(flame_self(&t, mid), 15000);
                CHECK_STR(kid_name(&t, mid, 0), "inner");
                uint32_t in = t.kids[t.nodes[mid].kids_off];
                CHECK_INT(t.nodes[in].flags & PPROF_FRAME_INLINED, PPROF_FRAME_INLINED);
                CHECK_INT(t.nodes[mid].flags & PPROF_FRAME_INLINED, 0);
            }
            flame_tree_release(&t);
            pprof_stack_set_free(s);
            pprof_profile_free(p);
        }
    }
    /* Mixed signs, -mean: left to the stack set. */
    pprof_profile *p = order_profile(1, true);
    pprof_report_options o;
    pprof_report_options_init(&o, "flamegraph");
    o.sample_index = o.graph.sample_index = 1;
    pprof_stack_set *s = NULL;
    flame_tree t;
    pprof_error err;
    CHECK_INT(flame_tree_of_profile(&s, &t, p, &o, &err), 0);
    CHECK(s == NULL);
    o.sample_index = o.graph.sample_index = 0;
    o.mean = o.graph.mean = true;
    CHECK_INT(flame_tree_of_profile(&s, &t, p, &o, &err), 0);
    CHECK(s == NULL);
    pprof_profile_free(p);
}

/* -flamegraph of p as pprof_write makes it and through the stack set:
 * the same bytes. */
static void same_as_stack_set(const char *what, const pprof_profile *p, const pprof_report_options *opt)
{
    pprof_report_options o = *opt;
    o.graph.sample_index = o.sample_index;
    o.graph.mean = o.mean;
    pprof_buf a = {0}, b = {0};
    pprof_error err;
    pprof_stack_set *s = NULL;
    int ra = pprof_write(&a, "flamegraph", p, &o, &err);
    int rb = pprof_stacks_build(&s, p, &o, &err);
    if (!rb)
        rb = pprof_write_flame_svg(&b, s, &o.flame, &err);
    bool same = ra == 0 && rb == 0 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
    if (!same)
        fprintf(stderr, "%s: sample_index=%d mean=%d granularity=%d by_weight=%d: not the stack set's graph\n", what,
                o.sample_index, o.mean, (int)o.graph.granularity, o.flame.sort_by_weight);
    CHECK(same);
    /* Parts are -tree's and -peek's: a flame graph asked for one is whole. */
    pprof_report_options po = o;
    po.part = 1;
    po.n_parts = 2;
    pprof_buf part = {0};
    CHECK_INT(pprof_write(&part, "flamegraph", p, &po, &err), 0);
    CHECK(ra == 0 && part.len == a.len && memcmp(part.data, a.data, a.len) == 0);
    pprof_buf_release(&part);
    pprof_stack_set_free(s);
    pprof_buf_release(&a);
    pprof_buf_release(&b);
}

static void same_all_options(const char *what, const pprof_profile *p)
{
    static const pprof_granularity grans[] = {PPROF_GRAN_FUNCTIONS, PPROF_GRAN_LINES, PPROF_GRAN_ADDRESSES};
    for (size_t si = 0; si < p->n_sample_types; si++)
        for (int v = 0; v < 12; v++) {
            pprof_report_options o;
            pprof_report_options_init(&o, "flamegraph");
            o.sample_index = (int)si;
            o.graph.granularity = grans[v % 3];
            o.flame.sort_by_weight = v / 3 % 2;
            o.mean = v >= 6 && v < 9;
            o.graph.noinlines = v >= 9;
            same_as_stack_set(what, p, &o);
        }
}

/* The graphs made from profiles are the stack set's, on the test
 * profiles, indexed or not, before and after filters. */
static void test_profile_same(void)
{
    for (int mixed = 0; mixed < 2; mixed++) {
        pprof_profile *p = order_profile(mixed ? 7 : -7, mixed);
        same_all_options(mixed ? "order_profile (mixed signs)" : "order_profile", p);
        pprof_error err;
        CHECK_INT(pprof_profile_index(p, &err), 0);
        same_all_options("order_profile (indexed)", p);
        pprof_profile_free(p);
    }
    static const char *const files[] = {"cpu.pb.gz",  "heap.pb.gz",      "allocs.pb.gz",       "block.pb.gz",
                                        "mutex.pb.gz", "goroutine.pb.gz", "labels_order.pb.gz", "mean_min.pb.gz",
                                        "sample.cpu", "folded/perf.folded"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        pprof_profile *p = unit_read_data(files[i]);
        if (!p)
            continue;
        same_all_options(files[i], p);
        pprof_error err;
        CHECK_INT(pprof_profile_index(p, &err), 0);
        same_all_options(files[i], p);
        /* with the frames made once (as the web UI has them): the same
         * graphs, through them for the default options only */
        CHECK_INT(pprof_profile_index_frames(p, &err), 0);
        pprof_graph_options dflt = {0};
        const pprof_frames *fm = pprof_profile_frames(p, &dflt);
        CHECK(fm != NULL && fm->n_names > 0 && fm->rank != NULL);
        dflt.noinlines = true;
        CHECK(pprof_profile_frames(p, &dflt) == NULL);
        dflt.noinlines = false;
        dflt.granularity = PPROF_GRAN_LINES;
        CHECK(pprof_profile_frames(p, &dflt) == NULL);
        dflt.granularity = PPROF_GRAN_FUNCTIONS;
        CHECK_INT(pprof_profile_index_frames(p, &err), 0); /* again: kept as it is */
        CHECK(pprof_profile_frames(p, &dflt) == fm);
        same_all_options(files[i], p);
        /* focus keeps the index (and its call tree and frames) current */
        pprof_filter_options ff = {.focus = "main|runtime|fib|alloc", .ignore = "GC|gc"};
        pprof_filter_result fr;
        CHECK_INT(pprof_profile_filter(p, &ff, &fr, &err), 0);
        CHECK(pprof_profile_frames(p, &dflt) == fm);
        same_all_options(files[i], p);
        /* hide changes the locations' lines: the frames made before are
         * not used (the index goes) */
        pprof_filter_options fh = {.hide = "runtime"};
        CHECK_INT(pprof_profile_filter(p, &fh, &fr, &err), 0);
        if (fr.hide_matched)
            CHECK(pprof_profile_frames(p, &dflt) == NULL);
        same_all_options(files[i], p);
        pprof_profile_free(p);
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        mkdir(argv[2], 0777);
        return write_samples(argv[2]);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_basic();
    test_hostile();
    test_inverted();
    test_minwidth();
    test_diff();
    test_deep();
    test_speed();
    test_colors();
    test_sort();
    test_sort_bytes();
    test_huge();
    test_edges();
    test_profile_tree();
    test_profile_same();
    return unit_report("flame");
}
