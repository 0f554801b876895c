/* test_folded.c: unit tests of the folded (collapsed) stack reader, pprof_read_folded, and of pprof_read finding folded text. */
#include "readers.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static int parse(pprof_profile **p, const char *s, pprof_error *err)
{
    memset(err, 0, sizeof *err);
    return pprof_read_folded(p, (const uint8_t *)s, strlen(s), err);
}

/* Name of location li's function. */
static const char *loc_name(const pprof_profile *p, uint32_t li)
{
    const pprof_location *l = &p->locations[li];
    return pprof_string(p, p->functions[p->lines[l->lines_off].function].name);
}

static bool is_base(const pprof_profile *p, const pprof_sample *s)
{
    for (uint32_t k = 0; k < s->n_labels; k++) {
        const pprof_label *l = &p->labels[s->labels_off + k];
        if (!strcmp(pprof_string(p, l->key), "pprof::base") && !strcmp(pprof_string(p, l->str), "true"))
            return true;
    }
    return false;
}

/* The samples back as folded lines, root first, in sample order:
 * "a;b 5\n", base samples as "a;b -5 base\n". */
static char *render(const pprof_profile *p)
{
    pprof_buf b = {0};
    for (size_t i = 0; i < p->n_samples; i++) {
        const pprof_sample *s = &p->samples[i];
        for (uint32_t k = s->n_locs; k-- > 0;) {
            pprof_buf_puts(&b, loc_name(p, p->sample_locs[s->locs_off + k]));
            if (k)
                pprof_buf_puts(&b, ";");
        }
        pprof_buf_printf(&b, " %lld%s\n", (long long)pprof_sample_values(p, i)[0],
                         is_base(p, s) ? " base" : "");
    }
    pprof_buf_append(&b, "", 1);
    return (char *)b.data;
}

/* Parses s and compares the rendered samples with want. */
static void check_parse(const char *s, const char *want)
{
    pprof_profile *p = NULL;
    pprof_error err;
    int rc = parse(&p, s, &err);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  error: %s\n", err.msg);
        return;
    }
    char *got = render(p);
    CHECK_STR(got, want);
    CHECK_INT(pprof_profile_check(p, &err), 0);
    free(got);
    pprof_profile_free(p);
}

static void check_unrecognized(const void *data, size_t len, const char *what)
{
    pprof_profile *p = (pprof_profile *)1;
    pprof_error err = {0};
    int rc = pprof_read_folded(&p, data, len, &err);
    if (rc != PPROF_EUNRECOGNIZED)
        fprintf(stderr, "  taken as folded: %s\n", what);
    CHECK_INT(rc, PPROF_EUNRECOGNIZED);
    CHECK(p == NULL);
    CHECK_INT(err.code, PPROF_EUNRECOGNIZED);
    pprof_profile_free(rc == 0 ? p : NULL);
}

static void check_unrecognized_str(const char *s)
{
    check_unrecognized(s, strlen(s), s);
}

static void check_error(const char *s, int code, const char *msg_part)
{
    pprof_profile *p = (pprof_profile *)1;
    pprof_error err;
    int rc = parse(&p, s, &err);
    CHECK_INT(rc, code);
    CHECK(p == NULL);
    CHECK(strstr(err.msg, msg_part) != NULL);
    if (!strstr(err.msg, msg_part))
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, msg_part);
}

static const char *comment(const pprof_profile *p, size_t i)
{
    return i < p->n_comments ? pprof_string(p, p->comments[i]) : "(none)";
}

static void test_basic_model(void)
{
    pprof_profile *p;
    pprof_error err;
    CHECK_INT(parse(&p, "main;a;b 10\nmain;a 5\nmain;a;b 3\nmain;c;b 1\n", &err), 0);
    CHECK_INT(p->n_sample_types, 1);
    CHECK_STR(pprof_string(p, p->sample_types[0].type), "samples");
    CHECK_STR(pprof_string(p, p->sample_types[0].unit), "count");
    CHECK_INT(p->n_functions, 4);
    CHECK_INT(p->n_locations, 4);
    CHECK_INT(p->n_mappings, 0);
    CHECK_INT(p->n_samples, 3);
    CHECK_INT(p->time_nanos, 0);
    CHECK_INT(p->duration_nanos, 0);
    CHECK_INT(p->period, 0);
    CHECK_INT(p->n_comments, 0);
    CHECK_INT(p->n_labels, 0);
    for (size_t i = 0; i < p->n_functions; i++) {
        CHECK_INT(p->functions[i].id, i + 1);
        CHECK_INT(p->functions[i].filename, 0);
        CHECK_INT(p->functions[i].system_name, p->functions[i].name);
    }
    for (size_t i = 0; i < p->n_locations; i++) {
        CHECK_INT(p->locations[i].id, i + 1);
        CHECK_INT(p->locations[i].mapping, PPROF_NONE);
        CHECK_INT(p->locations[i].address, 0);
        CHECK_INT(p->locations[i].n_lines, 1);
        CHECK_INT(p->lines[p->locations[i].lines_off].function, i);
    }
    /* Functions in first-seen order; samples leaf first. */
    CHECK_STR(pprof_string(p, p->functions[0].name), "main");
    CHECK_STR(pprof_string(p, p->functions[2].name), "b");
    CHECK_INT(p->samples[0].n_locs, 3);
    CHECK_STR(loc_name(p, p->sample_locs[p->samples[0].locs_off]), "b");
    CHECK_STR(loc_name(p, p->sample_locs[p->samples[0].locs_off + 2]), "main");
    CHECK_INT(pprof_sample_values(p, 0)[0], 13);
    CHECK_INT(pprof_sample_values(p, 1)[0], 5);
    CHECK_INT(pprof_sample_values(p, 2)[0], 1);
    bool ovf;
    CHECK_INT(pprof_profile_total(p, 0, false, &ovf), 19);
    CHECK_INT(pprof_profile_check(p, &err), 0);
    pprof_profile_free(p);
}

static void test_lines(void)
{
    /* No final newline; a single frame; leading zeros. */
    check_parse("a;b 1\nc 007", "a;b 1\nc 7\n");
    /* CRLF, comments, blank lines, a BOM, leading and trailing blanks. */
    check_parse("\xef\xbb\xbf# collapsed by perf\r\n\r\n  a;b 2\r\n#x;y 9\r\n   # indented comment\r\n"
                "\t\r\na;b 3 \t\r\nc;d 1\r\n",
                "a;b 5\nc;d 1\n");
    /* Old-Mac-free, CR only before LF: a lone CR stays inside a name. */
    check_parse("x 1\na\rb 1\n", "x 1\na\rb 1\n");
    /* Tab separator (flamegraph.pl), several blanks. */
    check_parse("a;b\t7\nc;d   \t 2\n", "a;b 7\nc;d 2\n");
    /* Zero counts make a (zero) sample in a plain file. */
    check_parse("a 0\nb 1\n", "a 0\nb 1\n");
}

static void test_spaces_in_frames(void)
{
    check_parse("node;LazyCompile:_tickDomainCallback node.js:387_[j];baz(int, char) 4\n"
                "java;[unknown <0>];read 2\n"
                "a;b c;d e 1\n",
                "node;LazyCompile:_tickDomainCallback node.js:387_[j];baz(int, char) 4\n"
                "java;[unknown <0>];read 2\n"
                "a;b c;d e 1\n");
    /* Frames keep inner blanks at their edges: only the line is trimmed. */
    check_parse("a; b ;c 1\n", "a; b ;c 1\n");
    /* A last frame ending in " <digits>" in a plain file stays one frame. */
    check_parse("main;sleep 100 7\nmain;run 3\n", "main;sleep 100 7\nmain;run 3\n");
    check_parse("Thread 2;main 5\nThread 12;main 1\n", "Thread 2;main 5\nThread 12;main 1\n");
}

static void test_empty_frames(void)
{
    /* Empty frames are kept as frames with an empty name. */
    check_parse("a;;b 1\n;a;b; 2\n;;a;;;b;; 4\na;;b 3\n", "a;;b 4\n;a;b; 2\n;;a;;;b;; 4\n");
    pprof_profile *p;
    pprof_error err;
    CHECK_INT(parse(&p, "a;;b 1\n;a 2\n", &err), 0);
    CHECK_INT(p->n_functions, 3);
    CHECK_STR(pprof_string(p, p->functions[1].name), "");
    CHECK_INT(p->functions[1].name, 0);
    CHECK_INT(p->samples[0].n_locs, 3);
    CHECK_INT(p->sample_locs[p->samples[0].locs_off + 1], p->sample_locs[p->samples[1].locs_off + 1]);
    pprof_profile_free(p);
    /* A line with no named frame at all is malformed (skipped). */
    CHECK_INT(parse(&p, "a 1\n;;; 5\n", &err), 0);
    CHECK_INT(p->n_samples, 1);
    CHECK_INT(p->n_comments, 1);
    CHECK_STR(comment(p, 0), "folded stacks: ignored 1 malformed line (the first is line 2)");
    pprof_profile_free(p);
    /* ... and not folded text when it comes first. */
    check_unrecognized_str(";;; 5\na 1\n");
}

static void test_malformed_lines(void)
{
    pprof_profile *p;
    pprof_error err;
    static const char s[] = "a;b 1\nnot a count line\nc 2\nx;y abc\nd -5\ne 1e3\nf .5\ng 4\n"
                            "h\t\n"
                            "nul\0here 3\n"
                            "i 1\n";
    memset(&err, 0, sizeof err);
    CHECK_INT(pprof_read_folded(&p, (const uint8_t *)s, sizeof s - 1, &err), 0);
    char *got = render(p);
    CHECK_STR(got, "a;b 1\nc 2\ng 4\ni 1\n");
    free(got);
    CHECK_INT(p->n_comments, 1);
    CHECK_STR(comment(p, 0), "folded stacks: ignored 7 malformed lines (the first is line 2)");
    pprof_profile_free(p);
}

static void test_counts(void)
{
    check_parse("a 9223372036854775807\n", "a 9223372036854775807\n");
    check_error("a 9223372036854775808\n", PPROF_EFORMAT, "line 1");
    check_error("a 1\nb 2\nc 99999999999999999999999999999999999999999999999999999\n", PPROF_EFORMAT,
                "line 3: count 9999999999999999999999999999999999999999...");
    /* Sums of one stack overflowing are an error naming the line. */
    check_error("a 9223372036854775807\nb 1\na 1\n", PPROF_EFORMAT, "line 3");
    check_error("a 1 9223372036854775807\na 9223372036854775807 0\na 1 0\n", PPROF_EFORMAT, "line 2");
    check_error("a 1 9223372036854775806\nb 1 1\na 0 1\na 0 1\n", PPROF_EFORMAT, "line 4");
    check_error("a 9223372036854775808 1\n", PPROF_EFORMAT, "line 1");
    /* Distinct stacks near the limit are fine. */
    check_parse("a 9223372036854775807\nb 9223372036854775807\n",
                "a 9223372036854775807\nb 9223372036854775807\n");
    /* Fractions are truncated and noted. */
    pprof_profile *p;
    pprof_error err;
    CHECK_INT(parse(&p, "m;a 1.5\nb 2.\nc 3.000\nd 0.75\n", &err), 0);
    char *got = render(p);
    CHECK_STR(got, "m;a 1\nb 2\nc 3\nd 0\n");
    free(got);
    CHECK_INT(p->n_comments, 1);
    CHECK_STR(comment(p, 0), "folded stacks: fractional counts truncated on 2 lines");
    pprof_profile_free(p);
}

static void test_two_columns(void)
{
    check_parse("a;b 3 5\na;c 0 2\na;d 4 0\na;b 1 1\ne 0 0\n",
                "a;b 6\na;c 2\na;b -4 base\na;d -4 base\n");
    /* The "after" column may hold frames with spaces before it. */
    check_parse("main;sleep 100 7 8\nmain;run 1 2\n", "main;sleep 100 8\nmain;run 2\nmain;sleep 100 -7 base\nmain;run -1 base\n");
    /* One-line file whose last frame ends in a number: differential, as in flamegraph.pl. */
    check_parse("main;sleep 100 7\n", "main;sleep 7\nmain;sleep -100 base\n");
    /* One line with a single count makes the whole file one-column. */
    check_parse("a 1 2\nb 3\n", "a 1 2\nb 3\n");
    /* Malformed lines do not decide the mode. */
    check_parse("a 1 2\nbad line\nb 3 4\n", "a 2\nb 4\na -1 base\nb -3 base\n");

    pprof_profile *p;
    pprof_error err;
    CHECK_INT(parse(&p, "x;y 10 4\nx;z 2 6\n", &err), 0);
    CHECK_INT(p->n_samples, 4);
    CHECK_INT(p->n_sample_types, 1);
    CHECK_STR(pprof_string(p, p->sample_types[0].type), "samples");
    CHECK_STR(pprof_string(p, p->sample_types[0].unit), "count");
    CHECK_INT(p->samples[0].n_labels, 0);
    CHECK_INT(p->samples[2].n_labels, 1);
    const pprof_label *l = &p->labels[p->samples[2].labels_off];
    CHECK_STR(pprof_string(p, l->key), "pprof::base");
    CHECK_STR(pprof_string(p, l->str), "true");
    CHECK_INT(l->num, 0);
    /* As with -diff_base, the report total is the base's. */
    bool ovf;
    CHECK_INT(pprof_profile_total(p, 0, false, &ovf), 12);
    CHECK_INT(pprof_profile_check(p, &err), 0);
    pprof_profile_free(p);
}

static void test_bytes_kept(void)
{
    /* Invalid UTF-8, control characters and markup stay as bytes. */
    check_parse("a;\xff\xfe;\xc3\x28 1\n", "a;\xff\xfe;\xc3\x28 1\n");
    check_parse("a 1\nb;\x01\x1b[31m;<script>alert(1)</script>;]]>&\"' 2\n",
                "a 1\nb;\x01\x1b[31m;<script>alert(1)</script>;]]>&\"' 2\n");
}

static void test_unrecognized(void)
{
    check_unrecognized("", 0, "empty");
    check_unrecognized(NULL, 0, "NULL");
    check_unrecognized_str("# just a comment\n\n# another\n");
    check_unrecognized_str("\n\n   \n");
    check_unrecognized("\0\0\0\0\0\0\0\0\3\0\0\0", 12, "gperftools CPU header");
    check_unrecognized("a;b 1\0\n", 7, "NUL on the first line");
    check_unrecognized("# c\0\na 1\n", 9, "NUL in a leading comment");
    check_unrecognized("\x0a\x04\x08\x01\x10\x02\x0a\x02\x08\x03 1\n", 12, "protobuf-like");
    check_unrecognized_str("heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1 0x2\n");
    check_unrecognized_str("heap profile: 1: 2 [3: 4] @ heap_v2/524288\n");
    check_unrecognized_str("goroutine profile: total 4\n4 @ 0x1234 0x5678\n#\t0x1234\tmain.f+0x1\n");
    check_unrecognized_str("threadcreate profile: total 12\n");
    check_unrecognized_str("--- contention:\ncycles/second=2000000000\nsampling period = 1\n");
    check_unrecognized_str("--- mutex:\ncycles/second=1\n");
    check_unrecognized_str("--- heapz 1 ---\nformat = java\n");
    check_unrecognized_str("--- threadz 1 ---\n");
    check_unrecognized_str("1 @ 0x1234 0x5678\n");
    check_unrecognized_str("1: 262144 [1: 262144] @ 0x1 0x2\n");
    check_unrecognized_str("  12  @ 0x1 0x2\n");
    check_unrecognized_str("sampling period = 1\n");
    check_unrecognized_str("Total: 5\n");
    check_unrecognized_str(" bytes: Total 18703725.0\n        6269896.0 (33.52%): 48B\n");
    check_unrecognized_str("version: 1\ncreator: pprof\n");
    check_unrecognized_str("key = 5\n");
    check_unrecognized_str("main 1.5\n");
    check_unrecognized_str("PeriodType: cpu nanoseconds\nPeriod: 10000000\n");
    check_unrecognized_str("File: prog\nType: cpu\n");
    check_unrecognized_str("<!DOCTYPE html>\n<html>\n");
    check_unrecognized_str("a;b\n");
    check_unrecognized_str("a;b -1\n");
    check_unrecognized_str("a;b 0x10\n");
    check_unrecognized_str("12345\n");
    check_unrecognized_str("a;b 1.2.3\n");
    check_unrecognized_str("a;b 1\r\r\n");
    check_unrecognized_str("\xef\xbb\xbf");
    check_error("# c\n\nnot folded\na 1\n", PPROF_EUNRECOGNIZED, "line 3 is not");
    check_error("# c\n\x01\n", PPROF_EUNRECOGNIZED, "control byte 0x01 at line 2");
    /* Binary junk rejected at its first control byte, without scanning on. */
    size_t n = 1 << 20;
    uint8_t *junk = malloc(n);
    for (size_t i = 0; i < n; i++)
        junk[i] = (uint8_t)(i * 131 + 7);
    check_unrecognized(junk, n, "junk");
    free(junk);
}

static void test_determinism(void)
{
    const char *s = "z;y;x 3\na;b 2 \nm;n;o;p 1\nz;y 4\n\xff;q 5\na;b 1\n";
    pprof_profile *p1, *p2;
    pprof_error err;
    CHECK_INT(parse(&p1, s, &err), 0);
    CHECK_INT(parse(&p2, s, &err), 0);
    pprof_buf b1 = {0}, b2 = {0};
    CHECK_INT(pprof_profile_encode(&b1, p1, false, &err), 0);
    CHECK_INT(pprof_profile_encode(&b2, p2, false, &err), 0);
    CHECK(b1.len > 0 && b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
    /* The encoded profile decodes back to the same samples. */
    pprof_profile *p3 = NULL;
    pprof_parse_options opt = {0};
    CHECK_INT(pprof_profile_parse(&p3, b1.data, b1.len, &opt, &err), 0);
    if (p3) {
        char *r1 = render(p1), *r3 = render(p3);
        CHECK_STR(r3, r1);
        CHECK_STR(r1, "z;y;x 3\na;b 3\nm;n;o;p 1\nz;y 4\n\xff;q 5\n");
        free(r1);
        free(r3);
    }
    pprof_profile_free(p3);
    pprof_buf_release(&b1);
    pprof_buf_release(&b2);
    pprof_profile_free(p1);
    pprof_profile_free(p2);

    /* A differential profile also encodes and decodes. */
    CHECK_INT(parse(&p1, "a;b 1 2\nc 3 0\n", &err), 0);
    pprof_buf b = {0};
    CHECK_INT(pprof_profile_encode(&b, p1, true, &err), 0);
    p3 = NULL;
    CHECK_INT(pprof_profile_parse(&p3, b.data, b.len, &opt, &err), 0);
    if (p3) {
        char *r = render(p3);
        CHECK_STR(r, "a;b 2\na;b -1 base\nc -3 base\n");
        free(r);
    }
    pprof_profile_free(p3);
    pprof_buf_release(&b);
    pprof_profile_free(p1);
}

static void test_deep(void)
{
    const size_t depth = 100000;
    pprof_buf b = {0};
    for (size_t i = 0; i < depth; i++)
        pprof_buf_printf(&b, "%sf%zu", i ? ";" : "", i);
    pprof_buf_puts(&b, " 3\n");
    for (size_t i = 0; i < depth; i++)
        pprof_buf_puts(&b, "r;");
    pprof_buf_puts(&b, "r 2\n");
    pprof_profile *p;
    pprof_error err;
    CHECK_INT(pprof_read_folded(&p, b.data, b.len, &err), 0);
    CHECK_INT(p->n_samples, 2);
    CHECK_INT(p->n_functions, depth + 1);
    CHECK_INT(p->samples[0].n_locs, depth);
    CHECK_STR(loc_name(p, p->sample_locs[p->samples[0].locs_off]), "f99999");
    CHECK_STR(loc_name(p, p->sample_locs[p->samples[0].locs_off + depth - 1]), "f0");
    CHECK_INT(p->samples[1].n_locs, depth + 1);
    CHECK_INT(pprof_sample_values(p, 1)[0], 2);
    pprof_profile_free(p);
    pprof_buf_release(&b);
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rng(void)
{
    return unit_rng(&rng_state);
}

static void test_many_stacks(void)
{
    /* The spec's flamegraph.pl benchmark input (spec/flamegraph.md §3c):
     * 100,000 distinct stacks built by extending prefixes of earlier ones,
     * 6,000 frame names (~20 bytes, 15% with "_[k]") and 20 roots, average
     * depth about 20: about 42 MB. Plus 10% of the lines again, summed. */
    enum { N_STACKS = 100000, N_POOL = 6000, N_ROOTS = 20 };
    char(*pool)[32] = malloc((N_POOL + N_ROOTS) * sizeof *pool);
    for (unsigned i = 0; i < N_POOL; i++) {
        snprintf(pool[i], sizeof pool[i], "pkg%02u/mod.Func%05u", i % 97, i);
        if (rng() % 100 < 15)
            memcpy(pool[i] + strlen(pool[i]) - 4, "_[k]", 4);
    }
    for (unsigned i = 0; i < N_ROOTS; i++)
        snprintf(pool[N_POOL + i], sizeof pool[i], "proc-%u", i);
    uint16_t **stk = malloc(N_STACKS * sizeof *stk);
    size_t *depth = malloc(N_STACKS * sizeof *depth);
    pprof_buf b = {0};
    int64_t total = 0;
    for (size_t i = 0; i < N_STACKS; i++) {
        size_t target = 2 + rng() % 38, d = 0;
        stk[i] = malloc(64 * sizeof **stk);
        if (i && rng() % 10 < 9) {
            size_t j = rng() % i;
            d = 1 + rng() % depth[j];
            memcpy(stk[i], stk[j], d * sizeof **stk);
        } else {
            stk[i][d++] = (uint16_t)(N_POOL + rng() % N_ROOTS);
        }
        if (target <= d)
            target = d + 1;
        while (d < target && d < 64)
            stk[i][d++] = (uint16_t)(rng() % N_POOL);
        depth[i] = d;
        for (size_t k = 0; k < d; k++) {
            pprof_buf_puts(&b, pool[stk[i][k]]);
            pprof_buf_puts(&b, k + 1 < d ? ";" : " ");
        }
        int64_t c = (int64_t)(1 + rng() % 16);
        total += c;
        pprof_buf_printf(&b, "%lld\n", (long long)c);
    }
    for (size_t i = 0; i < N_STACKS; i++)
        free(stk[i]);
    free(stk);
    free(depth);
    free(pool);
    size_t tenth = b.len / 10;
    uint8_t *again = malloc(tenth);
    memcpy(again, b.data, tenth);
    while (tenth && again[tenth - 1] != '\n')
        tenth--;
    for (size_t i = 0; i < tenth; i++) {
        if (again[i] != '\n')
            continue;
        size_t e = i;
        while (again[e - 1] != ' ')
            e--;
        total += strtoll((const char *)again + e, NULL, 10);
    }
    pprof_buf_append(&b, again, tenth);
    free(again);
    CHECK(!b.failed);
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    pprof_profile *p = NULL;
    pprof_error err;
    int rc = pprof_read_folded(&p, b.data, b.len, &err);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    printf("folded: parsed %zu bytes, %zu lines into %zu stacks and %zu functions in %.3f s (%.3f s CPU)\n",
           b.len, (size_t)N_STACKS + N_STACKS / 10, p ? p->n_samples : 0, p ? p->n_functions : 0, secs, cpu);
    CHECK_INT(rc, 0);
    CHECK(cpu < 5.0); /* CPU time: wall time on a loaded machine says nothing */
    if (p) {
        /* Almost all generated stacks are distinct (a few repeat by chance). */
        CHECK(p->n_samples > N_STACKS * 99 / 100 && p->n_samples <= N_STACKS);
        CHECK(p->n_functions > N_POOL / 2 && p->n_functions <= N_POOL + N_ROOTS);
        bool ovf;
        CHECK_INT(pprof_profile_total(p, 0, false, &ovf), total);
        CHECK_INT(p->n_comments, 0);
    }
    pprof_profile_free(p);
    pprof_buf_release(&b);
}

/* pprof_read sniffs the head of gzip input from the inflated first bytes
 * it checked (PPROF_READ_PREFIX of input) when they gave it whole; here
 * they give none: a member of empty stored blocks longer than the prefix,
 * then the folded text. The sniffs must see the text: inflated again from
 * the whole input (taken as is, the head is empty and no reader fits). */
static void test_read_gzip_late_head(void)
{
    const char text[] = "main;work 7\nmain;idle 3\n";
    enum { EMPTY = PPROF_READ_PREFIX / 5 + 100 };
    size_t cap = 10 + 5 * (size_t)EMPTY + 5 + sizeof text + 8, n = 0;
    uint8_t *gz = malloc(cap);
    static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    memcpy(gz, header, sizeof header);
    n = sizeof header;
    for (int i = 0; i < EMPTY; i++) { /* not last, stored, LEN 0, NLEN ~0 */
        static const uint8_t empty[5] = {0, 0, 0, 0xff, 0xff};
        memcpy(gz + n, empty, 5);
        n += 5;
    }
    uint16_t len = (uint16_t)(sizeof text - 1);
    gz[n++] = 1; /* last, stored */
    gz[n++] = (uint8_t)len;
    gz[n++] = (uint8_t)(len >> 8);
    gz[n++] = (uint8_t)~len;
    gz[n++] = (uint8_t)(~len >> 8);
    memcpy(gz + n, text, len);
    n += len;
    uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)text, len);
    for (int k = 0; k < 4; k++)
        gz[n++] = (uint8_t)(crc >> (8 * k));
    for (int k = 0; k < 4; k++)
        gz[n++] = (uint8_t)((uint32_t)len >> (8 * k));
    CHECK(n > PPROF_READ_PREFIX);
    pprof_profile *p = NULL;
    pprof_error err = {0};
    CHECK_INT(pprof_read(&p, gz, n, NULL, &err), 0);
    if (p) {
        CHECK_INT(p->n_samples, 2);
        pprof_profile_free(p);
    } else {
        fprintf(stderr, "  pprof_read: %s\n", err.msg);
    }
    free(gz);
}

int main(void)
{
    test_basic_model();
    test_lines();
    test_spaces_in_frames();
    test_empty_frames();
    test_malformed_lines();
    test_counts();
    test_two_columns();
    test_bytes_kept();
    test_unrecognized();
    test_determinism();
    test_deep();
    test_many_stacks();
    test_read_gzip_late_head();
    return unit_report("folded");
}
