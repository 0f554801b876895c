/* perf_inflate.c: makes a big pipe-mode perf.data for `make bench` from a small recorded one: its samples repeated (times shifted) until there are N. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Usage: perf_inflate IN OUT N. IN is a pipe-mode perf.data (perf record
 * -o -); OUT gets its records (but EXIT, so threads stay alive), then its
 * SAMPLE records again and again, each copy later in time than the last
 * and closed by a FINISHED_ROUND, until OUT holds at least N samples. */

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void out(FILE *f, const void *d, size_t n)
{
    if (fwrite(d, 1, n, f) != n) {
        perror("write");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: perf_inflate IN OUT N\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *d = malloc(cap);
    for (size_t n; d && (n = fread(d + len, 1, cap - len, in)) > 0;) {
        len += n;
        if (len == cap)
            d = realloc(d, cap *= 2);
    }
    fclose(in);
    if (!d || len < 16 || memcmp(d, "PERFILE2", 8) != 0 || rd64(d + 8) != 16) {
        fprintf(stderr, "perf_inflate: %s is not a pipe-mode perf.data\n", argv[1]);
        return 1;
    }
    long want = atol(argv[3]);
    FILE *o = fopen(argv[2], "wb");
    if (!o) {
        perror(argv[2]);
        return 1;
    }
    out(o, d, 16);
    size_t time_at = 0; /* offset of TIME in a SAMPLE record, 0: none */
    uint64_t t_min = UINT64_MAX, t_max = 0;
    long samples = 0;
    for (size_t pos = 16; pos + 8 <= len;) {
        uint32_t type = (uint32_t)rd64(d + pos) & 0xffffffffu;
        size_t size = (size_t)d[pos + 6] | (size_t)d[pos + 7] << 8;
        if (size < 8 || size > len - pos)
            break;
        if (type == 64 && !time_at) { /* HEADER_ATTR: sample_type at attr + 24 */
            uint64_t st = rd64(d + pos + 8 + 24);
            if (st & 4)
                time_at = 8 + 8 * (!!(st & (1u << 16)) + !!(st & 1) + !!(st & 2));
        }
        if (type == 9) {
            samples++;
            if (time_at && time_at + 8 <= size) {
                uint64_t t = rd64(d + pos + time_at);
                t_min = t < t_min ? t : t_min;
                t_max = t > t_max ? t : t_max;
            }
        }
        if (type != 4)
            out(o, d + pos, size);
        pos += size;
    }
    if (samples == 0) {
        fprintf(stderr, "perf_inflate: no samples in %s\n", argv[1]);
        return 1;
    }
    uint64_t span = t_max >= t_min && t_min != UINT64_MAX ? t_max - t_min + 1000 : 1000;
    static const uint8_t round[8] = {68, 0, 0, 0, 0, 0, 8, 0};
    uint8_t rec[65536];
    for (uint64_t copy = 1; samples < want; copy++) {
        for (size_t pos = 16; pos + 8 <= len && samples < want;) {
            uint32_t type = (uint32_t)rd64(d + pos) & 0xffffffffu;
            size_t size = (size_t)d[pos + 6] | (size_t)d[pos + 7] << 8;
            if (size < 8 || size > len - pos)
                break;
            if (type == 9) {
                memcpy(rec, d + pos, size);
                if (time_at && time_at + 8 <= size)
                    wr64(rec + time_at, rd64(rec + time_at) + copy * span);
                out(o, rec, size);
                samples++;
            }
            pos += size;
        }
        out(o, round, sizeof round);
    }
    if (fclose(o) != 0) {
        perror(argv[2]);
        return 1;
    }
    free(d);
    printf("%ld samples\n", samples);
    return 0;
}
