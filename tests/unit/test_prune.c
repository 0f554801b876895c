/* test_prune.c: drop_frames/keep_frames pruning on small profiles described as text; also writes them as fixtures. */
#include "pprof.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/*
 * A profile description, one item a line:
 *   drop RE | keep RE         the profile's drop_frames / keep_frames
 *   loc ID NAME;NAME;...      a location, its lines innermost first
 *   sample VALUE ID ID ...    a sample (cpu nanoseconds), locations leaf first
 * Functions are made once per name, in file "prune.c"; line numbers are
 * the location id times 10 plus the line's index.
 */
static pprof_str S(pprof_profile *p, const char *s, size_t n)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, n);
    return id;
}

static uint32_t function_named(pprof_profile *p, const char *name, size_t n)
{
    pprof_str s = S(p, name, n);
    for (size_t i = 0; i < p->n_functions; i++)
        if (p->functions[i].name == s)
            return (uint32_t)i;
    pprof_function f = {.id = p->n_functions + 1, .name = s, .system_name = s, .filename = S(p, "prune.c", 7)};
    uint32_t out = 0;
    pprof_profile_add_function(&out, p, &f);
    return out;
}

static uint32_t location_with_id(const pprof_profile *p, uint64_t id)
{
    for (size_t i = 0; i < p->n_locations; i++)
        if (p->locations[i].id == id)
            return (uint32_t)i;
    return PPROF_NONE;
}

static pprof_profile *build(const char *desc)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu", 3), S(p, "nanoseconds", 11)});
    p->period_type = (pprof_value_type){S(p, "cpu", 3), S(p, "nanoseconds", 11)};
    p->period = 1;
    pprof_mapping m = {.id = 1, .start = 0x1000, .limit = 0x100000, .file = S(p, "prune.bin", 9),
                       .has_functions = true, .has_filenames = true, .has_line_numbers = true,
                       .has_inline_frames = true};
    pprof_profile_add_mapping(NULL, p, &m);
    for (const char *line = desc; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)len, line);
        line += len + (end ? 1 : 0);
        if (strncmp(buf, "drop ", 5) == 0) {
            p->drop_frames = S(p, buf + 5, strlen(buf + 5));
        } else if (strncmp(buf, "keep ", 5) == 0) {
            p->keep_frames = S(p, buf + 5, strlen(buf + 5));
        } else if (strncmp(buf, "loc ", 4) == 0) {
            char *names;
            uint64_t id = strtoull(buf + 4, &names, 10);
            pprof_line lines[16];
            size_t n = 0;
            for (char *s = names + 1; *s && n < 16;) {
                size_t k = strcspn(s, ";");
                lines[n] = (pprof_line){.function = function_named(p, s, k), .line = (int64_t)(id * 10 + n)};
                n++;
                s += k + (s[k] ? 1 : 0);
            }
            pprof_location l = {.id = id, .address = 0x1000 + id * 16, .mapping = 0};
            pprof_profile_add_location(NULL, p, &l, lines, n);
        } else if (strncmp(buf, "sample ", 7) == 0) {
            char *s;
            int64_t v = strtoll(buf + 7, &s, 10);
            uint32_t locs[64];
            size_t n = 0;
            while (*s == ' ' && n < 64) {
                uint64_t id = strtoull(s + 1, &s, 10);
                locs[n++] = location_with_id(p, id);
            }
            pprof_profile_add_sample(p, locs, n, &v, NULL, 0);
        }
    }
    return p;
}

/* Sample i's stack as "leaf;...;root" of function names, inline frames included. */
static const char *stack_of(const pprof_profile *p, size_t i)
{
    static char buf[1024];
    size_t n = 0;
    buf[0] = 0;
    const pprof_sample *s = &p->samples[i];
    for (uint32_t k = 0; k < s->n_locs; k++) {
        const pprof_location *l = &p->locations[p->sample_locs[s->locs_off + k]];
        for (uint32_t j = 0; j < l->n_lines; j++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? ";" : "",
                                  pprof_string(p, p->functions[p->lines[l->lines_off + j].function].name));
    }
    return buf;
}

/* The fixtures: written by --write for the CLI goldens (made by go tool
 * pprof, which prunes them the same way), and the stacks go tool pprof
 * -traces shows for them, leaf first, checked here. */
static const struct fixture {
    const char *file;
    const char *desc;
    const char *const *want;
} fixtures[] = {
    {"prune_inline.pb.gz",
     "drop malloc|operator new|runtime\\..*\n"
     "keep runtime\\.panic.*\n"
     "loc 1 malloc\n"
     "loc 2 operator new(unsigned long)\n"
     "loc 3 runtime.mallocgc;runtime.newobject;main.alloc\n"
     "loc 4 main.work;main.helper\n"
     "loc 5 main.main\n"
     "loc 6 runtime.main\n"
     "loc 7 runtime.goexit\n"
     "loc 8 xmalloc\n"
     "loc 9 runtime.panicwrap;main.recover\n"
     "loc 10 helper;malloc\n"
     "loc 11 runtime.schedule;runtime.mcall\n"
     "sample 100 1 4 5 6 7\n"
     "sample 200 2 1 4 5 6 7\n"
     "sample 300 3 4 5 6 7\n"
     "sample 400 8 4 5 6 7\n"
     "sample 500 9 5 6 7\n"
     "sample 600 10 5 6 7\n"
     "sample 700 11 6 7\n"
     "sample 800 4 1 5 6 7\n"
     "sample 900 1 6 1 5 6 7\n"
     "loc 12 runtime.x;main.outer\n"
     "sample 1000 4 12\n"
     "sample 1100 1 12 5\n"
     "sample 1200 2 4 5\n"
     "sample 1300 4 12 7\n"
     "sample 1400 1 12 7\n",
     (const char *const[]){
         "main.work;main.helper;main.main;runtime.main;runtime.goexit",
         "main.work;main.helper;main.main;runtime.main;runtime.goexit",
         "main.alloc;main.work;main.helper;main.main;runtime.main;runtime.goexit",
         "xmalloc;main.work;main.helper;main.main;runtime.main;runtime.goexit",
         "runtime.panicwrap;main.recover;main.main;runtime.main;runtime.goexit",
         "main.main;runtime.main;runtime.goexit",
         "runtime.schedule;runtime.mcall;runtime.main;runtime.goexit",
         "main.main;runtime.main;runtime.goexit",
         "main.main;runtime.main;runtime.goexit",
         "main.work;main.helper;main.outer",
         "main.outer;main.main",
         "main.work;main.helper;main.main",
         "main.work;main.helper;main.outer;runtime.goexit",
         "malloc;main.outer;runtime.goexit",
         NULL}},
    {"prune_names.pb.gz",
     "drop pkg\\.|\\(anonymous namespace\\)::leak|Foo::operator\\(\\)|dot|A::B\n"
     "loc 1 pkg.(*T).run\n"
     "loc 2 (anonymous namespace)::leak(int)\n"
     "loc 3 Foo::operator()(int)\n"
     "loc 4 .dot\n"
     "loc 5 A::B<int>(x)\n"
     "loc 6 user\n"
     "loc 7 root\n"
     "sample 1 1 6 7\n"
     "sample 2 2 6 7\n"
     "sample 3 3 6 7\n"
     "sample 4 4 6 7\n"
     "sample 5 5 6 7\n",
     (const char *const[]){"user;root", "user;root", "user;root", "user;root", "A::B<int>(x);user;root", NULL}},
};

/* Real profiles given a drop_frames (and keep_frames) by --write. */
static const struct rewrite {
    const char *src, *file, *drop, *keep;
} rewrites[] = {
    {"data/merged/cpu.pb.gz", "cpu_drop.pb.gz", "runtime\\.(mallocgc|memclr.*|memmove|gc.*)|regexp\\.|sync\\..*",
     "runtime\\.gcBgMarkWorker"},
    {"data/sample.cpu", "sample_drop_runtime.pb.gz", "runtime\\..*", ""},
};

static int write_profile(const pprof_profile *p, const char *dir, const char *file)
{
    pprof_buf out = {0};
    pprof_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    int rc = !f || pprof_profile_encode(&out, p, true, &err) || fwrite(out.data, 1, out.len, f) != out.len;
    if (f && fclose(f))
        rc = 1;
    pprof_buf_release(&out);
    printf("%s %s\n", rc ? "FAILED to write" : "wrote", path);
    return rc;
}

static pprof_profile *read_profile(const char *path)
{
    FILE *f = fopen(path, "rb");
    pprof_buf b = {0};
    pprof_error err;
    pprof_profile *p = NULL;
    if (f && pprof_read_stream(&b, f, NULL, &err) == 0 && pprof_profile_parse(&p, b.data, b.len, NULL, &err) != 0)
        p = NULL;
    if (f)
        fclose(f);
    pprof_buf_release(&b);
    return p;
}

/* --write DIR (run in tests/): the fixtures of the CLI cases. */
static int write_fixtures(const char *dir)
{
    int rc = 0;
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        pprof_profile *p = build(fixtures[i].desc);
        rc |= write_profile(p, dir, fixtures[i].file);
        pprof_profile_free(p);
    }
    for (size_t i = 0; i < sizeof rewrites / sizeof rewrites[0]; i++) {
        const struct rewrite *r = &rewrites[i];
        pprof_profile *p = read_profile(r->src);
        if (!p) {
            printf("FAILED to read %s\n", r->src);
            rc = 1;
            continue;
        }
        pprof_profile_intern(&p->drop_frames, p, r->drop, strlen(r->drop));
        pprof_profile_intern(&p->keep_frames, p, r->keep, strlen(r->keep));
        rc |= write_profile(p, dir, r->file);
        pprof_profile_free(p);
    }
    return rc;
}

static void test_fixture(const struct fixture *fx)
{
    pprof_profile *p = build(fx->desc);
    pprof_error err;
    CHECK_INT(pprof_profile_prune_frames(p, &err), 0);
    size_t n = 0;
    while (fx->want[n])
        n++;
    CHECK_INT(p->n_samples, n);
    for (size_t i = 0; i < n && i < p->n_samples; i++)
        CHECK_STR(stack_of(p, i), fx->want[i]);
    pprof_profile_free(p);
}

/* No drop_frames, or a regexp that does not compile (drop or keep): the
 * stacks stay as they are, silently, as in pprof. */
static void test_nothing_to_do(void)
{
    static const char *const descs[] = {
        "loc 1 malloc\nloc 2 main\nsample 1 1 2\n",
        "drop (\nloc 1 malloc\nloc 2 main\nsample 1 1 2\n",
        "drop malloc\nkeep [\nloc 1 malloc\nloc 2 main\nsample 1 1 2\n",
    };
    for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++) {
        pprof_profile *p = build(descs[i]);
        pprof_error err;
        CHECK_INT(pprof_profile_prune_frames(p, &err), 0);
        CHECK_STR(stack_of(p, 0), "malloc;main");
        pprof_profile_free(p);
    }
    /* The control: the same profile with a good regexp is pruned. */
    pprof_profile *p = build("drop malloc\nloc 1 malloc\nloc 2 main\nsample 1 1 2\n");
    pprof_error err;
    CHECK_INT(pprof_profile_prune_frames(p, &err), 0);
    CHECK_STR(stack_of(p, 0), "main");
    pprof_profile_free(p);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0)
        return write_fixtures(argv[2]);
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        test_fixture(&fixtures[i]);
    test_nothing_to_do();
    return unit_report("prune");
}
