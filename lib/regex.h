/* regex.h: private library header for the Go RE2-syntax regexp engine with linear-time matching. */
#ifndef PPROF_REGEX_H
#define PPROF_REGEX_H

#include "pprof.h"

/* The API (pprof_regex_compile, _match, _free) is declared in pprof.h.
 * Limits: patterns longer than PPROF_REGEX_MAX_LEN bytes, groups nested PPROF_REGEX_MAX_DEPTH
 * deep and programs over PPROF_REGEX_MAX_INST instructions are rejected. */
#define PPROF_REGEX_MAX_LEN 65536
#define PPROF_REGEX_MAX_DEPTH 1000
#define PPROF_REGEX_MAX_INST (1u << 20)

#ifdef PPROF_REGEX_INTERNAL
/* ---------------------------------------------------------------- internals
 * Shared by regex_parse.c (pattern -> program) and regex_exec.c (program -> matcher) only. */

/* Instructions of the Thompson NFA; pc 0 is always RE_FAIL so that 0 can end patch lists. */
enum { RE_FAIL, RE_RANGE, RE_SPLIT, RE_NOP, RE_ASSERT, RE_MATCH };

/* Zero-width assertions. */
enum { RE_BOT, RE_EOT, RE_BOL, RE_EOL, RE_WORDB, RE_NWORDB };

typedef struct re_inst {
    uint8_t op;
    uint8_t kind; /* RE_ASSERT: which assertion */
    uint32_t out;
    uint32_t arg; /* RE_SPLIT: second branch; RE_RANGE: first rune of its range pairs */
    uint32_t n;   /* RE_RANGE: number of [lo,hi] pairs, sorted and disjoint */
} re_inst;

typedef struct re_prog {
    re_inst *inst;
    uint32_t ninst, start;
    uint32_t *ranges; /* lo,hi pairs used by RE_RANGE */
    uint32_t nranges; /* in uint32s */
    bool uses_word;   /* \b or \B present: the word-ness of neighbours matters */
    bool uses_line;   /* (?m)^ or (?m)$ present: newlines around a position matter */
    /* Set when the pattern is a plain string, possibly anchored: matched without the NFA. */
    bool is_literal, lit_bot, lit_eot;
    char *lit;
    size_t litlen;
} re_prog;

/* Parses and compiles pattern into prog; on error returns false with err filled. */
bool pprof_re_parse(const char *pattern, size_t len, re_prog *prog, char *err, size_t errlen);
void pprof_re_prog_free(re_prog *prog);

/* Decodes one rune like Go's utf8.DecodeRune: an invalid or truncated sequence is U+FFFD of
 * width 1. Returns the width (n must be > 0). */
static inline size_t pprof_re_decode(const unsigned char *s, size_t n, uint32_t *r)
{
    unsigned b0 = s[0];
    if (b0 < 0x80) {
        *r = b0;
        return 1;
    }
    *r = 0xFFFD;
    if (b0 < 0xC2 || b0 > 0xF4)
        return 1;
    if (b0 < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 1;
        *r = ((b0 & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    unsigned lo = 0x80, hi = 0xBF;
    if (b0 == 0xE0)
        lo = 0xA0;
    else if (b0 == 0xED)
        hi = 0x9F;
    else if (b0 == 0xF0)
        lo = 0x90;
    else if (b0 == 0xF4)
        hi = 0x8F;
    if (n < 2 || s[1] < lo || s[1] > hi)
        return 1;
    if (n < 3 || (s[2] & 0xC0) != 0x80)
        return 1;
    if (b0 < 0xF0) {
        *r = ((b0 & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        return 3;
    }
    if (n < 4 || (s[3] & 0xC0) != 0x80)
        return 1;
    *r = ((b0 & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    return 4;
}

/* For tests: the NFA simulation alone, and which engine a regexp uses (0 literal, 1 DFA,
 * 2 NFA). */
bool pprof_re_match_nfa(const pprof_regex *re, const char *text, size_t len);
int pprof_re_engine(const pprof_regex *re);

/* ASCII word character, as \b and \w see it. */
static inline bool pprof_re_isword(uint32_t r)
{
    return (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r == '_';
}
#endif

#endif
