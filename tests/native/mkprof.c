/* mkprof.c: writes a small profile.proto with the mappings and addresses given on the command line (native symbolization tests and bench). */
#include "pprof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Usage: mkprof OUT [-m START LIMIT OFFSET FILE BUILDID]... [-a ADDR...] [-s ADDR,ADDR,...]... [-r N SEED]
 *   -m  a mapping (numbers in hex or decimal, BUILDID "-" for none); addresses
 *       belong to the mapping that holds them (else the first)
 *   -a  one sample per address (a one-frame stack)
 *   -s  one sample with this stack, leaf first
 *   -r  N pseudo-random distinct addresses spread over the first mapping */
static pprof_profile *p;

static uint32_t location_for(uint64_t a)
{
    for (uint32_t i = 0; i < p->n_locations; i++)
        if (p->locations[i].address == a)
            return i;
    uint32_t m = 0;
    for (uint32_t i = 0; i < p->n_mappings; i++)
        if (a >= p->mappings[i].start && a < p->mappings[i].limit)
            m = i;
    pprof_location l = {.id = p->n_locations + 1, .address = a, .mapping = p->n_mappings ? m : PPROF_NONE};
    uint32_t idx;
    if (pprof_profile_add_location(&idx, p, &l, NULL, 0))
        exit(1);
    return idx;
}

static void sample(const uint32_t *locs, size_t n)
{
    int64_t v = 1;
    if (pprof_profile_add_sample(p, locs, n, &v, NULL, 0))
        exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mkprof OUT [-m START LIMIT OFFSET FILE BUILDID]... [-a ADDR...] [-s A,B,...] [-r N SEED]\n");
        return 2;
    }
    p = pprof_profile_new();
    pprof_value_type vt;
    pprof_profile_intern(&vt.type, p, "samples", 7);
    pprof_profile_intern(&vt.unit, p, "count", 5);
    pprof_profile_add_sample_type(p, vt);
    int mode = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 5 < argc) {
            pprof_mapping m = {.id = p->n_mappings + 1};
            m.start = strtoull(argv[i + 1], NULL, 0);
            m.limit = strtoull(argv[i + 2], NULL, 0);
            m.offset = strtoull(argv[i + 3], NULL, 0);
            pprof_profile_intern(&m.file, p, argv[i + 4], strlen(argv[i + 4]));
            if (strcmp(argv[i + 5], "-") != 0)
                pprof_profile_intern(&m.build_id, p, argv[i + 5], strlen(argv[i + 5]));
            pprof_profile_add_mapping(NULL, p, &m);
            i += 5;
        } else if (strcmp(argv[i], "-a") == 0) {
            mode = 'a';
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            uint32_t locs[256];
            size_t n = 0;
            for (char *s = argv[++i]; *s && n < 256;) {
                char *end;
                locs[n++] = location_for(strtoull(s, &end, 0));
                s = *end == ',' ? end + 1 : end;
                if (end == s && *s != ',')
                    break;
            }
            sample(locs, n);
        } else if (strcmp(argv[i], "-r") == 0 && i + 2 < argc && p->n_mappings) {
            /* Distinct addresses: a stride walk over the mapping. */
            uint64_t n = strtoull(argv[i + 1], NULL, 0), seed = strtoull(argv[i + 2], NULL, 0);
            const pprof_mapping *m = &p->mappings[0];
            uint64_t span = m->limit - m->start;
            uint64_t stride = span / (n ? n : 1);
            if (stride == 0)
                stride = 1;
            pprof_location l = {.mapping = 0};
            for (uint64_t k = 0; k < n; k++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                l.id = p->n_locations + 1;
                l.address = m->start + k * stride + (seed >> 33) % stride;
                if (l.address >= m->limit)
                    break;
                uint32_t idx;
                pprof_profile_add_location(&idx, p, &l, NULL, 0);
                sample(&idx, 1);
            }
            i += 2;
        } else if (mode == 'a') {
            uint32_t loc = location_for(strtoull(argv[i], NULL, 0));
            sample(&loc, 1);
        } else {
            fprintf(stderr, "mkprof: bad argument %s\n", argv[i]);
            return 2;
        }
    }
    pprof_buf out = {0};
    pprof_error err;
    if (pprof_profile_encode(&out, p, true, &err)) {
        fprintf(stderr, "mkprof: %s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
        fprintf(stderr, "mkprof: cannot write %s\n", argv[1]);
        return 1;
    }
    pprof_buf_release(&out);
    pprof_profile_free(p);
    return 0;
}
