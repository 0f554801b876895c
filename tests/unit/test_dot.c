/* test_dot.c: call-graph pieces: DOT escaping, pprof's name shortening, call trees, tag nodelets and redundant residual edges, on profiles built here. */
#include "report.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static char *escaped(const char *s, size_t n)
{
    pprof_buf b = {0};
    pprof_dot_escape(&b, s, n);
    pprof_buf_append(&b, "", 1);
    return (char *)b.data;
}

static void test_escape(void)
{
    static const struct {
        const char *in;
        size_t len; /* 0: strlen */
        const char *want;
    } cases[] = {
        {"plain name", 0, "plain name"},
        {"a\"b", 0, "a\\\"b"},
        {"back\\slash", 0, "back\\\\slash"},
        {"\\N\\G\\l\\n", 0, "\\\\N\\\\G\\\\l\\\\n"},
        {"trailing\\", 0, "trailing\\\\"},
        {"line\nbreak", 0, "line\\lbreak"},
        {"x\" URL=\"javascript:1\" y=\"", 0, "x\\\" URL=\\\"javascript:1\\\" y=\\\""},
        {"n\0ul", 4, "nul"},
        {"esc\x1b[0m bel\x07 del\x7f", 0, "esc\xef\xbf\xbd[0m bel\xef\xbf\xbd del\xef\xbf\xbd"},
        {"tab\there\r", 0, "tab\xef\xbf\xbdhere\xef\xbf\xbd"},
        {"bad \xff\xfe utf8 \xc3", 0, "bad \xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd"},
        {"overlong \xc0\xaf", 0, "overlong \xef\xbf\xbd\xef\xbf\xbd"},
        {"surrogate \xed\xa0\x80", 0, "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"bidi \xe2\x80\xae" "rtl c1 \xc2\x85", 0, "bidi \xef\xbf\xbdrtl c1 \xef\xbf\xbd"},
        {"caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x94\xa5", 0, "caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x94\xa5"},
        {"<b>&amp;'</b>", 0, "<b>&amp;'</b>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = escaped(cases[i].in, cases[i].len ? cases[i].len : strlen(cases[i].in));
        CHECK_STR(got, cases[i].want);
        free(got);
    }
}

static void test_shorten(void)
{
    /* Observed with go tool pprof (Go 1.19), except "a/b/c": current
     * upstream's Go pattern wants a "pkg.Name" after the path. */
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"github.com/x/y/v2.Foo", "y.Foo"},
        {"github.com/x/y.(*T).Method", "y.(*T).Method"},
        {"gopkg.in/yaml.v2.(*parser).parse", "yaml.v2.(*parser).parse"},
        {"a/b/c.d/e.F", "e.F"},
        {"x/y.z.w", "y.z.w"},
        {"a/b/c", "a/b/c"},
        {"main.F[...]", "main.F[...]"},
        {"com.example.Foo.bar(int)", "Foo.bar"},
        {"com.example.Foo.<init>", "Foo.<init>"},
        {"com.example.Foo.bar$1", "Foo.bar$1"},
        {"com.example.function12", "com.example.function12"},
        {"ns::Foo::Bar::baz(int)", "Bar::baz"},
        {"(anonymous namespace)::Foo::bar", "Foo::bar"},
        {"std::vector<int>::push_back", "std::vector<int>::push_back"},
        {"ns::_Foo::bar<int, char>(x)", "_Foo::bar<int, char>"},
        {"A::B::C::d", "C::d"},
        {"a::b", "a::b"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pprof_buf b = {0};
        CHECK_INT(pprof_shorten_function_name(&b, cases[i].in), 0);
        pprof_buf_append(&b, "", 1);
        CHECK_STR((const char *)b.data, cases[i].want);
        pprof_buf_release(&b);
    }
}

/* ---------------------------------------------------------------- profiles */

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

/* A location per function name, made on first use. */
static uint32_t loc(pprof_profile *p, const char *name)
{
    for (size_t i = 0; i < p->n_locations; i++) {
        const pprof_line *l = &p->lines[p->locations[i].lines_off];
        if (strcmp(p->strings[p->functions[l->function].name], name) == 0)
            return (uint32_t)i;
    }
    pprof_function fn = {.id = p->n_functions + 1, .name = S(p, name), .system_name = S(p, name)};
    uint32_t f, l;
    pprof_profile_add_function(&f, p, &fn);
    pprof_line ln = {.function = f, .line = 1};
    pprof_location lc = {.id = p->n_locations + 1, .address = 0x1000 + p->n_locations, .mapping = PPROF_NONE};
    pprof_profile_add_location(&l, p, &lc, &ln, 1);
    return l;
}

/* Adds a sample: names from leaf to root, then its value, labels k=v. */
static void sample(pprof_profile *p, const char *const *stack, size_t n, int64_t v, const char *const *labels,
                   size_t nl)
{
    uint32_t locs[8];
    for (size_t i = 0; i < n; i++)
        locs[i] = loc(p, stack[i]);
    pprof_label lb[4];
    for (size_t i = 0; i < nl; i++)
        lb[i] = (pprof_label){.key = S(p, labels[2 * i]), .str = S(p, labels[2 * i + 1])};
    pprof_profile_add_sample(p, locs, n, &v, lb, nl);
}

static pprof_profile *new_profile(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    return p;
}

static char *dot_of(pprof_profile *p, int nodecount, bool call_tree)
{
    pprof_report_options o;
    memset(&o, 0, sizeof o);
    o.ratio = 1;
    o.unit = "minimum";
    o.total = pprof_profile_total(p, 0, false, NULL);
    o.call_tree = call_tree;
    o.graph.nodecount = nodecount;
    pprof_buf out = {0};
    pprof_error err;
    if (pprof_write_dot(&out, p, &o, &err) != 0)
        return NULL;
    pprof_buf_append(&out, "", 1);
    return (char *)out.data;
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *q = s; q && (q = strstr(q, what)); q += strlen(what))
        n++;
    return n;
}

static void test_call_tree(void)
{
    pprof_profile *p = new_profile();
    sample(p, (const char *[]){"c", "a", "main"}, 3, 5, NULL, 0);
    sample(p, (const char *[]){"c", "b", "main"}, 3, 3, NULL, 0);
    char *graph = dot_of(p, 0, false), *tree = dot_of(p, 0, true);
    CHECK_INT(count(graph, "id=\"node"), 4); /* main, a, b, c */
    CHECK_INT(count(tree, "id=\"node"), 5);  /* c twice: under a and under b */
    CHECK_INT(count(tree, "tooltip=\"c (5)\""), 1);
    CHECK_INT(count(tree, "tooltip=\"c (3)\""), 1);
    CHECK_INT(count(graph, "tooltip=\"c (8)\""), 1);
    free(graph);
    free(tree);
    pprof_profile_free(p);
}

static void test_nodelets(void)
{
    pprof_profile *p = new_profile();
    sample(p, (const char *[]){"leaf", "main"}, 2, 6, (const char *[]){"tenant", "x\"y", "endpoint", "/a"}, 2);
    sample(p, (const char *[]){"leaf", "main"}, 2, 4, (const char *[]){"pprof::base", "true", "endpoint", "/b"}, 2);
    char *dot = dot_of(p, 80, false);
    /* Sorted "key:value" pairs, one per line, escaped; pprof::base left out. */
    CHECK_INT(count(dot, "[label = \"endpoint:/a\\ntenant:x\\\"y\" id=\"N"), 1);
    CHECK_INT(count(dot, "[label = \"endpoint:/b\" id=\"N"), 1);
    CHECK_INT(count(dot, "pprof::base"), 0);
    /* Only on the leaf: main has out-edges, so it shows flat values (none). */
    CHECK_INT(count(dot, "shape=box3d"), 2);
    free(dot);
    pprof_profile_free(p);
}

static void test_redundant_edges(void)
{
    /* With "a" dropped, main...c is a residual edge; main->b->c still
     * joins the two, so pprof leaves the residual edge out. */
    pprof_profile *p = new_profile();
    sample(p, (const char *[]){"c", "a", "main"}, 3, 1, NULL, 0);
    sample(p, (const char *[]){"c", "b", "main"}, 3, 10, NULL, 0);
    sample(p, (const char *[]){"b", "main"}, 2, 2, NULL, 0);
    char *dot = dot_of(p, 3, false);
    CHECK(dot != NULL);
    CHECK_INT(count(dot, "id=\"node"), 3);
    CHECK_INT(count(dot, "tooltip=\"a ("), 0);
    CHECK_INT(count(dot, " -> N"), 2);
    CHECK_INT(count(dot, "style=\"dotted\""), 0);
    CHECK_INT(count(dot, "Showing top 3 nodes out of 4"), 1);
    free(dot);
    /* Without the other path the residual edge stays, dotted. */
    pprof_profile *q = new_profile();
    sample(q, (const char *[]){"c", "a", "main"}, 3, 1, NULL, 0);
    sample(q, (const char *[]){"b", "main"}, 2, 10, NULL, 0);
    sample(q, (const char *[]){"c", "main"}, 2, 0, NULL, 0);
    dot = dot_of(q, 3, false);
    CHECK_INT(count(dot, "tooltip=\"main ... c (1)\""), 2); /* tooltip and labeltooltip */
    CHECK_INT(count(dot, "style=\"dotted\""), 1);
    free(dot);
    pprof_profile_free(p);
    pprof_profile_free(q);
}

int main(void)
{
    test_escape();
    test_shorten();
    test_call_tree();
    test_nodelets();
    test_redundant_edges();
    return unit_report("dot");
}
