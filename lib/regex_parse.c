/* regex_parse.c: Go RE2-syntax parser and compiler from a pattern to a Thompson NFA program. */
#define PPROF_REGEX_INTERNAL
#include "internal.h"
#include "regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNE 0x10FFFFu
/* Go rejects nested counted repetitions whose product exceeds this, e.g. (a{2}){501}. */
#define MAX_REPEAT 1000

/* ---------------------------------------------------------------- case folding */

/* Unicode simple case folding as runs: in [lo,hi] the next rune of a rune's folding orbit is
 * rune+delta, or with delta 0 the other rune of the pair (lo,lo+1), (lo+2,lo+3), ...
 * Generated from Go 1.19's unicode.SimpleFold (Unicode 13), so (?i) agrees with Go. */
typedef struct fold_run {
    uint32_t lo, hi;
    int32_t delta;
} fold_run;

static const fold_run fold_table[] = {
    {0x0041, 0x005A, 32}, {0x0061, 0x006A, -32}, {0x006B, 0x006B, 8383}, {0x006C, 0x0072, -32},
    {0x0073, 0x0073, 268}, {0x0074, 0x007A, -32}, {0x00B5, 0x00B5, 743}, {0x00C0, 0x00D6, 32},
    {0x00D8, 0x00DE, 32}, {0x00DF, 0x00DF, 7615}, {0x00E0, 0x00E4, -32}, {0x00E5, 0x00E5, 8262},
    {0x00E6, 0x00F6, -32}, {0x00F8, 0x00FE, -32}, {0x00FF, 0x00FF, 121}, {0x0100, 0x012F, 0},
    {0x0132, 0x0137, 0}, {0x0139, 0x0148, 0}, {0x014A, 0x0177, 0}, {0x0178, 0x0178, -121},
    {0x0179, 0x017E, 0}, {0x017F, 0x017F, -300}, {0x0180, 0x0180, 195}, {0x0181, 0x0181, 210},
    {0x0182, 0x0185, 0}, {0x0186, 0x0186, 206}, {0x0187, 0x0188, 0}, {0x0189, 0x018A, 205},
    {0x018B, 0x018C, 0}, {0x018E, 0x018E, 79}, {0x018F, 0x018F, 202}, {0x0190, 0x0190, 203},
    {0x0191, 0x0192, 0}, {0x0193, 0x0193, 205}, {0x0194, 0x0194, 207}, {0x0195, 0x0195, 97},
    {0x0196, 0x0196, 211}, {0x0197, 0x0197, 209}, {0x0198, 0x0199, 0}, {0x019A, 0x019A, 163},
    {0x019C, 0x019C, 211}, {0x019D, 0x019D, 213}, {0x019E, 0x019E, 130}, {0x019F, 0x019F, 214},
    {0x01A0, 0x01A5, 0}, {0x01A6, 0x01A6, 218}, {0x01A7, 0x01A8, 0}, {0x01A9, 0x01A9, 218},
    {0x01AC, 0x01AD, 0}, {0x01AE, 0x01AE, 218}, {0x01AF, 0x01B0, 0}, {0x01B1, 0x01B2, 217},
    {0x01B3, 0x01B6, 0}, {0x01B7, 0x01B7, 219}, {0x01B8, 0x01B9, 0}, {0x01BC, 0x01BD, 0},
    {0x01BF, 0x01BF, 56}, {0x01C4, 0x01C5, 1}, {0x01C6, 0x01C6, -2}, {0x01C7, 0x01C8, 1},
    {0x01C9, 0x01C9, -2}, {0x01CA, 0x01CB, 1}, {0x01CC, 0x01CC, -2}, {0x01CD, 0x01DC, 0},
    {0x01DD, 0x01DD, -79}, {0x01DE, 0x01EF, 0}, {0x01F1, 0x01F2, 1}, {0x01F3, 0x01F3, -2},
    {0x01F4, 0x01F5, 0}, {0x01F6, 0x01F6, -97}, {0x01F7, 0x01F7, -56}, {0x01F8, 0x021F, 0},
    {0x0220, 0x0220, -130}, {0x0222, 0x0233, 0}, {0x023A, 0x023A, 10795}, {0x023B, 0x023C, 0},
    {0x023D, 0x023D, -163}, {0x023E, 0x023E, 10792}, {0x023F, 0x0240, 10815}, {0x0241, 0x0242, 0},
    {0x0243, 0x0243, -195}, {0x0244, 0x0244, 69}, {0x0245, 0x0245, 71}, {0x0246, 0x024F, 0},
    {0x0250, 0x0250, 10783}, {0x0251, 0x0251, 10780}, {0x0252, 0x0252, 10782},
    {0x0253, 0x0253, -210}, {0x0254, 0x0254, -206}, {0x0256, 0x0257, -205}, {0x0259, 0x0259, -202},
    {0x025B, 0x025B, -203}, {0x025C, 0x025C, 42319}, {0x0260, 0x0260, -205},
    {0x0261, 0x0261, 42315}, {0x0263, 0x0263, -207}, {0x0265, 0x0265, 42280},
    {0x0266, 0x0266, 42308}, {0x0268, 0x0268, -209}, {0x0269, 0x0269, -211},
    {0x026A, 0x026A, 42308}, {0x026B, 0x026B, 10743}, {0x026C, 0x026C, 42305},
    {0x026F, 0x026F, -211}, {0x0271, 0x0271, 10749}, {0x0272, 0x0272, -213}, {0x0275, 0x0275, -214},
    {0x027D, 0x027D, 10727}, {0x0280, 0x0280, -218}, {0x0282, 0x0282, 42307},
    {0x0283, 0x0283, -218}, {0x0287, 0x0287, 42282}, {0x0288, 0x0288, -218}, {0x0289, 0x0289, -69},
    {0x028A, 0x028B, -217}, {0x028C, 0x028C, -71}, {0x0292, 0x0292, -219}, {0x029D, 0x029D, 42261},
    {0x029E, 0x029E, 42258}, {0x0345, 0x0345, 84}, {0x0370, 0x0373, 0}, {0x0376, 0x0377, 0},
    {0x037B, 0x037D, 130}, {0x037F, 0x037F, 116}, {0x0386, 0x0386, 38}, {0x0388, 0x038A, 37},
    {0x038C, 0x038C, 64}, {0x038E, 0x038F, 63}, {0x0391, 0x03A1, 32}, {0x03A3, 0x03A3, 31},
    {0x03A4, 0x03AB, 32}, {0x03AC, 0x03AC, -38}, {0x03AD, 0x03AF, -37}, {0x03B1, 0x03B1, -32},
    {0x03B2, 0x03B2, 30}, {0x03B3, 0x03B4, -32}, {0x03B5, 0x03B5, 64}, {0x03B6, 0x03B7, -32},
    {0x03B8, 0x03B8, 25}, {0x03B9, 0x03B9, 7173}, {0x03BA, 0x03BA, 54}, {0x03BB, 0x03BB, -32},
    {0x03BC, 0x03BC, -775}, {0x03BD, 0x03BF, -32}, {0x03C0, 0x03C0, 22}, {0x03C1, 0x03C1, 48},
    {0x03C2, 0x03C2, 1}, {0x03C3, 0x03C5, -32}, {0x03C6, 0x03C6, 15}, {0x03C7, 0x03C8, -32},
    {0x03C9, 0x03C9, 7517}, {0x03CA, 0x03CB, -32}, {0x03CC, 0x03CC, -64}, {0x03CD, 0x03CE, -63},
    {0x03CF, 0x03CF, 8}, {0x03D0, 0x03D0, -62}, {0x03D1, 0x03D1, 35}, {0x03D5, 0x03D5, -47},
    {0x03D6, 0x03D6, -54}, {0x03D7, 0x03D7, -8}, {0x03D8, 0x03EF, 0}, {0x03F0, 0x03F0, -86},
    {0x03F1, 0x03F1, -80}, {0x03F2, 0x03F2, 7}, {0x03F3, 0x03F3, -116}, {0x03F4, 0x03F4, -92},
    {0x03F5, 0x03F5, -96}, {0x03F7, 0x03F8, 0}, {0x03F9, 0x03F9, -7}, {0x03FA, 0x03FB, 0},
    {0x03FD, 0x03FF, -130}, {0x0400, 0x040F, 80}, {0x0410, 0x042F, 32}, {0x0430, 0x0431, -32},
    {0x0432, 0x0432, 6222}, {0x0433, 0x0433, -32}, {0x0434, 0x0434, 6221}, {0x0435, 0x043D, -32},
    {0x043E, 0x043E, 6212}, {0x043F, 0x0440, -32}, {0x0441, 0x0442, 6210}, {0x0443, 0x0449, -32},
    {0x044A, 0x044A, 6204}, {0x044B, 0x044F, -32}, {0x0450, 0x045F, -80}, {0x0460, 0x0462, 0},
    {0x0463, 0x0463, 6180}, {0x0464, 0x0481, 0}, {0x048A, 0x04BF, 0}, {0x04C0, 0x04C0, 15},
    {0x04C1, 0x04CE, 0}, {0x04CF, 0x04CF, -15}, {0x04D0, 0x052F, 0}, {0x0531, 0x0556, 48},
    {0x0561, 0x0586, -48}, {0x10A0, 0x10C5, 7264}, {0x10C7, 0x10C7, 7264}, {0x10CD, 0x10CD, 7264},
    {0x10D0, 0x10FA, 3008}, {0x10FD, 0x10FF, 3008}, {0x13A0, 0x13EF, 38864}, {0x13F0, 0x13F5, 8},
    {0x13F8, 0x13FD, -8}, {0x1C80, 0x1C80, -6254}, {0x1C81, 0x1C81, -6253}, {0x1C82, 0x1C82, -6244},
    {0x1C83, 0x1C83, -6242}, {0x1C84, 0x1C84, 1}, {0x1C85, 0x1C85, -6243}, {0x1C86, 0x1C86, -6236},
    {0x1C87, 0x1C87, -6181}, {0x1C88, 0x1C88, 35266}, {0x1C90, 0x1CBA, -3008},
    {0x1CBD, 0x1CBF, -3008}, {0x1D79, 0x1D79, 35332}, {0x1D7D, 0x1D7D, 3814},
    {0x1D8E, 0x1D8E, 35384}, {0x1E00, 0x1E60, 0}, {0x1E61, 0x1E61, 58}, {0x1E62, 0x1E95, 0},
    {0x1E9B, 0x1E9B, -59}, {0x1E9E, 0x1E9E, -7615}, {0x1EA0, 0x1EFF, 0}, {0x1F00, 0x1F07, 8},
    {0x1F08, 0x1F0F, -8}, {0x1F10, 0x1F15, 8}, {0x1F18, 0x1F1D, -8}, {0x1F20, 0x1F27, 8},
    {0x1F28, 0x1F2F, -8}, {0x1F30, 0x1F37, 8}, {0x1F38, 0x1F3F, -8}, {0x1F40, 0x1F45, 8},
    {0x1F48, 0x1F4D, -8}, {0x1F51, 0x1F51, 8}, {0x1F53, 0x1F53, 8}, {0x1F55, 0x1F55, 8},
    {0x1F57, 0x1F57, 8}, {0x1F59, 0x1F59, -8}, {0x1F5B, 0x1F5B, -8}, {0x1F5D, 0x1F5D, -8},
    {0x1F5F, 0x1F5F, -8}, {0x1F60, 0x1F67, 8}, {0x1F68, 0x1F6F, -8}, {0x1F70, 0x1F71, 74},
    {0x1F72, 0x1F75, 86}, {0x1F76, 0x1F77, 100}, {0x1F78, 0x1F79, 128}, {0x1F7A, 0x1F7B, 112},
    {0x1F7C, 0x1F7D, 126}, {0x1F80, 0x1F87, 8}, {0x1F88, 0x1F8F, -8}, {0x1F90, 0x1F97, 8},
    {0x1F98, 0x1F9F, -8}, {0x1FA0, 0x1FA7, 8}, {0x1FA8, 0x1FAF, -8}, {0x1FB0, 0x1FB1, 8},
    {0x1FB3, 0x1FB3, 9}, {0x1FB8, 0x1FB9, -8}, {0x1FBA, 0x1FBB, -74}, {0x1FBC, 0x1FBC, -9},
    {0x1FBE, 0x1FBE, -7289}, {0x1FC3, 0x1FC3, 9}, {0x1FC8, 0x1FCB, -86}, {0x1FCC, 0x1FCC, -9},
    {0x1FD0, 0x1FD1, 8}, {0x1FD8, 0x1FD9, -8}, {0x1FDA, 0x1FDB, -100}, {0x1FE0, 0x1FE1, 8},
    {0x1FE5, 0x1FE5, 7}, {0x1FE8, 0x1FE9, -8}, {0x1FEA, 0x1FEB, -112}, {0x1FEC, 0x1FEC, -7},
    {0x1FF3, 0x1FF3, 9}, {0x1FF8, 0x1FF9, -128}, {0x1FFA, 0x1FFB, -126}, {0x1FFC, 0x1FFC, -9},
    {0x2126, 0x2126, -7549}, {0x212A, 0x212A, -8415}, {0x212B, 0x212B, -8294}, {0x2132, 0x2132, 28},
    {0x214E, 0x214E, -28}, {0x2160, 0x216F, 16}, {0x2170, 0x217F, -16}, {0x2183, 0x2184, 0},
    {0x24B6, 0x24CF, 26}, {0x24D0, 0x24E9, -26}, {0x2C00, 0x2C2E, 48}, {0x2C30, 0x2C5E, -48},
    {0x2C60, 0x2C61, 0}, {0x2C62, 0x2C62, -10743}, {0x2C63, 0x2C63, -3814},
    {0x2C64, 0x2C64, -10727}, {0x2C65, 0x2C65, -10795}, {0x2C66, 0x2C66, -10792},
    {0x2C67, 0x2C6C, 0}, {0x2C6D, 0x2C6D, -10780}, {0x2C6E, 0x2C6E, -10749},
    {0x2C6F, 0x2C6F, -10783}, {0x2C70, 0x2C70, -10782}, {0x2C72, 0x2C73, 0}, {0x2C75, 0x2C76, 0},
    {0x2C7E, 0x2C7F, -10815}, {0x2C80, 0x2CE3, 0}, {0x2CEB, 0x2CEE, 0}, {0x2CF2, 0x2CF3, 0},
    {0x2D00, 0x2D25, -7264}, {0x2D27, 0x2D27, -7264}, {0x2D2D, 0x2D2D, -7264}, {0xA640, 0xA64A, 0},
    {0xA64B, 0xA64B, -35267}, {0xA64C, 0xA66D, 0}, {0xA680, 0xA69B, 0}, {0xA722, 0xA72F, 0},
    {0xA732, 0xA76F, 0}, {0xA779, 0xA77C, 0}, {0xA77D, 0xA77D, -35332}, {0xA77E, 0xA787, 0},
    {0xA78B, 0xA78C, 0}, {0xA78D, 0xA78D, -42280}, {0xA790, 0xA793, 0}, {0xA794, 0xA794, 48},
    {0xA796, 0xA7A9, 0}, {0xA7AA, 0xA7AA, -42308}, {0xA7AB, 0xA7AB, -42319},
    {0xA7AC, 0xA7AC, -42315}, {0xA7AD, 0xA7AD, -42305}, {0xA7AE, 0xA7AE, -42308},
    {0xA7B0, 0xA7B0, -42258}, {0xA7B1, 0xA7B1, -42282}, {0xA7B2, 0xA7B2, -42261},
    {0xA7B3, 0xA7B3, 928}, {0xA7B4, 0xA7BF, 0}, {0xA7C2, 0xA7C3, 0}, {0xA7C4, 0xA7C4, -48},
    {0xA7C5, 0xA7C5, -42307}, {0xA7C6, 0xA7C6, -35384}, {0xA7C7, 0xA7CA, 0}, {0xA7F5, 0xA7F6, 0},
    {0xAB53, 0xAB53, -928}, {0xAB70, 0xABBF, -38864}, {0xFF21, 0xFF3A, 32}, {0xFF41, 0xFF5A, -32},
    {0x10400, 0x10427, 40}, {0x10428, 0x1044F, -40}, {0x104B0, 0x104D3, 40},
    {0x104D8, 0x104FB, -40}, {0x10C80, 0x10CB2, 64}, {0x10CC0, 0x10CF2, -64},
    {0x118A0, 0x118BF, 32}, {0x118C0, 0x118DF, -32}, {0x16E40, 0x16E5F, 32},
    {0x16E60, 0x16E7F, -32}, {0x1E900, 0x1E921, 34}, {0x1E922, 0x1E943, -34},
};

#define NFOLD (sizeof fold_table / sizeof fold_table[0])

/* ---------------------------------------------------------------- growable arrays */

typedef struct vec32 {
    uint32_t *v;
    size_t n, cap;
} vec32;

static bool grow(void **v, size_t *cap, size_t need, size_t elem)
{
    return pprof_grow(v, cap, need, elem) == 0; /* the library's one growable array */
}

static bool vec_push2(vec32 *a, uint32_t x, uint32_t y)
{
    if (!grow((void **)&a->v, &a->cap, a->n + 2, sizeof *a->v))
        return false;
    a->v[a->n++] = x;
    a->v[a->n++] = y;
    return true;
}

/* ---------------------------------------------------------------- rune classes
 * A class is a vec32 of lo,hi pairs; cls_norm makes them sorted and disjoint. */

static int cmp_pair(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void cls_norm(vec32 *c)
{
    if (c->n <= 2)
        return;
    qsort(c->v, c->n / 2, 2 * sizeof *c->v, cmp_pair);
    size_t w = 0;
    for (size_t i = 0; i < c->n; i += 2) {
        if (w && c->v[i] <= c->v[w - 1] + 1) {
            if (c->v[i + 1] > c->v[w - 1])
                c->v[w - 1] = c->v[i + 1];
        } else {
            c->v[w++] = c->v[i];
            c->v[w++] = c->v[i + 1];
        }
    }
    c->n = w;
}

/* Complements a normalized class within [0, MAX_RUNE]. */
static bool cls_negate(vec32 *c)
{
    size_t n = c->n;
    uint32_t *old = malloc((n ? n : 1) * sizeof *old);
    if (!old)
        return false;
    if (n)
        memcpy(old, c->v, n * sizeof *old);
    c->n = 0;
    uint32_t next = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i += 2) {
        if (old[i] > next)
            ok = vec_push2(c, next, old[i] - 1);
        next = old[i + 1] + 1;
    }
    if (ok && next <= MAX_RUNE)
        ok = vec_push2(c, next, MAX_RUNE);
    free(old);
    return ok;
}

/* Adds the images of [lo,hi] under repeated SimpleFold; orbits have at most 4 runes, so
 * depth 3 reaches all of them. */
static bool fold_range(vec32 *c, uint32_t lo, uint32_t hi, int depth)
{
    if (depth >= 3)
        return true;
    size_t a = 0, b = NFOLD;
    while (a < b) { /* first run with run.hi >= lo */
        size_t m = (a + b) / 2;
        if (fold_table[m].hi < lo)
            a = m + 1;
        else
            b = m;
    }
    for (size_t i = a; i < NFOLD && fold_table[i].lo <= hi; i++) {
        const fold_run *f = &fold_table[i];
        uint32_t x = lo > f->lo ? lo : f->lo, y = hi < f->hi ? hi : f->hi, nx, ny;
        if (f->delta) {
            nx = (uint32_t)((int32_t)x + f->delta);
            ny = (uint32_t)((int32_t)y + f->delta);
        } else { /* widen to whole pairs: the extra runes are partners of runes already in */
            nx = x - ((x - f->lo) & 1);
            ny = y + (1 - ((y - f->lo) & 1));
        }
        if (!vec_push2(c, nx, ny) || !fold_range(c, nx, ny, depth + 1))
            return false;
    }
    return true;
}

static bool cls_fold(vec32 *c)
{
    size_t n = c->n;
    for (size_t i = 0; i < n; i += 2)
        if (!fold_range(c, c->v[i], c->v[i + 1], 0))
            return false;
    cls_norm(c);
    return true;
}

/* ---------------------------------------------------------------- syntax tree */

enum { N_EMPTY, N_CLASS, N_ASSERT, N_CAT, N_ALT, N_REP };

typedef struct re_node {
    uint8_t op, kind;
    uint16_t weight; /* product of counted repetitions inside, checked like Go does */
    int32_t lit;     /* N_CLASS of exactly one rune: that rune, else -1 */
    int32_t min, max;
    uint32_t a, n; /* N_CLASS: offset, count in ranges; N_CAT/N_ALT: in kids; N_REP: child */
} re_node;

enum { F_FOLD = 1, F_DOTNL = 2, F_MULTI = 4, F_UNGREEDY = 8 };

/* Stack entries below 0 are markers; the others are node indices. */
#define MARK_VBAR (-1)
#define MARK_PAREN (-2)

typedef struct re_frame {
    int flags; /* flags to restore at ')' */
    size_t base;
} re_frame;

typedef struct parser {
    const unsigned char *p;
    size_t len, pos;
    char *err;
    size_t errlen;
    int flags;
    bool last_rep; /* the previous token was a repetition operator starting at rep_pos */
    size_t rep_pos;
    bool uses_word, uses_line;
    re_node *nodes;
    size_t nnodes, capnodes;
    vec32 ranges, kids, cls, tmp, alts;
    int32_t *stack;
    size_t nstack, capstack;
    re_frame *frames;
    size_t nframes, capframes;
} parser;

static bool fail(parser *ps, const char *code, size_t from, size_t to)
{
    if (ps->errlen) {
        if (to > ps->len)
            to = ps->len;
        snprintf(ps->err, ps->errlen, "error parsing regexp: %s: `%.*s`", code, (int)(to - from),
                 (const char *)ps->p + from);
    }
    return false;
}

static bool nomem(parser *ps)
{
    if (ps->errlen)
        snprintf(ps->err, ps->errlen, "error parsing regexp: out of memory");
    return false;
}

/* Decodes the pattern rune at i; invalid UTF-8 is an error as in Go, quoting to the end of
 * the pattern. Returns the width, 0 on error. */
static size_t prune(parser *ps, size_t i, size_t end, uint32_t *r)
{
    size_t w = pprof_re_decode(ps->p + i, end - i, r);
    if (*r == 0xFFFD && w == 1) {
        fail(ps, "invalid UTF-8", i, end);
        return 0;
    }
    return w;
}

static int32_t new_node(parser *ps, int op)
{
    if (!grow((void **)&ps->nodes, &ps->capnodes, ps->nnodes + 1, sizeof *ps->nodes))
        return -1;
    re_node *n = &ps->nodes[ps->nnodes];
    memset(n, 0, sizeof *n);
    n->op = (uint8_t)op;
    n->weight = 1;
    n->lit = -1;
    return (int32_t)ps->nnodes++;
}

static bool push(parser *ps, int32_t x)
{
    if (!grow((void **)&ps->stack, &ps->capstack, ps->nstack + 1, sizeof *ps->stack))
        return nomem(ps);
    ps->stack[ps->nstack++] = x;
    return true;
}

/* Pushes a node for class c (normalized). */
static bool push_class(parser *ps, const vec32 *c)
{
    int32_t id = new_node(ps, N_CLASS);
    if (id < 0)
        return nomem(ps);
    re_node *n = &ps->nodes[id];
    n->a = (uint32_t)ps->ranges.n;
    n->n = (uint32_t)c->n;
    if (c->n == 2 && c->v[0] == c->v[1])
        n->lit = (int32_t)c->v[0];
    for (size_t i = 0; i < c->n; i += 2)
        if (!vec_push2(&ps->ranges, c->v[i], c->v[i + 1]))
            return nomem(ps);
    return push(ps, id);
}

static bool push_literal(parser *ps, uint32_t r)
{
    ps->cls.n = 0;
    if (!vec_push2(&ps->cls, r, r))
        return nomem(ps);
    if ((ps->flags & F_FOLD) && !cls_fold(&ps->cls))
        return nomem(ps);
    return push_class(ps, &ps->cls);
}

static bool push_assert(parser *ps, int kind)
{
    int32_t id = new_node(ps, N_ASSERT);
    if (id < 0)
        return nomem(ps);
    ps->nodes[id].kind = (uint8_t)kind;
    if (kind == RE_WORDB || kind == RE_NWORDB)
        ps->uses_word = true;
    if (kind == RE_BOL || kind == RE_EOL)
        ps->uses_line = true;
    return push(ps, id);
}

/* Perl (\d \s \w) and POSIX ([:alpha:]) classes, as lo,hi pairs ending with 0,0. */
static const uint32_t cls_d[] = {'0', '9', 0, 0};
static const uint32_t cls_s[] = {'\t', '\n', '\f', '\r', ' ', ' ', 0, 0};
static const uint32_t cls_w[] = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z', 0, 0};

static const struct posix_class {
    const char *name;
    uint32_t r[10];
} posix_classes[] = {
    {"alnum", {'0', '9', 'A', 'Z', 'a', 'z'}},
    {"alpha", {'A', 'Z', 'a', 'z'}},
    {"ascii", {0, 0x7F}},
    {"blank", {'\t', '\t', ' ', ' '}},
    {"cntrl", {0, 0x1F, 0x7F, 0x7F}},
    {"digit", {'0', '9'}},
    {"graph", {'!', '~'}},
    {"lower", {'a', 'z'}},
    {"print", {' ', '~'}},
    {"punct", {'!', '/', ':', '@', '[', '`', '{', '~'}},
    {"space", {'\t', '\r', ' ', ' '}},
    {"upper", {'A', 'Z'}},
    {"word", {'0', '9', 'A', 'Z', 'a', 'z', '_', '_'}},
    {"xdigit", {'0', '9', 'A', 'F', 'a', 'f'}},
};

/* Appends a named class to dst: folded first under (?i), then negated, as Go does (so
 * (?i)\W excludes the Kelvin sign, which folds to k). */
static bool add_named(parser *ps, vec32 *dst, const uint32_t *r, size_t npairs, bool neg)
{
    vec32 *t = &ps->tmp;
    t->n = 0;
    for (size_t i = 0; i < npairs; i++) {
        if (i > 0 && r[2 * i] == 0 && r[2 * i + 1] == 0)
            break;
        if (!vec_push2(t, r[2 * i], r[2 * i + 1]))
            return nomem(ps);
    }
    cls_norm(t);
    if ((ps->flags & F_FOLD) && !cls_fold(t))
        return nomem(ps);
    if (neg && !cls_negate(t))
        return nomem(ps);
    for (size_t i = 0; i < t->n; i += 2)
        if (!vec_push2(dst, t->v[i], t->v[i + 1]))
            return nomem(ps);
    return true;
}

static bool ishex(unsigned c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static unsigned hexval(unsigned c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Parses an escape at ps->pos (a backslash) that stands for one rune (*r, returns 1) or a
 * Perl class appended to dst (returns 2). Assertions and \Q are the caller's. Returns 0 on
 * error. */
static int parse_escape(parser *ps, vec32 *dst, uint32_t *r)
{
    size_t bs = ps->pos, i = bs + 1;
    if (i >= ps->len) {
        fail(ps, "trailing backslash at end of expression", i, i);
        return 0;
    }
    unsigned c = ps->p[i];
    if (c < 0x80 && !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) {
        *r = c; /* escaped punctuation, space or control character */
        ps->pos = i + 1;
        return 1;
    }
    switch (c) {
    case 'a': case 'f': case 't': case 'n': case 'r': case 'v':
        *r = c == 'a' ? 7 : c == 'f' ? '\f' : c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : '\v';
        ps->pos = i + 1;
        return 1;
    case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        /* \1..\7 would be backreferences unless another octal digit follows */
        if (i + 1 >= ps->len || ps->p[i + 1] < '0' || ps->p[i + 1] > '7')
            break;
        /* fall through */
    case '0': {
        uint32_t v = c - '0';
        size_t j = i + 1;
        for (int k = 0; k < 2 && j < ps->len && ps->p[j] >= '0' && ps->p[j] <= '7'; k++, j++)
            v = v * 8 + (ps->p[j] - '0');
        *r = v;
        ps->pos = j;
        return 1;
    }
    case 'x': {
        size_t j = i + 1;
        uint32_t v = 0;
        if (j >= ps->len) {
            fail(ps, "invalid escape sequence", bs, j);
            return 0;
        }
        if (ps->p[j] == '{') {
            size_t nd = 0;
            for (j++;; j++) {
                if (j >= ps->len) {
                    fail(ps, "invalid escape sequence", bs, j);
                    return 0;
                }
                unsigned d = ps->p[j];
                if (d == '}')
                    break;
                if (!ishex(d)) {
                    uint32_t ignored;
                    size_t w = prune(ps, j, ps->len, &ignored);
                    if (w)
                        fail(ps, "invalid escape sequence", bs, j + w);
                    return 0;
                }
                v = v * 16 + hexval(d);
                nd++;
                if (v > MAX_RUNE) {
                    fail(ps, "invalid escape sequence", bs, j + 1);
                    return 0;
                }
            }
            if (nd == 0) {
                fail(ps, "invalid escape sequence", bs, j + 1);
                return 0;
            }
            *r = v;
            ps->pos = j + 1;
            return 1;
        }
        /* Go reads two runes before judging them, so the message quotes both */
        size_t e = j;
        bool good = true;
        for (int k = 0; k < 2 && e < ps->len; k++) {
            uint32_t ignored;
            size_t w = prune(ps, e, ps->len, &ignored);
            if (!w)
                return 0;
            good = good && ishex(ps->p[e]);
            e += w;
        }
        if (!good || e - j < 2) {
            fail(ps, "invalid escape sequence", bs, e);
            return 0;
        }
        v = hexval(ps->p[j]) * 16 + hexval(ps->p[j + 1]);
        j += 2;
        *r = v;
        ps->pos = j;
        return 1;
    }
    case 'd': case 'D': case 's': case 'S': case 'w': case 'W': {
        unsigned lc = c | 0x20;
        const uint32_t *t = lc == 'd' ? cls_d : lc == 's' ? cls_s : cls_w;
        if (!add_named(ps, dst, t, 8, c != lc))
            return 0;
        ps->pos = i + 1;
        return 2;
    }
    case 'p': case 'P': {
        /* Unicode classes need tables this engine does not carry. */
        size_t j = i + 1;
        if (j < ps->len && ps->p[j] == '{') {
            while (j < ps->len && ps->p[j] != '}')
                j++;
            j++;
        } else if (j < ps->len) {
            uint32_t ignored;
            j += pprof_re_decode(ps->p + j, ps->len - j, &ignored);
        }
        fail(ps, "invalid character class range (Unicode classes are not supported)", bs, j);
        return 0;
    }
    default:
        break;
    }
    uint32_t rr;
    size_t w = prune(ps, i, ps->len, &rr);
    if (w)
        fail(ps, "invalid escape sequence", bs, i + w);
    return 0;
}

/* Parses [...] at ps->pos and pushes its node. */
static bool parse_class(parser *ps)
{
    size_t open = ps->pos;
    vec32 *c = &ps->cls;
    c->n = 0;
    bool neg = false, first = true;
    ps->pos++;
    if (ps->pos < ps->len && ps->p[ps->pos] == '^') {
        neg = true;
        ps->pos++;
    }
    for (;;) {
        if (ps->pos >= ps->len)
            return fail(ps, "missing closing ]", open, ps->len);
        unsigned ch = ps->p[ps->pos];
        if (ch == ']' && !first) {
            ps->pos++;
            break;
        }
        first = false;
        if (ch == '[' && ps->pos + 1 < ps->len && ps->p[ps->pos + 1] == ':') {
            size_t k = ps->pos + 2;
            while (k + 1 < ps->len && !(ps->p[k] == ':' && ps->p[k + 1] == ']'))
                k++;
            if (k + 1 < ps->len) {
                size_t nb = ps->pos + 2;
                bool pneg = nb < k && ps->p[nb] == '^';
                if (pneg)
                    nb++;
                size_t i;
                for (i = 0; i < sizeof posix_classes / sizeof posix_classes[0]; i++)
                    if (strlen(posix_classes[i].name) == k - nb &&
                        memcmp(posix_classes[i].name, ps->p + nb, k - nb) == 0)
                        break;
                if (i == sizeof posix_classes / sizeof posix_classes[0])
                    return fail(ps, "invalid character class range", ps->pos, k + 2);
                if (!add_named(ps, c, posix_classes[i].r, 5, pneg))
                    return false;
                ps->pos = k + 2;
                continue;
            }
        }
        size_t item = ps->pos;
        uint32_t lo, hi;
        if (ch == '\\') {
            int kind = parse_escape(ps, c, &lo);
            if (!kind)
                return false;
            if (kind == 2)
                continue;
        } else {
            size_t w = prune(ps, ps->pos, ps->len, &lo);
            if (!w)
                return false;
            ps->pos += w;
        }
        hi = lo;
        if (ps->pos + 1 < ps->len && ps->p[ps->pos] == '-' && ps->p[ps->pos + 1] != ']') {
            ps->pos++;
            if (ps->p[ps->pos] == '\\') {
                size_t bs = ps->pos;
                int kind = parse_escape(ps, &ps->alts, &hi);
                if (!kind)
                    return false;
                if (kind == 2)
                    return fail(ps, "invalid escape sequence", bs, ps->pos);
            } else {
                size_t w = prune(ps, ps->pos, ps->len, &hi);
                if (!w)
                    return false;
                ps->pos += w;
            }
            if (hi < lo)
                return fail(ps, "invalid character class range", item, ps->pos);
        }
        if (!vec_push2(c, lo, hi))
            return nomem(ps);
    }
    cls_norm(c);
    if ((ps->flags & F_FOLD) && !cls_fold(c))
        return nomem(ps);
    if (neg && !cls_negate(c))
        return nomem(ps);
    return push_class(ps, c);
}

/* Parses {n}, {n,} or {n,m} at ps->pos; false (pos unchanged) if it is not one, and then
 * the brace is a literal. Numbers with leading zeros do not count, as in Go. */
static bool parse_braces(parser *ps, int32_t *min, int32_t *max)
{
    size_t i = ps->pos + 1;
    int32_t v[2] = {0, -1};
    for (int k = 0; k < 2; k++) {
        size_t d = i;
        int32_t x = 0;
        while (i < ps->len && ps->p[i] >= '0' && ps->p[i] <= '9') {
            if (x <= 100000)
                x = x * 10 + (ps->p[i] - '0');
            i++;
        }
        if (i == d) {
            if (k == 1 && i < ps->len && ps->p[i] == '}')
                break; /* {n,} */
            return false;
        }
        if (i - d > 1 && ps->p[d] == '0')
            return false;
        v[k] = x;
        if (k == 0) {
            if (i < ps->len && ps->p[i] == '}') {
                v[1] = x;
                break;
            }
            if (i >= ps->len || ps->p[i] != ',')
                return false;
            i++;
        }
    }
    if (i >= ps->len || ps->p[i] != '}')
        return false;
    *min = v[0];
    *max = v[1];
    ps->pos = i + 1;
    return true;
}

/* Applies a repetition operator (text [op, ps->pos)) to the stack top. */
static bool apply_rep(parser *ps, int32_t min, int32_t max, size_t op, bool counted, bool after_rep)
{
    if (counted && (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)))
        return fail(ps, "invalid repeat count", op, ps->pos);
    if (ps->pos < ps->len && ps->p[ps->pos] == '?')
        ps->pos++; /* lazy: irrelevant to whether there is a match */
    if (after_rep)
        return fail(ps, "invalid nested repetition operator", ps->rep_pos, ps->pos);
    if (ps->nstack == 0 || ps->stack[ps->nstack - 1] < 0)
        return fail(ps, "missing argument to repetition operator", op, ps->pos);
    int32_t child = ps->stack[ps->nstack - 1];
    uint32_t w = ps->nodes[child].weight;
    if (counted) {
        if (max == 0) {
            w = 1;
        } else {
            uint32_t count = (uint32_t)(max >= 0 ? max : min);
            w *= count ? count : 1;
            if (w > MAX_REPEAT)
                return fail(ps, "invalid repeat count", op, ps->pos);
        }
    }
    int32_t id = new_node(ps, N_REP);
    if (id < 0)
        return nomem(ps);
    re_node *n = &ps->nodes[id];
    n->min = min;
    n->max = max;
    n->a = (uint32_t)child;
    n->weight = (uint16_t)w;
    ps->stack[ps->nstack - 1] = id;
    ps->last_rep = true;
    ps->rep_pos = op;
    return true;
}

/* Replaces the stack entries from index `from` by one node: alternatives of concatenations. */
static int32_t collapse(parser *ps, size_t from)
{
    ps->alts.n = 0;
    size_t i = from;
    for (;;) {
        size_t j = i;
        while (j < ps->nstack && ps->stack[j] != MARK_VBAR)
            j++;
        int32_t id;
        if (j - i == 1) {
            id = ps->stack[i];
        } else {
            id = new_node(ps, j == i ? N_EMPTY : N_CAT);
            if (id < 0)
                return -1;
            re_node *n = &ps->nodes[id];
            n->a = (uint32_t)ps->kids.n;
            n->n = (uint32_t)(j - i);
            uint16_t w = 1;
            for (size_t k = i; k < j; k++) {
                if (!grow((void **)&ps->kids.v, &ps->kids.cap, ps->kids.n + 1, sizeof *ps->kids.v))
                    return -1;
                ps->kids.v[ps->kids.n++] = (uint32_t)ps->stack[k];
                if (ps->nodes[ps->stack[k]].weight > w)
                    w = ps->nodes[ps->stack[k]].weight;
            }
            ps->nodes[id].weight = w;
        }
        if (!grow((void **)&ps->alts.v, &ps->alts.cap, ps->alts.n + 1, sizeof *ps->alts.v))
            return -1;
        ps->alts.v[ps->alts.n++] = (uint32_t)id;
        if (j >= ps->nstack)
            break;
        i = j + 1;
    }
    ps->nstack = from;
    if (ps->alts.n == 1)
        return (int32_t)ps->alts.v[0];
    int32_t id = new_node(ps, N_ALT);
    if (id < 0)
        return -1;
    ps->nodes[id].a = (uint32_t)ps->kids.n;
    ps->nodes[id].n = (uint32_t)ps->alts.n;
    uint16_t w = 1;
    for (size_t k = 0; k < ps->alts.n; k++) {
        if (!grow((void **)&ps->kids.v, &ps->kids.cap, ps->kids.n + 1, sizeof *ps->kids.v))
            return -1;
        ps->kids.v[ps->kids.n++] = ps->alts.v[k];
        if (ps->nodes[ps->alts.v[k]].weight > w)
            w = ps->nodes[ps->alts.v[k]].weight;
    }
    ps->nodes[id].weight = w;
    return id;
}

static bool open_frame(parser *ps, int newflags)
{
    if (ps->nframes + 1 >= PPROF_REGEX_MAX_DEPTH)
        return fail(ps, "expression nests too deeply", 0, ps->len);
    if (!grow((void **)&ps->frames, &ps->capframes, ps->nframes + 1, sizeof *ps->frames))
        return nomem(ps);
    ps->frames[ps->nframes].flags = ps->flags;
    ps->frames[ps->nframes].base = ps->nstack;
    ps->nframes++;
    ps->flags = newflags;
    return push(ps, MARK_PAREN);
}

/* Parses "(" at ps->pos: a group, a named group or a flag setting. */
static bool parse_open(parser *ps)
{
    const unsigned char *t = ps->p + ps->pos;
    size_t rem = ps->len - ps->pos, open = ps->pos;
    if (rem < 2 || t[1] != '?') {
        ps->pos++;
        return open_frame(ps, ps->flags);
    }
    /* (?P<name>re), and (?<name>re) as newer Go versions accept it */
    size_t nb = 0;
    if (rem > 4 && t[2] == 'P' && t[3] == '<')
        nb = 4;
    else if (rem > 3 && t[2] == '<' && t[3] != '=' && t[3] != '!')
        nb = 3;
    if (nb) {
        size_t gt = ps->pos + nb;
        while (gt < ps->len && ps->p[gt] != '>')
            gt++;
        for (size_t i = ps->pos + nb; i < gt;) {
            uint32_t r;
            size_t w = prune(ps, i, gt, &r);
            if (!w)
                return false;
            i += w;
        }
        if (gt >= ps->len)
            return fail(ps, "invalid named capture", open, ps->len);
        bool ok = gt > ps->pos + nb;
        for (size_t i = ps->pos + nb; i < gt; i++)
            ok = ok && pprof_re_isword(ps->p[i]);
        if (!ok)
            return fail(ps, "invalid named capture", open, gt + 1);
        ps->pos = gt + 1;
        return open_frame(ps, ps->flags);
    }
    int flags = ps->flags;
    bool neg = false, saw = false;
    for (size_t i = ps->pos + 2;;) {
        if (i >= ps->len)
            return fail(ps, "invalid or unsupported Perl syntax", open, ps->len);
        uint32_t r;
        size_t w = prune(ps, i, ps->len, &r);
        if (!w)
            return false;
        int bit = r == 'i' ? F_FOLD : r == 's' ? F_DOTNL : r == 'm' ? F_MULTI : r == 'U' ? F_UNGREEDY : 0;
        if (bit) {
            flags = neg ? (flags & ~bit) : (flags | bit);
            saw = true;
        } else if (r == '-') {
            if (neg)
                return fail(ps, "invalid or unsupported Perl syntax", open, i + w);
            neg = true;
            saw = false;
        } else if (r == ':' || r == ')') {
            if (neg && !saw)
                return fail(ps, "invalid or unsupported Perl syntax", open, i + w);
            ps->pos = i + w;
            if (r == ':')
                return open_frame(ps, flags);
            ps->flags = flags;
            return true;
        } else {
            return fail(ps, "invalid or unsupported Perl syntax", open, i + w);
        }
        i += w;
    }
}

static bool parse_close(parser *ps)
{
    if (ps->nframes == 0)
        return fail(ps, "unexpected )", 0, ps->len);
    re_frame *f = &ps->frames[--ps->nframes];
    int32_t id = collapse(ps, f->base + 1);
    if (id < 0)
        return nomem(ps);
    ps->nstack = f->base;
    ps->flags = f->flags;
    ps->pos++;
    return push(ps, id);
}

static int32_t parse_all(parser *ps)
{
    while (ps->pos < ps->len) {
        bool after_rep = ps->last_rep;
        ps->last_rep = false;
        size_t start = ps->pos;
        unsigned c = ps->p[ps->pos];
        bool ok = true;
        switch (c) {
        case '(':
            ok = parse_open(ps);
            break;
        case ')':
            ok = parse_close(ps);
            break;
        case '|':
            ps->pos++;
            ok = push(ps, MARK_VBAR);
            break;
        case '^':
            ps->pos++;
            ok = push_assert(ps, (ps->flags & F_MULTI) ? RE_BOL : RE_BOT);
            break;
        case '$':
            ps->pos++;
            ok = push_assert(ps, (ps->flags & F_MULTI) ? RE_EOL : RE_EOT);
            break;
        case '.':
            ps->pos++;
            ps->cls.n = 0;
            ok = (ps->flags & F_DOTNL) ? vec_push2(&ps->cls, 0, MAX_RUNE)
                                       : vec_push2(&ps->cls, 0, '\n' - 1) && vec_push2(&ps->cls, '\n' + 1, MAX_RUNE);
            ok = ok ? push_class(ps, &ps->cls) : nomem(ps);
            break;
        case '[':
            ok = parse_class(ps);
            break;
        case '*':
        case '+':
        case '?':
            ps->pos++;
            ok = apply_rep(ps, c == '+', c == '?' ? 1 : -1, start, false, after_rep);
            break;
        case '{': {
            int32_t min, max;
            if (parse_braces(ps, &min, &max)) {
                ok = apply_rep(ps, min, max, start, true, after_rep);
            } else {
                ps->pos++;
                ok = push_literal(ps, '{');
            }
            break;
        }
        case '\\': {
            unsigned e = ps->pos + 1 < ps->len ? ps->p[ps->pos + 1] : 0;
            int kind = e == 'A' ? RE_BOT : e == 'z' ? RE_EOT : e == 'b' ? RE_WORDB : e == 'B' ? RE_NWORDB : -1;
            if (kind >= 0) {
                ps->pos += 2;
                ok = push_assert(ps, kind);
            } else if (e == 'Q') {
                size_t i = ps->pos + 2, end = i;
                while (end < ps->len && !(ps->p[end] == '\\' && end + 1 < ps->len && ps->p[end + 1] == 'E'))
                    end++;
                while (ok && i < end) {
                    uint32_t r;
                    size_t w = prune(ps, i, end, &r);
                    ok = w && push_literal(ps, r);
                    i += w;
                }
                ps->pos = end < ps->len ? end + 2 : end;
            } else {
                uint32_t r;
                ps->cls.n = 0;
                int k = parse_escape(ps, &ps->cls, &r);
                if (k == 1) {
                    ok = push_literal(ps, r);
                } else if (k == 2) {
                    cls_norm(&ps->cls);
                    ok = push_class(ps, &ps->cls);
                } else {
                    ok = false;
                }
            }
            break;
        }
        default: {
            uint32_t r;
            size_t w = prune(ps, ps->pos, ps->len, &r);
            ps->pos += w;
            ok = w && push_literal(ps, r);
            break;
        }
        }
        if (!ok)
            return -1;
    }
    if (ps->nframes)
        return fail(ps, "missing closing )", 0, ps->len), -1;
    int32_t root = collapse(ps, 0);
    if (root < 0)
        nomem(ps);
    return root;
}

/* ---------------------------------------------------------------- compiler
 * Thompson construction. Dangling exits of a fragment form a list threaded through the
 * exit fields themselves: an entry is pc<<1 | (0: out, 1: arg), and 0 ends the list. */

typedef struct frag {
    uint32_t start, head, tail;
} frag;

typedef struct compiler {
    const parser *ps;
    re_inst *inst;
    uint32_t ninst;
    size_t cap;
    bool too_large, no_mem;
} compiler;

static uint32_t *exit_field(compiler *c, uint32_t e)
{
    return (e & 1) ? &c->inst[e >> 1].arg : &c->inst[e >> 1].out;
}

static void patch(compiler *c, frag f, uint32_t to)
{
    for (uint32_t e = f.head; e;) {
        uint32_t *fld = exit_field(c, e);
        e = *fld;
        *fld = to;
    }
}

static frag join(compiler *c, frag a, uint32_t head, uint32_t tail)
{
    if (!a.head) {
        a.head = head;
        a.tail = tail;
    } else if (head) {
        *exit_field(c, a.tail) = head;
        a.tail = tail;
    }
    return a;
}

/* Appends an instruction; returns 0 (the FAIL pc) when the program would be too large. */
static uint32_t emit(compiler *c, int op)
{
    if (c->too_large || c->no_mem)
        return 0;
    if (c->ninst >= PPROF_REGEX_MAX_INST) {
        c->too_large = true;
        return 0;
    }
    if (PPROF_GROW(c->inst, c->cap, (size_t)c->ninst + 1)) {
        c->no_mem = true;
        return 0;
    }
    uint32_t pc = c->ninst++;
    memset(&c->inst[pc], 0, sizeof c->inst[pc]);
    c->inst[pc].op = (uint8_t)op;
    return pc;
}

static frag single(compiler *c, int op)
{
    uint32_t pc = emit(c, op);
    frag f = {pc, pc << 1, pc << 1};
    if (!pc)
        f.head = f.tail = 0;
    return f;
}

static frag comp(compiler *c, int32_t id);

static frag comp_star(compiler *c, int32_t child)
{
    frag s = single(c, RE_SPLIT), x = comp(c, child);
    if (!s.start || !x.start)
        return s;
    c->inst[s.start].out = x.start;
    patch(c, x, s.start);
    s.head = s.tail = s.start << 1 | 1;
    return s;
}

static frag comp_plus(compiler *c, int32_t child)
{
    frag x = comp(c, child), s = single(c, RE_SPLIT);
    if (!s.start || !x.start)
        return s;
    c->inst[s.start].out = x.start;
    patch(c, x, s.start);
    x.head = x.tail = s.start << 1 | 1;
    return x;
}

/* x? around an already compiled fragment */
static frag quest_of(compiler *c, frag x)
{
    frag s = single(c, RE_SPLIT);
    if (!s.start || !x.start)
        return s;
    c->inst[s.start].out = x.start;
    s.head = s.tail = s.start << 1 | 1;
    return join(c, s, x.head, x.tail);
}

static frag cat2(compiler *c, frag a, frag b)
{
    if (!a.start)
        return b;
    patch(c, a, b.start);
    a.head = b.head;
    a.tail = b.tail;
    return a;
}

static frag comp_rep(compiler *c, const re_node *n)
{
    int32_t child = (int32_t)n->a;
    if (n->max == 0)
        return single(c, RE_NOP);
    if (n->max < 0 && n->min == 0)
        return comp_star(c, child);
    frag f = {0, 0, 0};
    int32_t fixed = n->max < 0 ? n->min - 1 : n->min;
    for (int32_t i = 0; i < fixed && !c->too_large && !c->no_mem; i++)
        f = cat2(c, f, comp(c, child));
    if (n->max < 0)
        return cat2(c, f, comp_plus(c, child));
    if (n->max > n->min) {
        /* x{2,5} is xx(x(x(x)?)?)?: built from the innermost optional copy out */
        frag opt = quest_of(c, comp(c, child));
        for (int32_t i = n->min + 1; i < n->max && !c->too_large && !c->no_mem; i++)
            opt = quest_of(c, cat2(c, comp(c, child), opt));
        f = cat2(c, f, opt);
    }
    return f;
}

static frag comp(compiler *c, int32_t id)
{
    const re_node *n = &c->ps->nodes[id];
    frag f = {0, 0, 0};
    if (c->too_large || c->no_mem)
        return f;
    switch (n->op) {
    case N_EMPTY:
        return single(c, RE_NOP);
    case N_CLASS:
        f = single(c, RE_RANGE);
        if (f.start) {
            c->inst[f.start].arg = n->a;
            c->inst[f.start].n = n->n / 2;
        }
        return f;
    case N_ASSERT:
        f = single(c, RE_ASSERT);
        if (f.start)
            c->inst[f.start].kind = n->kind;
        return f;
    case N_CAT:
        for (uint32_t i = 0; i < n->n && !c->too_large && !c->no_mem; i++)
            f = cat2(c, f, comp(c, (int32_t)c->ps->kids.v[n->a + i]));
        return f;
    case N_ALT: {
        /* a|b|c is split(a, split(b, c)) */
        f = comp(c, (int32_t)c->ps->kids.v[n->a + n->n - 1]);
        for (uint32_t i = n->n - 1; i-- > 0 && !c->too_large && !c->no_mem;) {
            frag x = comp(c, (int32_t)c->ps->kids.v[n->a + i]);
            frag s = single(c, RE_SPLIT);
            if (!s.start || !x.start || !f.start)
                return s;
            c->inst[s.start].out = x.start;
            c->inst[s.start].arg = f.start;
            s.head = x.head;
            s.tail = x.tail;
            f = join(c, s, f.head, f.tail);
        }
        return f;
    }
    case N_REP:
        return comp_rep(c, n);
    }
    return f;
}

static void utf8_put(char *out, size_t *n, uint32_t r)
{
    if (r < 0x80) {
        out[(*n)++] = (char)r;
    } else if (r < 0x800) {
        out[(*n)++] = (char)(0xC0 | (r >> 6));
        out[(*n)++] = (char)(0x80 | (r & 0x3F));
    } else if (r < 0x10000) {
        out[(*n)++] = (char)(0xE0 | (r >> 12));
        out[(*n)++] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (r & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | (r >> 18));
        out[(*n)++] = (char)(0x80 | ((r >> 12) & 0x3F));
        out[(*n)++] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (r & 0x3F));
    }
}

/* A literal rune the text can hold as exactly its own UTF-8 bytes: U+FFFD also matches
 * invalid bytes, and surrogates match nothing. */
static bool plain_rune(int32_t r)
{
    return r >= 0 && r != 0xFFFD && !(r >= 0xD800 && r <= 0xDFFF);
}

/* Recognizes ^?literal$? so that matching can use memchr, memcmp or KMP. */
static bool find_literal(const parser *ps, int32_t root, re_prog *prog)
{
    const re_node *n = &ps->nodes[root];
    /* (no pointer arithmetic on an empty, NULL kids array: undefined in C) */
    const uint32_t *kids = n->op == N_CAT && ps->kids.v ? ps->kids.v + n->a : NULL;
    uint32_t nk = n->n;
    if (n->op != N_CAT) {
        kids = (const uint32_t *)&root;
        nk = 1;
    }
    if (n->op == N_EMPTY)
        nk = 0;
    bool bot = false, eot = false;
    if (nk && ps->nodes[kids[0]].op == N_ASSERT && ps->nodes[kids[0]].kind == RE_BOT) {
        bot = true;
        kids++;
        nk--;
    }
    if (nk && ps->nodes[kids[nk - 1]].op == N_ASSERT && ps->nodes[kids[nk - 1]].kind == RE_EOT) {
        eot = true;
        nk--;
    }
    for (uint32_t i = 0; i < nk; i++)
        if (ps->nodes[kids[i]].op != N_CLASS || !plain_rune(ps->nodes[kids[i]].lit))
            return true;
    prog->lit = malloc(4 * (size_t)nk + 1);
    if (!prog->lit)
        return false;
    for (uint32_t i = 0; i < nk; i++)
        utf8_put(prog->lit, &prog->litlen, (uint32_t)ps->nodes[kids[i]].lit);
    prog->is_literal = true;
    prog->lit_bot = bot;
    prog->lit_eot = eot;
    return true;
}

static void parser_free(parser *ps)
{
    free(ps->nodes);
    free(ps->kids.v);
    free(ps->cls.v);
    free(ps->tmp.v);
    free(ps->alts.v);
    free(ps->stack);
    free(ps->frames);
}

void pprof_re_prog_free(re_prog *prog)
{
    free(prog->inst);
    free(prog->ranges);
    free(prog->lit);
    memset(prog, 0, sizeof *prog);
}

bool pprof_re_parse(const char *pattern, size_t len, re_prog *prog, char *err, size_t errlen)
{
    memset(prog, 0, sizeof *prog);
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = (const unsigned char *)pattern;
    ps.len = len;
    ps.err = err;
    ps.errlen = errlen;
    if (errlen)
        err[0] = 0;
    if (len > PPROF_REGEX_MAX_LEN) {
        if (errlen)
            snprintf(err, errlen, "error parsing regexp: expression too large: pattern longer than %u bytes",
                     (unsigned)PPROF_REGEX_MAX_LEN);
        return false;
    }
    int32_t root = parse_all(&ps);
    bool ok = root >= 0;
    compiler c;
    memset(&c, 0, sizeof c);
    c.ps = &ps;
    if (ok) {
        emit(&c, RE_FAIL);
        frag f = comp(&c, root);
        uint32_t m = emit(&c, RE_MATCH);
        if (c.too_large) {
            ok = fail(&ps, "expression too large", 0, ps.len);
        } else if (c.no_mem || !f.start || !m) {
            ok = nomem(&ps);
        } else {
            patch(&c, f, m);
            prog->inst = c.inst;
            prog->ninst = c.ninst;
            prog->start = f.start;
            c.inst = NULL;
            prog->ranges = ps.ranges.v;
            prog->nranges = (uint32_t)ps.ranges.n;
            ps.ranges.v = NULL;
            prog->uses_word = ps.uses_word;
            prog->uses_line = ps.uses_line;
            if (!find_literal(&ps, root, prog))
                ok = nomem(&ps);
        }
    }
    free(c.inst);
    free(ps.ranges.v);
    parser_free(&ps);
    if (!ok)
        pprof_re_prog_free(prog);
    return ok;
}
