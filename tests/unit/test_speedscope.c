/* test_speedscope.c: unit tests of the speedscope JSON writer, pprof_write_speedscope, with a strict JSON checker. */
#include "formats.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Until formats/formats.h declares it. */
int pprof_write_speedscope(pprof_buf *out, const pprof_stack_set *s, const char *name, pprof_error *err);

/* ------------------------------------------------------------ stack sets */

#define MAX_FRAMES 256
#define MAX_STACKS 64

/* A hand-built set: names[] and, per stack, a -1-terminated list of name ids. */
typedef struct test_set {
    pprof_stack_set s;
    uint32_t frames[MAX_FRAMES];
    uint8_t flags[MAX_FRAMES];
    pprof_stack stacks[MAX_STACKS];
} test_set;

static void set_init(test_set *t, char **names, size_t n_names, const char *unit, const char *type)
{
    memset(t, 0, sizeof *t);
    t->s.names = names;
    t->s.n_names = n_names;
    t->s.frames = t->frames;
    t->s.frame_flags = t->flags;
    t->s.stacks = t->stacks;
    t->s.unit = (char *)unit;
    t->s.type = (char *)type;
}

static void add_stack(test_set *t, const int *ids, int64_t value, int64_t base)
{
    pprof_stack *st = &t->stacks[t->s.n_stacks++];
    st->frames_off = t->s.n_frames;
    st->value = value;
    st->base = base;
    for (; *ids >= 0; ids++) {
        t->frames[t->s.n_frames++] = (uint32_t)*ids;
        st->n_frames++;
    }
    /* Sums of magnitudes, saturating, as pprof_stacks_build computes them. */
    uint64_t mv = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    uint64_t mb = base < 0 ? (uint64_t)0 - (uint64_t)base : (uint64_t)base;
    t->s.total = (uint64_t)t->s.total + mv > INT64_MAX || mv > INT64_MAX ? INT64_MAX : (int64_t)((uint64_t)t->s.total + mv);
    t->s.base_total = (uint64_t)t->s.base_total + mb > INT64_MAX || mb > INT64_MAX ? INT64_MAX
                      : (int64_t)((uint64_t)t->s.base_total + mb);
    if (base)
        t->s.has_base = true;
}

/* The writer's output as a NUL-terminated string (caller frees), or NULL on error. */
static char *render(const pprof_stack_set *s, const char *name, int *rc)
{
    pprof_buf b = {0};
    pprof_error err = {0};
    *rc = pprof_write_speedscope(&b, s, name, &err);
    if (*rc) {
        pprof_buf_release(&b);
        return NULL;
    }
    return b.data ? (char *)b.data : strdup("");
}

/* ------------------------------------------------------------ strict JSON */

/* Independent UTF-8 check: decode, then reject overlongs, surrogates and
 * code points past U+10FFFF. Returns the sequence length or 0. */
static size_t utf8_ok(const unsigned char *p, size_t n, uint32_t *cp_out)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
               : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!len || len > n)
        return 0;
    uint32_t cp = len == 1 ? p[0] : p[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    *cp_out = cp;
    return len;
}

static void put_utf8(pprof_buf *b, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xc0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | cp >> 18);
        u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    pprof_buf_append(b, u, n);
}

#define JSON_MAX_DEPTH 32
#define JSON_MAX_STRS 4096

/* A recursive-descent parser of RFC 8259 JSON that only validates, and
 * keeps the decoded strings (keys and values, in document order). */
typedef struct json {
    const unsigned char *p, *end;
    char *strs[JSON_MAX_STRS];
    size_t n_strs;
} json;

static bool json_value(json *j, int depth);

static void json_ws(json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool json_lit(json *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return false;
    j->p += n;
    return true;
}

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static bool json_string(json *j)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    j->p++;
    pprof_buf b = {0};
    pprof_buf_append(&b, "", 0);
    bool ok = false;
    while (j->p < j->end) {
        unsigned char c = *j->p;
        if (c == '"') {
            j->p++;
            ok = true;
            break;
        }
        if (c < 0x20)
            break; /* raw control character */
        if (c == '\\') {
            if (j->end - j->p < 2)
                break;
            unsigned char e = j->p[1];
            static const char names[] = "\"\\/bfnrt", repl[] = "\"\\/\b\f\n\r\t";
            const char *simple = strchr(names, e);
            if (e && simple) {
                pprof_buf_append(&b, &repl[simple - names], 1);
                j->p += 2;
                continue;
            }
            if (e != 'u' || j->end - j->p < 6)
                break;
            int v = hex4(j->p + 2);
            if (v < 0)
                break;
            j->p += 6;
            uint32_t cp = (uint32_t)v;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                break; /* lone low surrogate */
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
                    break;
                int lo = hex4(j->p + 2);
                if (lo < 0xdc00 || lo > 0xdfff)
                    break;
                j->p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
            }
            put_utf8(&b, cp);
            continue;
        }
        uint32_t cp;
        size_t len = utf8_ok(j->p, (size_t)(j->end - j->p), &cp);
        if (!len)
            break; /* raw bytes must be well-formed UTF-8 */
        pprof_buf_append(&b, j->p, len);
        j->p += len;
    }
    if (ok && j->n_strs < JSON_MAX_STRS)
        j->strs[j->n_strs++] = (char *)b.data;
    else
        pprof_buf_release(&b);
    return ok;
}

static bool json_digits(json *j)
{
    const unsigned char *s = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > s;
}

static bool json_number(json *j)
{
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p < j->end && *j->p == '0')
        j->p++;
    else if (j->p >= j->end || *j->p < '1' || *j->p > '9' || !json_digits(j))
        return false;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (!json_digits(j))
            return false;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!json_digits(j))
            return false;
    }
    return true;
}

/* Elements of an array or members of an object, after the opening bracket. */
static bool json_container(json *j, int depth, bool object)
{
    char close = object ? '}' : ']';
    json_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return true;
    }
    for (;;) {
        json_ws(j);
        if (object) {
            if (!json_string(j))
                return false;
            json_ws(j);
            if (j->p >= j->end || *j->p++ != ':')
                return false;
        }
        if (!json_value(j, depth + 1))
            return false;
        json_ws(j);
        if (j->p >= j->end)
            return false;
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p++ == close)
            return true;
        return false;
    }
}

static bool json_value(json *j, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return false;
    json_ws(j);
    if (j->p >= j->end)
        return false;
    switch (*j->p) {
    case '{':
        j->p++;
        return json_container(j, depth, true);
    case '[':
        j->p++;
        return json_container(j, depth, false);
    case '"':
        return json_string(j);
    case 't':
        return json_lit(j, "true");
    case 'f':
        return json_lit(j, "false");
    case 'n':
        return json_lit(j, "null");
    default:
        return json_number(j);
    }
}

static void json_free(json *j)
{
    for (size_t i = 0; i < j->n_strs; i++)
        free(j->strs[i]);
    j->n_strs = 0;
}

/* Parses the whole of text strictly; j keeps the strings (json_free them). */
static bool json_parse(json *j, const char *text, size_t len)
{
    memset(j, 0, sizeof *j);
    j->p = (const unsigned char *)text;
    j->end = j->p + len;
    if (!json_value(j, 0))
        return false;
    json_ws(j);
    return j->p == j->end;
}

static bool json_valid(const char *text)
{
    json j;
    bool ok = json_parse(&j, text, strlen(text));
    json_free(&j);
    return ok;
}

/* No raw control bytes anywhere but the final newline. */
static bool no_raw_controls(const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 || c == 0x7f) && !(c == '\n' && i == n - 1))
            return false;
    }
    return true;
}

/* The checker itself must accept and reject the right things. */
static void test_checker(void)
{
    CHECK(json_valid("{}"));
    CHECK(json_valid(" [1, -0, 2.5e+3, true, false, null, \"a\\u00e9\\n\", {\"k\": []}] "));
    CHECK(json_valid("\"\\ud83d\\ude00\""));
    CHECK(json_valid("\"\xc3\xa9\xf0\x9f\x98\x80\""));
    CHECK(!json_valid(""));
    CHECK(!json_valid("{"));
    CHECK(!json_valid("[1,]"));
    CHECK(!json_valid("{\"a\":1,}"));
    CHECK(!json_valid("{\"a\" 1}"));
    CHECK(!json_valid("[01]"));
    CHECK(!json_valid("[1.]"));
    CHECK(!json_valid("[+1]"));
    CHECK(!json_valid("[1] x"));
    CHECK(!json_valid("\"a\x01\""));
    CHECK(!json_valid("\"\\x41\""));
    CHECK(!json_valid("\"\\u12g4\""));
    CHECK(!json_valid("\"\\udc00\""));
    CHECK(!json_valid("\"\\ud800x\""));
    CHECK(!json_valid("\"\xff\""));
    CHECK(!json_valid("\"\xc0\xaf\""));
    CHECK(!json_valid("\"\xed\xa0\x80\""));
    CHECK(!json_valid("\"\xe2\x82\""));
    CHECK(!json_valid("\"\xf4\x90\x80\x80\""));
    CHECK(!json_valid("{'a':1}"));
    CHECK(!json_valid("[tru]"));
    /* Bounded depth: deep nesting is refused, not a stack overflow. */
    char deep[2 * 1000 + 1];
    memset(deep, '[', 1000);
    memset(deep + 1000, ']', 1000);
    deep[2000] = 0;
    CHECK(!json_valid(deep));
    CHECK(json_valid("[[[[[[[[[[]]]]]]]]]]"));
}

/* ------------------------------------------------------------ tests */

#define HEAD "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"shared\":{\"frames\":["

static void test_tiny(void)
{
    char *names[] = {"main", "a", "b"};
    test_set t;
    set_init(&t, names, 3, "nanoseconds", "cpu");
    add_stack(&t, (const int[]){0, 1, -1}, 30, 0);
    add_stack(&t, (const int[]){0, 1, 2, -1}, 10, 0);
    add_stack(&t, (const int[]){0, -1}, 5, 0);
    int rc;
    char *got = render(&t.s, "cpu.pb.gz", &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, HEAD "{\"name\":\"main\"},{\"name\":\"a\"},{\"name\":\"b\"}]},"
                   "\"profiles\":[{\"type\":\"sampled\",\"name\":\"cpu.pb.gz\",\"unit\":\"nanoseconds\","
                   "\"startValue\":0,\"endValue\":45,\"samples\":[[0,1],[0,1,2],[0]],\"weights\":[30,10,5]}],"
                   "\"name\":\"cpu.pb.gz\",\"activeProfileIndex\":0,\"exporter\":\"pprof-c\"}\n");
    CHECK(got && json_valid(got));
    free(got);
}

static void test_empty_and_defaults(void)
{
    test_set t;
    set_init(&t, NULL, 0, NULL, NULL);
    int rc;
    char *got = render(&t.s, NULL, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, HEAD "]},\"profiles\":[{\"type\":\"sampled\",\"name\":\"profile\",\"unit\":\"none\","
                   "\"startValue\":0,\"endValue\":0,\"samples\":[],\"weights\":[]}],"
                   "\"name\":\"profile\",\"activeProfileIndex\":0,\"exporter\":\"pprof-c\"}\n");
    CHECK(got && json_valid(got));
    free(got);

    /* No name: the sample type names the profile; "" counts as no name. */
    char *names[] = {"f"};
    set_init(&t, names, 1, "count", "samples");
    add_stack(&t, (const int[]){0, -1}, 3, 0);
    got = render(&t.s, "", &rc);
    CHECK(got && strstr(got, "\"name\":\"samples\",\"unit\":\"none\""));
    CHECK(got && strstr(got, "],\"name\":\"samples\","));
    free(got);

    /* An empty stack (a sample with no locations) is kept as []. */
    set_init(&t, names, 1, "count", "samples");
    add_stack(&t, (const int[]){-1}, 4, 0);
    add_stack(&t, (const int[]){0, -1}, 1, 0);
    got = render(&t.s, "x", &rc);
    CHECK(got && strstr(got, "\"endValue\":5,\"samples\":[[],[0]],\"weights\":[4,1]}"));
    CHECK(got && json_valid(got));
    free(got);
}

/* Zero weights are skipped; negative ones (speedscope refuses them) are
 * written as magnitudes, matching s->total, a sum of magnitudes. */
static void test_weights(void)
{
    char *names[] = {"r", "x", "y"};
    test_set t;
    set_init(&t, names, 3, "bytes", "inuse_space");
    add_stack(&t, (const int[]){0, 1, -1}, 0, 0);
    add_stack(&t, (const int[]){0, 2, -1}, -7, 0);
    add_stack(&t, (const int[]){0, -1}, INT64_MAX, 0);
    add_stack(&t, (const int[]){1, -1}, INT64_MIN, 0);
    int rc;
    char *got = render(&t.s, "m", &rc);
    CHECK_INT(rc, 0);
    CHECK(got && strstr(got, "\"unit\":\"bytes\",\"startValue\":0,\"endValue\":9223372036854775807,"
                             "\"samples\":[[0,2],[0],[1]],\"weights\":[7,9223372036854775807,9223372036854775808]}"));
    CHECK(got && json_valid(got));
    free(got);
}

static void test_differential(void)
{
    char *names[] = {"main", "old", "new", "both"};
    test_set t;
    set_init(&t, names, 4, "ms", "cpu");
    add_stack(&t, (const int[]){0, 1, -1}, 0, 20);
    add_stack(&t, (const int[]){0, 2, -1}, 15, 0);
    add_stack(&t, (const int[]){0, 3, -1}, 8, 5);
    add_stack(&t, (const int[]){0, -1}, 0, 0);
    CHECK(t.s.has_base);
    int rc;
    char *got = render(&t.s, "diff.pb", &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, HEAD "{\"name\":\"main\"},{\"name\":\"old\"},{\"name\":\"new\"},{\"name\":\"both\"}]},"
                   "\"profiles\":["
                   "{\"type\":\"sampled\",\"name\":\"base\",\"unit\":\"milliseconds\",\"startValue\":0,"
                   "\"endValue\":25,\"samples\":[[0,1],[0,3]],\"weights\":[20,5]},"
                   "{\"type\":\"sampled\",\"name\":\"diff.pb\",\"unit\":\"milliseconds\",\"startValue\":0,"
                   "\"endValue\":23,\"samples\":[[0,2],[0,3]],\"weights\":[15,8]}],"
                   "\"name\":\"diff.pb\",\"activeProfileIndex\":1,\"exporter\":\"pprof-c\"}\n");
    CHECK(got && json_valid(got));
    free(got);

    /* has_base with an all-zero base still writes both profiles. */
    set_init(&t, names, 4, "ms", "cpu");
    add_stack(&t, (const int[]){0, -1}, 3, 0);
    t.s.has_base = true;
    got = render(&t.s, "d", &rc);
    CHECK(got && strstr(got, "\"name\":\"base\",\"unit\":\"milliseconds\",\"startValue\":0,\"endValue\":0,"
                             "\"samples\":[],\"weights\":[]},"));
    CHECK(got && json_valid(got));
    free(got);
}

static void test_units(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"nanoseconds", "nanoseconds"}, {"nanosecond", "nanoseconds"}, {"ns", "nanoseconds"},
        {"NS", "nanoseconds"},          {"microseconds", "microseconds"}, {"us", "microseconds"},
        {"\xce\xbcs", "microseconds"},  {"\xc2\xb5s", "microseconds"}, {"milliseconds", "milliseconds"},
        {"ms", "milliseconds"},         {"seconds", "seconds"},           {"second", "seconds"},
        {"s", "seconds"},               {"sec", "seconds"},               {"bytes", "bytes"},
        {"Bytes", "bytes"},             {"byte", "bytes"},                {"B", "bytes"},
        {"count", "none"},              {"", "none"},                     {"kilobytes", "none"},
        {"hours", "none"},              {"objects", "none"},              {"msec", "none"},             {"secs", "seconds"},
        {"nanos", "none"},              {"\"bytes\\", "none"},
    };
    char *names[] = {"f"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_set t;
        set_init(&t, names, 1, cases[i].in, "t");
        add_stack(&t, (const int[]){0, -1}, 1, 0);
        int rc;
        char *got = render(&t.s, "u", &rc);
        char want[128];
        snprintf(want, sizeof want, "\"unit\":\"%s\",", cases[i].want);
        CHECK(got && strstr(got, want));
        if (!got || !strstr(got, want))
            fprintf(stderr, "  unit \"%s\": want %s\n", cases[i].in, want);
        free(got);
    }
}

/* The JSON text of frame 0 when the set has one name, between {"name": and }. */
static char *frame_json(const char *name)
{
    char *names[] = {(char *)name};
    test_set t;
    set_init(&t, names, 1, "count", "t");
    int rc;
    char *got = render(&t.s, "n", &rc);
    if (!got)
        return NULL;
    char *start = got + strlen(HEAD "{\"name\":");
    char *end = strstr(start, "}]},\"profiles\"");
    if (!end) {
        free(got);
        return NULL;
    }
    *end = 0;
    memmove(got, start, strlen(start) + 1);
    return got;
}

static void check_escape(const char *name, const char *want, int line)
{
    char *got = frame_json(name);
    if (!got || strcmp(got, want) != 0) {
        unit_failed++;
        fprintf(stderr, "%s:%d: escaped to %s, want %s\n", __FILE__, line, got ? got : "(null)", want);
    } else {
        unit_passed++;
    }
    free(got);
}

#define ESC(name, want) check_escape(name, want, __LINE__)

static void test_escaping(void)
{
    ESC("plain", "\"plain\"");
    ESC("", "\"\"");
    ESC("a\"b", "\"a\\\"b\"");
    ESC("c\\d", "\"c\\\\d\"");
    ESC("\x01", "\"\\u0001\"");
    ESC("\t\n\r\x1f", "\"\\u0009\\u000a\\u000d\\u001f\"");
    ESC("\x7f", "\"\\u007f\"");
    ESC("/</script>", "\"/</script>\"");
    ESC("\xff", "\"\\ufffd\"");
    ESC("\xc3\xa9", "\"\xc3\xa9\"");                 /* é kept */
    ESC("\xf0\x9f\x94\xa5", "\"\xf0\x9f\x94\xa5\""); /* emoji kept */
    ESC("\xe2\x82\xac", "\"\xe2\x82\xac\"");         /* euro sign kept */
    ESC("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");         /* U+FFFF is well-formed */
    ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF kept */
    ESC("\xc2\xa0", "\"\xc2\xa0\"");                 /* NBSP kept */
    ESC("\xc2\x85", "\"\\u0085\"");                  /* C1 control */
    ESC("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
    /* Overlongs: each byte of a non-shortest form is replaced. */
    ESC("\xc0\xaf", "\"\\ufffd\\ufffd\"");
    ESC("\xc1\xbf", "\"\\ufffd\\ufffd\"");
    ESC("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
    ESC("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    /* Surrogates and code points past U+10FFFF. */
    ESC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
    ESC("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");
    ESC("\xed\x9f\xbf", "\"\xed\x9f\xbf\""); /* U+D7FF is fine */
    ESC("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    ESC("\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    /* Truncated sequences: one replacement per maximal subpart. */
    ESC("\xe2\x82", "\"\\ufffd\"");
    ESC("x\xe2\x82y", "\"x\\ufffdy\"");
    ESC("\xf0\x9f\x94", "\"\\ufffd\"");
    ESC("\xf0\x9f\x94\xf0\x9f\x94\xa5", "\"\\ufffd\xf0\x9f\x94\xa5\"");
    ESC("\xc3", "\"\\ufffd\"");
    ESC("\xc3\"", "\"\\ufffd\\\"\"");
    ESC("\x80\xbf", "\"\\ufffd\\ufffd\"");
    ESC("a\xc3\xa9\xff\"\\\x01z", "\"a\xc3\xa9\\ufffd\\\"\\\\\\u0001z\"");

    /* Hostile names in a whole file: still valid JSON, and decoding the
     * strings gives the names back (with U+FFFD for the bad bytes). */
    char *names[] = {"q\"uote", "back\\slash", "\001ctl", "bad\xff", "caf\xc3\xa9", "fire\xf0\x9f\x94\xa5"};
    test_set t;
    set_init(&t, names, 6, "count", "t\"y\\pe\x02");
    add_stack(&t, (const int[]){0, 1, 2, 3, 4, 5, -1}, 1, 0);
    int rc;
    char *got = render(&t.s, "na\"me\n\xfe", &rc);
    CHECK_INT(rc, 0);
    CHECK(got && no_raw_controls(got));
    json j = {0};
    CHECK(got && json_parse(&j, got, strlen(got)));
    /* strings: $schema, url, shared, frames, then name/value pairs. */
    CHECK(j.n_strs > 15);
    if (j.n_strs > 15) {
        CHECK_STR(j.strs[5], "q\"uote");
        CHECK_STR(j.strs[7], "back\\slash");
        CHECK_STR(j.strs[9], "\001ctl");
        CHECK_STR(j.strs[11], "bad\xef\xbf\xbd");
        CHECK_STR(j.strs[13], "caf\xc3\xa9");
        CHECK_STR(j.strs[15], "fire\xf0\x9f\x94\xa5");
    }
    bool found_name = false;
    for (size_t i = 0; i < j.n_strs; i++)
        if (strcmp(j.strs[i], "na\"me\n\xef\xbf\xbd") == 0)
            found_name = true;
    CHECK(found_name);
    json_free(&j);
    free(got);
}

/* Reference sanitiser for the fuzz test: what the decoded string should be. */
static void expected_decoded(pprof_buf *b, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_ok(p + i, n - i, &cp);
        if (len) {
            pprof_buf_append(b, p + i, len);
            i += len;
            continue;
        }
        /* Maximal subpart: the longest prefix of a well-formed sequence.
         * From two bytes on, the constrained second byte is given, so a
         * prefix completes with 0x80 bytes when it completes at all. */
        size_t best = 1;
        for (size_t k = 2; k <= 3 && k <= n - i; k++) {
            unsigned char tmp[4] = {0x80, 0x80, 0x80, 0x80};
            memcpy(tmp, p + i, k);
            bool prefix = false;
            for (size_t total = k + 1; total <= 4 && !prefix; total++)
                prefix = utf8_ok(tmp, total, &cp) == total;
            if (!prefix)
                break;
            best = k;
        }
        put_utf8(b, 0xfffd);
        i += best;
    }
    pprof_buf_append(b, "", 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    return (uint32_t)(unit_rng(&rng_state) >> 11);
}

static void test_fuzz(void)
{
    static const unsigned char interesting[] = {0x00, 0x01, 0x1f, 0x20, '"', '\\', 'a', 0x7f, 0x80, 0x8f,
                                                0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe2, 0xed,
                                                0xef, 0xf0, 0xf4, 0xf5, 0xff};
    int bad_valid = 0, bad_roundtrip = 0;
    for (int iter = 0; iter < 3000; iter++) {
        unsigned char name[16];
        size_t n = rnd() % 12;
        for (size_t k = 0; k < n; k++) {
            name[k] = rnd() % 2 ? interesting[rnd() % sizeof interesting] : (unsigned char)rnd();
            if (!name[k])
                name[k] = 'z';
        }
        name[n] = 0;
        char *names[] = {(char *)name, "ok"};
        test_set t;
        set_init(&t, names, 2, "count", "t");
        add_stack(&t, (const int[]){0, 1, -1}, (int64_t)rnd() - (1 << 20), 0);
        int rc;
        char *got = render(&t.s, (const char *)name, &rc);
        json j = {0};
        if (!got || !no_raw_controls(got) || !json_parse(&j, got, strlen(got))) {
            bad_valid++;
            if (got)
                json_free(&j);
            free(got);
            continue;
        }
        pprof_buf want = {0};
        /* C0 and DEL and C1 come back from their escapes unchanged. */
        expected_decoded(&want, name, n);
        if (j.n_strs < 6 || strcmp(j.strs[5], (const char *)want.data) != 0)
            bad_roundtrip++;
        pprof_buf_release(&want);
        json_free(&j);
        free(got);
    }
    CHECK_INT(bad_valid, 0);
    CHECK_INT(bad_roundtrip, 0);
}

/* Sink test: output delivered in tiny flushes is identical. */
typedef struct sink_ctx {
    pprof_buf all;
    size_t calls;
    size_t fail_after; /* fail the call after this many (0: never) */
} sink_ctx;

static int sink(void *ctx, const uint8_t *data, size_t len)
{
    sink_ctx *c = ctx;
    if (c->fail_after && ++c->calls > c->fail_after)
        return 28; /* ENOSPC */
    if (!c->fail_after)
        c->calls++;
    return pprof_buf_append(&c->all, data, len) ? 12 : 0;
}

static void test_streaming(void)
{
    char *names[] = {"main", "q\"uote", "caf\xc3\xa9\xff", "w"};
    test_set t;
    set_init(&t, names, 4, "bytes", "alloc_space");
    for (int i = 0; i < 40; i++)
        add_stack(&t, (const int[]){0, i % 3 + 1, (i + 1) % 4, -1}, i * 1000 + 1, i % 3 ? 0 : i + 2);
    int rc;
    char *whole = render(&t.s, "stream", &rc);
    CHECK_INT(rc, 0);
    CHECK(whole && json_valid(whole));

    for (size_t flush_at = 1; flush_at <= 64; flush_at *= 4) {
        sink_ctx c = {0};
        pprof_buf b = {0};
        b.sink = sink;
        b.sink_ctx = &c;
        b.flush_at = flush_at;
        pprof_error err = {0};
        rc = pprof_write_speedscope(&b, &t.s, "stream", &err);
        CHECK_INT(rc, 0);
        CHECK_INT(pprof_buf_flush(&b), 0);
        CHECK(c.calls > 10);
        CHECK(whole && c.all.data && strcmp((const char *)c.all.data, whole) == 0);
        pprof_buf_release(&b);
        pprof_buf_release(&c.all);
    }

    /* A failing sink is reported as an I/O error. */
    sink_ctx c = {0};
    c.fail_after = 3;
    pprof_buf b = {0};
    b.sink = sink;
    b.sink_ctx = &c;
    b.flush_at = 16;
    pprof_error err = {0};
    rc = pprof_write_speedscope(&b, &t.s, "stream", &err);
    CHECK_INT(rc, PPROF_EIO);
    CHECK_INT(err.code, PPROF_EIO);
    pprof_buf_release(&b);
    pprof_buf_release(&c.all);
    free(whole);
}

static void test_bad_sets(void)
{
    char *names[] = {"a", "b"};
    test_set t;
    set_init(&t, names, 2, "count", "t");
    add_stack(&t, (const int[]){0, 2, -1}, 1, 0); /* id 2 >= n_names */
    pprof_buf b = {0};
    pprof_error err = {0};
    int rc = pprof_write_speedscope(&b, &t.s, "x", &err);
    CHECK_INT(rc, PPROF_EINVAL);
    CHECK_INT(err.code, PPROF_EINVAL);
    CHECK_INT(b.len, 0);
    pprof_buf_release(&b);

    set_init(&t, names, 2, "count", "t");
    add_stack(&t, (const int[]){0, 1, -1}, 1, 0);
    t.stacks[0].n_frames = 5; /* past the end of frames */
    memset(&err, 0, sizeof err);
    rc = pprof_write_speedscope(&b, &t.s, "x", &err);
    CHECK_INT(rc, PPROF_EINVAL);
    CHECK_INT(b.len, 0);
    pprof_buf_release(&b);
}

int main(void)
{
    test_checker();
    test_tiny();
    test_empty_and_defaults();
    test_weights();
    test_differential();
    test_units();
    test_escaping();
    test_fuzz();
    test_streaming();
    test_bad_sets();
    return unit_report("speedscope");
}
