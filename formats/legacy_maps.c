/* legacy_maps.c: memory maps of legacy profiles: map line formats, mapping massaging, assigning locations to mappings. */
#include "legacy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ memory map */

/* The fields of one memory-map line (pprof's procMapsRE / briefMapsRE). */
typedef struct map_fields {
    lg_str start, end, perm, offset, file, bid;
} map_fields;

static bool is_perm(int c)
{
    return c == '-' || c == 'r' || c == 'w' || c == 'x' || c == 'p';
}

static bool is_not_space(int c)
{
    return !lg_is_re_space(c);
}

static lg_str sub(lg_str l, size_t a, size_t b)
{
    return (lg_str){l.p + a, b - a};
}

static int at(lg_str l, size_t i)
{
    return i < l.n ? (unsigned char)l.p[i] : -1;
}

/* One way of reading the leading "start-end" of a line. */
typedef struct hex_range {
    lg_str start, end;
    size_t next; /* after the optional ':' */
} hex_range;

/* "[0x]hex" at q, the second number of a range: true with its digits. */
static bool second_hex(lg_str l, size_t q, size_t *a, size_t *e)
{
    if (at(l, q) == '0' && at(l, q + 1) == 'x' && lg_is_xdigit(at(l, q + 2))) {
        *a = q + 2;
    } else if (lg_is_xdigit(at(l, q))) {
        *a = q;
    } else {
        return false;
    }
    *e = lg_run(l, *a, lg_is_xdigit);
    return true;
}

/* The readings of `\s*(?:0x)?(hex+)[\s-]?\s*(?:0x)?(hex+):?` that can lead
 * to a match, in the order a backtracking matcher tries them: both numbers
 * whole, then the first number split before its last digit (which is how
 * such a pattern reads "400000 r-xp ..."). */
static size_t hex_ranges(lg_str l, hex_range out[2])
{
    size_t p = lg_run(l, 0, lg_is_re_space), h1 = p;
    if (at(l, p) == '0' && at(l, p + 1) == 'x') {
        if (!lg_is_xdigit(at(l, p + 2)))
            return 0;
        h1 = p + 2;
    }
    size_t b = lg_run(l, h1, lg_is_xdigit);
    if (b == h1)
        return 0;
    size_t k = 0, a, e;
    size_t q = b;
    if (lg_is_re_space(at(l, q)) || at(l, q) == '-')
        q++;
    q = lg_run(l, q, lg_is_re_space);
    if (second_hex(l, q, &a, &e))
        out[k++] = (hex_range){sub(l, h1, b), sub(l, a, e), e + (at(l, e) == ':')};
    if (b - h1 >= 2 && second_hex(l, b - 1, &a, &e))
        out[k++] = (hex_range){sub(l, h1, b - 1), sub(l, a, e), e + (at(l, e) == ':')};
    return k;
}

/* `\s+` then a run of pred at t: the run's bounds, or false. */
static bool spaced_run(lg_str l, size_t t, bool (*pred)(int), size_t *a, size_t *e)
{
    size_t w = lg_run(l, t, lg_is_re_space);
    if (w == t)
        return false;
    size_t r = lg_run(l, w, pred);
    if (r == w)
        return false;
    *a = w;
    *e = r;
    return true;
}

/* procMapsRE's tail: [\s+perm][\s+offset]\s+hex:hex\s+digits[\s+file]. */
static bool proc_tail(lg_str l, size_t t, map_fields *f)
{
    for (int take_perm = 1; take_perm >= 0; take_perm--) {
        size_t t1 = t, a, e;
        lg_str perm = {"", 0};
        if (take_perm) {
            if (!spaced_run(l, t, is_perm, &a, &e))
                continue;
            perm = sub(l, a, e);
            t1 = e;
        }
        for (int take_off = 1; take_off >= 0; take_off--) {
            size_t t2 = t1;
            lg_str off = {"", 0};
            if (take_off) {
                if (!spaced_run(l, t1, lg_is_xdigit, &a, &e))
                    continue;
                off = sub(l, a, e);
                t2 = e;
            }
            size_t x;
            if (!spaced_run(l, t2, lg_is_xdigit, &a, &x) || at(l, x) != ':')
                continue;
            if (!lg_is_xdigit(at(l, x + 1)))
                continue;
            x = lg_run(l, x + 1, lg_is_xdigit);
            if (!spaced_run(l, x, lg_is_digit, &a, &e))
                continue;
            f->perm = perm;
            f->offset = off;
            f->file = (lg_str){"", 0};
            f->bid = (lg_str){"", 0};
            if (spaced_run(l, e, is_not_space, &a, &x))
                f->file = sub(l, a, x);
            return true;
        }
    }
    return false;
}

/* briefMapsRE's tail, all optional: [\s+perm][\s+file][\s+(@offset)][\s+buildid]. */
static void brief_tail(lg_str l, size_t t, map_fields *f)
{
    size_t a, e;
    f->perm = f->file = f->offset = f->bid = (lg_str){"", 0};
    if (spaced_run(l, t, is_perm, &a, &e)) {
        f->perm = sub(l, a, e);
        t = e;
    }
    if (spaced_run(l, t, is_not_space, &a, &e)) {
        f->file = sub(l, a, e);
        t = e;
    }
    size_t w = lg_run(l, t, lg_is_re_space);
    if (w > t && at(l, w) == '(' && at(l, w + 1) == '@') {
        size_t x = lg_run(l, w + 2, lg_is_xdigit);
        if (x > w + 2 && at(l, x) == ')') {
            f->offset = sub(l, w + 2, x);
            t = x + 1;
        }
    }
    if (spaced_run(l, t, lg_is_xdigit, &a, &e))
        f->bid = sub(l, a, e);
}

/* Matches a line as /proc/self/maps, else in the brief form. */
static bool match_mapping(lg_str l, map_fields *f)
{
    hex_range hr[2];
    size_t n = hex_ranges(l, hr);
    for (size_t i = 0; i < n; i++) {
        if (proc_tail(l, hr[i].next, f)) {
            f->start = hr[i].start;
            f->end = hr[i].end;
            return true;
        }
    }
    if (n == 0)
        return false;
    f->start = hr[0].start;
    f->end = hr[0].end;
    brief_tail(l, hr[0].next, f);
    return true;
}

/* Strips a glog prefix ("I0102 12:00:00.000 file.cc:12] "). */
static lg_str remove_logging_info(lg_str l)
{
    size_t j = 0;
    while (j < l.n && l.p[j] != '[' && l.p[j] != ']')
        j++;
    if (j >= l.n || l.p[j] != ']' || !lg_is_re_space(at(l, j + 1)))
        return l;
    size_t d = j;
    while (d > 0 && lg_is_digit((unsigned char)l.p[d - 1]))
        d--;
    if (d == j || d < 2 || l.p[d - 1] != ':')
        return l;
    return sub(l, j + 2, l.n);
}

/* attr=value definitions: "$attr" in later lines becomes value. The keys
 * live in a trie (edges hashed by node and byte) so each position costs
 * the length of the longest key prefix found there, as in Go's Replacer. */
typedef struct attr_edge {
    uint64_t key; /* parent node << 8 | byte */
    uint32_t child;
} attr_edge;

typedef struct map_attrs {
    pprof_buf values;
    size_t *value_at; /* per attr: offset and length in values */
    size_t n, cap_value_at;
    uint32_t *prio; /* per trie node: the attr ending there, or LG_NONE */
    size_t n_nodes, cap_nodes;
    attr_edge *edges;
    size_t n_edges, cap_edges;
    uint32_t *edge_slots; /* edge index + 1 */
    size_t edge_mask;
    pprof_buf line;
    uint64_t budget;
} map_attrs;

/* Bound on substitution work: pathological keys ("$$$$...") against
 * pathological text would otherwise cost the product of their lengths. */
#define LG_ATTR_BUDGET (1ULL << 30)

/* The slot holding key, or the empty slot where it would go. */
static size_t edge_slot(const map_attrs *at_, uint64_t key)
{
    size_t mask = at_->edge_mask, i = lg_slot_of(key, mask);
    while (at_->edge_slots[i] && at_->edges[at_->edge_slots[i] - 1].key != key)
        i = (i + 1) & mask;
    return i;
}

static uint32_t attr_child(const map_attrs *at_, uint32_t node, unsigned char c)
{
    if (!at_->edge_slots)
        return LG_NONE;
    size_t i = edge_slot(at_, ((uint64_t)node << 8) | c);
    return at_->edge_slots[i] ? at_->edges[at_->edge_slots[i] - 1].child : LG_NONE;
}

static int attr_new_node(map_attrs *at_, uint32_t *out)
{
    if (at_->n_nodes >= UINT32_MAX - 1 || PPROF_GROW(at_->prio, at_->cap_nodes, at_->n_nodes + 1))
        return PPROF_ENOMEM;
    at_->prio[at_->n_nodes] = LG_NONE;
    *out = (uint32_t)at_->n_nodes++;
    return 0;
}

static uint64_t edge_entry_hash(const void *ctx, size_t i)
{
    return pprof_hash_u64(((const map_attrs *)ctx)->edges[i].key);
}

static int attr_add_edge(map_attrs *at_, uint32_t node, unsigned char c, uint32_t child)
{
    if (!at_->edge_slots || (at_->n_edges + 1) * 2 > at_->edge_mask + 1) {
        int rc = pprof_slots_rebuild(&at_->edge_slots, &at_->edge_mask,
                                     at_->edge_slots ? (at_->edge_mask + 1) * 2 : 64, at_->n_edges,
                                     edge_entry_hash, at_);
        if (rc)
            return rc;
    }
    if (PPROF_GROW(at_->edges, at_->cap_edges, at_->n_edges + 1))
        return PPROF_ENOMEM;
    uint64_t key = ((uint64_t)node << 8) | c;
    at_->edges[at_->n_edges] = (attr_edge){key, child};
    at_->edge_slots[edge_slot(at_, key)] = (uint32_t)++at_->n_edges;
    return 0;
}

/* Adds "$key" -> val; an earlier definition of the same key wins. */
static int attrs_add(map_attrs *at_, lg_str key, lg_str val)
{
    uint32_t node = 0;
    if (!at_->n_nodes && attr_new_node(at_, &node))
        return PPROF_ENOMEM;
    for (size_t i = 0; i <= key.n; i++) {
        unsigned char c = i == 0 ? '$' : (unsigned char)key.p[i - 1];
        uint32_t child = attr_child(at_, node, c);
        if (child == LG_NONE && (attr_new_node(at_, &child) || attr_add_edge(at_, node, c, child)))
            return PPROF_ENOMEM;
        node = child;
    }
    if (at_->prio[node] == LG_NONE) {
        if (at_->n >= UINT32_MAX - 1 || PPROF_GROW(at_->value_at, at_->cap_value_at, (at_->n + 1) * 2))
            return PPROF_ENOMEM;
        at_->value_at[at_->n * 2] = at_->values.len;
        at_->value_at[at_->n * 2 + 1] = val.n;
        if (pprof_buf_append(&at_->values, val.p, val.n))
            return PPROF_ENOMEM;
        at_->prio[node] = (uint32_t)at_->n++;
    }
    return 0;
}

/* strings.Replacer semantics: at each position the earliest-defined key
 * that matches is replaced; scanning resumes after it. */
static int attrs_replace(map_attrs *at_, lg_str l, lg_str *out, pprof_error *err)
{
    at_->line.len = 0;
    size_t last = 0;
    for (size_t i = 0; i < l.n;) {
        uint32_t best = LG_NONE, node = 0;
        size_t best_len = 0;
        for (size_t j = i; j < l.n; j++) {
            node = attr_child(at_, node, (unsigned char)l.p[j]);
            if (node == LG_NONE)
                break;
            at_->budget++;
            if (at_->prio[node] < best) {
                best = at_->prio[node];
                best_len = j + 1 - i;
            }
        }
        if (at_->budget > LG_ATTR_BUDGET)
            return pprof_error_set(err, PPROF_ELIMIT,
                                   "legacy profile: memory map attribute substitution too costly");
        if (best == LG_NONE) {
            i++;
            continue;
        }
        if (pprof_buf_append(&at_->line, l.p + last, i - last) ||
            pprof_buf_append(&at_->line, at_->values.data + at_->value_at[best * 2],
                             at_->value_at[best * 2 + 1]))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        i += best_len;
        last = i;
    }
    if (last == 0) {
        *out = l;
        return 0;
    }
    if (pprof_buf_append(&at_->line, l.p + last, l.n - last))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    *out = (lg_str){(const char *)at_->line.data, at_->line.len};
    return 0;
}

static int pool_add(lg_profile *lp, lg_str s, size_t *off)
{
    *off = lp->pool.len;
    return pprof_buf_append(&lp->pool, s.p, s.n);
}

/* Parses one line; adds a mapping, skips it, or reports it unrecognized. */
static int map_line(lg_profile *lp, lg_str line, bool *recognized)
{
    map_fields f;
    *recognized = false;
    if (!match_mapping(line, &f))
        return 0;
    lg_mapping m = {0};
    if (!lg_parse_uint(f.start, 16, &m.start) || !lg_parse_uint(f.end, 16, &m.limit))
        return 0;
    if (f.offset.n && !lg_parse_uint(f.offset, 16, &m.offset))
        return 0;
    *recognized = true;
    if (f.perm.n && !memchr(f.perm.p, 'x', f.perm.n))
        return 0; /* not executable */
    if (PPROF_GROW(lp->maps, lp->cap_maps, lp->n_maps + 1) || pool_add(lp, f.file, &m.file_off) ||
        pool_add(lp, f.bid, &m.bid_off))
        return PPROF_ENOMEM;
    m.file_len = f.file.n;
    m.bid_len = f.bid.n;
    lp->maps[lp->n_maps++] = m;
    return 0;
}

static int parse_maps(lg_profile *lp, lg_scanner *s, pprof_error *err)
{
    map_attrs attrs = {0};
    int rc = 0;
    while (rc == 0 && lg_scan(s)) {
        lg_str line = remove_logging_info(s->text);
        if (attrs.n && (rc = attrs_replace(&attrs, line, &line, err)) != 0)
            break;
        bool ok;
        if ((rc = map_line(lp, line, &ok)) != 0) {
            rc = pprof_error_set(err, rc, "out of memory");
            break;
        }
        if (ok)
            continue;
        const char *eq = memchr(line.p, '=', line.n);
        if (!eq)
            continue;
        size_t k = (size_t)(eq - line.p);
        if (attrs_add(&attrs, lg_trim(sub(line, 0, k)), lg_trim(sub(line, k + 1, line.n))))
            rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    if (rc == 0 && s->too_long)
        rc = lg_scan_error(s, err);
    pprof_buf_release(&attrs.values);
    pprof_buf_release(&attrs.line);
    free(attrs.value_at);
    free(attrs.prio);
    free(attrs.edges);
    free(attrs.edge_slots);
    return rc;
}

static bool str_eq(lg_str a, lg_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Two entries that are one mapping split in two. */
static bool adjacent(const lg_profile *lp, const lg_mapping *a, const lg_mapping *b)
{
    lg_str fa = lg_map_file(lp, a), fb = lg_map_file(lp, b);
    if (fa.n && fb.n && !str_eq(fa, fb))
        return false;
    lg_str ba = lg_map_bid(lp, a), bb = lg_map_bid(lp, b);
    if (ba.n && bb.n && !str_eq(ba, bb))
        return false;
    if (a->limit != b->start)
        return false;
    if (a->offset && b->offset && a->offset + (a->limit - a->start) != b->offset)
        return false;
    return true;
}

/* Shared-library names: ".so" at the end or ".so" [._] digit. */
static bool is_lib_name(lg_str f)
{
    for (size_t i = 0; i + 3 <= f.n; i++) {
        if (memcmp(f.p + i, ".so", 3) != 0)
            continue;
        if (i + 3 == f.n)
            return true;
        if ((f.p[i + 3] == '.' || f.p[i + 3] == '_') && i + 4 < f.n &&
            lg_is_digit((unsigned char)f.p[i + 4]))
            return true;
    }
    return false;
}

/* Whether m looks like the main binary: named, not a library, not [vdso]. */
static int is_main_binary(const lg_profile *lp, const lg_mapping *m, bool *out)
{
    lg_str f = lg_map_file(lp, m);
    pprof_buf b = {0};
    for (size_t i = 0; i < f.n;) {
        if (f.n - i >= 9 && memcmp(f.p + i, "(deleted)", 9) == 0) {
            i += 9;
            continue;
        }
        if (pprof_buf_append(&b, f.p + i, 1)) {
            pprof_buf_release(&b);
            return PPROF_ENOMEM;
        }
        i++;
    }
    lg_str t = lg_trim((lg_str){b.len ? (const char *)b.data : "", b.len});
    *out = t.n > 0 && !is_lib_name(t) && t.p[0] != '[';
    pprof_buf_release(&b);
    return 0;
}

/* Merges split mappings and moves the main binary first. */
static int massage_mappings(lg_profile *lp)
{
    if (lp->n_maps > 1) {
        size_t k = 1;
        for (size_t i = 1; i < lp->n_maps; i++) {
            lg_mapping *last = &lp->maps[k - 1], *m = &lp->maps[i];
            if (adjacent(lp, last, m)) {
                last->limit = m->limit;
                if (m->file_len) {
                    last->file_off = m->file_off;
                    last->file_len = m->file_len;
                }
                if (m->bid_len) {
                    last->bid_off = m->bid_off;
                    last->bid_len = m->bid_len;
                }
                continue;
            }
            lp->maps[k++] = *m;
        }
        lp->n_maps = k;
    }
    for (size_t i = 0; i < lp->n_maps; i++) {
        bool main_bin;
        if (is_main_binary(lp, &lp->maps[i], &main_bin))
            return PPROF_ENOMEM;
        if (main_bin) {
            lg_mapping t = lp->maps[0];
            lp->maps[0] = lp->maps[i];
            lp->maps[i] = t;
            break;
        }
    }
    return 0;
}

int lg_remap_locations(lg_profile *lp)
{
    free(lp->order);
    lp->order = NULL;
    lp->n_order = 0;
    lp->remapped = true;
    if (!lp->n_locs)
        return 0;
    uint32_t *order = malloc(lp->n_locs * sizeof *order);
    uint8_t *seen = calloc(lp->n_locs, 1);
    if (!order || !seen) {
        free(order);
        free(seen);
        return PPROF_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < lp->n_samples; i++) {
        const uint32_t *f = lp->frames + lp->samples[i].off;
        for (uint32_t j = 0; j < lp->samples[i].n; j++) {
            if (!seen[f[j]]) {
                seen[f[j]] = 1;
                order[k++] = f[j];
            }
        }
    }
    free(seen);
    lp->order = order;
    lp->n_order = k;
    return 0;
}

/* Assigns each location the first mapping holding its address; failing
 * that, the first mapping whose offset says it was split and whose missing
 * first part [start-offset, start) holds it (that mapping then starts
 * there). The plain way: scan the mappings for each location. */
static void assign_linear(lg_profile *lp, lg_loc *l, uint64_t a)
{
    for (size_t i = 0; i < lp->n_maps && l->mapping == LG_NONE; i++)
        if (lp->maps[i].start <= a && a < lp->maps[i].limit)
            l->mapping = (uint32_t)i;
    for (size_t i = 0; i < lp->n_maps && l->mapping == LG_NONE; i++) {
        lg_mapping *m = &lp->maps[i];
        if (m->offset != 0 && m->start - m->offset <= a && a < m->start) {
            m->start -= m->offset;
            m->offset = 0;
            l->mapping = (uint32_t)i;
        }
    }
}

/* The same answers for many locations and mappings, in O(log) per query:
 * segment trees over the sorted interval ends. min[] holds the smallest
 * index of an interval covering a node (mappings' ranges, plus the missing
 * parts of split mappings already extended); lists hold, per node, the
 * split mappings whose missing part covers it, in index order, read past
 * the ones already extended. */
typedef struct stab {
    uint64_t *coords;
    size_t n_coords, size;
    uint32_t *min;
    uint32_t *list_off, *list_pos, *list;
    uint8_t *extended;
} stab;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Leaf of coordinate v (which is one of the coordinates). */
static size_t stab_coord(const stab *t, uint64_t v)
{
    size_t lo = 0, hi = t->n_coords;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->coords[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Runs visit for each node covering [lo, hi) (none when it is empty). */
#define STAB_RANGE(t, lo, hi, node, visit)                                         \
    do {                                                                           \
        if ((lo) < (hi)) {                                                         \
            size_t l_ = stab_coord(t, lo) + (t)->size, r_ = stab_coord(t, hi) + (t)->size; \
            for (; l_ < r_; l_ >>= 1, r_ >>= 1) {                                  \
                if (l_ & 1) {                                                      \
                    size_t node = l_++;                                            \
                    visit;                                                         \
                }                                                                  \
                if (r_ & 1) {                                                      \
                    size_t node = --r_;                                            \
                    visit;                                                         \
                }                                                                  \
            }                                                                      \
        }                                                                          \
    } while (0)

static void stab_free(stab *t)
{
    free(t->coords);
    free(t->min);
    free(t->list_off);
    free(t->list_pos);
    free(t->list);
    free(t->extended);
}

static int stab_build(stab *t, const lg_profile *lp)
{
    size_t nm = lp->n_maps, k = 0;
    memset(t, 0, sizeof *t);
    if (nm > SIZE_MAX / 32 || !(t->coords = malloc(3 * nm * sizeof *t->coords)))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nm; i++) {
        const lg_mapping *m = &lp->maps[i];
        t->coords[k++] = m->start;
        t->coords[k++] = m->limit;
        if (m->offset)
            t->coords[k++] = m->start - m->offset;
    }
    qsort(t->coords, k, sizeof *t->coords, cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        if (n == 0 || t->coords[i] != t->coords[n - 1])
            t->coords[n++] = t->coords[i];
    t->n_coords = n;
    t->size = 1;
    while (t->size < n)
        t->size *= 2;
    size_t nodes = 2 * t->size;
    t->min = malloc(nodes * sizeof *t->min);
    t->list_off = calloc(nodes + 1, sizeof *t->list_off);
    t->list_pos = malloc(nodes * sizeof *t->list_pos);
    t->extended = calloc(nm ? nm : 1, 1);
    if (!t->min || !t->list_off || !t->list_pos || !t->extended)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nodes; i++)
        t->min[i] = LG_NONE;
    size_t total = 0;
    for (size_t i = 0; i < nm; i++) {
        const lg_mapping *m = &lp->maps[i];
        STAB_RANGE(t, m->start, m->limit, node, {
            if (t->min[node] == LG_NONE)
                t->min[node] = (uint32_t)i;
        });
        if (m->offset)
            STAB_RANGE(t, m->start - m->offset, m->start, node, {
                t->list_off[node + 1]++;
                total++;
            });
    }
    if (total > UINT32_MAX || !(t->list = malloc((total ? total : 1) * sizeof *t->list)))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nodes; i++)
        t->list_off[i + 1] += t->list_off[i];
    memcpy(t->list_pos, t->list_off, nodes * sizeof *t->list_pos);
    for (size_t i = 0; i < nm; i++) {
        const lg_mapping *m = &lp->maps[i];
        if (m->offset)
            STAB_RANGE(t, m->start - m->offset, m->start, node, {
                t->list[t->list_pos[node]++] = (uint32_t)i;
            });
    }
    memcpy(t->list_pos, t->list_off, nodes * sizeof *t->list_pos);
    return 0;
}

/* fake: the catch-all mapping [0, 2^64-1) once added (it comes last). */
static void assign_stab(stab *t, lg_profile *lp, lg_loc *l, uint64_t a, uint32_t fake)
{
    if (t->n_coords == 0 || a < t->coords[0]) {
        if (fake != LG_NONE && a != UINT64_MAX)
            l->mapping = fake;
        return;
    }
    size_t leaf = stab_coord(t, a) + t->size;
    uint32_t best = LG_NONE;
    for (size_t node = leaf; node; node >>= 1)
        if (t->min[node] < best)
            best = t->min[node];
    if (best == LG_NONE && fake != LG_NONE && a != UINT64_MAX)
        best = fake;
    if (best != LG_NONE) {
        l->mapping = best;
        return;
    }
    for (size_t node = leaf; node; node >>= 1) {
        uint32_t *pos = &t->list_pos[node];
        while (*pos < t->list_off[node + 1] && t->extended[t->list[*pos]])
            (*pos)++;
        if (*pos < t->list_off[node + 1] && t->list[*pos] < best)
            best = t->list[*pos];
    }
    if (best == LG_NONE)
        return;
    lg_mapping *m = &lp->maps[best];
    uint64_t from = m->start - m->offset, to = m->start < m->limit ? m->start : m->limit;
    t->extended[best] = 1;
    m->start = from;
    m->offset = 0;
    STAB_RANGE(t, from, to, node, {
        if (t->min[node] > best)
            t->min[node] = best;
    });
    l->mapping = best;
}

/* Above this many location-mapping pairs, assign with the trees. */
#ifndef LG_LINEAR_ASSIGN_MAX
#define LG_LINEAR_ASSIGN_MAX 65536
#endif

int lg_remap_mappings(lg_profile *lp)
{
    if (lp->n_maps > 1) {
        lg_str f = lg_map_file(lp, &lp->maps[0]);
        if (lg_has_prefix(f, "/anon_hugepage") && lp->maps[0].limit == lp->maps[1].start) {
            memmove(lp->maps, lp->maps + 1, (lp->n_maps - 1) * sizeof *lp->maps);
            lp->n_maps--;
        }
    }
    if (lp->n_maps > 0) {
        lg_mapping *m = &lp->maps[0];
        if (m->start - m->offset == 0x400000) {
            m->start = 0x400000;
            m->offset = 0;
        }
    }
    size_t n = lp->remapped ? lp->n_order : lp->n_locs;
    stab t;
    bool use_tree = lp->n_maps && n > LG_LINEAR_ASSIGN_MAX / lp->n_maps;
    if (use_tree && stab_build(&t, lp)) {
        stab_free(&t);
        return PPROF_ENOMEM;
    }
    uint32_t fake = LG_NONE;
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        lg_loc *l = &lp->locs[lp->remapped ? lp->order[k] : k];
        uint64_t a = l->symbolized ? 0 : l->addr;
        if (l->mapping != LG_NONE || a == 0)
            continue;
        if (use_tree)
            assign_stab(&t, lp, l, a, fake);
        else
            assign_linear(lp, l, a);
        if (l->mapping != LG_NONE)
            continue;
        if (fake == LG_NONE) {
            if (PPROF_GROW(lp->maps, lp->cap_maps, lp->n_maps + 1)) {
                rc = PPROF_ENOMEM;
                break;
            }
            fake = (uint32_t)lp->n_maps;
            lp->maps[lp->n_maps++] = (lg_mapping){.limit = UINT64_MAX};
        }
        l->mapping = fake;
    }
    if (use_tree)
        stab_free(&t);
    return rc;
}

int lg_memory_map(lg_profile *lp, lg_scanner *s, pprof_error *err)
{
    int rc = parse_maps(lp, s, err);
    if (rc)
        return rc;
    if (massage_mappings(lp))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (lg_remap_locations(lp) || lg_remap_mappings(lp))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}

int lg_additional_sections(lg_profile *lp, lg_scanner *s, pprof_error *err)
{
    while (!lg_is_map_sentinel(s->text) && lg_scan(s)) {
    }
    if (s->too_long)
        return lg_scan_error(s, err);
    return lg_memory_map(lp, s, err);
}

