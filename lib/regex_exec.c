/* regex_exec.c: regexp matching in linear time: a DFA built at compile time within budgets, else a Thompson NFA simulation. */
#define PPROF_REGEX_INTERNAL
#include "regex.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a position's neighbour looks like, as far as assertions care: EDGE is the start of
 * the text for the previous rune and the end for the next one. Programs without \b fold
 * WORD into OTHER, and without (?m)^ or (?m)$ fold NL into OTHER, to keep the DFA small. */
enum { CX_OTHER, CX_WORD, CX_NL, CX_EDGE, NCX };

/* DFA budgets: beyond them the regexp runs on the NFA simulation, which is slower per byte
 * but needs no table. They bound compile time to some milliseconds and memory to a few MiB.
 * Fuzzing builds (instrumented, some 50x slower) take budgets 64x smaller: the same paths,
 * both engines and the fallback between them, at a fraction of the time per input. */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define DFA_MAX_CELLS (1u << 18)   /* states x classes */
#define DFA_MAX_WORK (1u << 20)    /* instructions visited while building */
#define DFA_MAX_SIGBITS (1u << 23) /* intervals x distinct classes, for class merging */
#define DFA_MAX_POOL (1u << 18)    /* program counters stored for all states */
#else
#define DFA_MAX_CELLS (1u << 12)
#define DFA_MAX_WORK (1u << 14)
#define DFA_MAX_SIGBITS (1u << 17)
#define DFA_MAX_POOL (1u << 12)
#endif

#define T_MATCH (-1)
#define T_DEAD (-2)

/* Transitions hold row offsets (state << shift) so that the scan needs no multiply; states
 * from accel_first on can skip ahead (see dfa_match), and the negative T_MATCH and T_DEAD
 * compare above them as unsigned, so one test per byte catches all three. */
typedef struct re_dfa {
    uint32_t shift, nstates, accel_first, start;
    uint16_t ascii[128];  /* class of each ASCII byte */
    uint32_t *cuts;       /* starts of the non-ASCII rune intervals, cuts[0] = 0x80 */
    uint16_t *cut_class;  /* class of each of those intervals */
    uint32_t ncuts;
    int32_t *trans;       /* nstates << shift */
    uint8_t *eot;         /* by state: 1 when it matches at the end of the text */
    int16_t *single;      /* by state - accel_first: the one byte leaving it, or -1 ... */
    uint8_t (*leave)[256]; /* ... else 1 for each byte leaving it */
} re_dfa;

/* Literals longer than this are searched with KMP, whose worst case stays linear. */
#define SHORT_LITERAL 32

struct pprof_regex {
    re_prog prog;
    uint32_t *kmp; /* long literals: length of the longest proper border of each prefix */
    bool anchored; /* only a match starting at offset 0 is possible */
    re_dfa *dfa;
};

/* ---------------------------------------------------------------- NFA closures */

/* A sparse set of program counters: O(1) insert, test and clear. */
typedef struct sparse {
    uint32_t *dense, *index, n;
} sparse;

static inline bool sp_has(const sparse *s, uint32_t x)
{
    uint32_t i = s->index[x];
    return i < s->n && s->dense[i] == x;
}

static inline void sp_add(sparse *s, uint32_t x)
{
    s->index[x] = s->n;
    s->dense[s->n++] = x;
}

typedef struct workspace {
    const re_prog *prog;
    uint32_t *stack; /* follow's: each visit pushes at most 2, after the seeds */
    uint32_t *seeds;
    sparse seen, a, b, cons;
    size_t work;
    uint32_t *mem;
} workspace;

static bool ws_init(workspace *w, const re_prog *prog)
{
    size_t n = prog->ninst;
    /* Sparse sets need no initialization; calloc only keeps memory checkers quiet. */
    w->mem = calloc(12 * n + 3, sizeof *w->mem);
    if (!w->mem)
        return false;
    w->prog = prog;
    w->stack = w->mem;
    w->seeds = w->mem + 3 * n + 2;
    sparse *sets[4] = {&w->seen, &w->a, &w->b, &w->cons};
    for (int i = 0; i < 4; i++) {
        sets[i]->dense = w->mem + 4 * n + 3 + 2 * n * (size_t)i;
        sets[i]->index = sets[i]->dense + n;
        sets[i]->n = 0;
    }
    w->work = 0;
    return true;
}

static bool assert_ok(int kind, int prev, int next)
{
    switch (kind) {
    case RE_BOT: return prev == CX_EDGE;
    case RE_EOT: return next == CX_EDGE;
    case RE_BOL: return prev == CX_EDGE || prev == CX_NL;
    case RE_EOL: return next == CX_EDGE || next == CX_NL;
    case RE_WORDB: return (prev == CX_WORD) != (next == CX_WORD);
    case RE_NWORDB: return (prev == CX_WORD) == (next == CX_WORD);
    }
    return false;
}

static inline int ctx_of(const re_prog *p, uint32_t r)
{
    if (r == '\n' && p->uses_line)
        return CX_NL;
    if (p->uses_word && pprof_re_isword(r))
        return CX_WORD;
    return CX_OTHER;
}

/* Follows empty transitions from seeds into out. With eval false (prev, next unknown yet)
 * it stops at RANGE, ASSERT and MATCH instructions, which form a canonical thread set;
 * with eval true it passes the assertions that hold between prev and next, keeps only
 * RANGE instructions and returns true as soon as MATCH is reached. */
static bool follow(workspace *w, const uint32_t *seeds, uint32_t nseeds, int prev, int next, bool eval,
                   sparse *out)
{
    const re_inst *in = w->prog->inst;
    uint32_t sp = 0;
    w->seen.n = 0;
    for (uint32_t i = nseeds; i-- > 0;)
        w->stack[sp++] = seeds[i];
    while (sp) {
        uint32_t pc = w->stack[--sp];
        if (sp_has(&w->seen, pc))
            continue;
        sp_add(&w->seen, pc);
        w->work++;
        const re_inst *x = &in[pc];
        switch (x->op) {
        case RE_NOP:
            w->stack[sp++] = x->out;
            break;
        case RE_SPLIT:
            w->stack[sp++] = x->arg;
            w->stack[sp++] = x->out;
            break;
        case RE_ASSERT:
            if (!eval)
                sp_add(out, pc);
            else if (assert_ok(x->kind, prev, next))
                w->stack[sp++] = x->out;
            break;
        case RE_MATCH:
            if (eval)
                return true;
            sp_add(out, pc);
            break;
        case RE_RANGE:
            sp_add(out, pc);
            break;
        default:
            break;
        }
    }
    return false;
}

static inline bool in_ranges(const uint32_t *r, uint32_t n, uint32_t c)
{
    if (n <= 4) {
        for (uint32_t i = 0; i < n; i++)
            if (c >= r[2 * i] && c <= r[2 * i + 1])
                return true;
        return false;
    }
    uint32_t a = 0, b = n;
    while (a < b) {
        uint32_t m = (a + b) / 2;
        if (r[2 * m + 1] < c)
            a = m + 1;
        else
            b = m;
    }
    return a < n && r[2 * a] <= c;
}

/* Moves the RANGE threads of cons that accept rune r into the canonical set out (cleared),
 * adding a fresh start when the search is unanchored. */
static void step(workspace *w, const sparse *cons, uint32_t r, bool restart, sparse *out)
{
    const re_prog *p = w->prog;
    uint32_t ns = 0;
    for (uint32_t i = 0; i < cons->n; i++) {
        const re_inst *x = &p->inst[cons->dense[i]];
        w->work++;
        if (in_ranges(p->ranges + x->arg, x->n, r))
            w->seeds[ns++] = x->out;
    }
    if (restart)
        w->seeds[ns++] = p->start;
    out->n = 0;
    follow(w, w->seeds, ns, CX_OTHER, CX_OTHER, false, out);
}

/* True when no match can start after offset 0: every path from the start passes \A or ^. */
static bool start_anchored(const re_prog *p)
{
    uint8_t *seen = calloc(p->ninst, 1);
    uint32_t *stack = malloc((2 * (size_t)p->ninst + 1) * sizeof *stack);
    bool anchored = seen && stack;
    uint32_t sp = 0;
    if (anchored)
        stack[sp++] = p->start;
    while (anchored && sp) {
        uint32_t pc = stack[--sp];
        if (seen[pc])
            continue;
        seen[pc] = 1;
        const re_inst *x = &p->inst[pc];
        switch (x->op) {
        case RE_NOP:
            stack[sp++] = x->out;
            break;
        case RE_SPLIT:
            stack[sp++] = x->out;
            stack[sp++] = x->arg;
            break;
        case RE_ASSERT:
            if (x->kind != RE_BOT)
                stack[sp++] = x->out;
            break;
        case RE_RANGE:
        case RE_MATCH:
            anchored = false;
            break;
        default:
            break;
        }
    }
    free(seen);
    free(stack);
    return anchored;
}

/* ---------------------------------------------------------------- DFA construction */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Index of the interval of cuts[0..n) (sorted, cuts[0] = 0) that holds r. */
static uint32_t find_interval(const uint32_t *cuts, uint32_t n, uint32_t r)
{
    uint32_t a = 0, b = n;
    while (b - a > 1) {
        uint32_t m = (a + b) / 2;
        if (cuts[m] <= r)
            a = m;
        else
            b = m;
    }
    return a;
}

static void dfa_free(re_dfa *d)
{
    if (!d)
        return;
    free(d->cuts);
    free(d->cut_class);
    free(d->trans);
    free(d->eot);
    free(d->single);
    free(d->leave);
    free(d);
}

/* Rune classes: runes that every RANGE instruction and every assertion treats alike share
 * a class, so the DFA has one column per class rather than per rune. */
typedef struct classes {
    uint32_t *cuts; /* interval starts over [0, 0x110000) */
    uint32_t nint;
    uint32_t *cls;  /* class of each interval */
    uint32_t nclasses;
    uint32_t *rep;  /* a rune of each class */
} classes;

static bool make_classes(const re_prog *p, classes *c)
{
    memset(c, 0, sizeof *c);
    size_t ncut = 0, cap = p->nranges + 32;
    uint32_t *cuts = malloc(cap * sizeof *cuts);
    uint32_t *sets = malloc(((size_t)p->ninst + 1) * sizeof *sets);
    uint64_t *sig = NULL;
    uint32_t *hash = NULL;
    bool ok = false;
    if (!cuts || !sets)
        goto out;
    static const uint32_t fixed[] = {0, 0x80, '\n', '\n' + 1, '0', '9' + 1, 'A', 'Z' + 1, '_', '_' + 1, 'a', 'z' + 1};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        cuts[ncut++] = fixed[i];
    for (uint32_t i = 0; i < p->nranges; i += 2) {
        cuts[ncut++] = p->ranges[i];
        if (p->ranges[i + 1] < 0x10FFFF)
            cuts[ncut++] = p->ranges[i + 1] + 1;
    }
    qsort(cuts, ncut, sizeof *cuts, cmp_u32);
    size_t w = 0;
    for (size_t i = 0; i < ncut; i++)
        if (!w || cuts[i] != cuts[w - 1])
            cuts[w++] = cuts[i];
    c->cuts = cuts;
    c->nint = (uint32_t)w;
    cuts = NULL;
    /* distinct range sets (copies made by x{n} share theirs) */
    uint32_t nsets = 0;
    for (uint32_t pc = 0; pc < p->ninst; pc++)
        if (p->inst[pc].op == RE_RANGE)
            sets[nsets++] = pc;
    size_t words = (nsets + 2 + 63) / 64;
    if ((uint64_t)c->nint * words * 64 > DFA_MAX_SIGBITS)
        goto out;
    sig = calloc((size_t)c->nint * words, sizeof *sig);
    c->cls = malloc(c->nint * sizeof *c->cls);
    c->rep = malloc(c->nint * sizeof *c->rep);
    size_t hcap = 16;
    while (hcap < 2 * (size_t)c->nint)
        hcap *= 2;
    hash = malloc(hcap * sizeof *hash);
    if (!sig || !c->cls || !c->rep || !hash)
        goto out;
    memset(hash, 0xFF, hcap * sizeof *hash);
    for (uint32_t k = 0; k < nsets; k++) {
        const re_inst *x = &p->inst[sets[k]];
        /* the same ranges under another pc: same bits, skip */
        bool dup = false;
        for (uint32_t j = k; j-- > 0 && j + 8 > k;)
            if (p->inst[sets[j]].arg == x->arg && p->inst[sets[j]].n == x->n)
                dup = true;
        if (dup)
            continue;
        for (uint32_t i = 0; i < x->n; i++) {
            uint32_t a = find_interval(c->cuts, c->nint, p->ranges[x->arg + 2 * i]);
            uint32_t b = find_interval(c->cuts, c->nint, p->ranges[x->arg + 2 * i + 1]);
            for (uint32_t j = a; j <= b; j++)
                sig[(size_t)j * words + k / 64] |= 1ull << (k % 64);
        }
    }
    for (uint32_t j = 0; j < c->nint; j++) {
        uint64_t *s = &sig[(size_t)j * words];
        int cx = ctx_of(p, c->cuts[j]);
        s[nsets / 64] |= (uint64_t)cx << (nsets % 64); /* 2 bits; may straddle into the next word */
        if (nsets % 64 == 63)
            s[nsets / 64 + 1] |= (uint64_t)cx >> 1;
        size_t slot = (size_t)pprof_hash_bytes(s, words * sizeof *s) & (hcap - 1);
        for (;; slot = (slot + 1) & (hcap - 1)) {
            uint32_t o = hash[slot];
            if (o == UINT32_MAX) {
                hash[slot] = j;
                c->cls[j] = c->nclasses;
                c->rep[c->nclasses++] = c->cuts[j];
                break;
            }
            if (memcmp(&sig[(size_t)o * words], s, words * sizeof *s) == 0) {
                c->cls[j] = c->cls[o];
                break;
            }
        }
    }
    ok = c->nclasses <= UINT16_MAX;
out:
    free(cuts);
    free(sets);
    free(sig);
    free(hash);
    return ok;
}

typedef struct dstate {
    uint32_t off, n;
    uint8_t prev;
} dstate;

typedef struct builder {
    const re_prog *prog;
    workspace w;
    dstate *st;
    uint32_t nst;
    size_t capst;
    uint32_t *pool;
    size_t npool, cappool;
    uint32_t *hash; /* the toolkit's index over st: state index + 1, 0 empty */
    size_t hmask;
    bool restart;
    bool over; /* out of budget or memory: give up on the DFA */
} builder;

static uint64_t state_hash(const uint32_t *pcs, uint32_t n, int prev)
{
    return pprof_hash_bytes(pcs, n * sizeof *pcs) ^ pprof_hash_u64((uint64_t)prev + 1);
}

static uint64_t state_entry_hash(const void *ctx, size_t i)
{
    const builder *b = ctx;
    return state_hash(b->pool + b->st[i].off, b->st[i].n, b->st[i].prev);
}

/* The state for thread set s (sorted here) after a rune of context prev; -1 when over budget. */
static int32_t intern(builder *b, sparse *s, int prev, uint32_t nclasses)
{
    uint32_t *pcs = s->dense, n = s->n;
    if (n > 32) {
        qsort(pcs, n, sizeof *pcs, cmp_u32);
    } else { /* thread sets are mostly tiny: insertion sort beats qsort's overhead */
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = pcs[i], j = i;
            for (; j > 0 && pcs[j - 1] > x; j--)
                pcs[j] = pcs[j - 1];
            pcs[j] = x;
        }
    }
    uint64_t h = state_hash(pcs, n, prev);
    if (b->hash) {
        for (size_t slot = h & b->hmask;; slot = (slot + 1) & b->hmask) {
            uint32_t o = b->hash[slot];
            if (o == 0)
                break;
            const dstate *d = &b->st[o - 1];
            if (d->prev == prev && d->n == n && memcmp(b->pool + d->off, pcs, n * sizeof *pcs) == 0)
                return (int32_t)(o - 1);
        }
    }
    if ((size_t)(b->nst + 1) * nclasses > DFA_MAX_CELLS || b->npool + n > DFA_MAX_POOL) {
        b->over = true;
        return -1;
    }
    if (PPROF_GROW(b->st, b->capst, (size_t)b->nst + 1) || PPROF_GROW(b->pool, b->cappool, b->npool + n)) {
        b->over = true;
        return -1;
    }
    memcpy(b->pool + b->npool, pcs, n * sizeof *pcs);
    b->st[b->nst] = (dstate){(uint32_t)b->npool, n, (uint8_t)prev};
    b->npool += n;
    b->nst++;
    if (!b->hash || 2 * (size_t)b->nst > b->hmask + 1) {
        if (pprof_slots_rebuild(&b->hash, &b->hmask, b->hash ? (b->hmask + 1) * 2 : 64, b->nst, state_entry_hash, b)) {
            b->over = true;
            return -1;
        }
        return (int32_t)(b->nst - 1);
    }
    size_t slot = h & b->hmask;
    while (b->hash[slot])
        slot = (slot + 1) & b->hmask;
    b->hash[slot] = b->nst;
    return (int32_t)(b->nst - 1);
}

/* Lays the built table out for dfa_match: finds the states that loop on all but a few
 * ASCII bytes, numbers them last and turns targets into row offsets. */
static bool dfa_finish(re_dfa *d, const classes *c, const int32_t *trans, const uint8_t *eot, uint32_t n)
{
    uint32_t C = c->nclasses, shift = 0;
    while ((1u << shift) < C)
        shift++;
    for (uint32_t i = 0; i < 128; i++)
        d->ascii[i] = (uint16_t)c->cls[find_interval(c->cuts, c->nint, i)];
    uint32_t first = find_interval(c->cuts, c->nint, 0x80);
    d->ncuts = c->nint - first;
    d->cuts = malloc(d->ncuts * sizeof *d->cuts);
    d->cut_class = malloc(d->ncuts * sizeof *d->cut_class);
    uint32_t *perm = malloc(n * sizeof *perm);
    uint8_t *acc = calloc(n, 1);
    bool ok = d->cuts && d->cut_class && perm && acc;
    for (uint32_t i = 0; ok && i < d->ncuts; i++) {
        d->cuts[i] = c->cuts[first + i];
        d->cut_class[i] = (uint16_t)c->cls[first + i];
    }
    uint32_t nacc = 0;
    for (uint32_t st = 0; ok && st < n; st++) {
        const int32_t *row = trans + (size_t)st * C;
        bool loops = true;
        for (uint32_t i = 0; i < d->ncuts && loops; i++)
            loops = row[d->cut_class[i]] == (int32_t)st;
        uint32_t nesc = 0;
        for (uint32_t i = 0; i < 128; i++)
            nesc += row[d->ascii[i]] != (int32_t)st;
        /* worth it only when leaving is rare: few ways out, all ASCII */
        acc[st] = loops && nesc <= 4;
        nacc += acc[st];
    }
    d->nstates = n;
    d->accel_first = n - nacc;
    uint32_t lo = 0, hi = n - nacc;
    for (uint32_t st = 0; ok && st < n; st++)
        perm[st] = acc[st] ? hi++ : lo++;
    d->trans = malloc(((size_t)n << shift) * sizeof *d->trans);
    d->eot = malloc(n);
    d->single = malloc((nacc ? nacc : 1) * sizeof *d->single);
    d->leave = calloc(nacc ? nacc : 1, sizeof *d->leave);
    ok = ok && d->trans && d->eot && d->single && d->leave;
    for (uint32_t st = 0; ok && st < n; st++) {
        const int32_t *row = trans + (size_t)st * C;
        int32_t *out = d->trans + ((size_t)perm[st] << shift);
        for (uint32_t k = 0; k < (1u << shift); k++)
            out[k] = k >= C ? T_DEAD : row[k] < 0 ? row[k] : (int32_t)(perm[row[k]] << shift);
        d->eot[perm[st]] = eot[st];
        if (acc[st]) {
            uint32_t a = perm[st] - d->accel_first, nesc = 0;
            int last = -1;
            for (uint32_t i = 0; i < 128; i++)
                if (row[d->ascii[i]] != (int32_t)st) {
                    d->leave[a][i] = 1;
                    last = (int)i;
                    nesc++;
                }
            d->single[a] = (int16_t)(nesc == 1 ? last : -1);
        }
    }
    d->shift = shift;
    d->start = ok ? perm[0] << shift : 0;
    free(perm);
    free(acc);
    return ok;
}

/* Builds every reachable state breadth-first; NULL when a budget is exceeded. */
static re_dfa *dfa_build(const re_prog *p, bool anchored)
{
    classes c;
    builder b;
    memset(&b, 0, sizeof b);
    re_dfa *d = NULL;
    int32_t *trans = NULL;
    uint8_t *eot = NULL;
    size_t tcap = 0;
    if (!make_classes(p, &c) || !ws_init(&b.w, p))
        goto fail;
    b.prog = p;
    b.restart = !anchored;
    uint32_t C = c.nclasses;
    uint8_t *cctx = malloc(C);
    if (!cctx)
        goto fail;
    bool has_cx[NCX] = {false};
    for (uint32_t k = 0; k < C; k++) {
        cctx[k] = (uint8_t)ctx_of(p, c.rep[k]);
        has_cx[cctx[k]] = true;
    }
    {
        uint32_t s0 = p->start;
        b.w.a.n = 0;
        follow(&b.w, &s0, 1, CX_OTHER, CX_OTHER, false, &b.w.a);
        intern(&b, &b.w.a, CX_EDGE, C);
    }
    for (uint32_t si = 0; si < b.nst && !b.over; si++) {
        if (b.w.work > DFA_MAX_WORK) {
            b.over = true;
            break;
        }
        if ((size_t)b.nst * C > tcap) {
            size_t nc = tcap ? tcap : 64 * (size_t)C;
            while (nc < (size_t)b.nst * C)
                nc *= 2;
            int32_t *nt = realloc(trans, nc * sizeof *nt);
            if (!nt) {
                b.over = true;
                break;
            }
            trans = nt;
            uint8_t *ne = realloc(eot, nc / C);
            if (!ne) {
                b.over = true;
                break;
            }
            eot = ne;
            tcap = nc;
        }
        dstate ds = b.st[si];
        int prev = ds.prev;
        /* copy: interning may move the pool */
        uint32_t *cur = b.w.seeds;
        memcpy(cur, b.pool + ds.off, ds.n * sizeof *cur);
        b.w.a.n = 0;
        for (uint32_t i = 0; i < ds.n; i++)
            sp_add(&b.w.a, cur[i]);
        b.w.cons.n = 0;
        eot[si] = follow(&b.w, b.w.a.dense, b.w.a.n, prev, CX_EDGE, true, &b.w.cons);
        for (int cx = 0; cx < CX_EDGE && !b.over; cx++) {
            if (!has_cx[cx])
                continue;
            b.w.cons.n = 0;
            bool m = follow(&b.w, b.w.a.dense, b.w.a.n, prev, cx, true, &b.w.cons);
            for (uint32_t k = 0; k < C && !b.over; k++) {
                if (cctx[k] != cx)
                    continue;
                int32_t t = T_MATCH;
                if (!m) {
                    step(&b.w, &b.w.cons, c.rep[k], b.restart, &b.w.b);
                    t = b.w.b.n ? intern(&b, &b.w.b, cx, C) : T_DEAD;
                }
                trans[(size_t)si * C + k] = t;
            }
        }
    }
    free(cctx);
    if (b.over)
        goto fail;
    d = calloc(1, sizeof *d);
    if (!d || !dfa_finish(d, &c, trans, eot, b.nst)) {
fail:
        dfa_free(d);
        d = NULL;
    }
    free(trans);
    free(eot);
    free(c.cuts);
    free(c.cls);
    free(c.rep);
    free(b.w.mem);
    free(b.st);
    free(b.pool);
    free(b.hash);
    return d;
}

/* ---------------------------------------------------------------- matching */

static bool dfa_match(const re_dfa *d, const unsigned char *s, size_t n)
{
    const int32_t *T = d->trans;
    const uint32_t special = d->accel_first << d->shift;
    uint32_t st = d->start;
    size_t i = 0;
    while (i < n) {
        uint32_t k, b = s[i];
        if (b < 0x80) {
            k = d->ascii[b];
            i++;
        } else {
            uint32_t r;
            i += pprof_re_decode(s + i, n - i, &r);
            k = d->cut_class[find_interval(d->cuts, d->ncuts, r)];
        }
        int32_t t = T[st + k];
        st = (uint32_t)t;
        if (st < special)
            continue;
        if (t < 0)
            return t == T_MATCH;
        /* A state left by few ASCII bytes only: skip to the next of them. Skipping into the
         * middle of a multi-byte rune is harmless as no such rune leaves and an ASCII byte
         * is never part of one. */
        uint32_t a = (st >> d->shift) - d->accel_first;
        if (d->single[a] >= 0) {
            const unsigned char *q = memchr(s + i, d->single[a], n - i);
            i = q ? (size_t)(q - s) : n;
        } else {
            const uint8_t *lv = d->leave[a];
            while (i < n && !lv[s[i]])
                i++;
        }
    }
    return d->eot[st >> d->shift];
}

static bool nfa_match(const pprof_regex *re, const unsigned char *s, size_t n)
{
    const re_prog *p = &re->prog;
    workspace w;
    if (!ws_init(&w, p))
        return false; /* out of memory: report no match rather than crash */
    sparse *cur = &w.a, *nxt = &w.b;
    uint32_t s0 = p->start;
    follow(&w, &s0, 1, CX_OTHER, CX_OTHER, false, cur);
    int prev = CX_EDGE;
    bool matched = false;
    for (size_t i = 0;;) {
        uint32_t r = 0;
        size_t wd = 0;
        int next = CX_EDGE;
        if (i < n) {
            wd = pprof_re_decode(s + i, n - i, &r);
            next = ctx_of(p, r);
        }
        w.cons.n = 0;
        if (follow(&w, cur->dense, cur->n, prev, next, true, &w.cons)) {
            matched = true;
            break;
        }
        if (i >= n)
            break;
        step(&w, &w.cons, r, !re->anchored, nxt);
        if (!nxt->n)
            break;
        sparse *t = cur;
        cur = nxt;
        nxt = t;
        prev = next;
        i += wd;
    }
    free(w.mem);
    return matched;
}

/* memchr for the first byte then memcmp: O(len x m) at worst, which short literals keep
 * small; longer ones go through KMP (memmem is not standard C or POSIX). */
static bool find_literal(const pprof_regex *re, const char *h, size_t n)
{
    const char *lit = re->prog.lit;
    size_t m = re->prog.litlen;
    if (m == 0)
        return true;
    if (!re->kmp) {
        while (n >= m) {
            const char *q = memchr(h, (unsigned char)lit[0], n - m + 1);
            if (!q)
                return false;
            if (memcmp(q + 1, lit + 1, m - 1) == 0)
                return true;
            n -= (size_t)(q - h) + 1;
            h = q + 1;
        }
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k == 0) {
            const char *q = memchr(h + i, (unsigned char)lit[0], n - i);
            if (!q)
                return false;
            i = (size_t)(q - h);
        }
        while (k > 0 && h[i] != lit[k])
            k = re->kmp[k - 1];
        if (h[i] == lit[k] && ++k == m)
            return true;
    }
    return false;
}

static uint32_t *kmp_table(const char *lit, size_t m)
{
    uint32_t *f = malloc(m * sizeof *f);
    if (!f)
        return NULL;
    f[0] = 0;
    for (size_t i = 1, k = 0; i < m; i++) {
        while (k > 0 && lit[i] != lit[k])
            k = f[k - 1];
        if (lit[i] == lit[k])
            k++;
        f[i] = (uint32_t)k;
    }
    return f;
}

bool pprof_regex_match(const pprof_regex *re, const char *text, size_t len)
{
    const re_prog *p = &re->prog;
    if (p->is_literal) {
        if (len < p->litlen)
            return false;
        if (p->lit_bot && p->lit_eot)
            return len == p->litlen && (len == 0 || memcmp(text, p->lit, len) == 0);
        if (p->litlen == 0)
            return true;
        if (p->lit_bot)
            return memcmp(text, p->lit, p->litlen) == 0;
        if (p->lit_eot)
            return memcmp(text + len - p->litlen, p->lit, p->litlen) == 0;
        return find_literal(re, text, len);
    }
    if (re->dfa)
        return dfa_match(re->dfa, (const unsigned char *)text, len);
    return nfa_match(re, (const unsigned char *)text, len);
}

/* For tests: runs the NFA simulation even when a DFA exists. */
bool pprof_re_match_nfa(const pprof_regex *re, const char *text, size_t len)
{
    if (re->prog.is_literal)
        return pprof_regex_match(re, text, len);
    return nfa_match(re, (const unsigned char *)text, len);
}

int pprof_re_engine(const pprof_regex *re)
{
    return re->prog.is_literal ? 0 : re->dfa ? 1 : 2;
}

int pprof_regex_compile(pprof_regex **out, const char *pattern, size_t len, pprof_error *err)
{
    *out = NULL;
    pprof_regex *re = calloc(1, sizeof *re);
    if (!re)
        return pprof_error_set(err, PPROF_ENOMEM, "error parsing regexp: out of memory");
    char msg[sizeof err->msg];
    if (!pprof_re_parse(pattern, len, &re->prog, msg, sizeof msg)) {
        free(re);
        /* The parser runs out of memory only as "out of memory". */
        return pprof_error_set(err, PPROF_EREGEXP, "%s", msg);
    }
    if (re->prog.is_literal && !re->prog.lit_bot && !re->prog.lit_eot && re->prog.litlen > SHORT_LITERAL) {
        re->kmp = kmp_table(re->prog.lit, re->prog.litlen);
        if (!re->kmp) {
            pprof_regex_free(re);
            return pprof_error_set(err, PPROF_ENOMEM, "error parsing regexp: out of memory");
        }
    }
    if (!re->prog.is_literal) {
        re->anchored = start_anchored(&re->prog);
        re->dfa = dfa_build(&re->prog, re->anchored);
    }
    *out = re;
    return 0;
}

void pprof_regex_free(pprof_regex *re)
{
    if (!re)
        return;
    dfa_free(re->dfa);
    free(re->kmp);
    pprof_re_prog_free(&re->prog);
    free(re);
}
