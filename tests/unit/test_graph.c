/* test_graph.c: the core below the reports: graph building (ties at nodecount, saturation, call-tree trimming), filters, node identity, normalize. */
#include "graph_private.h"
#include "internal.h"
#include "pprof.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

/* A profile with one sample type and one location per function name (in
 * file "<name>.c", line 10), functions made on first use. */
static pprof_profile *new_profile(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    return p;
}

static uint32_t loc_of(pprof_profile *p, const char *name)
{
    for (size_t i = 0; i < p->n_locations; i++) {
        const pprof_line *ln = &p->lines[p->locations[i].lines_off];
        if (strcmp(pprof_string(p, p->functions[ln->function].name), name) == 0)
            return (uint32_t)i;
    }
    char file[64];
    snprintf(file, sizeof file, "%s.c", name);
    pprof_function f = {.id = p->n_functions + 1, .name = S(p, name), .system_name = S(p, name),
                        .filename = S(p, file), .start_line = 1};
    uint32_t fi, li;
    pprof_profile_add_function(&fi, p, &f);
    pprof_line ln = {.function = fi, .line = 10};
    pprof_location l = {.id = p->n_locations + 1, .address = 0x1000 + 16 * p->n_locations, .mapping = PPROF_NONE};
    pprof_profile_add_location(&li, p, &l, &ln, 1);
    return li;
}

/* Adds a sample with its labels; stack is "leaf;caller;...;root". */
static void add_sample(pprof_profile *p, const char *stack, int64_t v, const pprof_label *labels, size_t n_labels)
{
    uint32_t locs[16];
    size_t n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", stack);
    for (char *tok = strtok(buf, ";"); tok && n < 16; tok = strtok(NULL, ";"))
        locs[n++] = loc_of(p, tok);
    CHECK_INT(pprof_profile_add_sample(p, locs, n, &v, labels, n_labels), 0);
}

static void add(pprof_profile *p, const char *stack, int64_t v)
{
    add_sample(p, stack, v, NULL, 0);
}

static pprof_graph_options graph_options(void)
{
    pprof_graph_options o;
    memset(&o, 0, sizeof o);
    return o;
}

static const char *node_name(const pprof_graph *g, size_t i)
{
    return pprof_graph_string(g, g->nodes[i].info.name);
}

static pprof_graph *build(const pprof_profile *p, const pprof_graph_options *o)
{
    pprof_graph *g = NULL;
    pprof_error err;
    int rc = pprof_graph_build(&g, p, o, &err);
    CHECK_INT(rc, 0);
    if (rc)
        fprintf(stderr, "graph: %s\n", err.msg);
    return g;
}

/* Adds a sample of stack with one string label key=val. */
static void add_labelled(pprof_profile *p, const char *stack, int64_t v, const char *key, const char *val)
{
    pprof_label l = {.key = S(p, key), .str = S(p, val)};
    add_sample(p, stack, v, &l, 1);
}

/* Tags of a drawing at the node cutoff (total 1000, nodefraction 0.005:
 * 5): label sets weighing less than 5 in all have no tag anywhere; a set
 * of exactly 5 split over two stacks keeps its tag where it sums to 5 (the
 * common caller) and nowhere else; 200 sets of weight 1 leave nothing. */
/* Label sets that print alike are one tag however their keys and values
 * split: "a:b" = "c" and "a" = "b:c" both print "a:b:c", and a value with
 * a newline prints as two labels would. Two halves under the cutoff (4 of
 * a total of 906) make a tag over it; a plain profile's sets are told
 * apart by their string ids, with the same tags. */
static void test_tag_texts(void)
{
    for (int plain = 0; plain < 3; plain++) {
        pprof_profile *p = new_profile();
        if (plain == 0) {
            add_labelled(p, "a;main", 3, "a:b", "c");
            add_labelled(p, "a;main", 3, "a", "b:c");
        } else if (plain == 1) {
            add_labelled(p, "a;main", 3, "a", "b\nc:d");
            pprof_label two[2] = {{.key = S(p, "c"), .str = S(p, "d")}, {.key = S(p, "a"), .str = S(p, "b")}};
            add_sample(p, "a;main", 3, two, 2);
        } else {
            add_labelled(p, "a;main", 3, "a", "b");
            pprof_label two[2] = {{.key = S(p, "c"), .str = S(p, "d")}, {.key = S(p, "a"), .str = S(p, "b")}};
            add_sample(p, "a;main", 3, two, 2);
            add_labelled(p, "a;main", 3, "a", "b");
        }
        add(p, "z;main", 900);
        pprof_graph_options o = graph_options();
        o.visual = true;
        o.nodecount = 80;
        o.nodefraction = 0.005;
        pprof_graph *g = build(p, &o);
        size_t seen = 0;
        for (size_t i = 0; g && i < g->n_nodes; i++) {
            const char *name = node_name(g, i);
            for (uint32_t k = 0; k < g->nodes[i].n_tags; k++) {
                const pprof_tag *t = &g->tags[g->nodes[i].tags_off + k];
                const char *want = plain == 0 ? "a:b:c" : plain == 1 ? "a:b\nc:d" : "a:b";
                CHECK_STR(t->name, want);
                CHECK_INT(t->cum, 6);
                CHECK_INT(t->flat, strcmp(name, "a") == 0 ? 6 : 0);
                seen++;
            }
        }
        CHECK_INT(seen, 2); /* on a and main (a:b with c:d weighs 3: none) */
        pprof_graph_free(g);
        pprof_profile_free(p);
    }
}

/* A tag expected on a node: its name, the node's, and its weights. */
typedef struct want_tag {
    const char *tag;
    const char *node;
    int64_t cum;
    int64_t flat;
} want_tag;

/* Checks every tag of g against want (found by tag and node name; any
 * other is unexpected); returns how many tags g has. */
static size_t check_tags(const pprof_graph *g, const want_tag *want, size_t n_want)
{
    size_t seen = 0;
    for (size_t i = 0; g && i < g->n_nodes; i++) {
        const char *name = node_name(g, i);
        for (uint32_t k = 0; k < g->nodes[i].n_tags; k++, seen++) {
            const pprof_tag *t = &g->tags[g->nodes[i].tags_off + k];
            const want_tag *w = NULL;
            for (size_t j = 0; j < n_want && !w; j++)
                if (strcmp(t->name, want[j].tag) == 0 && strcmp(name, want[j].node) == 0)
                    w = &want[j];
            if (!w) {
                CHECK(!"unexpected tag");
                fprintf(stderr, "unexpected tag %s on %s\n", t->name, name);
                continue;
            }
            CHECK_INT(t->cum, w->cum);
            CHECK_INT(t->flat, w->flat);
        }
    }
    return seen;
}

static void test_tag_cutoff(void)
{
    pprof_profile *p = new_profile();
    for (int i = 0; i < 200; i++) {
        char v[16];
        snprintf(v, sizeof v, "s%d", i);
        add_labelled(p, "a;main", 1, "span", v);
    }
    add_labelled(p, "b;main", 3, "span", "five");
    add_labelled(p, "c;main", 2, "span", "five");
    add_labelled(p, "c;main", 4, "span", "four");
    add_labelled(p, "b;main", 791, "pod", "x");
    pprof_graph_options o = graph_options();
    o.visual = true;
    o.nodecount = 80;
    o.nodefraction = 0.005;
    o.edgefraction = 0.001;
    pprof_graph *g = build(p, &o);
    if (g) {
        CHECK_INT(g->node_cutoff, 5);
        static const want_tag want[] = {
            {"span:five", "main", 5, 0}, {"pod:x", "main", 791, 0}, {"pod:x", "b", 791, 791}};
        CHECK_INT(check_tags(g, want, sizeof want / sizeof *want), 3);
    }
    pprof_graph_free(g);
    pprof_profile_free(p);
}

/* Samples are left out early when one of their label values weighs under
 * the cutoff summed over every sample and key: such a value keeps its set
 * under it too. The bound must sum a value over samples (x and y make a
 * set of 3 + 3 = 6 with values of 6, kept), over keys ("v" under two keys
 * makes 4 + 4: no tag either way, its sets weigh 4), leave out
 * pprof::base (unique per sample here, yet pod:z's set is heavy), and keep
 * a light set's numeric tags out with it (bytes on s0..s199). Total 1000,
 * cutoff 5. */
static void test_tag_value_bound(void)
{
    pprof_profile *p = new_profile();
    pprof_str span = S(p, "span"), pod = S(p, "pod"), base = S(p, "pprof::base"), bytes = S(p, "bytes");
    for (int i = 0; i < 2; i++) {
        pprof_label two[2] = {{.key = span, .str = S(p, "x")}, {.key = pod, .str = S(p, "y")}};
        add_sample(p, "a;main", 3, two, 2);
    }
    add_labelled(p, "b;main", 4, "span", "v");
    add_labelled(p, "b;main", 4, "pod", "v");
    for (int i = 0; i < 200; i++) {
        char v[16];
        snprintf(v, sizeof v, "s%d", i);
        pprof_label l[2] = {{.key = span, .str = S(p, v)}, {.key = bytes, .num = 1024}};
        add_sample(p, "c;main", 1, l, 2);
    }
    for (int i = 0; i < 7; i++) {
        char v[16];
        snprintf(v, sizeof v, "u%d", i);
        pprof_label l[2] = {{.key = base, .str = S(p, v)}, {.key = pod, .str = S(p, "z")}};
        add_sample(p, "d;main", 1, l, 2);
    }
    add(p, "e;main", 1000 - 6 - 8 - 200 - 7);
    pprof_graph_options o = graph_options();
    o.visual = true;
    o.nodecount = 80;
    o.nodefraction = 0.005;
    for (int tree = 0; tree < 2; tree++) {
        o.call_tree = tree;
        pprof_graph *g = build(p, &o);
        static const want_tag want[] = {{"pod:y\nspan:x", "a", 6, 6},
                                         {"pod:y\nspan:x", "main", 6, 0},
                                         {"pod:z", "d", 7, 7},
                                         {"pod:z", "main", 7, 0}};
        CHECK_INT(check_tags(g, want, sizeof want / sizeof *want), 4);
        pprof_graph_free(g);
    }
    pprof_profile_free(p);
}

/* Label sets are weighed in buckets of their hashes: 150 sets of weight
 * 100 each under the cutoff (0.005 of 25000: 125), two in a bucket over
 * it, make no tag; the one heavy set makes its tags on its two nodes.
 * (Each set is a pair of values that weigh 1000 and 1500 over all the
 * sets, so no value leaves them out before they are weighed.) */
static void test_tag_buckets(void)
{
    pprof_profile *p = new_profile();
    for (int i = 0; i < 150; i++) {
        char x[16], y[16];
        snprintf(x, sizeof x, "x%d", i % 15);
        snprintf(y, sizeof y, "y%d", i / 15);
        pprof_label two[2] = {{.key = S(p, "span"), .str = S(p, x)}, {.key = S(p, "pod"), .str = S(p, y)}};
        add_sample(p, i % 2 ? "a;main" : "c;main", 100, two, 2);
    }
    add_labelled(p, "b;main", 10000, "pod", "x");
    pprof_graph_options o = graph_options();
    o.visual = true;
    o.nodecount = 80;
    o.nodefraction = 0.005;
    pprof_graph *g = build(p, &o);
    if (g) {
        CHECK_INT(g->node_cutoff, 125);
        size_t seen = 0;
        for (size_t i = 0; i < g->n_nodes; i++)
            for (uint32_t k = 0; k < g->nodes[i].n_tags; k++) {
                const pprof_tag *t = &g->tags[g->nodes[i].tags_off + k];
                CHECK_STR(t->name, "pod:x");
                CHECK_INT(t->cum, 10000);
                seen++;
            }
        CHECK_INT(seen, 2);
    }
    pprof_graph_free(g);
    pprof_profile_free(p);
}

/* Equal flat values: pprof orders by name, so nodecount keeps the first
 * names, whatever order the samples came in. */
static void test_ties_at_nodecount(void)
{
    pprof_profile *p = new_profile();
    add(p, "d", 10);
    add(p, "b", 10);
    add(p, "c", 10);
    add(p, "a", 10);
    add(p, "e", 5);
    pprof_graph_options o = graph_options();
    o.nodecount = 2;
    pprof_graph *g = build(p, &o);
    if (g) {
        CHECK_INT(g->n_nodes, 2);
        CHECK_INT(g->orig_nodes, 5);
        if (g->n_nodes == 2) {
            CHECK_STR(node_name(g, 0), "a");
            CHECK_STR(node_name(g, 1), "b");
            CHECK_INT(g->nodes[0].flat, 10);
        }
    }
    pprof_graph_free(g);
    /* -cum order: the caller with the larger cum comes first, ties by name. */
    add(p, "a;z", 1);
    add(p, "b;y", 1);
    o.nodecount = 3;
    o.sort_cum = true;
    g = build(p, &o);
    if (g && g->n_nodes == 3) {
        CHECK_STR(node_name(g, 0), "a");
        CHECK_INT(g->nodes[0].cum, 11);
        CHECK_STR(node_name(g, 1), "b");
        CHECK_STR(node_name(g, 2), "c");
    } else {
        CHECK(0);
    }
    pprof_graph_free(g);
    pprof_profile_free(p);
}

/* Sums saturate instead of wrapping. */
static void test_saturation(void)
{
    pprof_profile *p = new_profile();
    add(p, "hot;main", INT64_MAX);
    add(p, "hot;main", INT64_MAX);
    add(p, "cold;main", -5);
    pprof_graph_options o = graph_options();
    pprof_graph *g = build(p, &o);
    if (g) {
        bool seen = false;
        for (size_t i = 0; i < g->n_nodes; i++)
            if (strcmp(node_name(g, i), "hot") == 0) {
                seen = true;
                CHECK(g->nodes[i].flat == INT64_MAX);
                CHECK(g->nodes[i].cum == INT64_MAX);
            }
        CHECK(seen);
    }
    pprof_graph_free(g);
    bool overflow = false;
    CHECK(pprof_profile_total(p, 0, false, &overflow) == INT64_MAX);
    CHECK(overflow);
    pprof_profile_free(p);
}

/* A call tree has one node per call path; nodefraction drops the small
 * paths of a function and keeps its big ones. */
static void test_call_tree_trimming(void)
{
    pprof_profile *p = new_profile();
    add(p, "x;a;main", 100);
    add(p, "x;b;main", 1);
    add(p, "y;a;main", 50);
    pprof_graph_options o = graph_options();
    o.call_tree = true;
    pprof_graph *g = build(p, &o);
    size_t xs = 0;
    if (g) {
        for (size_t i = 0; i < g->n_nodes; i++)
            xs += strcmp(node_name(g, i), "x") == 0;
        CHECK_INT(g->n_nodes, 6); /* main, a, b, x under a, x under b, y */
    }
    CHECK_INT(xs, 2);
    pprof_graph_free(g);
    o.nodefraction = 0.05; /* 5% of 151: the paths through b go */
    g = build(p, &o);
    xs = 0;
    if (g) {
        for (size_t i = 0; i < g->n_nodes; i++) {
            xs += strcmp(node_name(g, i), "x") == 0;
            CHECK(strcmp(node_name(g, i), "b") != 0);
        }
        CHECK_INT(g->n_nodes, 4);
        CHECK_INT(g->dropped_nodes, 2);
    }
    CHECK_INT(xs, 1);
    pprof_graph_free(g);
    pprof_profile_free(p);
}

static int64_t flat_of(const pprof_profile *p, const char *name)
{
    int64_t sum = 0;
    for (size_t i = 0; i < p->n_samples; i++) {
        const pprof_sample *s = &p->samples[i];
        if (!s->n_locs)
            continue;
        const pprof_location *l = &p->locations[pprof_sample_locs(p, s)[0]];
        if (strcmp(pprof_string(p, p->functions[p->lines[l->lines_off].function].name), name) == 0)
            sum += pprof_sample_values(p, i)[0];
    }
    return sum;
}

static pprof_profile *filter_profile(void)
{
    pprof_profile *p = new_profile();
    add(p, "x;a;main", 100);
    add(p, "x;b;main", 10);
    add(p, "y;b;main", 1);
    return p;
}

static void test_filters(void)
{
    pprof_error err;
    pprof_filter_result r;
    /* focus: only samples through a matching frame. */
    pprof_profile *p = filter_profile();
    pprof_filter_options f = {.focus = "^a$"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.focus_matched);
    CHECK_INT(p->n_samples, 1);
    CHECK_INT(flat_of(p, "x"), 100);
    pprof_profile_free(p);
    /* ignore: drops them. */
    p = filter_profile();
    f = (pprof_filter_options){.ignore = "^a$"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.ignore_matched);
    CHECK_INT(p->n_samples, 2);
    CHECK_INT(flat_of(p, "x"), 10);
    pprof_profile_free(p);
    /* hide: removes the frames, keeping the samples (x's value moves to its caller). */
    p = filter_profile();
    f = (pprof_filter_options){.hide = "^x$"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.hide_matched);
    CHECK_INT(p->n_samples, 3);
    CHECK_INT(flat_of(p, "x"), 0);
    CHECK_INT(flat_of(p, "a"), 100);
    CHECK_INT(flat_of(p, "b"), 10);
    CHECK_INT(flat_of(p, "y"), 1);
    pprof_profile_free(p);
    /* show: keeps only matching frames. */
    p = filter_profile();
    f = (pprof_filter_options){.show = "^(main|y)$"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.show_matched);
    CHECK_INT(flat_of(p, "y"), 1);
    CHECK_INT(flat_of(p, "main"), 110);
    pprof_profile_free(p);
    /* A focus that matches nothing says so and leaves no sample. */
    p = filter_profile();
    f = (pprof_filter_options){.focus = "nothing"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(!r.focus_matched);
    CHECK_INT(p->n_samples, 0);
    pprof_profile_free(p);
    /* A bad regexp: its own code and Go's message, naming the option. */
    p = filter_profile();
    f = (pprof_filter_options){.ignore = "("};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), PPROF_EREGEXP);
    CHECK_STR(err.msg, "parsing argument regexp ignore: error parsing regexp: missing closing ): `(`");
    pprof_profile_free(p);
}

/* The name of sample i's root (outermost) frame, "" without frames. */
static const char *root_of(const pprof_profile *p, size_t i)
{
    const pprof_sample *s = &p->samples[i];
    if (!s->n_locs)
        return "";
    const pprof_location *l = &p->locations[pprof_sample_locs(p, s)[s->n_locs - 1]];
    return pprof_string(p, p->functions[p->lines[l->lines_off].function].name);
}

/* The tag filters' profile: x (100) with endpoint=/export and size 4096
 * bytes, y (10) with endpoint=/search and size 64 bytes, both from main. */
static pprof_profile *endpoint_profile(void)
{
    pprof_profile *p = new_profile();
    pprof_label x[2] = {{.key = S(p, "endpoint"), .str = S(p, "/export")},
                        {.key = S(p, "size"), .num = 4096, .num_unit = S(p, "bytes")}};
    pprof_label y[2] = {{.key = S(p, "endpoint"), .str = S(p, "/search")},
                        {.key = S(p, "size"), .num = 64, .num_unit = S(p, "bytes")}};
    add_sample(p, "x;main", 100, x, 2);
    add_sample(p, "y;main", 10, y, 2);
    return p;
}

/* show_from, prune_from and the tag filters. */
static void test_filters_from_and_tags(void)
{
    pprof_error err;
    pprof_filter_result r;
    /* show_from: the frames from the matching one down to the leaf; samples
     * without it go. */
    pprof_profile *p = filter_profile();
    pprof_filter_options f = {.show_from = "^a$"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.show_from_matched);
    CHECK_INT(p->n_samples, 1);
    if (p->n_samples == 1) {
        CHECK_STR(root_of(p, 0), "a");
        CHECK_INT(p->samples[0].n_locs, 2);
    }
    CHECK_INT(flat_of(p, "x"), 100);
    pprof_profile_free(p);
    /* prune_from: the frames below the matching one go; its sample stays,
     * its value now a's own. */
    p = filter_profile();
    f = (pprof_filter_options){.prune_from = "^a$"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK_INT(p->n_samples, 3);
    CHECK_INT(flat_of(p, "a"), 100);
    CHECK_INT(flat_of(p, "x"), 10);
    CHECK_INT(flat_of(p, "y"), 1);
    pprof_profile_free(p);
    /* tagfocus / tagignore on a string label, and on a numeric range. */
    p = endpoint_profile();
    f = (pprof_filter_options){.tagfocus = "endpoint=/export"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.tagfocus_matched);
    CHECK_INT(flat_of(p, "x"), 100);
    CHECK_INT(flat_of(p, "y"), 0);
    pprof_profile_free(p);
    p = endpoint_profile();
    f = (pprof_filter_options){.tagignore = "endpoint=/export"};
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.tagignore_matched);
    CHECK_INT(flat_of(p, "x"), 0);
    CHECK_INT(flat_of(p, "y"), 10);
    pprof_profile_free(p);
    p = endpoint_profile();
    f = (pprof_filter_options){.tagfocus = "1kb:"}; /* 1 KiB and more */
    CHECK_INT(pprof_profile_filter(p, &f, &r, &err), 0);
    CHECK(r.tagfocus_matched && r.tagfocus_numeric);
    CHECK_INT(flat_of(p, "x"), 100);
    CHECK_INT(flat_of(p, "y"), 0);
    pprof_profile_free(p);
}

/* Node identity: one node per function, file or line; -noinlines keeps only
 * the outermost line of a location. */
static void test_nodemap(void)
{
    pprof_profile *p = new_profile();
    pprof_str file = S(p, "same.c");
    uint32_t fa, fb, loc;
    pprof_function a = {.id = 1, .name = S(p, "a"), .filename = file};
    pprof_function b = {.id = 2, .name = S(p, "b"), .filename = file};
    pprof_profile_add_function(&fa, p, &a);
    pprof_profile_add_function(&fb, p, &b);
    /* One location where a is inlined into b, and one more line of a. */
    pprof_line lines[2] = {{.function = fa, .line = 3}, {.function = fb, .line = 7}};
    pprof_location l = {.id = 1, .address = 0x10, .mapping = PPROF_NONE};
    pprof_profile_add_location(&loc, p, &l, lines, 2);
    pprof_line other = {.function = fa, .line = 4};
    pprof_location l2 = {.id = 2, .address = 0x20, .mapping = PPROF_NONE};
    pprof_profile_add_location(&loc, p, &l2, &other, 1);

    pprof_graph_options o = graph_options();
    pprof_nodemap *m = NULL;
    pprof_error err;
    static const struct {
        pprof_granularity gran;
        bool noinlines;
        size_t nodes, first_loc_nodes;
    } cases[] = {
        {PPROF_GRAN_FUNCTIONS, false, 2, 2},
        {PPROF_GRAN_FILES, false, 1, 2},
        {PPROF_GRAN_LINES, false, 3, 2},
        {PPROF_GRAN_ADDRESSES, false, 3, 2},
        {PPROF_GRAN_FUNCTIONS, true, 2, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        o.granularity = cases[i].gran;
        o.noinlines = cases[i].noinlines;
        CHECK_INT(pprof_nodemap_build(&m, p, &o, &err), 0);
        if (!m)
            continue;
        CHECK_INT(m->n_nodes, cases[i].nodes);
        CHECK_INT(m->loc_off[1] - m->loc_off[0], cases[i].first_loc_nodes);
        pprof_nodemap_free(m);
        m = NULL;
    }
    /* Names: at line granularity "a same.c:3", innermost first. */
    o.granularity = PPROF_GRAN_LINES;
    o.noinlines = false;
    CHECK_INT(pprof_nodemap_build(&m, p, &o, &err), 0);
    if (m) {
        pprof_buf nb = {0};
        CHECK_INT(pprof_nodemap_name(&nb, m, m->loc_nodes[m->loc_off[0]]), 0);
        pprof_buf_append(&nb, "", 1);
        CHECK_STR((const char *)nb.data, "a same.c:3");
        pprof_buf_release(&nb);
    }
    pprof_nodemap_free(m);
    m = NULL;
    /* Line numbers of every size and sign, and columns when kept, as Go
     * prints an int64 (%d). */
    static const struct {
        int64_t line, column;
        const char *want;
    } nums[] = {
        {9, 0, "b same.c:9"},
        {1234567890123, 0, "b same.c:1234567890123"},
        {-5, 0, "b same.c:-5"},
        {INT64_MIN, 0, "b same.c:-9223372036854775808"},
        {INT64_MAX, 7, "b same.c:9223372036854775807:7"},
        {42, -1, "b same.c:42:-1"},
        {10, 100, "b same.c:10:100"},
    };
    o.showcolumns = true;
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        pprof_line ln = {.function = fb, .line = nums[i].line, .column = nums[i].column};
        pprof_location li = {.id = 10 + i, .address = 0x100 + i, .mapping = PPROF_NONE};
        pprof_profile_add_location(&loc, p, &li, &ln, 1);
        CHECK_INT(pprof_nodemap_build(&m, p, &o, &err), 0);
        if (m) {
            pprof_buf nb = {0};
            CHECK_INT(pprof_nodemap_name(&nb, m, m->loc_nodes[m->loc_off[loc]]), 0);
            pprof_buf_append(&nb, "", 1);
            CHECK_STR((const char *)nb.data, nums[i].want);
            pprof_buf_release(&nb);
        }
        pprof_nodemap_free(m);
        m = NULL;
    }
    pprof_nodemap_free(NULL);
    pprof_profile_free(p);
}

/* -normalize: each sample type scaled to sum as in the base. */
/* At function granularity a line's node is its function's name alone (one
 * node per name, looked up once per function), and a nameless function's
 * is its binary: many functions, some sharing a name, some nameless, in
 * locations of two binaries with up to three lines. Each line's node is
 * checked against its function, and nodes against each other. */
static void test_nodemap_functions(void)
{
    /* (all_named: every function named, the nodemap's per-function path
     * without the general loop; nodes numbered in first-seen order either way) */
    for (int all_named = 0; all_named < 2; all_named++) {
        pprof_profile *p = new_profile();
        uint32_t maps[2];
        for (int i = 0; i < 2; i++) {
            char file[32];
            snprintf(file, sizeof file, "/bin/prog%d", i);
            pprof_mapping mp = {.id = (uint64_t)i + 1, .start = 0x1000, .limit = 0x100000, .file = S(p, file)};
            CHECK_INT(pprof_profile_add_mapping(&maps[i], p, &mp), 0);
        }
        enum { NF = 300, NL = 2000 };
        uint64_t x = 17;
        for (int i = 0; i < NF; i++) {
            char name[32];
            snprintf(name, sizeof name, "g%d", i % 200); /* a third share a name */
            bool nameless = !all_named && i % 10 == 3;
            pprof_function f = {.id = (uint64_t)i + 1, .name = nameless ? 0 : S(p, name), .filename = S(p, "g.c"),
                                .start_line = nameless ? 0 : i};
            uint32_t fi;
            CHECK_INT(pprof_profile_add_function(&fi, p, &f), 0);
        }
        for (int i = 0; i < NL; i++) {
            pprof_line ln[3];
            size_t n = 1 + (size_t)(unit_rng(&x) % 3);
            for (size_t k = 0; k < n; k++)
                ln[k] = (pprof_line){.function = (uint32_t)(unit_rng(&x) % NF), .line = 1 + (int64_t)(unit_rng(&x) % 9)};
            pprof_location l = {.id = (uint64_t)i + 1, .address = 0x2000 + 16 * (uint64_t)i, .mapping = maps[i % 2]};
            uint32_t li;
            CHECK_INT(pprof_profile_add_location(&li, p, &l, ln, n), 0);
        }
        pprof_graph_options o = graph_options();
        o.granularity = PPROF_GRAN_FUNCTIONS;
        pprof_nodemap *m = NULL;
        pprof_error err;
        CHECK_INT(pprof_nodemap_build(&m, p, &o, &err), 0);
        size_t bad = 0, nameless = 0, want = 0, misnumbered = 0;
        /* per name (or binary, for the nameless) its node number + 1 */
        uint32_t *named = calloc(p->n_strings, sizeof *named), bin[2] = {0, 0};
        for (size_t L = 0; m && named && L < p->n_locations; L++) {
            const pprof_location *loc = &p->locations[L];
            CHECK_INT(m->loc_off[L + 1] - m->loc_off[L], loc->n_lines);
            for (uint32_t k = 0; k < loc->n_lines && k < m->loc_off[L + 1] - m->loc_off[L]; k++) {
                const pprof_function *fn = &p->functions[p->lines[loc->lines_off + k].function];
                uint32_t node = m->loc_nodes[m->loc_off[L] + k];
                const pprof_node_info *ni = &m->nodes[node];
                /* the name alone, or for the nameless the binary and start line */
                pprof_node_info want_ni = {.name = fn->name};
                if (!fn->name) {
                    want_ni.objfile = p->mappings[loc->mapping].file;
                    want_ni.start_line = fn->start_line;
                }
                bad += memcmp(ni, &want_ni, sizeof want_ni) != 0;
                nameless += fn->name == 0;
                uint32_t *seen = fn->name ? &named[fn->name] : &bin[L % 2];
                if (!*seen)
                    *seen = (uint32_t)++want;
                misnumbered += node + 1 != *seen;
            }
        }
        CHECK_INT(bad, 0);
        CHECK_INT(misnumbered, 0);
        CHECK(all_named ? nameless == 0 : nameless > 0);
        /* one node per name, one per binary for the nameless (start line 0) */
        for (size_t i = 0; m && i < m->n_nodes; i++)
            for (size_t j = i + 1; j < m->n_nodes; j++)
                bad += m->nodes[i].name == m->nodes[j].name && m->nodes[i].objfile == m->nodes[j].objfile;
        CHECK_INT(bad, 0);
        CHECK_INT(m ? m->n_nodes : 0, want);
        /* -noinlines: the outermost line's node alone */
        pprof_nodemap_free(m);
        m = NULL;
        o.noinlines = true;
        CHECK_INT(pprof_nodemap_build(&m, p, &o, &err), 0);
        for (size_t L = 0; m && L < p->n_locations; L++) {
            const pprof_location *loc = &p->locations[L];
            const pprof_function *fn = &p->functions[p->lines[loc->lines_off + loc->n_lines - 1].function];
            bad += m->loc_off[L + 1] - m->loc_off[L] != 1 || m->nodes[m->loc_nodes[m->loc_off[L]]].name != fn->name;
        }
        CHECK(m != NULL);
        CHECK_INT(bad, 0);
        free(named);
        pprof_nodemap_free(m);
        pprof_profile_free(p);
    }
}

static void test_normalize(void)
{
    pprof_profile *p = new_profile();
    add(p, "a", 10);
    add(p, "b", 30);
    pprof_profile *base = new_profile();
    add(base, "a", 50);
    add(base, "c", 30);
    pprof_error err;
    CHECK_INT(pprof_profile_normalize(p, base, &err), 0);
    CHECK_INT(flat_of(p, "a"), 20);
    CHECK_INT(flat_of(p, "b"), 60);
    CHECK_INT(pprof_profile_total(p, 0, false, NULL), 80);
    /* The base is not changed. */
    CHECK_INT(pprof_profile_total(base, 0, false, NULL), 80);
    pprof_profile_free(base);
    /* An empty base scales by 0, as pprof does: every sample goes. */
    base = new_profile();
    CHECK_INT(pprof_profile_normalize(p, base, &err), 0);
    CHECK_INT(pprof_profile_total(p, 0, false, NULL), 0);
    CHECK_INT(p->n_samples, 0);
    pprof_profile_free(base);
    pprof_profile_free(p);
}

/* edges_of: the graph holds only the edges into or out of the matching
 * nodes, each as the full graph has it, in the full graph's order, and
 * only the nodes at their ends. */
static void test_edges_of(void)
{
    pprof_profile *p = new_profile();
    add(p, "c;b;a", 5);
    add(p, "d;b;a", 3);
    add(p, "b;e", 2);
    add(p, "x;y", 1);
    add(p, "b;b;a", 4); /* recursion: no self edge */
    pprof_graph_options o = graph_options();
    pprof_graph *full = build(p, &o);
    pprof_regex *re = NULL;
    pprof_error err;
    CHECK_INT(pprof_regex_compile(&re, "^b$", 3, &err), 0);
    o.edges_of = re;
    pprof_graph *some = build(p, &o);
    if (full && some) {
        CHECK_INT(some->n_nodes, 5); /* b, then the other ends of its edges: a, c, d, e (not x, y) */
        for (size_t i = 0; i < some->n_nodes; i++)
            CHECK(node_name(some, i)[0] != 'x' && node_name(some, i)[0] != 'y');
        size_t want = 0, k = 0;
        for (size_t i = 0; i < full->n_edges; i++) {
            const pprof_edge *e = &full->edges[i];
            bool of_b = strcmp(node_name(full, e->src), "b") == 0 || strcmp(node_name(full, e->dst), "b") == 0;
            if (!of_b)
                continue;
            want++;
            if (k < some->n_edges) {
                const pprof_edge *f = &some->edges[k++];
                CHECK_STR(node_name(some, f->src), node_name(full, e->src));
                CHECK_STR(node_name(some, f->dst), node_name(full, e->dst));
                CHECK_INT(f->weight, e->weight);
                CHECK(f->residual == e->residual && f->is_inline == e->is_inline);
            }
        }
        CHECK_INT(want, 4); /* a->b, b->c, b->d, e->b */
        CHECK_INT(some->n_edges, want);
        CHECK(full->n_edges > want);
    }
    /* With an edge cutoff every edge is needed (dropped ones are counted). */
    o.edgefraction = 0.001;
    pprof_graph *cut = build(p, &o);
    if (cut && full)
        CHECK_INT(cut->n_edges, full->n_edges);
    pprof_graph_free(cut);
    pprof_graph_free(some);
    pprof_graph_free(full);
    pprof_regex_free(re);
    pprof_profile_free(p);
}

static bool starts_b(const pprof_graph *g, size_t i)
{
    return node_name(g, i)[0] == 'b';
}

/* edges_of with no nodecount: the graph's matching nodes come first, in
 * the full graph's order (matched_first); after them only the other ends
 * of their edges, with the values the full graph gives them; all_flat and
 * all_min are the full graph's flat sum and least value; a matching node
 * with no value is in no list; every edge touches a matching node. The
 * same through the profile's stack index (its call tree). With a
 * nodecount, every node is sorted as before. */
static void test_edges_of_matched(void)
{
    for (int indexed = 0; indexed < 2; indexed++) {
        pprof_profile *p = new_profile();
        add(p, "b1;a", 5);
        add(p, "c;b2;a", 7);
        add(p, "d;a", 9);
        add(p, "b1;e", 2);
        add(p, "b3;a", 0); /* b3: no value */
        add(p, "x;b2", 3);
        add(p, "y;a", 5);
        pprof_error err;
        if (indexed)
            CHECK_INT(pprof_profile_index(p, &err), 0);
        pprof_graph_options o = graph_options();
        pprof_graph *full = build(p, &o);
        pprof_regex *re = NULL;
        CHECK_INT(pprof_regex_compile(&re, "^b", 2, &err), 0);
        o.edges_of = re;
        pprof_graph *some = build(p, &o);
        o.nodecount = 4;
        pprof_graph *four = build(p, &o);
        if (full && some && four) {
            CHECK(some->matched_first && !full->matched_first && !four->matched_first);
            CHECK_INT(some->n_nodes, 6); /* b1, b2, then a, c, e, x: not d, y */
            int64_t flat_sum = 0, least = 0;
            for (size_t i = 0; i < full->n_nodes; i++) {
                const pprof_node *n = &full->nodes[i];
                flat_sum += n->flat;
                int64_t v = n->flat ? n->flat : n->cum;
                if (v > 0 && (least == 0 || v < least))
                    least = v;
                for (size_t k = some->n_matched; k < some->n_nodes; k++)
                    if (strcmp(node_name(some, k), node_name(full, i)) == 0)
                        CHECK(some->nodes[k].flat == n->flat && some->nodes[k].cum == n->cum);
            }
            CHECK_INT(some->all_flat, flat_sum);
            CHECK_INT(some->all_flat, 31);
            CHECK_INT(some->all_min, least);
            CHECK_INT(some->all_min, 2); /* e's cum (b1;e: 2) */
            for (size_t i = some->n_matched; i < some->n_nodes; i++) {
                bool end = false;
                for (size_t k = 0; k < some->n_edges; k++)
                    end |= some->edges[k].src == i || some->edges[k].dst == i;
                CHECK(end);
            }
            size_t k = 0;
            for (size_t i = 0; i < full->n_nodes; i++) {
                if (!starts_b(full, i))
                    continue;
                CHECK(k < some->n_matched && strcmp(node_name(some, k), node_name(full, i)) == 0);
                k++;
            }
            CHECK_INT(k, 2); /* b1 (flat 7), then b2 (flat 0); not b3 */
            CHECK_INT(some->n_matched, k);
            if (some->n_matched == 2)
                CHECK(strcmp(node_name(some, 0), "b1") == 0 && strcmp(node_name(some, 1), "b2") == 0);
            for (size_t i = some->n_matched; i < some->n_nodes; i++)
                CHECK(!starts_b(some, i));
            for (size_t i = 0; i < some->n_edges; i++)
                CHECK(starts_b(some, some->edges[i].src) || starts_b(some, some->edges[i].dst));
            CHECK_INT(some->n_edges, 5); /* a->b1, e->b1, a->b2, b2->c, b2->x */
            /* Selected by nodecount: the full order's first four. */
            CHECK_INT(four->n_nodes, 4);
            for (size_t i = 0; i < four->n_nodes && i < full->n_nodes; i++)
                CHECK_STR(node_name(four, i), node_name(full, i));
        }
        pprof_graph_free(four);
        pprof_graph_free(some);
        pprof_graph_free(full);
        pprof_regex_free(re);
        pprof_profile_free(p);
    }
}

/* A random profile for the edge passes: nf functions in three files,
 * nl locations of one to three lines (the inner ones inlined; only every
 * inline_every-th location has more than one), ns samples of 1 to depth
 * frames drawn from them (so some recur in a stack), values mostly
 * positive, none 0 when nonzero (an index of the profile is then usable:
 * graphs of its indexed copy walk the index's call tree). */
static pprof_profile *random_profile(uint64_t seed, int nf, int nl, int ns, int depth, int inline_every,
                                     bool nonzero)
{
    pprof_profile *p = new_profile();
    uint64_t x = seed;
    for (int i = 0; i < nf; i++) {
        char name[32], file[32];
        snprintf(name, sizeof name, "f%d", i);
        snprintf(file, sizeof file, "file%d.c", i % 3);
        pprof_function f = {.id = (uint64_t)i + 1, .name = S(p, name), .system_name = S(p, name),
                            .filename = S(p, file), .start_line = 1};
        uint32_t fi;
        pprof_profile_add_function(&fi, p, &f);
    }
    for (int i = 0; i < nl; i++) {
        pprof_line ln[3];
        size_t n = 1 + (size_t)(unit_rng(&x) % 3);
        if (i % inline_every != 0)
            n = 1;
        for (size_t k = 0; k < n; k++)
            ln[k] = (pprof_line){.function = (uint32_t)(unit_rng(&x) % (uint64_t)nf),
                                 .line = 1 + (int64_t)(unit_rng(&x) % 4)};
        pprof_location l = {.id = (uint64_t)i + 1, .address = 0x1000 + 16 * (uint64_t)(i / 2),
                            .mapping = PPROF_NONE};
        uint32_t li;
        pprof_profile_add_location(&li, p, &l, ln, n);
    }
    uint32_t locs[256];
    for (int s = 0; s < ns; s++) {
        size_t n = 1 + (size_t)(unit_rng(&x) % (uint64_t)depth);
        for (size_t k = 0; k < n; k++)
            locs[k] = (uint32_t)(unit_rng(&x) % (uint64_t)nl);
        int64_t v = unit_rng(&x) % 16 == 0 ? -(int64_t)(unit_rng(&x) % 50) : (int64_t)(unit_rng(&x) % 100);
        if (nonzero && v == 0)
            v = 1;
        CHECK_INT(pprof_profile_add_sample(p, locs, n, &v, NULL, 0), 0);
    }
    return p;
}

/* Whether two graphs have the same nodes (text, flat, cum) and the same
 * edges in the same order (ends, weight, residual, inline). */
static bool same_graph(const pprof_graph *a, const pprof_graph *b)
{
    if (!a || !b || a->n_nodes != b->n_nodes || a->n_edges != b->n_edges)
        return false;
    pprof_buf ta = {0}, tb = {0};
    bool same = true;
    for (size_t i = 0; i < a->n_nodes && same; i++) {
        ta.len = tb.len = 0;
        pprof_node_text(&ta, a, &a->nodes[i]);
        pprof_node_text(&tb, b, &b->nodes[i]);
        same = ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0 &&
               a->nodes[i].flat == b->nodes[i].flat && a->nodes[i].cum == b->nodes[i].cum;
    }
    for (size_t i = 0; i < a->n_edges && same; i++) {
        const pprof_edge *x = &a->edges[i], *y = &b->edges[i];
        same = x->src == y->src && x->dst == y->dst && x->weight == y->weight && x->residual == y->residual &&
               x->is_inline == y->is_inline;
    }
    pprof_buf_release(&ta);
    pprof_buf_release(&tb);
    return same;
}

/* -top's mark of node i: 1 "(inline)", 2 "(partial-inline)", 0 none. */
static int inline_mark(const pprof_graph *g, size_t i)
{
    bool inl = false, noinl = false;
    for (uint32_t k = 0; k < g->nodes[i].n_in; k++) {
        if (g->edges[g->in_edges[g->nodes[i].in_off + k]].is_inline)
            inl = true;
        else
            noinl = true;
    }
    return inl ? (noinl ? 2 : 1) : 0;
}

/* The sample walk of the edge pass (one thread, or two for a big profile)
 * makes the edges the walk over the stack index's call tree makes, at
 * every granularity, with inline frames or without, trimmed or not, all
 * edges or only those into nodes seen inlined (-top's): the same ends,
 * weights, residual and inline marks, in the same order; and -top's
 * "(inline)" marks from the inline-only edges are those all edges give.
 * The big profiles have enough location references for the passes' two
 * threads; in the last two, few locations have inlined lines, so that
 * the inline-only pass walks only the frames that can make an edge (-top's
 * sparse walk, checked against the call tree's). */
static void test_edge_walks(void)
{
    static const pprof_granularity grans[] = {PPROF_GRAN_FUNCTIONS, PPROF_GRAN_FILES, PPROF_GRAN_LINES,
                                              PPROF_GRAN_ADDRESSES};
    for (int shape = 0; shape < 4; shape++) {
        bool big = shape == 1 || shape == 2;
        pprof_profile *p = shape == 3 ? random_profile(5, 200, 400, 3000, 6, 4, true)
                           : shape == 2 ? random_profile(11, 300, 900, 27000, 40, 12, true)
                           : shape == 1 ? random_profile(7, 300, 900, 27000, 40, 1, false)
                                        : random_profile(3, 14, 60, 600, 12, 1, false);
        pprof_profile *q = NULL;
        pprof_error err;
        CHECK_INT(pprof_profile_copy(&q, p), 0);
        if (!q) {
            pprof_profile_free(p);
            return;
        }
        CHECK_INT(pprof_profile_index(q, &err), 0);
        size_t runs = 0, differ = 0, inline_edges = 0, residual_edges = 0, marked = 0;
        for (size_t gi = 0; gi < sizeof grans / sizeof grans[0]; gi++) {
            for (int variant = 0; variant < 16; variant++) {
                if (big && variant % 5 != 0) /* (0, 5, 10, 15: each option on and off, in a second) */
                    continue;
                pprof_graph_options o = graph_options();
                o.granularity = grans[gi];
                o.noinlines = variant & 1;
                o.nodecount = variant & 2 ? 8 : 0;
                o.nodefraction = variant & 4 ? 0.02 : 0;
                o.inline_edges_only = variant & 8;
                pprof_graph *a = build(p, &o), *c = build(q, &o);
                o.single_threaded = true;
                pprof_graph *one = build(p, &o);
                runs++;
                differ += !same_graph(a, c) || !same_graph(a, one);
                /* The inline-only edges mark the nodes as all of them do. */
                o.single_threaded = false;
                o.inline_edges_only = !o.inline_edges_only;
                pprof_graph *other = build(p, &o);
                bool same_marks = a && other && a->n_nodes == other->n_nodes;
                for (size_t i = 0; same_marks && i < a->n_nodes; i++) {
                    int m = inline_mark(a, i);
                    same_marks = m == inline_mark(other, i);
                    marked += m != 0;
                }
                differ += !same_marks;
                pprof_graph_free(other);
                for (size_t i = 0; a && i < a->n_edges; i++) {
                    inline_edges += a->edges[i].is_inline;
                    residual_edges += a->edges[i].residual;
                }
                pprof_graph_free(a);
                pprof_graph_free(c);
                pprof_graph_free(one);
            }
        }
        CHECK_INT(differ, 0);
        CHECK_INT(runs, big ? 16 : 64);
        CHECK(inline_edges > 0 && residual_edges > 0 && marked > 0); /* (the cases the walk tells apart) */
        pprof_profile_free(q);
        pprof_profile_free(p);
    }
}

/* The edge passes' bit counts (hardware and software, and as the edge
 * walk asks for them, with the processor's answer passed in) against a count
 * bit by bit, over single bits, masks below each bit (as the passes' ranks
 * take them) and random words. */
static void test_popcount(void)
{
    uint64_t x = 12345, bad = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t v = i < 64 ? (uint64_t)1 << i : i < 128 ? ((uint64_t)1 << (i - 64)) - 1 : unit_rng(&x);
        if (i % 3 == 0 && i >= 128)
            v &= unit_rng(&x); /* (sparser words too) */
        uint32_t want = 0;
        for (int k = 0; k < 64; k++)
            want += (uint32_t)(v >> k & 1);
        bad += graph_popcount64(v) != want;
        bad += graph_popcount64_soft(v) != want;
        bad += graph_popcount64_as(v, graph_have_popcnt()) != want; /* (the edge walk's two copies) */
        bad += graph_popcount64_as(v, false) != want;
    }
    CHECK_INT((int)bad, 0);
    CHECK_INT((int)graph_popcount64(~(uint64_t)0), 64);
    CHECK_INT((int)graph_popcount64_soft(~(uint64_t)0), 64);
}

/* The edges of an untrimmed graph at function granularity (every node
 * kept) against a walk of every sample's frames written here: an edge
 * per two consecutive different functions on a sample's path (root to
 * leaf, a location's lines outermost first), its weight counted once per
 * sample, inline when both are lines of one location (at a sample's first
 * occurrence, in every sample), never residual. The sample walk in one
 * thread and in two (the big profile), and over the index's call tree. */
typedef struct brute_edge {
    int64_t w;
    uint32_t stamp;
    bool seen, is_inline;
} brute_edge;

static size_t brute_edge_errors(const pprof_graph *g, const brute_edge *ref, size_t nf)
{
    size_t bad = 0, n_ref = 0;
    for (size_t e = 0; e < nf * nf; e++)
        n_ref += ref[e].seen;
    bad += g->n_edges != n_ref;
    for (size_t i = 0; i < g->n_edges; i++) {
        const pprof_edge *x = &g->edges[i];
        size_t src = (size_t)atoi(node_name(g, x->src) + 1), dst = (size_t)atoi(node_name(g, x->dst) + 1);
        const brute_edge *r = &ref[src * nf + dst];
        bad += !r->seen || r->w != x->weight || r->is_inline != x->is_inline || x->residual;
    }
    return bad;
}

/* Every edge of p's function graph with no node dropped, walked sample by
 * sample into ref (nf * nf, src * nf + dst); used marks the functions on
 * some sample. Returns how many are. */
static size_t brute_edges(brute_edge *ref, uint8_t *used, const pprof_profile *p, size_t nf)
{
    size_t n_used = 0;
    for (size_t s = 0; s < p->n_samples; s++) {
        const pprof_sample *sm = &p->samples[s];
        const uint32_t *locs = pprof_sample_locs(p, sm);
        int64_t v = p->values[s * p->n_sample_types];
        size_t prev = SIZE_MAX, prev_at = SIZE_MAX;
        for (size_t i = sm->n_locs; i-- > 0;) {
            const pprof_location *loc = &p->locations[locs[i]];
            for (uint32_t k = loc->n_lines; k-- > 0;) {
                size_t f = p->lines[loc->lines_off + k].function;
                n_used += !used[f];
                used[f] = 1;
                if (prev != SIZE_MAX && prev != f) {
                    brute_edge *r = &ref[prev * nf + f];
                    if (r->stamp != s + 1) {
                        bool inl = prev_at == i;
                        r->stamp = (uint32_t)s + 1;
                        r->w += v;
                        r->is_inline = r->seen ? r->is_inline && inl : inl;
                        r->seen = true;
                    }
                }
                prev = f;
                prev_at = i;
            }
        }
    }
    return n_used;
}

static void test_edges_brute(void)
{
    for (int shape = 0; shape < 2; shape++) {
        size_t nf = shape ? 300 : 14;
        pprof_profile *p = shape ? random_profile(11, 300, 900, 27000, 40, 3, true)
                                 : random_profile(3, 14, 60, 600, 12, 1, true);
        brute_edge *ref = calloc(nf * nf, sizeof *ref);
        uint8_t *used = calloc(nf, 1);
        size_t n_used = ref && used ? brute_edges(ref, used, p, nf) : 0;
        pprof_profile *q = NULL;
        pprof_error err;
        CHECK_INT(pprof_profile_copy(&q, p), 0);
        CHECK_INT(q ? pprof_profile_index(q, &err) : -1, 0);
        pprof_graph_options o = graph_options();
        o.granularity = PPROF_GRAN_FUNCTIONS;
        pprof_graph *a = build(p, &o), *c = q ? build(q, &o) : NULL;
        o.single_threaded = true;
        pprof_graph *one = build(p, &o);
        CHECK(a && c && one && ref && used);
        if (a && c && one && ref && used) {
            CHECK_INT(a->n_nodes, n_used); /* (no node's sum is 0: every one kept) */
            CHECK_INT(brute_edge_errors(a, ref, nf), 0);
            CHECK_INT(brute_edge_errors(one, ref, nf), 0);
            CHECK_INT(brute_edge_errors(c, ref, nf), 0);
            size_t inl = 0;
            for (size_t i = 0; i < a->n_edges; i++)
                inl += a->edges[i].is_inline;
            /* (both kinds checked: in the small profile every pair of
             * functions also meets across locations) */
            CHECK(inl < a->n_edges && (inl > 0 || !shape));
        }
        pprof_graph_free(a);
        pprof_graph_free(c);
        pprof_graph_free(one);
        free(ref);
        free(used);
        pprof_profile_free(q);
        pprof_profile_free(p);
    }
}

/* pprof's entropy score of function f (EntropyOrder) from the graph's
 * edges (ref, nf functions) and f's flat and cum, summed in function order. */
static int64_t brute_entropy(const brute_edge *ref, size_t nf, size_t f, int64_t flat, int64_t cum)
{
    int64_t tin = 0, tout = flat;
    size_t nin = 0, nout = 0;
    for (size_t o = 0; o < nf; o++) {
        const brute_edge *in = &ref[o * nf + f], *out = &ref[f * nf + o];
        nin += in->seen;
        nout += out->seen;
        tin += in->seen && in->w > 0 ? in->w : 0;
        tout += out->seen && out->w > 0 ? out->w : 0;
    }
    double hin = 0, hout = 0;
    for (size_t o = 0; o < nf; o++) {
        const brute_edge *in = &ref[o * nf + f], *out = &ref[f * nf + o];
        double x = in->w < 0 ? (double)-in->w : (double)in->w, y = out->w < 0 ? (double)-out->w : (double)out->w;
        if (in->seen && tin != 0) /* (an edge of weight 0 makes a NaN, as in pprof) */
            hin -= x / (double)tin * log2(x / (double)tin);
        if (out->seen && tout != 0)
            hout -= y / (double)tout * log2(y / (double)tout);
    }
    if (tout != 0 && flat > 0)
        hout -= (double)flat / (double)tout * log2((double)flat / (double)tout);
    double score = (nin ? hin : 1.0) + (nout ? hout : 1.0), v = score * (double)cum;
    /* Go's conversion (NaN and out of range: the smallest int64, which
     * sorts last) and wrapping addition */
    int64_t i = v >= -9223372036854775808.0 && v < 9223372036854775808.0 ? (int64_t)v : INT64_MIN;
    return (int64_t)((uint64_t)i + (uint64_t)flat);
}

/* A drawing's nodes in pprof's entropy order, against scores worked out
 * here from a walk of every sample: no node trimmed (nodefraction 0), so
 * the order is that of the whole graph. (Neighbours whose scores differ
 * by 1 may swap: the sums here add in another order.) */
static void test_entropy_brute(void)
{
    for (int shape = 0; shape < 2; shape++) {
        pprof_profile *p = shape ? random_profile(5, 300, 900, 20000, 30, 3, true)
                                 : random_profile(7, 14, 60, 600, 12, 1, true);
        size_t nf = p->n_functions;
        brute_edge *ref = calloc(nf * nf, sizeof *ref);
        uint8_t *used = calloc(nf, 1);
        if (ref && used)
            brute_edges(ref, used, p, nf);
        pprof_graph_options o = graph_options();
        o.granularity = PPROF_GRAN_FUNCTIONS;
        o.visual = true;
        pprof_graph *g = build(p, &o);
        CHECK(g && ref && used);
        if (g && ref && used) {
            CHECK(g->n_nodes > nf / 2);
            size_t bad = 0;
            int64_t before = INT64_MAX;
            for (size_t i = 0; i < g->n_nodes; i++) {
                const pprof_node *n = &g->nodes[i];
                int64_t v = brute_entropy(ref, nf, (size_t)atoi(node_name(g, i) + 1), n->flat, n->cum);
                v = v == INT64_MIN ? -1 : v < 0 ? -v : v;
                bad += v > before && v - before > 1;
                before = v;
            }
            CHECK_INT(bad, 0);
        }
        pprof_graph_free(g);
        free(ref);
        free(used);
        pprof_profile_free(p);
    }
}

/* An edge out of a hidden node (h and x: their samples cancel out)
 * counts at its other end: g's only in-edge makes its in-entropy 0, not
 * the 1 of an entry node, so g (score 1 * 10 + 10) and m (-20) come after
 * k (2 * 8 + 8), not before it (30 each). */
static void test_entropy_hidden(void)
{
    pprof_profile *p = new_profile();
    add(p, "g;h;x", 10);
    add(p, "m;h;x", -10);
    add(p, "k", 8);
    pprof_graph_options o = graph_options();
    o.visual = true;
    pprof_graph *g = build(p, &o);
    CHECK(g && g->n_nodes == 3 && g->n_hidden == 2);
    if (g && g->n_nodes == 3) {
        CHECK_STR(node_name(g, 0), "k");
        CHECK_STR(node_name(g, 1), "g");
        CHECK_STR(node_name(g, 2), "m");
    }
    pprof_graph_free(g);
    pprof_profile_free(p);
}

/* ---------------------------------------------------------------- tags, every path */

/* A random profile for the tag paths: nf functions, nl locations (a fifth
 * with a second, inlined, line), ns samples of depth 1..14 (recursion
 * included), two value types (count, cpu; none 0: the index stands for
 * both); a third of the
 * samples unlabelled, the others with a "span" value of nv, often a "pod"
 * one, often a "bytes" number. */
static pprof_profile *tag_profile(uint64_t seed, int nf, int nl, int ns, int nv)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    uint64_t r = seed;
    for (int i = 0; i < nf; i++) {
        char name[32], file[32];
        snprintf(name, sizeof name, "f%d", i);
        snprintf(file, sizeof file, "f%d.c", i);
        pprof_function f = {.id = (uint64_t)i + 1, .name = S(p, name), .system_name = S(p, name),
                            .filename = S(p, file), .start_line = 1};
        uint32_t fi;
        pprof_profile_add_function(&fi, p, &f);
    }
    for (int i = 0; i < nl; i++) {
        pprof_line ln[2] = {{.function = (uint32_t)(unit_rng(&r) % (uint64_t)nf), .line = 10 + i % 7},
                            {.function = (uint32_t)(unit_rng(&r) % (uint64_t)nf), .line = 20}};
        pprof_location l = {.id = (uint64_t)i + 1, .address = 0x1000 + 16 * (uint64_t)i, .mapping = PPROF_NONE};
        uint32_t li;
        pprof_profile_add_location(&li, p, &l, ln, i % 5 == 0 ? 2 : 1);
    }
    pprof_str span = S(p, "span"), pod = S(p, "pod"), bytes = S(p, "bytes");
    for (int s = 0; s < ns; s++) {
        uint32_t locs[14];
        size_t n = 1 + unit_rng(&r) % 14;
        for (size_t i = 0; i < n; i++) /* the stacks share their roots, as real ones do */
            locs[i] = (uint32_t)(i + 1 == n ? 0 : i + 2 >= n ? unit_rng(&r) % 8 : unit_rng(&r) % (uint64_t)nl);
        int64_t v[2] = {1 + (int64_t)(unit_rng(&r) % 3), 1 + (int64_t)(unit_rng(&r) % 1000)};
        pprof_label ls[3];
        size_t nls = 0;
        if (unit_rng(&r) % 3) {
            char val[32];
            snprintf(val, sizeof val, "v%d", (int)(unit_rng(&r) % (uint64_t)nv));
            ls[nls++] = (pprof_label){.key = span, .str = S(p, val)};
            if (unit_rng(&r) % 2) {
                snprintf(val, sizeof val, "p%d", (int)(unit_rng(&r) % 4));
                ls[nls++] = (pprof_label){.key = pod, .str = S(p, val)};
            }
            if (unit_rng(&r) % 2)
                ls[nls++] = (pprof_label){.key = bytes, .num = 64 << (unit_rng(&r) % 4)};
        }
        CHECK_INT(pprof_profile_add_sample(p, locs, n, v, ls, nls), 0);
    }
    return p;
}

/* The label set text of sample s ("key:value" sorted, '\n'-joined). */
static void set_text(char *out, size_t size, const pprof_profile *p, const pprof_sample *sm)
{
    const pprof_label *ls = pprof_sample_labels(p, sm);
    char parts[3][64];
    size_t n = 0;
    for (uint32_t i = 0; i < sm->n_labels && n < 3; i++)
        if (ls[i].str)
            snprintf(parts[n++], sizeof parts[0], "%s:%s", pprof_string(p, ls[i].key), pprof_string(p, ls[i].str));
    for (size_t i = 1; i < n; i++) /* (at most 3: insertion sort) */
        for (size_t j = i; j > 0 && strcmp(parts[j - 1], parts[j]) > 0; j--) {
            char t[64];
            memcpy(t, parts[j], sizeof t);
            memcpy(parts[j], parts[j - 1], sizeof t);
            memcpy(parts[j - 1], t, sizeof t);
        }
    out[0] = 0;
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "\n" : "", parts[i]);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks the label tags of g's nodes against a count over p's samples
 * (functions named "f<number>", nf of them): node x's tag for set S has
 * cum the sum of the samples with set S whose stack holds x (once), flat
 * of those whose leaf-most line is x's; a tag is there when either
 * reaches the node cutoff. Returns the tags seen. */
static size_t check_tags_by_count(const pprof_graph *g, const pprof_profile *p, int si, int nf)
{
    size_t ns = p->n_samples, seen = 0, nsets = 0;
    char **text = calloc(ns ? ns : 1, sizeof *text), **sets = calloc(ns ? ns : 1, sizeof *sets);
    uint32_t *set_of = calloc(ns ? ns : 1, sizeof *set_of);
    int *leaf = calloc(ns ? ns : 1, sizeof *leaf);
    uint8_t *in = calloc((ns ? ns : 1) * (size_t)nf, 1); /* in[s * nf + f]: f on s's stack */
    int64_t *cum = calloc(ns ? ns : 1, sizeof *cum), *flat = calloc(ns ? ns : 1, sizeof *flat);
    if (!text || !sets || !set_of || !leaf || !in || !cum || !flat) {
        CHECK(!"memory");
        goto out;
    }
    for (size_t s = 0; s < ns; s++) {
        const pprof_sample *sm = &p->samples[s];
        char set[256];
        set_text(set, sizeof set, p, sm);
        text[s] = strdup(set);
        sets[s] = text[s];
        const uint32_t *locs = pprof_sample_locs(p, sm);
        leaf[s] = -1;
        for (uint32_t j = 0; j < sm->n_locs; j++) {
            const pprof_location *l = &p->locations[locs[j]];
            for (uint32_t m = 0; m < l->n_lines; m++) {
                int f = atoi(pprof_string(p, p->functions[p->lines[l->lines_off + m].function].name) + 1);
                in[s * (size_t)nf + (size_t)f] = 1;
                if (j == 0 && m == 0)
                    leaf[s] = f;
            }
        }
    }
    qsort(sets, ns, sizeof *sets, cmp_str_ptr);
    for (size_t s = 0; s < ns; s++) /* (distinct sets, sorted) */
        if (s == 0 || strcmp(sets[s], sets[nsets - 1]) != 0)
            sets[nsets++] = sets[s];
    for (size_t s = 0; s < ns; s++)
        set_of[s] = (uint32_t)((char **)bsearch(&text[s], sets, nsets, sizeof *sets, cmp_str_ptr) - sets);
    for (size_t i = 0; g && i < g->n_nodes; i++) {
        int f = atoi(node_name(g, i) + 1);
        memset(cum, 0, nsets * sizeof *cum);
        memset(flat, 0, nsets * sizeof *flat);
        for (size_t s = 0; s < ns; s++) {
            int64_t w = p->values[s * p->n_sample_types + (size_t)si];
            if (in[s * (size_t)nf + (size_t)f])
                cum[set_of[s]] += w;
            if (leaf[s] == f)
                flat[set_of[s]] += w;
        }
        /* every label tag of the node matches the count, and no set that
         * reaches the cutoff there is missing */
        uint8_t *found = calloc(nsets ? nsets : 1, 1);
        for (uint32_t k = 0; found && k < g->nodes[i].n_tags; k++) {
            const pprof_tag *t = &g->tags[g->nodes[i].tags_off + k];
            if (t->numeric)
                continue;
            char *const *at = bsearch(&t->name, sets, nsets, sizeof *sets, cmp_str_ptr);
            CHECK(at != NULL);
            if (!at)
                continue;
            size_t x = (size_t)(at - sets);
            CHECK_INT(t->cum, cum[x]);
            CHECK_INT(t->flat, flat[x]);
            found[x] = 1;
            seen++;
        }
        for (size_t x = 0; found && x < nsets; x++)
            if (sets[x][0] && !found[x] && (cum[x] != 0 || flat[x] != 0) &&
                (cum[x] >= g->node_cutoff || flat[x] >= g->node_cutoff)) {
                CHECK(!"missing tag");
                fprintf(stderr, "missing tag %s on %s (cum %lld)\n", sets[x], node_name(g, i), (long long)cum[x]);
            }
        free(found);
    }
out:
    for (size_t s = 0; text && s < ns; s++)
        free(text[s]);
    free(text);
    free(sets);
    free(set_of);
    free(leaf);
    free(in);
    free(cum);
    free(flat);
    return seen;
}

/* Two graphs' nodes and tags are the same, in the same order. */
static void check_same_tags(const pprof_graph *a, const pprof_graph *b)
{
    if (!a || !b)
        return;
    CHECK_INT(a->n_nodes, b->n_nodes);
    CHECK_INT(a->n_tags, b->n_tags);
    for (size_t i = 0; i < a->n_nodes && i < b->n_nodes; i++) {
        CHECK_STR(node_name(a, i), node_name(b, i));
        CHECK_INT(a->nodes[i].n_tags, b->nodes[i].n_tags);
    }
    for (size_t k = 0; k < a->n_tags && k < b->n_tags; k++) {
        const pprof_tag *x = &a->tags[k], *y = &b->tags[k];
        CHECK_STR(x->name, y->name);
        CHECK_STR(x->labels, y->labels);
        CHECK_STR(x->unit, y->unit);
        CHECK(x->value == y->value && x->flat == y->flat && x->cum == y->cum && x->flat_div == y->flat_div &&
              x->cum_div == y->cum_div && x->numeric == y->numeric);
    }
}

/* The tags of a drawing are the same whichever way they are made: over the
 * samples' locations, or (once the profile is indexed, as in the shell and
 * the web UI) up its call tree; for the few nodes nodecount keeps or for
 * all of them (more tag keys than the dense table takes: the rest are
 * hashed); at the node cutoff or none; with -mean, a call tree, and
 * after focus, hide and tag filters. Label tags match a count over the
 * samples. */
static void test_tag_paths(void)
{
    static const struct {
        int nodecount;
        double nodefraction;
        bool mean, call_tree;
        pprof_filter_options f;
    } cases[] = {
        {80, 0.005, false, false, {0}},
        {12, 0.005, false, false, {0}},
        {0, 0, false, false, {0}},
        {0, 0.001, false, false, {0}},
        {80, 0, true, false, {0}},
        {80, 0.005, false, true, {0}},
        {80, 0.005, false, false, {.focus = "^f[1-3]$"}},
        {80, 0.005, false, false, {.hide = "^f[4-9]$"}},
        {80, 0.005, false, false, {.tagfocus = "span=v[0-4]$"}},
        {80, 0, false, false, {.tagignore = "pod=p1"}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        /* (many span values with nodecount 0: 300 nodes x ~2000 keys) */
        int nv = cases[c].nodecount == 0 ? 1000 : 40;
        pprof_profile *plain = tag_profile(0x9e3779b97f4a7c15u + c, 300, 1200, 6000, nv);
        pprof_profile *indexed = tag_profile(0x9e3779b97f4a7c15u + c, 300, 1200, 6000, nv);
        pprof_error err;
        pprof_filter_result fr;
        CHECK_INT(pprof_profile_index(indexed, &err), 0);
        CHECK_INT(pprof_profile_filter(plain, &cases[c].f, &fr, &err), 0);
        CHECK_INT(pprof_profile_filter(indexed, &cases[c].f, &fr, &err), 0);
        pprof_graph_options o = graph_options();
        o.visual = true;
        o.sample_index = 1;
        o.nodecount = cases[c].nodecount;
        o.nodefraction = cases[c].nodefraction;
        o.edgefraction = 0.001;
        o.mean = cases[c].mean;
        o.call_tree = cases[c].call_tree;
        pprof_graph *a = build(plain, &o), *b = build(indexed, &o);
        check_same_tags(a, b);
        if (a)
            CHECK(a->n_tags > 10);
        if (!cases[c].call_tree && !cases[c].mean)
            CHECK(check_tags_by_count(a, plain, 1, 300) > 10);
        pprof_graph_free(a);
        pprof_graph_free(b);
        pprof_profile_free(plain);
        pprof_profile_free(indexed);
    }
}

/* Whether this system has transparent huge pages (else the advice fails
 * and nothing is to be checked). */
static bool have_thp(void)
{
    FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (thp)
        fclose(thp);
    return thp != NULL;
}

/* The last byte of the whole 2 MiB pages pprof_work_alloc gives a table
 * of n bytes at p: its last byte under 2 MiB (one huge page), else the
 * last byte before its tail of 4 KiB pages. */
static const uint8_t *work_huge_end(const void *p, size_t n)
{
    const size_t huge = (size_t)2 << 20;
    return (const uint8_t *)p + (n < huge ? n : n & ~(huge - 1)) - 1;
}

/* pprof_work_alloc: a small table is a plain block; from PPROF_WORK_HUGE
 * up, 2 MiB-aligned, one huge page under 2 MiB, else its whole 2 MiB pages
 * advised for huge pages and its tail past them on 4 KiB pages (at most a
 * huge page's worth resident past the table: big100k -top -lines was over
 * its 2x raw budget when each table was rounded up to 2 MiB); zeroed when
 * asked (a block freed just before may be handed out again). */
static void test_work_alloc(void)
{
    const size_t sizes[] = {100, PPROF_WORK_HUGE - 1, PPROF_WORK_HUGE, (size_t)5 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint8_t *dirty = malloc(sizes[k]);
        if (dirty)
            memset(dirty, 0x5a, sizes[k]);
        free(dirty);
        uint8_t *b = pprof_work_alloc(sizes[k], true);
        CHECK(b != NULL);
        if (!b)
            continue;
        bool zero = true;
        for (size_t i = 0; i < sizes[k]; i++)
            zero &= b[i] == 0;
        CHECK(zero);
        memset(b, 1, sizes[k]);
        bool huge = sizes[k] >= PPROF_WORK_HUGE;
        CHECK_INT(((uintptr_t)b & ((2u << 20) - 1)) == 0, huge);
        if (huge && have_thp()) {
            CHECK_INT(vma_has_flag(b, "hg"), 1);
            CHECK_INT(vma_has_flag(work_huge_end(b, sizes[k]), "hg"), 1);
            if (sizes[k] > (2u << 20) && sizes[k] % (2u << 20))
                CHECK_INT(vma_has_flag(b + sizes[k] - 1, "hg"), 0);
        }
        free(b);
    }
}

/* A big profile's nodemap (its tables per location and per node, written
 * through when the graph is built) lies on memory advised for huge pages:
 * on a virtual machine the first touches of 4 KiB pages cost more than
 * the pass that fills them. The graphs it makes (a list, and a drawing
 * with edges and tags, whose working tables are cut from one block) are
 * the ones expected. */
static void test_nodemap_huge(void)
{
    enum { N = 300000, DEPTH = 8, REP = 4 }; /* loc_off 1.2 MB, the nodes 14.4 MB */
    pprof_profile *p = new_profile();
    for (size_t i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%zu", i);
        pprof_function f = {.id = i + 1, .name = S(p, name), .system_name = S(p, name), .filename = S(p, "a.c")};
        uint32_t fi, li;
        pprof_profile_add_function(&fi, p, &f);
        pprof_line ln = {.function = fi, .line = 1};
        pprof_location l = {.id = i + 1, .address = 0x1000 + 16 * i, .mapping = PPROF_NONE};
        pprof_profile_add_location(&li, p, &l, &ln, 1);
    }
    /* stack s: locations s*DEPTH .. s*DEPTH+DEPTH-1 (leaf first), in REP
     * samples of value s+1 (1,200,000 location references: the node pass
     * splits between two threads) */
    for (uint32_t s = 0; s < N / DEPTH * REP; s++) {
        uint32_t locs[DEPTH];
        for (uint32_t d = 0; d < DEPTH; d++)
            locs[d] = s / REP * DEPTH + d;
        int64_t v = s / REP + 1;
        char val[8];
        snprintf(val, sizeof val, "v%u", s / REP % 3);
        pprof_label l = {.key = S(p, "k"), .str = S(p, val)};
        CHECK_INT(pprof_profile_add_sample(p, locs, DEPTH, &v, &l, 1), 0);
    }
    pprof_graph_options o = graph_options();
    o.nodecount = 5;
    pprof_graph *g = build(p, &o);
    const int64_t last = N / DEPTH;
    if (g) {
        CHECK_INT(g->nodemap->n_nodes, N);
        if (have_thp()) {
            CHECK_INT(vma_has_flag(g->nodemap->loc_off, "hg"), 1);
            CHECK_INT(vma_has_flag(g->nodemap->loc_nodes, "hg"), 1);
            CHECK_INT(vma_has_flag(g->nodemap->nodes, "hg"), 1);
            CHECK_INT(vma_has_flag(work_huge_end(g->nodemap->nodes, N * sizeof *g->nodemap->nodes), "hg"), 1);
        }
        /* The heaviest leaves first: the last samples', each its own flat
         * and cum; the last sample's root has its value as cum only. */
        CHECK_INT(g->n_nodes, 5);
        for (size_t i = 0; i < g->n_nodes && i < 5; i++) {
            char want[32];
            snprintf(want, sizeof want, "f%lld", (long long)((last - 1 - (int64_t)i) * DEPTH));
            CHECK_STR(node_name(g, i), want);
            CHECK_INT(g->nodes[i].flat, REP * (last - (int64_t)i));
            CHECK_INT(g->nodes[i].cum, REP * (last - (int64_t)i));
        }
    }
    pprof_graph_free(g);
    /* Node f<a> is frame a % DEPTH of stack a / DEPTH: its cum that
     * stack's samples' sum, its flat too when it is the leaf, one tag (the
     * stack's label); an edge goes from a frame to one below it in the
     * same stack, with that sum, residual when frames between are gone. */
    o.visual = true;
    o.nodecount = 0;
    /* (the nodes of the last 3 or 4 samples reach the node cutoff) */
    const double total = (double)last * (double)(last + 1) / 2;
    o.nodefraction = ((double)last - 2.5) / total; /* (REP times both) */
    g = build(p, &o);
    size_t bad_nodes = 0, bad_tags = 0, bad_edges = 0;
    for (size_t i = 0; g && i < g->n_nodes; i++) {
        const pprof_node *n = &g->nodes[i];
        long a = strtol(node_name(g, i) + 1, NULL, 10), s = a / DEPTH;
        bad_nodes += n->cum != REP * (s + 1) || n->flat != (a % DEPTH == 0 ? REP * (s + 1) : 0);
        char want[16];
        snprintf(want, sizeof want, "k:v%ld", s % 3);
        bad_tags += n->n_tags != 1 || strcmp(g->tags[n->tags_off].name, want) != 0 ||
                    g->tags[n->tags_off].cum != REP * (s + 1) || g->tags[n->tags_off].flat != n->flat;
    }
    for (size_t i = 0; g && i < g->n_edges; i++) {
        const pprof_edge *e = &g->edges[i];
        long a = strtol(node_name(g, e->src) + 1, NULL, 10), d = strtol(node_name(g, e->dst) + 1, NULL, 10);
        bad_edges += a / DEPTH != d / DEPTH || a <= d || e->weight != REP * (a / DEPTH + 1) || e->residual != (a != d + 1);
    }
    CHECK(g && (g->n_nodes == 3 * DEPTH || g->n_nodes == 4 * DEPTH));
    CHECK(g && g->n_edges == g->n_nodes / DEPTH * (DEPTH - 1));
    CHECK_INT(bad_nodes, 0);
    CHECK_INT(bad_tags, 0);
    CHECK_INT(bad_edges, 0);
    pprof_graph_free(g);
    pprof_profile_free(p);
}

int main(void)
{
    test_tag_paths();
    test_ties_at_nodecount();
    test_tag_cutoff();
    test_tag_buckets();
    test_tag_texts();
    test_tag_value_bound();
    test_saturation();
    test_call_tree_trimming();
    test_filters();
    test_filters_from_and_tags();
    test_nodemap();
    test_nodemap_functions();
    test_normalize();
    test_edges_of();
    test_edges_of_matched();
    test_edge_walks();
    test_edges_brute();
    test_popcount();
    test_entropy_brute();
    test_entropy_hidden();
    test_work_alloc();
    test_nodemap_huge();
    return unit_report("graph");
}
