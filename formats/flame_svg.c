/* flame_svg.c: -flamegraph: a self-contained interactive SVG flame graph (plain or differential) from a stack set. */

/* Shape of the output (spec/flamegraph.md §3 and §7 say why):
 * - Frames sit in an inner <svg id="fgframes"> whose viewBox is the frame
 *   area of the static rendering in pixels (1180 wide by default), with
 *   preserveAspectRatio "none" so a fluid page stretches it. Coordinates
 *   are value / root value * that width, computed in integers and printed
 *   with as many decimals as the narrowest frame needs to stay exact when
 *   zoomed to full width. Raw values (1e10 bytes, 2^63) are never
 *   coordinates: browsers draw in single precision and clamp large
 *   lengths, which collapsed such graphs into a sliver.
 * - The script zooms by rewriting each frame's x and width from those
 *   numbers (double precision), never by scaling a viewBox.
 * - A frame is <g><title>name (value, percent)</title><rect x width height
 *   fill/></g>; rows are groups with one translate each, so frames carry no
 *   y. Labels are a separate pixel layer, only where 3 characters fit.
 * - Frames narrower than -minwidth are summed into one grey "(N more)" frame
 *   after their kept siblings: elided, never silently dropped.
 * - Differential: widths follow the new profile and colours the change.
 *   Frames only in the base have no width, so each parent that has such
 *   children gets a marker: a 3 px blue line (non-scaling stroke, so
 *   visible at any zoom) at its right edge on the child row, whose tooltip
 *   lists them and the value they lost.
 * - No profile data inside the script: it reads names from the DOM. Every
 *   string is sanitized (invalid UTF-8, control characters and
 *   non-characters become U+FFFD) and escaped. */
#include "flame_js.h"
#include "flame_layout.h"
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Geometry, in pixels of the static (1200 px unless -width) rendering. */
enum {
    DEFAULT_WIDTH = 1200,
    MIN_WIDTH = 100,
    MAX_WIDTH = 1000000,
    XPAD = 10,
    ROW_H = 16,
    RECT_H = 15,
    TITLE_H = 36,
    SUBTITLE_H = 24,
    FOOT_H = 34,
    KEY_H = 20,   /* the colour key of differential graphs, above the frames */
};
#define CHAR_W 7.25          /* advance of 12px monospace, rounded up so labels never overflow */
#define DEFAULT_MINWIDTH 0.1 /* pixels, as flamegraph.pl */
#define MAX_LIST_NAME 60     /* characters of a name in a marker's list */

/* ------------------------------------------------------------ palettes */

enum { P_HOT, P_MEM, P_IO, P_BLUE, P_GREEN, P_AQUA, P_ORANGE, P_PURPLE, P_RED, P_YELLOW, P_JAVA, P_JS, P_GO };

/* How the multi-palettes tell frame kinds apart, tried in order. */
enum { M_ANY, M_SUFFIX, M_CONTAINS, M_EQUAL, M_PREFIX, M_INLINED, M_JIT_PATH, M_JAVA_PKG, M_JS_FILE,
       M_GO_RUNTIME, M_GO_MODULE, M_GO_STD };

typedef struct color_rule {
    uint8_t match;
    const char *arg;
    uint8_t palette;
} color_rule;

/* flamegraph.pl's java and js rules (§1d), with inferno's node_modules. */
static const color_rule java_rules[] = {
    {M_SUFFIX, "_[j]", P_GREEN},   {M_SUFFIX, "_[i]", P_AQUA},      {M_INLINED, NULL, P_AQUA},
    {M_JAVA_PKG, NULL, P_GREEN},   {M_CONTAINS, ":::", P_GREEN},    {M_CONTAINS, "::", P_YELLOW},
    {M_SUFFIX, "_[k]", P_ORANGE},  {M_ANY, NULL, P_RED},
};
static const color_rule js_rules[] = {
    {M_JIT_PATH, NULL, P_GREEN},        {M_SUFFIX, "_[j]", P_AQUA},   {M_CONTAINS, "::", P_YELLOW},
    {M_CONTAINS, "node_modules/", P_PURPLE}, {M_JS_FILE, NULL, P_GREEN}, {M_CONTAINS, ":", P_AQUA},
    {M_EQUAL, " ", P_GREEN},            {M_SUFFIX, "_[k]", P_ORANGE}, {M_ANY, NULL, P_RED},
};
/* Go: your modules green, the standard library aqua, the runtime yellow,
 * kernel orange, anything without a Go package (C, cgo, unknown) red. */
static const color_rule go_rules[] = {
    {M_SUFFIX, "_[k]", P_ORANGE}, {M_PREFIX, "[", P_ORANGE},  {M_GO_RUNTIME, NULL, P_YELLOW},
    {M_GO_MODULE, NULL, P_GREEN}, {M_GO_STD, NULL, P_AQUA},   {M_ANY, NULL, P_RED},
};

typedef struct palette {
    const char *name;
    uint8_t base[3], range[3], which[3]; /* channel = base + range * v[which] */
    const color_rule *rules;             /* multi-palettes: the frame kind picks a flat palette */
    const char *bg[2];                   /* background gradient, top to bottom */
} palette;

#define BG_YELLOW {"#eeeeee", "#eeeeb0"}
#define BG_GREEN {"#eeeeee", "#e0ffe0"}
#define BG_BLUE {"#eeeeee", "#e0e0ff"}
#define BG_GREY {"#f8f8f8", "#e8e8e8"}

static const palette palettes[] = {
    [P_HOT] = {"hot", {205, 0, 0}, {50, 230, 55}, {2, 0, 1}, NULL, BG_YELLOW},
    [P_MEM] = {"mem", {0, 190, 0}, {0, 50, 210}, {0, 1, 0}, NULL, BG_GREEN},
    [P_IO] = {"io", {80, 80, 190}, {60, 60, 55}, {0, 0, 1}, NULL, BG_BLUE},
    [P_BLUE] = {"blue", {80, 80, 205}, {60, 60, 50}, {0, 0, 0}, NULL, BG_GREY},
    [P_GREEN] = {"green", {50, 200, 50}, {60, 55, 60}, {0, 0, 0}, NULL, BG_GREY},
    [P_AQUA] = {"aqua", {50, 165, 165}, {60, 55, 55}, {0, 0, 0}, NULL, BG_GREY},
    [P_ORANGE] = {"orange", {190, 90, 0}, {65, 65, 0}, {0, 0, 0}, NULL, BG_GREY},
    [P_PURPLE] = {"purple", {190, 80, 190}, {65, 60, 65}, {0, 0, 0}, NULL, BG_GREY},
    [P_RED] = {"red", {200, 50, 50}, {55, 80, 80}, {0, 0, 0}, NULL, BG_GREY},
    [P_YELLOW] = {"yellow", {175, 175, 50}, {55, 55, 20}, {0, 0, 0}, NULL, BG_GREY},
    [P_JAVA] = {"java", {0}, {0}, {0}, java_rules, BG_YELLOW},
    [P_JS] = {"js", {0}, {0}, {0}, js_rules, BG_YELLOW},
    [P_GO] = {"go", {0}, {0}, {0}, go_rules, BG_YELLOW},
};

/* flamegraph.pl's separator frames between user/kernel and off-CPU/waker stacks. */
static const struct {
    const char *name;
    uint32_t rgb;
} fixed_colors[] = {{"-", 0xc8c8c8}, {"--", 0xa0a0a0}};

#define ELIDED_RGB 0xbdbdbd
#define DIFF_ZERO_RGB 0xe4e4e4 /* unchanged: grey, apart from the faintest pink or blue */

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Go symbols: 1 runtime, 2 module (main or a dotted first path element),
 * 3 standard library, 0 not a Go symbol. Only the part before a space
 * counts, so "pkg.F file.go:12" (line granularity) still classifies. */
static int go_kind(const char *s)
{
    size_t n = strcspn(s, " ");
    size_t last = 0, first_slash = n;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '/') {
            last = i + 1;
            if (first_slash == n)
                first_slash = i;
        }
    const char *dot = memchr(s + last, '.', n - last);
    if (!dot || dot == s + last)
        return 0;
    size_t pkg = (size_t)(dot - s);
    for (size_t i = 0; i < pkg; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
            !strchr("_-./~", c))
            return 0;
    }
    if ((pkg == 7 && memcmp(s, "runtime", 7) == 0) || strncmp(s, "runtime/", 8) == 0 ||
        strncmp(s, "internal/runtime/", 17) == 0)
        return 1;
    if ((pkg == 4 && memcmp(s, "main", 4) == 0) || memchr(s, '.', first_slash < pkg ? first_slash : 0))
        return 2;
    return 3;
}

static bool java_package(const char *s)
{
    static const char *const pkgs[] = {"java", "javax", "jdk", "net", "org", "com", "io", "sun"};
    if (*s == 'L')
        s++;
    for (size_t i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++) {
        size_t k = strlen(pkgs[i]);
        if (strncmp(s, pkgs[i], k) == 0 && (s[k] == '/' || s[k] == '.'))
            return true;
    }
    return false;
}

static bool rule_matches(const color_rule *r, const char *s, size_t n, uint8_t flags)
{
    switch (r->match) {
    case M_SUFFIX: return has_suffix(s, n, r->arg);
    case M_CONTAINS: return strstr(s, r->arg) != NULL;
    case M_EQUAL: return strcmp(s, r->arg) == 0;
    case M_PREFIX: return strncmp(s, r->arg, strlen(r->arg)) == 0;
    case M_INLINED: return (flags & PPROF_FRAME_INLINED) != 0;
    case M_JIT_PATH: return has_suffix(s, n, "_[j]") && strchr(s, '/');
    case M_JAVA_PKG: return java_package(s);
    case M_JS_FILE: {
        const char *slash = strchr(s, '/');
        return slash && strstr(slash, ".js");
    }
    case M_GO_RUNTIME: return go_kind(s) == 1;
    case M_GO_MODULE: return go_kind(s) == 2;
    case M_GO_STD: return go_kind(s) == 3;
    default: return true;
    }
}

/* A well-mixed 64-bit hash of every byte (FNV-1a, then a finalizer): unlike
 * flamegraph.pl's sum of code points, anagrams get different colours. */
static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    return h ^ (h >> 33);
}

static uint32_t name_color(const palette *pal, const char *s, uint8_t flags)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof fixed_colors / sizeof fixed_colors[0]; i++)
        if (strcmp(s, fixed_colors[i].name) == 0)
            return fixed_colors[i].rgb;
    if (pal->rules) {
        const color_rule *r = pal->rules;
        while (!rule_matches(r, s, n, flags))
            r++;
        pal = &palettes[r->palette];
    }
    uint64_t h = name_hash(s, n);
    double v[3] = {(double)(h >> 43) / 2097152.0, (double)((h >> 22) & 0x1fffff) / 2097152.0,
                   (double)(h & 0x1fffff) / 2097152.0};
    uint32_t rgb = 0;
    for (int c = 0; c < 3; c++)
        rgb = rgb << 8 | (uint32_t)(pal->base[c] + (int)(pal->range[c] * v[pal->which[c]]));
    return rgb;
}

/* Red for growth, blue for shrinkage, deeper with |delta|; the deepest is
 * rgb(255,90,90) / rgb(90,90,255) so black labels stay readable (pure
 * blue, as flamegraph.pl's scale ends, hides them). */
static uint32_t diff_color(int64_t delta, int64_t max)
{
    if (delta == 0 || max <= 0)
        return DIFF_ZERO_RGB;
    double r = fabs((double)delta) / (double)max;
    uint32_t c = (uint32_t)(220.0 - 130.0 * (r > 1 ? 1 : r));
    return delta > 0 ? 0xff0000u | c << 8 | c : c << 16 | c << 8 | 0xffu;
}

/* ------------------------------------------------------------ text */

/* A name made safe for XML: valid UTF-8, no control characters, no
 * non-characters; each bad sequence becomes one U+FFFD. */
static int sanitize(pprof_buf *dst, const char *src, size_t n, uint32_t *chars)
{
    static const char fffd[] = "\xef\xbf\xbd";
    const unsigned char *s = (const unsigned char *)src;
    uint32_t count = 0;
    size_t i = 0, run = 0; /* run: start of bytes still to copy */
    if (pprof_buf_reserve(dst, n))
        return PPROF_ENOMEM;
    while (i < n) {
        unsigned char c = s[i];
        size_t len = 0;
        if (c >= 0x20 && c < 0x7f) {
            i++;
            count++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            len = 2;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4;
        /* The second byte's range rules out overlongs, surrogates and > U+10FFFF. */
        unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
        size_t ok = len ? 1 : 0;
        if (len && i + 1 < n && s[i + 1] >= lo && s[i + 1] <= hi) {
            ok = 2;
            while (ok < len && i + ok < n && (s[i + ok] & 0xc0) == 0x80)
                ok++;
        }
        bool valid = len && ok == len;
        if (valid && len == 2 && c == 0xc2 && s[i + 1] < 0xa0)
            valid = false; /* C1 controls */
        if (valid && len == 3 && c == 0xef && s[i + 1] == 0xbf && s[i + 2] >= 0xbe)
            valid = false; /* U+FFFE, U+FFFF */
        if (valid) {
            i += len;
            count++;
            continue;
        }
        pprof_buf_append(dst, src + run, i - run);
        pprof_buf_append(dst, fffd, 3);
        i += ok ? ok : 1;
        run = i;
        count++;
    }
    pprof_buf_append(dst, src + run, i - run);
    *chars = count;
    return dst->failed ? PPROF_ENOMEM : 0;
}

/* Escapes text content: & < > (so "]]>" never appears either). */
static char *put_esc(char *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '&') {
            memcpy(p, "&amp;", 5);
            p += 5;
        } else if (c == '<') {
            memcpy(p, "&lt;", 4);
            p += 4;
        } else if (c == '>') {
            memcpy(p, "&gt;", 4);
            p += 4;
        } else {
            *p++ = c;
        }
    }
    return p;
}

static char *put_mem(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUT(p, lit) put_mem((p), (lit), sizeof(lit) - 1)

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

static const int64_t pow10[] = {1,           10,           100,           1000,          10000,
                                 100000,      1000000,      10000000,      100000000,     1000000000,
                                 10000000000, 100000000000, 1000000000000, 10000000000000};
#define MAX_DECIMALS 12 /* a coordinate is at most 1e6 px: 1e6 * 1e12 fits in int64 */

/* scaled / 10^decimals, trailing zeros trimmed: short numbers, fixed bytes. */
static char *put_fixed(char *p, int64_t scaled, int decimals)
{
    if (scaled < 0) {
        *p++ = '-';
        scaled = -scaled;
    }
    p = put_u64(p, (uint64_t)(scaled / pow10[decimals]));
    int64_t frac = scaled % pow10[decimals];
    if (frac) {
        *p++ = '.';
        for (int d = decimals - 1; d >= 0 && frac; d--) {
            *p++ = (char)('0' + frac / pow10[d]);
            frac %= pow10[d];
        }
    }
    return p;
}

static char *put_px(char *p, double v)
{
    return put_fixed(p, (int64_t)llround(v * 10), 1);
}

/* 100 * v / total: two decimals, four for small shares. */
static char *put_pct(char *p, int64_t v, int64_t total)
{
    double r = total > 0 ? 100.0 * (double)v / (double)total : 0;
    if (r > 1e6 || r < -1e6)
        return PUT(p, "huge");
    int64_t h = (int64_t)llround(r * 100);
    if (h != 0 || r == 0)
        return put_fixed(p, h, 2);
    return put_fixed(p, (int64_t)llround(r * 10000), 4);
}

static char *put_hex(char *p, uint32_t rgb)
{
    static const char hex[] = "0123456789abcdef";
    *p++ = '#';
    for (int sh = 20; sh >= 0; sh -= 4)
        *p++ = hex[rgb >> sh & 15];
    return p;
}

/* round(v / total * fw * 10^decimals), exactly: v <= total < 2^63,
 * fw <= 1e6 and 10^decimals <= 1e12 make a product below 2^123. */
static int64_t scaled_coord(int64_t v, int64_t total, int fw, int decimals)
{
    if (total <= 0)
        return (int64_t)fw * pow10[decimals];
    v = v < 0 ? 0 : v > total ? total : v;
#ifdef __SIZEOF_INT128__
    unsigned __int128 num = (unsigned __int128)(uint64_t)v * (uint64_t)fw * (uint64_t)pow10[decimals];
    return (int64_t)((num + (uint64_t)total / 2) / (uint64_t)total);
#else
    return (int64_t)llroundl((long double)v * fw * pow10[decimals] / total);
#endif
}

/* How many decimals keep the narrowest frame (min_w value units) right to
 * 1/8 px once zoomed to the full width: a coordinate is off by at most
 * 0.5 * 10^-d px, magnified total/min_w times, whatever the width. */
static int coord_decimals(int64_t min_w, int64_t total)
{
    int d = 1;
    if (min_w <= 0 || total <= 0)
        return d;
    long double need = 4.0L * (long double)total / (long double)min_w;
    while (d < MAX_DECIMALS && (long double)pow10[d] < need)
        d++;
    return d;
}

/* ------------------------------------------------------------ writer */

typedef struct name_info {
    size_t off, len; /* sanitized display name in writer.names */
    uint32_t chars;
    uint32_t rgb;    /* for frames with these flags */
    uint8_t flags;
    bool ready;
} name_info;

/* Formatted values repeat (sample counts, periods): a small cache saves the
 * printf of pprof_format_scaled on most frames. */
typedef struct value_slot {
    int64_t v;
    uint8_t len;
    bool used;
    char s[200]; /* a formatted value is short; escaping may grow it */
} value_slot;
#define VALUE_SLOTS 1024

typedef struct writer {
    pprof_buf *out;
    int decimals;         /* of frame coordinates */
    const pprof_stack_set *s;
    const flame_tree *t;
    const flame_layout *l;
    const palette *pal;
    const pprof_flame_options *o;
    name_info *info;
    pprof_buf names;
    uint32_t root_rgb;
    bool diff, fluid;
    int width, top, height, rows_h;
    double frame_w;       /* pixels for the whole width in the static rendering */
    int fw;               /* the same, the width of the frames' viewBox */
    int64_t total;        /* root value: the width of everything */
    int64_t pct_total;    /* denominator of percentages */
    int64_t base_total;
    int64_t max_delta;
    const char *unit;
    value_slot *cache;
} writer;

/* A frame coordinate: the value's share of the root, in static pixels. */
static char *put_coord(char *p, const writer *w, int64_t v)
{
    return put_fixed(p, scaled_coord(v, w->total, w->fw, w->decimals), w->decimals);
}

static const name_info *name_of(writer *w, uint32_t id, uint8_t flags)
{
    name_info *ni = &w->info[id];
    if (ni->ready)
        return ni;
    const char *raw = w->t->names[id];
    ni->off = w->names.len;
    sanitize(&w->names, raw, strlen(raw), &ni->chars);
    ni->len = w->names.len - ni->off;
    /* perf-style annotations only pick colours; they are not part of the name. */
    static const char *const notes[] = {"_[k]", "_[j]", "_[i]", "_[w]"};
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
        if (ni->len >= 4 && memcmp(w->names.data + ni->off + ni->len - 4, notes[i], 4) == 0) {
            ni->len -= 4;
            ni->chars -= 4;
            break;
        }
    ni->rgb = name_color(w->pal, raw, flags);
    ni->flags = flags;
    ni->ready = true;
    return ni;
}

static const char *name_text(const writer *w, const name_info *ni)
{
    return (const char *)w->names.data + ni->off;
}

/* The value in the profile's unit, escaped (a unit is data too). */
static char *put_value(writer *w, char *p, int64_t v, bool sign)
{
    value_slot *c = &w->cache[((uint64_t)v * UINT64_C(0x9E3779B97F4A7C15)) >> 54];
    if (!c->used || c->v != v) {
        char tmp[64];
        pprof_format_scaled(tmp, sizeof tmp, v, w->unit, "auto");
        char *e = put_esc(c->s, tmp, strnlen(tmp, 39));
        c->len = (uint8_t)(e - c->s);
        c->v = v;
        c->used = true;
    }
    if (sign && v > 0)
        *p++ = '+';
    return put_mem(p, c->s, c->len);
}

/* " (1.2s, 4.5%)", or in a differential graph
 * " (new 1.2s, 4.5%; old 1s; delta +200ms, +1.5% of base)". Never holds
 * "(" after the first: the script finds the name by the last " (". */
static char *put_numbers(writer *w, char *p, int64_t v, int64_t base, int64_t delta, const char *delta_word)
{
    p = PUT(p, " (");
    if (w->diff)
        p = PUT(p, "new ");
    p = put_value(w, p, v, false);
    p = PUT(p, ", ");
    p = put_pct(p, v, w->pct_total);
    if (w->diff) {
        p = PUT(p, "%; old ");
        p = put_value(w, p, base, false);
        p = PUT(p, "; ");
        p = put_mem(p, delta_word, strlen(delta_word));
        *p++ = ' ';
        p = put_value(w, p, delta, true);
        if (w->base_total > 0) {
            p = PUT(p, ", ");
            if (delta > 0)
                *p++ = '+';
            p = put_pct(p, delta, w->base_total);
            p = PUT(p, "% of base");
        }
        return PUT(p, ")");
    }
    return PUT(p, "%)");
}

static int64_t node_delta(const writer *w, uint32_t i)
{
    const flame_tree *t = w->t;
    if (!t->base)
        return 0;
    return w->o->diff_total ? t->nodes[i].value - t->base[i] : flame_self(t, i) - t->base_self[i];
}

/* Upper bound of the bytes put_numbers writes. */
#define NUMBERS_MAX 700

static int row_y(const writer *w, uint32_t depth)
{
    return ROW_H * (int)(w->o->inverted ? depth : w->l->n_rows - 1 - depth);
}

/* The names of a GONE marker's children, then its numbers. */
static int put_gone(writer *w, const flame_item *it)
{
    const flame_node *p = &w->t->nodes[it->node];
    size_t need = 256 + NUMBERS_MAX + 3 * (MAX_LIST_NAME * 4 * 5 + 8);
    if (pprof_buf_reserve(w->out, need))
        return PPROF_ENOMEM;
    char *o = (char *)w->out->data + w->out->len, *start = o;
    o = PUT(o, "<g class=\"d\"><title>");
    o = put_u64(o, it->count);
    o = it->count == 1 ? PUT(o, " frame only in base: ") : PUT(o, " frames only in base: ");
    uint32_t listed = 0;
    uint32_t nk = flame_n_kids(w->t, it->node);
    for (uint32_t j = 0; j < nk && listed < 3; j++) {
        const flame_node *c = &w->t->nodes[w->t->kids[p->kids_off + j]];
        if (c->value != 0)
            continue;
        const name_info *ni = name_of(w, c->name, c->flags);
        const char *s = name_text(w, ni);
        size_t len = ni->len;
        if (ni->chars > MAX_LIST_NAME) {
            len = 0;
            for (uint32_t k = 0; k < MAX_LIST_NAME - 2; k++)
                do
                    len++;
                while (len < ni->len && ((unsigned char)s[len] & 0xc0) == 0x80);
        }
        if (listed++)
            o = PUT(o, ", ");
        o = put_esc(o, s, len);
        if (len < ni->len)
            o = PUT(o, "..");
    }
    if (it->count > listed)
        o = PUT(o, ", ...");
    o = put_numbers(w, o, 0, it->base, -it->base, "delta");
    o = PUT(o, "</title><line x1=\"");
    o = put_coord(o, w, it->x);
    o = PUT(o, "\" x2=\"");
    o = put_coord(o, w, it->x);
    o = PUT(o, "\" y2=\"15\"/></g>\n");
    w->out->len += (size_t)(o - start);
    w->out->data[w->out->len] = 0;
    return 0;
}

static int put_frame(writer *w, const flame_item *it)
{
    if (it->kind == FLAME_GONE)
        return put_gone(w, it);
    const flame_node *n = &w->t->nodes[it->node];
    const name_info *ni = NULL;
    size_t name_max = 32;
    if (it->kind == FLAME_FRAME && n->name != FLAME_ROOT_NAME) {
        ni = name_of(w, n->name, n->flags);
        name_max = ni->len * 5;
    }
    if (pprof_buf_reserve(w->out, 160 + NUMBERS_MAX + name_max))
        return PPROF_ENOMEM;
    char *o = (char *)w->out->data + w->out->len, *start = o;
    uint32_t rgb;
    int64_t delta;
    const char *word = "delta";
    if (it->kind == FLAME_ELIDED) {
        o = PUT(o, "<g class=\"e\"><title>(");
        o = put_u64(o, it->count);
        o = PUT(o, " more)");
        rgb = ELIDED_RGB;
        delta = it->w - it->base;
    } else {
        o = PUT(o, "<g><title>");
        o = ni ? put_esc(o, name_text(w, ni), ni->len) : PUT(o, "all");
        delta = node_delta(w, it->node);
        if (!w->o->diff_total)
            word = "self delta";
        rgb = w->diff ? diff_color(delta, w->max_delta) : ni ? ni->rgb : w->root_rgb;
        /* The cached colour is for the name's first frame; inlining is
         * per frame and picks the colour in some palettes. */
        if (ni && !w->diff && w->pal->rules && n->flags != w->info[n->name].flags)
            rgb = name_color(w->pal, w->t->names[n->name], n->flags);
    }
    o = put_numbers(w, o, it->w, it->base, delta, word);
    o = PUT(o, "</title><rect");
    if (it->x) {
        o = PUT(o, " x=\"");
        o = put_coord(o, w, it->x);
        *o++ = '"';
    }
    o = PUT(o, " width=\"");
    o = put_coord(o, w, w->total ? it->w : 0);
    o = PUT(o, "\" height=\"15\" fill=\"");
    o = put_hex(o, rgb);
    o = PUT(o, "\"/></g>\n");
    w->out->len += (size_t)(o - start);
    w->out->data[w->out->len] = 0;
    return 0;
}

/* Labels for the static rendering (the script redoes them at the real
 * width): only where at least 3 characters fit, cut with ".." as
 * flamegraph.pl does; never an empty <text>. */
static int put_label(writer *w, const flame_item *it)
{
    if (it->kind == FLAME_GONE)
        return 0;
    double pw = w->total ? (double)it->w * w->frame_w / (double)w->total : w->frame_w;
    double fit = floor((pw - 4) / CHAR_W);
    if (fit < 3)
        return 0;
    char tmp[32];
    const char *s = tmp;
    size_t len;
    uint32_t chars;
    const flame_node *n = &w->t->nodes[it->node];
    if (it->kind == FLAME_ELIDED) {
        char *e = PUT(tmp, "(");
        e = put_u64(e, it->count);
        e = PUT(e, " more)");
        len = chars = (uint32_t)(e - tmp);
    } else if (n->name == FLAME_ROOT_NAME) {
        s = "all";
        len = chars = 3;
    } else {
        const name_info *ni = name_of(w, n->name, n->flags);
        s = name_text(w, ni);
        len = ni->len;
        chars = ni->chars;
    }
    if (!chars)
        return 0;
    size_t cut = len;
    if (chars > fit) {
        cut = 0;
        for (uint32_t k = 0; k < (uint32_t)fit - 2; k++)
            do
                cut++;
            while (cut < len && ((unsigned char)s[cut] & 0xc0) == 0x80);
    }
    if (pprof_buf_reserve(w->out, 80 + cut * 5))
        return PPROF_ENOMEM;
    char *o = (char *)w->out->data + w->out->len, *start = o;
    double px = w->total ? (double)it->x * w->frame_w / (double)w->total : 0;
    o = PUT(o, "<text x=\"");
    o = put_px(o, XPAD + px + 3);
    o = PUT(o, "\" y=\"");
    o = put_i64(o, w->top + row_y(w, it->depth) + 11);
    o = PUT(o, "\">");
    o = put_esc(o, s, cut);
    if (cut < len)
        o = PUT(o, "..");
    o = PUT(o, "</text>\n");
    w->out->len += (size_t)(o - start);
    w->out->data[w->out->len] = 0;
    return 0;
}

/* Escaped, sanitized option text (title, subtitle, summary). */
static void put_text(pprof_buf *out, const char *s)
{
    pprof_buf clean = {0};
    uint32_t chars;
    if (sanitize(&clean, s, strlen(s), &chars) == 0 && !pprof_buf_reserve(out, clean.len * 5)) {
        char *o = (char *)out->data + out->len;
        char *e = put_esc(o, (const char *)clean.data, clean.len);
        out->len += (size_t)(e - o);
        out->data[out->len] = 0;
    }
    pprof_buf_release(&clean);
}

static const char css[] =
    "<style>\n"
    ".fg text{font-family:monospace;font-size:12px;fill:#000}\n"
    "#fgtitle{font-size:17px;text-anchor:middle}\n"
    "#fgsub{text-anchor:middle;fill:#555}\n"
    "#fgmatched{text-anchor:end}\n"
    "#fgframes{overflow:hidden}\n"
    "#fgframes g{cursor:pointer}\n"
    "#fgframes g:hover>rect{stroke:#000;stroke-width:1px;vector-effect:non-scaling-stroke}\n"
    "#fgframes line{stroke:#2040ff;stroke-width:3px;vector-effect:non-scaling-stroke}\n"
    "#fglabels{pointer-events:none}\n"
    ".fg .p{opacity:.5}\n"
    ".fg .b{cursor:pointer}\n"
    ".fg .off{opacity:.35}\n"
    "</style>\n";

/* Differential graphs: what the colours and markers mean, in one row
 * above the frames. Swatches use the palette's own end points. */
static void put_key(writer *w)
{
    static const struct {
        uint32_t rgb;
        bool line;
        const char *text;
    } keys[] = {
        {0xff5a5a, false, "grew"},
        {0x5a5aff, false, "shrank (deeper: larger change)"},
        {DIFF_ZERO_RGB, false, "unchanged"},
        {0x2040ff, true, "frames only in the base"},
    };
    int y = w->top - KEY_H, x = XPAD;
    char col[8];
    pprof_buf_printf(w->out, "<g id=\"fgkey\" transform=\"translate(0,%d)\">\n<text x=\"%d\" y=\"12\">widths: new profile;</text>\n", y, x);
    x += (int)(21 * CHAR_W) + 8;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        *put_hex(col, keys[i].rgb) = 0;
        if (keys[i].line)
            pprof_buf_printf(w->out, "<line x1=\"%d\" x2=\"%d\" y1=\"2\" y2=\"14\" stroke=\"%s\" stroke-width=\"3\"/>\n", x + 5, x + 5, col);
        else
            pprof_buf_printf(w->out, "<rect x=\"%d\" y=\"2\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#888\" stroke-width=\".5\"/>\n", x, col);
        pprof_buf_printf(w->out, "<text x=\"%d\" y=\"12\">%s</text>\n", x + 16, keys[i].text);
        x += 16 + (int)(strlen(keys[i].text) * CHAR_W) + 14;
    }
    pprof_buf_puts(w->out, "</g>\n");
}

static void put_header(writer *w)
{
    pprof_buf *out = w->out;
    const pprof_flame_options *o = w->o;
    pprof_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                        "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" class=\"fg\" ");
    if (w->fluid)
        pprof_buf_printf(out, "width=\"100%%\" viewBox=\"0 0 %d %d\">\n", w->width, w->height);
    else
        pprof_buf_printf(out, "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", w->width, w->height,
                         w->width, w->height);
    static const char *const titles[2][2] = {{"Flame Graph", "Icicle Graph"},
                                             {"Differential Flame Graph", "Differential Icicle Graph"}};
    const char *title = o->title ? o->title : titles[w->diff][o->inverted];
    if (*title) {
        pprof_buf_puts(out, "<title>");
        put_text(out, title);
        pprof_buf_puts(out, "</title>\n");
    }
    pprof_buf_puts(out, css);
    pprof_buf_printf(out,
                     "<defs><linearGradient id=\"fgbg\" x2=\"0\" y2=\"1\"><stop offset=\"5%%\" stop-color=\"%s\"/>"
                     "<stop offset=\"95%%\" stop-color=\"%s\"/></linearGradient></defs>\n"
                     "<rect width=\"100%%\" height=\"100%%\" fill=\"url(#fgbg)\"/>\n",
                     w->diff ? "#ffffff" : w->pal->bg[0], w->diff ? "#f4f4f4" : w->pal->bg[1]);
    if (*title) {
        pprof_buf_printf(out, "<text id=\"fgtitle\" x=\"%d\" y=\"24\">", w->width / 2);
        put_text(out, title);
        pprof_buf_puts(out, "</text>\n");
    }
    if (o->subtitle && *o->subtitle) {
        pprof_buf_printf(out, "<text id=\"fgsub\" x=\"%d\" y=\"48\">", w->width / 2);
        put_text(out, o->subtitle);
        pprof_buf_puts(out, "</text>\n");
    }
    /* The details line starts with a summary, so it is never empty. */
    pprof_buf_printf(out, "<text id=\"fgdetails\" x=\"%d\" y=\"%d\">", XPAD, w->height - 12);
    if (w->s->type && *w->s->type) {
        put_text(out, w->s->type);
        pprof_buf_puts(out, ": ");
    }
    char num[NUMBERS_MAX + 64];
    char *e = PUT(num, "total");
    if (w->diff) {
        e = PUT(e, " new ");
        e = put_value(w, e, w->total, false);
        e = PUT(e, ", old ");
        e = put_value(w, e, w->base_total, false);
        e = PUT(e, ", delta ");
        e = put_value(w, e, w->total - w->base_total, true);
    } else {
        *e++ = ' ';
        e = put_value(w, e, w->total, false);
    }
    pprof_buf_append(out, num, (size_t)(e - num));
    pprof_buf_puts(out, "</text>\n");
    if (w->diff)
        put_key(w);
    /* Frames live in static pixels, stretched to the real frame area. */
    pprof_buf_printf(out,
                     "<svg id=\"fgframes\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                     "preserveAspectRatio=\"none\">\n",
                     XPAD, w->top, w->fw, w->rows_h, w->fw, w->rows_h);
}

/* The frames, each row in a group of its own, then the labels and the end. */
static int put_body(writer *w)
{
    const flame_layout *l = w->l;
    for (uint32_t r = 0; r < l->n_rows; r++) {
        int y = row_y(w, r);
        if (y)
            pprof_buf_printf(w->out, "<g transform=\"translate(0,%d)\">\n", y);
        else
            pprof_buf_puts(w->out, "<g>\n");
        for (size_t i = l->row_off[r]; i < l->row_off[r + 1]; i++)
            if (put_frame(w, &l->items[i]))
                return PPROF_ENOMEM;
        pprof_buf_puts(w->out, "</g>\n");
    }
    pprof_buf_puts(w->out, "</svg>\n<g id=\"fglabels\">\n");
    for (size_t i = 0; i < l->n_items; i++)
        if (put_label(w, &l->items[i]))
            return PPROF_ENOMEM;
    pprof_buf_puts(w->out, "</g>\n<script type=\"text/ecmascript\"><![CDATA[\n");
    pprof_buf_puts(w->out, flame_js);
    pprof_buf_puts(w->out, "]]></script>\n</svg>\n");
    return w->out->failed ? PPROF_ENOMEM : 0;
}

static const palette *find_palette(const char *name)
{
    for (size_t i = 0; i < sizeof palettes / sizeof palettes[0]; i++)
        if (strcmp(palettes[i].name, name) == 0)
            return &palettes[i];
    return NULL;
}

/* The smallest value kept on screen, from -minwidth: pixels of the static
 * rendering, or a percentage of the total. 0 pixels means the default
 * 0.1 px; 0% keeps everything. */
static double min_value(const pprof_flame_options *o, double frame_w, int64_t total)
{
    double m = o->minwidth;
    if (!(m >= 0))
        return 0;
    if (o->minwidth_percent)
        return (double)total * m / 100.0;
    if (m == 0)
        m = DEFAULT_MINWIDTH;
    return (double)total * m / frame_w;
}

/* *pal: the palette o names; PPROF_EINVAL when o is not usable. */
static int check_options(const palette **pal, const pprof_flame_options *o, pprof_error *err)
{
    *pal = find_palette(o->colors && *o->colors ? o->colors : "hot");
    if (!*pal)
        return pprof_error_set(err, PPROF_EINVAL, "flame graph: unknown palette \"%.64s\"", o->colors);
    if (o->width && (o->width < MIN_WIDTH || o->width > MAX_WIDTH))
        return pprof_error_set(err, PPROF_EINVAL, "flame graph: width %d: must be 0 (fluid) or %d to %d pixels",
                               o->width, MIN_WIDTH, MAX_WIDTH);
    return 0;
}

/* Writes the graph of tree t, whose unit, type and totals are s's. */
static int write_tree(pprof_buf *out, const pprof_stack_set *s, const flame_tree *t, const pprof_flame_options *o,
                      const palette *pal, pprof_error *err)
{
    int rc;
    writer w = {0};
    w.out = out;
    w.s = s;
    w.t = t;
    w.o = o;
    w.pal = pal;
    w.diff = s->has_base;
    w.fluid = o->width == 0;
    w.width = o->width ? o->width : DEFAULT_WIDTH;
    w.frame_w = w.width - 2 * XPAD;
    w.fw = w.width - 2 * XPAD;
    w.total = t->nodes[0].value;
    w.pct_total = s->total > w.total ? s->total : w.total;
    w.base_total = t->base ? t->base[0] : 0;
    w.unit = s->unit ? s->unit : "";
    w.root_rgb = name_color(pal, "all", 0);
    flame_layout l;
    rc = flame_layout_build(&l, t, min_value(o, w.frame_w, w.total), err);
    if (rc)
        return rc;
    w.l = &l;
    w.rows_h = (int)((l.n_rows ? l.n_rows : 1) * ROW_H);
    w.top = TITLE_H + (o->subtitle && *o->subtitle ? SUBTITLE_H : 0) + (w.diff ? KEY_H : 0);
    if (l.n_rows > (uint32_t)((INT32_MAX - w.top - FOOT_H) / ROW_H))
        rc = pprof_error_set(err, PPROF_ELIMIT, "flame graph: %u rows", l.n_rows);
    w.height = w.top + w.rows_h + FOOT_H;
    int64_t min_w = 0;
    for (size_t i = 0; i < l.n_items; i++)
        if (l.items[i].kind != FLAME_GONE && l.items[i].w > 0 && (min_w == 0 || l.items[i].w < min_w))
            min_w = l.items[i].w;
    w.decimals = coord_decimals(min_w, w.total);
    /* Colour intensity is relative to the largest change shown, so the
     * root's total change does not wash out every frame below it. */
    for (size_t i = 0; i < l.n_items && w.diff; i++) {
        const flame_item *it = &l.items[i];
        if (it->kind != FLAME_FRAME || it->node == 0)
            continue;
        int64_t d = node_delta(&w, it->node);
        d = d < 0 ? (d == INT64_MIN ? INT64_MAX : -d) : d;
        if (d > w.max_delta)
            w.max_delta = d;
    }
    w.info = calloc(t->n_names ? t->n_names : 1, sizeof *w.info);
    w.cache = calloc(VALUE_SLOTS, sizeof *w.cache);
    if (!rc && (!w.info || !w.cache))
        rc = pprof_error_set(err, PPROF_ENOMEM, "flame graph: out of memory");
    size_t start = out->len;
    /* A guess from measured sizes, to grow the output once or twice
     * rather than a dozen times. */
    if (!rc && l.n_items < SIZE_MAX / 256)
        pprof_buf_reserve(out, 20000 + l.n_items * 128);
    if (!rc) {
        put_header(&w);
        if (put_body(&w) || w.names.failed)
            rc = pprof_error_set(err, PPROF_ENOMEM, "flame graph: out of memory");
    }
    if (rc && !out->failed) {
        out->len = start;
        if (out->data)
            out->data[start] = 0;
    }
    free(w.info);
    free(w.cache);
    pprof_buf_release(&w.names);
    flame_layout_release(&l);
    return rc;
}

/* The graph of stack set s (flame_tree_build's trie). */
static int write_set(pprof_buf *out, const pprof_stack_set *s, const pprof_flame_options *o, pprof_error *err)
{
    const palette *pal;
    int rc = check_options(&pal, o, err);
    if (rc)
        return rc;
    flame_tree t;
    rc = flame_tree_build(&t, s, o->sort_by_weight, err);
    if (rc)
        return rc;
    rc = write_tree(out, s, &t, o, pal, err);
    flame_tree_release(&t);
    return rc;
}

int pprof_write_flame_svg(pprof_buf *out, const pprof_stack_set *s, const pprof_flame_options *opt,
                          pprof_error *err)
{
    static const pprof_flame_options defaults = {0};
    if (!out || !s)
        return pprof_error_set(err, PPROF_EINVAL, "flame graph: no output or no stacks");
    return write_set(out, s, opt ? opt : &defaults, err);
}

int pprof_write_flame_profile(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                              pprof_error *err)
{
    pprof_stack_set *s;
    flame_tree t;
    int rc = flame_tree_of_profile(&s, &t, p, o, err);
    if (rc)
        return rc;
    if (!s) {
        rc = pprof_stacks_build(&s, p, o, err);
        if (!rc)
            rc = write_set(out, s, &o->flame, err);
        pprof_stack_set_free(s);
        return rc;
    }
    const palette *pal;
    rc = check_options(&pal, &o->flame, err);
    if (!rc)
        rc = write_tree(out, s, &t, &o->flame, pal, err);
    flame_tree_release(&t);
    pprof_stack_set_free(s);
    return rc;
}
