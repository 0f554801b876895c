/* test_stack_index.c: the stack index (pprof_profile_index) groups samples right, changes no report's bytes, and is dropped when the samples change. */
#include "formats.h"
#include "internal.h"
#include "unit.h"
#include "unit_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* memcmp's equality, also for zero bytes at NULL (an empty array may be
 * NULL; memcmp with NULL is undefined even for length 0). */
static bool same_mem(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

/* A profile with repeated stacks (some labelled), recursion, an inlined
 * line, and a sample type with a zero value in it. */
static pprof_profile *dup_profile(bool with_zero)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    static const char *const names[] = {"main", "run", "work", "inner", "leaf"};
    uint32_t fn[5], loc[5];
    for (uint32_t i = 0; i < 5; i++) {
        pprof_function f = {.id = i + 1, .name = S(p, names[i])};
        pprof_profile_add_function(&fn[i], p, &f);
    }
    for (uint32_t i = 0; i < 4; i++) {
        pprof_location l = {.id = i + 1, .address = 0x1000 + i * 16, .mapping = PPROF_NONE};
        /* location 3 has "leaf" inlined into "inner" */
        pprof_line ln[2] = {{.function = fn[i == 3 ? 4 : i], .line = 10 + i}, {.function = fn[3], .line = 20}};
        pprof_profile_add_location(&loc[i], p, &l, ln, i == 3 ? 2 : 1);
    }
    static const struct {
        uint32_t locs[5];
        size_t n;
        int64_t count, ns;
        bool label;
    } rows[] = {
        {{2, 1, 0}, 3, 1, 10, false},    {{3, 2, 1, 0}, 4, 2, 20, false}, {{2, 1, 0}, 3, 1, 30, true},
        {{1, 2, 1, 0}, 4, 1, 40, false}, {{2, 1, 0}, 3, 3, 50, false},    {{3, 2, 1, 0}, 4, 1, 60, true},
        {{1, 2, 1, 0}, 4, 1, 70, false}, {{0}, 1, 1, 80, false},          {{3, 1, 2, 1, 0}, 5, 1, 90, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint32_t locs[5];
        for (size_t k = 0; k < rows[i].n; k++)
            locs[k] = loc[rows[i].locs[k]];
        int64_t v[2] = {rows[i].count, with_zero && i == 4 ? 0 : rows[i].ns};
        pprof_label lb = {.key = S(p, "span"), .str = S(p, i == 2 ? "a" : "b")};
        pprof_profile_add_sample(p, locs, rows[i].n, v, &lb, rows[i].label ? 1 : 0);
    }
    return p;
}

static void test_grouping(void)
{
    pprof_profile *p = dup_profile(false);
    pprof_error err;
    CHECK_INT(pprof_profile_index(p, &err), 0);
    const pprof_stack_index *x = pprof_profile_stack_index(p, 1, false);
    CHECK(x != NULL);
    if (x) {
        CHECK_INT(x->n_stacks, 5);
        /* stacks in the order of their first sample, with summed values */
        CHECK_INT(x->first[0], 0);
        CHECK_INT(x->first[1], 1);
        CHECK_INT(x->first[2], 3);
        CHECK_INT(x->first[3], 7);
        CHECK_INT(x->first[4], 8);
        CHECK_INT(x->values[0 * 2 + 1], 10 + 30 + 50);
        CHECK_INT(x->values[0 * 2 + 0], 5);
        CHECK_INT(x->values[1 * 2 + 1], 20 + 60);
        CHECK_INT(x->values[2 * 2 + 1], 40 + 70);
        CHECK_INT(x->n_stack_locs, 3 + 4 + 4 + 1 + 5);
        /* the labelled samples (the only ones a drawing's tags count) */
        CHECK_INT(x->n_labelled, 2);
        if (x->n_labelled == 2)
            CHECK(x->labelled[0] == 2 && x->labelled[1] == 5);
    }
    /* focus and ignore keep it current: as if built again. */
    pprof_filter_options fo = {.focus = "work|inner", .ignore = "leaf"};
    pprof_filter_result fr;
    CHECK_INT(pprof_profile_filter(p, &fo, &fr, &err), 0);
    x = pprof_profile_stack_index(p, 1, false);
    CHECK(x != NULL);
    pprof_stack_index *fresh = NULL;
    CHECK_INT(pprof_stack_index_build(&fresh, p), 0);
    CHECK_INT(pprof_stack_index_tree(fresh, p), 0);
    CHECK_INT(p->n_samples, 5); /* samples 0, 2, 3, 4 and 6 */
    if (x && fresh) {
        CHECK_INT(x->n_stacks, fresh->n_stacks);
        CHECK_INT(x->n_samples, fresh->n_samples);
        CHECK_INT(x->n_stack_locs, fresh->n_stack_locs);
        CHECK_INT(x->n_tree, fresh->n_tree);
        CHECK(same_mem(x->first, fresh->first, fresh->n_stacks * sizeof *x->first));
        CHECK(same_mem(x->stack_of, fresh->stack_of, fresh->n_samples * sizeof *x->stack_of));
        CHECK(same_mem(x->values, fresh->values, fresh->n_stacks * 2 * sizeof *x->values));
        CHECK(same_mem(x->tree_sum, fresh->tree_sum, fresh->n_tree * 2 * sizeof *x->tree_sum));
        CHECK(same_mem(x->tree_loc, fresh->tree_loc, fresh->n_tree * sizeof *x->tree_loc));
        CHECK_INT(x->n_labelled, fresh->n_labelled);
        CHECK_INT(x->n_labelled, 1); /* sample 2, now 1 (5 went: it has the leaf) */
        CHECK(same_mem(x->labelled, fresh->labelled, fresh->n_labelled * sizeof *x->labelled));
    }
    pprof_stack_index_free(fresh);
    /* Other changes to the samples drop it. */
    pprof_filter_options fh = {.hide = "leaf"};
    CHECK_INT(pprof_profile_filter(p, &fh, &fr, &err), 0);
    CHECK(pprof_profile_stack_index(p, 1, false) == NULL);
    pprof_profile_free(p);

    /* A type with a zero value cannot stand for its samples; the others can. */
    p = dup_profile(true);
    CHECK_INT(pprof_profile_index(p, &err), 0);
    CHECK(pprof_profile_stack_index(p, 1, false) == NULL);
    CHECK(pprof_profile_stack_index(p, 0, false) != NULL);
    CHECK(pprof_profile_stack_index(p, 0, true) != NULL);
    pprof_profile_free(p);
}

/* Every report of p, with the index against without: the same bytes. */
static void same_reports(const char *what, pprof_profile *plain, pprof_profile *indexed, bool all_variants)
{
    pprof_error err;
    static const pprof_granularity grans[] = {PPROF_GRAN_FUNCTIONS, PPROF_GRAN_LINES, PPROF_GRAN_ADDRESSES};
    for (size_t w = 0; pprof_writer_name(w); w++) {
        const char *name = pprof_writer_name(w);
        if (strcmp(name, "disasm") == 0 || strcmp(name, "list") == 0)
            continue; /* these read binaries and sources, not the stacks */
        for (size_t si = 0; si < plain->n_sample_types; si++) {
            for (int variant = 0; variant < 8; variant++) {
                if (!all_variants && variant != 0 && variant != 1 && variant != 2 && variant != 6)
                    continue;
                pprof_report_options o;
                pprof_report_options_init(&o, name);
                o.sample_index = (int)si;
                o.mean = variant & 1;
                o.graph.sample_index = (int)si;
                o.graph.mean = o.mean;
                o.graph.granularity = grans[(variant >> 1) % 3];
                o.call_tree = o.graph.call_tree = variant >= 6;
                pprof_buf a = {0}, b = {0};
                int ra = pprof_write(&a, name, plain, &o, &err);
                int rb = pprof_write(&b, name, indexed, &o, &err);
                bool same = ra == rb && a.len == b.len && same_mem(a.data, b.data, a.len);
                if (!same)
                    fprintf(stderr, "%s: -%s sample_index=%zu variant %d differs with the index\n", what, name, si,
                            variant);
                CHECK(same);
                pprof_buf_release(&a);
                pprof_buf_release(&b);
            }
        }
    }
}

/* The graph's edges with the index against without: the same edges in
 * the same (first-seen) order, which no report shows since they sort. */
static void same_edges(const char *what, pprof_profile *plain, pprof_profile *indexed)
{
    pprof_error err;
    static const pprof_granularity grans[] = {PPROF_GRAN_FUNCTIONS, PPROF_GRAN_LINES, PPROF_GRAN_ADDRESSES};
    for (size_t si = 0; si < plain->n_sample_types; si++) {
        for (int variant = 0; variant < 6; variant++) {
            pprof_graph_options o = {.sample_index = (int)si, .mean = variant & 1, .granularity = grans[variant >> 1]};
            pprof_graph *a = NULL, *b = NULL;
            CHECK_INT(pprof_graph_build(&a, plain, &o, &err), 0);
            CHECK_INT(pprof_graph_build(&b, indexed, &o, &err), 0);
            bool same = a && b && a->n_edges == b->n_edges && a->n_nodes == b->n_nodes;
            for (size_t e = 0; same && e < a->n_edges; e++) {
                const pprof_edge *x = &a->edges[e], *y = &b->edges[e];
                same = x->src == y->src && x->dst == y->dst && x->weight == y->weight &&
                       x->weight_div == y->weight_div && x->residual == y->residual && x->is_inline == y->is_inline;
            }
            if (!same)
                fprintf(stderr, "%s: graph edges of sample_index=%zu variant %d differ with the index\n", what, si,
                        variant);
            CHECK(same);
            pprof_graph_free(a);
            pprof_graph_free(b);
        }
    }
}

static void test_reports_built(void)
{
    for (int zero = 0; zero < 2; zero++) {
        pprof_profile *a = dup_profile(zero), *b = dup_profile(zero);
        pprof_error err;
        CHECK_INT(pprof_profile_index(b, &err), 0);
        same_reports(zero ? "built (zero value)" : "built", a, b, true);
        same_edges(zero ? "built (zero value)" : "built", a, b);
        pprof_profile_free(a);
        pprof_profile_free(b);
    }
}

static void test_reports_files(void)
{
    static const char *const files[] = {"cpu.pb.gz", "heap.pb.gz", "allocs.pb.gz", "block.pb.gz",
                                        "mutex.pb.gz", "goroutine.pb.gz", "labels_order.pb.gz", "mean_min.pb.gz", "sample.cpu"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        pprof_profile *a = unit_read_data(files[i]), *b = unit_read_data(files[i]);
        if (a && b) {
            pprof_error err;
            CHECK_INT(pprof_profile_index(b, &err), 0);
            same_reports(files[i], a, b, false);
            same_edges(files[i], a, b);
            /* after focus and ignore, which keep the index current */
            pprof_filter_options ff = {.focus = "main|runtime|fib|alloc", .ignore = "GC|gc"};
            pprof_filter_result fr;
            CHECK_INT(pprof_profile_filter(a, &ff, &fr, &err), 0);
            CHECK_INT(pprof_profile_filter(b, &ff, &fr, &err), 0);
            same_reports(files[i], a, b, false);
            /* and after one that drops it */
            pprof_filter_options fo = {.hide = "runtime"};
            CHECK_INT(pprof_profile_filter(a, &fo, &fr, &err), 0);
            CHECK_INT(pprof_profile_filter(b, &fo, &fr, &err), 0);
            CHECK_INT(pprof_profile_index(b, &err), 0);
            same_reports(files[i], a, b, false);
        }
        pprof_profile_free(a);
        pprof_profile_free(b);
    }
}

/* The index keeps the node identity of the default options at function
 * and line granularity: a graph with them gets a copy of it (the same
 * nodes as a fresh build), others build their own, and a filter that
 * drops the index drops it too. */
static void test_nodemap_cache(void)
{
    pprof_profile *p = dup_profile(false);
    pprof_error err;
    pprof_graph_options o;
    memset(&o, 0, sizeof o);
    pprof_nodemap *c = NULL, *fresh = NULL;
    CHECK_INT(pprof_stack_index_nodemap(&c, p, &o), 0);
    CHECK(c == NULL); /* no index yet */
    CHECK_INT(pprof_profile_index(p, &err), 0);
    CHECK(p->internal->stacks && p->internal->stacks->nodemap && p->internal->stacks->nodemap_lines);
    /* Functions and lines (the web UI's peek): copies of what a build gives. */
    pprof_graph_options lines = o;
    lines.granularity = PPROF_GRAN_LINES;
    const pprof_graph_options *cached[] = {&o, &lines};
    for (size_t k = 0; k < 2; k++) {
        c = fresh = NULL;
        CHECK_INT(pprof_stack_index_nodemap(&c, p, cached[k]), 0);
        CHECK_INT(pprof_nodemap_build(&fresh, p, cached[k], &err), 0);
        CHECK(c != NULL && c != p->internal->stacks->nodemap && c != p->internal->stacks->nodemap_lines);
        if (c && fresh) {
            CHECK(c->profile == p);
            CHECK_INT(c->n_nodes, fresh->n_nodes);
            CHECK_INT(c->n_loc_nodes, fresh->n_loc_nodes);
            CHECK(same_mem(c->loc_off, fresh->loc_off, (p->n_locations + 1) * sizeof *c->loc_off));
            CHECK(c->n_loc_nodes == fresh->n_loc_nodes &&
                  same_mem(c->loc_nodes, fresh->loc_nodes, c->n_loc_nodes * sizeof *c->loc_nodes));
            pprof_buf a = {0}, b = {0};
            for (uint32_t i = 0; i < c->n_nodes && i < fresh->n_nodes; i++) {
                a.len = b.len = 0;
                pprof_nodemap_name(&a, c, i);
                pprof_nodemap_name(&b, fresh, i);
                CHECK(a.len == b.len && same_mem(a.data, b.data, a.len));
            }
            pprof_buf_release(&a);
            pprof_buf_release(&b);
        }
        pprof_nodemap_free(c);
        pprof_nodemap_free(fresh);
    }
    /* Options that change node identity otherwise: none cached. */
    pprof_graph_options addrs = o, trimmed = o, noinl = o;
    addrs.granularity = PPROF_GRAN_ADDRESSES;
    trimmed.trim_path = "/src";
    noinl.noinlines = true;
    const pprof_graph_options *others[] = {&addrs, &trimmed, &noinl};
    for (size_t i = 0; i < 3; i++) {
        c = NULL;
        CHECK_INT(pprof_stack_index_nodemap(&c, p, others[i]), 0);
        CHECK(c == NULL);
        pprof_nodemap_free(c);
    }
    /* hide rewrites locations' lines and drops the index with its nodes. */
    pprof_filter_options fo = {.hide = "leaf"};
    pprof_filter_result fr;
    CHECK_INT(pprof_profile_filter(p, &fo, &fr, &err), 0);
    c = NULL;
    CHECK_INT(pprof_stack_index_nodemap(&c, p, &o), 0);
    CHECK(c == NULL);
    pprof_nodemap_free(c);
    pprof_profile_free(p);
}

/* Node i's text as a graph gives it, and as the nodemap makes it. */
static bool same_text(const pprof_graph *g, size_t i)
{
    pprof_buf a = {0}, b = {0};
    pprof_node_text(&a, g, &g->nodes[i]);
    pprof_nodemap_info_text(&b, g->nodemap, &g->nodes[i].info);
    bool same = a.len == b.len && same_mem(a.data, b.data, a.len);
    pprof_buf_release(&a);
    pprof_buf_release(&b);
    return same;
}

/* The index makes its nodemaps' node texts once: each the nodemap's own
 * text (escaped for a terminal), a graph with the default node identity
 * names its nodes from them, and keeps them after the index is gone. */
static void test_node_texts(void)
{
    pprof_profile *p = dup_profile(false);
    pprof_error err;
    /* a name a terminal must not see as it is */
    p->functions[4].name = S(p, "le\x1b[31maf\xe2\x80\xae");
    CHECK_INT(pprof_profile_index(p, &err), 0);
    const pprof_stack_index *x = p->internal->stacks;
    CHECK(x && x->texts && x->texts_lines);
    const pprof_nodemap *maps[] = {x->nodemap, x->nodemap_lines};
    const pprof_node_texts *texts[] = {x->texts, x->texts_lines};
    pprof_buf b = {0};
    bool escaped = false;
    for (size_t k = 0; k < 2; k++) {
        CHECK_INT(texts[k]->n, maps[k]->n_nodes);
        for (uint32_t i = 0; i < maps[k]->n_nodes && i < texts[k]->n; i++) {
            b.len = 0;
            pprof_nodemap_text(&b, maps[k], i);
            pprof_buf_append(&b, "", 1);
            CHECK_STR(pprof_node_texts_get(texts[k], i), (const char *)b.data);
            escaped |= strstr((const char *)b.data, "\\x1b[31m") != NULL;
        }
    }
    CHECK(escaped);
    pprof_buf_release(&b);
    /* Graphs at both granularities, with trimming and hidden nodes, and
     * as a call tree: named from the texts, as without them. */
    static const pprof_granularity grans[] = {PPROF_GRAN_FUNCTIONS, PPROF_GRAN_LINES};
    pprof_graph *kept = NULL;
    for (size_t k = 0; k < 2; k++) {
        for (int variant = 0; variant < 3; variant++) {
            pprof_graph_options o = {.granularity = grans[k], .sample_index = 1};
            if (variant == 1)
                o.nodecount = 2, o.nodefraction = 0.2;
            o.call_tree = variant == 2;
            pprof_graph *g = NULL;
            CHECK_INT(pprof_graph_build(&g, p, &o, &err), 0);
            CHECK(g && g->texts != NULL);
            CHECK(g && g->nodemap == maps[k]); /* shared, not copied */
            for (size_t i = 0; g && i < g->n_nodes + g->n_hidden; i++)
                CHECK(same_text(g, i));
            if (!kept && g && g->n_nodes >= 3)
                kept = g;
            else
                pprof_graph_free(g);
        }
    }
    /* Addresses are not cached: named as before, by the graph itself
     * (its own texts, the names its sort made). */
    pprof_graph_options addrs = {.granularity = PPROF_GRAN_ADDRESSES};
    pprof_graph *g = NULL;
    CHECK_INT(pprof_graph_build(&g, p, &addrs, &err), 0);
    CHECK(g && g->texts != NULL && g->text_table == NULL);
    for (size_t i = 0; g && i < g->n_nodes + g->n_hidden; i++)
        CHECK(same_text(g, i));
    pprof_graph_free(g);
    /* hide drops the index and its texts; a graph made before keeps its own. */
    pprof_filter_options fo = {.hide = "main"};
    pprof_filter_result fr;
    CHECK_INT(pprof_profile_filter(p, &fo, &fr, &err), 0);
    CHECK(p->internal->stacks == NULL);
    char *junk[64];
    for (size_t i = 0; i < 64; i++) /* (reuses what was freed, if it was) */
        junk[i] = strdup("..................................................................");
    CHECK(kept != NULL);
    for (size_t i = 0; kept && i < kept->n_nodes + kept->n_hidden; i++)
        CHECK(same_text(kept, i));
    for (size_t i = 0; i < 64; i++)
        free(junk[i]);
    pprof_graph_free(kept);
    /* built again on the filtered profile: no cached texts, the names it makes */
    CHECK_INT(pprof_graph_build(&g, p, &addrs, &err), 0);
    CHECK(g && g->text_table == NULL);
    for (size_t i = 0; g && i < g->n_nodes + g->n_hidden; i++)
        CHECK(same_text(g, i));
    pprof_graph_free(g);
    pprof_profile_free(p);
}

/* -peek (a regexp on node texts, the web UI's view): the same bytes with
 * the index as without, after a focus and with none. */
static void test_peek_files(void)
{
    static const char *const files[] = {"cpu.pb.gz", "heap.pb.gz", "large.cpu"};
    static const char *const symbols[] = {"main", "runtime\\.", "."};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        pprof_profile *a = unit_read_data(files[i]), *b = unit_read_data(files[i]);
        pprof_error err;
        if (b)
            CHECK_INT(pprof_profile_index(b, &err), 0);
        for (int round = 0; a && b && round < 2; round++) {
            if (round == 1) { /* focus keeps the index and its texts */
                pprof_filter_options ff = {.focus = "main|runtime"};
                pprof_filter_result fr;
                CHECK_INT(pprof_profile_filter(a, &ff, &fr, &err), 0);
                CHECK_INT(pprof_profile_filter(b, &ff, &fr, &err), 0);
                CHECK(b->internal->stacks && b->internal->stacks->texts_lines);
            }
            for (size_t s = 0; s < sizeof symbols / sizeof symbols[0]; s++) {
                for (int lines = 0; lines < 2; lines++) {
                    pprof_report_options o;
                    pprof_report_options_init(&o, "peek");
                    o.symbol = symbols[s];
                    o.graph.granularity = lines ? PPROF_GRAN_LINES : PPROF_GRAN_FUNCTIONS;
                    pprof_buf x = {0}, y = {0};
                    int rx = pprof_write(&x, "peek", a, &o, &err);
                    int ry = pprof_write(&y, "peek", b, &o, &err);
                    bool same = rx == ry && x.len == y.len && same_mem(x.data, y.data, x.len);
                    if (!same)
                        fprintf(stderr, "%s: -peek=%s (lines %d, round %d) differs with the index\n", files[i],
                                symbols[s], lines, round);
                    CHECK(same);
                    CHECK(rx != 0 || x.len > 0);
                    pprof_buf_release(&x);
                    pprof_buf_release(&y);
                }
            }
        }
        pprof_profile_free(a);
        pprof_profile_free(b);
    }
}

/* The stack index's hash of a location list takes in every id and the
 * length: a list of each length up to 40 and the lists that differ from
 * it in one id (by one, or by a swap with the next) or one length all hash
 * apart. */
static void test_list_hash(void)
{
    uint32_t l[41];
    uint64_t seen[2 * 41 + 2];
    size_t collisions = 0;
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i <= n; i++)
            l[i] = (uint32_t)(1000 + 7 * i);
        size_t k = 0;
        seen[k++] = pprof_hash_u32s(l, n);
        seen[k++] = pprof_hash_u32s(l, n + 1);
        for (size_t i = 0; i < n; i++) {
            l[i]++;
            seen[k++] = pprof_hash_u32s(l, n);
            l[i]--;
            if (i + 1 < n) {
                uint32_t t = l[i];
                l[i] = l[i + 1];
                l[i + 1] = t;
                seen[k++] = pprof_hash_u32s(l, n);
                l[i + 1] = l[i];
                l[i] = t;
            }
        }
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++)
                collisions += seen[a] == seen[b];
    }
    CHECK_INT(collisions, 0);
}

/* A random profile: seed picks its functions (some inlined), stacks
 * (repeated, so samples share them), labels and values. */
static pprof_profile *random_profile(uint64_t seed)
{
    uint64_t r = seed * 0x9e3779b97f4a7c15ULL + 1;
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    size_t nf = 4 + unit_rng(&r) % 12, nl = 4 + unit_rng(&r) % 30, nstk = 1 + unit_rng(&r) % 20;
    uint32_t fn[16], loc[40];
    for (uint32_t i = 0; i < nf; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s.f%u", i % 3 == 0 ? "alpha" : i % 3 == 1 ? "beta" : "gamma", i);
        pprof_function f = {.id = i + 1, .name = S(p, name)};
        pprof_profile_add_function(&fn[i], p, &f);
    }
    for (uint32_t i = 0; i < nl; i++) {
        pprof_location l = {.id = i + 1, .address = 0x1000 + i * 16, .mapping = PPROF_NONE};
        pprof_line ln[2] = {{.function = fn[unit_rng(&r) % nf], .line = 10 + i},
                            {.function = fn[unit_rng(&r) % nf], .line = 20 + i}};
        pprof_profile_add_location(&loc[i], p, &l, ln, 1 + unit_rng(&r) % 2);
    }
    uint32_t stk[20][8];
    size_t stk_n[20];
    for (size_t k = 0; k < nstk; k++) {
        stk_n[k] = unit_rng(&r) % 8; /* (some with no locations) */
        for (size_t j = 0; j < stk_n[k]; j++)
            stk[k][j] = loc[unit_rng(&r) % nl];
    }
    size_t ns = unit_rng(&r) % 200;
    for (size_t i = 0; i < ns; i++) {
        size_t k = unit_rng(&r) % nstk;
        int64_t v[2] = {1 + (int64_t)(unit_rng(&r) % 5), 1 + (int64_t)(unit_rng(&r) % 1000)};
        pprof_label lb = {.key = S(p, "span"), .str = S(p, unit_rng(&r) % 2 ? "a" : "b")};
        pprof_profile_add_sample(p, stk[k], stk_n[k], v, &lb, unit_rng(&r) % 4 == 0 ? 1 : 0);
    }
    return p;
}

/* The samples of a and b: the same locations, values and labels. */
static bool same_samples(const pprof_profile *a, const pprof_profile *b)
{
    if (a->n_samples != b->n_samples)
        return false;
    size_t nt = a->n_sample_types;
    for (size_t i = 0; i < a->n_samples; i++) {
        const pprof_sample *x = &a->samples[i], *y = &b->samples[i];
        if (x->n_locs != y->n_locs || x->n_labels != y->n_labels ||
            memcmp(pprof_sample_locs(a, x), pprof_sample_locs(b, y), x->n_locs * sizeof(uint32_t)) != 0 ||
            memcmp(a->values + i * nt, b->values + i * nt, nt * sizeof *a->values) != 0)
            return false;
        const pprof_label *la = pprof_sample_labels(a, x), *lb = pprof_sample_labels(b, y);
        for (uint32_t k = 0; k < x->n_labels; k++)
            if (la[k].key != lb[k].key || la[k].str != lb[k].str)
                return false;
    }
    return true;
}

/* A node of a stack index's call tree, by its path from the root (the
 * random profiles' stacks are at most 7 deep), with its sums. */
typedef struct tree_row {
    uint32_t path[8];
    size_t n;
    int64_t own[2], sum[2];
} tree_row;

static int cmp_rows(const void *a, const void *b)
{
    const tree_row *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return memcmp(x->path, y->path, x->n * sizeof *x->path);
}

/* x's tree as rows sorted by path (NULL when a path is too deep or a node
 * comes before its parent: not in preorder); each stack's leaf checked to
 * be its path. */
static tree_row *tree_rows(const pprof_stack_index *x, const pprof_profile *p)
{
    tree_row *rows = calloc(x->n_tree ? x->n_tree : 1, sizeof *rows);
    bool ok = rows != NULL;
    for (size_t t = 0; ok && t < x->n_tree; t++) {
        tree_row *r = &rows[t];
        uint32_t up = x->tree_parent[t];
        ok = up == PPROF_NONE || up < t;
        if (ok && up != PPROF_NONE) {
            *r = rows[up]; /* (its parent's row is made: preorder) */
            ok = r->n < 8;
        }
        if (ok) {
            r->path[r->n++] = x->tree_loc[t];
            for (size_t v = 0; v < 2; v++) {
                r->own[v] = x->tree_own[t * 2 + v];
                r->sum[v] = x->tree_sum[t * 2 + v];
            }
        }
    }
    for (size_t k = 0; ok && k < x->n_stacks; k++) {
        const pprof_sample *sm = &p->samples[x->first[k]];
        const uint32_t *locs = pprof_sample_locs(p, sm);
        uint32_t leaf = x->stack_leaf[k];
        ok = leaf == PPROF_NONE ? sm->n_locs == 0 : rows[leaf].n == sm->n_locs;
        for (uint32_t j = 0; ok && j < sm->n_locs; j++)
            ok = rows[leaf].path[j] == locs[sm->n_locs - 1 - j];
    }
    if (ok)
        qsort(rows, x->n_tree, sizeof *rows, cmp_rows);
    else
        free(rows), rows = NULL;
    return rows;
}

/* x, kept by focus/ignore, against an index built again on p: the same
 * stacks and sums, and the same call tree (its nodes, in preorder, may
 * come in another order: a node comes where its first stack put it). */
static bool same_index(const pprof_stack_index *x, const pprof_profile *p)
{
    pprof_stack_index *y = NULL;
    bool same = x && pprof_stack_index_build(&y, p) == 0 && pprof_stack_index_tree(y, p) == 0;
    size_t nt = p->n_sample_types;
    same = same && x->n_stacks == y->n_stacks && x->n_samples == y->n_samples &&
           x->n_stack_locs == y->n_stack_locs && x->n_tree == y->n_tree && x->n_labelled == y->n_labelled &&
           x->samples == p->samples && x->sample_values == p->values;
    same = same && same_mem(x->first, y->first, y->n_stacks * sizeof *x->first) &&
           same_mem(x->stack_of, y->stack_of, y->n_samples * sizeof *x->stack_of) &&
           same_mem(x->values, y->values, y->n_stacks * nt * sizeof *x->values) &&
           same_mem(x->labelled, y->labelled, y->n_labelled * sizeof *x->labelled);
    if (same && y->n_tree) {
        tree_row *rx = tree_rows(x, p), *ry = tree_rows(y, p);
        same = rx && ry && same_mem(rx, ry, y->n_tree * sizeof *rx);
        free(rx);
        free(ry);
    }
    pprof_stack_index_free(y);
    return same;
}

/* focus and ignore on random profiles: with the index (the kept samples
 * and stacks into new arrays, the index kept current) as without (the
 * samples moved down in place), and the kept index as one built again. */
static void test_focus_random(void)
{
    static const pprof_filter_options opts[] = {
        {.focus = "alpha"},           {.focus = "f1$|f2$"},          {.ignore = "beta"},
        {.focus = "gamma", .ignore = "f3$"}, {.focus = "."},         {.focus = "nomatch"},
        {.ignore = "."},              {.focus = "alpha|beta", .ignore = "f0$"},
    };
    for (uint64_t seed = 1; seed <= 60; seed++) {
        for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
            pprof_profile *a = random_profile(seed), *b = random_profile(seed);
            pprof_error err;
            pprof_filter_result ra, rb;
            CHECK_INT(pprof_profile_index(b, &err), 0);
            const pprof_sample *before = b->samples;
            size_t n_before = b->n_samples;
            CHECK_INT(pprof_profile_filter(a, &opts[i], &ra, &err), 0);
            CHECK_INT(pprof_profile_filter(b, &opts[i], &rb, &err), 0);
            /* The replaced samples are kept until the profile goes (their
             * pages may be shared with a forking process). */
            bool retired = b->n_samples == n_before;
            for (size_t k = 0; k < b->internal->n_retired; k++)
                retired |= b->internal->retired[k] == before;
            CHECK(retired);
            bool ok = same_samples(a, b) && ra.focus_matched == rb.focus_matched &&
                      ra.ignore_matched == rb.ignore_matched && same_index(b->internal->stacks, b) &&
                      pprof_profile_stack_index(b, 1, false) != NULL;
            if (!ok)
                fprintf(stderr, "random profile %llu, filter set %zu: differs with the index\n",
                        (unsigned long long)seed, i);
            CHECK(ok);
            if (seed % 20 == 0) {
                char what[64];
                snprintf(what, sizeof what, "random profile %llu, filter set %zu", (unsigned long long)seed, i);
                same_reports(what, a, b, false);
            }
            pprof_profile_free(a);
            pprof_profile_free(b);
        }
    }
}

/* A profile of n distinct stacks of depth 60 over 500 locations, every
 * every-th of them also in a second sample that differs in its label
 * alone (every 0: none), decoded from its encoding when decoded (the
 * decoder stores each distinct location list once), else as built. */
static pprof_profile *repeat_profile(size_t n, size_t every, bool decoded)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    uint32_t fn, loc[500];
    pprof_function f = {.id = 1, .name = S(p, "f")};
    pprof_profile_add_function(&fn, p, &f);
    for (uint32_t i = 0; i < 500; i++) {
        pprof_location l = {.id = i + 1, .address = 0x1000 + i * 16, .mapping = PPROF_NONE};
        pprof_line ln = {.function = fn, .line = i + 1};
        pprof_profile_add_location(&loc[i], p, &l, &ln, 1);
    }
    uint64_t x = 5;
    for (size_t s = 0; s < n; s++) {
        uint32_t locs[60];
        for (size_t k = 0; k < 60; k++)
            locs[k] = loc[unit_rng(&x) % 500];
        int64_t v = 1;
        pprof_label lb = {.key = S(p, "span"), .str = S(p, "a")};
        pprof_profile_add_sample(p, locs, 60, &v, NULL, 0);
        if (every && s % every == 0)
            pprof_profile_add_sample(p, locs, 60, &v, &lb, 1);
    }
    if (!decoded)
        return p;
    pprof_buf buf = {0};
    pprof_profile *q = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&buf, p, false, &err), 0);
    CHECK_INT(pprof_profile_parse(&q, buf.data, buf.len, NULL, &err), 0);
    pprof_buf_release(&buf);
    pprof_profile_free(p);
    return q;
}

/* A big profile gets an index of its own for a graph unless its samples
 * are known to repeat too few stacks: decoded, with some of its stacks
 * shared by two samples but fewer references repeated than stored. With
 * every stack twice, or built sample by sample (nothing is known), or
 * with no stack repeated in a decoded profile, it still does. */
static void test_index_worth(void)
{
    static const struct {
        size_t every;
        bool decoded, worth;
    } cases[] = {{10, true, false}, {2, true, false}, {1, true, true}, {10, false, true}, {0, true, true}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pprof_profile *p = repeat_profile(20000, cases[i].every, cases[i].decoded);
        CHECK(p && p->n_sample_locs >= PPROF_STACK_INDEX_MIN);
        if (p)
            CHECK_INT(pprof_stack_index_worth_building(p), cases[i].worth);
        pprof_profile_free(p);
    }
}

int main(void)
{
    test_index_worth();
    test_list_hash();
    test_grouping();
    test_reports_built();
    test_reports_files();
    test_nodemap_cache();
    test_node_texts();
    test_peek_files();
    test_focus_random();
    return unit_report("test_stack_index");
}
