/* test_reports.c: report writers checked against current upstream pprof's goldens, on profiles rebuilt here. */
#include "report.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

/* Adds function `name` (id) and a one-line location of it (id, at
 * 0x1000 + 16 * (id - 1)); returns the location's index. */
static uint32_t add_frame(pprof_profile *p, uint64_t id, const char *name)
{
    pprof_function fn = {.id = id, .name = S(p, name)};
    uint32_t f, loc;
    pprof_profile_add_function(&f, p, &fn);
    pprof_line ln = {.function = f, .line = 1};
    pprof_location l = {.id = id, .address = 0x1000 + 16 * (id - 1), .mapping = PPROF_NONE};
    pprof_profile_add_location(&loc, p, &l, &ln, 1);
    return loc;
}

/* The labels and values of upstream's synthetic "cpu" test profile (the
 * stacks do not matter for -tags). */
static pprof_profile *cpu_profile(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "milliseconds")});
    uint32_t loc = add_frame(p, 1, "line1000");
    static const struct {
        int64_t ms;
        const char *k1, *v1, *k2, *v2;
    } rows[] = {
        {1000, "key1", "tag1", "key2", "tag1"},
        {100, "key1", "tag2", "key3", "tag2"},
        {10, "key1", "tag3", "key2", "tag2"},
        {10, "key1", "tag4", "key2", "tag1"},
    };
    for (size_t i = 0; i < 4; i++) {
        int64_t v[2] = {1, rows[i].ms};
        pprof_label lb[2] = {{.key = S(p, rows[i].k1), .str = S(p, rows[i].v1)},
                             {.key = S(p, rows[i].k2), .str = S(p, rows[i].v2)}};
        pprof_profile_add_sample(p, &loc, 1, v, lb, 2);
    }
    return p;
}

static void test_tags_upstream_layout(void)
{
    pprof_profile *p = cpu_profile();
    pprof_report_options o;
    memset(&o, 0, sizeof o);
    o.sample_index = 1;
    o.ratio = 1;
    o.unit = "minimum";
    o.total = pprof_profile_total(p, 1, false, NULL);
    pprof_buf out = {0};
    pprof_error err;
    CHECK_INT(pprof_write_tags(&out, p, &o, &err), 0);
    /* internal/driver/testdata/pprof.cpu.tags of current upstream pprof. */
    CHECK_STR((const char *)out.data, " key1: Total 1.12s of 1.12s (  100%)\n"
                                      "          1s (89.29%): tag1\n"
                                      "       100ms ( 8.93%): tag2\n"
                                      "        10ms ( 0.89%): tag3\n"
                                      "        10ms ( 0.89%): tag4\n"
                                      "\n"
                                      " key2: Total 1.02s of 1.12s (91.07%)\n"
                                      "       1.01s (90.18%): tag1\n"
                                      "        10ms ( 0.89%): tag2\n"
                                      "\n"
                                      " key3: Total 100ms of 1.12s ( 8.93%)\n"
                                      "       100ms ( 8.93%): tag2\n"
                                      "\n");
    pprof_buf_release(&out);
    pprof_profile_free(p);
}

static void test_tags_numeric(void)
{
    /* Numeric labels are named by their scaled value in the key's unit. */
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "inuse_space"), S(p, "bytes")});
    static const int64_t sizes[] = {1638400, 409600, 204800, 102400};
    static const int64_t weights[] = {65536000, 32768000, 4096000, 1024000};
    for (size_t i = 0; i < 4; i++) {
        pprof_label lb = {.key = S(p, "bytes"), .num = sizes[i]};
        pprof_profile_add_sample(p, NULL, 0, &weights[i], &lb, 1);
    }
    pprof_report_options o;
    memset(&o, 0, sizeof o);
    o.ratio = 1;
    o.unit = "minimum";
    o.total = pprof_profile_total(p, 0, false, NULL);
    pprof_buf out = {0};
    pprof_error err;
    CHECK_INT(pprof_write_tags(&out, p, &o, &err), 0);
    /* internal/driver/testdata/pprof.heap.tags of current upstream pprof. */
    CHECK_STR((const char *)out.data, " bytes: Total 98.63MB of 98.63MB (  100%)\n"
                                      "        62.50MB (63.37%): 1.56MB\n"
                                      "        31.25MB (31.68%): 400kB\n"
                                      "         3.91MB ( 3.96%): 200kB\n"
                                      "         1000kB ( 0.99%): 100kB\n"
                                      "\n");
    pprof_buf_release(&out);
    o.unit = "bytes";
    CHECK_INT(pprof_write_tags(&out, p, &o, &err), 0);
    /* internal/driver/testdata/pprof.heap.tags.unit. */
    CHECK_STR((const char *)out.data, " bytes: Total 103424000B of 103424000B (  100%)\n"
                                      "        65536000B (63.37%): 1638400B\n"
                                      "        32768000B (31.68%): 409600B\n"
                                      "         4096000B ( 3.96%): 204800B\n"
                                      "         1024000B ( 0.99%): 102400B\n"
                                      "\n");
    pprof_buf_release(&out);
    pprof_profile_free(p);
}

/* -tree prints an edge's weight as a share of its node's cum: the same
 * weight under nodes of different cum gets different percentages (the
 * writer keeps formatted strings per value and per value and total). */
static void test_tree_repeated_values(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    static const char *const names[] = {"A", "B", "C", "D"};
    uint32_t loc[4];
    for (uint32_t i = 0; i < 4; i++) {
        loc[i] = add_frame(p, i + 1, names[i]);
    }
    int64_t v = 10;
    uint32_t ca[2] = {loc[2], loc[0]}, a[1] = {loc[0]}, db[2] = {loc[3], loc[1]};
    pprof_profile_add_sample(p, ca, 2, &v, NULL, 0); /* A -> C */
    pprof_profile_add_sample(p, a, 1, &v, NULL, 0);  /* A: cum 20 */
    pprof_profile_add_sample(p, db, 2, &v, NULL, 0); /* B -> D: B's cum 10 */
    pprof_buf out = {0};
    pprof_error err;
    CHECK_INT(pprof_write(&out, "tree", p, NULL, &err), 0);
    pprof_buf_append(&out, "", 1);
    const char *s = (const char *)out.data;
    CHECK(s && strstr(s, "                                                10 50.00% |   C\n"));
    CHECK(s && strstr(s, "                                                10   100% |   D\n"));
    CHECK(s && strstr(s, "                                                10   100% |   A\n")); /* C's caller */
    CHECK(s && strstr(s, "        10 33.33% 33.33%         20 66.67%                | A\n"));
    pprof_buf_release(&out);
    pprof_profile_free(p);
}

/* The parts of -tree and -peek (pprof_report_options.part of n_parts, or
 * the split callback's answer) are, concatenated in order, the whole
 * report; part 0 has the header, no part is empty of entries here. */
static uint64_t split_lines;

static unsigned split_answer(void *ctx, uint64_t lines)
{
    split_lines = lines;
    return *(const unsigned *)ctx;
}

static void test_tree_parts(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    uint32_t loc[8];
    for (uint32_t i = 0; i < 8; i++) {
        char name[8] = {'f', (char)('a' + i), 0};
        loc[i] = add_frame(p, i + 1, name);
    }
    for (uint32_t i = 0; i < 8; i++) {
        int64_t v = 10 + i;
        uint32_t st[3] = {loc[i], loc[(i + 3) % 8], loc[(i + 5) % 8]};
        pprof_profile_add_sample(p, st, 1 + i % 3, &v, NULL, 0);
    }
    static const char *const writers[] = {"tree", "peek"};
    for (size_t w = 0; w < 2; w++) {
        pprof_report_options o;
        pprof_report_options_init(&o, writers[w]);
        o.symbol = w ? "f[a-f]" : NULL;
        pprof_buf whole = {0};
        pprof_error err;
        CHECK_INT(pprof_write(&whole, writers[w], p, &o, &err), 0);
        for (unsigned n = 2; n <= 3; n++) {
            pprof_buf joined = {0};
            for (unsigned k = 0; k < n; k++) {
                pprof_buf part = {0};
                pprof_report_options po = o;
                po.part = k;
                po.n_parts = n;
                CHECK_INT(pprof_write(&part, writers[w], p, &po, &err), 0);
                CHECK(part.len > 0 && part.len < whole.len);
                CHECK(part.data && (k == 0) == (strstr((const char *)part.data, "flat  flat%") != NULL));
                /* the same part when the callback picks it */
                pprof_buf picked = {0};
                po.part = 0;
                po.split = split_answer;
                po.split_ctx = &k;
                CHECK_INT(pprof_write(&picked, writers[w], p, &po, &err), 0);
                CHECK(picked.len == part.len && memcmp(picked.data, part.data, part.len) == 0);
                CHECK(split_lines >= 8 && split_lines <= 8 * 9); /* entries of 8 nodes (at most 8 edges each) */
                pprof_buf_append(&joined, part.data, part.len);
                pprof_buf_release(&part);
                pprof_buf_release(&picked);
            }
            CHECK(joined.len == whole.len && memcmp(joined.data, whole.data, whole.len) == 0);
            pprof_buf_release(&joined);
        }
        /* an answer of n_parts or more: all of it */
        unsigned all = 2;
        pprof_report_options po = o;
        po.n_parts = 2;
        po.split = split_answer;
        po.split_ctx = &all;
        pprof_buf got = {0};
        CHECK_INT(pprof_write(&got, writers[w], p, &po, &err), 0);
        CHECK(got.len == whole.len && memcmp(got.data, whole.data, whole.len) == 0);
        pprof_buf_release(&got);
        pprof_buf_release(&whole);
    }
    pprof_profile_free(p);
}

/* -traces label lines: keys in pprof's order of the padded "%10s:" lines
 * (a key of 10 characters or more after the shorter ones), a key's values
 * in profile order, numeric values in their key's unit; a sample with more
 * than 16 labels; numeric values and sample weights repeated across
 * samples (the writer keeps their text). Expected: go tool pprof -traces of
 * this profile (written with TRACES_PROTO=file). */
static void test_traces_labels(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    pprof_function fn = {.id = 1, .name = S(p, "main.work"), .system_name = S(p, "main.work")};
    uint32_t f, loc;
    pprof_profile_add_function(&f, p, &fn);
    pprof_line ln = {.function = f, .line = 1};
    pprof_location l = {.id = 1, .address = 0x1000, .mapping = PPROF_NONE};
    pprof_profile_add_location(&loc, p, &l, &ln, 1);
    pprof_label lb[24];
    size_t n = 0;
    lb[n++] = (pprof_label){.key = S(p, "zone"), .str = S(p, "c")};
    lb[n++] = (pprof_label){.key = S(p, "averyverylongkey"), .str = S(p, "x")};
    lb[n++] = (pprof_label){.key = S(p, "zone"), .str = S(p, "a")};
    lb[n++] = (pprof_label){.key = S(p, "bytes"), .num = 1048576, .num_unit = S(p, "bytes")};
    lb[n++] = (pprof_label){.key = S(p, "k"), .str = S(p, "y")};
    lb[n++] = (pprof_label){.key = S(p, "zone"), .str = S(p, "b")};
    lb[n++] = (pprof_label){.key = S(p, "tenchars10"), .str = S(p, "t")};
    lb[n++] = (pprof_label){.key = S(p, "count"), .num = 7};
    lb[n++] = (pprof_label){.key = S(p, "bytes"), .num = 512, .num_unit = S(p, "bytes")};
    lb[n++] = (pprof_label){.key = S(p, "wait"), .num = 1500, .num_unit = S(p, "ms")};
    static const char *const fill[] = {"f09", "f08", "f07", "f06", "f05", "f04", "f03", "f02", "f01", "f00"};
    for (size_t i = 0; i < 10; i++)
        lb[n++] = (pprof_label){.key = S(p, fill[i]), .str = S(p, fill[9 - i])};
    int64_t v = 10000000;
    pprof_profile_add_sample(p, &loc, 1, &v, lb, n);
    pprof_profile_add_sample(p, &loc, 1, &v, lb + 3, 6);
    v = 20000000;
    pprof_profile_add_sample(p, &loc, 1, &v, lb + 7, 3);
    pprof_profile_add_sample(p, &loc, 1, &v, lb + 2, 1);

    const char *dump = getenv("TRACES_PROTO");
    if (dump) {
        pprof_buf pb = {0};
        pprof_error e;
        FILE *fp = fopen(dump, "wb");
        if (fp && pprof_profile_encode(&pb, p, true, &e) == 0)
            fwrite(pb.data, 1, pb.len, fp);
        if (fp)
            fclose(fp);
        pprof_buf_release(&pb);
    }
    pprof_report_options o;
    memset(&o, 0, sizeof o);
    o.ratio = 1;
    o.unit = "minimum";
    o.total = pprof_profile_total(p, 0, false, NULL);
    pprof_buf out = {0};
    pprof_error err;
    CHECK_INT(pprof_write_traces(&out, p, &o, &err), 0);
    const char *body = out.data ? strstr((const char *)out.data, "-----------+") : NULL;
    CHECK_STR(body,
                                "-----------+-------------------------------------------------------\n"
                                "         k:  y\n"
                                "       f00:  f09\n"
                                "       f01:  f08\n"
                                "       f02:  f07\n"
                                "       f03:  f06\n"
                                "       f04:  f05\n"
                                "       f05:  f04\n"
                                "       f06:  f03\n"
                                "       f07:  f02\n"
                                "       f08:  f01\n"
                                "       f09:  f00\n"
                                "      zone:  c a b\n"
                                "averyverylongkey:  x\n"
                                "tenchars10:  t\n"
                                "      wait:  1.50s\n"
                                "     bytes:  1MB 512B\n"
                                "     count:  7\n"
                                "      10ms   main.work\n"
                                "-----------+-------------------------------------------------------\n"
                                "         k:  y\n"
                                "      zone:  b\n"
                                "tenchars10:  t\n"
                                "     bytes:  1MB 512B\n"
                                "     count:  7\n"
                                "      10ms   main.work\n"
                                "-----------+-------------------------------------------------------\n"
                                "      wait:  1.50s\n"
                                "     bytes:  512B\n"
                                "     count:  7\n"
                                "      20ms   main.work\n"
                                "-----------+-------------------------------------------------------\n"
                                "      zone:  a\n"
                                "      20ms   main.work\n"
                                "-----------+-------------------------------------------------------\n");
    pprof_buf_release(&out);
    pprof_profile_free(p);
}

/* -raw label lines: per kind, "key:[v1 v2]" sorted as strings, a key's
 * values in profile order, escaped strings, negative numbers, units when
 * any value of the key has one; value strings seen again print from the
 * writer's cache of which strings need no escaping. */
static void test_raw_labels(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_label lb[] = {
        {.key = S(p, "zone"), .str = S(p, "b\x01")},
        {.key = S(p, "bytes"), .num = -512, .num_unit = S(p, "bytes")},
        {.key = S(p, "zone"), .str = S(p, "a")},
        {.key = S(p, "k"), .str = S(p, "a")},
        {.key = S(p, "n"), .num = 3},
        {.key = S(p, "bytes"), .num = 9223372036854775807},
    };
    int64_t v = 1;
    pprof_profile_add_sample(p, NULL, 0, &v, lb, 6);
    pprof_profile_add_sample(p, NULL, 0, &v, lb + 2, 3);
    pprof_buf out = {0};
    CHECK_INT(pprof_write_raw(&out, p), 0);
    const char *body = out.data ? strstr((const char *)out.data, "samples/count") : NULL;
    CHECK_STR(body, "samples/count\n"
                    "          1: \n"
                    "                k:[a] zone:[b\\x01 a]\n"
                    "                bytes:[-512 bytes 9223372036854775807 ] n:[3]\n"
                    "          1: \n"
                    "                k:[a] zone:[a]\n"
                    "                n:[3]\n"
                    "Locations\n"
                    "Mappings\n");
    pprof_buf_release(&out);
    pprof_profile_free(p);
}


/* Every line of -tree on a profile of thousands of nodes and values (in
 * nanoseconds, printed in another unit, with small and repeated shares) is
 * what printf makes of the graph's numbers: the writer formats without
 * printf and keeps texts in small caches, two of which may share a slot. */
static void test_tree_lines_as_printf(void)
{
    uint64_t seed = 0x5eed1234abcdULL;
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    enum { N_FN = 5000, N_SAMPLES = 40000 };
    uint32_t *loc = malloc(N_FN * sizeof *loc);
    for (uint32_t i = 0; i < N_FN; i++) {
        char name[32];
        snprintf(name, sizeof name, "pkg%u.f%u", i % 97, i);
        loc[i] = add_frame(p, i + 1, name);
    }
    for (int s = 0; s < N_SAMPLES; s++) {
        uint32_t st[8];
        size_t depth = 1 + unit_rng(&seed) % 8;
        for (size_t k = 0; k < depth; k++)
            st[k] = loc[unit_rng(&seed) % (k == 0 ? N_FN : 300 + 100 * k)];
        uint64_t r = unit_rng(&seed);
        int64_t v = r % 3 == 0 ? (int64_t)(r % 1000) * 10000000 : r % 3 == 1 ? (int64_t)(r % 100000000000) : 1 + (int64_t)(r % 50);
        pprof_profile_add_sample(p, st, depth, &v, NULL, 0);
    }
    pprof_report_options o;
    pprof_report_options_init(&o, "tree");
    o.graph.nodecount = 0;
    o.graph.nodefraction = o.graph.edgefraction = 0;
    o.sample_index = o.graph.sample_index = 0;
    o.total = pprof_profile_total(p, 0, false, NULL);
    pprof_buf out = {0};
    pprof_error err;
    CHECK_INT(pprof_write(&out, "tree", p, &o, &err), 0);
    pprof_buf_append(&out, "", 1);
    const char *s = (const char *)out.data, *at = s;
    pprof_graph *g = NULL;
    CHECK_INT(pprof_graph_build(&g, p, &o.graph, &err), 0);
    const char *unit = pprof_report_output_unit(g, p, &o);
    size_t lines = 0, missing = 0;
    int64_t running = 0;
    pprof_buf name = {0};
    for (size_t i = 0; g && s && i < g->n_nodes; i++) {
        const pprof_node *n = &g->nodes[i];
        int64_t fv = pprof_node_flat(n), cv = pprof_node_cum(n);
        pprof_sat_add(&running, fv);
        char f[64], c[64], fp[32], rp[32], cp[32], want[512];
        pprof_report_format(f, sizeof f, p, &o, unit, fv);
        pprof_report_format(c, sizeof c, p, &o, unit, cv);
        pprof_format_percent(fp, sizeof fp, fv, o.total);
        pprof_format_percent(rp, sizeof rp, running, o.total);
        pprof_format_percent(cp, sizeof cp, cv, o.total);
        name.len = 0;
        pprof_node_text(&name, g, n);
        pprof_buf_append(&name, "", 1);
        snprintf(want, sizeof want, "\n%10s %s %s %10s %s                | %s\n", f, fp, rp, c, cp, (const char *)name.data);
        const char *hit = strstr(at, want);
        missing += !hit;
        if (!hit && missing < 4)
            fprintf(stderr, "-tree has no line%s", want);
        at = hit ? hit + 1 : at;
        lines++;
        /* Its callees' lines follow it. */
        for (uint32_t k = 0; hit && k < n->n_out; k++) {
            const pprof_edge *e = &g->edges[g->out_edges[n->out_off + k]];
            char w[64], pct[32];
            pprof_report_format(w, sizeof w, p, &o, unit, e->weight);
            pprof_format_percent(pct, sizeof pct, e->weight, cv);
            name.len = 0;
            pprof_node_text(&name, g, &g->nodes[e->dst]);
            pprof_buf_append(&name, "", 1);
            snprintf(want, sizeof want, "\n%50s %s |   %s%s\n", w, pct, (const char *)name.data, e->is_inline ? " (inline)" : "");
            const char *end = strstr(hit + 1, "\n-----");
            const char *eh = strstr(hit + 1, want);
            missing += !eh || (end && eh > end);
            if ((!eh || (end && eh > end)) && missing < 4)
                fprintf(stderr, "-tree has no edge line%s", want);
            lines++;
        }
    }
    CHECK_INT(missing, 0);
    CHECK(g && g->n_nodes > 4000 && lines > 40000);
    pprof_buf_release(&name);
    pprof_graph_free(g);
    pprof_buf_release(&out);
    pprof_profile_free(p);
    free(loc);
}

int main(void)
{
    test_tags_upstream_layout();
    test_tags_numeric();
    test_tree_repeated_values();
    test_tree_parts();
    test_tree_lines_as_printf();
    test_traces_labels();
    test_raw_labels();
    return unit_report("reports");
}
